# tests/peers/lib.sh: shared by the tests against real TLS peers (sourced).
#
# Each test script runs inside its own network and mount namespaces
# (unshare -mn as root, unshare -rmn otherwise): the peers (gnutls-serv
# binds every interface) are then reachable from this script only, and ports
# never collide with anything else.  Wine creates sockets in the wineserver,
# so the wineserver must live in this network namespace too: the test prefix
# is seen through a private overlay mount (a new device and inode, so Wine
# starts a new wineserver here, and writes stay in the overlay).
#
# Provides TAP helpers (plan, ok, is_match, diag), start_server / stop_server
# for a peer running in the background with a bounded lifetime, and
# run_sspicat (sspicat.exe under Wine with the built DLL; results in
# $rc, $out, $err).

peers_setup() {   # "$0" "$@" of the test script
    : "${SECUR32_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
    : "${SECUR32_BUILDDIR:=$PWD}"
    export SECUR32_SRCDIR SECUR32_BUILDDIR
    if [ -z "${PEERS_ISOLATED:-}" ]; then
        PEERS_ISOLATED=1
        export PEERS_ISOLATED
        if [ "$(id -u)" = 0 ]; then ns="unshare -mn"; else ns="unshare -rmn"; fi
        if command -v unshare >/dev/null 2>&1 && $ns true 2>/dev/null; then
            exec $ns sh "$@"
        fi
        echo "1..0 # SKIP cannot create private network namespaces (unshare -mn / -rmn)"
        exit 0
    fi
    command -v ip >/dev/null 2>&1 && ip link set lo up 2>/dev/null \
        || { echo "1..0 # SKIP cannot bring up loopback in the test's network namespace (iproute2)"; exit 0; }
    SSPICAT=$SECUR32_BUILDDIR/tools/sspicat/sspicat.exe
    CERTS=$SECUR32_BUILDDIR/tests/certs
    DLL_DIR=${PEERS_DLL_DIR:-$SECUR32_BUILDDIR}
    [ -f "$SSPICAT" ] || { echo "1..0 # SKIP $SSPICAT not built"; exit 0; }
    [ -f "$CERTS/ca.pem" ] || { echo "1..0 # SKIP no test certificates (make tests/certs/stamp)"; exit 0; }
    shared_prefix=$SECUR32_BUILDDIR/tests/wineprefix
    [ -f "$shared_prefix/system.reg" ] \
        || sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$DLL_DIR" --prefix "$shared_prefix" -- true
    work=$(mktemp -d "${TMPDIR:-/tmp}/peers.XXXXXX")
    mkdir "$work/ovl" && mount -t tmpfs tmpfs "$work/ovl" && mkdir "$work/ovl/upper" "$work/ovl/work" \
        "$work/ovl/prefix" && mount -t overlay overlay \
        -o "lowerdir=$shared_prefix,upperdir=$work/ovl/upper,workdir=$work/ovl/work" "$work/ovl/prefix" \
        || { echo "1..0 # SKIP cannot mount a private overlay of the Wine prefix"; rm -rf "$work"; exit 0; }
    WINEPREFIX=$work/ovl/prefix
    export WINEPREFIX
    wineserver=${WINESERVER:-$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver)}
    trap 'peers_cleanup' EXIT
    trap 'exit 1' INT TERM
    test_num=0
    port=4430
    server_pid=
}

peers_cleanup() {
    stop_server
    "$wineserver" -k 2>/dev/null
    "$wineserver" -w 2>/dev/null
    umount "$work/ovl/prefix" "$work/ovl" 2>/dev/null
    rm -rf "$work"
    return 0
}

need() {   # program...: skip the whole script when one is missing
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 || { echo "1..0 # SKIP $p not installed"; exit 0; }
    done
}

# ---- TAP
plan() { echo "1..$1"; }
diag() { echo "$*" | sed 's/^/# /'; }
ok() {   # condition-status description
    test_num=$((test_num + 1))
    if [ "$1" = 0 ]; then echo "ok $test_num - $2"; else echo "not ok $test_num - $2"; fi
}
# has FILE REGEX: the file matches (extended regex)
has() { grep -Eq -- "$2" "$1"; }
# check DESCRIPTION CMD...: one test from a command's status; on failure show the last run's output
check() {
    desc=$1; shift
    if "$@"; then ok 0 "$desc"; else
        ok 1 "$desc"
        diag "sspicat exit $rc; stderr:"; diag "$(tail -n 25 "$err" 2>/dev/null)"
        diag "stdout:"; diag "$(tail -n 5 "$out" 2>/dev/null)"
        [ -f "$work/server.log" ] && { diag "server:"; diag "$(tail -n 15 "$work/server.log")"; }
    fi
}

# ---- peers
# start_server READY_REGEX CMD...: runs CMD (bounded to 60 s) with its output
# in $work/server.log, waits until the log matches READY_REGEX.
start_server() {
    ready=$1; shift
    stop_server
    : > "$work/server.log"
    timeout 60 "$@" > "$work/server.log" 2>&1 < /dev/null &
    server_pid=$!
    i=0
    while [ $i -lt 100 ]; do
        has "$work/server.log" "$ready" && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
        i=$((i + 1))
    done
    diag "server did not become ready: $*"; diag "$(cat "$work/server.log")"
    return 1
}

stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}

# wait_server SECONDS: lets the peer finish by itself (e.g. a client).
wait_server() {
    i=0
    while kill -0 "$server_pid" 2>/dev/null && [ $i -lt $(($1 * 20)) ]; do sleep 0.05; i=$((i + 1)); done
    stop_server
}

next_port() { port=$((port + 1)); }

# run_sspicat ARGS...: sspicat under Wine, bounded to 30 s; sets rc, out, err.
out=; err=
run_sspicat() {
    out=$work/sspicat.out
    err=$work/sspicat.err
    timeout 30 sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$DLL_DIR" --prefix "$WINEPREFIX" -- \
        "$SSPICAT" "$@" > "$out" 2> "$err" < /dev/null
    rc=$?
}

# sspicat_bg ARGS...: an sspicat server in the background; waits for its
# "listening" line.  Sets sspicat_pid, out, err.
sspicat_bg() {
    out=$work/sspicat.out
    err=$work/sspicat.err
    : > "$err"
    timeout 30 sh "$SECUR32_SRCDIR/tools/wine-run" --dll-dir "$DLL_DIR" --prefix "$WINEPREFIX" -- \
        "$SSPICAT" "$@" > "$out" 2> "$err" < /dev/null &
    sspicat_pid=$!
    i=0
    while [ $i -lt 300 ]; do
        has "$err" "listening on 127.0.0.1:" && return 0
        kill -0 "$sspicat_pid" 2>/dev/null || break
        sleep 0.05
        i=$((i + 1))
    done
    diag "sspicat server did not start"; diag "$(cat "$err")"
    return 1
}

# sspicat_wait: waits for the background sspicat; sets rc.
sspicat_wait() {
    wait "$sspicat_pid"
    rc=$?
}
