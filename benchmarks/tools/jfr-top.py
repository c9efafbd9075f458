#!/usr/bin/env python3
"""Summarise a JFR recording's execution samples: top self frames and top inclusive frames.

usage: jfr-top.py recording.jfr [N] [filter-substring]
Uses `jfr print --json --events jdk.ExecutionSample`; the optional filter keeps only stacks that
contain a frame matching the substring (e.g. a thread's work: 'reactor' or 'laml').
"""
import collections, json, subprocess, sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
flt = sys.argv[3] if len(sys.argv) > 3 else None
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                     capture_output=True, text=True, check=True).stdout
events = json.loads(out)["recording"]["events"]
self_c, incl_c, threads = collections.Counter(), collections.Counter(), collections.Counter()
app_c = collections.Counter()  # self time charged to the first frame outside the JDK
n = 0
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    names = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in frames]
    if flt and not any(flt in x for x in names):
        continue
    n += 1
    t = e["values"].get("sampledThread") or {}
    threads[(t.get("javaName") or t.get("osName") or "?").rstrip("0123456789-")] += 1
    if names:
        self_c[names[0]] += 1
        app = next((x for x in names if not x.startswith(("java/", "jdk/", "sun/", "java.", "jdk."))), names[0])
        app_c[app] += 1
    for x in set(names):
        incl_c[x] += 1
print(f"{n} samples" + (f" (stacks containing {flt!r})" if flt else ""))
print("\nthreads:")
for k, v in threads.most_common(8):
    print(f"  {100.0*v/max(n,1):5.1f}%  {k}")
print("\nself:")
for k, v in self_c.most_common(top):
    print(f"  {100.0*v/max(n,1):5.1f}%  {k}")
print("\nself, charged to the first non-JDK frame:")
for k, v in app_c.most_common(top):
    print(f"  {100.0*v/max(n,1):5.1f}%  {k}")
print("\ninclusive:")
for k, v in incl_c.most_common(top):
    print(f"  {100.0*v/max(n,1):5.1f}%  {k}")
