#!/bin/sh
# The loader test run with WINEDEBUG=+secur32: the trace (on Wine's stderr)
# shows the Unix half answering with its GnuTLS version; with the default
# quiet setting nothing of ours is printed.
build=${SECUR32_BUILDDIR:-$PWD}
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
run="sh $src/tools/wine-run --dll-dir $build --prefix $build/tests/wineprefix --"
n=0; failed=0
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

out=$(WINEDEBUG=-all,trace+secur32 $run "$build/tests/conformance/loader.exe" child 2>&1)
echo "$out" | grep -q "trace:secur32:bridge_connect Unix half ready, GnuTLS 3\." ; check $? "trace+secur32 shows the Unix half answering with GnuTLS 3.x"
echo "$out" | grep -q "trace:secur32:EnumerateSecurityPackagesA" ; check $? "trace+secur32 traces SSPI calls"
out=$($run "$build/tests/conformance/loader.exe" child 2>&1)
[ -z "$out" ]; check $? "quiet by default (got: $(echo "$out" | head -c 200))"
echo "1..$n"
exit $failed
