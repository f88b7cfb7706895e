#!/bin/sh
# Interoperability matrix on loopback: our client (sspicat under Wine,
# through the built DLL) against gnutls-serv and openssl s_server, and our
# server against gnutls-cli and openssl s_client, across TLS versions, the
# server's key type, ALPN on and off, and resumption.  One TAP line per
# cell; the last line says how many passed.
#   matrix.sh          TLS 1.2 and 1.3; ALPN and resumption off together
#                      and on together (make check, about a minute)
#   matrix.sh --full   TLS 1.0 to 1.3, every ALPN x resumption cell (make stress)
# Our server only has an RSA key: Wine 8 cannot import ECDSA keys from PFX
# (PFXImportCertStore), so ECDSA server cells are our client's only.
. "$(dirname "$0")/lib.sh"
peers_setup "$0" "$@"
need timeout
versions="1.2 1.3" combos="0:0 1:1"   # ALPN:resumption
[ "${1:-}" = --full ] && versions="1.0 1.1 1.2 1.3" combos="0:0 0:1 1:0 1:1"
have_gnutls=0 have_openssl=0
command -v gnutls-serv >/dev/null 2>&1 && command -v gnutls-cli >/dev/null 2>&1 && have_gnutls=1
command -v openssl >/dev/null 2>&1 && have_openssl=1
passed=0 cells=0

cell() {   # cell DESCRIPTION CONDITION-STATUS
    cells=$((cells + 1))
    [ "$2" = 0 ] && passed=$((passed + 1))
    ok "$2" "$1"
    if [ "$2" != 0 ]; then
        diag "sspicat exit $rc:"; diag "$(tail -n 8 "$err" 2>/dev/null)"
        [ -f "$work/server.log" ] && diag "$(tail -n 4 "$work/server.log")"
        [ -f "$work/client.log" ] && diag "$(tail -n 4 "$work/client.log")"
    fi
}

prio() {   # GnuTLS priority string for one version
    case $1 in
        1.0|1.1) echo "NORMAL:-VERS-ALL:+VERS-TLS$1:+SHA1:+SIGN-RSA-SHA1:+SIGN-ECDSA-SHA1" ;;
        *) echo "NORMAL:-VERS-ALL:+VERS-TLS$1" ;;
    esac
}
ossl_ver() { echo "-tls1$(echo "$1" | sed 's/^1\.0$//; s/^1\./_/')" | sed 's/_0$//'; }

# ---- our client
client_checks() {   # VERSION ALPN(0/1) RESUME(0/1): judge the last sspicat run
    [ $rc = 0 ] || return 1
    has "$err" "protocol: +TLS $1\$" || return 1
    has "$out" "^matrix\$" || return 1
    if [ "$2" = 1 ]; then has "$err" "ALPN: +h2\$" || return 1
    else has "$err" "ALPN: +\(none\)\$" || return 1; fi
    if [ "$3" = 1 ]; then [ "$(grep -Ec 'resumed: +yes$' "$err")" -ge 1 ] || return 1; fi
    return 0
}

client_cell() {   # PEER VERSION KEY ALPN RESUME
    peer=$1 v=$2 key=$3 alpn=$4 resume=$5
    next_port
    case $peer in
    gnutls-serv)
        set -- gnutls-serv --echo -a -p "$port" --priority "$(prio "$v")" \
            --x509certfile "$CERTS/server-$key-chain.pem" --x509keyfile "$CERTS/server-$key.key"
        [ "$alpn" = 1 ] && set -- "$@" --alpn h2 --alpn http/1.1
        start_server "Echo Server listening on IPv4" "$@" || return 1 ;;
    openssl)
        set -- openssl s_server -accept "127.0.0.1:$port" "$(ossl_ver "$v")" \
            -cert "$CERTS/server-$key-chain.pem" -key "$CERTS/server-$key.key" -rev -naccept 2
        case $v in 1.0|1.1) set -- "$@" -cipher 'DEFAULT:@SECLEVEL=0' ;; esac
        [ "$alpn" = 1 ] && set -- "$@" -alpn h2,http/1.1
        start_server "ACCEPT" "$@" || return 1 ;;
    esac
    set -- --tls"$v" --cafile "$CERTS/ca.pem" --sni localhost --wait 700 --send matrix -v
    [ "$alpn" = 1 ] && set -- "$@" --alpn h2,http/1.1
    [ "$resume" = 1 ] && set -- "$@" --reconnect
    run_sspicat "$@" 127.0.0.1 "$port"
    # s_server -rev answers reversed
    [ "$peer" = openssl ] && sed -i 's/^xirtam$/matrix/' "$out"
    stop_server
    client_checks "$v" "$alpn" "$resume"
}

# ---- our server
server_cell() {   # PEER VERSION ALPN RESUME
    peer=$1 v=$2 alpn=$3 resume=$4
    n=1; [ "$resume" = 1 ] && n=2
    set -- -l --cert "$CERTS/server-rsa.pfx" --tls"$v" --echo --wait 3000 -n "$n" -v
    [ "$alpn" = 1 ] && set -- "$@" --alpn h2,http/1.1
    next_port
    sspicat_bg "$@" "$port" || return 1
    log=$work/client.log
    case $peer in
    gnutls-cli)
        set -- gnutls-cli --x509cafile "$CERTS/ca.pem" -p "$port" --priority "$(prio "$v")" localhost
        [ "$alpn" = 1 ] && set -- "$@" --alpn h2
        # --waitresumption: our TLS 1.3 ticket follows the client's Finished.
        [ "$resume" = 1 ] && set -- "$@" --resume --waitresumption
        (sleep 1; echo matrix; sleep 2) | timeout 20 "$@" > "$log" 2>&1 ;;
    openssl)
        set -- openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$CERTS/ca.pem" \
            "$(ossl_ver "$v")" -verify_return_error
        case $v in 1.0|1.1) set -- "$@" -cipher 'DEFAULT:@SECLEVEL=0' ;; esac
        [ "$alpn" = 1 ] && set -- "$@" -alpn h2
        if [ "$resume" = 1 ]; then
            # -reconnect is TLS 1.2 only; TLS 1.3 resumes through a saved session.
            # Stdin stays open a second: our ticket follows the client's
            # Finished, and a client that closes at once never reads it.
            sleep 1 | timeout 20 "$@" -sess_out "$work/sess" > "$log.1" 2>&1
            (sleep 1; echo matrix; sleep 2) | timeout 20 "$@" -sess_in "$work/sess" > "$log" 2>&1
        else
            (sleep 1; echo matrix; sleep 2) | timeout 20 "$@" > "$log" 2>&1
        fi ;;
    esac
    sspicat_wait
    has "$err" "protocol: +TLS $v\$" || return 1
    has "$log" "matrix" || return 1
    if [ "$alpn" = 1 ]; then has "$err" "ALPN: +h2\$" || return 1; fi
    if [ "$resume" = 1 ]; then has "$err" "resumed: +yes\$" || return 1; fi
    return 0
}

for v in $versions; do
    for combo in $combos; do
        alpn=${combo%:*} resume=${combo#*:}
        {
            tag="TLS $v, ALPN $([ $alpn = 1 ] && echo on || echo off), $([ $resume = 1 ] && echo resumed || echo fresh)"
            for key in rsa ecdsa; do
                if [ $have_gnutls = 1 ]; then
                    client_cell gnutls-serv "$v" "$key" "$alpn" "$resume"
                    cell "our client vs gnutls-serv, $key, $tag" $?
                fi
                if [ $have_openssl = 1 ]; then
                    client_cell openssl "$v" "$key" "$alpn" "$resume"
                    cell "our client vs openssl s_server, $key, $tag" $?
                fi
            done
            if [ $have_gnutls = 1 ]; then
                server_cell gnutls-cli "$v" "$alpn" "$resume"
                cell "our server (rsa) vs gnutls-cli, $tag" $?
            fi
            if [ $have_openssl = 1 ]; then
                server_cell openssl "$v" "$alpn" "$resume"
                cell "our server (rsa) vs openssl s_client, $tag" $?
            fi
        }
    done
done
diag "matrix: $passed of $cells cells passed"
plan "$test_num"
