#!/usr/bin/env bash
# The CLI and golden tests again, with profdiff under valgrind memcheck: no invalid
# access, no use of uninitialised memory, no definite leak beyond the commented
# suppressions in profdiff.supp. Meant for the release build (ASan builds cannot run
# under valgrind). Usage: tests/valgrind/run.sh BUILD_DIR. Exits 1 on any failed test
# or any valgrind report (the reports are printed).
# Not rerun here: test_install.sh, test_lazy_libs.sh and test_library_quiet.sh inspect
# files (the installed tree, the ELF, the library's symbols), not runs; test_alloc_fail.sh
# needs the sanitizer build. VALGRIND_TESTS="tests/cli/x.sh ..." runs only those.
set -uo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
build=$(cd "${1:?usage: tests/valgrind/run.sh BUILD_DIR}" && pwd)
bin=$build/profdiff
[ -x "$bin" ] || { echo "valgrind: no profdiff in $build" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind: not installed (tests/install-deps.sh)" >&2; exit 1; }
if grep -qa __asan_init "$bin"; then
	echo "valgrind: $bin is a sanitizer build; use the release build" >&2
	exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/pdvalgrind.XXXXXX")
trap '[ "${failed:-1}" -eq 0 ] && rm -rf "$W" || echo "valgrind: logs kept in $W/logs"' EXIT
mkdir -p "$W/logs" "$W/tmp"
# One log per process: the tests' own stderr checks stay meaningful, and an error is
# seen even where a test ignores the exit code.
# --track-origins doubles the run time: VALGRIND_ORIGINS=1 when reading a report.
origins=
[ "${VALGRIND_ORIGINS:-0}" = 1 ] && origins=--track-origins=yes
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--show-leak-kinds=definite $origins --num-callers=30
	--suppressions="$src/tests/valgrind/profdiff.supp")
printf '#!/bin/sh\nexec %s --log-file=%q %q "$@"\n' "$(printf '%q ' "${vg[@]}")" \
	"$W/logs/vg.%p.log" "$bin" >"$W/profdiff"
chmod +x "$W/profdiff"

# The wrapper can fail: a program with a definite leak and a read after free must give
# valgrind's exit code and a report.
printf '#include <stdlib.h>\nint main(void) { char *p = malloc(8), *q = malloc(4);\n'\
'free(q); p = 0; return q[0] == 42 && !p; }\n' >"$W/bad.c"
if cc -g -O0 -o "$W/bad" "$W/bad.c" 2>/dev/null; then
	"${vg[@]}" --log-file="$W/bad.log" "$W/bad"
	rc=$?
	if [ "$rc" -ne 99 ] || ! grep -q 'Invalid read' "$W/bad.log" || ! grep -q 'definitely lost' "$W/bad.log"; then
		echo "FAIL valgrind self-check: a leak and a read after free gave exit $rc" >&2
		exit 1
	fi
	echo "ok   valgrind self-check: a leak and a read after free are caught"
fi

export PROFDIFF=$W/profdiff PD_SRC=$src PD_FIXTURES=$src/fixtures PD_TMP=$W/tmp PD_BUILD=$build
export PD_LIB=$build/libprofdiff.a
failed=0
tests=(tests/cli/test_exit_codes.sh tests/cli/test_options.sh tests/cli/test_outputs.sh
	tests/golden/test_golden.sh)
[ -n "${VALGRIND_TESTS:-}" ] && read -ra tests <<<"$VALGRIND_TESTS"
for t in "${tests[@]}"; do
	start=$(date +%s)
	if bash "$t" >"$W/out" 2>&1; then
		echo "ok   valgrind $t ($(($(date +%s) - start)) s): $(tail -1 "$W/out")"
	else
		failed=1
		echo "FAIL valgrind $t:"
		grep -E 'FAIL|SKIP' "$W/out" | head -20 | sed 's/^/    /'
	fi
done
reports=0
for log in "$W"/logs/vg.*.log; do
	[ -s "$log" ] || continue
	reports=$((reports + 1))
	echo "== valgrind report ($log):"
	head -60 "$log"
done
[ "$reports" -eq 0 ] || { echo "valgrind: $reports process(es) with reports"; failed=1; }
echo "valgrind: $(ls "$W"/logs | wc -l) runs of profdiff, $reports with reports"
exit $failed
