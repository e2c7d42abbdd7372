# Label values that hold terminal escape sequences are shown escaped in text output and
# kept exact (JSON-escaped) with --json.
. "$(dirname "$0")/lib.sh"

start_emu
export PROFDIFF_URL=$URL
run values hostname "${BASE_WIN[@]}"
expect_rc 0 "values with control characters"
expect_true "no raw ESC or BEL on stdout" bash -c "! LC_ALL=C grep -q \$'\\x1b\\|\\x07' '$OUT'"
expect_in "$OUT" '^\\x1b\]0;pwned\\x07\\x1b\[31mred$' "control characters shown as \\xNN"
run values hostname "${BASE_WIN[@]}" --json
expect_eq "$(jq -r '.[1]' "$OUT" | od -An -c | tr -s ' ' | head -1)" "$(printf '\033]0;pwned\a\033[31mred\n' | od -An -c | tr -s ' ' | head -1)" "--json keeps the exact value"
done_testing
