#!/usr/bin/env python3
"""Tables for docs/benchmarks.md from run-bench.sh's JSON lines: medians over rounds (min-max in brackets) and the
ratios against the direct and nginx arms. Usage: python3 bench-report.py results.jsonl"""
import json
import statistics
import sys
from collections import defaultdict

def cpu_per_request(row):
    """The gateway's CPU time per request over the whole run (warm-up included: requests = req/s × run seconds)."""
    import re
    rep = row["report"]
    m = re.search(r"--warmup (\d+)s", row.get("args", ""))
    seconds = rep.get("seconds", 0) + (int(m.group(1)) if m else 0)
    requests = rep.get("rps", 0) * seconds
    return row["cpu_ticks"] / row["hz"] * 1e6 / requests if requests else None


rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
runs = defaultdict(list)  # (phase, arm) -> [report]
by_round = defaultdict(dict)  # (phase, round) -> arm -> report
extra = defaultdict(list)
for r in rows:
    if "report" in r:
        if "error" in r["report"]:
            continue
        if r.get("cpu_ticks") and r.get("hz"):
            r["report"]["cpu_us_per_req"] = cpu_per_request(r)
        runs[(r["phase"], r["arm"])].append(r["report"])
        by_round[(r["phase"], r["round"])][r["arm"]] = r["report"]
    else:
        extra[r["phase"]].append(r)
ARMS = ["direct", "direct-h2c", "nginx", "embedded", "h2", "baseline", "redis"]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, unit=""):
    if v is None:
        return "–"
    if unit == "us":
        return f"{v / 1000:.2f} ms" if abs(v) >= 10000 else f"{v:.0f} µs"
    if isinstance(v, float) and v != int(v):
        return f"{v:,.1f}"
    return f"{int(v):,}"


def rng(values, unit=""):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) == 1:
        return fmt(values[0], unit)
    return f"{fmt(med(values), unit)} ({fmt(min(values), unit)}–{fmt(max(values), unit)})"


def get(rep, *path):
    for p in path:
        rep = rep.get(p) if isinstance(rep, dict) else None
    return rep


def added(phase, arm, *path):
    """Per round: arm's value minus direct's, so the noise both share cancels."""
    out = []
    for (ph, _), arms in by_round.items():
        if ph == phase and arm in arms and "direct" in arms:
            out.append(get(arms[arm], *path) - get(arms["direct"], *path))
    return out


def table(header, lines):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for line in lines:
        print("| " + " | ".join(line) + " |")
    print()


targets = []
if any(k[0] == "latency" for k in runs):
    print("### Latency, concurrency 1, JSON, small body\n")
    lines = []
    for a in ARMS:
        rs = runs.get(("latency", a))
        if not rs:
            continue
        lines.append([a, rng([r["rps"] for r in rs]), rng([get(r, "latency_us", "p50") for r in rs], "us"),
                      rng([get(r, "latency_us", "p99") for r in rs], "us"),
                      rng([get(r, "latency_us", "p99_9") for r in rs], "us"),
                      "–" if a == "direct" else rng(added("latency", a, "latency_us", "p50"), "us"),
                      "–" if a == "direct" else rng(added("latency", a, "latency_us", "p99"), "us")])
    table(["arm", "req/s", "p50", "p99", "p99.9", "added p50", "added p99"], lines)
    for a in ("embedded", "redis"):
        p50, p99 = med(added("latency", a, "latency_us", "p50")), med(added("latency", a, "latency_us", "p99"))
        if p50 is not None:
            targets.append(f"added latency c=1 ({a}): p50 {fmt(p50, 'us')} (goal ≤ 120 µs), p99 {fmt(p99, 'us')} (goal ≤ 300 µs)")

rps_phases = sorted({k[0] for k in runs if k[0].startswith("rps-c")}, key=lambda p: int(p[5:]))
if rps_phases:
    print("### Throughput, closed loop, JSON\n")
    best = {}
    lines = []
    for a in ARMS:
        cells = [a]
        per_c = []
        for ph in rps_phases:
            rs = runs.get((ph, a), [])
            cells.append(rng([r["rps"] for r in rs]))
            cells.append(rng([get(r, "latency_us", "p99") for r in rs], "us"))
            per_c.append(med([r["rps"] for r in rs]))
        if any(v is not None for v in per_c):
            best[a] = max(v for v in per_c if v is not None)
            cells.append(fmt(best[a]))
            cells.append(f"{best[a] / best['nginx']:.2f}×" if best.get("nginx") else "–")
            cells.append(f"{best[a] / best['direct']:.2f}×" if best.get("direct") else "–")
            lines.append(cells)
    hdr = ["arm"]
    for ph in rps_phases:
        hdr += [f"req/s c={ph[5:]}", f"p99 c={ph[5:]}"]
    table(hdr + ["max req/s", "÷ nginx", "÷ direct"], lines)
    if best.get("nginx"):
        for a, goal in (("embedded", 0.6), ("redis", 0.45)):
            if a in best:
                targets.append(f"max req/s {a} ÷ nginx: {best[a] / best['nginx']:.2f}× (goal ≥ {goal}×)")

if any(k[0] == "ttfb" for k in runs):
    print("### Time to first byte, streams, open loop 200 req/s (5 events, 20 ms apart)\n")
    lines = []
    for a in ARMS:
        rs = runs.get(("ttfb", a))
        if not rs:
            continue
        lines.append([a, rng([get(r, "ttfb_us", "p50") for r in rs], "us"), rng([get(r, "ttfb_us", "p99") for r in rs], "us"),
                      rng([get(r, "ttfb_us", "p99_9") for r in rs], "us"), rng([get(r, "ttfb_us", "max") for r in rs], "us"),
                      "–" if a == "direct" else rng(added("ttfb", a, "ttfb_us", "p99"), "us"),
                      rng([get(r, "gap_us", "p99") for r in rs], "us"), rng([get(r, "gap_us", "max") for r in rs], "us"),
                      rng([r.get("late_events") for r in rs])])
    table(["arm", "ttfb p50", "ttfb p99", "ttfb p99.9", "ttfb max", "added ttfb p99", "gap p99", "gap max", "late events"], lines)
    for a in ("embedded", "redis"):
        v = med(added("ttfb", a, "ttfb_us", "p99"))
        if v is not None:
            targets.append(f"added TTFB p99 ({a}): {fmt(v, 'us')} (goal ≤ 1 ms)")

cpu_phases = [p for p in ["latency"] + rps_phases + ["ttfb"] if any(k[0] == p for k in runs)]
cpu_lines = []
for a in ARMS:
    cells = [a]
    for ph in cpu_phases:
        cells.append(rng([r.get("cpu_us_per_req") for r in runs.get((ph, a), [])]))
    if any(c != "–" for c in cells[1:]):
        cpu_lines.append(cells)
if cpu_lines:
    print("### Gateway CPU time per request (µs, utime + stime of the gateway process)\n")
    table(["arm"] + cpu_phases, cpu_lines)
    if any(l[0] == "baseline" for l in cpu_lines):
        print("A/B, this build (embedded) ÷ baseline, medians per phase:\n")
        ab = []
        for ph in cpu_phases:
            e = med([r.get("cpu_us_per_req") for r in runs.get((ph, "embedded"), [])])
            b = med([r.get("cpu_us_per_req") for r in runs.get((ph, "baseline"), [])])
            er = med([r["rps"] for r in runs.get((ph, "embedded"), [])])
            br = med([r["rps"] for r in runs.get((ph, "baseline"), [])])
            ep = med([get(r, "latency_us", "p50") for r in runs.get((ph, "embedded"), [])])
            bp = med([get(r, "latency_us", "p50") for r in runs.get((ph, "baseline"), [])])
            ab.append([ph, f"{e / b:.3f}" if e and b else "–", f"{er / br:.3f}" if er and br else "–",
                       f"{ep / bp:.3f}" if ep and bp else "–"])
        table(["phase", "CPU/request", "req/s", "p50 latency"], ab)

stream_phases = sorted(k for k in {k[0] for k in runs} if k.startswith("streams"))
for ph in stream_phases:
    print(f"### {ph}\n")
    lines = []
    for a in ARMS:
        rs = runs.get((ph, a))
        if not rs:
            continue
        lines.append([a, rng([r.get("concurrency") for r in rs]), rng([r.get("peak_streams") for r in rs]),
                      rng([r.get("streams") for r in rs]), rng([r.get("events") for r in rs]),
                      rng([r.get("lost_events") for r in rs]), rng([r.get("late_events") for r in rs]),
                      rng([r.get("errors") for r in rs]), rng([get(r, "ttfb_us", "p99") for r in rs], "us"),
                      rng([get(r, "gap_us", "p50") for r in rs], "us"), rng([get(r, "gap_us", "p99") for r in rs], "us"),
                      rng([get(r, "gap_us", "max") for r in rs], "us")])
    table(["arm", "asked", "peak open", "streams", "events", "lost events", "late events", "errors", "ttfb p99",
           "gap p50", "gap p99", "gap max"], lines)

costs = extra.pop("costs", [])
if costs:
    print("### Costs per request (medians over rounds, min–max)\n")
    lines = []
    for a in ARMS:
        rs = [r for r in costs if r["arm"] == a]
        if not rs:
            continue
        kb = [None if r.get("alloc_bytes_per_req") is None else r["alloc_bytes_per_req"] / 1024 for r in rs]
        lines.append([a, rng([r.get("cpu_us_per_req") for r in rs], "us"),
                      rng([r.get("io_cpu_us_per_req") for r in rs], "us"), rng([r.get("loadavg_1m") for r in rs]), rng(kb),
                      rng([r.get("syscalls_per_req") for r in rs]), rng([r.get("redis_cpu_us_per_req") for r in rs], "us"),
                      rng([r.get("redis_top_per_req") for r in rs]), rng([r.get("redis_script_per_req") for r in rs]),
                      rng([r.get("redis_calls_per_req") for r in rs])])
    table(["arm", "gateway CPU", "event loops' CPU", "load average", "allocated KB", "system calls", "Redis CPU", "Redis commands (top-level)",
           "Redis commands (in scripts)", "commandstats calls"], lines)

conns = extra.pop("upstream-conns", [])
if conns:
    print("### Upstream connections at 1,000 concurrent streams (gateway to mock, at the peak)\n")
    lines = []
    for a in ("embedded", "h2"):
        rs = [r for r in conns if r["arm"] == a]
        if rs:
            lines.append([a, rng([r["conns"] for r in rs]), rng([r["loops"] for r in rs]),
                          rng([r["conns"] / r["loops"] if r["loops"] else None for r in rs])])
    table(["arm", "connections", "event loops", "per loop"], lines)
ramp = extra.pop("ramp-sample", [])
if ramp:
    print("### Streams held vs descriptors and heap over the ramp (streams-ramp; plot-streams.sh draws it)\n")
    table(["arm", "t (s)", "client connections", "upstream connections", "descriptors", "heap live MB"],
          [[r["arm"], f'{r["t"]:.1f}', fmt(r["streams"]), fmt(r["upstream"]), fmt(r["fds"]), fmt(r["heap_live_mb"])]
           for r in sorted(ramp, key=lambda r: (r["arm"], r["t"]))])
h2_cpu = med([r.get("cpu_us_per_req") for r in costs if r["arm"] == "h2"])
h1_cpu = med([r.get("cpu_us_per_req") for r in costs if r["arm"] == "embedded"])
if h2_cpu and h1_cpu:
    targets.append(f"HTTP/2 upstream CPU per request / HTTP/1.1 upstream: {h2_cpu / h1_cpu:.3f} (goal <= 1.10)")
h2_io = med([r.get("io_cpu_us_per_req") for r in costs if r["arm"] == "h2"])
h1_io = med([r.get("io_cpu_us_per_req") for r in costs if r["arm"] == "embedded"])
if h2_io and h1_io:
    targets.append(f"... the event loops' CPU alone (no JIT): {h2_io / h1_io:.3f}")

if extra:
    print("### Relaygate memory (MB: heap used, NMT Other = direct memory, RSS)\n")
    for ph in ("memory-idle", "memory-peak", "slow-mem"):
        for r in extra.get(ph, []):
            print(f"- {ph} {r.get('round')}: {r['mem']}" + (f"; after a full GC: {r['after_gc']}" if "after_gc" in r else ""))
    ml = runs.get(("memory-load", "embedded"))
    if ml:
        print(f"- memory run: peak open streams {ml[0].get('peak_streams')}, lost events {ml[0].get('lost_events')}, errors {ml[0].get('errors')}")
    print()

if targets:
    print("### Targets\n")
    for t in targets:
        print("- " + t)
