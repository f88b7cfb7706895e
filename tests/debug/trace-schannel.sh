#!/bin/sh
# WINEDEBUG and the schannel/secur32 channels: handshakes of the in-process
# pair (tests/debug/tls_peer.exe) traced with +schannel show the handshake
# messages, the negotiated version and suite, and lines of both halves in
# Wine's "0024:class:channel:function" format, interleaved in call order.
# Classes are honoured, GnuTLS's own log only comes with
# SECUR32_GNUTLS_LOG_LEVEL, and by default only err: lines are printed.
build=${SECUR32_BUILDDIR:-$PWD}
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
peer="$build/tests/debug/tls_peer.exe"
run() { timeout 120 sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$build/tests/wineprefix" -- "$peer" "$@"; }
n=0; failed=0
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
has() { printf '%s\n' "$1" | grep -Eq -- "$2"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/trace-schannel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- a traced TLS 1.3 handshake
WINEDEBUG=+schannel,+secur32 run pair tls13 >"$tmp/out" 2>"$tmp/trace"
check $? "traced TLS 1.3 pair runs"
grep -q "pair ok" "$tmp/out"; check $? "the traced pair exchanged a record"
t=$(cat "$tmp/trace")
has "$t" '^[0-9a-f]{4}:trace:schannel:schan_diag_handshake_message client 0x[0-9a-f]+ sent CLIENT HELLO'
check $? "Unix half: Wine-format line for the ClientHello the client sent"
has "$t" ':trace:schannel:schan_diag_handshake_message server 0x[0-9a-f]+ received CLIENT HELLO'
check $? "Unix half: the server saw the ClientHello"
has "$t" ':trace:schannel:schan_diag_handshake_message client 0x[0-9a-f]+ received FINISHED'
check $? "Unix half: the client saw the server's Finished"
has "$t" ':trace:schannel:schan_diag_negotiated client 0x[0-9a-f]+ handshake done: TLS1.3, suite TLS_AES_[0-9]+_GCM_SHA[0-9]+, group [A-Z0-9]+, full handshake'
check $? "negotiated version, suite and group on the client"
has "$t" ':trace:schannel:schan_diag_negotiated server .*SNI "localhost"'
check $? "the server reports the SNI it received"
has "$t" ':trace:schannel:handshake_step client: '
check $? "PE half: handshake steps on channel schannel"
# Interleaving: ISC (PE, secur32) -> ClientHello (Unix) -> handshake_step (PE), one thread.
order=$(printf '%s\n' "$t" | awk '
    /:trace:secur32:InitializeSecurityContextW/ && !a { a = NR; ta = substr($0, 1, 4) }
    /sent CLIENT HELLO/ && a && !b { b = NR; tb = substr($0, 1, 4) }
    /:trace:schannel:handshake_step client/ && b && !c { c = NR; tc = substr($0, 1, 4) }
    END { print (a && b && c && a < b && b < c && ta == tb && tb == tc) ? "yes" : "no" }')
[ "$order" = yes ]; check $? "PE and Unix lines interleave in call order with one thread id"

# ---- TLS 1.2
WINEDEBUG=trace+schannel run pair tls12 >"$tmp/out" 2>"$tmp/trace"
t=$(cat "$tmp/trace")
has "$t" ':trace:schannel:schan_diag_negotiated client .* handshake done: TLS1.2, suite TLS_ECDHE_RSA_WITH_AES_[0-9]+_GCM_SHA[0-9]+'
check $? "TLS 1.2: negotiated suite traced"
has "$t" 'received SERVER KEY EXCHANGE'
check $? "TLS 1.2: the ServerKeyExchange step is traced"
! has "$t" ':trace:secur32:'; check $? "trace+schannel leaves secur32 quiet"
# One PE->Unix crossing per ISC/ASC call: the TLS 1.2 pair's 5 calls
# (ALLOCATE_MEMORY) are 5 HANDSHAKE calls, with no TAKE_OUTPUT for the
# flights and no GET_CONNECTION_INFO at the end.
crossings() { printf '%s\n' "$t" | grep -c ":trace:schannel:unix_call unix call $1\$"; }
[ "$(crossings HANDSHAKE)" = 5 ] && [ "$(crossings TAKE_OUTPUT)" = 0 ] && [ "$(crossings GET_CONNECTION_INFO)" = 0 ]
check $? "TLS 1.2: one crossing per flight ($(crossings HANDSHAKE) HANDSHAKE, $(crossings TAKE_OUTPUT) TAKE_OUTPUT, $(crossings GET_CONNECTION_INFO) GET_CONNECTION_INFO)"

# ---- classes and GnuTLS's own log
WINEDEBUG=warn+schannel SECUR32_GNUTLS_LOG_LEVEL=3 run pair tls13 >/dev/null 2>"$tmp/trace"
! grep -q ':trace:' "$tmp/trace"; check $? "warn+schannel prints no trace lines, not even GnuTLS's"
WINEDEBUG=+schannel run pair tls13 >/dev/null 2>"$tmp/trace"
! grep -q ':trace:schannel:gnutls ' "$tmp/trace"; check $? "GnuTLS's own log is off without SECUR32_GNUTLS_LOG_LEVEL"
WINEDEBUG=+schannel SECUR32_GNUTLS_LOG_LEVEL=4 run pair tls13 >/dev/null 2>"$tmp/trace"
grep -Eq '^[0-9a-f]{4}:trace:schannel:gnutls gnutls[1-4]: HSK' "$tmp/trace"
check $? "SECUR32_GNUTLS_LOG_LEVEL=4 adds GnuTLS's log on trace:schannel"

# ---- quiet by default, errors still said
out=$(run pair tls13 2>&1 >/dev/null)
[ -z "$out" ]; check $? "default WINEDEBUG: a good handshake prints nothing (got: $(printf '%s' "$out" | head -c 200))"
out=$(WINEDEBUG=fixme+all,err+all run pair tls13 2>&1 >/dev/null | grep -E ':(secur32|schannel):')
[ -z "$out" ]; check $? "Wine's default classes: nothing of ours for a good handshake (got: $(printf '%s' "$out" | head -c 200))"
out=$(run untrusted 2>&1 >/dev/null)
has "$out" '^[0-9a-f]{4}:err:schannel:[a-z_]+ the server.s certificate for localhost does not chain to a trusted root; the prefix.s root store'
check $? "untrusted server: one err: line says so even when tracing is off"
[ "$(printf '%s\n' "$out" | grep -c ':err:')" = 1 ]; check $? "untrusted server: exactly one err: line"
out=$(run mismatch 2>&1 >/dev/null)
has "$out" ':err:schannel:[a-z_]+ TLS handshake as server failed: no protocol version in common .*this server allows TLS 1.3, the client offered [^;]*TLS 1.2'
check $? "protocol mismatch: err: line names what each side allowed"

echo "1..$n"
exit $failed
