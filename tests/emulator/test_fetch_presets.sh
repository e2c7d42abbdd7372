# compare --baseline 1h-before|24h-before|7d-before: the windows the server received
# (same length, shifted back), the refusals, the report header (server, query, type,
# both windows in UTC and local time), and --bundle from a fetch: inputs as fetched with
# their sha256, provenance, links to Grafana Explore / Profiles Drilldown or Pyroscope.
. "$(dirname "$0")/lib.sh"
# --source dot: the checks read the render requests and the saved DOTs.

start_emu
export PROFDIFF_URL=$URL
# NEW_WIN is 2026-05-01T09:00:00Z..10:00:00Z = 1777626000000..1777629600000
for p in "1h-before 3600000" "24h-before 86400000" "7d-before 604800000"; do
	set -- $p
	run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline "$1" --format json
	expect_rc 0 "--baseline $1"
	expect_eq "$(reqs '.[-2:] | [.[] | .query.from + "-" + .query.until] | sort | .[0]')" \
		"$((1777626000000 - $2))-$((1777629600000 - $2))" "--baseline $1: the window shifted back"
done
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline 2h-before
expect_rc 2 "unknown preset"
expect_in "$ERR" "1h-before, 24h-before or 7d-before" "unknown preset: the choices named"
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline 1h-before --baseline-from 2026-04-30T09:00:00Z
expect_rc 2 "a preset and explicit times"

# The header: server, query, type, both windows in local time and UTC.
TZ=Europe/Paris run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --query 'service_name="api"' \
	--baseline 24h-before --no-color
expect_rc 0 "compare, text report"
expect_in "$OUT" "^server +: http://127\.0\.0\.1:[0-9]+$" "header: server"
expect_in "$OUT" '^query +: \{service_name="api"\}$' "header: query"
expect_in "$OUT" "^profile type : $TYPE\$" "header: type"
expect_in "$OUT" "^problem +: 2026-05-01 11:00:00 CEST \(2026-05-01T09:00:00Z\) to 2026-05-01 12:00:00 CEST \(2026-05-01T10:00:00Z\)$" \
	"header: problem window, local and UTC"
expect_in "$OUT" "^baseline +: 2026-04-30 11:00:00 CEST \(2026-04-30T09:00:00Z\) to" "header: baseline window"
TZ=UTC run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline 1h-before --format markdown
expect_in "$OUT" '^- problem: `2026-05-01 09:00:00 UTC \(2026-05-01T09:00:00Z\) to' "Markdown header"

# Gated: the verdict line stays first, the header follows it.
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --baseline 1h-before --fail-on-increase 10 --slices 2 --no-color
expect_in "$OUT" "^verdict: " "gated: a verdict"
expect_eq "$(head -1 "$OUT" | cut -c1-9)" "verdict: " "gated: the verdict line first"
expect_eq "$(sed -n 3p "$OUT" | cut -c1-7)" "server " "gated: the header right after it"

# On a terminal, one window per side shows progress too, from the start of the fetches.
if command -v script >/dev/null; then
	script -qec "$PROFDIFF compare --type $TYPE ${NEW_WIN[*]} --baseline 1h-before -o $T/tty-report.txt" \
		/dev/null >"$T/tty.out" 2>&1
	expect_in "$T/tty.out" "profdiff: fetching 2 profiles" "progress from the first fetch"
	expect_in "$T/tty.out" "profdiff: fetched 2/2 profiles" "progress to the last fetch"
else
	echo "SKIP: progress line (script is not installed)"
fi

# --bundle from a fetch, direct mode: links to Pyroscope's UI for each window.
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --query 'service_name="api"' --baseline 1h-before \
	--bundle "$T/b"
expect_rc 0 "compare --bundle"
expect_eq "$(ls "$T/b" | tr '\n' ' ')" \
	"base.dot diff.dot diff.svg new.dot provenance.json report.html report.md " "bundle files"
expect_true "new.dot is what the server sent" cmp -s "$T/b/new.dot" "$PD_EMU_DATA/new.dot"
expect_eq "$(jq -r .inputs.base.sha256 "$T/b/provenance.json")" \
	"$(sha256sum "$T/b/base.dot" | cut -d' ' -f1)" "base sha256"
expect_eq "$(jq -r '[.mode, .query, .type, .windows.baseline.from, .windows.new.to] | join(" ")' "$T/b/provenance.json")" \
	"direct {service_name=\"api\"} $TYPE 2026-05-01T08:00:00Z 2026-05-01T10:00:00Z" "provenance"
expect_eq "$(jq -r '.links[0]' "$T/b/provenance.json")" \
	"$URL/?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22api%22%7D&from=1777626000&until=1777629600" \
	"link to the problem window in Pyroscope's UI"
expect_in "$T/b/report.html" "href=\"$URL/\\?query=" "the page links to Pyroscope"
expect_in "$T/b/report.md" '^- server: `http' "report.md has the header"
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --bundle "$T/b"
expect_rc 2 "bundle DIR not empty: refused before fetching"

# Grafana mode: Explore and Profiles Drilldown links with the same query, type, times.
start_emu --datasource pyro
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --url "$URL" --datasource pyro --baseline 1h-before \
	--query 'service_name="api"' --bundle "$T/g" --fail-on-increase 10
expect_true "compare --bundle in Grafana mode wrote the bundle" test -s "$T/g/report.html"
L=$(jq -r '.links[0]' "$T/g/provenance.json")
expect_eq "${L%%\?*}" "$URL/explore" "Explore link"
P=$(python3 -c 'import sys,urllib.parse as u; print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["panes"][0])' "$L")
expect_eq "$(echo "$P" | jq -r '.pd | [.datasource, .queries[0].profileTypeId, .queries[0].labelSelector, .range.from, .range.to] | join(" ")')" \
	"pyro $TYPE {service_name=\"api\"} 1777626000000 1777629600000" "Explore pane: query, type, times"
expect_in "$T/g/provenance.json" "a/grafana-pyroscope-app/explore\\?explorationType=flame-graph&from=1777622400000&to=1777626000000&var-dataSource=pyro" \
	"Drilldown link to the baseline"
expect_eq "$(jq -r '[.mode, .datasource, .gate.on] | join(" ")' "$T/g/provenance.json")" "grafana pyro true" \
	"provenance: Grafana mode and the gate"
done_testing
