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

# The example program of the README, built as a user would: with the installed
# pkg-config file and nothing else.
pc=$(find "$T/prefix" -name profdiff.pc | head -1)
[ -n "$pc" ] && pass || fail "installed profdiff.pc"
export PKG_CONFIG_PATH="$(dirname "${pc:-$T}")"
ex=$PD_SRC/tests/example/example.c
flags=$(pkg-config --cflags --libs --static profdiff 2>"$T/err")
RC=$?; expect_rc 0 "pkg-config --cflags --libs --static profdiff"
case " $flags " in *" -I$T/prefix/"*) pass ;; *) fail "pkg-config points into the install prefix: $flags" ;; esac
hv=$(sed -n 's/^#define PD_VERSION "\(.*\)"$/\1/p' "$T/prefix/include/profdiff/profdiff.h")
pv=$(pkg-config --modversion profdiff 2>&1)
[ -n "$hv" ] && [ "$hv" = "$pv" ] && pass || fail "PD_VERSION '$hv' is profdiff.pc's Version '$pv'"
# shellcheck disable=SC2086 # word splitting of the flags is intended
if cc ${PD_CFLAGS:-} -std=c11 -Wall -Wextra -Werror "$ex" $flags -o "$T/example" 2>"$T/err"; then
	pass
	"$T/example" "$PD_FIXTURES/cpu_base.dot" "$PD_FIXTURES/cpu_new.dot" >"$T/out" 2>"$T/err"
	RC=$?; expect_rc 0 "example runs"
	[ "$(wc -l <"$T/out")" -eq 5 ] && pass || fail "example prints five rows"
	head -1 "$T/out" | grep -Eq '^\+2\.04s +changed +main\.parseRecords$' && pass ||
		fail "example's first row is the top regression"
	sed -n 2p "$T/out" | grep -Eq '^-510ms +changed +main\.compressBlock$' && pass ||
		fail "example's second row"
	"$T/example" "$PD_FIXTURES/cpu_base.dot" "$T/missing.dot" >"$T/out" 2>"$T/err"
	RC=$?; expect_rc 3 "example on a missing file"
	grep -qF "missing.dot" "$T/err" && pass || fail "example names the missing file"
else
	fail "compile the example against the installed library: $(head -c 300 "$T/err")"
fi

# The README shows the same program, so that it can be pasted as is.
awk '/^## Using the library/ { on = 1 } on && /^```c$/ { code = 1; next }
     code && /^```$/ { exit } code' "$PD_SRC/README.md" >"$T/readme.c"
cmp -s "$T/readme.c" "$ex" && pass || fail "README's library example differs from $ex"
finish
