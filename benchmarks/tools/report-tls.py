#!/usr/bin/env python3
"""Turns a run-tls.sh results directory into the Markdown tables of BENCHMARKS.md ("Over TLS").

usage: report-tls.py benchmarks/results/<run>
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jmhjson import MIB, fmt, row, sec  # noqa: E402
import jmhjson  # noqa: E402

d = sys.argv[1]


def load(name):
    return jmhjson.load(d, name)


def per_byte(r, key):
    b, _ = sec(r, "bytes")
    x, _ = sec(r, key)
    return x / b if x is not None and b else None


def downloads(names, title, reference="laml"):
    rs = [r for n in names for r in load(n)]
    if not rs:
        return
    by = {}
    for r in rs:
        key = r["params"]["client"] + ("" if r["params"].get("tls", "true") == "true" else " (plain HTTP)")
        by[key] = r
    ref = by.get(reference)
    print(f"\n#### {title}\n")
    print(f"| client | ops/s | ± (99.9%) | MiB/s | downloads/s | client CPU ns per byte | server CPU ns per byte | {reference} ÷ client |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for c, r in by.items():
        s, e = row(r)
        b, _ = sec(r, "bytes")
        dl, _ = sec(r, "downloads")
        ratio = row(ref)[0] / s if ref else None
        print(f"| {c} | {fmt(s)} | {fmt(e)} | {fmt(b / MIB if b else None)} | {fmt(dl)} | "
              f"{fmt(per_byte(r, 'cpuNanos'))} | {fmt(per_byte(r, 'serverCpuNanos'))} | {fmt(ratio)} |")


def alloc():
    jmhjson.alloc_table(load("tls-alloc-256x1m"), "Allocation over TLS, 256 x 1 MiB")


downloads(["tls-256x1m", "plain-256x1m"], "ConcurrentDownloads over TLS, 256 x 1 MiB")
downloads(["tls-16x16m", "plain-16x16m"], "ConcurrentDownloads over TLS, 16 x 16 MiB")
downloads(["tls-1024x64k", "plain-1024x64k"], "ConcurrentDownloads over TLS, 1024 x 64 KiB")
downloads(["newconn"], "NewConnections, 1024 x 64 KiB, a new connection per download (read downloads/s)")
alloc()
