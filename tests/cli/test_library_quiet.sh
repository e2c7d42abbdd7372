# The library never prints and never exits: no object of libprofdiff.a imports a stdio
# output function, the standard streams, or a function that ends the process. The
# library reports through pd_error and writes files with write(2), so even fwrite to a
# caller's FILE* is refused here. (Fortify's __*_chk checks may still abort on memory
# corruption; that is not the library deciding to exit.)
. "$(dirname "$0")/lib.sh"
: "${PD_LIB:?set PD_LIB to libprofdiff.a}"
NM=${PD_NM:-nm}

forbidden='printf fprintf vprintf vfprintf dprintf vdprintf puts fputs putchar putc fputc
fwrite perror psignal psiginfo fflush fputs_unlocked fwrite_unlocked putchar_unlocked
putc_unlocked fputc_unlocked __overflow __printf_chk __fprintf_chk __vprintf_chk
__vfprintf_chk __dprintf_chk __vdprintf_chk err errx verr verrx warn warnx vwarn vwarnx
error error_at_line syslog vsyslog exit _exit _Exit quick_exit abort raise kill
__assert_fail __assert_perror_fail __assert stdout stderr _IO_stdout_ _IO_stderr_'

# offenders ARCHIVE: "object: symbol" for each forbidden import, one a line
offenders() {
	"$NM" -A -u "$1" 2>/dev/null | awk -v list="$forbidden" '
		BEGIN { n = split(list, f, /[ \n]+/); for (i = 1; i <= n; i++) bad[f[i]] = 1 }
		{ sym = $NF; sub(/@.*/, "", sym) }
		sym in bad { obj = $1; sub(/:$/, "", obj); sub(/.*:/, "", obj); print obj ": " sym }'
}

# The check itself can fail: an archive whose object prints and aborts is caught.
cat >"$T/bad.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
void noisy(int x);
void noisy(int x) { if (x) abort(); fprintf(stderr, "%d\n", x); }
C
if cc -c -O0 "$T/bad.c" -o "$T/bad.o" 2>"$T/err" && ar rcs "$T/libbad.a" "$T/bad.o"; then
	offenders "$T/libbad.a" >"$T/out"
	grep -qx "bad.o: abort" "$T/out" && grep -qx "bad.o: stderr" "$T/out" && pass ||
		fail "the check misses abort/stderr in a test archive"
else
	fail "cannot build the test archive"
fi

# nm really read the library (a broken nm must not pass): it imports malloc somewhere.
"$NM" -u "$PD_LIB" >"$T/all" 2>"$T/err"
RC=$?; expect_rc 0 "nm -u $PD_LIB"
grep -qw malloc "$T/all" && pass || fail "nm -u lists no malloc import in $PD_LIB"

offenders "$PD_LIB" | sort -u >"$T/out"
if [ -s "$T/out" ]; then
	echo "libprofdiff.a prints or exits; object: imported symbol:" >&2
	sed 's/^/  /' "$T/out" >&2
	FAILS=$((FAILS + 1))
else
	pass
fi
finish
