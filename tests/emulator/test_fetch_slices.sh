# compare --slices: each window cut into K equal slices, 2K renders with the right
# windows, never more than --parallel in flight (the emulator logs each request's start
# and end), K = 10 by default with a gate option, the gate over the slices; one slice
# failing fails the command (exit 3) and writes nothing.
. "$(dirname "$0")/lib.sh"
# --source dot throughout: slices are counted as render requests (test_fetch_source.sh
# covers --source).

renders() { jq -s '[.[] | select(.path == "/pyroscope/render")]' "$LOG"; }
# Most requests in flight at once: for each start, the requests running then.
max_in_flight() {
	renders | jq '[.[] as $r | [.[] | select(.t0 <= $r.t0 and $r.t0 < .t1)] | length] | max'
}
# "from-until" of every render, sorted numerically by start.
windows() { renders | jq -r 'sort_by(.query.from | tonumber) | [.[] | .query.from + "-" + .query.until] | join(",")'; }
expected_windows() { # expected_windows K: both 1 h windows cut into K slices
	local k=$1 i s=1777622400000 len=$((3600000 / $1)) out=()
	for i in $(seq 0 $((2 * k - 1))); do
		out+=("$((s + i * len))-$((s + (i + 1) * len))")
	done
	local IFS=,
	echo "${out[*]}"
}

start_emu --delay-ms 300
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --slices 5 --parallel 3 --fail-on-increase 10 --min-delta 1us \
	--junit "$T/junit.xml"
expect_rc 1 "sliced compare finds the regression"
expect_eq "$(renders | jq length)" 10 "2K = 10 renders"
expect_eq "$(windows)" "$(expected_windows 5)" "each window cut into 5 equal slices"
inflight=$(max_in_flight)
expect_true "never more than 3 in flight (saw $inflight)" test "$inflight" -le 3
expect_true "the pool runs fetches concurrently (saw $inflight)" test "$inflight" -ge 2
expect_in "$OUT" "^verdict: regression: 1 violation" "verdict first"
expect_in "$OUT" "violation: increase: main\.compress \+694\.44us/s \(\+166\.7%\)" "values per second of window"
expect_in "$OUT" "5\+5 profiles" "five slices per side"
expect_in "$OUT" "per second of each slice's window" "normalisation stated"
expect_not_in "$ERR" "fetched" "no progress line when stderr is not a terminal"
expect_true "JUnit written" test -s "$T/junit.xml"

start_emu
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --fail-on-increase 10 --parallel 1 --format json
expect_rc 1 "gate option: 10 slices by default"
expect_eq "$(renders | jq length)" 20 "2K = 20 renders"
expect_eq "$(windows)" "$(expected_windows 10)" "10 equal slices per window"
expect_eq "$(max_in_flight)" 1 "--parallel 1: one at a time"
expect_eq "$(jq -r '.mode + " " + .verdict + " " + (.base.profiles | length | tostring) + " " + .per_second_of' "$OUT")" \
	"samples regression 10 window" "JSON samples report, per second of window"

start_emu
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}"
expect_rc 0 "no gate option: one pair, as before"
expect_eq "$(renders | jq length)" 2 "two renders without a gate"
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --slices 3 --save-inputs "$T/saved" -o "$T/r.txt"
expect_rc 0 "--save-inputs with slices"
expect_eq "$(cd "$T/saved" && echo *)" \
	"base.01.dot base.02.dot base.03.dot new.01.dot new.02.dot new.03.dot provenance.json" \
	"one DOT per slice and the provenance"
expect_eq "$(jq -r '[.slices, (.baseline.slices | length), .new.slices[2].file, .new.slices[2].from, .new.to] | map(tostring) | join(" ")' "$T/saved/provenance.json")" \
	"3 3 new.03.dot 2026-05-01T09:40:00Z 2026-05-01T10:00:00Z" "provenance lists each slice's window and file"
cmp -s "$T/saved/new.03.dot" "$PD_EMU_DATA/new.dot" && ok "a saved slice is the DOT the server sent" || bad "saved slice differs from the served DOT"
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --slices 4 --parallel 0
expect_rc 2 "--parallel 0"

# On a terminal, a progress line on stderr (script(1) gives the command a pty).
if command -v script >/dev/null; then
	script -qec "$PROFDIFF compare --type $TYPE ${NEW_WIN[*]} --slices 3 --fail-on-increase 10 -o $T/tty-report.txt" \
		/dev/null >"$T/tty.out" 2>&1
	expect_in "$T/tty.out" "profdiff: fetched 6/6 profiles" "progress line on a terminal"
	expect_true "report written with a progress line" test -s "$T/tty-report.txt"
else
	echo "SKIP: progress line (script is not installed)"
fi

# One slice failing: exit 3, the slice named, nothing written.
start_emu --fault status --fault-status 400 --fault-count 1 --fault-route render --delay-ms 50
export PROFDIFF_URL=$URL
run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --slices 4 --fail-on-increase 10 -o "$T/report.txt" \
	--junit "$T/junit-fail.xml"
expect_rc 3 "one failed slice fails the command"
expect_one_line "failed slice"
expect_in "$ERR" "^profdiff: (baseline|problem window) slice [0-9]/4: .*HTTP 400" "the failed slice is named"
expect_true "no report written" test ! -e "$T/report.txt"
expect_true "no JUnit written" test ! -e "$T/junit-fail.xml"
expect_eq "$(wc -c <"$OUT" | tr -d ' ')" 0 "nothing on stdout"
expect_true "no more than 2K requests" test "$(renders | jq length)" -le 8

done_testing
