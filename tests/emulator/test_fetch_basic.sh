# types / labels / values / fetch against the emulator in direct mode: output, exit
# codes, and what the server received (paths, ms times, bodies, braces, headers).
. "$(dirname "$0")/lib.sh"

start_emu
export PROFDIFF_URL=$URL

# ---- types ------------------------------------------------------------------------
run types "${BASE_WIN[@]}"
expect_rc 0 "types"
expect_eq "$(cat "$OUT")" "$(printf '%s\n' $TYPE memory:alloc_space:bytes:space:bytes)" \
	"types prints five-part IDs built from the fields, one per line"
expect_eq "$(reqs '.[-1] | [.method, .path] | join(" ")')" \
	"POST /querier.v1.QuerierService/ProfileTypes" "types is a Connect POST"
expect_eq "$(reqs '.[-1].body | fromjson | [.start, .end] | map(tostring) | join(" ")')" \
	"1777622400000 1777626000000" "types sends RFC 3339 times as ms"
expect_eq "$(reqs '.[-1].headers["content-type"]')" "application/json" "Connect content type"
expect_true "gzip accepted" grep -q '"accept-encoding":"[^"]*gzip' "$LOG"
expect_eq "$(reqs '.[-1].headers["x-scope-orgid"] // "none"')" "none" "no tenant header by default"
expect_eq "$(reqs '.[-1].headers.authorization // "none"')" "none" "no credentials by default"

run types --json --from 1777622400 --to 1777626000000
expect_rc 0 "types --json with Unix seconds and ms"
expect_eq "$(jq -c . "$OUT")" "[\"$TYPE\",\"memory:alloc_space:bytes:space:bytes\"]" "types --json array"
expect_eq "$(reqs '.[-1].body | fromjson | [.start, .end] | map(tostring) | join(" ")')" \
	"1777622400000 1777626000000" "Unix seconds and 13-digit ms"

# default window: the last hour ending now
now=$(date +%s)
run types
expect_eq "$(reqs '.[-1].body | fromjson | (.end - .start)')" "3600000" "default window is one hour"
expect_true "default window ends now" \
	test "$(reqs '.[-1].body | fromjson | (.end / 1000 | floor)')" -ge "$now"
run types --from now-2d --to now-1d
expect_eq "$(reqs '.[-1].body | fromjson | (.end - .start)')" "86400000" "now-2d .. now-1d"
run types --to 2026-05-01T12:00:00+02:00
expect_eq "$(reqs '.[-1].body | fromjson | [.start, .end] | map(tostring) | join(" ")')" \
	"1777626000000 1777629600000" "only --to: the hour before it (zone offset applied)"

# ---- labels / values ---------------------------------------------------------------
run labels "${BASE_WIN[@]}" --query 'service_name="api"'
expect_rc 0 "labels"
expect_eq "$(head -1 "$OUT")" "__name__" "labels are unfiltered (internal names kept)"
expect_eq "$(reqs '.[-1].body | fromjson | .matchers | join(",")')" '{service_name="api"}' \
	"labels: matchers wrapped in braces"
run labels "${BASE_WIN[@]}" --json
expect_eq "$(reqs '.[-1].body | fromjson | .matchers | join(",")')" '{}' "labels: empty selector -> {}"
expect_eq "$(jq -r 'length' "$OUT")" "4" "labels --json"

run values service_name "${BASE_WIN[@]}" --json --query '{service_name=~"a.*"}'
expect_rc 0 "values"
expect_eq "$(jq -c . "$OUT")" '["api","db \"main\""]' "values --json (names field)"
expect_eq "$(reqs '.[-1].body | fromjson | [.name, .matchers[0]] | join(" ")')" \
	'service_name {service_name=~"a.*"}' "values body: name and braced matchers"
run values ' service_name ' "${BASE_WIN[@]}"
expect_eq "$(reqs '.[-1].body | fromjson | .name')" "service_name" "values NAME is trimmed"
run values '  ' "${BASE_WIN[@]}"
expect_rc 2 "blank values NAME"
run values other_label "${BASE_WIN[@]}"
expect_rc 0 "values with a reply of {} (missing field = empty list)"
expect_eq "$(wc -c <"$OUT")" "0" "empty list prints nothing"
run values other_label "${BASE_WIN[@]}" --json
expect_eq "$(cat "$OUT")" "[]" "empty list as JSON"
run values "${BASE_WIN[@]}"
expect_rc 2 "values without NAME"
expect_in "$ERR" "name is required" "values without NAME says so"

start_emu --empty-lists
export PROFDIFF_URL=$URL
run types "${BASE_WIN[@]}"
expect_rc 0 "types with no profile types"
expect_eq "$(wc -c <"$OUT")" "0" "no types prints nothing"

# ---- fetch ---------------------------------------------------------------------------
start_emu
export PROFDIFF_URL=$URL
run fetch --type "$TYPE" "${BASE_WIN[@]}" --query 'service_name="api"'
expect_rc 0 "fetch"
expect_true "fetch prints the DOT byte for byte" cmp -s "$OUT" "$PD_EMU_DATA/base.dot"
expect_eq "$(reqs '.[-1] | [.method, .path] | join(" ")')" "GET /pyroscope/render" "fetch uses GET /pyroscope/render"
expect_eq "$(reqs '.[-1].query | [.query, .from, .until, .format, .["max-nodes"]] | join(" ")')" \
	"$TYPE{service_name=\"api\"} 1777622400000 1777626000000 dot 100" \
	"render parameters: type+matchers, ms window, dot, max-nodes 100"
expect_true "query string is percent-encoded" \
	grep -q 'query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22api%22%7D' "$LOG"
run fetch --type "$TYPE" "${NEW_WIN[@]}" --max-nodes 250 -o "$T/new.dot"
expect_rc 0 "fetch -o"
expect_true "fetch -o writes the window's DOT" cmp -s "$T/new.dot" "$PD_EMU_DATA/new.dot"
expect_eq "$(wc -c <"$OUT")" "0" "fetch -o prints nothing"
expect_eq "$(reqs '.[-1].query["max-nodes"]')" "250" "--max-nodes 250 sent"
run fetch --type "$TYPE" "${NEW_WIN[@]}" --max-nodes -1
expect_eq "$(reqs '.[-1].query["max-nodes"]')" "100" "--max-nodes -1 falls back to 100"

# ---- usage errors (nothing sent) ------------------------------------------------------
n0=$(nreqs)
run fetch "${BASE_WIN[@]}"
expect_rc 2 "fetch without --type"
expect_one_line "fetch without --type"
run fetch --type cpu "${BASE_WIN[@]}"
expect_rc 2 "fetch with a malformed --type"
run types --from 2026-05-01T10:00:00Z --to 2026-05-01T09:00:00Z
expect_rc 2 "--from after --to"
expect_in "$ERR" 'start timestamp "2026-05-01T10:00:00Z" must be strictly before end timestamp "2026-05-01T09:00:00Z"' \
	"mcp-grafana style message for from >= to"
run types --from 2026-05-01T09:00:00Z --to 2026-05-01T09:00:00Z
expect_rc 2 "--from equal to --to"
run types --from 2026-05-01T09:00:00
expect_rc 2 "RFC 3339 without a zone"
run types --from yesterday
expect_rc 2 "junk time"
expect_in "$ERR" '^profdiff: --from: invalid time "yesterday"' "bad time names the flag"
run types --bogus
expect_rc 2 "unknown option"
run types --timeout 0
expect_rc 2 "--timeout 0"
run types --max-body lots
expect_rc 2 "bad --max-body"
unset PROFDIFF_URL
run types
expect_rc 2 "no URL"
expect_in "$ERR" "--url.*PROFDIFF_URL" "no URL names the flag and env var"
expect_eq "$(nreqs)" "$n0" "usage errors send nothing"

for cmd in types labels values fetch compare; do
	run "$cmd" --help
	expect_rc 0 "$cmd --help"
	expect_in "$OUT" "^Usage: profdiff $cmd" "$cmd --help usage line"
	expect_in "$OUT" "PROFDIFF_TOKEN" "$cmd --help lists env vars"
	expect_in "$OUT" "[Ee]xit" "$cmd --help lists exit codes"
done

done_testing
