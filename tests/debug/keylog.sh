#!/bin/sh
# SSLKEYLOGFILE: our client against `openssl s_server -keylogfile`, and our
# server against `openssl s_client -keylogfile`, TLS 1.2 and 1.3.  OpenSSL
# derives the same secrets independently, so our key log must hold exactly
# OpenSSL's lines (which proves Wireshark can decrypt the session with it),
# each once.  Then: with full tracing and GnuTLS's log at its highest
# allowed level, no secret from the key log appears in the trace.
build=${SECUR32_BUILDDIR:-$PWD}
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
openssl=${OPENSSL:-openssl}
peer="$build/tests/debug/tls_peer.exe"
certs="$build/tests/certs"
run() { timeout 120 sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$build/tests/wineprefix" -- "$peer" "$@"; }
n=0; failed=0
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keylog.XXXXXX")
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; [ -n "$KEEP" ] || rm -rf "$tmp"' EXIT

if ! command -v "$openssl" >/dev/null 2>&1; then
    echo "1..0 # SKIP openssl not found"; exit 0
fi

# wait_for FILE SED-EXPR: prints the port once FILE shows it (60 s at most:
# a Wine program can take 20 s to start on a loaded 2-core machine).
wait_for() {
    i=0
    while [ $i -lt 300 ]; do
        p=$(sed -n "$2" "$1" 2>/dev/null | head -n 1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.2; i=$((i+1))
    done
    return 1
}

# compare NAME OURS THEIRS LINES
compare() {
    grep -v '^#' "$3" | sort >"$tmp/theirs.sorted"
    sort "$2" >"$tmp/ours.sorted"
    [ "$(wc -l <"$2")" -eq "$4" ]; check $? "$1: our key log has $4 line(s) (got $(wc -l <"$2"))"
    [ -z "$(uniq -d "$tmp/ours.sorted")" ]; check $? "$1: every secret written once (GnuTLS's own writer stays off)"
    [ -s "$tmp/theirs.sorted" ] && cmp -s "$tmp/ours.sorted" "$tmp/theirs.sorted"
    check $? "$1: our lines are exactly OpenSSL's"
}

for prot in tls12 tls13; do
    case $prot in tls12) oflag=-tls1_2; lines=1 ;; tls13) oflag=-tls1_3; lines=5 ;; esac

    # our client, OpenSSL's server
    rm -f "$tmp"/*.log
    timeout 60 "$openssl" s_server -accept 127.0.0.1:0 -cert "$certs/server-rsa.pem" -key "$certs/server-rsa.key" \
        $oflag -naccept 1 -rev -keylogfile "$tmp/theirs.log" >"$tmp/s_server.out" 2>&1 </dev/null &
    spid=$!; pids="$pids $spid"
    port=$(wait_for "$tmp/s_server.out" 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\).*/\1/p')
    SSLKEYLOGFILE="$tmp/ours.log" run connect "${port:-1}" $prot >"$tmp/client-$prot.out" 2>&1
    grep -q "exchange ok" "$tmp/client-$prot.out"; check $? "$prot client: talked to openssl s_server on port $port"
    grep -q "exchange ok" "$tmp/client-$prot.out" \
        || { tail -n 15 "$tmp/client-$prot.out"; tail -n 5 "$tmp/s_server.out"; } | sed 's/^/# /'   # why, for the log
    wait $spid
    compare "$prot client" "$tmp/ours.log" "$tmp/theirs.log" $lines

    # our server, OpenSSL's client
    rm -f "$tmp"/*.log
    SSLKEYLOGFILE="$tmp/ours.log" run serve $prot >"$tmp/peer.out" 2>&1 &
    ppid=$!; pids="$pids $ppid"
    port=$(wait_for "$tmp/peer.out" 's/^PORT \([0-9]*\).*/\1/p')
    # -quiet ignores the end of stdin: s_client leaves when our server closes.
    echo "hello from openssl" | timeout 60 "$openssl" s_client -connect "127.0.0.1:${port:-1}" $oflag \
        -keylogfile "$tmp/theirs.log" -quiet >"$tmp/s_client.out" 2>&1
    wait $ppid
    grep -q "received hello from openssl" "$tmp/peer.out" && grep -q "hello from the Schannel server" "$tmp/s_client.out"
    check $? "$prot server: openssl s_client talked to it, both ways (port ${port:-none})"
    grep -q "received hello from openssl" "$tmp/peer.out" \
        || { tail -n 15 "$tmp/peer.out"; tail -n 5 "$tmp/s_client.out"; } | sed 's/^/# /'   # why, for the log
    compare "$prot server" "$tmp/ours.log" "$tmp/theirs.log" $lines
done

# ---- no secrets in traces
for prot in tls12 tls13; do
    rm -f "$tmp"/*.log
    SSLKEYLOGFILE="$tmp/ours.log" SECUR32_GNUTLS_LOG_LEVEL=99 WINEDEBUG=+schannel,+secur32 \
        run pair $prot >"$tmp/out" 2>"$tmp/trace"
    grep -q "pair ok" "$tmp/out"; check $? "$prot: traced pair with key logging runs"
    [ "$(grep -c ':trace:schannel:gnutls gnutls[5-8]:' "$tmp/trace")" -gt 10 ]
    check $? "$prot: the trace holds GnuTLS's log up to level 8 (the check below has something to search)"
    grep -q 'lowered to 8' "$tmp/trace"; check $? "$prot: a GnuTLS level above 8 is refused with a warning"
    found=0; count=0
    for secret in $(cut -d' ' -f3 "$tmp/ours.log"); do
        count=$((count+1))
        prefix=$(printf '%s' "$secret" | cut -c1-16)
        spaced=$(printf '%s' "$prefix" | sed 's/\(..\)/\1 /g; s/ $//')
        grep -qi -e "$prefix" -e "$spaced" "$tmp/trace" "$tmp/out" && found=$((found+1))
    done
    [ $count -ge 2 ] && [ $found = 0 ]; check $? "$prot: none of the $count logged secrets appears in the trace"
done
rm -f "$tmp"/*.log
env -u SSLKEYLOGFILE WINEDEBUG=+schannel run pair tls13 >/dev/null 2>"$tmp/trace"
! grep -qi 'key log\|SSLKEYLOGFILE' "$tmp/trace"; check $? "SSLKEYLOGFILE unset: no key logging at all"

echo "1..$n"
exit $failed
