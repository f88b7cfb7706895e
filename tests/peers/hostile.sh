#!/bin/sh
# Hostile peers (tests/peers/hostile_peer, native GnuTLS) against our
# Schannel through sspicat, with the same probe against gnutls-serv /
# gnutls-cli (the same GnuTLS, natively) where the two must agree:
# a ClientHello sharing one read with a bad record, an SSL 2.0 ClientHello,
# a record with a bad MAC and the alert owed after it, floods of empty
# records and warning alerts, and half a record then FIN or RST.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need gnutls-serv gnutls-cli timeout

HP=$SECUR32_BUILDDIR/tests/peers/hostile_peer
[ -x "$HP" ] || { echo "1..0 # SKIP $HP not built"; exit 0; }

plan 19

listen() {   # our server (sspicat -l) on the next port
    next_port
    sspicat_bg -l --cert "$CERTS/server-rsa.pfx" --wait 2000 "$@" "$port"
}
native() {   # gnutls-serv on the next port, echoing
    next_port
    start_server "listening on IPv4" gnutls-serv -p "$port" --echo --x509certfile "$CERTS/server-rsa-chain.pem" \
        --x509keyfile "$CERTS/server-rsa.key"
}
probe() {    # MODE [ARG]: the hostile client against $port; output in $work/probe
    timeout 15 "$HP" "$1" "$port" ${2:-} > "$work/probe" 2>&1
}
probe_has() { has "$work/probe" "$1"; }
show_probe() { diag "probe:"; diag "$(cat "$work/probe")"; }

# 1. Resumption by session ID, and the extended master secret on it
# (RFC 7627 5.3): GnuTLS gives a ClientHello that drops it a full handshake.
for m in ems no-ems; do
    listen -n 2 --tls1.2
    probe resume $m
    sspicat_wait
    if [ $m = ems ]; then want="resumed yes"; else want="resumed no"; fi
    probe_has "second: $want" || show_probe
    check "session ID resumption, $m on the second ClientHello: $want" probe_has "second: $want"
done
native
probe resume no-ems
stop_server
check "gnutls-serv does the same without EMS (full handshake)" probe_has "second: resumed no"

# 2. ClientHello + a bad record in one read: the whole flight, then the alert.
listen --tls1.2
probe hello-bad
sspicat_wait
flight_ok() { probe_has "handshake messages: version 0303 2 11( 12)?( 13)? 14$" && probe_has "alert: level 2 description 10$"; }
check "ClientHello + bad record: our server sends ServerHello..Done, then unexpected_message" flight_ok
check "ClientHello + bad record: ASC fails on the call after the flight" has "$err" "SEC_E_ILLEGAL_MESSAGE"
native
probe hello-bad
stop_server
flight_ok || show_probe
check "gnutls-serv does the same (flight, then unexpected_message)" flight_ok

# 3. An SSL 2.0-format ClientHello negotiating TLS 1.2.
listen --send hi
probe sslv2
sspicat_wait
v2_ok() { probe_has "handshake messages: version 0303 2 11( 12)?( 13)? 14$"; }
v2_ok || show_probe
check "SSLv2 ClientHello: our server answers with a TLS 1.2 ServerHello..Done" v2_ok
native
probe sslv2
stop_server
check "gnutls-serv answers it the same way" v2_ok
listen --tls1.3
probe sslv2
sspicat_wait
v2_refused() { [ $rc = 1 ] && probe_has "alert: level 2"; }
v2_refused || show_probe
check "SSLv2 ClientHello to a TLS 1.3-only server: refused with an alert" v2_refused

# 4. A record with a bad MAC: DecryptMessage fails, and the shutdown token
# sspicat sends next carries bad_record_mac, not close_notify.
# The trace names the alert sent in place of close_notify.
for v in 1.2 1.3; do
    WINEDEBUG=trace+schannel listen
    probe bad-mac $v
    sspicat_wait
    mac_ok() { [ $rc = 1 ] && has "$err" "DecryptMessage.*SEC_E_DECRYPT_FAILURE" \
        && probe_has "reply: fatal alert Bad record MAC \(20\)" \
        && has "$err" "sent fatal alert Bad record MAC \(20\) instead of close_notify"; }
    mac_ok || show_probe
    check "TLS $v bad MAC: SEC_E_DECRYPT_FAILURE, then our shutdown sends bad_record_mac (traced)" mac_ok
done
native
probe bad-mac 1.2
stop_server
check "gnutls-serv sends bad_record_mac too" probe_has "reply: fatal alert Bad record MAC \(20\)"

# 5. Empty records: 200 in a row pass (GnuTLS's limit), 100000 do not.
listen --echo
probe empty 200
sspicat_wait
empty_ok() { probe_has "^data: after the flood" && [ $rc = 0 ]; }
empty_ok || show_probe
check "200 empty records, then data: the data arrives" empty_ok
listen --echo
probe empty 100000
sspicat_wait
# (The kernel takes all of them before the refusal shows; the alert is
# internal_error, the one gnutls-serv sends.)
flood_ok() { [ $rc = 1 ] && has "$err" "Too many empty record packets.*SEC_E_ILLEGAL_MESSAGE" \
    && probe_has "reply: fatal alert Internal error \(80\)" && ! probe_has "^data:"; }
flood_ok || show_probe
check "100000 empty records: refused with GnuTLS's error and its fatal alert" flood_ok
native
probe empty 100000
stop_server
check "gnutls-serv refuses the flood too, with the same alert" probe_has "reply: fatal alert Internal error \(80\)"
listen --echo
probe warnings 100
sspicat_wait
warn_ok() { [ $rc = 1 ] && has "$err" "SEC_E_ILLEGAL_MESSAGE" && ! probe_has "^data:"; }
warn_ok || show_probe
check "100 warning alerts in a row: refused after 5 (gnutls-serv stops at the first)" warn_ok

# 6. Half a record, then FIN or RST: sspicat reports the truncation and
# fails, as gnutls-cli does; a clean close stays a success.
for how in fin rst; do
    next_port
    start_server "^listening" "$HP" truncate "$port" $how "$CERTS/server-rsa-chain.pem" "$CERTS/server-rsa.key"
    run_sspicat --cafile "$CERTS/ca.pem" --sni localhost --wait 5000 127.0.0.1 "$port"
    stop_server
    trunc_ok() { [ $rc = 1 ] && has "$out" "^complete record$" && has "$err" "truncated"; }
    check "half a record then $how: sspicat reports the truncation and exits 1" trunc_ok
done
next_port
start_server "^listening" "$HP" truncate "$port" fin "$CERTS/server-rsa-chain.pem" "$CERTS/server-rsa.key"
sleep 1 | timeout 15 gnutls-cli --x509cafile "$CERTS/ca.pem" -p "$port" 127.0.0.1 --sni-hostname localhost \
    --verify-hostname localhost > "$work/cli.log" 2>&1
cli_rc=$?
stop_server
cli_ok() { [ $cli_rc != 0 ]; }
cli_ok || { diag "gnutls-cli:"; diag "$(cat "$work/cli.log")"; }
check "gnutls-cli fails on the same truncation (exit $cli_rc)" cli_ok
