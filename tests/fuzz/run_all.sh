#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan, -DPD_FUZZ=ON) in their own build
# folder and runs each for FUZZ_SECONDS (default 60), one after the other, from a fresh
# corpus seeded by the fixtures and tests/fuzz/seeds/. Prints one summary line per
# harness; exits 1 when any found a crash, a leak, a timeout or ran out of memory (the
# input is kept under $FUZZ_BUILD/artifacts/: add it to tests/fuzz/regressions/).
# Environment: FUZZ_SECONDS, FUZZ_BUILD (default build-fuzz), FUZZ_ONLY (names to run),
# FUZZ_JOBS (build parallelism, default 2).
set -uo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
secs=${FUZZ_SECONDS:-60}
dir=${FUZZ_BUILD:-$src/build-fuzz}
harnesses=(fuzz_parse fuzz_parse_arena fuzz_prepass fuzz_value fuzz_time fuzz_connect fuzz_gatefile
	fuzz_exact)
[ -n "${FUZZ_ONLY:-}" ] && read -ra harnesses <<<"$FUZZ_ONLY"
command -v clang >/dev/null || { echo "run_all.sh: clang is required (tests/install-deps.sh)" >&2; exit 1; }

echo "== fuzz build ($dir)" >&2
CC=clang cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DPD_SANITIZE=ON -DPD_FUZZ=ON \
	-DPD_BENCH=OFF -DPD_TESTS=ON -DPD_WERROR=ON >/dev/null || exit 1
cmake --build "$dir" -j"${FUZZ_JOBS:-2}" --target "${harnesses[@]}" >/dev/null || {
	cmake --build "$dir" -j1 --target "${harnesses[@]}" 2>&1 | grep -E 'error' | head -20 >&2
	exit 1
}

# Leaks are failures; libcgraph's arena and libgvc's caches are not ours (tests/lsan.supp).
# -fsanitize=fuzzer handles crashes itself: no abort_on_error (it would skip the artifact).
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export LSAN_OPTIONS="suppressions=$src/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
command -v llvm-symbolizer >/dev/null && export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)

# seed NAME CORPUS: fills a fresh corpus folder.
seed() {
	local c=$2 f i=0
	rm -rf "$c"
	mkdir -p "$c"
	case $1 in
	fuzz_parse | fuzz_parse_arena | fuzz_prepass)
		# Fixture names repeat across folders: prefix a counter.
		# Up to -max_len: a longer seed would be cut, mostly into a syntax error.
		for f in $(find fixtures -name '*.dot' -size -64k) tests/fuzz/regressions/*.dot; do
			cp "$f" "$c/$((i++))-$(basename "$f")"
		done
		;;
	fuzz_exact)
		# pprof protobuf and flamegraph fixtures, small ones (-max_len).
		for f in $(find fixtures -name '*.pb.gz' -size -64k) $(find fixtures -name '*.json' -size -64k) \
			tests/fuzz/regressions_exact/*; do
			[ -f "$f" ] && cp "$f" "$c/$((i++))-$(basename "$f")"
		done
		;;
	fuzz_value)
		cp tests/fuzz/seeds/value/* "$c/"
		# Every distinct value printed in the fixtures' labels.
		grep -ohE '[-+]?[0-9]+(\.[0-9]+)?([a-zA-Z*µ]+)?' fixtures/*.dot | sort -u | head -300 |
			while IFS= read -r v; do printf '%s' "$v" >"$c/fx$((i++))"; done
		;;
	*)
		cp tests/fuzz/seeds/"${1#fuzz_}"/* "$c/"
		;;
	esac
	cp tests/fuzz/regressions/"${1#fuzz_}"/* "$c/" 2>/dev/null || true
}

dict_for() {
	case $1 in
	fuzz_parse | fuzz_parse_arena | fuzz_prepass) echo tests/fuzz/dot.dict ;;
	fuzz_value | fuzz_time) echo tests/fuzz/value.dict ;;
	*) echo tests/fuzz/json.dict ;;
	esac
}

# Deterministic in CI: a fixed seed and a cap on the runs, so a CI run tries a prefix of
# the inputs a local run with the same settings tried (a faster machine stops at the cap,
# a slower one at the time limit) and cannot fail on an input nobody has seen. Set
# FUZZ_SEED=0 (a random seed) and FUZZ_RUNS=-1 for open-ended fuzzing.
runs_for() {
	if [ -n "${FUZZ_RUNS:-}" ]; then echo "$FUZZ_RUNS"; return; fi
	case $1 in
	fuzz_prepass) echo 8000 ;; # three parses an input: about 9,000 fit in 60 s here
	fuzz_parse | fuzz_parse_arena | fuzz_exact) echo 20000 ;;
	*) echo 500000 ;;
	esac
}

failed=0
mkdir -p "$dir/artifacts" "$dir/logs"
for h in "${harnesses[@]}"; do
	corpus=$dir/corpus/$h
	log=$dir/logs/$h.log
	seed "$h" "$corpus"
	nseeds=$(find "$corpus" -type f | wc -l)
	# The arena parse leaks libcdt's headers by design (tests/lsan.supp): every input
	# would look like a leak to libFuzzer, which then reruns it under a full leak check.
	# Those harnesses fuzz without, then replay the corpus once with leak checks.
	leaks=1
	case $h in fuzz_parse_arena | fuzz_prepass) leaks=0 ;; esac
	# -timeout: one input taking 25 s is a hang; -rss_limit_mb: libFuzzer's own cap.
	"$dir/tests/fuzz/$h" -max_total_time="$secs" -runs="$(runs_for "$h")" \
		-seed="${FUZZ_SEED:-1}" -timeout=25 -rss_limit_mb=2560 \
		-max_len=65536 -dict="$(dict_for "$h")" -print_final_stats=1 -detect_leaks=$leaks \
		-artifact_prefix="$dir/artifacts/$h-" "$corpus" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$leaks" -eq 0 ]; then
		"$dir/tests/fuzz/$h" -runs=0 -timeout=25 -artifact_prefix="$dir/artifacts/$h-" \
			"$corpus" >>"$log" 2>&1
		rc=$?
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -1)
	size=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "ok   $h: ${runs:-?} runs (at most ${secs}s), corpus $nseeds -> $size inputs"
	else
		failed=1
		art=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/.* to //')
		what=$(grep -m1 -oE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: .*|fuzz_[a-z_]+: .*" "$log")
		echo "FAIL $h: exit $rc, ${what:-see $log}; input: ${art:-none}"
		grep -m1 -A12 -E "ERROR: |runtime error|^fuzz_" "$log" | sed 's/^/    /'
	fi
done
exit $failed
