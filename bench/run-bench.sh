#!/bin/sh
# run-bench.sh BUILDDIR: `make bench`.  Measures each figure REPEAT times,
# alternating bench_sspi.exe (our SSPI under Wine) and raw_gnutls (GnuTLS
# called directly) run by run (ours, raw, ours, raw...), so that a slow
# phase of the shared machine hits both; every rate also comes per CPU
# second of the process.  Then bench/report.py prints the table and writes
# BUILDDIR/bench/results.json, results.csv and chart.png.
#
# BENCH_QUICK=1: one short run (the smoke test in `make check`).
# BENCH_OUT=DIR: where the results go (default BUILDDIR/bench).
# BENCH_REPEAT, BENCH_SECONDS, BENCH_MEM_N, BENCH_SOCK_CONN, BENCH_SOCK_MIB
# override the defaults.
#
# The socket figures run against `openssl s_server -rev` on 127.0.0.1 inside a
# private network namespace (unshare -n) whose only interface is its own
# loopback, stopped by PID when the run ends: our SSPI, raw GnuTLS, and Wine's
# builtin secur32 (bench_sspi.exe under plain wine), turn by turn.
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
    conn=${BENCH_SOCK_CONN:-200}; mib=${BENCH_SOCK_MIB:-16}
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
sspi_dtls="sh $here/../tools/wine-run --dll-dir $build --prefix $prefix -- $bin/dtls_sspi.exe"
results=$out/runs
rm -rf "$results"
mkdir -p "$results"
port=44330
server_pid=

stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=
}
trap 'stop_server; stop_wine; stop_builtin_wine' EXIT INT TERM

start_server() {
    [ "$BENCH_IN_NETNS" = 1 ] || return 1
    command -v openssl >/dev/null 2>&1 || { echo "run-bench: openssl not found (Debian package openssl)" >&2; return 1; }
    timeout 900 openssl s_server -quiet -rev -accept "127.0.0.1:$port" -no_ticket -num_tickets 0 \
        -cert "$certs/server-rsa.pem" -key "$certs/server-rsa.key" -cert_chain "$certs/server-rsa-chain.pem" \
        </dev/null >/dev/null 2>"$results/s_server.log" &
    server_pid=$!
    i=0
    until ss -4 -ltn 2>/dev/null | grep -q ":$port "; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "run-bench: openssl s_server did not start" >&2; return 1; }
        sleep 0.1
    done
}

# Wine's own secur32, in a prefix of its own: a prefix made under
# tools/wine-run holds a copy of our secur32.dll in system32, which Wine
# would load.  Made once by plain wine (no bind mount), about 6 s.
builtin_prefix=$bin/wineprefix-builtin
wine=${WINE:-}
for w in wine64 /usr/lib/wine/wine64 wine; do
    [ -n "$wine" ] || wine=$(command -v "$w" 2>/dev/null || true)
done
wine_builtin() {
    env -u DISPLAY -u WAYLAND_DISPLAY WINEPREFIX="$builtin_prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" \
        "$wine" "$@"
}
stop_builtin_wine() {
    if [ -f "$builtin_prefix/system.reg" ]; then WINEPREFIX=$builtin_prefix "$wineserver" -k 2>/dev/null || true; fi
}
stop_builtin_wine   # one left by an earlier run, in another network namespace

progress() { echo "[bench] $*" >&2; }

# Figures measured in process, each by both programs in turn.  The *_supplied
# ones are the same handshakes with ISC_REQ_USE_SUPPLIED_CREDS on our side
# (raw GnuTLS has no such flag: its run is measured again beside them).
FIGURES="mem_cred mem_context hs_tls13_ecdsa hs_tls13_rsa hs_tls12_rsa hs_resumed
bulk_aes128gcm bulk_aes256gcm bulk_chacha20 small_64"
SUPPLIED="hs_tls13_rsa hs_tls12_rsa"

have_server=0
start_server && have_server=1
started=$(date +%s)
if [ ! -f "$builtin_prefix/system.reg" ]; then
    progress "creating $builtin_prefix for Wine's builtin secur32 (once)"
    wine_builtin wineboot -i >/dev/null 2>&1 || true
fi
# Wine's builtin secur32 in process too, where it can: Wine 8's cannot
# complete a handshake with its own server side.  The program itself leaves
# out figures where builtin negotiated another protocol (it has no TLS 1.3).
builtin_inproc=0
if probe=$(BENCH_BUILTIN=1 BENCH_ONLY=hs_tls12_rsa wine_builtin "$bin/bench_sspi.exe" 0.05 10 2>&1); then
    builtin_inproc=1
    turn="ours, raw, builtin"
else
    echo "note Wine's builtin secur32 cannot run the in-process figures: $(printf '%s' "$probe" | tail -n 1)" \
        >>"$results/builtin-1.txt"
    turn="ours, raw"
fi
for fig in $FIGURES; do
    progress "$fig: $repeat x ($turn), ${secs}s each"
    r=1
    while [ $r -le $repeat ]; do
        BENCH_ONLY=$fig $sspi "$secs" "$mem_n" >>"$results/sspi-$r.txt"
        BENCH_ONLY=$fig $raw "$secs" "$mem_n" >>"$results/raw-$r.txt"
        if [ $builtin_inproc = 1 ]; then
            BENCH_BUILTIN=1 BENCH_ONLY=$fig wine_builtin "$bin/bench_sspi.exe" "$secs" "$mem_n" \
                >>"$results/builtin-$r.txt" 2>/dev/null \
                || echo "note Wine's builtin secur32 failed the $fig run" >>"$results/builtin-$r.txt"
        fi
        case " $SUPPLIED " in *" $fig "*)
            BENCH_SUPPLIED=1 BENCH_ONLY=$fig $sspi "$secs" "$mem_n" \
                | sed "s/^figure ${fig}\([_ ]\)/figure ${fig}_supplied\1/; s/^note ${fig}:/note ${fig}_supplied:/" \
                >>"$results/sspi-$r.txt"
            BENCH_ONLY=$fig $raw "$secs" "$mem_n" | sed "s/^figure ${fig}\([_ ]\)/figure ${fig}_supplied\1/; /^note/d" \
                >>"$results/raw-$r.txt" ;;
        esac
        r=$((r + 1))
    done
done
progress "DTLS 1.2: $repeat x (ours, raw), ${secs}s each"
r=1
while [ $r -le $repeat ]; do
    $sspi_dtls "$secs" >>"$results/sspi-$r.txt"
    "$bin/dtls_raw" "$certs" "$secs" >>"$results/raw-$r.txt"
    r=$((r + 1))
done
if [ $have_server = 1 ]; then
    r=1
    while [ $r -le $repeat ]; do
        progress "sockets $r/$repeat against openssl s_server: ours, raw GnuTLS, Wine's builtin ($conn handshakes, $mib MiB)"
        $sspi sock $port "$conn" "$mib" >>"$results/sspi-$r.txt"
        $raw sock $port "$conn" "$mib" >>"$results/raw-$r.txt"
        wine_builtin "$bin/bench_sspi.exe" sock $port "$conn" "$mib" builtin >>"$results/builtin-$r.txt" \
            || echo "note Wine's builtin secur32 failed the socket run" >>"$results/builtin-$r.txt"
        r=$((r + 1))
    done
fi
stop_server
progress "measured in $(( $(date +%s) - started ))s; writing $out/results.json, results.csv, chart.png"
python3 "$here/report.py" "$results" "$out"
