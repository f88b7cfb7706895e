#!/bin/sh
# Our client (sspicat under Wine, through the built DLL) against gnutls-serv:
# every TLS version, ALPN, SNI, TLS 1.3 tickets through SEC_I_RENEGOTIATE,
# resumption, close_notify, protocol limits and certificate validation.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need gnutls-serv timeout

plan 25

# serve PRIORITY [gnutls-serv options]: an echo server with the RSA certificate.
serve() {
    prio=$1; shift
    next_port
    start_server "Echo Server listening on IPv4" gnutls-serv --echo -a -p "$port" --priority "$prio" \
        --x509certfile "$CERTS/server-rsa-chain.pem" --x509keyfile "$CERTS/server-rsa.key" "$@"
}
# connect [sspicat options]: validating against the test CA by default.
connect() {
    run_sspicat --cafile "$CERTS/ca.pem" --sni localhost --wait 700 "$@" 127.0.0.1 "$port"
}

for v in 1.0 1.1 1.2 1.3; do
    serve "NORMAL:-VERS-ALL:+VERS-TLS$v:+SHA1:+SIGN-RSA-SHA1"
    connect --tls$v -v --send "ping-$v"
    version_ok() { [ $rc = 0 ] && has "$err" "protocol: +TLS $v\$" && has "$out" "^ping-$v\$" \
        && has "$err" "cipher suite: +TLS_[A-Z0-9_]+ \(0x[0-9a-f]{4}\)"; }
    check "TLS $v: handshake, validation against the CA, data echoed, IANA suite name" version_ok
    if [ $v = 1.3 ]; then
        tickets_ok() { has "$err" "SEC_I_RENEGOTIATE" && has "$err" "post-handshake message processed \(SEC_E_OK\)"; }
        check "TLS 1.3: the session ticket arrives as SEC_I_RENEGOTIATE and ISC answers SEC_E_OK" tickets_ok
    fi
done
stop_server

# ALPN: the server's preference among what the client offers.
serve NORMAL --alpn h2 --alpn http/1.1
connect --alpn h2,http/1.1 --send x
check "ALPN h2 offered h2,http/1.1: h2 negotiated" has "$err" "ALPN: +h2\$"
connect --alpn http/1.1 --send x
check "ALPN http/1.1 negotiated" has "$err" "ALPN: +http/1.1\$"
connect --send x
check "no ALPN offered: none negotiated" has "$err" "ALPN: +\(none\)\$"

# SNI: gnutls-serv prints the name it was given and refuses others.
serve NORMAL --sni-hostname localhost --sni-hostname-fatal
connect --send x
sni_ok() { [ $rc = 0 ] && has "$work/server.log" "server name.*: localhost"; }
check "SNI: the server sees localhost" sni_ok
run_sspicat --insecure --sni other.example --wait 500 127.0.0.1 "$port"
sni_bad() { [ $rc != 0 ] && has "$err" "SEC_E_WRONG_PRINCIPAL"; }
check "SNI: a server refusing other.example (unrecognized_name alert) gives SEC_E_WRONG_PRINCIPAL" sni_bad
run_sspicat --insecure --sni "" --wait 500 127.0.0.1 "$port"
check "no target name: no SNI sent, connection made" [ $rc = 0 ]
serve NORMAL
run_sspicat --insecure --send x --wait 500 127.0.0.1 "$port"
no_sni() { [ $rc = 0 ] && ! has "$work/server.log" "server name"; }
check "target name 127.0.0.1 (an IP literal): no SNI sent" no_sni

# Resumption on reconnect with the same credential, TLS 1.3 (tickets) and 1.2.
for v in 1.3 1.2; do
    serve "NORMAL:-VERS-ALL:+VERS-TLS$v"
    connect --tls$v --reconnect --send x
    resumed_ok() { [ $rc = 0 ] && [ "$(grep -Ec 'resumed: +no$' "$err")" = 1 ] \
        && [ "$(grep -Ec 'resumed: +yes$' "$err")" = 1 ]; }
    check "TLS $v: the second connection with the same credential is resumed" resumed_ok
done

# close_notify, both directions.  We close: gnutls-serv sees a clean end.
serve NORMAL
connect --send bye -v
stop_server
we_close() { [ $rc = 0 ] && has "$err" "sending [0-9]+ close_notify bytes" \
    && ! has "$work/server.log" "non-properly terminated|Error"; }
check "we close: close_notify sent, the server reports no error" we_close
# The peer closes: gnutls-serv --http answers one request, then says goodbye.
next_port
start_server "HTTP Server listening on IPv4" gnutls-serv --http -a -p "$port" \
    --x509certfile "$CERTS/server-rsa-chain.pem" --x509keyfile "$CERTS/server-rsa.key"
connect -v --send "GET / HTTP/1.0
" --wait 3000
peer_close() { [ $rc = 0 ] && has "$err" "SEC_I_CONTEXT_EXPIRED" && has "$err" "close_notify received" \
    && has "$out" "HTTP/1.[01] 200"; }
check "the peer closes: DecryptMessage gives SEC_I_CONTEXT_EXPIRED, sspicat exits 0" peer_close

# Protocol limits refused with the right code.
serve "NORMAL:-VERS-ALL:+VERS-TLS1.3"
connect --max 1.2
limit_ok() { [ $rc = 1 ] && has "$err" "SEC_E_ALGORITHM_MISMATCH"; }
check "client limited to TLS 1.2 vs TLS 1.3-only server: SEC_E_ALGORITHM_MISMATCH" limit_ok
connect --schannel-cred
check "SCHANNEL_CRED (no TLS 1.3) vs TLS 1.3-only server: SEC_E_ALGORITHM_MISMATCH" limit_ok
serve "NORMAL:-VERS-ALL:+VERS-TLS1.1:+SHA1:+SIGN-RSA-SHA1"
connect --min 1.2
check "client with TLS 1.2 minimum vs TLS 1.1-only server: SEC_E_ALGORITHM_MISMATCH" limit_ok
serve "NORMAL:-VERS-ALL:+VERS-TLS1.2"
connect --tls1.3
check "client limited to TLS 1.3 vs TLS 1.2-only server: SEC_E_ALGORITHM_MISMATCH" limit_ok
connect --schannel-cred --send x
schannel_ok() { [ $rc = 0 ] && has "$err" "protocol: +TLS 1.2\$"; }
check "SCHANNEL_CRED with system defaults: TLS 1.2" schannel_ok

# Validation: Schannel's automatic validation, the caller's own (--cafile).
serve NORMAL
run_sspicat --sni localhost --wait 500 127.0.0.1 "$port"
untrusted() { [ $rc = 1 ] && has "$err" "InitializeSecurityContext failed: SEC_E_UNTRUSTED_ROOT"; }
check "automatic validation: the test CA is not trusted: SEC_E_UNTRUSTED_ROOT" untrusted
connect --send x
check "--cafile: the chain validates against the test CA (exclusive root)" has "$err" "validation: +ok"
connect --sni other.example --send x
wrong_name() { [ $rc = 1 ] && has "$err" "SEC_E_WRONG_PRINCIPAL"; }
check "--cafile with target other.example: SEC_E_WRONG_PRINCIPAL" wrong_name
run_sspicat --insecure --sni localhost --send x --wait 500 127.0.0.1 "$port"
check "--insecure: manual validation, connection made" [ $rc = 0 ]
stop_server
