#!/bin/sh
# curl, the most common Schannel caller, as a real client of our DLL.
#
# curl.exe is Debian's curl source package cross-built for Windows with the
# Schannel backend only (tools/build-curl, cached under
# /var/cache/secur32-gnutls; tests/peers/curl.path names it).  It runs under
# Wine through tools/wine-run against gnutls-serv, openssl s_server and two
# Python peers on 127.0.0.1 (tests/peers/https-server.py for HTTP,
# tests/tls-peer.py for the validation and revocation cases), under three
# Windows-version settings of the prefix, because curl's Schannel code
# changes with them: below build 20348 it never enables TLS 1.3; below 6.2
# (Windows 7) it builds its own chain engine with the older config struct.
#
# Each check names the exact curl exit code and the message it expects.
# Checks that fail because of Wine 8's crypt32 (not our DLL) are TAP TODOs
# naming the Wine call; they are run, and would show up as passing if Wine
# got better.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need python3 openssl gnutls-serv certtool timeout sha256sum head

CURL=$(cat "$SECUR32_BUILDDIR/tests/peers/curl.path" 2>/dev/null || true)
[ -n "$CURL" ] && [ -f "$CURL" ] || {
    echo "1..0 # SKIP no curl.exe (tools/build-curl could not fetch or build Debian's curl source)"; exit 0; }
VALIDATION=$SECUR32_BUILDDIR/tests/conformance/validation.exe
run_wine() { timeout 120 sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$DLL_DIR" --prefix "$WINEPREFIX" -- "$@"; }

# ---- certificates: tls-peer.py makes them (tests/make-validation-certs.sh)
# and serves their CRL over HTTP; every leaf carries its CRL distribution
# point, as curl checks revocation by default (a leaf without one fails
# with CRYPT_E_NO_REVOCATION_CHECK, on Windows too).
v=$work/v
mkdir -p "$v"
python3 "$SECUR32_SRCDIR/tests/tls-peer.py" --dir "$v" --timeout 600 \
    --gen "sh '$SECUR32_SRCDIR/tests/make-validation-certs.sh' '$v' {crl} {dead}" > "$work/tls-peer.out" 2>&1 &
tls_peer=$!
i=0
while [ ! -f "$v/ready" ] && [ $i -lt 300 ] && kill -0 $tls_peer 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
[ -f "$v/ready" ] || { echo "Bail out! tls-peer.py did not start: $(head -c 300 "$work/tls-peer.out")"; exit 1; }
GOOD=not-revoked   # valid.test, issued by the root, CRL reachable, not on it

# Content: a small file and 50 MB of random bytes; 20 MB to upload.
www=$work/www
mkdir -p "$www"
echo "hello from the test server" > "$www/index.txt"
head -c 52428800 /dev/urandom > "$www/big.bin"
head -c 20971520 /dev/urandom > "$work/up.bin"
big_sum=$(sha256sum < "$www/big.bin" | cut -d' ' -f1)
up_sum=$(sha256sum < "$work/up.bin" | cut -d' ' -f1)

# ---- peers, each on its port of 127.0.0.1
pids=
# serve PORT LEAF [https-server.py options]: the Python HTTPS server with a leaf of $v.
serve() {
    p=$1; leaf=$2; shift 2
    python3 "$SECUR32_SRCDIR/tests/peers/https-server.py" --port "$p" --cert "$v/$leaf-chain.pem" \
        --key "$v/key.pem" --dir "$www" --log "$work/https-$p.log" --timeout 600 "$@" > "$work/https-$p.out" 2>&1 &
    pids="$pids $!"
}
HTTPS_PORT=4501;   serve $HTTPS_PORT $GOOD --alpn http/1.1
OLD_PORT=4502;     serve $OLD_PORT $GOOD --min 1.0 --max 1.1
UNKNOWN_PORT=4503; serve $UNKNOWN_PORT unknown-ca
EXPIRED_PORT=4504; serve $EXPIRED_PORT expired
REVOKED_PORT=4505; serve $REVOKED_PORT revoked
OFFLINE_PORT=4506; serve $OFFLINE_PORT offline
ASK_PORT=4507;     serve $ASK_PORT $GOOD --client-ca "$CERTS/ca.pem" --max 1.2
GNUTLS_PORT=4510
timeout 600 gnutls-serv --http --x509certfile "$v/$GOOD-chain.pem" --x509keyfile "$v/key.pem" \
    --port $GNUTLS_PORT > "$work/gnutls-serv.log" 2>&1 < /dev/null &
pids="$pids $!"
OPENSSL_PORT=4511
(cd "$www" && exec timeout 600 openssl s_server -accept 127.0.0.1:$OPENSSL_PORT -cert "$v/$GOOD-chain.pem" \
    -key "$v/key.pem" -WWW > "$work/s_server.log" 2>&1 < /dev/null) &
pids="$pids $!"
trap 'kill $tls_peer $pids 2>/dev/null; peers_cleanup' EXIT
# wait_log FILE REGEX: a peer said it listens.
wait_log() {
    i=0
    while ! has "$1" "$2" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}
for p in $HTTPS_PORT $OLD_PORT $UNKNOWN_PORT $EXPIRED_PORT $REVOKED_PORT $OFFLINE_PORT $ASK_PORT; do
    wait_log "$work/https-$p.out" '^ready'
done
wait_log "$work/gnutls-serv.log" 'listening'
wait_log "$work/s_server.log" '^ACCEPT'

# ---- running curl
out=$work/curl.out
err=$work/curl.err
# curl_run ARGS...: curl.exe under Wine, valid.test resolving to 127.0.0.1; sets rc.
RESOLVE=
for p in $HTTPS_PORT $OLD_PORT $UNKNOWN_PORT $EXPIRED_PORT $REVOKED_PORT $OFFLINE_PORT $ASK_PORT $GNUTLS_PORT \
         $OPENSSL_PORT; do
    RESOLVE="$RESOLVE --resolve valid.test:$p:127.0.0.1"
done
curl_run() {
    # shellcheck disable=SC2086
    timeout 120 sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$DLL_DIR" --prefix "$WINEPREFIX" -- "$CURL" \
        -sS $RESOLVE "$@" > "$out" 2> "$err" < /dev/null
    rc=$?
}
# url PORT [PATH]
url() { echo "https://valid.test:$1/${2:-index.txt}"; }
HELLO='^hello from the test server$'

show() {
    diag "curl exit $rc; stderr:"; diag "$(tail -n 12 "$err")"
    diag "stdout:"; diag "$(head -c 300 "$out")"
}
# expect DESC RC REGEX: curl exited RC and its stderr matches REGEX ("" = anything).
expect() {
    desc=$1; want=$2; re=$3
    if [ "$rc" = "$want" ] && { [ -z "$re" ] || has "$err" "$re"; }; then ok 0 "$desc"; else ok 1 "$desc"; show; fi
}
# expect_out DESC REGEX: exit 0 and stdout matches REGEX.
expect_out() {
    if [ "$rc" = 0 ] && has "$out" "$2"; then ok 0 "$1"; else ok 1 "$1"; show; fi
}
# xfail DESC WHY SIGNATURE: a check that fails because of Wine (TAP TODO);
# passes when curl exits 0, fails as known when stderr matches SIGNATURE,
# and any other failure is a plain failure.
xfail() {
    test_num=$((test_num + 1))
    if [ "$rc" = 0 ]; then echo "ok $test_num - $1 # TODO $2 (fixed?)"
    elif has "$err" "$3"; then echo "not ok $test_num - $1 # TODO $2"
    else echo "not ok $test_num - $1 (not the known Wine failure)"; show; fi
}
# last_conn FILE: the last connection line of a https-server.py log.
last_conn() { grep '^conn ' "$1" | tail -n 1; }

# ---- the Windows version the prefix reports
set_version() {   # win7 | win10 | 20348 (a build of 20348 or later)
    case $1 in
        20348) # Wine 10 has "win11" (build 22000) and takes the build number
               # only from it; Wine 8 has no "win11" (winecfg falls back to
               # win7) but takes CurrentBuildNumber from the registry.
               run_wine wine winecfg -v win11 >/dev/null 2>&1
               run_wine wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -v '^$' > "$work/ver"
               grep -Eq ' 10\.0\.2[2-9][0-9]{3}' "$work/ver" && return
               run_wine wine winecfg -v win10 >/dev/null 2>&1
               run_wine wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion' /v CurrentBuildNumber \
                   /t REG_SZ /d 20348 /f >/dev/null 2>&1
               run_wine wine reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion' /v CurrentBuild \
                   /t REG_SZ /d 20348 /f >/dev/null 2>&1 ;;
        *) run_wine wine winecfg -v "$1" >/dev/null 2>&1 ;;
    esac
    run_wine wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -v '^$' > "$work/ver"
}

# The test root in the prefix's CurrentUser\Root (validation.exe's script).
printf 'root add root.pem\n' > "$v/addroot"
run_wine "$VALIDATION" "$v/addroot" > "$work/addroot.out" 2>&1

LOG=$work/https-$HTTPS_PORT.log
: > "$LOG"
plan 80
# ---- the matrix, once per Windows version
for winver in win7 win10 20348; do
    set_version $winver
    case $winver in
        win7) want_ver=' 6\.1\.' ;; win10) want_ver=' 10\.0\.[0-9]+' ;; 20348) want_ver=' 10\.0\.(20348|2[2-9][0-9]{3})' ;;
    esac
    if grep -Eq "$want_ver" "$work/ver" && { [ $winver != win10 ] || ! grep -q 20348 "$work/ver"; }; then
        ok 0 "[$winver] the prefix reports $(cat "$work/ver")"
    else ok 1 "[$winver] the prefix reports $(cat "$work/ver")"; fi
    W="[$winver]"

    curl_run "$(url $HTTPS_PORT)"
    expect_out "$W GET from the Python server: exit 0, the page" "$HELLO"
    sleep 0.3
    last=$(last_conn "$LOG")
    case "$last" in *"close_notify=1"*) ok 0 "$W curl sent close_notify when it closed" ;;
        *) ok 1 "$W curl sent close_notify when it closed ($last)" ;; esac
    curl_run "$(url $HTTPS_PORT eof-notify)"
    expect_out "$W a body ending with the server's close_notify: exit 0" 'until the end'
    curl_run "$(url $HTTPS_PORT eof-abrupt)"
    expect "$W a body ending without close_notify: exit 56, 'server closed abruptly (missing close_notify)'" 56 \
        'schannel: server closed abruptly \(missing close_notify\)'
    curl_run "https://valid.test:$GNUTLS_PORT/"
    expect_out "$W GET from gnutls-serv --http: exit 0, its status page" 'GnuTLS'
    curl_run "$(url $OPENSSL_PORT)"
    expect_out "$W GET from openssl s_server -WWW: exit 0, the file" "$HELLO"

    # Protocol versions: curl asks for what the Windows version allows.
    curl_run --tlsv1.2 --tls-max 1.2 "$(url $HTTPS_PORT)"
    sleep 0.2
    if [ $rc = 0 ] && last_conn "$LOG" | grep -q 'version=TLSv1.2 '; then ok 0 "$W --tlsv1.2 --tls-max 1.2: exit 0 over TLS 1.2"
    else ok 1 "$W --tlsv1.2 --tls-max 1.2: exit 0 over TLS 1.2"; show; fi
    curl_run "$(url $HTTPS_PORT)"
    sleep 0.2
    if [ $winver = 20348 ]; then tls=1.3; else tls=1.2; fi
    if [ $rc = 0 ] && last_conn "$LOG" | grep -q "version=TLSv$tls "; then
        ok 0 "$W default versions: TLS $tls (curl enables TLS 1.3 only from build 20348)"
    else ok 1 "$W default versions: TLS $tls (curl enables TLS 1.3 only from build 20348)"; show; fi
    # --tlsv1.3 below build 20348: curl's range (1.3 up to its 1.2 ceiling)
    # is empty.  With SCHANNEL_CRED (below build 17763) an empty
    # grbitEnabledProtocols means the system default, so the connection
    # works; with SCH_CREDENTIALS everything is disabled and Schannel refuses
    # the credential.
    curl_run --tlsv1.3 "$(url $HTTPS_PORT)"
    case $winver in
        20348) expect_out "$W --tlsv1.3: exit 0" "$HELLO" ;;
        win7) expect_out "$W --tlsv1.3 (SCHANNEL_CRED, no protocols given: the default): exit 0" "$HELLO" ;;
        *) expect "$W --tlsv1.3: exit 35, 'AcquireCredentialsHandle failed: SEC_E_ALGORITHM_MISMATCH'" 35 \
            'schannel: AcquireCredentialsHandle failed: SEC_E_ALGORITHM_MISMATCH' ;;
    esac
    curl_run --tlsv1.2 "$(url $OLD_PORT)"
    expect "$W --tlsv1.2 against a TLS 1.0/1.1 server: exit 35, SEC_E_ALGORITHM_MISMATCH" 35 \
        'schannel: next InitializeSecurityContext failed: SEC_E_ALGORITHM_MISMATCH'
    # --tls-max 1.1 with curl's minimum of TLS 1.2: an empty range again.
    curl_run --tls-max 1.1 "$(url $HTTPS_PORT)"
    if [ $winver = win7 ]; then
        expect "$W --tls-max 1.1 against a TLS 1.2+ server: exit 35, SEC_E_ALGORITHM_MISMATCH" 35 \
            'schannel: next InitializeSecurityContext failed: SEC_E_ALGORITHM_MISMATCH'
    else
        expect "$W --tls-max 1.1: exit 35, 'AcquireCredentialsHandle failed: SEC_E_ALGORITHM_MISMATCH'" 35 \
            'schannel: AcquireCredentialsHandle failed: SEC_E_ALGORITHM_MISMATCH'
    fi

    # ALPN: curl under Wine offers it (Wine >= 6); without nghttp2 only http/1.1.
    curl_run -v "$(url $HTTPS_PORT)"
    if [ $rc = 0 ] && has "$err" 'ALPN: curl offers http/1.1' && has "$err" 'ALPN: server accepted http/1.1'; then
        ok 0 "$W ALPN: curl offers http/1.1 and the server accepts it"
    else ok 1 "$W ALPN: curl offers http/1.1 and the server accepts it"; show; fi
    curl_run --http2 "$(url $HTTPS_PORT)"
    expect "$W --http2 (this curl has no nghttp2): exit 2, 'the installed libcurl version does not support this'" 2 \
        'option --http2: the installed libcurl version does not support this'

    # Validation against the prefix's root store.
    curl_run "$(url $UNKNOWN_PORT)"
    expect "$W unknown CA: exit 60, 'schannel: SEC_E_UNTRUSTED_ROOT'" 60 'schannel: SEC_E_UNTRUSTED_ROOT'
    curl_run -k "$(url $UNKNOWN_PORT)"
    expect_out "$W unknown CA with -k: exit 0" "$HELLO"
    curl_run --resolve "other.test:$HTTPS_PORT:127.0.0.1" "https://other.test:$HTTPS_PORT/index.txt"
    expect "$W wrong host name: exit 60, 'SNI or certificate check failed: SEC_E_WRONG_PRINCIPAL'" 60 \
        'schannel: SNI or certificate check failed: SEC_E_WRONG_PRINCIPAL'
    curl_run "$(url $EXPIRED_PORT)"
    expect "$W expired certificate: exit 35, SEC_E_CERT_EXPIRED" 35 \
        'schannel: next InitializeSecurityContext failed: SEC_E_CERT_EXPIRED'

    # Revocation (the CRL is served over HTTP on 127.0.0.1; the good leaf's
    # CRL was checked by every GET above).
    curl_run "$(url $REVOKED_PORT)"
    expect "$W revoked: exit 35, CRYPT_E_REVOKED" 35 'schannel: next InitializeSecurityContext failed: CRYPT_E_REVOKED'
    curl_run --ssl-no-revoke "$(url $REVOKED_PORT)"
    expect_out "$W revoked with --ssl-no-revoke: exit 0" "$HELLO"
    curl_run "$(url $OFFLINE_PORT)"
    expect "$W CRL unreachable: exit 35, CRYPT_E_REVOCATION_OFFLINE" 35 \
        'schannel: next InitializeSecurityContext failed: CRYPT_E_REVOCATION_OFFLINE'
    curl_run --ssl-revoke-best-effort "$(url $OFFLINE_PORT)"
    expect_out "$W CRL unreachable with --ssl-revoke-best-effort: exit 0" "$HELLO"

    # Session reuse: two URLs over two connections (the server is asked to
    # close after each), the second resumed from the first.
    n0=$(grep -c '^conn ' "$LOG")
    curl_run -H 'Connection: close' "$(url $HTTPS_PORT)" "$(url $HTTPS_PORT)"
    sleep 0.3
    n1=$(grep -c '^conn ' "$LOG")
    second=$(last_conn "$LOG")
    if [ $rc = 0 ] && [ $((n1 - n0)) = 2 ] && echo "$second" | grep -q 'reused=1'; then
        ok 0 "$W two URLs over two connections: exit 0, the second resumes the session"
    else ok 1 "$W two URLs over two connections: the second resumes the session ($((n1 - n0)) conns, $second)"; show; fi

    # Bulk data both ways, checked end to end.
    curl_run -o "$work/down.bin" "$(url $HTTPS_PORT big.bin)"
    got=$(sha256sum < "$work/down.bin" 2>/dev/null | cut -d' ' -f1)
    if [ $rc = 0 ] && [ "$got" = "$big_sum" ]; then ok 0 "$W 50 MB download: exit 0, SHA-256 matches"
    else ok 1 "$W 50 MB download: exit 0, SHA-256 matches"; show; fi
    rm -f "$work/down.bin"
    curl_run -T "$work/up.bin" "$(url $HTTPS_PORT upload)"
    if [ $rc = 0 ] && has "$out" "^$up_sum\$"; then ok 0 "$W 20 MB upload: exit 0, the server's SHA-256 matches"
    else ok 1 "$W 20 MB upload: exit 0, the server's SHA-256 matches"; show; fi

    # --cacert: curl validates by hand with a chain engine of its own.
    curl_run --cacert "$v/root.pem" "$(url $HTTPS_PORT)"
    expect_out "$W --cacert with the test root (curl's own chain engine): exit 0" "$HELLO"
done

# ---- a client certificate (the server asks, naming the test CA)
curl_run --cert "$CERTS/client-rsa.pfx" --cert-type P12 "$(url $ASK_PORT)"
xfail "client certificate from a .p12 file: exit 0" \
    "Wine's crypt32 (8.0 and 10.0): CertFindCertificateInStore(CERT_FIND_HAS_PRIVATE_KEY) is not implemented: curl exits 58, CRYPT_E_NOT_FOUND" \
    'curl: \(58\) schannel: Failed to get certificate from file .*client-rsa.pfx, last error is 0x80092004'
# The same certificate imported into the prefix's CurrentUser\MY (with its
# key), named by thumbprint as curl's --cert takes it from a store.
thumb=$(run_wine "$SECUR32_BUILDDIR/tests/peers/import_pfx.exe" "$CERTS/client-rsa.pfx" 2> "$work/import.err" | tr -d '\r')
curl_run --cert "CurrentUser\\MY\\$thumb" "$(url $ASK_PORT)"
sleep 0.3
seen=$(last_conn "$work/https-$ASK_PORT.log")
if [ $rc = 0 ] && has "$out" "$HELLO" && echo "$seen" | grep -q 'client=.*commonName='; then
    ok 0 "client certificate from CurrentUser\\MY by thumbprint: exit 0, the server verified it ($seen)"
else
    ok 1 "client certificate from CurrentUser\\MY by thumbprint: exit 0, the server verified it (thumbprint '$thumb', $seen)"
    show; diag "$(cat "$work/import.err")"
fi
