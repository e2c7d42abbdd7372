#!/usr/bin/env bash
# The whole test suite, from scratch: installs missing packages, then builds and runs
# ctest twice, once as shipped (-Werror) and once under AddressSanitizer+UBSan; then the
# CLI tests under valgrind (release build) and every fuzz harness for FUZZ_SECONDS
# (default 60) each (clang build).
set -euo pipefail
cd "$(dirname "$0")/.."
tests/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for cfg in release sanitize; do
	dir=build-test-$cfg
	rm -rf "$dir"
	case $cfg in
	# The release build also builds bench/ and smoke-tests its harness.
	release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPD_BENCH=ON) ;;
	sanitize) flags=(-DCMAKE_BUILD_TYPE=Debug -DPD_SANITIZE=ON -DPD_BENCH=OFF) ;;
	esac
	echo "== $cfg build" >&2
	cmake -S . -B "$dir" "${flags[@]}" -DPD_WERROR=ON >/dev/null
	cmake --build "$dir" -j"$jobs"
	echo "== $cfg tests" >&2
	ctest --test-dir "$dir" --output-on-failure -j"$jobs"
done
# Both run to the end, so one report shows every failure.
status=0
echo "== valgrind (release build)" >&2
tests/valgrind/run.sh build-test-release || status=1
echo "== fuzz (clang, ${FUZZ_SECONDS:-60} s per harness)" >&2
rm -rf build-test-fuzz
FUZZ_BUILD=$PWD/build-test-fuzz FUZZ_JOBS=$jobs tests/fuzz/run_all.sh || status=1
exit $status
