# Allocation failure through the real binary (sanitizer build only): whole diffs in every
# output, a compare and a label listing against the emulator, each run again with the
# N-th allocation and every later one failing (main.c's test hook PD_TEST_ALLOC_FAIL_AT)
# for N = 1..PD_ALLOC_FULL (default 50) and a sample of the rest up to the count of a
# normal run (PD_ALLOC_SAMPLES more, default 25; PD_ALLOC_ALL=1 runs every N).
# Each run must either
#   - end with exit 5, one stderr line "profdiff: ...out of memory", nothing on stdout
#     and no output file or temporary file left; or
#   - succeed (exit 0) with the same stdout, stderr and files as the normal run (the
#     failing allocation was one the program can do without);
# and never die by a signal, a sanitizer report or a leak (LeakSanitizer's exit code).
# Exit 3/4 is not accepted: out of memory reported as bad input or no data names the
# wrong cause. libgvc (--svg), libcurl and libc allocate outside the hook.
. "$(dirname "$0")/lib.sh"
if ! grep -qa __asan_init "$PROFDIFF" 2>/dev/null; then
	echo "SKIP: allocation failure runs only in the sanitizer build (ASan+LSan)"
	finish
	exit
fi
F=$PD_FIXTURES
FULL=${PD_ALLOC_FULL:-50}
SAMPLES=${PD_ALLOC_SAMPLES:-25}
# Our own exit codes for sanitizer reports, so they cannot pass for exit 5.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=97
export LSAN_OPTIONS="suppressions=$PD_SRC/tests/lsan.supp:print_suppressions=0:exitcode=98"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=96
unset PD_TEST_ALLOC_FAIL_AT PD_TEST_ALLOC_COUNT PROFDIFF_URL PROFDIFF_TENANT_ID \
	PROFDIFF_DATASOURCE PROFDIFF_TOKEN PROFDIFF_USERNAME PROFDIFF_PASSWORD GRAFANA_URL \
	GRAFANA_ORG_ID GRAFANA_SERVICE_ACCOUNT_TOKEN NO_COLOR
O=$T/o     # output files of the run under test
REF=$T/ref # the normal run's
BAD=()     # "scenario at N: what" of every failing run
XFAIL=()   # the same for known defects
# Known defects (issue 10), each a regex over the failure line; remove an entry with
# its fix, so the fix is tested from then on.
KNOWN=(
	# libcgraph writes through a NULL from its memory discipline's open/alloc (agopen):
	# the arena (src/cgraph/arena.c arena_open) fails inside agread.
	'ASan SEGV in agopen'
	# An allocation failure in the HTTP body callback is reported as a fetch failure
	# (exit 3 "cannot reach ...: Failure writing output to destination"), src/fetch/http.c.
	'exit 3: .*Failure writing output to destination'
	# The warning line buffer fails and the warning is dropped silently, exit 0
	# (src/cli/pipeline.c, the warnings loop: "if (!line.failed) fputs").
	'exit 0 with a different stderr: > profdiff: warning:'
)

# Prints the N to try for a run of count allocations.
plan() {
	local count=$1 n k
	if [ "${PD_ALLOC_ALL:-0}" = 1 ] || [ "$count" -le $((FULL + SAMPLES)) ]; then
		seq 1 "$count"
		return
	fi
	seq 1 "$FULL"
	k=$(((count - FULL + SAMPLES - 1) / SAMPLES))
	for ((n = FULL + k; n <= count; n += k)); do echo "$n"; done
	[ $(((count - FULL) % k)) -eq 0 ] || echo "$count"
}

# What went wrong, in one line, from the sanitizer's report or the exit code.
what_failed() {
	local frame
	frame=$(grep -m1 -oE '#0 0x[0-9a-f]+ in [^ ]+' "$T/err" | sed 's/.* in //')
	if grep -q 'ERROR: LeakSanitizer' "$T/err"; then
		echo "leak: $(grep -m1 -A2 'Direct leak\|Indirect leak' "$T/err" | grep -oE 'in [^ ]+' | tr '\n' ' ')"
	elif grep -q 'ERROR: AddressSanitizer' "$T/err"; then
		echo "ASan $(grep -m1 -oE 'AddressSanitizer: [A-Za-z-]+' "$T/err" | cut -d' ' -f2) in ${frame:-?}"
	elif grep -q 'runtime error' "$T/err"; then
		echo "UBSan: $(grep -m1 -oE 'runtime error: .*' "$T/err")"
	elif [ "$RC" -gt 128 ]; then
		echo "signal $((RC - 128))"
	else
		echo "exit $RC: $(head -c 200 "$T/err" | head -1)"
	fi
}

# check NAME N: classifies the run just made; a failure is recorded in BAD, or in XFAIL
# when it matches a KNOWN defect.
check() {
	local why= k
	if [ "$RC" -eq 0 ]; then
		if ! cmp -s "$T/out" "$REF/stdout" || ! diff -r "$O" "$REF/o" >/dev/null; then
			why="exit 0 with different output"
		elif ! cmp -s "$T/err" "$REF/stderr"; then
			why="exit 0 with a different stderr: $(diff "$T/err" "$REF/stderr" | grep '^[<>]' | head -1 | cut -c1-80)"
		fi
	elif [ "$RC" -ne 5 ]; then
		why=$(what_failed)
	elif [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q '^profdiff: .*out of memory' "$T/err"; then
		why="exit 5 without one 'out of memory' line: $(head -1 "$T/err")"
	elif [ -s "$T/out" ]; then
		why="exit 5 with output on stdout"
	elif [ -n "$(ls -A "$O")" ]; then
		why="exit 5 left files: $(ls -A "$O" | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then
		pass
		return
	fi
	for k in "${KNOWN[@]}"; do
		if [[ $why =~ $k ]]; then
			XFAIL+=("$1 at N=$2: $why")
			return
		fi
	done
	BAD+=("$1 at N=$2: $why")
	FAILS=$((FAILS + 1))
}

# scenario NAME ARGS...: counts the allocations of a normal run, then fails each N.
scenario() {
	local name=$1 count n before xbefore
	shift
	rm -rf "$O" "$REF"
	mkdir -p "$O" "$REF"
	PD_TEST_ALLOC_COUNT=1 run "$@"
	count=$(sed -n 's/^profdiff: test: \([0-9]*\) allocations$/\1/p' "$T/err")
	if [ "$RC" -ne 0 ] || [ -z "$count" ]; then
		fail "$name: the normal run failed (exit $RC)"
		return
	fi
	grep -v '^profdiff: test: ' "$T/err" >"$REF/stderr"
	cp "$T/out" "$REF/stdout"
	mv "$O" "$REF/o"
	before=$FAILS
	xbefore=${#XFAIL[@]}
	for n in $(plan "$count"); do
		rm -rf "$O"
		mkdir -p "$O"
		PD_TEST_ALLOC_FAIL_AT=$n run "$@"
		check "$name" "$n"
	done
	echo "$name: $count allocations, $(plan "$count" | wc -l) runs, $((FAILS - before)) failed, $((${#XFAIL[@]} - xbefore)) known"
}

B=$F/cpu_base.dot
N=$F/cpu_new.dot
scenario "diff text" diff "$B" "$N"
scenario "diff json" diff --format json "$B" "$N"
scenario "diff markdown -o" diff --format markdown -o "$O/report.md" "$B" "$N"
scenario "diff --dot --svg -o" diff --dot "$O/d.dot" --svg "$O/d.svg" -o "$O/r.txt" "$B" "$N"
scenario "diff alloc lines" diff --granularity line --normalize total --format json \
	"$F/alloc_base.dot" "$F/alloc_new.dot"

# The emulator, as tests/emulator/lib.sh starts it.
EMU=$PD_BUILD/tests/emulator/pd_emulator
DATA=$PD_SRC/tests/emulator/data
if [ -x "$EMU" ]; then
	"$EMU" --port-file "$T/port" --base "$DATA/base.dot" --new "$DATA/new.dot" \
		--split 1777626000000 2>"$T/emu.err" &
	EMU_PID=$!
	trap 'kill $EMU_PID 2>/dev/null; wait $EMU_PID 2>/dev/null; rm -rf "$T"' EXIT
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	URL=http://127.0.0.1:$(cat "$T/port")
	TYPE=process_cpu:cpu:nanoseconds:cpu:nanoseconds
	scenario "compare json -o" compare --url "$URL" --type "$TYPE" \
		--from 2026-05-01T09:00:00Z --to 2026-05-01T10:00:00Z --format json -o "$O/c.json"
	scenario "labels" labels --url "$URL" --from 2026-05-01T09:00:00Z --to 2026-05-01T10:00:00Z
else
	fail "the emulator ($EMU) is not built"
fi

for b in "${XFAIL[@]}"; do echo "XFAIL (known): $b"; done
for b in "${BAD[@]}"; do echo "FAIL: $b" >&2; done
finish
