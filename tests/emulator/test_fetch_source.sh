# compare --source: flamegraph JSON (exact), DOT, or auto (flamegraph when the server
# answers it, else DOT); --save-inputs keeps what was fetched.
. "$(dirname "$0")/lib.sh"

start_emu
export PROFDIFF_URL=$URL
for src in flamegraph dot auto; do
	rm -rf "$T/ev"
	: >"$LOG"
	run compare --type "$TYPE" "${NEW_WIN[@]}" --source "$src" --format json --save-inputs "$T/ev"
	expect_rc 0 "--source $src"
	want=json
	[ "$src" = dot ] && want=dot
	expect_true "--source $src keeps base.$want" test -s "$T/ev/base.$want"
	route=SelectMergeStacktraces
	[ "$src" = dot ] && route=render
	expect_eq "$(reqs "[.[] | select(.path | test(\"$route\"))] | length")" 2 "--source $src: two $route requests"
	jq -e '.functions | length > 0' "$OUT" >/dev/null && ok "--source $src: a diff" || bad "--source $src: no rows"
done
# An old server without the flamegraph route: auto falls back to DOT.
start_emu --fault status --fault-status 404 --fault-count -1 --fault-route SelectMergeStacktraces
export PROFDIFF_URL=$URL
rm -rf "$T/ev"
run compare --type "$TYPE" "${NEW_WIN[@]}" --save-inputs "$T/ev"
expect_rc 0 "auto against a server without flamegraphs"
expect_true "auto fell back to DOT" test -s "$T/ev/base.dot"
run compare --type "$TYPE" "${NEW_WIN[@]}" --source flamegraph
expect_rc 3 "--source flamegraph against a server without it"
done_testing
