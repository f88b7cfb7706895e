#!/bin/sh
# tools/wine-run and a wineserver it did not start: Wine opens DLL files in
# the wineserver, so a server started by a plain `wine` would pair Wine's
# secur32.dll with our secur32.so.  wine-run must refuse such a server, and
# run normally once it is gone.
build=${SECUR32_BUILDDIR:-$PWD}
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
wineserver=${WINESERVER:-$(command -v wineserver 2>/dev/null || echo /usr/lib/wine/wineserver)}
n=0; failed=0
check() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
prefix=$(mktemp -d "${TMPDIR:-/tmp}/wine-run-server.XXXXXX")
trap 'WINEPREFIX=$prefix "$wineserver" -k 2>/dev/null; rm -rf "$prefix"' EXIT
# A prefix wine-run takes as made (no wineboot needed to run `true`).
echo "WINE REGISTRY Version 2" > "$prefix/system.reg"; : > "$prefix/.secur32-wow64-update"

# A plain wineserver of the prefix, outside any runner: it sees Wine's files.
WINEPREFIX=$prefix "$wineserver" -p 60 2>/dev/null
. "$src/tools/wine-run-server.sh"
WINEPREFIX=$prefix
i=0; while [ $i -lt 50 ] && [ -z "$(wineserver_of_prefix)" ]; do sleep 0.1; i=$((i+1)); done
[ -n "$(wineserver_of_prefix)" ]; check $? "a plain wineserver of the prefix runs (the setting of this test)"
out=$(SECUR32_WINESERVER_WAIT=2 sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$prefix" -- true 2>&1)
rc=$?
[ "$rc" = 2 ]; check $? "a wineserver started outside the runner is refused (exit $rc)"
case $out in *"started outside this runner"*"wineserver -k"*) r=0 ;; *) r=1; echo "$out" | sed 's/^/# /' ;; esac
check $r "the refusal says why and how to stop it"

WINEPREFIX=$prefix "$wineserver" -k 2>/dev/null
WINEPREFIX=$prefix "$wineserver" -w 2>/dev/null
sh "$src/tools/wine-run" --dll-dir "$build" --prefix "$prefix" -- true
check $? "with that wineserver gone, the runner runs"
echo "1..$n"
exit $failed
