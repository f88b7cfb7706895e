#!/usr/bin/env python3
"""report.py RUNS_DIR OUT_DIR: the table of `make bench`.

Reads RUNS_DIR/sspi-N.txt and raw-N.txt ("figure NAME VALUE" lines, one file
per repetition), prints the median of each figure for our SSPI and for raw
GnuTLS with the spread (min-max over the runs) and the ratio ours/raw, and
writes OUT_DIR/results.json, results.csv and, when gnuplot is there,
chart.png.  Exit status 1 when a figure is missing or not positive (what the
smoke test checks); targets are reported, never enforced.
"""
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys

# name, label, unit, higher is better, target: (kind, value)
#   ("ratio", x): ours/raw >= x (or raw/ours >= x when lower is better)
#   ("within", b): ours - raw <= b bytes
BASE_FIGURES = [
    ("hs_tls13_ecdsa", "full handshakes TLS 1.3 ECDSA P-256", "hs/s", True, ("ratio", 0.9)),
    ("hs_tls13_rsa", "full handshakes TLS 1.3 RSA 2048", "hs/s", True, ("ratio", 0.9)),
    ("hs_tls12_rsa", "full handshakes TLS 1.2 ECDHE RSA 2048", "hs/s", True, ("ratio", 0.9)),
    ("hs_resumed", "resumed handshakes TLS 1.3 (ticket)", "hs/s", True, ("ratio", 0.85)),
    ("bulk_aes128gcm", "bulk 16 KiB records AES-128-GCM", "MB/s", True, ("ratio", 0.9)),
    ("bulk_aes256gcm", "bulk 16 KiB records AES-256-GCM", "MB/s", True, ("ratio", 0.9)),
    ("bulk_chacha20", "bulk 16 KiB records ChaCha20-Poly1305", "MB/s", True, ("ratio", 0.9)),
    ("small_64", "64-byte messages (encrypt+decrypt)", "msg/s", True, ("ratio", 0.5)),
    ("dtls12_hs", "full handshakes DTLS 1.2 RSA 2048 (cookie exchange)", "hs/s", True, ("ratio", 0.9)),
    ("dtls12_rec_1k", "DTLS 1.2 1 KiB records (encrypt+decrypt)", "msg/s", True, ("ratio", 0.5)),
    ("mem_context", "memory (RSS) per idle context", "bytes", False, ("within", 65536)),
    ("mem_cred", "memory (RSS) per credential", "bytes", False, None),
    ("sock_hs_ms", "socket handshake latency vs openssl s_server", "ms", False, None),
    ("sock_hs_cpu_ms", "socket handshake CPU time (process)", "ms", False, None),
    ("sock_mbps", "socket echo throughput vs openssl s_server", "MB/s", True, None),
]
# Handshakes measured again with ISC_REQ_USE_SUPPLIED_CREDS on our side; the
# plain rows use the flags programs pass (no USE_SUPPLIED_CREDS).
SUPPLIED = {"hs_tls13_rsa", "hs_tls12_rsa"}
RATES = ("hs/s", "MB/s", "msg/s")


def expand(base):
    """Each rate again per CPU second of the process (target 0.95x for
    handshakes and bulk), and the USE_SUPPLIED_CREDS rows."""
    out = []
    for fig in base:
        variants = [fig]
        name, label, unit, higher, target = fig
        if name in SUPPLIED:
            variants.append((name + "_supplied", label + ", USE_SUPPLIED_CREDS", unit, higher, target))
        for v in variants:
            out.append(v)
            if v[2] in RATES:
                cpu_target = ("ratio", 0.95) if v[0].startswith(("hs_", "bulk_")) else None
                out.append((v[0] + "_cpu", v[1] + " per CPU s", v[2].replace("/s", "/cpu-s"), True, cpu_target))
    return out


FIGURES = expand(BASE_FIGURES)
# Figures that may be absent on our side, and why.
ECDSA_GAP = (
    "Wine 8's ncrypt cannot import ECC keys (NCryptImportKey: NTE_INVALID_PARAMETER), "
    "and PFXImportCertStore cannot either: no ECDSA certificate reaches SSPI")
KNOWN_GAPS = {
    "hs_tls13_ecdsa_cpu": ECDSA_GAP,
    "hs_tls13_ecdsa": "Wine 8's ncrypt cannot import ECC keys (NCryptImportKey: NTE_INVALID_PARAMETER), "
                      "and PFXImportCertStore cannot either: no ECDSA certificate reaches SSPI",
}


def read_runs(runs_dir, side):
    runs, notes = [], set()
    for path in sorted(glob.glob(os.path.join(runs_dir, side + "-*.txt"))):
        values = {}
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "figure":
                    values[parts[1]] = float(parts[2])
                elif parts and parts[0] == "note":
                    notes.add(line[5:].strip())
        runs.append(values)
    return runs, sorted(notes)


def summarize(runs, name):
    values = [r[name] for r in runs if name in r]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def paired_ratio(ours, raw):
    """Median of ours/raw over runs measured side by side: a slow phase of the
    shared machine hits both members of a pair."""
    if not ours or not raw:
        return None
    pairs = [o / r for o, r in zip(ours["runs"], raw["runs"]) if r > 0]
    return statistics.median(pairs) if pairs else None


def verdict(fig, ours, raw, ratio):
    _, _, _, higher, target = fig
    if not ours or not raw or not target:
        return None, ""
    kind, value = target
    if kind == "within":
        diff = ours["median"] - raw["median"]
        return diff <= value, "<= raw + %d KiB" % (value // 1024)
    if not higher:
        ratio = 1 / ratio
    return ratio >= value, ">= %.2fx" % value


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f" % v
    return "%.3g" % v


def spread(s):
    if not s or s["median"] == 0:
        return ""
    return "±%.0f%%" % (50.0 * (s["max"] - s["min"]) / s["median"])


def build(runs_dir):
    ours_runs, ours_notes = read_runs(runs_dir, "sspi")
    raw_runs, raw_notes = read_runs(runs_dir, "raw")
    builtin_runs, builtin_notes = read_runs(runs_dir, "builtin")
    rows, problems = [], []
    for fig in FIGURES:
        name, label, unit, higher, target = fig
        ours, raw = summarize(ours_runs, name), summarize(raw_runs, name)
        ratio = paired_ratio(ours, raw)
        met, target_text = verdict(fig, ours, raw, ratio)
        gap = KNOWN_GAPS.get(name) if not ours else None
        for side, s in (("ours", ours), ("raw", raw)):
            if s is None and not (side == "ours" and gap):
                problems.append("%s: no %s figure" % (name, side))
            elif s is not None and not s["median"] > 0:
                problems.append("%s: %s figure is not positive (%g)" % (name, side, s["median"]))
        rows.append({"name": name, "label": label, "unit": unit, "higher_is_better": higher,
                     "ours": ours, "raw": raw, "builtin": summarize(builtin_runs, name),
                     "ratio": ratio, "target": target_text, "target_met": met, "note": gap or ""})
    return {"repetitions": len(ours_runs), "rows": rows,
            "notes": ours_notes + raw_notes + ["builtin: " + n for n in builtin_notes]}, problems


def print_table(result):
    head = "%-56s %-8s %12s %7s %12s %7s %12s %8s  %s" % (
        "figure", "unit", "ours", "spread", "raw GnuTLS", "spread", "Wine builtin", "ours/raw", "target")
    print("secur32-gnutls bench: median of %d runs (spread = half the min-max range; ours/raw = median of the "
          "per-run ratios)" % result["repetitions"])
    print(head)
    print("-" * len(head))
    for r in result["rows"]:
        met = "" if r["target_met"] is None else (" met" if r["target_met"] else " MISSED")
        ours = r["ours"]["median"] if r["ours"] else None
        raw = r["raw"]["median"] if r["raw"] else None
        ratio = "%.2fx" % r["ratio"] if r["ratio"] else "n/a"
        builtin = r["builtin"]["median"] if r.get("builtin") else None
        print("%-56s %-8s %12s %7s %12s %7s %12s %8s  %s%s" % (
            r["label"], r["unit"], fmt(ours), spread(r["ours"]), fmt(raw), spread(r["raw"]), fmt(builtin), ratio,
            r["target"], met))
        if r["note"]:
            print("    (ours n/a: %s)" % r["note"])
    for n in result["notes"]:
        print("note: " + n)


def write_csv(result, path):
    with open(path, "w") as f:
        f.write("figure,unit,ours_median,ours_min,ours_max,raw_median,raw_min,raw_max,builtin_median,ratio,target,"
                "target_met\n")
        for r in result["rows"]:
            o, w, b = r["ours"] or {}, r["raw"] or {}, r.get("builtin") or {}
            f.write(",".join(str(x) for x in (
                r["name"], r["unit"], o.get("median", ""), o.get("min", ""), o.get("max", ""),
                w.get("median", ""), w.get("min", ""), w.get("max", ""), b.get("median", ""),
                "%.4f" % r["ratio"] if r["ratio"] else "", r["target"],
                "" if r["target_met"] is None else int(r["target_met"]))) + "\n")


def write_chart(result, out_dir):
    """Ratio ours/raw per figure (1.0 = as fast as raw GnuTLS; for memory and
    latency, lower is better), with each figure's target line."""
    if not shutil.which("gnuplot"):
        print("note: gnuplot not found (Debian package gnuplot-nox): no chart.png", file=sys.stderr)
        return
    data = os.path.join(out_dir, "chart.dat")
    with open(data, "w") as f:
        for i, r in enumerate(r for r in result["rows"]):
            o, w = r["ours"], r["raw"]
            if not o or not w:
                continue
            lo, hi = o["min"] / w["median"], o["max"] / w["median"]
            tgt = r["target"].split()[-1].rstrip("x") if r["target"].startswith(">=") else "NaN"
            f.write('%d "%s" %.4f %.4f %.4f %s\n' % (i, r["name"], r["ratio"], lo, hi, tgt))
    script = """
set terminal png size 1100,520 font ",10"
set output "%s"
set title "secur32-gnutls vs raw GnuTLS: ours/raw (median of %d runs, bars = min..max)"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set xtics rotate by -35 noenhanced
set grid ytics
set key top right
set ylabel "ratio ours/raw"
plot "%s" using 1:3:xtic(2) with boxes lc rgb "#3a78b5" title "ours/raw", \\
     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 notitle, \\
     "" using 1:6 with points pt 7 ps 1.2 lc rgb "#d62728" title "target", \\
     1 with lines dt 2 lc rgb "gray" title "raw GnuTLS"
""" % (os.path.join(out_dir, "chart.png"), result["repetitions"], data)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    runs_dir, out_dir = sys.argv[1], sys.argv[2]
    result, problems = build(runs_dir)
    print_table(result)
    result["problems"] = problems
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    write_csv(result, os.path.join(out_dir, "results.csv"))
    write_chart(result, out_dir)
    for p in problems:
        print("bench: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
