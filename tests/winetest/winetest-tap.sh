#!/bin/sh
# winetest-tap.sh XFAIL-LIST NAME:LOG:STATUS...: turns the output of Wine's
# test programs (include/wine/test.h, run with WINETEST_PLATFORM=windows)
# into TAP for the Automake driver.  Per program:
#   - one `not ok` per failing line ("file.c:N: Test failed: ...", a todo
#     block that succeeded, an unhandled exception);
#   - one summary line with its run / failed / todo / skipped counts, `ok`
#     only when it ended normally (its own summary line printed, no
#     exception) with every failure accounted for by the XFAIL list, and no
#     network test skipped for want of the stand-in server.
# XFAIL-LIST lines are "file.c:LINE WineCall reason..." ('#' comments): a
# result Wine 8's crypt32/ncrypt make impossible.  Each gives one
# `not ok ... # TODO` line while it still fails, and an `ok ... # TODO`
# (an XPASS, which the driver counts as a failure) once it passes, so the
# entry is removed when Wine is fixed.
set -u
xfail_list=$1; shift
n=0
emit() {   # ok|not-ok description [directive]
    n=$((n + 1))
    if [ "$1" = ok ]; then echo "ok $n - $2${3:+ # $3}"; else echo "not ok $n - $2${3:+ # $3}"; fi
}
xfail_of() {   # file.c:LINE -> "WineCall reason" or nothing
    sed -n "s/^$1 //p" "$xfail_list" 2>/dev/null | head -n 1
}

for spec in "$@"; do
    name=${spec%%:*}; rest=${spec#*:}; log=${rest%:*}; status=${rest##*:}
    file=$name.c
    failures=0 accounted=0
    # Failing lines, in the order seen.
    grep -E "^$file:[0-9]+: (Test failed|Test succeeded inside todo block)" "$log" > "$log.fail" 2>/dev/null
    while IFS= read -r line; do
        failures=$((failures + 1))
        where=$(printf '%s\n' "$line" | sed -n 's/^\([^:]*:[0-9]*\):.*/\1/p')
        if [ -n "$(xfail_of "$where")" ]; then
            accounted=$((accounted + 1))
            echo "# expected failure (XFAIL list): $line"
        else
            emit not-ok "$line"
        fi
    done < "$log.fail"
    # Each XFAIL entry of this file: still failing, or now passing.
    grep -E "^$file:[0-9]+ " "$xfail_list" > "$log.xfail" 2>/dev/null
    while IFS= read -r entry; do
        where=${entry%% *}; why=${entry#* }
        if grep -q "^$where: " "$log.fail"; then
            emit not-ok "XFAIL $where still fails: $why" "TODO Wine 8 cannot do this"
        else
            emit ok "XFAIL $where passes now: remove it from the XFAIL list ($why)" "TODO"
        fi
    done < "$log.xfail"
    rm -f "$log.fail" "$log.xfail"
    crash=$(grep -E "unhandled exception|this is the last test seen" "$log" | head -n 2 | tr '\n' ' ')
    [ -n "$crash" ] && emit not-ok "$file crashed: $crash"
    summary=$(grep -E "^[0-9a-f]+:$name:.* tests executed" "$log" | tail -n 1)
    counts=$(printf '%s\n' "$summary" | sed -n \
        's/.* \([0-9]*\) tests executed (\([0-9]*\) marked as todo, [0-9]* as flaky, \([0-9]*\) failures\{0,1\}), \([0-9]*\) skipped.*/\1 run, \3 failed, \2 todo, \4 skipped/p')
    nonet=$(grep -E "Tests skipped: (Can't resolve|Can't connect|recv failed|connection closed|Handshake failed)" "$log" | head -n 1)
    if [ -z "$summary" ]; then
        emit not-ok "$file: no summary line (the program died; exit status $status)"
    elif [ -n "$crash" ] || [ "$failures" != "$accounted" ] || [ -n "$nonet" ]; then
        emit not-ok "$file: $counts (exit status $status) ${nonet:+- network test skipped: $nonet}"
    else
        [ "$accounted" = 0 ] && xf= || xf=" ($accounted XFAIL)"
        emit ok "$file: $counts$xf"
    fi
done
echo "1..$n"
