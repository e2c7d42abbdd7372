# Fault handling: retries (503/429/reset) with backoff honouring Retry-After, no retry
# for other 4xx, body cap, cut bodies, timeouts, empty windows (exit 4). Every failure
# is one line on stderr and exit 3.
. "$(dirname "$0")/lib.sh"

fetch_base() { run fetch --type "$TYPE" "${BASE_WIN[@]}" "$@"; }
emu() { start_emu "$@"; export PROFDIFF_URL=$URL; }
gt() { [ "$(echo "$1 > $2" | bc -l)" = 1 ]; }

# ---- retries -------------------------------------------------------------------------
emu --fault status --fault-status 503 --fault-count 1 --retry-after 1 --fault-route render
fetch_base -o "$T/out.dot"
expect_rc 0 "503 once, then success"
expect_eq "$(reqs '[.[] | .status] | map(tostring) | join(",")')" "503,200" "the 503 was retried once"
expect_true "Retry-After: 1 honoured (waited >= 0.95 s; took $ELAPSED s)" gt "$ELAPSED" 0.95
expect_true "retried DOT is complete" cmp -s "$T/out.dot" "$PD_EMU_DATA/base.dot"

emu --fault status --fault-status 503 --fault-count -1
fetch_base
expect_rc 3 "503 every time"
expect_eq "$(nreqs)" "3" "at most 3 attempts"
expect_in "$ERR" "^profdiff: render: HTTP 503 from http://127.0.0.1:[0-9]+/pyroscope/render: unavailable: injected fault 503 \(after 3 attempts\)$" \
	"503 message: status, Connect code and message, attempts"
expect_one_line "503"

emu --fault status --fault-status 429 --fault-count 2 --fault-route LabelNames
run labels "${BASE_WIN[@]}"
expect_rc 0 "429 twice on a Connect call, then success"
expect_eq "$(nreqs)" "3" "429 retried"

emu --fault status --fault-status 400 --fault-count -1
fetch_base
expect_rc 3 "400"
expect_eq "$(nreqs)" "1" "400 is not retried"
expect_in "$ERR" "HTTP 400 .*invalid_argument: injected fault 400$" "400 message with the Connect code"

emu --fault status --fault-status 500 --fault-count -1
run types "${BASE_WIN[@]}"
expect_rc 3 "500"
expect_eq "$(nreqs)" "1" "500 is not retried"

emu --fault status --fault-status 404 --fault-count -1
run types "${BASE_WIN[@]}"
expect_rc 3 "404"
expect_in "$ERR" "HTTP 404 .*route not found" "404 says route"

emu --fault reset --fault-count 1
fetch_base
expect_rc 0 "connection reset once, then success"
expect_eq "$(nreqs)" "2" "reset retried"
expect_true "DOT after a reset is complete" cmp -s "$OUT" "$PD_EMU_DATA/base.dot"

emu --fault reset --fault-count -1
run values service_name "${BASE_WIN[@]}"
expect_rc 3 "connection reset every time"
expect_in "$ERR" "LabelValues: cannot reach .*\(after 3 attempts\)$" "reset message"

# ---- truncated and oversized bodies ---------------------------------------------------------
emu --fault cut --fault-count -1
fetch_base -o "$T/cut.dot"
expect_rc 3 "body cut mid-stream"
expect_in "$ERR" "render: connection closed mid-response" "cut body reported, not truncated silently"
expect_true "no partial -o file" test ! -e "$T/cut.dot"
expect_eq "$(wc -c <"$OUT")" "0" "nothing on stdout for a cut body"

emu --fault big --fault-count -1 --big-bytes 3000000
fetch_base --max-body 1MiB
expect_rc 3 "streamed body over --max-body"
expect_in "$ERR" "exceeds maximum size of 1048576 bytes \(--max-body\); try narrowing your query" "body cap message"
expect_eq "$(nreqs)" "1" "body over the cap is not retried"
expect_eq "$(wc -c <"$OUT")" "0" "nothing printed for an oversized body"

# An error page over the cap is still an HTTP error: retried when retryable, reported
# with its status (the page itself is not needed past the first lines).
emu --fault big --fault-count 1 --big-bytes 3000000 --big-status 503
fetch_base --max-body 1MiB -o "$T/big503.dot"
expect_rc 0 "oversized 503 page, then success"
expect_eq "$(reqs '[.[] | .status] | map(tostring) | join(",")')" "503,200" "the oversized 503 was retried"
expect_true "DOT after the retry is complete" cmp -s "$T/big503.dot" "$PD_EMU_DATA/base.dot"

emu --fault big --fault-count -1 --big-bytes 3000000 --big-status 404
fetch_base --max-body 1MiB
expect_rc 3 "oversized 404 page"
expect_in "$ERR" "^profdiff: render: HTTP 404 from http://127.0.0.1:[0-9]+/pyroscope/render \(route not found" \
	"oversized error page reported with its status"
expect_eq "$(nreqs)" "1" "404 is not retried"
expect_one_line "oversized 404"

emu
fetch_base --max-body 1000
expect_rc 3 "Content-Length over --max-body"
expect_in "$ERR" "exceeds maximum size of 1000 bytes" "declared size over the cap"
size=$(wc -c <"$PD_EMU_DATA/base.dot")
fetch_base --max-body "$size"
expect_rc 0 "body exactly at the cap"

# ---- empty windows -------------------------------------------------------------------------------
emu --fault empty --fault-count -1
fetch_base --query 'service_name="api"'
expect_rc 4 "empty body"
expect_in "$ERR" "^profdiff: no data for $TYPE\{service_name=\"api\"\} in \[2026-05-01T08:00:00Z, 2026-05-01T09:00:00Z\)" \
	"empty window names query and window"
emu --fault zero --fault-count -1
fetch_base
expect_rc 4 "legend with 0 of 0 total"
expect_in "$ERR" "empty profile" "zero-total profile"

# ---- timeouts -------------------------------------------------------------------------------------
emu --delay-ms 3000
fetch_base --timeout 0.5
expect_rc 3 "--timeout against a slow server"
expect_in "$ERR" "render: request to http://127.0.0.1:[0-9]+/pyroscope/render timed out after 0.5 s" "timeout message"
expect_true "gave up in time (took $ELAPSED s)" gt 2.5 "$ELAPSED"
fetch_base --timeout 5
expect_rc 0 "a generous --timeout waits for the slow server"

# ---- invalid replies ------------------------------------------------------------------------------
emu --fault garbage --fault-count -1
run labels "${BASE_WIN[@]}"
expect_rc 3 "HTML instead of Connect JSON"
expect_in "$ERR" "^profdiff: LabelNames: invalid JSON in the server's reply$" "invalid JSON message"

# ---- TLS ------------------------------------------------------------------------------------------
emu
run types "${BASE_WIN[@]}" --url "https://${URL#http://}"
expect_rc 3 "https against a plain-HTTP server"
# (issue 13: the old advice, --cacert/--insecure, was the wrong fix here)
expect_in "$ERR" "https://127.0.0.1:[0-9]+/querier.v1.QuerierService/ProfileTypes speaks plain HTTP, not TLS: use an http:// URL" "TLS failure message"
run types "${BASE_WIN[@]}" --url "https://${URL#http://}" --cacert "$T/no-such-ca.pem"
expect_rc 3 "missing --cacert file"

done_testing
