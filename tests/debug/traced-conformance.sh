#!/bin/sh
# Every conformance program once more with every trace on
# (WINEDEBUG=+secur32,+schannel): tracing must never change an outcome or
# crash, on any path the tests take, whatever the client's flags.  With
# SECUR32_DEBUG_STRICT=1 the Unix half aborts if it would run Wine's debug
# functions outside a call Wine made on its own thread.  The trace itself
# goes to /dev/null; only exit status and TAP results are checked.
# TRACE_ALL=0 skips this (for a quick local make check).
build=${SECUR32_BUILDDIR:-$PWD}
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exes=${SECUR32_TRACED_EXES:-}
if [ "${TRACE_ALL:-1}" = 0 ] || [ -z "$exes" ]; then
    echo "1..0 # SKIP TRACE_ALL=0 or no program list (SECUR32_TRACED_EXES)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/traced-conformance.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

# ---- every client style of SEC_I_INCOMPLETE_CREDENTIALS, trace kept: the
# Unix half's lines come from the caller's thread, pause or not.
WINEDEBUG=+secur32,+schannel SECUR32_DEBUG_STRICT=1 \
    timeout 600 sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$build/tests/wineprefix" -- \
    "$build/tests/conformance/mutual_tls.exe" >"$tmp/out" 2>"$tmp/trace"
check $? "mutual_tls traced: exit 0"
for style in curl .NET Qt; do
    for v in "TLS 1.2" "TLS 1.3"; do
        grep -q "^ok .* - $v, $style, MUTUAL_AUTH: handshake completes" "$tmp/out"
        check $? "traced $v $style-style client: handshake after SEC_I_INCOMPLETE_CREDENTIALS completes"
    done
done
! grep -q '^not ok ' "$tmp/out"; check $? "mutual_tls traced: no failed check"
grep -Eq '^[0-9a-f]{4}:trace:schannel:schan_diag_handshake_message client 0x[0-9a-f]+ received CERTIFICATE REQUEST' "$tmp/trace"
check $? "the Unix half traced the CertificateRequest in Wine's format"
tids=$(grep -E ':trace:schannel:schan_diag_handshake_message client ' "$tmp/trace" | cut -c1-4 | sort -u | wc -l)
[ "$tids" = 1 ]; check $? "every client handshake line comes from the one caller thread ($tids thread ids)"

# ---- the whole conformance suite traced
for exe in $exes; do
    name=$(basename "$exe" .exe)
    start=$(date +%s)
    WINEDEBUG=+secur32,+schannel SECUR32_DEBUG_STRICT=1 \
        timeout 600 sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$build/tests/wineprefix" -- \
        "$build/$exe" >"$tmp/out" 2>/dev/null
    rc=$?
    passed=$(grep -c '^ok ' "$tmp/out")
    failed=$(grep '^not ok ' "$tmp/out" | grep -cv '# TODO')
    [ "$rc" = 0 ] && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
    check $? "$name under WINEDEBUG=+secur32,+schannel: exit $rc, $passed ok, $failed failed ($(( $(date +%s) - start )) s)"
    grep '^not ok ' "$tmp/out" | grep -v '# TODO' | head -5 | sed 's/^/#   /'
done
echo "1..$n"
