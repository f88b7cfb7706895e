#!/bin/sh
# Windows' own record: Wine 8.0's secur32 conformance tests (written and run
# against real Windows, fetched at test time from Debian's source package),
# each run in a fresh prefix in strict Windows mode (WINETEST_PLATFORM=windows:
# a todo_wine block counts as a failure) against the built DLL.  Reported as
# TAP by winetest-tap.sh: every failing line, and one summary per file.
#
# schannel.c talks to test.winehq.org:443.  This script runs in private
# mount and network namespaces where test.winehq.org resolves to 127.0.0.1
# (a bind-mounted /etc/hosts) and winehq_standin serves port 443 there, so
# Wine's test text is built unchanged.
set -u
: "${SECUR32_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SECUR32_BUILDDIR:=$PWD}"
export SECUR32_SRCDIR SECUR32_BUILDDIR
here=$SECUR32_SRCDIR/tests/winetest
wt=$SECUR32_BUILDDIR/tests/winetest
names=${WINETEST_NAMES:-main negotiate ntlm schannel secur32}

if [ -z "${WINETEST_ISOLATED:-}" ]; then
    WINETEST_ISOLATED=1
    export WINETEST_ISOLATED
    if [ "$(id -u)" = 0 ]; then ns="unshare -mn"; else ns="unshare -rmn"; fi
    if command -v unshare >/dev/null 2>&1 && $ns true 2>/dev/null; then exec $ns sh "$0" "$@"; fi
    echo "1..0 # SKIP cannot create private mount and network namespaces (unshare -mn / -rmn)"
    exit 0
fi
ip link set lo up 2>/dev/null || { echo "1..0 # SKIP cannot bring up loopback (iproute2)"; exit 0; }
for n in $names; do
    [ -f "$wt/$n.exe" ] || { echo "Bail out! $wt/$n.exe not built (make check builds it)"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/winetest.XXXXXX")
wineserver=${WINESERVER:-$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver)}
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    umount "$work/prefix" "$work/ovl" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# test.winehq.org is the loopback stand-in, in this namespace only.
{ cat /etc/hosts; echo "127.0.0.1 test.winehq.org"; } > "$work/hosts"
mount --bind "$work/hosts" /etc/hosts || { echo "Bail out! cannot bind-mount /etc/hosts"; exit 1; }
timeout 900 "$wt/winehq_standin" "$wt/certs/chain.pem" "$wt/certs/leaf.key" 443 900 \
    > "$wt/standin.log" 2>&1 < /dev/null &
server_pid=$!
i=0
until grep -q '^listening' "$wt/standin.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "Bail out! the test.winehq.org stand-in did not start: $(cat "$wt/standin.log")"; exit 1
    fi
    sleep 0.05
done

# One pristine prefix (made once per build tree), seen by each program
# through its own empty overlay: every program starts from a fresh prefix,
# and its wineserver lives in this network namespace.
base=$wt/prefix
[ -f "$base/system.reg" ] || sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$SECUR32_BUILDDIR" --prefix "$base" -- true
specs=
for n in $names; do
    mkdir -p "$work/ovl" "$work/prefix"
    mount -t tmpfs tmpfs "$work/ovl" && mkdir "$work/ovl/upper" "$work/ovl/work" \
        && mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/ovl/upper,workdir=$work/ovl/work" "$work/prefix" \
        || { echo "Bail out! cannot mount a private overlay of $base"; exit 1; }
    echo "# running Wine's $n.c (strict Windows mode)"
    WINETEST_PLATFORM=windows WINETEST_DEBUG=1 timeout 300 \
        sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$SECUR32_BUILDDIR" --prefix "$work/prefix" -- \
        "$wt/$n.exe" > "$wt/$n.log" 2>&1 < /dev/null
    status=$?
    WINEPREFIX=$work/prefix "$wineserver" -k 2>/dev/null
    WINEPREFIX=$work/prefix "$wineserver" -w 2>/dev/null
    umount "$work/prefix" "$work/ovl"
    specs="$specs $n:$wt/$n.log:$status"
done
# shellcheck disable=SC2086
sh "$here/winetest-tap.sh" "$here/xfail.txt" $specs
