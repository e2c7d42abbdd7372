# --bundle DIR: the files of the set, the inputs kept byte for byte with their sha256,
# HTML-escaped names, the refusals (DIR not empty, several profiles per side), and
# atomicity: a run failing at any step (graphviz, another output, an unusable parent)
# leaves neither DIR nor a temporary directory beside it.
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES
B=$F/cpu_base.full.dot
N=$F/cpu_new.full.dot

# leftovers PARENT: anything bundle-like left in PARENT
leftovers() { find "$1" -maxdepth 1 -name 'b*' | sort; }

run diff --bundle "$T/b" "$B" "$N"
expect_rc 0 "diff --bundle"
for f in report.md report.html diff.dot diff.svg base.dot new.dot provenance.json; do
	[ -s "$T/b/$f" ] && pass || fail "bundle lacks $f"
done
[ "$(ls "$T/b" | wc -l)" -eq 7 ] && pass || fail "bundle holds other files: $(ls "$T/b")"
cmp -s "$T/b/base.dot" "$B" && cmp -s "$T/b/new.dot" "$N" && pass || fail "inputs not kept as given"
expect_out "main.parseRecords" # the report still goes to stdout
want=$(sha256sum "$B" | cut -d' ' -f1)
got=$(jq -r .inputs.base.sha256 "$T/b/provenance.json")
[ "$want" = "$got" ] && pass || fail "base sha256 $got, sha256sum says $want"
want=$(sha256sum "$N" | cut -d' ' -f1)
got=$(jq -r .inputs.new.sha256 "$T/b/provenance.json")
[ "$want" = "$got" ] && pass || fail "new sha256 $got, sha256sum says $want"
got=$(jq -r '[.version, .mode, .inputs.base.nodes, .inputs.new.total, .gate.on] | join(" ")' \
	"$T/b/provenance.json")
[ "$got" = "$(sed -n 's/^#define PD_VERSION "\(.*\)"/\1/p' "$PD_FIXTURES/../include/profdiff/profdiff.h") files 79 5540000000 false" ] &&
	pass || fail "provenance: $got"
grep -q '^| rank ' "$T/b/report.md" && grep -q 'main.parseRecords' "$T/b/report.md" && pass ||
	fail "report.md lacks the ranked table"
grep -q '<svg' "$T/b/report.html" && grep -q 'id="rows"' "$T/b/report.html" && pass ||
	fail "report.html lacks the graph or the table"
grep -q '<?xml' "$T/b/report.html" && fail "report.html holds an XML prolog" || pass
cmp -s "$T/b/diff.dot" <("$PROFDIFF" diff --dot /dev/stdout -o /dev/null "$B" "$N") && pass ||
	fail "diff.dot differs from --dot's"

# With a gate: verdict and thresholds in the provenance and the page.
run diff --bundle "$T/bg" --fail-on-increase 10 "$B" "$N"
expect_rc 1 "gated bundle: regression"
got=$(jq -r '[.gate.verdict, (.gate.thresholds | test("10"))] | join(" ")' "$T/bg/provenance.json")
[ "$got" = "regression true" ] && pass || fail "gated provenance: $got"
grep -q 'class="verdict regression"' "$T/bg/report.html" && pass || fail "page lacks the verdict"

# Names from inputs are escaped in the page (and the graph).
sed 's/main\.parseRecords/main.<script>alert(1)<\/script>\&amp;/g' "$N" >"$T/evil.dot"
run diff --bundle "$T/be" "$B" "$T/evil.dot"
expect_rc 0 "bundle of a hostile name"
grep -q '<script>alert' "$T/be/report.html" && fail "raw <script> from an input in the page" || pass
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;' "$T/be/report.html" && pass ||
	fail "escaped name missing from the page"
[ "$(grep -c '<script>' "$T/be/report.html")" -eq 1 ] && pass || fail "more than our one script"
grep -Eo '(src|href)="[^"]*"' "$T/be/report.html" | grep -q . && fail "a src/href in a diff page" || pass

# An empty directory is taken (replaced); a non-empty one or a file is refused.
mkdir "$T/bempty"
run diff --bundle "$T/bempty" "$B" "$N"
expect_rc 0 "empty DIR"
[ -s "$T/bempty/report.html" ] && pass || fail "empty DIR not filled"
mkdir "$T/bfull" && echo keep >"$T/bfull/x"
run diff --bundle "$T/bfull" "$B" "$N"
expect_rc 2 "non-empty DIR"
expect_err_line "not empty" "non-empty DIR named"
[ "$(ls "$T/bfull")" = x ] && pass || fail "non-empty DIR changed"
echo x >"$T/bfile"
run diff --bundle "$T/bfile" "$B" "$N"
expect_rc 2 "DIR is a file"
run diff --bundle "$T/bmany" --base "$B" --base "$B" --new "$N"
expect_rc 2 "several profiles per side"
expect_err_line "one pair" "several profiles per side refused"

# Atomicity: nothing is left when a step fails.
mkdir "$T/p1"
GVBINDIR=/nonexistent "$PROFDIFF" diff --bundle "$T/p1/b" "$B" "$N" >"$T/out" 2>"$T/err"
RC=$?
expect_rc 5 "graphviz fails"
[ -z "$(leftovers "$T/p1")" ] && pass || fail "graphviz failure left $(leftovers "$T/p1")"
mkdir "$T/p2"
run diff --bundle "$T/p2/b" --dot "$T/nodir/x.dot" "$B" "$N"
expect_rc 5 "another output fails"
[ -z "$(leftovers "$T/p2")" ] && pass || fail "a failed --dot left $(leftovers "$T/p2")"
run diff --bundle "$T/nodir/b" "$B" "$N"
expect_rc 5 "parent missing"
[ ! -e "$T/nodir" ] && pass || fail "parent created"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$T/ro" && chmod 555 "$T/ro"
	run diff --bundle "$T/ro/b" "$B" "$N"
	expect_rc 5 "parent not writable"
	[ -z "$(ls -A "$T/ro")" ] && pass || fail "read-only parent got files"
	chmod 755 "$T/ro"
else
	echo "SKIP: read-only parent (root writes anyway)"
fi
mkdir "$T/p3"
run diff --bundle "$T/p3/b" "$B" "$F/no-such.dot"
expect_rc 3 "missing input"
[ -z "$(leftovers "$T/p3")" ] && pass || fail "a missing input left $(leftovers "$T/p3")"
finish
