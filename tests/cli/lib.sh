# Shared helpers for the shell tests: run the real binary, capture its streams and exit
# code, and assert on them. Sourced by tests/cli/test_*.sh and tests/golden/test_*.sh.
set -u
# Reports are plain ASCII under a locale that is not UTF-8: the expectations are
# written in UTF-8, so the tests pin a UTF-8 locale (tests that want ASCII set LC_ALL=C).
export LC_ALL=C.UTF-8
: "${PROFDIFF:?set PROFDIFF to the profdiff binary}"
: "${PD_FIXTURES:?set PD_FIXTURES to the fixtures folder}"
T=$(mktemp -d "${TMPDIR:-/tmp}/pdtest.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
PASSES=0

# run ARGS...: runs profdiff, leaving $T/out, $T/err and $RC
run() {
	"$PROFDIFF" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

fail() {
	echo "FAIL: $*" >&2
	echo "  stdout: $(head -c 400 "$T/out")" >&2
	echo "  stderr: $(head -c 400 "$T/err")" >&2
	FAILS=$((FAILS + 1))
}
pass() { PASSES=$((PASSES + 1)); }

expect_rc() { # expect_rc CODE DESCRIPTION
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, want $1"; fi
}
expect_err_line() { # expect_err_line NEEDLE DESCRIPTION: exactly one stderr line, holding NEEDLE
	local n
	n=$(wc -l <"$T/err")
	if [ "$n" -eq 1 ] && grep -qF -- "$1" "$T/err" && grep -q '^profdiff: ' "$T/err"; then
		pass
	else
		fail "$2: want one stderr line with '$1'"
	fi
}
expect_out() { # expect_out NEEDLE DESCRIPTION
	if grep -qF -- "$1" "$T/out"; then pass; else fail "$2: stdout lacks '$1'"; fi
}
expect_no_out() {
	if [ ! -s "$T/out" ]; then pass; else fail "$1: stdout not empty"; fi
}
# have TOOL WHAT [deps]: true when TOOL runs. Else prints "SKIP: WHAT" so the skip is
# seen; with "deps" (tests/install-deps.sh installs TOOL) and CI=true, a missing tool
# is a failure instead, so CI never passes by skipping.
have() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${3:-}" = deps ] && [ "${CI:-}" = true ]; then
		echo "FAIL: $2: $1 is missing, and tests/install-deps.sh installs it" >&2
		FAILS=$((FAILS + 1))
	else
		echo "SKIP: $2 ($1 is not installed)"
	fi
	return 1
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
