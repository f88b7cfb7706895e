#!/bin/sh
# instructions.sh BUILDDIR: instructions per operation, ours / raw GnuTLS,
# counted by valgrind --tool=callgrind (repeatable whatever else the machine
# does).  callgrind cannot follow a Wine process, so bench/instr_native
# drives our Unix half natively through its function table as the PE half
# does (see there); the PE half and Wine's crossing are not in these counts.
# Per operation = (count of N operations - count of none) / N, so setup and
# process start-up cancel out.  BENCH_QUICK=1 runs fewer operations.
build=${1:-$PWD}
drv=$build/bench/instr_native
certs=$build/tests/certs
VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
    echo "instructions: valgrind not found (Debian: valgrind)" >&2
    exit 1
fi
if [ "${BENCH_QUICK:-0}" = 1 ]; then nhs=2; n16=20; n64=200; else nhs=10; n16=200; n64=2000; fi
count() {   # side op n -> instructions
    "$VALGRIND" --tool=callgrind --callgrind-out-file=/dev/null "$drv" "$certs" "$1" "$2" "$3" 2>&1 >/dev/null \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_op() {  # side op n
    a=$(count "$1" "$2" 0); b=$(count "$1" "$2" "$3")
    [ -n "$a" ] && [ -n "$b" ] || { echo "instructions: callgrind failed for $1 $2" >&2; exit 1; }
    echo $(( (b - a) / $3 ))
}
target() { case $1 in hs12|hs13|res13) echo "<=1.02" ;; rec16k) echo "<=1.03" ;; rec64) echo "<=1.15" ;; *) echo "-" ;; esac; }
printf '%-8s %-10s %14s %14s %14s %8s %8s %7s\n' figure group ours ours-supplied raw ratio supp. target
for op in hs12 hs13 res13 rec16k rec64; do
    case $op in hs*|res*) n=$nhs ;; rec16k) n=$n16 ;; *) n=$n64 ;; esac
    group=$("$drv" "$certs" ours "$op" 0 | sed -n 's/^group //p')
    raw=$(per_op raw "$op" "$n")
    ours=$(per_op ours "$op" "$n")
    supp=$(per_op ours-supplied "$op" "$n")
    printf '%-8s %-10s %14s %14s %14s %8s %8s %7s\n' "$op" "${group:--}" "$ours" "$supp" "$raw" \
        "$(awk "BEGIN{printf \"%.3f\", $ours/$raw}")" "$(awk "BEGIN{printf \"%.3f\", $supp/$raw}")" "$(target $op)"
    echo "instructions $op ours $ours ours_supplied $supp raw $raw group ${group:--}" >&2
done
