#!/bin/sh
# Our server (sspicat -l under Wine, through the built DLL) against
# openssl s_client: every TLS version, ALPN, SNI, resumption, close_notify
# both ways and protocol limits.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need openssl timeout

plan 13

listen() {
    next_port
    sspicat_bg -l --cert "$CERTS/server-rsa.pfx" --wait 1000 "$@" "$port"
}
# client INPUT [s_client options]: verifying our certificate and name.
client() {
    input=$1; shift
    printf '%s' "$input" | timeout 15 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
        -verify_hostname localhost -CAfile "$CERTS/ca.pem" -verify_return_error "$@" > "$work/server.log" 2>&1
    cli_rc=$?
    sspicat_wait
}

for v in 1.0 1.1 1.2 1.3; do
    case $v in
        1.0) opts="-tls1 -cipher DEFAULT:@SECLEVEL=0" ;;
        1.1) opts="-tls1_1 -cipher DEFAULT:@SECLEVEL=0" ;;
        1.2) opts="-tls1_2" ;;
        1.3) opts="-tls1_3" ;;
    esac
    listen --tls$v --send "hello-$v"
    # shellcheck disable=SC2086
    client "ping-$v
" -ign_eof $opts
    version_ok() { [ $rc = 0 ] && [ $cli_rc = 0 ] && has "$err" "protocol: +TLS $v\$" \
        && has "$out" "^ping-$v\$" && has "$work/server.log" "^hello-$v\$" \
        && has "$work/server.log" "Verify return code: 0 \(ok\)"; }
    check "TLS $v: s_client verifies our server, data both ways" version_ok
done
# With -ign_eof s_client waits for us: we closed with close_notify.
we_close() { ! has "$err" "close_notify received" && has "$work/server.log" "^(closed|read:errno=0)"; }
check "we close: s_client sees our close_notify" we_close

# TLS 1.2 renegotiation asked by the client (s_client's "R" command): our
# DecryptMessage says SEC_I_RENEGOTIATE, AcceptSecurityContext runs the new
# handshake to SEC_E_OK, and data flows on.
# (s_client takes its "R" command only without -ign_eof.)
listen --tls1.2 -v --wait 3000
(printf 'R\n'; sleep 2; printf 'ping-reneg\n'; sleep 1) | timeout 15 openssl s_client -connect "127.0.0.1:$port" \
    -servername localhost -CAfile "$CERTS/ca.pem" -verify_return_error -tls1_2 > "$work/server.log" 2>&1
sspicat_wait
reneg_ok() { [ $rc = 0 ] && has "$work/server.log" "RENEGOTIATING" && has "$err" "SEC_I_RENEGOTIATE" \
    && has "$err" "post-handshake message processed \(SEC_E_OK\)" && has "$out" "^ping-reneg\$"; }
check "TLS 1.2: a client-initiated renegotiation completes through ASC, data flows after it" reneg_ok

listen --send "hello"
client "x
"
check "the client closes (s_client at end of input): SEC_I_CONTEXT_EXPIRED on our side" \
    has "$err" "close_notify received"

listen --alpn http/1.1,h2
client "x
" -ign_eof -alpn h2,http/1.1
alpn_ok() { has "$err" "ALPN: +http/1.1\$" && has "$work/server.log" "ALPN protocol: http/1.1"; }
check "ALPN: our preference http/1.1 from s_client's h2,http/1.1" alpn_ok
check "SNI: our server reads localhost from s_client's ClientHello" has "$err" "client SNI: +localhost\$"

# s_client [options]: one more connection to the running server.
s_client() {
    printf 'x\n' | timeout 15 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
        -CAfile "$CERTS/ca.pem" -ign_eof "$@" > "$work/server.log" 2>&1
}
for v in 1.3 1.2; do
    listen -n 2 --tls$v
    s_client -sess_out "$work/session"
    s_client -sess_in "$work/session"
    sspicat_wait
    resumed_ok() { has "$work/server.log" "^Reused, TLSv$v" && [ "$(grep -Ec 'resumed: +yes$' "$err")" = 1 ]; }
    check "TLS $v: s_client -sess_in resumes with our server" resumed_ok
done

# Without tickets s_client can only offer the session ID: our server's
# session cache resumes it.
listen -n 2 --tls1.2
s_client -no_ticket -sess_out "$work/session"
s_client -no_ticket -sess_in "$work/session"
sspicat_wait
check "TLS 1.2 -no_ticket: s_client -sess_in resumes by session ID" resumed_ok

listen --tls1.2
client "x
" -tls1_3
limit_ok() { [ $rc = 1 ] && has "$err" "AcceptSecurityContext failed: SEC_E_ALGORITHM_MISMATCH" \
    && has "$work/server.log" "alert (protocol version|handshake failure)"; }
check "server limited to TLS 1.2 vs s_client -tls1_3: SEC_E_ALGORITHM_MISMATCH, alert sent" limit_ok
