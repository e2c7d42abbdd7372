# The CI gate from the command line: every exit code with gate options (0 pass, 1
# regression, 2 usage, 3 input, 4 inconclusive), the gate file's errors and warnings,
# several profiles per side (--base/--new), JSON rows and verdict, JUnit XML checked
# with xmllint against tests/cli/junit.xsd, and GitHub annotations and step summary.
. "$(dirname "$0")/lib.sh"
: "${PD_SRC:?set PD_SRC to the source tree}"
F=$PD_FIXTURES
B=$F/cpu_base.dot
N=$F/cpu_new.dot
GATE=(--fail-on-increase 10 --min-delta 50ms)
first_line() { head -n 1 "$T/out"; }
expect_first() { # expect_first PREFIX DESC: stdout's first line starts with PREFIX
	case $(first_line) in "$1"*) pass ;; *) fail "$2: first line is '$(first_line)', want '$1...'" ;; esac
}

# Without gate options nothing changes: a real regression still exits 0, no verdict.
run diff "$B" "$N"
expect_rc 0 "no gate options"
grep -q '^verdict' "$T/out" && fail "a verdict without gate options" || pass

# 1: the real regression pair (main.parseRecords +443%).
run diff "${GATE[@]}" "$B" "$N"
expect_rc 1 "regression"
expect_first "verdict: regression: 4 violations; total 4.19s" "verdict first"
expect_out "violation: increase: main.parseRecords +2.04s (+443.5%), limit +50ms [--fail-on-increase]" "violation with its rule"
expect_out "thresholds only (one profile per side" "one pair says it uses thresholds alone"
grep -q "one profile per side: the gate uses the thresholds alone" "$T/err" && pass || fail "stderr warns about thresholds alone"
# The rows before the warnings: the last table row comes before the first warning.
awk '/^warning:/{w=NR} /main\.mix$/{r=NR} END{exit !(r && w > r)}' "$T/out" && pass || fail "warnings after the table"

# 0: the floor. +2.04s is the largest change; a 3s floor lets everything pass.
run diff --fail-on-increase 10 --min-delta 3s "$B" "$N"
expect_rc 0 "below the floor passes"
expect_first "verdict: pass;" "pass verdict first"
# A share floor: 50% of the base total is more than any change.
run diff --fail-on-increase 10 --min-delta 50% "$B" "$N"
expect_rc 0 "share floor"
run diff --fail-on-total 20 "$B" "$N"
expect_rc 1 "total grew by 32%"
expect_out "violation: total: total" "total rule named"
run diff --fail-on-total 40 "$B" "$N"
expect_rc 0 "total within 40%"
run diff --gate-metric cum --fail-on-increase 10 --min-delta 3s "$B" "$N"
expect_rc 0 "cum metric below the floor"

# 4: a hidden row whose interval straddles the floor (+310ms..+330ms vs 320ms).
run diff --focus validateChecksum --fail-on-increase 10 --min-delta 320ms "$B" "$N"
expect_rc 4 "undecidable hidden row"
expect_first "verdict: inconclusive: 1 undecidable" "inconclusive verdict"
expect_out "undecidable: increase: main.validateChecksum +310ms..+330ms (hidden)" "undecidable finding"
[ "$(grep -c '^profdiff: ' "$T/err" | tr -d ' ')" -ge 1 ] && ! grep -q '^profdiff: [^w]' "$T/err" && pass || fail "inconclusive is not an error message"

# 2: usage errors of the gate options, one line each.
run diff --fail-on-increase abc "$B" "$N"; expect_rc 2 "bad percentage"; expect_err_line "--fail-on-increase: expected a percentage >= 0, got 'abc'" "bad percentage"
run diff --min-delta 5furlongs "$B" "$N"; expect_rc 2 "bad amount"; expect_err_line "--min-delta: bad amount '5furlongs'" "bad amount"
run diff --alpha 2 "$B" "$N"; expect_rc 2 "bad alpha"; expect_err_line "--alpha: expected a level in (0, 1), got '2'" "bad alpha"
run diff --gate-metric self "$B" "$N"; expect_rc 2 "bad gate metric"; expect_err_line "--gate-metric: invalid value 'self'" "bad gate metric"
run diff --junit - "$B" "$N"; expect_rc 2 "junit to stdout"
run diff --min-delta 10MB "$B" "$N"; expect_rc 2 "bytes floor on a CPU profile"; expect_err_line "does not fit values in nanoseconds" "unit mismatch"
run diff --github-annotations --format json "$B" "$N"; expect_rc 2 "annotations and JSON on stdout"; expect_err_line "give -o FILE for the JSON report" "annotations and JSON"
run diff --base "$B" "$N"; expect_rc 2 "--base with a positional file"
run diff --base "$B" --fail-on-increase 10; expect_rc 2 "--base without --new"
run diff --base "$B" --base - --new - --new "$N"; expect_rc 2 "stdin twice"

# 3: input errors stay input errors with a gate.
run diff "${GATE[@]}" "$T/nope.dot" "$N"; expect_rc 3 "missing file with a gate"; expect_no_out "missing file"
run diff --gate-file "$T/nope.json" "$B" "$N"; expect_rc 3 "missing gate file"
run diff "${GATE[@]}" --base "$B" --base "$T/nope.dot" --new "$N" --new "$N"; expect_rc 3 "missing file among several"

# The gate file: errors name the line (exit 2); expired allow entries warn and stop applying.
printf '{\n  "rules": [\n    { "match": "(", "fail_on_increase": 5 }\n  ]\n}\n' >"$T/badre.json"
run diff --gate-file "$T/badre.json" "$B" "$N"; expect_rc 2 "bad regex in the gate file"; expect_err_line "$T/badre.json:3:" "bad regex names the line"
printf '{\n  "rules": [\n    { "match": "^main\\\\.", "fail_on_increase": 5,\n      "fail_on_decrease": 5 }\n  ]\n}\n' >"$T/unknown.json"
run diff --gate-file "$T/unknown.json" "$B" "$N"; expect_rc 2 "unknown key"; expect_err_line "$T/unknown.json:4:" "unknown key names its line"
grep -q "fail_on_decrease" "$T/err" && pass || fail "unknown key named"
cat >"$T/allow.json" <<'JSON'
{
  "rules": [ { "match": "^main\\.", "fail_on_increase": 10, "min_delta": "50ms" } ],
  "allow": [
    { "function": "main.parseRecords", "reason": "PERF-1 new parser", "expires": "2999-01-01" },
    { "function": "main.(*Store).Get", "reason": "PERF-2 old", "expires": "2001-01-01" }
  ]
}
JSON
run diff --gate-file "$T/allow.json" "$B" "$N"
expect_rc 1 "allow-list: the expired entry no longer applies"
expect_out "allowed: increase: main.parseRecords" "allowed finding shown"
expect_out "PERF-1 new parser" "allowed with its reason"
expect_out "violation: increase: main.(*Store).Get" "expired entry does not apply"
grep -q "expired" "$T/out" && grep -q "expired" "$T/err" && pass || fail "expired entry warns in the report and on stderr"
grep -q "$T/allow.json:2" "$T/out" && pass || fail "a gate-file rule names its line"

# Several profiles per side. An A/A set (the same files on both sides) passes.
AA=("$F/cpu_noise_a.dot" "$F/cpu_noise_b.dot" "$F/cpu_noise_a.full.dot" "$F/cpu_noise_b.full.dot")
run diff "${GATE[@]}" --base "${AA[0]}" --base "${AA[1]}" --base "${AA[2]}" --base "${AA[3]}" \
	--new "${AA[1]}" --new "${AA[0]}" --new "${AA[3]}" --new "${AA[2]}"
expect_rc 0 "A/A samples pass"
expect_first "verdict: pass; total (median)" "samples verdict"
expect_out "4+4 profiles" "sample counts in the summary"
# The real pair, four renderings per side: significant.
BB=(--base "$B" --base "$F/cpu_base.full.dot" --base "$F/cpu_base.full.ms.dot" --base "$F/cpu_base.lines.dot")
NN=(--new "$N" --new "$F/cpu_new.full.dot" --new "$F/cpu_new.full.ms.dot" --new "$F/cpu_new.lines.dot")
run diff "${GATE[@]}" "${BB[@]}" "${NN[@]}"
expect_rc 1 "samples regression"
expect_out "violation: increase: main.parseRecords +336.09ms/s (+309.1%), limit +50ms/s, p=0.02857 q=0.02857" "p and q in the violation"
grep -Eq '^ +[0-9]+ .* ~ .*main\.compressBlock$' "$T/out" && pass || fail "~ marks a non-significant change"
expect_out "values: per second of each profile's duration" "per-second values"
# --fdr-family testable: BH over the 8 testable functions, not only the practical ones.
run diff "${GATE[@]}" --fdr-family testable "${BB[@]}" "${NN[@]}"
expect_rc 1 "samples regression with the testable family"
expect_out "p=0.02857 q=0.0381" "q over the testable family"
run diff "${GATE[@]}" --fdr-family nope "${BB[@]}" "${NN[@]}"
expect_rc 2 "--fdr-family takes practical or testable"
# Fewer than 4 per side: nothing can be significant, and the report says so.
run diff "${GATE[@]}" --base "$B" --base "$F/cpu_base.full.dot" --new "$N" --new "$F/cpu_new.full.dot"
expect_out "need >= 4 samples" "warning for too few samples"
[ "$RC" -ne 1 ] && pass || fail "two per side cannot fail on significance (exit $RC)"
run diff --format json "${GATE[@]}" "${BB[@]}" "${NN[@]}"
expect_rc 1 "samples JSON"
if command -v jq >/dev/null; then
	[ "$(jq -r '.mode + " " + .verdict + " " + .gate.findings[0].rule' "$T/out")" = "samples regression increase" ] && pass || fail "samples JSON verdict and findings"
	[ "$(jq '[.functions[] | select(.significant)] | length' "$T/out")" -ge 2 ] && pass || fail "samples JSON statistics"
fi

# JSON: every row by default, --top only when given; the verdict and rules.
run diff --format json "${GATE[@]}" "$B" "$N"
expect_rc 1 "JSON regression"
if command -v jq >/dev/null; then
	[ "$(jq '.functions | length' "$T/out")" = 39 ] && pass || fail "JSON carries every row"
	[ "$(jq -r '.schema + " " + .verdict' "$T/out")" = "profdiff.diff/v2 regression" ] && pass || fail "JSON schema and verdict"
	[ "$(jq -r '.gate.findings[0] | .rule + " " + .name + " " + .source' "$T/out")" = "increase main.parseRecords --fail-on-increase" ] && pass || fail "JSON violation with its rule"
	[ "$(jq '.gate.rules.fail_on_increase' "$T/out")" = 10 ] && pass || fail "JSON rules"
	run diff --format json --top 5 "$B" "$N"
	[ "$(jq '.functions | length' "$T/out")" = 5 ] && [ "$(jq '.truncated' "$T/out")" = 34 ] && pass || fail "--top given is honoured"
	[ "$(jq '.gate' "$T/out")" = null ] && pass || fail "no gate: gate is null"
fi
run diff --format markdown "${GATE[@]}" "$B" "$N"
expect_first "### profdiff verdict: **regression" "Markdown verdict first"
expect_out '- **violation** (rule `increase`): `main.parseRecords`' "Markdown violation with its rule"

# JUnit: valid against the schema, one failure per violation, nothing else changes.
run diff -q "${GATE[@]}" --junit "$T/junit.xml" "$B" "$N"
expect_rc 1 "junit run"
if have xmllint "JUnit schema check" deps; then
	xmllint --noout --schema "$PD_SRC/tests/cli/junit.xsd" "$T/junit.xml" 2>"$T/xmllint.err" && pass || fail "junit.xml is not valid: $(cat "$T/xmllint.err")"
	run diff -q --fail-on-total 5 --gate-file "$T/allow.json" --junit "$T/junit2.xml" "$B" "$N"
	xmllint --noout --schema "$PD_SRC/tests/cli/junit.xsd" "$T/junit2.xml" 2>"$T/xmllint.err" && pass || fail "junit2.xml is not valid: $(cat "$T/xmllint.err")"
	[ "$(xmllint --xpath 'count(//testcase[@classname="profdiff.total"]/failure)' "$T/junit2.xml")" = 1 ] && pass || fail "total rule is a failing test case"
	[ "$(xmllint --xpath 'count(//skipped)' "$T/junit2.xml")" = 1 ] && pass || fail "allowed finding is skipped"
	[ "$(xmllint --xpath 'string(/testsuites/@failures)' "$T/junit.xml")" = 4 ] && pass || fail "four failures"
	[ "$(xmllint --xpath 'string(//testcase[failure][1]/@name)' "$T/junit.xml")" = main.parseRecords ] && pass || fail "failure on the function"
fi
run diff -q "${GATE[@]}" --junit "$T/nodir/junit.xml" -o "$T/report.txt" "$B" "$N"
expect_rc 5 "junit not writable"
[ ! -e "$T/report.txt" ] && pass || fail "no report written when the junit file cannot be"

# GitHub annotations: workflow commands first on stdout, then the report; the summary
# is appended to $GITHUB_STEP_SUMMARY.
: >"$T/summary.md"
GITHUB_STEP_SUMMARY=$T/summary.md run diff "${GATE[@]}" --github-annotations "$B" "$N"
expect_rc 1 "annotations run"
expect_first "::error title=profdiff regression::increase: main.parseRecords +2.04s (+443.5%25)" "annotations first, % escaped"
expect_out "::error title=profdiff verdict::verdict: regression" "verdict annotation"
expect_out "verdict: regression: 4 violations" "the report follows the annotations"
grep -q '^### profdiff verdict: \*\*regression' "$T/summary.md" && pass || fail "step summary written"
GITHUB_STEP_SUMMARY=$T/summary.md run diff --fail-on-increase 10 --min-delta 3s --github-annotations "$B" "$N"
expect_rc 0 "annotations on a pass"
expect_out "::notice title=profdiff verdict::verdict: pass" "pass notice"
[ "$(grep -c '^### profdiff verdict' "$T/summary.md")" = 2 ] && pass || fail "the summary is appended, not replaced"
run diff "${GATE[@]}" --github-annotations --format json -o "$T/r.json" "$B" "$N"
expect_rc 1 "annotations with JSON to a file"
grep -q '^::' "$T/out" && ! grep -qv '^::' "$T/out" && pass || fail "stdout holds only workflow commands"
finish
