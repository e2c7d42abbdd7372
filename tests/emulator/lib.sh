# Helpers for the emulator tests: start/stop the emulator on 127.0.0.1 (ephemeral port),
# run profdiff capturing stdout/stderr/exit code, and assert on both the user's view
# and the requests the server recorded (JSON lines, queried with jq).
set -u
# Reports are plain ASCII under a locale that is not UTF-8: the expectations are
# written in UTF-8, so the tests pin a UTF-8 locale (tests that want ASCII set LC_ALL=C).
export LC_ALL=C.UTF-8
: "${PROFDIFF:?}" "${PD_EMULATOR:?}" "${PD_EMU_DATA:?}" "${PD_TMP:?}"
command -v jq >/dev/null || { echo "jq is required"; exit 1; }

mkdir -p "$PD_TMP"
T=$(mktemp -d "$PD_TMP/emu.XXXXXX")
LOG=$T/log.jsonl
EMU_PID=
FAILS=0
TYPE=process_cpu:cpu:nanoseconds:cpu:nanoseconds
SPLIT=1777626000000 # 2026-05-01T09:00:00Z: windows ending later get new.dot
BASE_WIN=(--from 2026-05-01T08:00:00Z --to 2026-05-01T09:00:00Z)
NEW_WIN=(--from 2026-05-01T09:00:00Z --to 2026-05-01T10:00:00Z)

# Only the variables a test sets itself reach profdiff.
unset PROFDIFF_URL PROFDIFF_TENANT_ID PROFDIFF_DATASOURCE PROFDIFF_TOKEN PROFDIFF_USERNAME \
	PROFDIFF_PASSWORD GRAFANA_URL GRAFANA_ORG_ID GRAFANA_SERVICE_ACCOUNT_TOKEN NO_COLOR

stop_emu() {
	if [ -n "$EMU_PID" ]; then
		kill "$EMU_PID" 2>/dev/null
		wait "$EMU_PID" 2>/dev/null
		EMU_PID=
	fi
}
finish() {
	stop_emu
	if [ "$FAILS" -eq 0 ]; then
		rm -rf "$T"
	else
		echo "artifacts kept in $T"
	fi
}
trap finish EXIT
trap 'exit 1' INT TERM

# start_emu [emulator flags...]: (re)starts the emulator with a fresh log; sets URL
# (https:// when the flags include --tls-cert).
start_emu() {
	local scheme=http a
	for a in "$@"; do [ "$a" = --tls-cert ] && scheme=https; done
	stop_emu
	rm -f "$T/port" "$LOG"
	"$PD_EMULATOR" --port-file "$T/port" --log "$LOG" --base "$PD_EMU_DATA/base.dot" \
		--new "$PD_EMU_DATA/new.dot" --split "$SPLIT" "$@" 2>"$T/emu.err" &
	EMU_PID=$!
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	[ -s "$T/port" ] || { echo "emulator did not start"; cat "$T/emu.err"; exit 1; }
	URL=$scheme://127.0.0.1:$(cat "$T/port")
	touch "$LOG"
}

# run ARGS...: runs profdiff; sets RC, OUT and ERR (file paths), ELAPSED (seconds).
OUT=$T/out
ERR=$T/err
run() {
	local t0 t1
	t0=$(date +%s.%N)
	"$PROFDIFF" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	t1=$(date +%s.%N)
	ELAPSED=$(echo "$t1 - $t0" | bc -l 2>/dev/null || awk "BEGIN{print $t1 - $t0}")
}

ok() { echo "ok   - $1"; }
bad() {
	echo "FAIL - $1"
	FAILS=$((FAILS + 1))
	echo "  rc=$RC stdout:"; head -c 600 "$OUT" | sed 's/^/    /'
	echo "  stderr:"; head -c 600 "$ERR" | sed 's/^/    /'
}
expect_rc() { [ "$RC" -eq "$1" ] && ok "$2 (exit $1)" || bad "$2: want exit $1, got $RC"; }
# expect_in FILE REGEX DESC / expect_not_in FILE FIXED-STRING DESC
expect_in() { grep -Eq -- "$2" "$1" && ok "$3" || bad "$3: /$2/ not in $(basename "$1")"; }
expect_not_in() { grep -Fq -- "$2" "$1" && bad "$3: '$2' found in $(basename "$1")" || ok "$3"; }
# expect_eq GOT WANT DESC
expect_eq() { [ "$1" = "$2" ] && ok "$3" || bad "$3: got '$1', want '$2'"; }
# expect_true DESC COMMAND...
expect_true() { local d=$1; shift; "$@" && ok "$d" || bad "$d"; }
# one line per line of stderr (the CLI promises one error line)
expect_one_line() { local n; n=$(wc -l <"$ERR"); [ "$n" -eq 1 ] && ok "$1: one stderr line" || bad "$1: $n stderr lines"; }

# jq over the recorded requests, e.g. reqs '[.[] | .path]'
reqs() { jq -r -s "$1" "$LOG"; }
nreqs() { jq -s 'length' "$LOG"; }

done_testing() {
	echo "$FAILS failure(s)"
	[ "$FAILS" -eq 0 ]
}
