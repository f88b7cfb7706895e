# tests/peers/http-stack.sh: one of Wine's own HTTP stacks (WinHTTP or
# WinINet, driven by a small program of ours) fetching a page from
# openssl s_server -www over our Schannel.  Sourced by winhttp.sh and
# wininet.sh with STACK (the name) and GET_EXE (the program) set.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need openssl timeout

plan 4
GET=$SECUR32_BUILDDIR/tests/peers/$GET_EXE
get() {
    timeout 60 sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$DLL_DIR" --prefix "$WINEPREFIX" -- \
        "$GET" "$port" "$@" > "$out" 2> "$err" < /dev/null
    rc=$?
}
out=$work/get.out
err=$work/get.err

# A server pinned to TLS 1.2 and one that offers everything it has (Wine's
# WinHTTP asks with SCHANNEL_CRED, so, as on Windows, it speaks up to TLS 1.2).
for v in tls1_2 any; do
    next_port
    # shellcheck disable=SC2046
    start_server "^ACCEPT" openssl s_server -accept "127.0.0.1:$port" -cert "$CERTS/server-rsa.pem" \
        -key "$CERTS/server-rsa.key" -cert_chain "$CERTS/ca.pem" -www $([ $v = any ] || echo -$v)
    get ignore-ca
    fetched() { [ $rc = 0 ] && has "$out" "^secur32: ours" && has "$out" "^status 200, [1-9][0-9]* bytes"; }
    check "$STACK GET (server: $v) through our secur32, test CA accepted by the caller: 200 and a page" fetched
done
# Without the caller's flag, the test CA is not trusted: no page.
get
refused() { [ $rc != 0 ] && has "$out" "^secur32: ours" && has "$out" "^failed: "; }
check "$STACK refuses the server whose CA the prefix does not trust" refused
stop_server
plan_served() { [ -s "$work/server.log" ]; }
check "s_server saw the requests" plan_served
