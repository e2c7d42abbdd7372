# `cmake --install` puts the binary, the library with its public header and the man page
# in place, and a program built against the installed header and library works.
. "$(dirname "$0")/lib.sh"
: "${PD_BUILD:?set PD_BUILD to the build folder}"
cmake --install "$PD_BUILD" --prefix "$T/prefix" >/dev/null 2>"$T/err"
RC=$?; expect_rc 0 "cmake --install"
for f in bin/profdiff include/profdiff/profdiff.h share/man/man1/profdiff.1; do
	[ -f "$T/prefix/$f" ] && pass || fail "installed $f"
done
lib=$(find "$T/prefix" -name libprofdiff.a | head -1)
[ -n "$lib" ] && pass || fail "installed libprofdiff.a"
"$T/prefix/bin/profdiff" --version >"$T/out" 2>&1 && expect_out "profdiff " "installed binary runs"
cat >"$T/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <profdiff/profdiff.h>
int main(int argc, char **argv)
{
	pd_profile *b, *n;
	pd_diff *d;
	pd_error err;
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	if (argc != 3 || pd_profile_read(argv[1], &b, &err) || pd_profile_read(argv[2], &n, &err) ||
	    pd_diff_new(b, n, &o, &d, &err))
		return 1;
	printf("%s\n", d->rows[0].name);
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);
	return 0;
}
C
if cc ${PD_CFLAGS:-} -std=c11 -I"$T/prefix/include" "$T/use.c" "$lib" $(pkg-config --libs libgvc libcgraph libcurl libcjson) -lpthread -lm -o "$T/use" 2>"$T/err"; then
	pass
	"$T/use" "$PD_FIXTURES/cpu_base.full.dot" "$PD_FIXTURES/cpu_new.full.dot" >"$T/out" 2>&1
	expect_out "main.parseRecords" "library user finds the top regression"
else
	fail "compile against the installed library: $(head -c 300 "$T/err")"
fi
finish
