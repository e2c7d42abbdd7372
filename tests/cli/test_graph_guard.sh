# The SVG node-count guard: a diff graph over 1000 nodes is not laid out. The report
# and --dot are still written, the SVG is not (an old one stays), exit 2 with a message
# naming --nodes and --focus; within the limit the SVG is rendered.
. "$(dirname "$0")/lib.sh"

# A pprof-style pair of 1100 functions, each calling the next; NEW doubles every flat.
big() { # big FILE SCALE
	{
		echo 'digraph "unnamed" {'
		echo 'subgraph cluster_L { "Type: cpu" [shape=box label="Type: cpu\l"] }'
		for i in $(seq 1 1100); do
			echo "N$i [label=\"f$i\\n$(($2 * 10))ms\" tooltip=\"main.f$i ($(($2 * 10))ms)\"]"
		done
		for i in $(seq 1 1099); do
			echo "N$i -> N$((i + 1)) [label=\" 10ms\"]"
		done
		echo '}'
	} >"$1"
}
big "$T/base.dot" 1
big "$T/new.dot" 2

echo "keep me" >"$T/g.svg"
run diff -q --nodes 0 --top 3 -o "$T/report.txt" --dot "$T/g.dot" --svg "$T/g.svg" "$T/base.dot" "$T/new.dot"
expect_rc 2 "--nodes 0 on 1100 functions with --svg"
expect_err_line "the diff graph has 1100 nodes, too many to lay out (at most 1000); narrow it with --nodes N (N <= 1000) or --focus REGEX" "the refusal says how to narrow the graph"
grep -q 'main.f' "$T/report.txt" && pass || fail "the report is written although the SVG is refused"
grep -q '^digraph' "$T/g.dot" && [ "$(grep -c '^N[0-9]* \[label' "$T/g.dot")" = 1100 ] && pass || fail "--dot is written whole"
[ "$(cat "$T/g.svg")" = "keep me" ] && pass || fail "the refused SVG left the old file alone"
ls "$T" | grep -q '\.tmp\.' && fail "temporary files left behind" || pass

run diff -q --nodes 0 --top 3 "$T/base.dot" "$T/new.dot"
expect_rc 0 "no --svg: no guard"
expect_out "main.f" "report on stdout"

run diff -q --nodes 40 --svg "$T/g.svg" "$T/base.dot" "$T/new.dot"
expect_rc 0 "within the limit"
grep -q '</svg>' "$T/g.svg" && pass || fail "SVG rendered within the limit"
finish
