#!/bin/sh
# The certificate validation matrix: tests/tls-peer.py serves certificates
# made by tests/make-validation-certs.sh on 127.0.0.1 (and their CRL over
# HTTP); tests/conformance/validation.exe connects to each through
# InitializeSecurityContext and checks the code Windows gives.
build=${SECUR32_BUILDDIR:-$PWD}
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
python=${PYTHON:-python3}
dir=$build/tests/validation
run="sh $src/tools/wine-run --dll-dir $build --prefix $build/tests/wineprefix --"

command -v "$python" >/dev/null 2>&1 || { echo "1..0 # SKIP python3 not found"; exit 0; }
command -v certtool >/dev/null 2>&1 || { echo "1..0 # SKIP certtool (gnutls-bin) not found"; exit 0; }
rm -rf "$dir"
mkdir -p "$dir"

servers=""
for s in valid inter-leaf expired notyet ip wildcard cn-only selfsigned unknown-ca added-leaf revoked \
         not-revoked offline ec-short ec-bad; do
    servers="$servers $s=$s-chain.pem,key.pem"
done
servers="$servers inter-missing=inter-leaf.pem,key.pem"
servers="$servers ask-cert=valid-chain.pem,key.pem,request=optional,ca=root.pem,tls=1.2"

"$python" "$src/tests/tls-peer.py" --dir "$dir" --timeout 240 \
    --gen "sh '$src/tests/make-validation-certs.sh' '$dir' {crl} {dead}" $servers >"$dir/peer.out" 2>&1 &
peer=$!
trap 'kill $peer 2>/dev/null' EXIT INT TERM
i=0
while [ ! -f "$dir/ready" ] && [ $i -lt 300 ] && kill -0 $peer 2>/dev/null; do sleep 0.1; i=$((i+1)); done
if [ ! -f "$dir/ready" ]; then
    echo "Bail out! the TLS peer did not start: $(head -c 300 "$dir/peer.out")"
    exit 1
fi
port() { awk -v n="$1" '$1 == n { print $2 }' "$dir/ports"; }

# openssl s_server asks for a client certificate and names its CA (Python's
# ssl module names none), for SECPKG_ATTR_ISSUER_LIST_EX.
# (its stdin: a FIFO opened read-write, which never ends, or it quits at once)
mkfifo "$dir/s_server.in"
timeout 240 openssl s_server -accept 127.0.0.1:0 -cert "$dir/valid-chain.pem" -key "$dir/key.pem" \
    -CAfile "$dir/root.pem" -verify 1 -no_tls1_3 -naccept 1 <>"$dir/s_server.in" >"$dir/s_server.log" 2>&1 &
sserver=$!
trap 'kill $peer $sserver 2>/dev/null' EXIT INT TERM
i=0
while ! grep -q "^ACCEPT" "$dir/s_server.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
sport=$(sed -n 's/^ACCEPT 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/s_server.log")

cat > "$dir/script" <<EOF
root add root.pem
case valid $(port valid) valid.test - OK chain=1
case valid-auto $(port valid) valid.test auto OK
case inter-sent $(port inter-leaf) inter.test - OK chain=2
case inter-not-sent $(port inter-missing) inter.test - UNTRUSTED_ROOT
case expired $(port expired) valid.test - CERT_EXPIRED
case not-yet-valid $(port notyet) valid.test - CERT_EXPIRED
case wrong-host $(port valid) other.test - WRONG_PRINCIPAL
case wrong-host-noname $(port valid) other.test noname OK
case ip-san $(port ip) 127.0.0.1 - OK
case ip-vs-dns-only $(port valid) 127.0.0.1 - WRONG_PRINCIPAL
case wildcard $(port wildcard) a.example.test - OK
case wildcard-two-labels $(port wildcard) b.a.example.test - WRONG_PRINCIPAL
case wildcard-bare-domain $(port wildcard) example.test - WRONG_PRINCIPAL
case cn-only $(port cn-only) cn.test - OK
case cn-only-wrong $(port cn-only) other.test - WRONG_PRINCIPAL
case self-signed $(port selfsigned) valid.test - UNTRUSTED_ROOT
case unknown-ca $(port unknown-ca) valid.test - UNTRUSTED_ROOT
case manual-unknown-ca $(port unknown-ca) valid.test manual OK chain=1
case iscmanual-unknown-ca $(port unknown-ca) valid.test iscmanual OK
case manual-expired $(port expired) valid.test manual OK
case manual-inter-sent $(port inter-leaf) wrong.test manual OK chain=2
case added-before $(port added-leaf) valid.test - UNTRUSTED_ROOT
root add added.pem
case added-after $(port added-leaf) valid.test - OK
root del added.pem
case added-removed $(port added-leaf) valid.test - UNTRUSTED_ROOT
case revoked-no-check $(port revoked) valid.test - OK
case revoked-chain $(port revoked) valid.test revchain REVOKED
case revoked-end-cert $(port revoked) valid.test revend REVOKED
case revoked-exclude-root $(port revoked) valid.test revexroot REVOKED
case revoked-ignore-offline $(port revoked) valid.test revchain+ignoffline REVOKED
case not-revoked $(port not-revoked) valid.test revchain OK
case crl-offline $(port offline) valid.test revchain REVOCATION_OFFLINE
case crl-offline-end-cert $(port offline) valid.test revend REVOCATION_OFFLINE
case crl-offline-ignored $(port offline) valid.test revchain+ignoffline OK
case no-cdp-revcheck $(port valid) valid.test revend NO_REVOCATION_CHECK
case no-cdp-ignore-no-check $(port valid) valid.test revend+ignnocheck OK
issuers client-cert-asked $(port ask-cert) 0
issuers client-cert-asked-with-cas ${sport:-1} 1
root add ecroot.pem
case ecdsa-short-signature $(port ec-short) valid.test - OK chain=1
case ecdsa-broken-signature $(port ec-bad) valid.test - UNTRUSTED_ROOT
root del ecroot.pem
root del root.pem
case root-removed $(port valid) valid.test - UNTRUSTED_ROOT
EOF

# VALIDATION_CASES=REGEX runs only the matching cases (for debugging).
if [ -n "${VALIDATION_CASES:-}" ]; then
    grep -E "^root|^case ($VALIDATION_CASES) " "$dir/script" > "$dir/script.only" && mv "$dir/script.only" "$dir/script"
fi
out=$($run "$build/tests/conformance/validation.exe" "Z:$dir/script" 2>"$dir/wine.err")
status=$?
echo "$out" | grep -v '^1\.\.'
n=$(echo "$out" | grep -c '^\(not \)\{0,1\}ok ')
failed=0
[ $status = 0 ] || failed=1
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
grep -q "GET /root.crl" "$dir/http.log" 2>/dev/null; check $? "crypt32/cryptnet fetched the CRL from the local HTTP server"
grep -q "^valid ok" "$dir/server.log"; check $? "the server saw completed handshakes"
grep -q "^ask-cert ok -" "$dir/server.log"; check $? "the server asking for a certificate completed without one"
[ -s "$dir/wine.err" ] && sed 's/^/# /' "$dir/wine.err" | head -20
echo "1..$n"
exit $failed
