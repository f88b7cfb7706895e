#!/bin/sh
# Our client (sspicat under Wine, through the built DLL) against
# openssl s_server: every TLS version, ALPN, SNI, TLS 1.3 tickets, resumption,
# close_notify both ways and protocol limits.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need openssl timeout

plan 16

# serve [s_server options]: on 127.0.0.1 with the RSA certificate.
serve() {
    next_port
    start_server "^ACCEPT" openssl s_server -accept "127.0.0.1:$port" -cert "$CERTS/server-rsa.pem" \
        -key "$CERTS/server-rsa.key" -cert_chain "$CERTS/ca.pem" "$@"
}
connect() {
    run_sspicat --cafile "$CERTS/ca.pem" --sni localhost --wait 700 "$@" 127.0.0.1 "$port"
}

for v in 1.0 1.1 1.2 1.3; do
    case $v in
        1.0) serve -rev -tls1 -cipher 'DEFAULT:@SECLEVEL=0' ;;
        1.1) serve -rev -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' ;;
        1.2) serve -rev -tls1_2 ;;
        1.3) serve -rev -tls1_3 ;;
    esac
    connect --tls$v -v --send "ping-$v"
    reversed=$(printf '%s' "ping-$v" | rev)
    version_ok() { [ $rc = 0 ] && has "$err" "protocol: +TLS $v\$" && has "$out" "^$reversed\$" \
        && has "$err" "cipher suite: +TLS_[A-Z0-9_]+ \(0x[0-9a-f]{4}\)"; }
    check "TLS $v: handshake, validation, data answered by s_server -rev" version_ok
    if [ $v = 1.3 ]; then
        traced() { has "$err" "^[0-9a-f]{4}:trace:schannel:[a-z_]+ client .* sent CLIENT HELLO" \
            && has "$err" "^[0-9a-f]{4}:trace:schannel:handshake_step client:"; }
        check "sspicat -v shows the DLL's own schannel trace (both halves)" traced
        tickets_ok() { [ "$(grep -c 'SEC_I_RENEGOTIATE' "$err")" -ge 2 ] \
            && has "$err" "post-handshake message processed \(SEC_E_OK\)"; }
        check "TLS 1.3: both of s_server's tickets arrive through SEC_I_RENEGOTIATE" tickets_ok
        stop_server
        we_close() { [ $rc = 0 ] && has "$err" "sending [0-9]+ close_notify bytes" \
            && has "$work/server.log" "CONNECTION CLOSED"; }
        check "we close: s_server sees close_notify (CONNECTION CLOSED)" we_close
    fi
done

serve -rev -alpn h2,http/1.1
connect --alpn http/1.1,h2 --send x
check "ALPN: the server's preference h2 among http/1.1,h2" has "$err" "ALPN: +h2\$"
connect --alpn spdy/3 --send x
alpn_bad() { [ $rc = 1 ] && has "$err" "SEC_E_APPLICATION_PROTOCOL_MISMATCH"; }
check "ALPN: s_server's no_application_protocol alert gives SEC_E_APPLICATION_PROTOCOL_MISMATCH" alpn_bad

serve -rev -servername localhost -servername_fatal -cert2 "$CERTS/server-rsa.pem" -key2 "$CERTS/server-rsa.key"
connect --send x
check "SNI localhost accepted by s_server -servername localhost" [ $rc = 0 ]
run_sspicat --insecure --sni other.example --wait 500 127.0.0.1 "$port"
sni_bad() { [ $rc = 1 ] && has "$err" "SEC_E_WRONG_PRINCIPAL"; }
check "SNI other.example refused by s_server (unrecognized_name): SEC_E_WRONG_PRINCIPAL" sni_bad

for v in 1.3 1.2; do
    case $v in 1.3) serve -rev -tls1_3 ;; 1.2) serve -rev -tls1_2 ;; esac
    connect --reconnect --send x
    resumed_ok() { [ $rc = 0 ] && [ "$(grep -Ec 'resumed: +no$' "$err")" = 1 ] \
        && [ "$(grep -Ec 'resumed: +yes$' "$err")" = 1 ] && has "$err" "protocol: +TLS $v\$"; }
    check "TLS $v: reconnect with the same credential resumes the session" resumed_ok
done

# The peer closes: s_server -www answers one request and closes with close_notify.
serve -www
connect -v --send "GET / HTTP/1.0
" --wait 3000
peer_close() { [ $rc = 0 ] && has "$err" "SEC_I_CONTEXT_EXPIRED" && has "$err" "close_notify received" \
    && has "$out" "HTTP/1.0 200"; }
check "the peer closes: SEC_I_CONTEXT_EXPIRED, sspicat exits 0" peer_close

serve -rev -tls1_3
connect --max 1.2
limit_ok() { [ $rc = 1 ] && has "$err" "SEC_E_ALGORITHM_MISMATCH"; }
check "client limited to TLS 1.2 vs s_server -tls1_3: SEC_E_ALGORITHM_MISMATCH" limit_ok
serve -rev -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
connect
check "client with default protocols vs s_server -tls1_1: SEC_E_ALGORITHM_MISMATCH" limit_ok
stop_server
