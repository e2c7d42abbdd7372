#!/usr/bin/env bash
# ctest's check that the benchmark harness runs end to end (not a speed test): a tiny
# generated pair, one run of each tool, the compare measurement against the emulator,
# and every table in results.md. Usage: smoke_test.sh BUILD_BENCH_DIR PROFDIFF EMULATOR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 profdiff=$2 emulator=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/pd_bench_smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$here/run.py" --profdiff "$profdiff" --phases "$bin/phases" --bare "$bin/bare_read" \
	--emulator "$emulator" --work "$work" --sizes 200,400 --reps 1 \
	--compare-delay-ms 200 --compare-reps 1 >"$work/out.md" 2>"$work/err.txt" ||
	{ cat "$work/err.txt"; exit 1; }
fail=0
for want in "| 400 | " "bare libcgraph read x2" "profdiff diff (json+dot+svg)" "### Ratios" \
	"| diff_new |" "### Growth" "### compare: two windows" "profdiff compare (two windows"; do
	grep -qF -- "$want" "$work/results.md" || { echo "results.md lacks: $want"; fail=1; }
done
# Peak RSS comes from rss_run, not Python's floor: cat must read well under 10 MB.
awk -F'|' '$4 ~ /^ cat $/ { split($7, a, " "); exit !(a[1] + 0 < 10) }' "$work/results.md" ||
	{ echo "cat's peak RSS is not its own"; fail=1; }
[ "$fail" -eq 0 ] && echo "bench harness: ok"
exit "$fail"
