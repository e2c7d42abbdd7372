# Plain ASCII reports when the locale is not UTF-8 (LC_ALL=C): no byte >= 0x80 in the
# text or Markdown report, the report's own characters spelled in ASCII, input names'
# UTF-8 as \xNN; under a UTF-8 locale the report keeps its characters.
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES
sed 's/main\.parseRecords/main.parseR\xc3\xa9cords/g' "$F/cpu_new.full.dot" >"$T/utf8.dot"

high() { LC_ALL=C grep -c -P '[\x80-\xff]' "$1"; }

for fmt in text markdown; do
	LC_ALL=C "$PROFDIFF" diff --format $fmt "$F/cpu_base.full.dot" "$T/utf8.dot" >"$T/out" 2>"$T/err"
	RC=$?
	expect_rc 0 "LC_ALL=C $fmt"
	[ "$(high "$T/out")" = 0 ] && pass || fail "LC_ALL=C $fmt report has bytes >= 0x80"
	expect_out 'main.parseR\xc3\xa9cords' "LC_ALL=C $fmt: a UTF-8 name as \\xNN"
done
LC_ALL=C "$PROFDIFF" diff "$F/cpu_base.full.dot" "$F/cpu_new.full.dot" >"$T/out" 2>"$T/err"
expect_out "total:       4.19s -> 5.54s" "LC_ALL=C: the arrow in ASCII"
expect_out "rank   dflat       d%" "LC_ALL=C: the delta sign in ASCII, columns aligned"
LC_ALL=C LANG=C.UTF-8 "$PROFDIFF" diff "$F/cpu_base.full.dot" "$F/cpu_new.full.dot" >"$T/out" 2>"$T/err"
expect_out "rank   dflat" "LC_ALL wins over LANG"
env -u LC_ALL LC_CTYPE=C.UTF-8 "$PROFDIFF" diff "$F/cpu_base.full.dot" "$T/utf8.dot" >"$T/out" 2>"$T/err"
expect_out $'\xce\x94flat' "UTF-8 locale: the report keeps its characters"
expect_out $'main.parseR\xc3\xa9cords' "UTF-8 locale: UTF-8 names as they are"
# JSON is UTF-8 by definition (RFC 8259), whatever the locale.
LC_ALL=C "$PROFDIFF" diff --format json "$F/cpu_base.full.dot" "$T/utf8.dot" >"$T/out" 2>"$T/err"
expect_out $'main.parseR\xc3\xa9cords' "LC_ALL=C: JSON stays UTF-8"
finish
