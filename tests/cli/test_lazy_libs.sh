# The fetch and render stacks are loaded only by the commands that use them: the binary
# does not link libcurl, libgvc or libmicrohttpd (no DT_NEEDED), a plain diff never maps them, and when
# one cannot be loaded the command that needs it fails with exit 5 and one line naming
# the library, while every other command still works.
. "$(dirname "$0")/lib.sh"
B=$PD_FIXTURES/cpu_base.dot
N=$PD_FIXTURES/cpu_new.dot
: >"$T/out"; : >"$T/err" # for fail()'s report before the first run

command -v readelf >/dev/null || { echo "FAIL: readelf (binutils) is required"; exit 1; }
readelf -d "$PROFDIFF" >"$T/dyn" || fail "readelf -d"
grep -q 'NEEDED.*libcgraph' "$T/dyn" && pass || fail "readelf lists libcgraph as NEEDED (the probe works)"
for lib in libcurl libgvc libmicrohttpd; do
	if grep -q "NEEDED.*\[$lib" "$T/dyn"; then fail "$lib is DT_NEEDED"; else pass; fi
done

# mapped ARGS...: the shared objects the loader opens for profdiff ARGS (LD_DEBUG).
mapped() {
	LD_DEBUG=files "$PROFDIFF" "$@" 2>&1 >/dev/null | grep -o 'file=[^ ]*' | sort -u
}
for args in "--version" "diff $B $N" "diff --format json $B $N" "diff --dot $T/d.dot $B $N"; do
	# shellcheck disable=SC2086
	m=$(mapped $args)
	if echo "$m" | grep -Eq 'libcurl|libgvc|libmicrohttpd'; then fail "profdiff $args maps: $(echo "$m" | grep -E 'libcurl|libgvc|libmicrohttpd')"; else pass; fi
done
m=$(mapped diff --svg "$T/d.svg" "$B" "$N")
echo "$m" | grep -q 'libgvc\.so\.6' && pass || fail "diff --svg loads libgvc (the probe sees a dlopen)"

# Unloadable libraries, found first through LD_LIBRARY_PATH: an empty libcurl.so.4 and a
# libgvc.so.6 without graphviz's symbols.
command -v cc >/dev/null || { echo "FAIL: a C compiler is required"; exit 1; }
mkdir -p "$T/lib"
: >"$T/lib/libcurl.so.4"
echo 'int pd_not_graphviz;' >"$T/stub.c"
cc -shared -fPIC -o "$T/lib/libgvc.so.6" "$T/stub.c" || fail "compile the stub library"
broken() { LD_LIBRARY_PATH=$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} run "$@"; }

broken types --url http://127.0.0.1:1
expect_rc 5 "types without a loadable libcurl"
expect_err_line "profdiff: cannot load libcurl.so.4: " "libcurl failure names the library"
expect_no_out "types without libcurl"
broken compare --type process_cpu:cpu:nanoseconds:cpu:nanoseconds --url http://127.0.0.1:1
expect_rc 5 "compare without a loadable libcurl"
expect_err_line "cannot load libcurl.so.4: " "compare names the library"

broken diff --svg "$T/x.svg" "$B" "$N"
expect_rc 5 "diff --svg without a loadable libgvc"
expect_err_line "profdiff: cannot load libgvc.so.6: undefined symbol: gv" "libgvc failure names the library and the symbol"
[ ! -e "$T/x.svg" ] && pass || fail "no SVG file after a failed load"

broken diff "$B" "$N"
expect_rc 0 "diff without SVG needs neither library"
expect_out "main.parseRecords" "diff report"
broken --version
expect_rc 0 "--version needs neither library"
finish
