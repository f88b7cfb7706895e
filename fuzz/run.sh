#!/bin/sh
# run.sh: runs libFuzzer targets for a set time each and reports executions
# and findings.
#   run.sh [--tap] SECONDS TARGET...     (from the build directory)
# Each target fuzz/fuzz_TARGET starts from the seeds in
# $SECUR32_SRCDIR/fuzz/corpus/TARGET and the regression inputs in
# fuzz/regress/TARGET; new inputs go to fuzz/work/TARGET in the build tree and
# anything found to fuzz/findings/ (crash-*, leak-*, timeout-*).  Exit status
# 1 when a target found something.  --tap prints one TAP test per target.
set -u
tap=0
if [ "${1:-}" = --tap ]; then tap=1; shift; fi
seconds=${1:?usage: run.sh [--tap] SECONDS TARGET...}; shift
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${SECUR32_BUILDDIR:-$PWD}
n=0 failed=0 total=0

[ $tap = 1 ] && echo "1..$#"
for t in "$@"; do
    n=$((n + 1))
    bin=$build/fuzz/fuzz_$t
    if [ ! -x "$bin" ]; then
        if [ $tap = 1 ]; then echo "ok $n # SKIP fuzz_$t not built (needs clang with libFuzzer)"; else echo "fuzz_$t: not built"; fi
        continue
    fi
    work=$build/fuzz/work/$t findings=$build/fuzz/findings
    mkdir -p "$work" "$findings"
    rm -f "$findings/$t"-*
    dirs="$work $src/fuzz/corpus/$t"
    [ -d "$src/fuzz/regress/$t" ] && dirs="$dirs $src/fuzz/regress/$t"
    log=$build/fuzz/fuzz_$t.log
    # shellcheck disable=SC2086
    # Full malloc stacks where lsan.supp must name a function inside GnuTLS
    # (slow, so only for the target that needs it).
    unwind=; [ "$t" = cred ] && unwind=:fast_unwind_on_malloc=0
    WINEDEBUG=-all ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1$unwind \
    LSAN_OPTIONS=suppressions=$src/fuzz/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$findings/$t-" $dirs >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    total=$((total + execs))
    found=$(ls "$findings/$t"-* 2>/dev/null | wc -l)
    corpus=$(ls "$work" | wc -l)
    if [ $rc -eq 0 ] && [ "$found" -eq 0 ]; then
        msg="fuzz_$t: $execs executions in ${seconds}s, $corpus new corpus inputs, no findings"
        if [ $tap = 1 ]; then echo "ok $n - $msg"; else echo "$msg"; fi
    else
        failed=$((failed + 1))
        msg="fuzz_$t: exit $rc after $execs executions, $found finding(s) in $findings (log: $log)"
        if [ $tap = 1 ]; then echo "not ok $n - $msg"; else echo "$msg"; fi
        grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/# /'
    fi
done
[ $tap = 1 ] && echo "# $total executions in all" || echo "fuzz: $total executions in all, $failed target(s) with findings"
[ $failed -eq 0 ]
