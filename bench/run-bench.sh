#!/bin/sh
# run-bench.sh BUILDDIR: `make bench`.  Runs bench_sspi.exe (our SSPI under
# Wine) and raw_gnutls (GnuTLS called directly) alternately, REPEAT times,
# then bench/report.py prints the table and writes BUILDDIR/bench/results.json,
# results.csv and chart.png.
#
# BENCH_QUICK=1: one short run (the smoke test in `make check`).
# BENCH_OUT=DIR: where the results go (default BUILDDIR/bench).
# BENCH_REPEAT, BENCH_SECONDS, BENCH_MEM_N, BENCH_SOCK_CONN, BENCH_SOCK_MIB
# override the defaults.
#
# The socket figures need gnutls-serv, which listens on every interface: it
# runs inside a private network namespace (unshare -n) whose only interface is
# its own loopback, and is stopped by PID when the run ends.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd)
bin=$build/bench
out=${BENCH_OUT:-$build/bench}
certs=$build/tests/certs

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    repeat=${BENCH_REPEAT:-1}; secs=${BENCH_SECONDS:-0.05}; mem_n=${BENCH_MEM_N:-40}
    conn=${BENCH_SOCK_CONN:-3}; mib=${BENCH_SOCK_MIB:-2}
else
    repeat=${BENCH_REPEAT:-5}; secs=${BENCH_SECONDS:-0.5}; mem_n=${BENCH_MEM_N:-200}
    conn=${BENCH_SOCK_CONN:-20}; mib=${BENCH_SOCK_MIB:-64}
fi

for f in "$bin/bench_sspi.exe" "$bin/raw_gnutls" "$bin/dtls_sspi.exe" "$bin/dtls_raw" "$certs/stamp"; do
    [ -f "$f" ] || { echo "run-bench: $f is missing: run 'make bench' from the build directory" >&2; exit 2; }
done

# Re-run inside a private network namespace, loopback up.
if [ -z "${BENCH_IN_NETNS:-}" ]; then
    if [ "$(id -u)" = 0 ]; then ns="unshare -n"; else ns="unshare -rn"; fi
    if $ns true 2>/dev/null; then
        BENCH_IN_NETNS=1 exec $ns sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
    fi
    echo "run-bench: cannot create a network namespace: the socket figures are skipped" >&2
    BENCH_IN_NETNS=none
fi

SECUR32_BUILDDIR=$build
export SECUR32_BUILDDIR
raw="$bin/raw_gnutls $certs"
# A prefix of the bench's own: Wine creates sockets in the wineserver, so the
# wineserver must live in this network namespace.  One left running by an
# earlier run (in another namespace) is stopped first.
prefix=$bin/wineprefix
wineserver=${WINESERVER:-}
[ -n "$wineserver" ] || wineserver=$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver)
stop_wine() { if [ -f "$prefix/system.reg" ]; then WINEPREFIX=$prefix "$wineserver" -k 2>/dev/null || true; fi; }
stop_wine
sspi="sh $here/../tools/wine-run --dll-dir $build --prefix $prefix -- $bin/bench_sspi.exe"
results=$out/runs
rm -rf "$results"
mkdir -p "$results"
port=44330
server_pid=

stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=
}
trap 'stop_server; stop_wine' EXIT INT TERM

start_server() {
    [ "$BENCH_IN_NETNS" = 1 ] || return 1
    command -v gnutls-serv >/dev/null 2>&1 || { echo "run-bench: gnutls-serv not found (Debian package gnutls-bin)" >&2; return 1; }
    timeout 600 gnutls-serv --echo --noticket --quiet --disable-client-cert -p $port \
        --x509certfile "$certs/server-rsa-chain.pem" --x509keyfile "$certs/server-rsa.key" \
        >/dev/null 2>"$results/gnutls-serv.log" &
    server_pid=$!
    i=0
    until ss -4 -ltn 2>/dev/null | grep -q ":$port "; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "run-bench: gnutls-serv did not start" >&2; return 1; }
        sleep 0.1
    done
}

progress() { echo "[bench] $*" >&2; }

have_server=0
start_server && have_server=1
started=$(date +%s)
r=1
while [ $r -le $repeat ]; do
    progress "run $r/$repeat: SSPI under Wine, in process (${secs}s per figure, $mem_n contexts)"
    $sspi "$secs" "$mem_n" >"$results/sspi-$r.txt"
    progress "run $r/$repeat: raw GnuTLS, in process"
    $raw "$secs" "$mem_n" >"$results/raw-$r.txt"
    progress "run $r/$repeat: DTLS 1.2, SSPI under Wine and raw GnuTLS"
    sh "$here/../tools/wine-run" --dll-dir "$build" --prefix "$prefix" -- "$bin/dtls_sspi.exe" "$secs" >>"$results/sspi-$r.txt"
    "$bin/dtls_raw" "$certs" "$secs" >>"$results/raw-$r.txt"
    if [ $have_server = 1 ]; then
        progress "run $r/$repeat: sockets against gnutls-serv ($conn handshakes, $mib MiB echoed)"
        $sspi sock $port "$conn" "$mib" >>"$results/sspi-$r.txt"
        $raw sock $port "$conn" "$mib" >>"$results/raw-$r.txt"
    fi
    r=$((r + 1))
done
stop_server
progress "measured in $(( $(date +%s) - started ))s; writing $out/results.json, results.csv, chart.png"
python3 "$here/report.py" "$results" "$out"
