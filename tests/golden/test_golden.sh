# Golden files: each case in cases.txt runs the real binary from fixtures/ and compares
# stdout, stderr, the exit code and any --dot output (@OUT@) with expected/<name>.*.
# `test_golden.sh --update` (or PD_UPDATE_GOLDEN=1) rewrites the expected files.
. "$(dirname "$0")/../cli/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
update=${PD_UPDATE_GOLDEN:-0}
[ "${1:-}" = "--update" ] && update=1
cd "$PD_FIXTURES"
while IFS='|' read -r name args; do
	name=$(echo "$name" | xargs)
	case $name in '' | '#'*) continue ;; esac
	args=${args//@OUT@/$T/$name.dot}
	# shellcheck disable=SC2086 # the case's arguments are words
	NO_COLOR= "$PROFDIFF" $args >"$T/$name.out" 2>"$T/$name.err"
	echo "$?" >"$T/$name.rc"
	for ext in out err rc dot; do
		[ -f "$T/$name.$ext" ] || continue
		want=$here/expected/$name.$ext
		if [ "$update" = 1 ]; then
			if [ -s "$T/$name.$ext" ] || [ "$ext" = out ]; then cp "$T/$name.$ext" "$want"; else rm -f "$want"; fi
		elif [ ! -s "$T/$name.$ext" ] && [ ! -f "$want" ] && [ "$ext" != out ]; then
			pass
		elif cmp -s "$T/$name.$ext" "$want"; then
			pass
		else
			fail "golden $name.$ext differs (rerun with --update and review git diff)"
			diff -u "$want" "$T/$name.$ext" | head -20 >&2
		fi
	done
done <"$here/cases.txt"
finish
