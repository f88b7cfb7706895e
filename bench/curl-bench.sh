#!/bin/sh
# curl-bench.sh BUILDDIR: `make bench-curl` (also run by `make bench`).
# Download throughput of a real Schannel caller: curl.exe (Debian's curl
# source built for Windows by tools/build-curl) under Wine through our DLL,
# the same curl.exe through Wine's builtin secur32, and Debian's native curl
# (OpenSSL), each fetching the same file from the same local HTTPS server
# (tests/peers/https-server.py, Python's OpenSSL, TLS 1.2 AES-GCM as curl
# negotiates it under the prefixes' Windows 10 setting).  The three
# alternate (ours, builtin, native, ours, ...), CURL_BENCH_REPEAT rounds.
#
# Prints per variant the median MB/s as curl measured it (%{speed_download},
# transfer only), the median process CPU seconds (user+sys of the curl
# process, Wine's startup included) and CPU per 100 MB of transfer beyond an
# empty request's cost; and ours/builtin.  Results in BUILDDIR/bench/curl.txt.
#
# CURL_BENCH_MB (50), CURL_BENCH_REPEAT (5), CURL_BENCH_WINVER (win10; win7 for
# SCHANNEL_CRED instead of SCH_CREDENTIALS).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd)
mb=${CURL_BENCH_MB:-50}
repeat=${CURL_BENCH_REPEAT:-5}
winver=${CURL_BENCH_WINVER:-win10}
out=$build/bench
mkdir -p "$out"

curl_exe=$(sh "$here/../tools/build-curl") || { echo "bench-curl: no curl.exe (tools/build-curl failed)" >&2; exit 1; }
native=$(command -v curl || true)

# A private network namespace (the server binds 127.0.0.1 only, but the
# wineserver must live with the sockets): re-run inside it.
if [ -z "${CURL_BENCH_IN_NETNS:-}" ]; then
    if [ "$(id -u)" = 0 ]; then ns="unshare -n"; else ns="unshare -rn"; fi
    CURL_BENCH_IN_NETNS=1 exec $ns sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/curl-bench.XXXXXX")
# One prefix per Wine variant: the wineserver opens files for its clients,
# in its own mount namespace, so a wineserver started by tools/wine-run
# (our DLL bound over Wine's) would hand ours to "builtin" runs too.
wineserver=$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver)
server_pid=
cleanup() {
    set +e   # (a wineserver that already left makes -k fail)
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    for p in ours builtin; do
        WINEPREFIX=$work/prefix-$p "$wineserver" -k 2>/dev/null
        WINEPREFIX=$work/prefix-$p "$wineserver" -w 2>/dev/null
    done
    rm -rf "$work"
    return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$work/www"
head -c $((mb * 1048576)) /dev/urandom > "$work/www/big.bin"
: > "$work/www/empty.bin"
port=4610
python3 "$here/../tests/peers/https-server.py" --port $port --cert "$build/tests/certs/server-rsa-chain.pem" \
    --key "$build/tests/certs/server-rsa.key" --dir "$work/www" --log "$work/server.log" --timeout 1200 \
    > "$work/server.out" 2>&1 &
server_pid=$!
i=0
while ! grep -q '^ready' "$work/server.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

echo "[bench-curl] preparing two Wine prefixes" >&2
for p in ours builtin; do
    WINEPREFIX=$work/prefix-$p WINEDEBUG=-all wineboot -i > /dev/null 2>&1
    # Windows 10 (curl passes SCH_CREDENTIALS; win7: SCHANNEL_CRED): TLS 1.2.
    WINEPREFIX=$work/prefix-$p WINEDEBUG=-all wine winecfg -v "$winver" > /dev/null 2>&1
    WINEPREFIX=$work/prefix-$p "$wineserver" -w   # the next one starts where it is run
done
url=https://localhost:$port
args="-sS -k -o NUL -w %{speed_download}"

# run VARIANT FILE: one download; appends "MB/s cpu_seconds" to $work/VARIANT.FILE
run() {
    case $1 in
        ours) set -- "$1" "$2" sh "$here/../tools/wine-run" --dll-dir "$build" --prefix "$work/prefix-ours" -- "$curl_exe" $args ;;
        builtin) set -- "$1" "$2" env WINEPREFIX="$work/prefix-builtin" WINEDEBUG=${CURL_BENCH_DEBUG:--all} wine "$curl_exe" $args ;;
        native) set -- "$1" "$2" "$native" -sS -k -o /dev/null -w '%{speed_download}' ;;
    esac
    v=$1; f=$2; shift 2
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" "$url/$f" > "$work/speed" 2> "$work/err" \
        || { echo "bench-curl: $v failed: $(tail -n 3 "$work/err")" >&2; cp "$work/err" "$out/curl-$v.err"; return 0; }
    awk -v s="$(tr -d '\r' < "$work/speed")" '{ printf "%.1f %.3f\n", s / 1048576, $1 + $2 }' "$work/time" \
        >> "$work/$v.$f"
}

variants="ours builtin"
[ -n "$native" ] && variants="$variants native"
r=1
while [ $r -le "$repeat" ]; do
    echo "[bench-curl] round $r/$repeat: $mb MB from $url, $variants" >&2
    for v in $variants; do
        run $v big.bin
        run $v empty.bin
    done
    r=$((r + 1))
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print 0 }'; }
{
    echo "curl download, $mb MB, TLS 1.2 (curl's default under $winver), median of $repeat interleaved rounds"
    printf '%-8s %8s %12s %14s\n' variant MB/s "cpu s/run" "cpu s/100MB"
    for v in $variants; do
        speed=$(cut -d' ' -f1 "$work/$v.big.bin" 2>/dev/null | median)
        cpu=$(cut -d' ' -f2 "$work/$v.big.bin" 2>/dev/null | median)
        base=$(cut -d' ' -f2 "$work/$v.empty.bin" 2>/dev/null | median)
        per=$(awk -v c="$cpu" -v b="$base" -v m="$mb" 'BEGIN { printf "%.3f", (c - b) * 100 / m }')
        printf '%-8s %8s %12s %14s\n' "$v" "$speed" "$cpu" "$per"
        eval "speed_$v=$speed"
    done
    awk -v a="${speed_ours:-0}" -v b="${speed_builtin:-0}" \
        'BEGIN { if (b > 0) printf "ours/builtin download ratio: %.2f\n", a / b }'
} | tee "$out/curl.txt"
