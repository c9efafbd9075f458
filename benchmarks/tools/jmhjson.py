"""What report.py and report-tls.py share: reading JMH's JSON results and formatting figures."""
import json, os

MIB = 1 << 20


def load(directory, name):
    """The JMH results of <directory>/<name>.json; [] when the run wrote none (a failed step)."""
    p = os.path.join(directory, name + ".json")
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        return []
    return json.load(open(p))


def fmt(x, digits=3):
    if x is None or x != x:  # absent or NaN
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:.2f}"


def row(r):
    p = r["primaryMetric"]
    return p["score"], p["scoreError"]


def sec(r, key):
    m = r.get("secondaryMetrics", {}).get(key)
    return (m["score"], m["scoreError"]) if m else (None, None)


def alloc_table(rs, title):
    """The `-prof gc` table: bytes allocated per operation and per payload byte (256 x 1 MiB per operation)."""
    if not rs:
        return
    print(f"\n#### {title} (`-prof gc`)\n")
    print("| client | ops/s | gc.alloc.rate.norm (B/op) | B allocated per payload byte |")
    print("|---|---:|---:|---:|")
    payload = 256 * MIB
    for r in rs:
        n, _ = sec(r, "gc.alloc.rate.norm")
        print(f"| {r['params']['client']} | {fmt(row(r)[0])} | {fmt(n)} | {fmt(n / payload if n else None)} |")
