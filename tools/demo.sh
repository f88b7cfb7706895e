#!/bin/sh
# demo.sh (make demo): a Windows program makes a TLS connection through the
# built secur32.dll.  A fresh certificate, gnutls-serv on 127.0.0.1, then
# sspicat.exe under Wine (tools/wine-run) connects with --cafile so the
# server's chain is really validated, sends a line and shows what was
# negotiated.  The server is stopped by its PID at the end.
#
# Environment: SECUR32_SRCDIR, SECUR32_BUILDDIR (set by make demo),
# DEMO_TLS (default 1.3: 1.0, 1.1, 1.2 or 1.3; dtls1.0 or dtls1.2 for DTLS
# over UDP with DTLS-SRTP: gnutls-serv --udp, sspicat --dtls).
set -u
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${SECUR32_BUILDDIR:-$PWD}
version=${DEMO_TLS:-1.3}
step() { printf '==> %s\n' "$*"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }
ovl=

# gnutls-serv listens on every interface: run it (and Wine, whose sockets
# live in the wineserver) in a private network namespace where nothing else
# can reach it.  Without namespaces, fall back to the host's loopback.
if [ -z "${DEMO_ISOLATED:-}" ]; then
    DEMO_ISOLATED=1
    export DEMO_ISOLATED
    if [ "$(id -u)" = 0 ]; then ns="unshare -mn"; else ns="unshare -rmn"; fi
    if command -v unshare >/dev/null 2>&1 && $ns true 2>/dev/null; then
        exec $ns sh "$0" "$@"
    fi
    DEMO_ISOLATED=none
fi

step "checking what the demo needs"
for p in gnutls-serv timeout; do
    command -v $p >/dev/null 2>&1 || fail "$p is missing: install the Debian package gnutls-bin (or run tools/install-deps)"
done
command -v "${OPENSSL:-openssl}" >/dev/null 2>&1 || fail "openssl is missing: install the Debian package openssl"
for f in secur32.dll secur32.so tools/sspicat/sspicat.exe; do
    [ -f "$build/$f" ] || fail "$build/$f is missing: run 'make' in $build first"
done
case $version in 1.0|1.1|1.2|1.3) ;; dtls1.0|dtls1.2) ;; *) fail "DEMO_TLS=$version: use 1.0, 1.1, 1.2, 1.3, dtls1.0 or dtls1.2" ;; esac
# What differs between TLS and DTLS: the server's transport and sspicat's options.
srtp=SRTP_AES128_CM_HMAC_SHA1_80
case $version in
    dtls*) serv_opts="--udp --srtp-profiles=$srtp"; what="DTLS over UDP, SRTP profile $srtp"
           cat_opts="--$version --srtp $srtp --keymat 60" ;;
    *)     serv_opts="-a --alpn h2 --alpn http/1.1"; what="TLS up to 1.3, ALPN h2/http/1.1"
           cat_opts="--alpn h2,http/1.1 --tls$version" ;;
esac

if [ "$DEMO_ISOLATED" = 1 ]; then
    ip link set lo up 2>/dev/null || fail "cannot bring up loopback in the demo's network namespace (install iproute2)"
    echo "    (running in a private network namespace: the server is reachable from this demo only)"
else
    echo "    (no network namespaces here: using the host's loopback; gnutls-serv listens on all interfaces"
    echo "     for the few seconds of the demo)"
fi

work=$build/demo
rm -rf "$work"
mkdir -p "$work"
prefix=$build/tests/wineprefix
if [ "$DEMO_ISOLATED" = 1 ]; then
    # Wine creates sockets in the wineserver, which must run in this network
    # namespace: a private overlay of the prefix gets a wineserver of its own.
    [ -f "$prefix/system.reg" ] || sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$prefix" -- true \
        || fail "could not create the Wine prefix $prefix"
    ovl=$work/overlay
    mkdir -p "$ovl" && mount -t tmpfs tmpfs "$ovl" && mkdir "$ovl/upper" "$ovl/work" "$ovl/prefix" \
        && mount -t overlay overlay -o "lowerdir=$prefix,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/prefix" \
        || fail "cannot mount a private overlay of the Wine prefix (overlayfs)"
    prefix=$ovl/prefix
fi
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
}
finish() {
    cleanup
    [ -n "$ovl" ] || return 0
    WINEPREFIX=$ovl/prefix "${WINESERVER:-wineserver}" -k 2>/dev/null
    WINEPREFIX=$ovl/prefix "${WINESERVER:-wineserver}" -w 2>/dev/null
    umount "$ovl/prefix" "$ovl" 2>/dev/null
    return 0
}
trap finish EXIT
trap 'exit 1' INT TERM

step "generating a fresh test CA and server certificate (tests/make-certs.sh)"
OPENSSL=${OPENSSL:-openssl} sh "$src/tests/make-certs.sh" "$work/certs" >/dev/null 2>&1 \
    || fail "tests/make-certs.sh failed"
echo "    CA: $work/certs/ca.pem (trusted by sspicat --cafile only, not by the Wine prefix)"

# A free port: the namespace's loopback is empty; on the host, try a few.
port=
for p in 44330 44331 44332 44333 44334 44335 44336 44337; do
    if ! (command -v ss >/dev/null 2>&1 && ss -ltn 2>/dev/null | grep -q ":$p "); then port=$p; break; fi
done
[ -n "$port" ] || fail "no free port found"

step "starting gnutls-serv (echo mode, $what) on 127.0.0.1:$port for at most 60 s"
# shellcheck disable=SC2086
timeout 60 gnutls-serv --echo -p "$port" $serv_opts \
    --x509certfile "$work/certs/server-rsa-chain.pem" --x509keyfile "$work/certs/server-rsa.key" \
    > "$work/gnutls-serv.log" 2>&1 < /dev/null &
server_pid=$!
i=0
until grep -q "listening on IPv4" "$work/gnutls-serv.log" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/gnutls-serv.log" >&2; fail "gnutls-serv did not start"; }
    i=$((i + 1))
    [ $i -lt 200 ] || fail "gnutls-serv did not become ready within 10 s"
    sleep 0.05
done
echo "    gnutls-serv is running as PID $server_pid"

step "connecting with sspicat.exe under Wine through the built secur32.dll (tools/wine-run)"
echo "    sspicat --cafile ca.pem --sni localhost $cat_opts --send ... 127.0.0.1 $port"
line="hello from a Windows program through secur32-gnutls"
# shellcheck disable=SC2086
timeout 60 sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$prefix" -- \
    "$build/tools/sspicat/sspicat.exe" --cafile "$work/certs/ca.pem" --sni localhost $cat_opts \
    --send "$line" --wait 1000 127.0.0.1 "$port" \
    > "$work/sspicat.out" 2> "$work/sspicat.err" < /dev/null
rc=$?
sed 's/^/    | /' "$work/sspicat.err"

step "stopping gnutls-serv (PID $server_pid)"
cleanup
server_pid=

field() { sed -n "s/^  $1: *//p" "$work/sspicat.err" | head -n 1; }
echo
if [ $rc != 0 ]; then
    echo "demo: sspicat failed (exit $rc); see the messages above, $work/sspicat.err and $work/gnutls-serv.log" >&2
    exit 1
fi
grep -qxF "$line" "$work/sspicat.out" || fail "the server did not echo our line back (see $work/sspicat.out)"
echo "================ what a Windows program got from our Schannel ================"
printf '  %-22s %s\n' "secur32.dll" "$(field provider)"
printf '  %-22s %s\n' "protocol" "$(field protocol)"
printf '  %-22s %s\n' "cipher suite" "$(field 'cipher suite')"
case $version in
    dtls*) printf '  %-22s %s\n' "MTU" "$(field MTU)"
           printf '  %-22s %s\n' "SRTP profile" "$(field 'SRTP profile')"
           printf '  %-22s %s\n' "SRTP keying material" "$(field 'keying material')" ;;
    *)     printf '  %-22s %s\n' "ALPN" "$(field ALPN)" ;;
esac
printf '  %-22s %s\n' "server certificate" "$(field 'peer subject'), issued by $(field 'peer issuer')"
printf '  %-22s %s\n' "validation" "$(field validation)"
printf '  %-22s %s\n' "sent and echoed back" "\"$line\""
saw=$(sed -n 's/^- Description: //p' "$work/gnutls-serv.log" | head -n 1)
[ -z "$saw" ] || printf '  %-22s %s\n' "gnutls-serv saw" "$saw"   # gnutls-serv --udp prints none
echo "=============================================================================="
echo "sspicat.exe is in $build/tools/sspicat/; try: tools/wine-run --dll-dir $build -- $build/tools/sspicat/sspicat.exe --help"
