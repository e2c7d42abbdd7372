# The bundle's report.html in a real headless Chromium: it loads with no console error
# and makes no network request (a recording proxy is Chromium's only way out; a control
# page proves both detectors fire), the graph is visible in a screenshot (rows of the
# graph's region hold far more ink than the same page with the SVG emptied), and the table
# sorts (#sort=delta / #sort=-delta, read back from --dump-dom). Skipped with a notice
# when Chromium is absent; CI installs it (tests/install-deps.sh) and fails without it.
. "$(dirname "$0")/../cli/lib.sh"
HERE=$(dirname "$0")
CHROMIUM=${PD_CHROMIUM:-chromium}
have "$CHROMIUM" "the HTML page in a headless Chromium" deps || { finish; exit; }
have python3 "the HTML page in a headless Chromium" deps || { finish; exit; }

"$PROFDIFF" diff --bundle "$T/b" "$PD_FIXTURES/cpu_base.full.dot" "$PD_FIXTURES/cpu_new.full.dot" \
	>/dev/null 2>"$T/err" || fail "diff --bundle"
PAGE=$T/b/report.html

python3 "$HERE/page.py" proxy "$T/port" "$T/requests" &
PROXY=$!
trap 'kill $PROXY 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "the recording proxy did not start"

# chrome OUTFILE ARGS...: one headless run; stderr (with the console) in OUTFILE.err.
chrome() {
	local out=$1
	shift
	timeout 120 "$CHROMIUM" --headless=new --disable-gpu --no-sandbox --no-first-run \
		--user-data-dir="$T/profile" --enable-logging=stderr --v=0 \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-default-apps --no-pings --disable-domain-reliability \
		--proxy-server="http://127.0.0.1:$(cat "$T/port")" --proxy-bypass-list='<-loopback>' \
		--host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' "$@" >"$out" 2>"$out.err"
}
console() { grep -E ':CONSOLE' "$1.err"; }
# The requests the page made: Chromium's own calls home (time, component updates),
# which the flags above do not all silence, are left out; the page names no host.
page_requests() {
	grep -Ev '^[A-Z]+ (https?://)?[^/ ]*\.(google\.com|googleapis\.com|gvt1\.com)[:/ ]' \
		"$T/requests" 2>/dev/null
}

# The detectors work: a page with a script error and an image from the network.
printf '<!DOCTYPE html><img src="http://example.invalid/x.png"><script>nope();</script>' >"$T/control.html"
chrome "$T/control" --dump-dom "file://$T/control.html"
console "$T/control" | grep -q nope && pass || fail "a console error goes unseen (control page)"
page_requests | grep -q example.invalid && pass || fail "a network request goes unseen (control page)"
: >"$T/requests"

# The page: no console message at all, no request.
chrome "$T/dom" --dump-dom "file://$PAGE"
[ -s "$T/dom" ] && pass || fail "no DOM dumped"
if console "$T/dom" >"$T/console"; then fail "console messages: $(head -c 400 "$T/console")"; else pass; fi
page_requests >"$T/reqs" && fail "network requests: $(head -c 400 "$T/reqs")" || pass
# ... and its text names nothing on the network to load.
grep -Eo '(src|href|action)="[^"]*"' "$PAGE" >"$T/refs"
[ -s "$T/refs" ] && fail "the page references: $(head -c 300 "$T/refs")" || pass

# Sorting from the URL: ascending and descending by the delta, read back from the DOM.
python3 "$HERE/page.py" order "$T/dom" delta >"$T/unsorted"
chrome "$T/asc" --dump-dom "file://$PAGE#sort=delta"
python3 "$HERE/page.py" order "$T/asc" delta >"$T/asc.v"
chrome "$T/desc" --dump-dom "file://$PAGE#sort=-delta"
python3 "$HERE/page.py" order "$T/desc" delta >"$T/desc.v"
[ "$(wc -l <"$T/asc.v")" -eq 106 ] && pass || fail "sorted table has $(wc -l <"$T/asc.v") rows, want 106"
sort -g "$T/unsorted" | cmp -s - "$T/asc.v" && pass || fail "#sort=delta is not ascending"
sort -gr "$T/unsorted" | cmp -s - "$T/desc.v" && pass || fail "#sort=-delta is not descending"
cmp -s "$T/unsorted" "$T/asc.v" && fail "the ranked order is already ascending: the test proves nothing" || pass

# The graph is visible: ink in the graph's rows, against the page with its SVG emptied.
python3 "$HERE/page.py" nosvg "$PAGE" "$T/b/nosvg.html"
chrome "$T/shot" --hide-scrollbars --window-size=1400,2000 --screenshot="$T/shot.png" "file://$PAGE"
chrome "$T/ctl" --hide-scrollbars --window-size=1400,2000 --screenshot="$T/ctl.png" "file://$T/b/nosvg.html"
if [ -s "$T/shot.png" ] && [ -s "$T/ctl.png" ]; then
	with=$(python3 "$HERE/page.py" pixels "$T/shot.png" 420 980)
	without=$(python3 "$HERE/page.py" pixels "$T/ctl.png" 420 980)
	[ "$with" -gt $((without + 20000)) ] && pass ||
		fail "graph not visible: $with inked pixels with the SVG, $without without"
else
	fail "no screenshot"
fi
page_requests >"$T/reqs" && fail "network requests while rendering: $(head -c 300 "$T/reqs")" || pass
finish
