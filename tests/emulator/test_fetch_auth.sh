# Credentials, tenant and Grafana datasource-proxy mode: the right headers reach the
# server, the wrong ones give a clear 401 naming the credential kind, and no secret is
# ever printed (stdout, stderr, --verbose traces).
. "$(dirname "$0")/lib.sh"

TOKEN='tok-Sup3rS3cret-4f9a'
PASS='pw-V3ryS3cret-77'
no_secret() { # no_secret DESC: neither secret in stdout or stderr
	if grep -Fq -e "$TOKEN" -e "$PASS" "$OUT" "$ERR"; then bad "$1: a secret was printed"; else ok "$1: no secret printed"; fi
}

# ---- bearer token --------------------------------------------------------------------
start_emu --bearer "$TOKEN"
export PROFDIFF_URL=$URL
run types "${BASE_WIN[@]}"
expect_rc 3 "no credentials -> 401"
expect_in "$ERR" "HTTP 401.*no credentials" "401 says no credentials were sent"
expect_one_line "401"

PROFDIFF_TOKEN=$TOKEN run types "${BASE_WIN[@]}" --verbose
expect_rc 0 "bearer token from PROFDIFF_TOKEN"
expect_eq "$(reqs '.[-1].headers.authorization')" "Bearer $TOKEN" "Authorization: Bearer sent"
expect_in "$ERR" "Authorization: <redacted>" "--verbose redacts Authorization"
expect_in "$ERR" "POST http://127.0.0.1:[0-9]+/querier.v1.QuerierService/ProfileTypes" "--verbose traces method and URL"
expect_in "$ERR" "< HTTP 200" "--verbose traces the status"
no_secret "--verbose with a bearer token"

PROFDIFF_TOKEN=wrong-$TOKEN run types "${BASE_WIN[@]}" --verbose
expect_rc 3 "wrong bearer token"
expect_in "$ERR" "HTTP 401.*bearer token from PROFDIFF_TOKEN" "401 names the token's source"
no_secret "401 with a wrong token"

GRAFANA_SERVICE_ACCOUNT_TOKEN=$TOKEN run types "${BASE_WIN[@]}"
expect_rc 0 "bearer token from GRAFANA_SERVICE_ACCOUNT_TOKEN"

printf '%s\n' "$TOKEN" >"$T/token"
run types "${BASE_WIN[@]}" --token-file "$T/token"
expect_rc 0 "--token-file (trailing newline trimmed)"
expect_eq "$(reqs '.[-1].headers.authorization')" "Bearer $TOKEN" "token file content sent"
printf 'nope\n' >"$T/badtoken"
PROFDIFF_TOKEN=$TOKEN run types "${BASE_WIN[@]}" --token-file "$T/badtoken"
expect_rc 3 "--token-file wins over PROFDIFF_TOKEN"
expect_in "$ERR" "bearer token from token file .*badtoken" "401 names the token file"
no_secret "--token-file"
run types "${BASE_WIN[@]}" --token-file "$T/missing"
expect_rc 3 "missing token file"

# ---- basic auth ----------------------------------------------------------------------
start_emu --basic "alice:$PASS"
export PROFDIFF_URL=$URL
PROFDIFF_USERNAME=alice PROFDIFF_PASSWORD=$PASS run labels "${BASE_WIN[@]}" --verbose
expect_rc 0 "basic auth"
expect_true "Authorization: Basic sent" test "$(reqs '.[-1].headers.authorization | startswith("Basic ")')" = true
no_secret "--verbose with basic auth"
PROFDIFF_USERNAME=alice PROFDIFF_PASSWORD=x$PASS PROFDIFF_TOKEN=$TOKEN run labels "${BASE_WIN[@]}"
expect_rc 3 "wrong password (basic wins over an env token in direct mode)"
expect_in "$ERR" "HTTP 401.*basic auth user alice" "401 names the basic-auth user"
no_secret "401 with basic auth"

# ---- a server that quotes the Authorization header back -------------------------------------
start_emu --bearer "other-$TOKEN" --echo-auth
export PROFDIFF_URL=$URL
PROFDIFF_TOKEN=$TOKEN run types "${BASE_WIN[@]}" --verbose
expect_rc 3 "401 quoting the bearer token"
expect_in "$ERR" "Authorization: Bearer <redacted>" "echoed token is redacted"
# The echo ends with the token: redaction shortens the text, and nothing of the
# token's end may follow (nor a stray NUL turned into '?').
expect_not_in "$ERR" "${TOKEN: -6}" "no tail of the echoed token"
expect_in "$ERR" "Authorization: Bearer <redacted>$" "the message ends with the redaction"
no_secret "server echoing a bearer token"
start_emu --basic "alice:other" --echo-auth
export PROFDIFF_URL=$URL
B64=$(printf '%s' "alice:$PASS" | base64)
PROFDIFF_USERNAME=alice PROFDIFF_PASSWORD=$PASS run types "${BASE_WIN[@]}"
expect_rc 3 "401 quoting basic credentials"
expect_not_in "$ERR" "$B64" "echoed basic credentials are redacted"
no_secret "server echoing basic credentials"

# A password that its own redaction would contain again ("*****" -> "*****") must not hang.
start_emu --bearer "other" --echo-auth
export PROFDIFF_URL=$URL
PROFDIFF_TOKEN='*****' timeout 10 "$PROFDIFF" types "${BASE_WIN[@]}" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 3 "a token of stars, echoed back, is scrubbed without hanging"

# ---- tenant ----------------------------------------------------------------------------
start_emu
export PROFDIFF_URL=$URL
run types "${BASE_WIN[@]}" --tenant team-a
expect_eq "$(reqs '.[-1].headers["x-scope-orgid"]')" "team-a" "--tenant sends X-Scope-OrgID"
PROFDIFF_TENANT_ID=team-b run fetch --type "$TYPE" "${BASE_WIN[@]}"
expect_eq "$(reqs '.[-1].headers["x-scope-orgid"]')" "team-b" "PROFDIFF_TENANT_ID sends X-Scope-OrgID"
expect_eq "$(reqs '.[-1].headers["x-grafana-org-id"] // "none"')" "none" "no Grafana org header in direct mode"

# ---- Grafana datasource proxy ---------------------------------------------------------------
start_emu --datasource pyro --bearer "$TOKEN"
unset PROFDIFF_URL
export GRAFANA_URL=$URL
GRAFANA_SERVICE_ACCOUNT_TOKEN=$TOKEN PROFDIFF_TENANT_ID=team-b GRAFANA_ORG_ID=3 \
	run types "${BASE_WIN[@]}" --datasource pyro
expect_rc 0 "types through Grafana (GRAFANA_URL, GRAFANA_SERVICE_ACCOUNT_TOKEN)"
expect_eq "$(reqs '[.[] | .method + " " + .path] | join(",")')" \
	"GET /api/datasources/uid/pyro,POST /api/datasources/proxy/uid/pyro/querier.v1.QuerierService/ProfileTypes" \
	"pre-flight lookup, then the proxied Connect call"
expect_eq "$(reqs '[.[] | .headers["x-scope-orgid"] // empty] | length')" "0" "no X-Scope-OrgID through Grafana"
expect_eq "$(reqs '[.[] | .headers["x-grafana-org-id"]] | unique | join(",")')" "3" "X-Grafana-Org-Id from GRAFANA_ORG_ID"
expect_eq "$(reqs '[.[] | .headers.authorization] | unique | join(",")')" "Bearer $TOKEN" "bearer token sent to Grafana"

start_emu --datasource pyro
export GRAFANA_URL=$URL
PROFDIFF_DATASOURCE=pyro run fetch --type "$TYPE" "${BASE_WIN[@]}" --query 'service_name="api"' --org-id 0
expect_rc 0 "fetch through Grafana (PROFDIFF_DATASOURCE)"
expect_true "fetch through Grafana is byte for byte" cmp -s "$OUT" "$PD_EMU_DATA/base.dot"
expect_eq "$(reqs '.[-1].path')" "/api/datasources/proxy/uid/pyro/pyroscope/render" "render under the proxy path"
expect_eq "$(reqs '.[-1].query.query')" "$TYPE{service_name=\"api\"}" "same render query through the proxy"
expect_eq "$(reqs '[.[] | .headers["x-grafana-org-id"] // empty] | length')" "0" "--org-id 0 sends no org header"

run values service_name "${BASE_WIN[@]}" --datasource pyro --url "$URL/" --org-id 7
expect_rc 0 "values through Grafana with --url (trailing slash)"
expect_eq "$(reqs '.[-1].headers["x-grafana-org-id"]')" "7" "--org-id 7"
expect_eq "$(reqs '.[-1].path')" "/api/datasources/proxy/uid/pyro/querier.v1.QuerierService/LabelValues" "no double slash"

n0=$(nreqs)
run labels "${BASE_WIN[@]}" --datasource nope
expect_rc 3 "unknown datasource"
expect_in "$ERR" "^profdiff: datasource with UID 'nope' not found. Please check if the datasource exists and is accessible$" \
	"mcp-grafana's not-found message"
expect_eq "$(( $(nreqs) - n0 ))" "1" "only the pre-flight was sent"
run labels "${BASE_WIN[@]}" --datasource pyro --tenant x
expect_rc 2 "--tenant with --datasource is a usage error"
unset GRAFANA_URL
run labels "${BASE_WIN[@]}" --datasource pyro
expect_rc 2 "--datasource without any URL"

done_testing
