#!/bin/sh
# Our server (sspicat -l under Wine, through the built DLL) against
# gnutls-cli: every TLS version, ALPN, the client's SNI, resumption with our
# tickets, KeyUpdate through SEC_I_RENEGOTIATE, close_notify both ways,
# protocol limits and a client certificate.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need gnutls-cli timeout

plan 16

# listen [sspicat options]: our server with the RSA PFX on the next port.
listen() {
    next_port
    sspicat_bg -l --cert "$CERTS/server-rsa.pfx" --wait 1500 "$@" "$port"
}
# cli INPUT [gnutls-cli options]: gnutls-cli validating against the test CA.
cli() {
    input=$1; shift
    printf '%s' "$input" | timeout 15 gnutls-cli --x509cafile "$CERTS/ca.pem" --sni-hostname localhost \
        --verify-hostname localhost -p "$port" "$@" 127.0.0.1 > "$work/server.log" 2>&1
    cli_rc=$?
    sspicat_wait
}

for v in 1.0 1.1 1.2 1.3; do
    listen --tls$v --send "hello-$v"
    cli "ping-$v
" --priority "NORMAL:-VERS-ALL:+VERS-TLS$v:+SHA1:+SIGN-RSA-SHA1"
    version_ok() { [ $rc = 0 ] && [ $cli_rc = 0 ] && has "$err" "protocol: +TLS $v\$" \
        && has "$out" "^ping-$v\$" && has "$work/server.log" "^hello-$v\$" \
        && has "$work/server.log" "Description: \(TLS$v-"; }
    check "TLS $v: gnutls-cli validates our server, data both ways" version_ok
    if [ $v = 1.3 ]; then
        # stdin ended: gnutls-cli sent close_notify; we answered with ours.
        peer_close() { has "$err" "close_notify received" && has "$work/server.log" "Peer has closed"; }
        check "the client closes: SEC_I_CONTEXT_EXPIRED on our side, our close_notify reaches it" peer_close
    fi
done

# We close: gnutls-cli keeps its input open; we close after 1 s of silence.
listen --wait 1000
(sleep 4; printf '') | timeout 15 gnutls-cli --x509cafile "$CERTS/ca.pem" --sni-hostname localhost \
    --verify-hostname localhost -p "$port" 127.0.0.1 > "$work/server.log" 2>&1
sspicat_wait
we_close() { [ $rc = 0 ] && has "$work/server.log" "Peer has closed the GnuTLS connection" \
    && ! has "$err" "close_notify received"; }
check "we close: gnutls-cli sees our close_notify" we_close

listen --alpn h2,http/1.1
cli "x
" --alpn http/1.1 --alpn h2
alpn_ok() { has "$err" "ALPN: +h2\$" && has "$work/server.log" "Application protocol: h2"; }
check "ALPN: our preference h2 from the client's http/1.1,h2" alpn_ok

listen
cli "x
"
check "SNI: our server reads localhost from the ClientHello" has "$err" "client SNI: +localhost\$"
listen
cli "x
" --disable-sni
check "SNI: none sent, none seen" has "$err" "client SNI: +\(none\)\$"

for v in 1.3 1.2; do
    listen -n 2 --tls$v
    # --waitresumption: our TLS 1.3 ticket follows the client's Finished.
    cli "x
" --resume --waitresumption
    resumed_ok() { [ $rc = 0 ] && has "$work/server.log" "This is a resumed session" \
        && [ "$(grep -Ec 'resumed: +yes$' "$err")" = 1 ]; }
    check "TLS $v: gnutls-cli --resume resumes with our server" resumed_ok
done

# %NO_TICKETS: gnutls-cli offers the session ID only; our session cache resumes it.
listen -n 2 --tls1.2
cli "x
" --resume --priority "NORMAL:%NO_TICKETS"
check "TLS 1.2 %NO_TICKETS: gnutls-cli --resume resumes by session ID" resumed_ok

# KeyUpdate from the client (TLS 1.3): a post-handshake message on our side.
listen -v
cli "a
^rekey1^
b
" --inline-commands
rekey_ok() { [ $rc = 0 ] && has "$err" "SEC_I_RENEGOTIATE" && has "$out" "^a\$" && has "$out" "^b\$"; }
check "TLS 1.3 KeyUpdate from the client: SEC_I_RENEGOTIATE, ASC answers, data continues" rekey_ok

# Protocol limits.
listen --tls1.2
cli "x
" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3"
limit_ok() { [ $rc = 1 ] && has "$err" "AcceptSecurityContext failed: SEC_E_ALGORITHM_MISMATCH" \
    && has "$work/server.log" "Received alert \[(40|70)\]"; }
check "server limited to TLS 1.2 vs TLS 1.3-only client: SEC_E_ALGORITHM_MISMATCH, client gets an alert" limit_ok
listen --min 1.3
cli "x
" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2"
limit_ok() { [ $rc = 1 ] && has "$err" "AcceptSecurityContext failed: SEC_E_ALGORITHM_MISMATCH"; }
check "server limited to TLS 1.3 vs TLS 1.2-only client: SEC_E_ALGORITHM_MISMATCH" limit_ok

# A client certificate, asked for by our server.
listen --request-cert
cli "x
" --x509certfile "$CERTS/client-rsa-chain.pem" --x509keyfile "$CERTS/client-rsa.key"
check "client certificate: our server sees its subject" has "$err" "peer subject: +CN=secur32-gnutls test client"
