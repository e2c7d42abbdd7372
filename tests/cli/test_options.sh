# The option engine seen from the command line: the man page documents every option of
# every command (read from the binary's own table with the hidden --dump-options, so a
# new option without a man entry fails here), --help lists the same options, no command
# repeats an option, and usage errors are one line that never echoes an unknown
# option's value, with a did-you-mean or a hint for pprof's spellings.
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES
B=$F/cpu_base.dot
N=$F/cpu_new.dot
: "${PD_SRC:?set PD_SRC to the source tree}"

# The man page's text with groff's escaped hyphens undone.
sed 's/\\-/-/g' "$PD_SRC/man/profdiff.1" >"$T/man.txt"
for cmd in "" diff compare fetch types labels values mcp; do
	# shellcheck disable=SC2086 # "" is the top level: no word at all
	run $cmd --dump-options
	expect_rc 0 "profdiff $cmd --dump-options"
	cp "$T/out" "$T/opts"
	[ "$(grep -c . "$T/opts")" -ge 2 ] && pass || fail "profdiff $cmd --dump-options lists options"
	dups=$(sort "$T/opts" | uniq -d)
	[ -z "$dups" ] && pass || fail "profdiff $cmd has the option(s) twice: $dups"
	# shellcheck disable=SC2086
	run $cmd --help
	expect_rc 0 "profdiff $cmd --help"
	while read -r opt; do
		if grep -Eq -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$T/man.txt"; then pass; else
			fail "man/profdiff.1 does not document $opt (an option of 'profdiff $cmd')"
		fi
		if grep -Eq -- "^  (-., )?(--[a-z-]+, )?$opt( |,|\$)" "$T/out"; then pass; else
			fail "'profdiff $cmd --help' does not list $opt"
		fi
	done <"$T/opts"
done

# A prefix is not an option: --token is not --token-file, and the value is not echoed.
run types --token SECRET-VALUE
expect_rc 2 "abbreviated option"
expect_err_line "unknown option '--token' (did you mean '--token-file'?)" "abbreviation refused"
grep -q SECRET-VALUE "$T/err" && fail "the value of an unknown option was echoed" || pass
run types --token=SECRET-VALUE
expect_rc 2 "abbreviated option with ="
grep -q SECRET-VALUE "$T/err" && fail "the value after = was echoed" || pass
run diff --form json "$B" "$N"
expect_rc 2 "--form is not --format"

# Both spellings of a value.
run diff --format=json --top=1 "$B" "$N"
expect_rc 0 "--opt=value"
expect_out '"profdiff.diff/v2"' "--format=json took effect"
run diff -q -- "$B" "$N"
expect_rc 0 "-- before the files"

# Did you mean, for options, values and commands.
run diff --fromat json "$B" "$N"
expect_rc 2 "misspelt option"; expect_err_line "unknown option '--fromat' (did you mean '--format'?)" "did you mean an option"
run diff --format mardown "$B" "$N"
expect_rc 2 "misspelt value"; expect_err_line "did you mean 'markdown'?" "did you mean a value"
run dif "$B" "$N"
expect_rc 2 "misspelt command"; expect_err_line "unknown command 'dif' (did you mean 'diff'?)" "did you mean a command"
run "$B" "$N"
expect_rc 2 "files without a command"; expect_err_line "profdiff diff BASE.dot NEW.dot" "files without a command"

# pprof's spellings get profdiff's.
run diff -diff_base "$B" "$N"
expect_rc 2 "-diff_base"
expect_err_line "'-diff_base' is pprof's; profdiff takes the base as its first file: profdiff diff BASE.dot NEW.dot" "-diff_base hint"
run diff -focus=parse "$B" "$N"
expect_rc 2 "-focus"; expect_err_line "'-focus' is pprof's; use --focus REGEX" "-focus hint"
run diff -top "$B" "$N"
expect_rc 2 "-top"; expect_err_line "--top N" "-top hint"
run diff -normalize "$B" "$N"
expect_rc 2 "-normalize"; expect_err_line "use --normalize total" "-normalize hint"

# Defaults in --help are the ones the code uses.
run diff --help
expect_out "rows in the report; 0 = all (default: 20; JSON:" "--top default in help"
expect_out "(default text)" "--format default in help"
run fetch --help
expect_out "(default 30)" "--timeout default in help"
expect_out "(default 64MiB)" "--max-body default in help"
# profilecli's and pprof's spellings are aliases: --profile-type is --type, --tenant-id
# is --tenant (checked before any request: a bad type is a usage error).
run fetch --profile-type not-a-type --url http://127.0.0.1:9
expect_rc 2 "--profile-type is --type"
expect_err_line "--type: want name:sample_type" "--profile-type is checked as --type"
run fetch --type a:b:c:d:e --tenant-id "t1" --datasource ds --url http://127.0.0.1:9
expect_rc 2 "--tenant-id is --tenant"
expect_err_line "--tenant is for direct mode only" "--tenant-id is checked as --tenant"
finish
