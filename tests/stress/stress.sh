#!/bin/sh
# make stress: the long versions of the robustness tests.
#   - STRESS_CONNECTIONS (10,000) sequential connections under Wine through
#     one client credential with the ISC flags programs pass (no
#     USE_SUPPLIED_CREDS), memory sampled: resident growth must stay under
#     40 bytes per connection (tests/conformance/longrun.exe);
#   - the Unix half under valgrind for STRESS_VALGRIND_CONNECTIONS (300)
#     connections: no invalid access, no definite or indirect leak;
#   - hostile peers with STRESS_HOSTILE_TRIALS (20,000) mutated connections;
#   - the full interoperability matrix (tests/peers/matrix.sh --full).
# Each part's TAP output is kept in tests/stress/*.tap; the summary says
# which parts passed.
src=${SECUR32_SRCDIR:?}
build=${SECUR32_BUILDDIR:?}
out=$build/tests/stress
mkdir -p "$out"
failed=0

part() {   # part NAME COMMAND...: runs it, keeps its TAP, prints the verdict
    name=$1; shift
    start=$(date +%s)
    "$@" > "$out/$name.tap" 2>"$out/$name.err"
    rc=$?
    bad=$(grep -c '^not ok' "$out/$name.tap")
    grep -E '^# .*(connections|growth|trials|cells|inputs|valgrind)' "$out/$name.tap" | tail -4
    if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && grep -q '^1\.\.' "$out/$name.tap"; then
        echo "stress: $name passed ($(( $(date +%s) - start )) s)"
    else
        echo "stress: $name FAILED (exit $rc, $bad failed checks; see $out/$name.tap)"
        failed=$((failed + 1))
    fi
}

export SECUR32_SRCDIR SECUR32_BUILDDIR WINEDEBUG=${WINEDEBUG:--all}
LONGRUN_CONNECTIONS=${STRESS_CONNECTIONS:-10000} part longrun \
    sh "$src/tools/run-test" "$build/tests/conformance/longrun.exe"
VALGRIND_CONNECTIONS=${STRESS_VALGRIND_CONNECTIONS:-300} part valgrind \
    sh "$src/tests/stress/valgrind-short.sh"
HOSTILE_TRIALS=${STRESS_HOSTILE_TRIALS:-20000} part hostile \
    sh "$src/tools/run-test" "$build/tests/conformance/hostile.exe"
if [ -f "$src/tests/peers/matrix.sh" ]; then
    part matrix sh "$src/tests/peers/matrix.sh" --full
fi
echo "stress: $failed part(s) failed"
[ $failed -eq 0 ]
