#!/bin/sh
# bench-instructions-smoke.sh: bench/instructions.sh in quick mode (about
# 30 s of callgrind): every instruction count exists for ours (with and
# without USE_SUPPLIED_CREDS) and raw GnuTLS, and the group is named.  No
# threshold: that is what `make bench` reports.  TAP output.
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${SECUR32_BUILDDIR:-$PWD}
VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    echo "1..0 # SKIP valgrind not found (Debian: valgrind)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-instr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
BENCH_QUICK=1 timeout 300 sh "$src/bench/instructions.sh" "$build" >"$tmp/table" 2>"$tmp/lines"
rc=$?
n=1
echo "1..6"
if [ $rc = 0 ]; then echo "ok 1 - instructions.sh ran"; else echo "not ok 1 - instructions.sh ran (exit $rc)"; fi
for op in hs12 hs13 res13 rec16k rec64; do
    n=$((n + 1))
    line=$(grep "^instructions $op " "$tmp/lines")
    if echo "$line" | grep -Eq "^instructions $op ours [1-9][0-9]* ours_supplied [1-9][0-9]* raw [1-9][0-9]* group [A-Z0-9-]+$"; then
        echo "ok $n - $op: ${line#instructions }"
    else
        echo "not ok $n - $op: no positive count on every side (${line:-missing})"
    fi
done
sed 's/^/# /' "$tmp/table"
