# README's quick start: exactly two commands, the first one line ending in a profdiff
# diff whose report shows each class of row (changed, new, removed, unchanged), so the
# demo never shows only "hidden" rows of a trimmed pair.
. "$(dirname "$0")/lib.sh"
awk '/^## Quick start/ { q = 1 } q && /^```sh$/ { c = 1; next } c && /^```$/ { exit } c' \
	"$PD_SRC/README.md" >"$T/block"
[ "$(wc -l <"$T/block")" -eq 2 ] && pass || fail "the Quick start block has $(wc -l <"$T/block") lines, want 2"
first=$(head -1 "$T/block")
case $first in
tests/install-deps.sh\ \&\&\ cmake\ *\&\&\ ./build/profdiff\ diff\ *) pass ;;
*) fail "first command: $first" ;;
esac
# The profdiff part, run from the source tree with this build's binary, in a scratch
# directory for its output files.
args=${first##*./build/profdiff diff }
mkdir "$T/run"
(cd "$PD_SRC" && eval "set -- $args" && for a; do
	case $a in fixtures/*) printf '%s\n' "$PD_SRC/$a" ;; *) printf '%s\n' "$a" ;; esac
done) >"$T/args"
mapfile -t A <"$T/args"
(cd "$T/run" && "$PROFDIFF" diff "${A[@]}" >"$T/out" 2>"$T/err")
RC=$?
expect_rc 0 "the quick start's diff"
for s in changed new removed unchanged; do
	grep -Eq "  $s +[^ ]" "$T/out" && pass || fail "the demo shows no $s row"
done
grep -Eq '  hidden +[^ ]' "$T/out" && fail "the demo shows hidden rows" || pass
finish
