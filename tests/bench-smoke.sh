#!/bin/sh
# bench-smoke.sh: `make bench` in quick mode (BENCH_QUICK=1, a few seconds).
# Asserts that every figure was produced on both sides and is positive; it
# checks no performance threshold (that is what `make bench` reports).
# TAP output.
src=${SECUR32_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${SECUR32_BUILDDIR:-$PWD}
out=$build/tests/bench-smoke
rm -rf "$out"
mkdir -p "$out"
BENCH_QUICK=1 BENCH_OUT=$out timeout 120 sh "$src/bench/run-bench.sh" "$build" >"$out/table.txt" 2>"$out/progress.txt"
rc=$?
python3 - "$out" "$rc" <<'PY'
import json, os, sys
out, rc = sys.argv[1], int(sys.argv[2])
path = os.path.join(out, "results.json")
if not os.path.exists(path):
    print("1..1")
    print("not ok 1 - make bench (quick) wrote results.json (exit %d)" % rc)
    for line in open(os.path.join(out, "progress.txt")):
        print("# " + line.rstrip())
    sys.exit(0)
result = json.load(open(path))
rows = result["rows"]
print("1..%d" % (2 * len(rows) + 2))
n = 0
def ok(cond, text):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, text))
ok(rc == 0 and not result["problems"], "run-bench.sh succeeded (exit %d, problems: %s)" % (rc, "; ".join(result["problems"]) or "none"))
ok(os.path.getsize(os.path.join(out, "chart.png")) > 1000 if os.path.exists(os.path.join(out, "chart.png")) else False, "chart.png written")
for r in rows:
    for side in ("ours", "raw"):
        s = r[side]
        if s is None and side == "ours" and r["note"]:
            n += 1
            print("ok %d - %s: %s # SKIP %s" % (n, r["name"], side, r["note"]))
            continue
        ok(s is not None and s["median"] > 0, "%s: %s figure positive (%s %s)" % (r["name"], side, s["median"] if s else "missing", r["unit"]))
PY
