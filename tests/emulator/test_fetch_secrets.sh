# A hostile server quotes every credential back (raw, base64, percent-encoded; at the
# start of its error body, across byte 4096 and past it) with 400, 401, 403 and 500:
# no command, with or without --verbose, may print or write any 6-character piece of a
# secret. Values with CR or LF are refused before anything is sent (header injection).
. "$(dirname "$0")/lib.sh"

TOKEN='glsa_Zq8XkP3vW7mN2rT5yB9cH4jL6dF1sG0e'
USER_='ops-Qm7Rt2'
PASS='pX9#qW@2zK!m/Lf8%vB'
b64() { printf '%s' "$1" | base64 -w0; }
pct() { jq -rn --arg s "$1" '$s|@uri'; }
# base64 of "user:password" from the first character that no user-name bit reaches (the
# user name is not a secret, and its base64 starts the same way).
n=$((${#USER_} + 1))
B64_PASS_PART=$(b64 "$USER_:$PASS" | cut -c$((n / 3 * 4 + (n % 3 ? 4 : 0) + 1))-)
PD_SECRETS=$(printf '%s\n' "$TOKEN" "$PASS" "$(b64 "$TOKEN")" "$B64_PASS_PART" "$(pct "$PASS")")
export PD_SECRETS

# keep DESC: files this run's stdout, stderr and written files under $T/runs/N/ for the
# one leak scan at the end (one python start instead of one per run).
NRUN=0
keep() {
	NRUN=$((NRUN + 1))
	local d=$T/runs/$NRUN
	mkdir -p "$d"
	printf '%s' "$1" >"$d.what"
	cp "$OUT" "$d/stdout"
	cp "$ERR" "$d/stderr"
	[ -d "$T/w" ] && cp -r "$T/w" "$d/written"
}
# Prints "DESC<TAB>piece<TAB>file" for every kept run in which a 6-byte piece of a secret
# occurs.
scan() {
	python3 - "$T/runs" <<'PY'
import os, sys
root = sys.argv[1]
secrets = [s.encode() for s in os.environ["PD_SECRETS"].split("\n") if s]
pieces = {s[i:i + 6] for s in secrets for i in range(len(s) - 5)}
for run in sorted(os.listdir(root)):
    d = os.path.join(root, run)
    if not os.path.isdir(d):
        continue
    what = open(d + ".what").read()
    hit = None
    for dirpath, _, files in os.walk(d):
        for f in files:
            data = open(os.path.join(dirpath, f), "rb").read()
            hit = hit or next(((p, f) for p in pieces if p in data), None)
    if hit:
        print("%s\t%s\t%s" % (what, hit[0].decode(), hit[1]))
PY
}

cmds=("types" "labels" "values service_name" "fetch --type $TYPE -o $T/w/out.dot"
	"compare --type $TYPE --save-inputs $T/w/ev -o $T/w/report.txt --dot $T/w/diff.dot")
for status in 400 401 403 500; do
	start_emu --echo-secrets "$status" --fault-count -1
	for auth in token basic userinfo; do
		for verbose in "" --verbose; do
			for cmd in "${cmds[@]}"; do
				rm -rf "$T/w" && mkdir -p "$T/w"
				# shellcheck disable=SC2086
				case $auth in
				token) PROFDIFF_URL=$URL PROFDIFF_TOKEN=$TOKEN run $cmd "${NEW_WIN[@]}" $verbose ;;
				basic) PROFDIFF_URL=$URL PROFDIFF_USERNAME=$USER_ PROFDIFF_PASSWORD=$PASS \
					run $cmd "${NEW_WIN[@]}" $verbose ;;
				userinfo) run $cmd "${NEW_WIN[@]}" $verbose \
					--url "http://$USER_:$(pct "$PASS")@${URL#http://}" ;;
				esac
				what="HTTP $status, $auth, ${cmd%% *}${verbose:+ --verbose}"
				[ "$RC" -eq 3 ] || bad "$what: want exit 3, got $RC"
				keep "$what"
			done
		done
	done
done

scan >"$T/leaks"
while IFS=$'\t' read -r what piece file; do
	RC=3 bad "$what: '$piece', a piece of a secret, in $file"
done <"$T/leaks"
[ -s "$T/leaks" ] || ok "no secret in any of $NRUN runs' outputs and files"

# ---- header injection: refused before any request, without echoing the value --------
start_emu
for var in PROFDIFF_TOKEN PROFDIFF_TENANT_ID GRAFANA_ORG_ID; do
	for bad in $'1\r\nX-Injected: yes' $'1\nX-Injected: yes'; do
		: >"$LOG"
		env "$var=$bad" PROFDIFF_URL="$URL" "$PROFDIFF" types "${NEW_WIN[@]}" >"$OUT" 2>"$ERR"
		RC=$?
		expect_rc 2 "$var with a line break is refused"
		expect_not_in "$ERR" "Injected" "$var: the refusal does not quote the value"
		expect_eq "$(nreqs)" 0 "$var: nothing was sent"
	done
done
done_testing
