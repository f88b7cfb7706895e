#!/bin/sh
# DTLS over UDP on loopback against real peers: our client (sspicat --dtls
# under Wine, through the built DLL) against gnutls-serv --udp and openssl
# s_server -dtls, our server against gnutls-cli --udp and openssl s_client
# -dtls; DTLS 1.0 and 1.2, data both ways, the DTLS-SRTP profile and the
# SRTP keying material compared with what the peer prints.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need gnutls-serv gnutls-cli openssl timeout

plan 18

SRTP=SRTP_AES128_CM_HMAC_SHA1_80
LABEL=EXTRACTOR-dtls_srtp
KEYLEN=60

# our_key / peer_key FILE: the keying material printed, upper case hex.
our_key() { sed -n 's/^ *keying material: *\([0-9A-Fa-f]*\).*/\1/p' "$err" | tr a-f A-F; }
peer_key() { sed -n -e 's/^- Key material: *\([0-9A-Fa-f]*\).*/\1/p' -e 's/^ *Keying material: *\([0-9A-Fa-f]*\).*/\1/p' \
    "$work/server.log" | head -n 1 | tr a-f A-F; }
keys_equal() { k=$(our_key); [ -n "$k" ] && [ ${#k} = $((KEYLEN * 2)) ] && [ "$k" = "$(peer_key)" ]; }

# ---- our client against gnutls-serv --udp (an echo server)
for v in 1.0 1.2; do
    next_port
    start_server "UDP Echo Server listening on IPv4" gnutls-serv --udp --echo -p "$port" \
        --priority "NORMAL:-VERS-ALL:+VERS-DTLS$v" --srtp-profiles=$SRTP \
        --x509certfile "$CERTS/server-rsa-chain.pem" --x509keyfile "$CERTS/server-rsa.key"
    run_sspicat --dtls$v --cafile "$CERTS/ca.pem" --sni localhost --srtp $SRTP --keymat $KEYLEN \
        --send "ping-$v" --wait 700 127.0.0.1 "$port"
    client_ok() { [ $rc = 0 ] && has "$err" "protocol: +DTLS $v\$" && has "$out" "^ping-$v\$"; }
    check "DTLS $v: our client and gnutls-serv --udp, validated against the CA, data echoed" client_ok
    check "DTLS $v: SRTP profile $SRTP negotiated with gnutls-serv" has "$err" "SRTP profile: +$SRTP"
    stop_server
done

# ---- our server against gnutls-cli --udp
for v in 1.0 1.2; do
    next_port
    sspicat_bg -l --dtls$v --cert "$CERTS/server-rsa.pfx" --srtp $SRTP --keymat $KEYLEN --send "hello-$v" \
        --wait 1500 "$port"
    (printf 'ping-%s\n' "$v"; sleep 2) | timeout 15 gnutls-cli --udp -p "$port" --x509cafile "$CERTS/ca.pem" \
        --sni-hostname localhost --verify-hostname localhost --priority "NORMAL:-VERS-ALL:+VERS-DTLS$v" \
        --srtp-profiles=$SRTP --keymatexport $LABEL --keymatexportsize $KEYLEN 127.0.0.1 > "$work/server.log" 2>&1
    sspicat_wait
    server_ok() { [ $rc = 0 ] && has "$err" "protocol: +DTLS $v\$" && has "$out" "^ping-$v\$" \
        && has "$work/server.log" "^hello-$v\$" && has "$work/server.log" "Description: \(DTLS$v-"; }
    check "DTLS $v: gnutls-cli --udp validates our server, data both ways" server_ok
    srtp_ok() { has "$err" "SRTP profile: +$SRTP" && has "$work/server.log" "SRTP profile: $SRTP" && keys_equal; }
    check "DTLS $v: SRTP profile and $KEYLEN bytes of keying material equal to gnutls-cli's" srtp_ok
done

# ---- a 256-byte MTU both ways: every flight in several datagrams
next_port
start_server "UDP Echo Server listening on IPv4" gnutls-serv --udp --echo --mtu 256 -p "$port" \
    --x509certfile "$CERTS/server-rsa-chain.pem" --x509keyfile "$CERTS/server-rsa.key"
run_sspicat --dtls1.2 --mtu 256 --insecure --send "small-mtu" --wait 700 -v 127.0.0.1 "$port"
mtu_client() { [ $rc = 0 ] && has "$out" "^small-mtu\$" && has "$err" "MTU: +256 bytes" \
    && has "$err" "SEC_I_MESSAGE_FRAGMENT|0x00090364"; }
check "MTU 256: our client's ClientHello flights and gnutls-serv's in small datagrams, data echoed" mtu_client
stop_server
next_port
sspicat_bg -l --dtls1.2 --mtu 256 --cert "$CERTS/server-rsa.pfx" --send "small-back" --wait 1500 "$port"
(printf 'small-mtu\n'; sleep 2) | timeout 15 gnutls-cli --udp --mtu 256 -p "$port" --x509cafile "$CERTS/ca.pem" \
    --sni-hostname localhost --verify-hostname localhost 127.0.0.1 > "$work/server.log" 2>&1
sspicat_wait
mtu_server() { [ $rc = 0 ] && has "$out" "^small-mtu\$" && has "$work/server.log" "^small-back\$"; }
check "MTU 256: our server's certificate flight in 256-byte datagrams reaches gnutls-cli" mtu_server

# openssl: DTLS 1.0 needs SHA-1 signatures, below OpenSSL 3's default level.
ossl_version() { if [ "$1" = 1.0 ]; then echo -dtls1; else echo -dtls1_2; fi; }
OSSL_CIPHERS="DEFAULT:@SECLEVEL=0"
OSSL_SRTP=SRTP_AES128_CM_SHA1_80   # OpenSSL's name of the same profile

# ---- our client against openssl s_server -dtls
for v in 1.0 1.2; do
    next_port
    # s_server stops at the end of its input: keep it open while we talk
    start_server "^ACCEPT" sh -c "sleep 12 | exec openssl s_server $(ossl_version $v) -accept 127.0.0.1:$port \
        -naccept 1 -cert '$CERTS/server-rsa-chain.pem' -key '$CERTS/server-rsa.key' -cipher '$OSSL_CIPHERS' \
        -use_srtp $OSSL_SRTP -keymatexport $LABEL -keymatexportlen $KEYLEN"
    run_sspicat --dtls$v --cafile "$CERTS/ca.pem" --sni localhost --srtp $SRTP --keymat $KEYLEN \
        --send "ping-$v" --wait 700 127.0.0.1 "$port"
    wait_server 3
    client_ok() { [ $rc = 0 ] && has "$err" "protocol: +DTLS $v\$" && has "$work/server.log" "^ping-$v\$"; }
    check "DTLS $v: our client and openssl s_server -dtls, data arrives" client_ok
    srtp_ok() { has "$err" "SRTP profile: +$SRTP" && has "$work/server.log" "SRTP Extension negotiated, profile=$OSSL_SRTP" \
        && keys_equal; }
    check "DTLS $v: SRTP profile and keying material equal to openssl s_server's" srtp_ok
done

# ---- our server against openssl s_client -dtls
for v in 1.0 1.2; do
    next_port
    sspicat_bg -l --dtls$v --cert "$CERTS/server-rsa.pfx" --srtp $SRTP --keymat $KEYLEN --send "hello-$v" \
        --wait 1500 "$port"
    (printf 'ping-%s\n' "$v"; sleep 2) | timeout 15 openssl s_client "$(ossl_version $v)" -connect "127.0.0.1:$port" \
        -CAfile "$CERTS/ca.pem" -verify_return_error -servername localhost -cipher "$OSSL_CIPHERS" \
        -use_srtp $OSSL_SRTP -keymatexport $LABEL -keymatexportlen $KEYLEN > "$work/server.log" 2>&1
    sspicat_wait
    server_ok() { [ $rc = 0 ] && has "$err" "protocol: +DTLS $v\$" && has "$out" "^ping-$v\$" \
        && has "$work/server.log" "^hello-$v\$" && has "$work/server.log" "Verify return code: 0 \(ok\)"; }
    check "DTLS $v: openssl s_client -dtls validates our server, data both ways" server_ok
    srtp_ok() { has "$err" "SRTP profile: +$SRTP" && has "$work/server.log" "SRTP Extension negotiated, profile=$OSSL_SRTP" \
        && keys_equal; }
    check "DTLS $v: SRTP profile and keying material equal to openssl s_client's" srtp_ok
done
