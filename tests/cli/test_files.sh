# Output files never change what kind of file a path names: a symlink stays a link and
# its target gets the contents, a device or FIFO is written in place, an existing file
# keeps its mode. Values past int64 are an input error naming the file, not garbage.
# An output that is also an input is refused, and a run killed while its outputs are
# staged leaves no temporary file.
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES
B=$F/cpu_base.dot
N=$F/cpu_new.dot

no_tmp() { # no_tmp DIR DESCRIPTION
	if ls -a "$1" | grep -q '\.tmp\.'; then fail "$2: temporary files left: $(ls -a "$1" | tr '\n' ' ')"; else pass; fi
}
mode_of() { stat -c %a "$1"; }

# Through symlinks: every output flag, a relative link, an absolute one into another
# directory, and a chain. The links stay links; their targets get the contents.
mkdir -p "$T/links" "$T/elsewhere"
cd "$T/links" || exit 1
echo old >real.txt
echo old >"$T/elsewhere/real.dot"
echo old >real.svg
ln -s real.txt report.txt
ln -s "$T/elsewhere/real.dot" graph.dot
ln -s real.svg step.svg
ln -s step.svg graph.svg
run diff -q -o report.txt --dot graph.dot --svg graph.svg "$B" "$N"
expect_rc 0 "outputs through symlinks"
for l in report.txt graph.dot step.svg graph.svg; do
	[ -L "$l" ] && pass || fail "$l is no longer a symlink"
done
grep -q 'main.parseRecords' real.txt && pass || fail "-o through a link: target not written"
grep -q '^digraph' "$T/elsewhere/real.dot" && pass || fail "--dot through an absolute link: target not written"
grep -q '</svg>' real.svg && pass || fail "--svg through a chain of links: target not written"
no_tmp "$T/links" "symlinks"
no_tmp "$T/elsewhere" "symlinks (the target's directory)"
cd "$T" || exit 1

# A device is written in place, not replaced. Root could replace /dev/null itself if
# that broke, so root writes to a null device of its own (where mknod works).
dev=
if [ "$(id -u)" != 0 ]; then
	dev=/dev/null
elif mknod "$T/null" c 1 3 2>/dev/null && (: >"$T/null") 2>/dev/null; then
	dev=$T/null
fi
if [ -n "$dev" ]; then
	run diff -q -o "$dev" --dot "$dev" --svg "$dev" "$B" "$N"
	expect_rc 0 "outputs to a device"
	[ -c "$dev" ] && pass || fail "$dev is no longer a character device"
	[ ! -s "$T/out" ] && pass || fail "-o $dev: report went to stdout"
else
	echo "SKIP: no null device to write to (root without mknod)"
fi
no_tmp "$T" "device"

# A FIFO is written in place: its reader gets the whole report, the FIFO stays.
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fifo.out" &
reader=$!
run diff -q -o "$T/fifo" "$B" "$N"
expect_rc 0 "-o to a FIFO"
if [ -p "$T/fifo" ] && [ "$RC" -eq 0 ]; then
	wait "$reader"
	pass
else
	kill "$reader" 2>/dev/null # it would wait for a writer forever
	wait "$reader" 2>/dev/null
	fail "the FIFO was replaced"
fi
grep -q 'main.parseRecords' "$T/fifo.out" && pass || fail "FIFO reader got the report"
rm -f "$T/fifo" "$T/fifo.out"
no_tmp "$T" "FIFO"

# /dev/stdout is the shell's redirection: a pipe gets the report; a file opened with >>
# is appended to, not replaced.
"$PROFDIFF" diff -q -o /dev/stdout "$B" "$N" | grep -q 'main.parseRecords' && pass || fail "-o /dev/stdout into a pipe"
echo first >"$T/log"
"$PROFDIFF" diff -q -o /dev/stdout "$B" "$N" >>"$T/log"
[ "$(head -1 "$T/log")" = first ] && grep -q 'main.parseRecords' "$T/log" && pass || fail "-o /dev/stdout >> log: not appended"
[ -L /dev/stdout ] && pass || fail "/dev/stdout replaced"
no_tmp "$T" "/dev/stdout"

# An existing file keeps its mode (0640 is narrower than the umask gives a new file,
# 0666 wider); a new file gets 0666 minus the umask.
for m in 640 666; do
	for flag in -o --dot --svg; do
		f="$T/mode$m$flag"
		echo old >"$f"
		chmod "$m" "$f"
		run diff -q "$flag" "$f" "$B" "$N"
		expect_rc 0 "$flag over a file of mode $m"
		[ "$(mode_of "$f")" = "$m" ] && pass || fail "$flag: mode $m became $(mode_of "$f")"
		[ "$(cat "$f")" != old ] && pass || fail "$flag: file of mode $m not replaced"
	done
done
(umask 027 && "$PROFDIFF" diff -q -o "$T/fresh.txt" "$B" "$N")
[ "$(mode_of "$T/fresh.txt")" = 640 ] && pass || fail "new file under umask 027: mode $(mode_of "$T/fresh.txt")"
no_tmp "$T" "modes"

# Values past int64: --normalize scales the new side by 9e18 / 2ns; exit 3 naming the
# file, no report, no output file.
cat >"$T/big.dot" <<'EOF'
digraph "big" {
subgraph cluster_L { "Type: cpu" [label="Type: cpu\lShowing nodes accounting for 9000000000s, 100% of 9000000000s total\l"] }
N1 [label="main\nf\n9000000000s (100%)" tooltip="main.f (9000000000s)"]
}
EOF
cat >"$T/small.dot" <<'EOF'
digraph "small" {
subgraph cluster_L { "Type: cpu" [label="Type: cpu\lShowing nodes accounting for 2ns, 100% of 2ns total\l"] }
N1 [label="main\nf\n2ns (100%)" tooltip="main.f (2ns)"]
N2 [label="main\ng\n1ns (50%)\nof 3ns (100%)" tooltip="main.g (3ns)"]
}
EOF
for fmt in text json markdown; do
	run diff --normalize total --format "$fmt" --dot "$T/ovf.dot" "$T/big.dot" "$T/small.dot"
	expect_rc 3 "--normalize past int64 ($fmt)"
	expect_err_line "small.dot: values overflow a 64-bit integer" "overflow names the file ($fmt)"
	expect_no_out "overflow ($fmt)"
	[ ! -e "$T/ovf.dot" ] && pass || fail "overflow ($fmt): --dot written"
done
run diff --normalize total "$T/big.dot" "$T/big.dot"
expect_rc 0 "9e18 against itself, normalized"

# ---- outputs that are inputs, signals ---------------------------------------------
# An output that is an input (by any name) is refused before anything is written.
{
	mkdir -p "$T/same"
	cp "$B" "$T/same/base.dot"
	cp "$N" "$T/same/new.dot"
	ln -s base.dot "$T/same/link.dot"
	sum=$(cat "$T/same/base.dot" "$T/same/new.dot" | cksum)
	cd "$T/same" || exit 1
	for args in "-o base.dot" "--dot ./new.dot" "--svg link.dot" "-o $T/same/new.dot" \
		"--dot ../same/base.dot"; do
		# shellcheck disable=SC2086 # word splitting wanted
		run diff -q $args base.dot new.dot
		expect_rc 2 "output $args is an input"
		expect_err_line "is also an input" "output $args is an input: message"
	done
	[ "$(cat base.dot new.dot | cksum)" = "$sum" ] && pass || fail "an input was overwritten"
	[ -L link.dot ] && pass || fail "link to an input replaced"
	no_tmp "$T/same" "output is an input"
	cd "$T" || exit 1
}

# SIGTERM while outputs are staged: the temporary files go, the old files stay, the
# process still dies of SIGTERM. Deterministic: -o is a FIFO nobody reads, so the run
# blocks opening it, after --dot and --svg were staged (the CLI stages them in that
# order) and before anything was renamed.
{
	mkdir -p "$T/sig"
	echo old >"$T/sig/d.dot"
	mkfifo "$T/sig/fifo"
	"$PROFDIFF" diff -q --dot "$T/sig/d.dot" --svg "$T/sig/d.svg" -o "$T/sig/fifo" "$B" "$N" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	staged=0
	for _ in $(seq 300); do # until the stage, or 30 s if it never comes
		if ls "$T/sig" | grep -q '\.tmp\.'; then
			staged=1
			break
		fi
		sleep 0.1
	done
	if [ "$staged" = 1 ]; then pass; else fail "SIGTERM: no temporary file appeared (outputs staged in another order?)"; fi
	kill -TERM "$pid"
	wait "$pid"
	RC=$?
	expect_rc 143 "SIGTERM: the process dies of the signal"
	no_tmp "$T/sig" "SIGTERM"
	[ "$(cat "$T/sig/d.dot")" = old ] && pass || fail "SIGTERM: --dot replaced"
	[ ! -e "$T/sig/d.svg" ] && pass || fail "SIGTERM: --svg created"
	[ -p "$T/sig/fifo" ] && pass || fail "SIGTERM: the FIFO was replaced"
}
# compare has no input files, but two of its outputs may not name one file.
run compare --type a:b:c:d:e --url http://127.0.0.1:9 -o "$T/same.txt" --dot "$T/same.txt"
expect_rc 2 "compare: -o and --dot name one file"
expect_err_line "is also another output" "compare: two outputs, one file: message"
finish
