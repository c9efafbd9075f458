#!/usr/bin/env python3
"""Turns a run-all.sh results directory into the Markdown tables of BENCHMARKS.md.

usage: report.py benchmarks/results/<run>
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jmhjson import MIB, fmt, row, sec  # noqa: E402
import jmhjson  # noqa: E402

d = sys.argv[1]


def load(name):
    return jmhjson.load(d, name)


def downloads(name, title):
    rs = load(name)
    if not rs:
        return
    by = {r["params"]["client"]: r for r in rs}
    laml = by.get("laml")
    print(f"\n#### {title}\n")
    print("| client | ops/s | ± (99.9%) | MiB/s | client CPU ns per byte | laml ÷ client |")
    print("|---|---:|---:|---:|---:|---:|")
    for c, r in by.items():
        s, e = row(r)
        b, _ = sec(r, "bytes")
        cpu, _ = sec(r, "cpuNanos")
        ratio = row(laml)[0] / s if laml else None
        print(f"| {c} | {fmt(s)} | {fmt(e)} | {fmt(b / MIB if b else None)} | "
              f"{fmt(cpu / b if cpu and b else None)} | {fmt(ratio)} |")


def simple(name, title, key, unit):
    rs = load(name)
    if not rs:
        return
    print(f"\n#### {title}\n")
    print(f"| {key} | client | {unit} | ± (99.9%) |")
    print("|---|---|---:|---:|")
    for r in rs:
        s, e = row(r)
        k = r["params"].get(key, "")
        print(f"| {k} | {r['params']['client']} | {fmt(s)} | {fmt(e)} |")


def alloc():
    jmhjson.alloc_table(load("alloc-256x1m"), "Allocation, 256 x 1 MiB")


def dates():
    rs = load("dates")
    if not rs:
        return
    print("\n#### Date parsing (per date)\n")
    print("| parser | ns/op | ± |")
    print("|---|---:|---:|")
    for r in rs:
        s, e = row(r)
        print(f"| {r['benchmark'].rsplit('.', 1)[1]} | {fmt(s)} | {fmt(e)} |")


downloads("downloads-256x1m", "ConcurrentDownloads 256 x 1 MiB")
downloads("downloads-16x16m", "ConcurrentDownloads 16 x 16 MiB")
downloads("downloads-1024x64k", "ConcurrentDownloads 1024 x 64 KiB")
downloads("downloads-1x1m", "ConcurrentDownloads 1 x 1 MiB")
simple("filesink", "FileSink (ops/s; one op = all files written)", "shape", "ops/s")
simple("metadata", "MetadataFetch (ops/s; one op = all fetches done)", "concurrency", "ops/s")
alloc()
dates()
