#!/bin/sh
# The Unix half under valgrind: a short run of the many-connections harness
# must show no invalid access and no definite or indirect leak.
# (make stress runs the same with STRESS_VALGRIND_CONNECTIONS connections.)
build=${SECUR32_BUILDDIR:-$PWD}
count=${1:-${VALGRIND_CONNECTIONS:-30}}
valgrind=$(command -v valgrind)
if [ -z "$valgrind" ]; then
    echo "1..0 # SKIP valgrind not installed"
    exit 0
fi
log=$build/tests/stress/valgrind.log
"$valgrind" --quiet --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --log-file="$log" \
    "$build/tests/stress/stress_native" "$count" > "$build/tests/stress/valgrind.tap"
rc=$?
grep -v '^1\.\.' "$build/tests/stress/valgrind.tap"
n=$(grep -c '^\(not \)\?ok ' "$build/tests/stress/valgrind.tap")
n=$((n + 1))
if [ $rc -eq 0 ]; then
    echo "ok $n - valgrind: no errors, no definite or indirect leaks in $count connections"
else
    echo "not ok $n - valgrind exit $rc (log: $log)"
    head -40 "$log" | sed 's/^/# /'
fi
echo "1..$n"
