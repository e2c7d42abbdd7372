# compare: both windows fetched concurrently (the emulator delays every render by 1 s),
# default and explicit baselines, baseline query, --save-inputs provenance, the diff
# report itself, and failures of one side.
. "$(dirname "$0")/lib.sh"
# --source dot: these checks read the render requests' query strings (test_fetch_source.sh
# covers --source).

gt() { [ "$(echo "$1 > $2" | bc -l)" = 1 ]; }
VERSION=$(sed -n 's/^#define PD_VERSION "\(.*\)"/\1/p' "$PD_SRC/include/profdiff/profdiff.h")

start_emu --delay-ms 1000
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --query 'service_name="api"' --format json
expect_rc 0 "compare"
expect_eq "$(reqs '[.[] | .query.from + "-" + .query.until] | sort | join(",")')" \
	"1777622400000-1777626000000,1777626000000-1777629600000" \
	"default baseline: the same length right before the problem window"
expect_eq "$(reqs '[.[] | .query.query] | unique | join(",")')" "$TYPE{service_name=\"api\"}" \
	"both sides use --query (braced)"
expect_true "the two renders overlapped on the server" \
	test "$(reqs 'sort_by(.t0) | .[1].t0 < .[0].t1')" = true
expect_eq "$(jq -r '.functions[0].name' "$OUT")" "main.compress" "report ranks the regressed function first"
expect_eq "$(jq -r '.functions[0].delta.flat' "$OUT")" "500000000" "regression size (+500ms flat)"
expect_in "$OUT" '"source":[[:space:]]*"baseline 2026-05-01T08:00:00Z/2026-05-01T09:00:00Z"' "baseline named by its window"

start_emu
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --no-color
expect_rc 0 "compare, text report"
expect_in "$OUT" "main\.compress" "text report names the regressed function"

run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --query 'service_name="api"' --baseline-query '{service_name="api-canary"}' \
	--baseline-from 2026-04-30T09:00:00Z --baseline-to 2026-04-30T10:00:00Z --format markdown -o "$T/report.md"
expect_rc 0 "compare with explicit baseline window and query, -o"
expect_eq "$(reqs '.[-2:] | [.[] | .query.query + " " + .query.from + "-" + .query.until] | sort | join(",")')" \
	"$TYPE{service_name=\"api\"} 1777626000000-1777629600000,$TYPE{service_name=\"api-canary\"} 1777539600000-1777543200000" \
	"baseline query and window as given"
expect_true "report written to -o" test -s "$T/report.md"
expect_eq "$(wc -c <"$OUT")" "0" "nothing on stdout with -o"

run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline-to 2026-05-01T07:00:00Z --format json
expect_eq "$(reqs '.[-2:] | [.[] | .query.from + "-" + .query.until] | sort | .[0]')" \
	"1777615200000-1777618800000" "only --baseline-to: a window of the problem's length"

run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline-from 2026-05-01T10:00:00Z --baseline-to 2026-05-01T09:00:00Z
expect_rc 2 "baseline from after to"

# ---- --save-inputs ------------------------------------------------------------------------
USERURL="http://someone:hunter2pass@${URL#http://}"
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --query 'service_name="api"' --url "$USERURL" \
	--save-inputs "$T/inputs" --format json -o "$T/r.json"
expect_rc 0 "compare --save-inputs"
expect_true "base.dot saved byte for byte" cmp -s "$T/inputs/base.dot" "$PD_EMU_DATA/base.dot"
expect_true "new.dot saved byte for byte" cmp -s "$T/inputs/new.dot" "$PD_EMU_DATA/new.dot"
P=$T/inputs/provenance.json
expect_eq "$(jq -r .server "$P")" "$URL" "provenance: server URL without credentials"
expect_not_in "$P" "hunter2pass" "provenance holds no password"
expect_not_in "$ERR" "hunter2pass" "stderr holds no password"
expect_eq "$(jq -r '[.mode, (.datasource // "null"), .type, .query, .baseline_query, .version] | join(" ")' "$P")" \
	"direct null $TYPE {service_name=\"api\"} {service_name=\"api\"} $VERSION" "provenance: mode, datasource, type, queries, version"
expect_eq "$(jq -r '[.baseline.from, .baseline.to, .new.from, .new.to] | join(" ")' "$P")" \
	"2026-05-01T08:00:00Z 2026-05-01T09:00:00Z 2026-05-01T09:00:00Z 2026-05-01T10:00:00Z" "provenance: windows as RFC 3339"
expect_eq "$(jq -r '[.baseline.from_ms, .baseline.to_ms, .new.from_ms, .new.to_ms] | map(tostring) | join(" ")' "$P")" \
	"1777622400000 1777626000000 1777626000000 1777629600000" "provenance: windows in ms"

start_emu --datasource pyro
export GRAFANA_URL=$URL
unset PROFDIFF_URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --datasource pyro --save-inputs "$T/inputs-g" --format json
expect_rc 0 "compare through Grafana"
expect_eq "$(jq -r '[.mode, .datasource, .server] | join(" ")' "$T/inputs-g/provenance.json")" "grafana pyro $URL" \
	"provenance: grafana mode and datasource"
expect_eq "$(reqs '[.[] | .path] | join(",")' | cut -d, -f1)" "/api/datasources/uid/pyro" "pre-flight first"
expect_eq "$(reqs '[.[] | select(.path | endswith("/pyroscope/render"))] | length')" "2" "two proxied renders"
unset GRAFANA_URL

# ---- one side fails -----------------------------------------------------------------------------
start_emu --fault empty --fault-count 1 --fault-route render --delay-ms 200
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline-from 2026-04-01T00:00:00Z
expect_rc 4 "one window empty"
expect_in "$ERR" "^profdiff: (baseline|problem window): no data for $TYPE\{\} in \[" "says which side, query and window had no data"
expect_one_line "empty side"

start_emu --fault status --fault-status 400 --fault-count -1
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}"
expect_rc 3 "render rejected"
expect_in "$ERR" "^profdiff: baseline: render: HTTP 400" "fetch failure message"
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --format nope
expect_rc 2 "bad diff option is a usage error"
expect_eq "$(nreqs)" "2" "nothing sent after a usage error"

done_testing
