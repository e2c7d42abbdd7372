# Output files and streams: --dot/--svg/-o written whole or not at all, SVG and DOT valid
# for graphviz, color only on a terminal and never with NO_COLOR (flags override).
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES
B=$F/cpu_base.dot
N=$F/cpu_new.dot

run diff -q --dot "$T/d.dot" --svg "$T/d.svg" -o "$T/report.txt" "$B" "$N"
expect_rc 0 "all outputs"
expect_no_out "report goes to -o, not stdout"
grep -q '^digraph' "$T/d.dot" && pass || fail "DOT written"
grep -q '<svg' "$T/d.svg" && grep -q '</svg>' "$T/d.svg" && pass || fail "SVG written whole"
grep -q 'main.parseRecords' "$T/report.txt" && pass || fail "report written to -o"
if have dot "the diff DOT renders with graphviz's dot" deps; then
	dot -Tsvg "$T/d.dot" -o /dev/null 2>"$T/dotwarn"
	[ $? -eq 0 ] && [ ! -s "$T/dotwarn" ] && pass || fail "dot -Tsvg renders without warnings: $(head -c 300 "$T/dotwarn")"
fi
ls "$T" | grep -q '\.tmp\.' && fail "temporary files left behind" || pass

# A failed run leaves existing files untouched and no temporary files.
echo "keep me" >"$T/keep.dot"
echo "keep me" >"$T/keep.svg"
run diff --dot "$T/keep.dot" --svg "$T/keep.svg" "$B" "$F/edge/unknown_unit.dot"
expect_rc 3 "bad input with outputs"
[ "$(cat "$T/keep.dot")" = "keep me" ] && [ "$(cat "$T/keep.svg")" = "keep me" ] && pass || fail "outputs clobbered by a failed run"
# One output cannot be written: none is.
run diff --dot "$T/keep.dot" --svg "$T/no/such/dir/x.svg" "$B" "$N"
expect_rc 5 "unwritable output"
expect_err_line "$T/no/such/dir/x.svg" "unwritable output named"
[ "$(cat "$T/keep.dot")" = "keep me" ] && pass || fail "--dot replaced although --svg failed"
ls "$T" | grep -q '\.tmp\.' && fail "temporary files left behind after failure" || pass

# Color: never on a pipe; on a terminal unless NO_COLOR; flags override both.
esc=$(printf '\033[')
run diff "$B" "$N"
grep -qF "$esc" "$T/out" && fail "color on a pipe" || pass
run diff --color always "$B" "$N"
grep -qF "$esc" "$T/out" && pass || fail "--color always"
if ! script -qec true /dev/null >/dev/null 2>&1; then
	echo "SKIP: color on a terminal (script(1) cannot run a pseudo-terminal here)"
else
	NO_COLOR= script -qec "'$PROFDIFF' diff -q '$B' '$N'" /dev/null >"$T/tty" 2>&1
	grep -qF "$esc" "$T/tty" && pass || fail "color on a terminal"
	NO_COLOR=1 script -qec "'$PROFDIFF' diff -q '$B' '$N'" /dev/null >"$T/tty" 2>&1
	grep -qF "$esc" "$T/tty" && fail "color despite NO_COLOR" || pass
	NO_COLOR=1 script -qec "'$PROFDIFF' diff -q --color always '$B' '$N'" /dev/null >"$T/tty" 2>&1
	grep -qF "$esc" "$T/tty" && pass || fail "--color always overrides NO_COLOR"
	script -qec "'$PROFDIFF' diff -q --no-color '$B' '$N'" /dev/null >"$T/tty" 2>&1
	grep -qF "$esc" "$T/tty" && fail "--no-color on a terminal" || pass
fi
run diff --format json "$B" "$N"
grep -qF "$esc" "$T/out" && fail "color in JSON" || pass

# Warnings go to stderr, -q silences them; reports never go to stderr.
run diff "$B" "$N"
grep -q 'warning' "$T/err" && pass || fail "trimmed inputs warn on stderr"
run diff -q "$B" "$N"
[ -s "$T/err" ] && fail "-q leaves stderr empty" || pass

# Names with quotes, backslashes, <> and newlines survive into valid DOT and SVG.
run diff -q --dot "$T/esc.dot" --svg "$T/esc.svg" "$F/edge/escapes.dot" "$F/edge/escapes.dot"
expect_rc 0 "escapes"
if have dot "escaped names render with graphviz's dot" deps; then
	dot -Tsvg "$T/esc.dot" -o /dev/null 2>"$T/dotwarn" && [ ! -s "$T/dotwarn" ] && pass || fail "escaped names render: $(head -c 300 "$T/dotwarn")"
fi

# A 1 MiB function name (libcgraph's FILE reader stops at 16 KiB strings) parses, keeps
# its full length in JSON, and still gives a graph that graphviz lays out.
run diff -q --format json --top 0 --dot "$T/long.dot" --svg "$T/long.svg" "$F/edge/long_name.dot" "$F/edge/long_name.dot"
expect_rc 0 "1 MiB name"
if have jq "1 MiB name kept whole in JSON" deps; then
	len=$(jq -r '[.functions[].name | length] | max' "$T/out")
	[ "${len:-0}" -gt 1000000 ] && pass || fail "1 MiB name kept whole in JSON (longest $len)"
fi
grep -q '<svg' "$T/long.svg" && pass || fail "1 MiB name renders to SVG"
finish
