# Nothing from outside reaches the terminal raw: a file name (or any text quoted in an
# error) with control characters is shown escaped, on one line.
. "$(dirname "$0")/lib.sh"

bad="$T/a"$'\033]0;pwned\a\033[31m\nred.dot'
printf 'digraph x {}\n' >"$bad"
run diff "$bad" "$PD_FIXTURES/cpu_base.dot"
expect_rc 3 "a file name with ESC, BEL and a newline"
if LC_ALL=C grep -q $'\x1b\|\x07' "$T/err"; then fail "raw control characters on stderr"; else pass; fi
expect_err_line '\x1b]0;pwned\x07\x1b[31m red.dot' "the name shown escaped, on one line"
finish
