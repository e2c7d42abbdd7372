# HTTPS end to end: the emulator serves TLS with a throwaway CA made here with openssl
# (server cert for IP:127.0.0.1 and DNS:localhost). Verification is on by default, so
# only --cacert or --insecure get through; a cert for another host name fails even with
# the right CA. Loopback only.
. "$(dirname "$0")/lib.sh"
# --source dot: these checks read the render requests' query strings (test_fetch_source.sh
# covers --source).
command -v openssl >/dev/null || { echo "openssl is required"; exit 1; }
# Only the CA bundle a test names is trusted (no system-wide overrides).
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE https_proxy HTTPS_PROXY all_proxy ALL_PROXY

# ---- throwaway PKI -----------------------------------------------------------------------
P=$T/pki
mkdir -p "$P"
cat >"$P/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[good]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[wrong]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:example.invalid
authorityKeyIdentifier = keyid
EOF
ossl() { openssl "$@" 2>>"$P/openssl.err" || { echo "openssl $1 failed"; cat "$P/openssl.err"; exit 1; }; }
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
# mkca NAME: self-signed CA NAME.pem / NAME.key
mkca() {
	ossl req -x509 -config "$P/openssl.cnf" -extensions ca "${newkey[@]}" -days 2 \
		-subj "/CN=profdiff test $1" -keyout "$P/$1.key" -out "$P/$1.pem"
}
# mkcert NAME SECTION CN SERIAL: NAME.pem / NAME.key signed by ca
mkcert() {
	ossl req -new -config "$P/openssl.cnf" "${newkey[@]}" -subj "/CN=$3" \
		-keyout "$P/$1.key" -out "$P/$1.csr"
	ossl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -set_serial "$4" \
		-days 2 -extfile "$P/openssl.cnf" -extensions "$2" -out "$P/$1.pem"
}
mkca ca
mkca otherca
mkcert good good 127.0.0.1 101
mkcert wrong wrong example.invalid 102
CA=$P/ca.pem

# ---- a good certificate ------------------------------------------------------------------
start_emu --tls-cert "$P/good.pem" --tls-key "$P/good.key"
expect_true "emulator URL is https" test "${URL%%://*}" = https

run types "${BASE_WIN[@]}" --url "$URL"
expect_rc 3 "no --cacert: unknown CA"
expect_one_line "no --cacert"
expect_in "$ERR" "^profdiff: ProfileTypes: TLS error talking to https://127\.0\.0\.1:[0-9]+/querier\.v1\.QuerierService/ProfileTypes: .*\(use --cacert FILE, or --insecure to skip verification\)$" \
	"TLS error suggests --cacert and --insecure"
expect_eq "$(nreqs)" "0" "no request got past the handshake"

run types "${BASE_WIN[@]}" --url "$URL" --verbose
expect_rc 3 "no --cacert, --verbose"
expect_not_in "$ERR" "retrying" "TLS errors are not retried"

run types "${BASE_WIN[@]}" --url "$URL" --cacert "$P/otherca.pem"
expect_rc 3 "--cacert with an unrelated CA"
expect_in "$ERR" "TLS error talking to .*--cacert" "unrelated CA: TLS error"

run types "${BASE_WIN[@]}" --url "$URL" --cacert "$CA"
expect_rc 0 "--cacert"
expect_eq "$(cat "$OUT")" "$(printf '%s\n' $TYPE memory:alloc_space:bytes:space:bytes)" \
	"types over HTTPS with --cacert"
expect_eq "$(nreqs)" "1" "the HTTPS server logged the request"
expect_eq "$(reqs '.[-1] | [.method, .path, (.status | tostring)] | join(" ")')" \
	"POST /querier.v1.QuerierService/ProfileTypes 200" "request as over plain HTTP"

run types "${BASE_WIN[@]}" --url "https://localhost:${URL##*:}" --cacert "$CA"
expect_rc 0 "--cacert, host name localhost (SAN DNS)"

run types "${BASE_WIN[@]}" --url "$URL" --insecure
expect_rc 0 "--insecure"
expect_eq "$(head -1 "$OUT")" "$TYPE" "types over HTTPS with --insecure"

# ---- fetch and compare over HTTPS ----------------------------------------------------------
export PROFDIFF_URL=$URL
run fetch --type "$TYPE" "${BASE_WIN[@]}" --cacert "$CA"
expect_rc 0 "fetch over HTTPS"
expect_true "fetch: DOT byte for byte" cmp -s "$OUT" "$PD_EMU_DATA/base.dot"

run fetch --type "$TYPE" "${BASE_WIN[@]}"
expect_rc 3 "fetch without --cacert"
expect_in "$ERR" "^profdiff: render: TLS error talking to https://127\.0\.0\.1:[0-9]+/pyroscope/render: .*--insecure" \
	"fetch: TLS error"

run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --format json --cacert "$CA"
expect_rc 0 "compare over HTTPS"
expect_eq "$(jq -r '.functions[0].name' "$OUT")" "main.compress" "compare: report names the regressed function"
expect_eq "$(reqs '[.[] | select(.path == "/pyroscope/render")] | length')" "3" \
	"compare fetched both windows from the HTTPS server"

run compare --source dot --type "$TYPE" "${NEW_WIN[@]}" --format json
expect_rc 3 "compare without --cacert"
expect_one_line "compare without --cacert"
unset PROFDIFF_URL

# ---- a certificate for another host name ----------------------------------------------------
start_emu --tls-cert "$P/wrong.pem" --tls-key "$P/wrong.key"
run types "${BASE_WIN[@]}" --url "$URL" --cacert "$CA"
expect_rc 3 "wrong host name, right CA: host verification on"
expect_one_line "wrong host name"
expect_in "$ERR" "TLS error talking to https://127\.0\.0\.1:[0-9]+/.*--cacert" "wrong host name: TLS error"
expect_eq "$(nreqs)" "0" "wrong host name: no request sent"
run types "${BASE_WIN[@]}" --url "$URL" --insecure
expect_rc 0 "wrong host name with --insecure"

done_testing
