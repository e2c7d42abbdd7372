# Exit codes and streams of `profdiff diff` for good input, bad flags and bad files:
# one stderr line naming the problem, nothing on stdout, the documented code.
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES
B=$F/cpu_base.dot
N=$F/cpu_new.dot

run diff "$B" "$N"
expect_rc 0 "plain diff"
expect_out "rank" "text report table header"

run --version;               expect_rc 0 "--version"; expect_out "profdiff " "--version prints"
run diff --version;          expect_rc 0 "diff --version"
run diff --help;             expect_rc 0 "diff --help"; expect_out "exit codes:" "help lists exit codes"
run --help;                  expect_rc 0 "--help"; expect_out "compare" "help lists subcommands"

# Usage errors: exit 2.
run;                         expect_rc 2 "no command"
run frobnicate;              expect_rc 2 "unknown command"; expect_err_line "unknown command 'frobnicate'" "unknown command"
run diff;                    expect_rc 2 "no files"; expect_err_line "expected 2 files" "no files"; expect_no_out "no files"
run diff "$B";               expect_rc 2 "one file"
run diff "$B" "$N" "$N";     expect_rc 2 "three files"
run diff --bogus "$B" "$N";  expect_rc 2 "unknown flag"; expect_err_line "unknown option '--bogus'" "unknown flag"
run diff --format xml "$B" "$N"; expect_rc 2 "bad format"; expect_err_line "--format: invalid value 'xml' (expected text|json|markdown)" "bad format"
run diff --top -3 "$B" "$N"; expect_rc 2 "negative top"; expect_err_line "--top: expected a count" "negative top"
run diff --top x "$B" "$N";  expect_rc 2 "junk top"
run diff --by self "$B" "$N"; expect_rc 2 "bad by"
run diff --normalize yes "$B" "$N"; expect_rc 2 "bad normalize"
run diff --granularity file "$B" "$N"; expect_rc 2 "bad granularity"
run diff --focus '(' "$B" "$N"; expect_rc 2 "bad regex"; expect_err_line "--focus: bad regular expression" "bad regex"
run diff "$B" --dot;         expect_rc 2 "missing value"; expect_err_line "missing value for option" "missing value"
run diff - - ;               expect_rc 2 "two stdin"

# Input errors: exit 3, one line naming the file and the problem.
run diff "$T/nope.dot" "$N"; expect_rc 3 "missing file"; expect_err_line "$T/nope.dot: cannot open" "missing file"; expect_no_out "missing file"
: >"$T/empty.dot"
run diff "$T/empty.dot" "$N"; expect_rc 3 "empty file"; expect_err_line "$T/empty.dot: empty file" "empty file"
head -c 3000 "$B" >"$T/trunc.dot"
run diff "$B" "$T/trunc.dot"; expect_rc 3 "truncated"; expect_err_line "$T/trunc.dot: malformed DOT" "truncated"
head -c 300 "$F/cpu_base.pb.gz" >"$T/cut.pb.gz"  # a .pb.gz is read (test_exact_inputs.sh); a cut one is not
run diff "$T/cut.pb.gz" "$N"; expect_rc 3 "gzip profile"; expect_err_line "$T/cut.pb.gz: gzip data is truncated" "gzip profile"
printf 'digraph g {\0}\n' >"$T/bin.dot"
run diff "$T/bin.dot" "$N"; expect_rc 3 "binary"; expect_err_line "binary data" "binary"
echo 'digraph g { a -> b }' >"$T/graph.dot"
run diff "$T/graph.dot" "$N"; expect_rc 3 "not a profile"; expect_err_line "not a pprof/Pyroscope profile" "not a profile"
sed -E "s/([0-9])(ms|s) \(/\1furlongs (/" "$B" >"$T/unit.dot"
run diff "$T/unit.dot" "$N"; expect_rc 3 "unknown unit"; expect_err_line "unknown unit 'furlongs'" "unknown unit"
echo 'digraph g { N1 [label="f\n99999999999999999999s (1%)" tooltip="f (1s)"] }' >"$T/ovf.dot"
run diff "$T/ovf.dot" "$N"; expect_rc 3 "overflow"; expect_err_line "out of range" "overflow"
run diff "$B" "$F/alloc_new.dot"; expect_rc 3 "incompatible"; expect_err_line "incompatible profiles" "incompatible"
run diff "$T" "$N"; expect_rc 3 "directory"; expect_err_line "is a directory" "directory"

# Not enough data: exit 4.
cat >"$T/zero.dot" <<'DOT'
digraph "unnamed" {
subgraph cluster_L { "Type: cpu" [label="Type: cpu\lShowing nodes accounting for 0, 0% of 0 total\l"] }
}
DOT
run diff "$B" "$T/zero.dot"; expect_rc 4 "empty profile"; expect_err_line "profile is empty" "empty profile"

# stdin as one input.
"$PROFDIFF" diff - "$N" <"$B" >"$T/out" 2>"$T/err"; RC=$?
expect_rc 0 "stdin input"; expect_out "<stdin>" "stdin named in header"

finish
