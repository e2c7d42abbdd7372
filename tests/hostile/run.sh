#!/usr/bin/env bash
# Hostile inputs (tests/hostile/gen.py) through the real binary, in every report format
# (big inputs in JSON only) and with every output file: each must end with its documented exit code and one error
# line, never a signal or a hang, never a partial or leftover output file, and where it
# succeeds, with the right numbers. Usage: run.sh PROFDIFF FIXTURES
set -u
PROFDIFF=$1
FIXTURES=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/pdhostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
python3 "$(dirname "$0")/gen.py" "$T/in" "$FIXTURES" >"$T/cases" || { echo "gen.py failed"; exit 1; }
PASSES=0
FAILS=0
fail() {
	echo "FAIL: $*" >&2
	echo "  stderr: $(head -c 300 "$T/err")" >&2
	FAILS=$((FAILS + 1))
}

check_numbers() { # check_numbers CHECK JSONFILE
	local j=$2
	case $1 in
	-) return 0 ;;
	rows\>=1) jq -e '.functions | length >= 1' "$j" >/dev/null ;;
	same-sum) jq -e '[.functions[] | select(.name == "main.same")][0] | .delta.flat == 0 and .base.flat == 100000000000' "$j" >/dev/null ;;
	no-change) jq -e '[.functions[] | .delta.flat, .delta.cum] | all(. == 0)' "$j" >/dev/null ;;
	no-raw-escape) ! LC_ALL=C grep -q $'\x1b\|\x07' "$T/o/report" ;;
	*) echo "unknown check $1"; return 1 ;;
	esac
}

while IFS='|' read -r name base new want needle check; do
	# Every format for small inputs; big ones (over 256 KB) in JSON only, the format
	# whose numbers are checked, to keep the sanitizer run short.
	formats="text json markdown"
	size=$(($(stat -L -c %s "$base" 2>/dev/null || echo 0) + $(stat -L -c %s "$new" 2>/dev/null || echo 0)))
	[ "$size" -gt 262144 ] && formats=json
	for fmt in $formats; do
		start=$(date +%s%N)
		rm -rf "$T/o" && mkdir "$T/o"
		extra=()
		[ "$fmt" = text ] && [ "$want" -eq 0 ] && extra=(--svg "$T/o/d.svg")
		timeout 120 "$PROFDIFF" diff --top 0 --format "$fmt" -o "$T/o/report" --dot "$T/o/d.dot" \
			"${extra[@]}" "$base" "$new" >"$T/out" 2>"$T/err"
		rc=$?
		what="$name ($fmt)"
		if [ "$rc" -eq 124 ]; then fail "$what: hangs (killed after 120 s)"; continue; fi
		if [ "$rc" -ge 128 ]; then fail "$what: killed by signal $((rc - 128))"; continue; fi
		if [ "$rc" -ne "$want" ]; then fail "$what: exit $rc, want $want"; continue; fi
		if [ -s "$T/out" ]; then fail "$what: stdout not empty"; continue; fi
		if [ "$want" -ne 0 ]; then
			if [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q '^profdiff: ' "$T/err" ||
				! grep -qiF -- "$needle" "$T/err"; then
				fail "$what: want one 'profdiff: ' line on stderr holding '$needle'"
				continue
			fi
			if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$T/err"); then
				fail "$what: raw control characters in the error line"
				continue
			fi
			if [ -n "$(ls -A "$T/o")" ]; then fail "$what: left files: $(ls -A "$T/o")"; continue; fi
		else
			if [ ! -s "$T/o/report" ] || [ ! -s "$T/o/d.dot" ]; then fail "$what: outputs missing"; continue; fi
			if [ "$fmt" = json ] && ! check_numbers "$check" "$T/o/report"; then
				fail "$what: numbers check '$check' failed"
				continue
			fi
			if [ "$fmt" = text ] && [ "$check" = no-raw-escape ] && ! check_numbers "$check" "$T/o/report"; then
				fail "$what: raw control characters in the text report"
				continue
			fi
		fi
		PASSES=$((PASSES + 1))
		[ -n "${PD_HOSTILE_TIMES:-}" ] && echo "$what $((($(date +%s%N) - start) / 1000000)) ms" >&2
	done
done <"$T/cases"
echo "hostile: $(wc -l <"$T/cases") cases, $((PASSES + FAILS)) runs"
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
