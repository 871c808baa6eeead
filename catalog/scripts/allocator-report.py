#!/usr/bin/env python3
"""Pooling against a faster allocator (issue 26): the catalog workloads under
the system allocator, jemalloc and mimalloc, each with the pools on and with
them switched off (`POOLABLE_DISABLE=1`: the same code, the pool and nothing
else taken away).

Workloads (the catalog package's `alloc-*` and `loadgen` binaries):
  loop    the `catalog` binary's LoadTable request loop, 2 threads, req/s;
  get     the `server` binary's service under `loadgen` (64 keep-alive connections,
          closed loop): GET load-table, req/s and latency percentiles;
  commit  the same with POST commit (a set-properties on a seeded table).

Timed runs interleave the settings: every round runs each of the six
(allocator, pooled or not) once per workload, the order rotating each round,
so drift on this shared machine hits every setting alike; a ratio is taken
within a round (pooled against unpooled on the same allocator, run next to
each other) and the table gives the median of the rounds and their spread.
Deterministic counts back the times: allocations per request (a counting
wrapper, in runs of their own) and, for the loop, instructions per request
(valgrind --tool=callgrind, 1 thread).

Writes BENCHMARKS.md (between `<!-- allocators section -->` markers),
benches/charts/allocators.svg and the catalog README's short table (between
`<!-- allocators table -->` markers in catalog/README.md); keeps the raw results in
target/allocator-report/ and prints how far this run's ratios are from the
previous run's.

  catalog/scripts/allocator-report.py          # the whole matrix (about 12 minutes)
  catalog/scripts/allocator-report.py --smoke  # one tiny round, checks only (CI)
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

# The repository: the workspace's target directory, BENCHMARKS.md, the charts.
from report_common import (CATALOG, LOADGEN_CPU, PIN, ROOT, SERVER_CPU, env_for, first_line, fmt_us, fmt_x,
                           machine, median, pinned, replace_marked, sh)
ALLOCATORS = ["system", "jemalloc", "mimalloc"]
MODES = [True, False]  # pooled, unpooled
SCENARIOS = ["get", "commit"]
OUT_DIR = os.path.join(ROOT, "target", "allocator-report")


class Setup:
    def __init__(self, args):
        self.args = args
        profile = "dev" if args.smoke else "release"
        subdir = "debug" if args.smoke else "release"
        subprocess.run(
            ["cargo", "build", "--quiet", "--profile", profile, "-p", "poolable-catalog",
             "--features", "allocators", "--bins"], cwd=ROOT, check=True)
        self.bin_dir = os.path.join(ROOT, "target", subdir)

    def bin(self, name):
        return os.path.join(self.bin_dir, name)




def check_pooled(result, pooled, what):
    if result["pooled"] != pooled:
        raise SystemExit(f"{what}: the pools were {'on' if result['pooled'] else 'off'}, "
                         f"expected {'on' if pooled else 'off'}")


def run_loop(setup, allocator, pooled, requests, threads=2, count=False, warmup=None):
    cmd = [setup.bin(f"alloc-{allocator}"), "loop", "--threads", str(threads), "--requests", str(requests)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    if count:
        cmd.append("--count-allocations")
    out = subprocess.run(cmd, env=env_for(pooled), check=True, text=True, capture_output=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    check_pooled(result, pooled, f"loop {allocator}")
    return result


class Server:
    """An `alloc-<allocator> serve` process; it exits when its stdin closes."""

    def __init__(self, setup, allocator, pooled, count=False, callgrind=False):
        cmd = [setup.bin(f"alloc-{allocator}"), "serve", "--port", "0"]
        if PIN or callgrind:
            cmd += ["--workers", "1"]
        if count:
            cmd.append("--count-allocations")
        if callgrind:
            cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd
        self.proc = subprocess.Popen(cmd, env=env_for(pooled), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, preexec_fn=pinned(SERVER_CPU),
                                     stderr=subprocess.PIPE if callgrind else None)
        line = self.proc.stdout.readline()
        match = re.match(r"listening on http://(\S+)", line)
        if not match:
            self.stop()
            raise SystemExit(f"alloc-{allocator} serve did not start: {line!r}")
        self.addr = match.group(1)
        self.pooled = pooled

    def allocations(self):
        self.proc.stdin.write("allocations\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        check_pooled(answer, self.pooled, "server")
        return answer["allocations"]

    def instructions(self):
        """Stops a server run under callgrind; its whole count of instructions."""
        _, err = self.proc.communicate(timeout=120)  # closes stdin: the server exits
        match = re.search(r"Collected : (\d+)", err)
        if not match:
            raise SystemExit(f"callgrind gave no count: {err[-500:]}")
        return int(match.group(1))

    def stop(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def loadgen(setup, server, scenario, secs, warmup, connections, max_requests=None):
    cmd = [setup.bin("loadgen"), "--addr", server.addr, "--scenario", scenario,
           "--connections", str(connections), "--secs", str(secs), "--warmup-secs", str(warmup),
           "--server-pid", str(server.proc.pid)]
    if max_requests is not None:
        cmd += ["--max-requests", str(max_requests)]
    done = subprocess.run(cmd, check=False, text=True, capture_output=True, timeout=secs + warmup + 120,
                          preexec_fn=pinned(LOADGEN_CPU))
    if done.returncode != 0:
        raise SystemExit(f"loadgen {scenario} failed: {done.stderr.strip()} {done.stdout.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def callgrind_instructions(setup, allocator, pooled, requests):
    """Instructions of a whole 1-thread loop run of `requests` requests."""
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           setup.bin(f"alloc-{allocator}"), "loop", "--threads", "1",
           "--requests", str(requests), "--warmup", "500"]
    done = subprocess.run(cmd, env=env_for(pooled), check=True, text=True, capture_output=True)
    match = re.search(r"Collected : (\d+)", done.stderr)
    if not match:
        raise SystemExit(f"callgrind gave no count: {done.stderr[-500:]}")
    return int(match.group(1))


def server_instructions(setup, allocator, pooled, scenario, requests):
    """Instructions of a server (one worker, under callgrind) that answered
    `requests` requests on 4 connections, start-up and shut-down included."""
    server = Server(setup, allocator, pooled, callgrind=True)
    try:
        loadgen(setup, server, scenario, 600, 0, 4, max_requests=requests)
    except BaseException:
        server.stop()
        raise
    return server.instructions()


def settings():
    return [(a, p) for a in ALLOCATORS for p in MODES]


def rotated(items, k):
    k %= len(items)
    return items[k:] + items[:k]


def measure(args, setup):
    results = {"loop": [], "get": [], "commit": []}
    counts = {}
    instructions = {}
    # Deterministic counts first (their own runs: counting slows both settings).
    for pooled in MODES:
        r = run_loop(setup, "system", pooled, args.count_requests, threads=1, count=True)
        counts[("loop", pooled)] = r["allocations_per_request"]
        for scenario in ([] if args.loop_only else SCENARIOS):
            server = Server(setup, "system", pooled, count=True)
            try:
                loadgen(setup, server, scenario, args.warmup_secs, 0, args.connections)
                before = server.allocations()
                n = args.count_requests // 4
                r = loadgen(setup, server, scenario, 600, 0, args.connections, max_requests=n)
                after = server.allocations()
                counts[(scenario, pooled)] = (after - before) / r["requests"]
            finally:
                server.stop()
    if not args.no_callgrind:
        n = args.callgrind_requests
        for allocator, pooled in settings():
            one = callgrind_instructions(setup, allocator, pooled, n)
            two = callgrind_instructions(setup, allocator, pooled, 2 * n)
            instructions[(allocator, pooled)] = (two - one) / n
            print(f"  callgrind {allocator:9} {'pooled' if pooled else 'unpooled':8} "
                  f"{instructions[(allocator, pooled)]:,.0f} instructions/request", file=sys.stderr)
            n = args.callgrind_requests // 2
            for scenario in SCENARIOS:
                one = server_instructions(setup, allocator, pooled, scenario, n)
                two = server_instructions(setup, allocator, pooled, scenario, 2 * n)
                instructions[(allocator, pooled, scenario)] = (two - one) / n
                print(f"  callgrind {allocator:9} {'pooled' if pooled else 'unpooled':8} server {scenario:6} "
                      f"{instructions[(allocator, pooled, scenario)]:,.0f} instructions/request", file=sys.stderr)
            n = args.callgrind_requests
    for round_ in range(args.rounds):
        order = rotated(settings(), round_)
        for allocator, pooled in order:
            r = run_loop(setup, allocator, pooled, args.loop_requests)
            results["loop"].append(dict(r, round=round_))
        for scenario in ([] if args.loop_only else SCENARIOS):
            for allocator, pooled in rotated(order, 1):
                server = Server(setup, allocator, pooled)
                try:
                    r = loadgen(setup, server, scenario, args.secs, args.warmup_secs, args.connections)
                finally:
                    server.stop()
                r.update(allocator=allocator, pooled=pooled, round=round_)
                results[scenario].append(r)
        print(f"  round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    return results, counts, instructions


def per_round(rows, allocator, pooled, key):
    return {r["round"]: r[key] for r in rows if r["allocator"] == allocator and r["pooled"] == pooled}


def ratios(rows, allocator, key, invert=False):
    """pooled / unpooled of `key` per round (unpooled / pooled with `invert`)."""
    p = per_round(rows, allocator, True, key)
    u = per_round(rows, allocator, False, key)
    out = []
    for k in sorted(p):
        if k in u and p[k] and u[k]:
            out.append(u[k] / p[k] if invert else p[k] / u[k])
    return out


def summarise(results, counts, instructions):
    s = {}
    for workload, rows in results.items():
        for allocator in ALLOCATORS:
            for pooled in MODES:
                sel = [r for r in rows if r["allocator"] == allocator and r["pooled"] == pooled]
                entry = {"rps": median([r["requests_per_sec"] for r in sel]),
                         "rps_min": min((r["requests_per_sec"] for r in sel), default=None),
                         "rps_max": max((r["requests_per_sec"] for r in sel), default=None)}
                for key in ("p50_us", "p99_us", "p999_us", "max_us", "server_peak_rss_kib",
                            "server_cpu_us_per_request", "peak_rss_kib"):
                    vals = [r[key] for r in sel if r.get(key) is not None]
                    if vals:
                        entry[key] = median(vals)
                s[(workload, allocator, pooled)] = entry
            gain = ratios(rows, allocator, "requests_per_sec")
            s[(workload, allocator, "gain")] = (median(gain), min(gain, default=None), max(gain, default=None))
            if workload != "loop":
                for key in ("p99_us", "p999_us", "p50_us", "server_cpu_us_per_request"):
                    r = ratios(rows, allocator, key)
                    s[(workload, allocator, key + "_ratio")] = (median(r), min(r, default=None), max(r, default=None))
                rss = ratios(rows, allocator, "server_peak_rss_kib")
            else:
                rss = ratios(rows, allocator, "peak_rss_kib")
            s[(workload, allocator, "rss_ratio")] = (median(rss), min(rss, default=None), max(rss, default=None))
        # Pooled on the system allocator against the best allocator unpooled,
        # per round (the best of that round's three).
        cross = []
        for k in sorted({r["round"] for r in rows}):
            p = [r["requests_per_sec"] for r in rows if r["round"] == k and r["allocator"] == "system" and r["pooled"]]
            u = [r["requests_per_sec"] for r in rows if r["round"] == k and not r["pooled"]]
            if p and u:
                cross.append(p[0] / max(u))
        best = max(ALLOCATORS, key=lambda a: s[(workload, a, False)]["rps"] or 0)
        s[(workload, "cross")] = (median(cross), min(cross, default=None), max(cross, default=None), best)
    s["counts"] = counts
    s["instructions"] = instructions
    return s


def fmt_int(v):
    return "n/a" if v is None else f"{v:,.0f}"


def fmt_mib(kib):
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


WORKLOAD_TITLES = {
    "loop": "catalog request loop (2 threads, LoadTable, no HTTP)",
    "get": "server, GET load-table",
    "commit": "server, POST commit (set-properties)",
}


def targets(s):
    rows = []
    for workload in ("loop", "get", "commit"):
        cross = s[(workload, "cross")]
        rows.append((f"{workload}: pooled on system ≥ 1.2x unpooled on the best allocator ({cross[3]})",
                     cross[0] is not None and cross[0] >= 1.2, fmt_x(cross[:3])))
        for allocator in ALLOCATORS:
            g = s[(workload, allocator, "gain")]
            rows.append((f"{workload}: pooled ≥ 1.4x unpooled req/s, {allocator}",
                         g[0] is not None and g[0] >= 1.4, fmt_x(g)))
    for workload in SCENARIOS:
        for allocator in ALLOCATORS:
            p99 = s[(workload, allocator, "p99_us_ratio")]
            p999 = s[(workload, allocator, "p999_us_ratio")]
            rows.append((f"{workload}: p99 pooled ≤ 0.7x unpooled, {allocator}",
                         p99[0] is not None and p99[0] <= 0.7, fmt_x(p99)))
            rows.append((f"{workload}: p99.9 pooled not worse, {allocator}",
                         p999[0] is not None and p999[0] <= 1.0, fmt_x(p999)))
    for workload in ("loop", "get", "commit"):
        for allocator in ALLOCATORS:
            r = s[(workload, allocator, "rss_ratio")]
            rows.append((f"{workload}: peak RSS pooled ≤ 1.2x unpooled, {allocator}",
                         r[0] is not None and r[0] <= 1.2, fmt_x(r)))
    return rows


COLORS = {("system", True): "#d9480f", ("system", False): "#ffa8a8",
          ("jemalloc", True): "#1971c2", ("jemalloc", False): "#a5d8ff",
          ("mimalloc", True): "#2f9e44", ("mimalloc", False): "#b2f2bb"}


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart(s):
    """Three panels (loop, GET, commit), a pair of bars per allocator:
    median req/s unpooled (light) and pooled (dark), each panel on its own
    scale, the pooled/unpooled ratio beside the pair."""
    bar_h, gap, label_w, plot_w, pad, panel_gap = 13, 2, 150, 330, 10, 16
    panel_h = 24 + len(ALLOCATORS) * (2 * bar_h + gap + 8)
    width = label_w + plot_w + 140
    height = 46 + 3 * (panel_h + panel_gap)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{pad}" y="22" font-size="14" font-weight="bold">Pooling against a faster allocator: requests/s (higher is better)</text>',
           f'<text x="{pad}" y="38" fill="#555">light: POOLABLE_DISABLE=1 (the same code, the pool off); dark: pooled; median of the rounds</text>']
    for i, workload in enumerate(("loop", "get", "commit")):
        y0 = 46 + i * (panel_h + panel_gap)
        out.append(f'<text x="{pad}" y="{y0 + 14}" font-weight="bold">{esc(WORKLOAD_TITLES[workload])}</text>')
        top = max((s[(workload, a, p)]["rps"] or 0) for a in ALLOCATORS for p in MODES) or 1
        y = y0 + 22
        for allocator in ALLOCATORS:
            for pooled in (False, True):
                v = s[(workload, allocator, pooled)]["rps"] or 0
                w = max(1, v / top * plot_w)
                label = f"{allocator}, {'pooled' if pooled else 'unpooled'}"
                out.append(f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end">{esc(label)}</text>')
                out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[(allocator, pooled)]}"/>')
                text = f"{v:,.0f}"
                if pooled:
                    g = s[(workload, allocator, "gain")][0]
                    text += f"  ({g:.2f}x)" if g else ""
                out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}">{text}</text>')
                y += bar_h + gap
            y += 8
    out.append("</svg>")
    return "\n".join(out) + "\n"


def section(args, s, agreement, machine_lines):
    c, ins = s["counts"], s["instructions"]
    L = []
    w = L.append
    w("<!-- allocators section -->")
    w("## Pooling against a faster allocator (issue 26)")
    w("")
    w("The question users ask first: why not switch to jemalloc or mimalloc instead? Each workload runs under")
    w("each allocator as the process's global allocator (`catalog/src/bin/alloc-*.rs`, one small binary per")
    w("allocator), pooled and with every pool switched off by `POOLABLE_DISABLE=1`: the same code and the")
    w("same requests, the pool and nothing else taken away.")
    w("")
    w("```text")
    for line in machine_lines:
        w(line)
    w("```")
    w("")
    w(f"{args.rounds} interleaved rounds: each round runs the six settings once per workload, the order")
    w("rotating each round. A ratio is taken within a round, pooled against unpooled on the same allocator,")
    w("and the tables give the median of the rounds and, in parentheses, their lowest and highest.")
    w(f"The loop: {args.loop_requests:,} measured requests on 2 threads after a warm-up, per run. The server:")
    w(f"`loadgen`, {args.connections} keep-alive connections on one thread, each sending its next request when")
    w(f"the previous answer has arrived whole, {args.warmup_secs:g} s of warm-up then {args.secs:g} s measured, a")
    w("fresh server for every run (so that its peak RSS is that run's). The server runs on one core with one")
    w("tokio worker and the generator on the other core, so neither takes the other's time (sharing both")
    w("cores, the generator, whose answers cost it nearly what they cost the server, limited both settings")
    w("alike); its requests/s are one core's.")
    w("")
    w("Deterministic counts, in runs of their own: allocations per request from a counting wrapper around")
    w("the allocator (the same for every allocator: they are the program's requests), and instructions")
    w("per request from `valgrind --tool=callgrind` ((I(2N) − I(N)) / N: the loop on 1 thread, "
      f"N = {args.callgrind_requests:,}; the server with one worker, its start-up and shut-down cancelling out, "
      f"driven by `loadgen` on 4 connections, N = {args.callgrind_requests // 2:,}). \"Per allocation removed\" divides the instructions pooling saves by the")
    w("allocations it removes: what one allocation costs the program under that allocator, its `free`, the")
    w("copies of a growing `Vec` or `String` and the first writes into fresh memory included.")
    w("")
    w("### Requests/s")
    w("")
    w("| workload | allocator | unpooled req/s | pooled req/s | pooled / unpooled | server CPU per request, pooled / unpooled |")
    w("|---|---|---:|---:|---|---|")
    for workload in ("loop", "get", "commit"):
        for allocator in ALLOCATORS:
            u, p = s[(workload, allocator, False)], s[(workload, allocator, True)]
            cpu = "" if workload == "loop" else fmt_x(s[(workload, allocator, "server_cpu_us_per_request_ratio")])
            w(f"| {workload} | {allocator} | {fmt_int(u['rps'])} | {fmt_int(p['rps'])} | {fmt_x(s[(workload, allocator, 'gain')])} | {cpu} |")
        cross = s[(workload, "cross")]
        w(f"| {workload} | pooled on system / best unpooled ({cross[3]}) | | | {fmt_x(cross[:3])} | |")
    w("")
    w("![requests/s per allocator, pooled and unpooled](benches/charts/allocators.svg)")
    w("")
    w("### Latency under load (the server)")
    w("")
    w("| scenario | allocator | p50 unpooled → pooled | p99 unpooled → pooled | p99 ratio | p99.9 unpooled → pooled | p99.9 ratio | max unpooled → pooled | server CPU / req |")
    w("|---|---|---|---|---|---|---|---|---|")
    for workload in SCENARIOS:
        for allocator in ALLOCATORS:
            u, p = s[(workload, allocator, False)], s[(workload, allocator, True)]
            w(f"| {workload} | {allocator} | {fmt_us(u.get('p50_us'))} → {fmt_us(p.get('p50_us'))} "
              f"| {fmt_us(u.get('p99_us'))} → {fmt_us(p.get('p99_us'))} | {fmt_x(s[(workload, allocator, 'p99_us_ratio')])} "
              f"| {fmt_us(u.get('p999_us'))} → {fmt_us(p.get('p999_us'))} | {fmt_x(s[(workload, allocator, 'p999_us_ratio')])} "
              f"| {fmt_us(u.get('max_us'))} → {fmt_us(p.get('max_us'))} "
              f"| {fmt_us(u.get('server_cpu_us_per_request'))} → {fmt_us(p.get('server_cpu_us_per_request'))} |")
    w("")
    w("### Memory and deterministic counts")
    w("")
    w("| workload | allocator | peak RSS unpooled → pooled | ratio | allocations / request | instructions / request |")
    w("|---|---|---|---|---|---|")
    for workload in ("loop", "get", "commit"):
        key = "peak_rss_kib" if workload == "loop" else "server_peak_rss_kib"
        for allocator in ALLOCATORS:
            u, p = s[(workload, allocator, False)], s[(workload, allocator, True)]
            allocs = f"{c[(workload, False)]:,.1f} → {c[(workload, True)]:,.2f}" if allocator == "system" else "(as system)"
            iu, ip = (ins.get((allocator, False)), ins.get((allocator, True))) if workload == "loop" else \
                (ins.get((allocator, False, workload)), ins.get((allocator, True, workload)))
            if iu and ip:
                removed = (c[(workload, False)] or 0) - (c[(workload, True)] or 0)
                instr = f"{iu:,.0f} → {ip:,.0f} ({ip / iu:.2f}x; {(iu - ip) / removed:,.0f} per allocation removed)"
            else:
                instr = "n/a"
            w(f"| {workload} | {allocator} | {fmt_mib(u.get(key))} → {fmt_mib(p.get(key))} | {fmt_x(s[(workload, allocator, 'rss_ratio')])} | {allocs} | {instr} |")
    w("")
    w("### Targets")
    w("")
    w("| target | met | measured (median of rounds, lowest to highest) |")
    w("|---|---|---|")
    for name, ok, detail in targets(s):
        w(f"| {name} | {'yes' if ok else '**MISSED**'} | {detail} |")
    w("")
    if agreement:
        w(agreement)
        w("")
    w("Regenerate: `catalog/scripts/allocator-report.py` (this section, the chart and the table of")
    w("[catalog/README.md](catalog/README.md)). One setting by hand:")
    w("`cargo build --release -p poolable-catalog --features allocators --bins`, then")
    w("`[POOLABLE_DISABLE=1] target/release/alloc-mimalloc loop`, or `target/release/alloc-mimalloc serve`")
    w("and `target/release/loadgen --addr <its address> --scenario get --server-pid <its pid>`.")
    notes = os.path.join(CATALOG, "docs", "allocators.md")
    if os.path.exists(notes):
        w("")
        w(open(notes).read().rstrip())
    w("<!-- /allocators section -->")
    return "\n".join(L)


def readme_table(s):
    L = ["<!-- allocators table -->",
         "| allocator | catalog loop req/s, unpooled → pooled | server GET req/s, pooled / unpooled | server GET p99, unpooled → pooled | server commit req/s, pooled / unpooled | server commit p99, unpooled → pooled |",
         "|---|---|---|---|---|---|"]
    for allocator in ALLOCATORS:
        cells = [allocator]
        u, p = s[("loop", allocator, False)], s[("loop", allocator, True)]
        cells.append(f"{fmt_int(u['rps'])} → {fmt_int(p['rps'])} ({s[('loop', allocator, 'gain')][0]:.2f}x)")
        for workload in SCENARIOS:
            u, p = s[(workload, allocator, False)], s[(workload, allocator, True)]
            cells.append(f"{s[(workload, allocator, 'gain')][0]:.2f}x")
            cells.append(f"{fmt_us(u.get('p99_us'))} → {fmt_us(p.get('p99_us'))}")
        L.append("| " + " | ".join(cells) + " |")
    cross = s[("loop", "cross")]
    L.append("")
    L.append(f"Pooling on the system allocator: {cross[0]:.2f}x the requests/s of the best allocator without it "
             f"({cross[3]}), in the loop. Medians of interleaved rounds on a shared 2-core VM; every figure, its "
             "spread and the commands are in [BENCHMARKS.md](../BENCHMARKS.md#pooling-against-a-faster-allocator-issue-26).")
    L.append("<!-- /allocators table -->")
    return "\n".join(L)


def compare_with_previous(s):
    """How far this run's ratios are from the previous run's, in %."""
    path = os.path.join(OUT_DIR, "summary.json")
    flat = {}
    for workload in ("loop", "get", "commit"):
        for allocator in ALLOCATORS:
            flat[f"{workload} {allocator} pooled/unpooled req/s"] = s[(workload, allocator, "gain")][0]
            if workload != "loop":
                flat[f"{workload} {allocator} p99 ratio"] = s[(workload, allocator, "p99_us_ratio")][0]
        flat[f"{workload} pooled-system/best-unpooled"] = s[(workload, "cross")][0]
    message = None
    if os.path.exists(path):
        previous = json.load(open(path))
        diffs = {k: abs(v / previous["ratios"][k] - 1) * 100 for k, v in flat.items()
                 if v and previous["ratios"].get(k)}
        if diffs:
            worst = max(diffs, key=diffs.get)
            within = sum(1 for d in diffs.values() if d <= 5)
            message = (f"Against the previous run of the script ({previous['commit']}, {previous['date']}): "
                       f"{within} of {len(diffs)} ratios within 5 %; the median difference "
                       f"{statistics.median(diffs.values()):.1f} %, the largest {diffs[worst]:.1f} % ({worst}).")
    os.makedirs(OUT_DIR, exist_ok=True)
    json.dump({"commit": sh("git", "rev-parse", "--short", "HEAD").strip(),
               "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "ratios": flat}, open(path, "w"), indent=1)
    return message


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--loop-requests", type=int, default=40_000)
    ap.add_argument("--count-requests", type=int, default=20_000)
    ap.add_argument("--callgrind-requests", type=int, default=1_000)
    ap.add_argument("--secs", type=float, default=2.0)
    ap.add_argument("--warmup-secs", type=float, default=0.5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--loop-only", action="store_true",
                    help="only the request loop (no server), print the targets, write nothing")
    ap.add_argument("--no-write", action="store_true", help="print, write no file")
    ap.add_argument("--from-results", action="store_true",
                    help="run nothing: write the section, chart and table again from the last run's results")
    ap.add_argument("--smoke", action="store_true",
                    help="one tiny round on a debug build: checks that every setting runs, writes nothing")
    args = ap.parse_args()
    if args.rounds < 1 or args.loop_requests < 1 or args.secs <= 0 or args.connections < 1:
        ap.error("--rounds, --loop-requests, --secs and --connections must be positive")
    if args.smoke:
        args.rounds, args.loop_requests, args.count_requests = 1, 2_000, 2_000
        args.secs, args.warmup_secs, args.connections = 0.5, 0.2, 8
        args.no_callgrind = args.no_write = True
    started = time.time()
    if args.from_results:
        # Only the writing: the section, chart and table from the last run's results.
        saved = json.load(open(os.path.join(OUT_DIR, "results.json")))
        for key, value in saved["args"].items():
            setattr(args, key, value)
        unkey = lambda k: (k.split()[0], k.split()[1] == "pooled", *k.split()[2:])
        counts = {unkey(k): v for k, v in saved["allocations_per_request"].items()}
        instructions = {unkey(k): v for k, v in saved["instructions_per_request"].items()}
        s = summarise(saved["timed"], counts, instructions)
        write_files(args, s, saved["agreement"], saved["machine"])
        return
    setup = Setup(args)
    results, counts, instructions = measure(args, setup)
    s = summarise(results, counts, instructions)
    os.makedirs(OUT_DIR, exist_ok=True)
    saved = {
        "args": {k: getattr(args, k) for k in ("rounds", "loop_requests", "callgrind_requests", "secs",
                                                "warmup_secs", "connections")},
        "machine": machine([f"valgrind:  {first_line('valgrind --version')}",
                            "allocators: glibc malloc (system), tikv-jemallocator 0.6 (jemalloc 5.3), "
                            "mimalloc 0.1 (mimalloc 2.x)"]),
        "timed": results,
        "allocations_per_request": {f"{w} {'pooled' if p else 'unpooled'}": v for (w, p), v in counts.items()},
        "instructions_per_request": {" ".join([k[0], "pooled" if k[1] else "unpooled", *k[2:]]): v
                                     for k, v in instructions.items()},
    }
    for name, ok, detail in ([] if args.smoke else targets(s)):
        if args.loop_only and not name.startswith("loop"):
            continue
        print(f"{'ok    ' if ok else 'MISSED'} {name}: {detail}")
    if args.loop_only:
        for allocator in ALLOCATORS:
            print(f"loop {allocator}: unpooled {fmt_int(s[('loop', allocator, False)]['rps'])}, "
                  f"pooled {fmt_int(s[('loop', allocator, True)]['rps'])} req/s")
        return
    if args.smoke:
        # Every setting ran without an error (loadgen fails on one) and the
        # pool switch did what it says (checked on every run); a debug build's
        # times mean nothing, so no target is judged.
        print(f"smoke: every allocator, pooled and not, ran the loop and served loadgen "
              f"({sum(len(r) for r in results.values())} runs, no error, {time.time() - started:.0f} s)")
        return
    agreement = compare_with_previous(s)
    if agreement:
        print(agreement)
    saved["agreement"] = agreement
    if not args.smoke:
        with open(os.path.join(OUT_DIR, "results.json"), "w") as f:
            json.dump(saved, f, indent=1)
    if args.no_write:
        return
    write_files(args, s, agreement, saved["machine"])
    print(f"wrote BENCHMARKS.md, catalog/README.md and benches/charts/allocators.svg ({time.time() - started:.0f} s)")


def write_files(args, s, agreement, machine_lines):
    with open(os.path.join(ROOT, "benches", "charts", "allocators.svg"), "w") as f:
        f.write(chart(s))
    replace_marked(os.path.join(ROOT, "BENCHMARKS.md"), "allocators section",
                   section(args, s, agreement, machine_lines))
    replace_marked(os.path.join(CATALOG, "README.md"), "allocators table", readme_table(s))


if __name__ == "__main__":
    main()
