#!/usr/bin/env python3
"""Latency at a user's load: the catalog's `server`, pooled and
with its pools switched off (`POOLABLE_DISABLE=1`: the same code, the pool and
nothing else taken away), under an open loop at a fixed arrival rate.

1. Capacity: the unpooled server at saturation, `loadgen`'s closed loop (64
   keep-alive connections), for loads (GET load-table) and for commits (POST
   commit, a set-properties on a seeded table); the median of the runs.
2. Latency: `loadgen --rate` at 50 % and 80 % of that unpooled capacity (the
   same rate for both settings), against the pooled and the unpooled server.
   An open loop: request i is due at i / rate whatever became of the earlier
   ones, and its latency runs from its due time, so a stall of the server
   counts against every request due during it (the correction of coordinated
   omission, as wrk2 makes it; catalog/docs/latency.md).

Rounds interleave the settings: each round runs, for each workload and load,
the pooled and the unpooled server next to each other, which first
alternating; a ratio is taken within a round, and the table gives medians of
the rounds and the ratios' lowest and highest. A fresh server for every run.
The server runs on one core with one tokio worker, `loadgen` on the other (as
`allocator-report.py` does).

Writes the table into BENCHMARKS.md between `<!-- latency section -->`
markers (`latency_memory` with `--store memory`) (appended if absent; `scripts/bench-report.py` carries it over), with
the command, the commit, the rates and the machine; keeps the raw results in
target/latency-report/.

  catalog/scripts/latency-report.py            # 5 rounds on the embedded store (about 5 minutes)
  catalog/scripts/latency-report.py --store memory   # the same with the catalog in memory
  catalog/scripts/latency-report.py --smoke    # one tiny round on a debug build, writes nothing (CI)
  catalog/scripts/latency-report.py --server-arg=--columns --server-arg=80
                                               # flags passed on to every `server`
                                               # ({tmpdir}: a fresh empty directory per server)
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import report_common
from report_common import (LOADGEN_CPU, PIN, ROOT, SERVER_CPU, fmt_us, fmt_x, machine, median, pinned,
                           replace_marked)
SCENARIOS = ["get", "commit"]
MODES = [True, False]  # pooled, unpooled
OUT_DIR = os.path.join(ROOT, "target", "latency-report")
TITLES = {"get": "loads (GET load-table)", "commit": "commits (POST commit)"}



def env_for(pooled):
    env = report_common.env_for(pooled)
    if PIN:
        env["TOKIO_WORKER_THREADS"] = "1"
    return env


class Setup:
    def __init__(self, args):
        self.args = args
        profile, subdir = ("dev", "debug") if args.smoke else ("release", "release")
        subprocess.run(["cargo", "build", "--quiet", "--profile", profile, "-p", "poolable-catalog",
                        "--features", "allocators", "--bin", "server", "--bin", "loadgen"],
                       cwd=ROOT, check=True)
        self.bin_dir = os.path.join(ROOT, "target", subdir)

    def bin(self, name):
        return os.path.join(self.bin_dir, name)


class Server:
    """The `server` binary on a free port, with the extra `--server-arg`s, in
    a fresh empty working directory of its own (`{tmpdir}` in an argument),
    removed at stop: whatever a server keeps on disk, every run starts anew."""

    def __init__(self, setup, pooled):
        self.tmpdir = tempfile.mkdtemp(prefix="latency-report-")
        extra = [arg.replace("{tmpdir}", self.tmpdir) for arg in setup.args.server_arg]
        store = ["--in-memory"] if setup.args.store == "memory" else []
        cmd = [setup.bin("server"), "--port", "0"] + store + extra
        self.proc = subprocess.Popen(cmd, env=env_for(pooled), stdin=subprocess.DEVNULL, cwd=self.tmpdir,
                                     stdout=subprocess.PIPE, text=True, preexec_fn=pinned(SERVER_CPU))
        # The address from the line `listening on http://<address>`, whatever
        # the server prints before it.
        seen, match = [], None
        for line in self.proc.stdout:
            match = re.search(r"listening on http://(\S+)", line)
            if match:
                break
            seen.append(line)
            if len(seen) > 200:
                break
        if not match:
            self.stop()
            raise SystemExit(f"server did not start ({shlex.join(cmd)}): {''.join(seen[-20:])!r}")
        self.addr = match.group(1)
        # Whatever else it prints, read and dropped: a full pipe would stall it.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def loadgen(setup, server, scenario, secs, warmup, connections, rate=None):
    args = setup.args
    cmd = [setup.bin("loadgen"), "--addr", server.addr, "--scenario", scenario,
           "--connections", str(connections), "--secs", str(secs), "--warmup-secs", str(warmup),
           "--server-pid", str(server.proc.pid)]
    if rate is not None:
        cmd += ["--rate", f"{rate:.1f}", "--drain-secs", str(args.drain_secs)]
    done = subprocess.run(cmd, check=False, text=True, capture_output=True,
                          timeout=secs + warmup + args.drain_secs + 120, preexec_fn=pinned(LOADGEN_CPU))
    if done.returncode != 0:
        raise SystemExit(f"loadgen failed ({shlex.join(cmd)}): {done.stderr.strip()} {done.stdout.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_pooled(server, pooled):
    """The pool switch did what it says: an unpooled server's pools discard
    what they are given back (`reason="disabled"`), a pooled one's never do.
    Skipped if the server's /metrics has no such counter."""
    try:
        with urllib.request.urlopen(f"http://{server.addr}/metrics", timeout=10) as answer:
            text = answer.read().decode()
    except OSError as error:
        print(f"  (no /metrics to check the pool setting against: {error})", file=sys.stderr)
        return
    counts = [float(m.group(1)) for m in re.finditer(r'^pool_discards_total\{[^}]*reason="disabled"[^}]*\} (\S+)$',
                                                     text, re.M)]
    if not counts:
        print("  (no pool_discards_total{reason=\"disabled\"} in /metrics: the pool setting is unchecked)",
              file=sys.stderr)
    elif (sum(counts) == 0) != pooled:
        raise SystemExit(f"the server's pools were {'off' if sum(counts) else 'on'}, "
                         f"expected {'on' if pooled else 'off'}")


def run_one(setup, pooled, scenario, secs, warmup, connections, rate=None):
    server = Server(setup, pooled)
    try:
        result = loadgen(setup, server, scenario, secs, warmup, connections, rate)
        check_pooled(server, pooled)
        return result
    finally:
        server.stop()


def measure(args, setup):
    capacity, capacity_runs = {}, {}
    for scenario in SCENARIOS:
        runs = [run_one(setup, False, scenario, args.capacity_secs, args.warmup_secs, args.connections)
                for _ in range(args.capacity_runs)]
        capacity_runs[scenario] = [r["requests_per_sec"] for r in runs]
        capacity[scenario] = median(capacity_runs[scenario])
        print(f"  capacity, unpooled, {scenario}: {capacity[scenario]:,.0f} req/s "
              f"(runs: {', '.join(f'{v:,.0f}' for v in capacity_runs[scenario])})", file=sys.stderr)
    rows = []
    for round_ in range(args.rounds):
        for i, (scenario, load) in enumerate((s, l) for s in SCENARIOS for l in args.loads):
            order = MODES if (round_ + i) % 2 == 0 else MODES[::-1]
            rate = capacity[scenario] * load
            for pooled in order:
                r = run_one(setup, pooled, scenario, args.secs, args.warmup_secs, args.open_connections, rate)
                r.update(pooled=pooled, load=load, round=round_)
                rows.append(r)
        print(f"  round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    return capacity, capacity_runs, rows


KEYS = ("p50_us", "p99_us", "p999_us", "max_us", "requests_per_sec", "late", "queued", "unfinished",
        "errors", "send_lag_p50_us", "send_lag_p99_us", "server_cpu_us_per_request")


def summarise(rows, loads):
    s = {}
    for scenario in SCENARIOS:
        for load in loads:
            sel = [r for r in rows if r["scenario"] == scenario and r["load"] == load]
            for pooled in MODES:
                mine = [r for r in sel if r["pooled"] == pooled]
                s[(scenario, load, pooled)] = {k: median([r[k] for r in mine if r.get(k) is not None])
                                               for k in KEYS}
                s[(scenario, load, pooled)]["late_total"] = sum(r["late"] for r in mine)
                s[(scenario, load, pooled)]["scheduled_total"] = sum(r["scheduled"] for r in mine)
                s[(scenario, load, pooled)]["unfinished_total"] = sum(r["unfinished"] for r in mine)
            for key in ("p50_us", "p99_us", "p999_us", "max_us"):
                by_round = {}
                for r in sel:
                    by_round.setdefault(r["round"], {})[r["pooled"]] = r[key]
                ratios = [v[True] / v[False] for v in by_round.values() if v.get(True) and v.get(False)]
                s[(scenario, load, key + "_ratio")] = (median(ratios), min(ratios, default=None),
                                                       max(ratios, default=None))
    return s


def table(s, capacity, loads):
    L = ["| workload | load (rate) | p50 unpooled → pooled | p99 unpooled → pooled | p99.9 unpooled → pooled "
         "| max unpooled → pooled | p99 pooled / unpooled | p99.9 pooled / unpooled | achieved req/s unpooled, pooled "
         "| sent > 1 ms late, unpooled, pooled |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for scenario in SCENARIOS:
        for load in loads:
            u, p = s[(scenario, load, False)], s[(scenario, load, True)]
            cells = [TITLES[scenario], f"{load:.0%} ({capacity[scenario] * load:,.0f} req/s)"]
            for key in ("p50_us", "p99_us", "p999_us", "max_us"):
                cells.append(f"{fmt_us(u[key])} → {fmt_us(p[key])}")
            cells.append(fmt_x(s[(scenario, load, "p99_us_ratio")]))
            cells.append(fmt_x(s[(scenario, load, "p999_us_ratio")]))
            cells.append(f"{u['requests_per_sec']:,.0f}, {p['requests_per_sec']:,.0f}")
            late = lambda e: f"{e['late_total'] / e['scheduled_total']:.2%}" if e["scheduled_total"] else "n/a"
            cells.append(f"{late(u)}, {late(p)}")
            L.append("| " + " | ".join(cells) + " |")
    return L


def section(args, s, capacity, capacity_runs, machine_lines, command):
    L = []
    w = L.append
    w(f"<!-- {marker(args)} -->")
    w(f"## Latency at a user's load: {STORES[args.store]}")
    w("")
    w("A closed loop (the allocator section above) measures a saturated server: each connection waits for")
    w("its answer before it sends again, so its latencies follow throughput. A user's load arrives at its own")
    w("rate. Here `loadgen --rate` sends request i at i / rate seconds whatever became of the earlier ones")
    w("and measures its latency from that due time, so a stall counts against every request due during it")
    w("(the correction of coordinated omission, as wrk2 makes it; [catalog/docs/latency.md](catalog/docs/latency.md)).")
    w("The rate is a share of the **unpooled** server's capacity, and the same rate drives both settings:")
    w("the pooled server at 80 % of the unpooled capacity is less loaded than that, which is the point.")
    w("")
    w("```text")
    for line in machine_lines:
        w(line)
    w(f"command:   {command}")
    w("```")
    w("")
    if args.note:
        w(f"Conditions: {args.note}")
        w("")
    caps = "; ".join(f"{TITLES[sc]} **{capacity[sc]:,.0f} req/s** (runs: {', '.join(f'{v:,.0f}' for v in capacity_runs[sc])})"
                     for sc in SCENARIOS)
    w(f"Unpooled capacity (`POOLABLE_DISABLE=1`, closed loop, {args.connections} connections, {args.capacity_secs:g} s "
      f"measured after {args.warmup_secs:g} s, median of {args.capacity_runs} runs): {caps}.")
    w("")
    w(f"{args.rounds} interleaved rounds; per run a fresh `server`, {args.warmup_secs:g} s of warm-up then "
      f"{args.secs:g} s measured, at most {args.open_connections} requests in flight (connections), "
      f"answers owed awaited for {args.drain_secs:g} s. The server runs on one core with one tokio worker, "
      "`loadgen` on the other. Percentiles: the median of the rounds; ratios: pooled / unpooled within a round, "
      "the median of the rounds and their lowest and highest. \"Late\": the share of requests sent more than 1 ms "
      "after their due time (no connection free, or the generator behind), their wait counted in their latency.")
    w("")
    L.extend(table(s, capacity, args.loads))
    lags = [s[(sc, l, p)] for sc in SCENARIOS for l in args.loads for p in MODES]
    w("")
    w(f"The generator sent each request a median {fmt_us(median([e['send_lag_p50_us'] for e in lags]))} after its "
      "due time (its timer thread's sleep and the handover to the connections' thread), in both settings alike, "
      "and that lag is in every latency above. The p99 of the lag, waits for a free connection and the "
      f"generator's own delays included, was {fmt_us(min(e['send_lag_p99_us'] for e in lags))} to "
      f"{fmt_us(max(e['send_lag_p99_us'] for e in lags))} (medians of the rounds, by workload, load and setting).")
    unfinished = sum(s[(sc, l, p)]["unfinished_total"] for sc in SCENARIOS for l in args.loads for p in MODES)
    if unfinished:
        w("")
        w(f"**{unfinished} requests were never answered** within the drain time; they are in the percentiles "
          "with the time they had waited by then.")
    w("")
    w("Regenerate: `catalog/scripts/latency-report.py` (this section). One setting by hand:")
    w("`cargo build --release -p poolable-catalog --features allocators --bin server --bin loadgen`, then")
    w("`[POOLABLE_DISABLE=1] target/release/server --port 8181` and")
    w("`target/release/loadgen --addr 127.0.0.1:8181 --scenario get --rate 5000 --connections 256`.")
    w(f"<!-- /{marker(args)} -->")
    return "\n".join(L)


# What the server keeps its catalog in, and the section each writes.
STORES = {"sqlite": "the embedded store (SQLite, the server's default)",
          "memory": "the catalog in memory (`--in-memory`)"}


def marker(args):
    return "latency section" if args.store == "sqlite" else "latency_memory section"


def results_path(args):
    return os.path.join(OUT_DIR, "results.json" if args.store == "sqlite" else "results-memory.json")


def shown_command(argv):
    """The command as the section shows it: without `--note`, which the
    section prints on its own line."""
    shown, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--note":
            skip = True
        elif not arg.startswith("--note=") and arg != "--from-results":
            shown.append(arg)
    return shlex.join(["catalog/scripts/latency-report.py"] + shown)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--secs", type=float, default=5.0, help="seconds measured per open-loop run")
    ap.add_argument("--warmup-secs", type=float, default=1.0)
    ap.add_argument("--capacity-secs", type=float, default=3.0, help="seconds measured per capacity run")
    ap.add_argument("--capacity-runs", type=int, default=3)
    ap.add_argument("--connections", type=int, default=64, help="connections of the closed loop (capacity)")
    ap.add_argument("--open-connections", type=int, default=256,
                    help="connections of the open loop: the most requests in flight at once")
    ap.add_argument("--drain-secs", type=float, default=10.0)
    ap.add_argument("--loads", default="0.5,0.8", help="shares of the unpooled capacity, comma-separated")
    ap.add_argument("--store", choices=sorted(STORES), default="sqlite",
                    help="sqlite: the server's embedded store, each server in a fresh data dir (section `latency`); "
                         "memory: `--in-memory` (section `latency_memory`)")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="a flag passed on to every `server` (repeat it; {tmpdir}: a fresh directory per server)")
    ap.add_argument("--note", help="the run's conditions, written under the machine (e.g. other builds ran)")
    ap.add_argument("--no-write", action="store_true", help="print, write no file")
    ap.add_argument("--from-results", action="store_true",
                    help="run nothing: write the section again from the last run's results")
    ap.add_argument("--smoke", action="store_true",
                    help="one tiny round on a debug build: every setting runs, writes nothing")
    args = ap.parse_args()
    try:
        args.loads = [float(x) for x in args.loads.split(",")]
    except ValueError:
        ap.error("--loads: comma-separated numbers, 0.5,0.8")
    if (args.rounds < 1 or args.secs <= 0 or args.capacity_secs <= 0 or args.capacity_runs < 1
            or args.connections < 1 or args.open_connections < 1 or not all(0 < x <= 2 for x in args.loads)):
        ap.error("--rounds, --secs, --capacity-secs, --capacity-runs and the connections must be positive, "
                 "--loads in (0, 2]")
    if args.smoke:
        args.rounds, args.capacity_runs, args.secs, args.capacity_secs, args.warmup_secs = 1, 1, 0.5, 0.5, 0.2
        args.connections, args.open_connections, args.drain_secs = 8, 32, 10.0
        args.no_write = True
    command = shown_command(sys.argv[1:])
    started = time.time()
    if args.from_results:
        saved = json.load(open(results_path(args)))
        for key, value in saved["args"].items():
            if key not in ("from_results", "no_write", "smoke"):
                setattr(args, key, value)
        s = summarise(saved["rows"], args.loads)
        print("\n".join(table(s, saved["capacity"], args.loads)))
        if not args.no_write:
            replace_marked(os.path.join(ROOT, "BENCHMARKS.md"), marker(args),
                           section(args, s, saved["capacity"], saved["capacity_runs"], saved["machine"],
                                   shown_command(shlex.split(saved["command"])[1:])))
            print("wrote BENCHMARKS.md")
        return
    setup = Setup(args)
    capacity, capacity_runs, rows = measure(args, setup)
    s = summarise(rows, args.loads)
    print("\n".join(table(s, capacity, args.loads)))
    if args.smoke:
        # Every run ended without an error (loadgen fails on one, or on a
        # request never answered); a debug build's times mean nothing.
        print(f"smoke: the unpooled capacity and the open loop at {', '.join(f'{x:.0%}' for x in args.loads)} "
              f"ran against the pooled and the unpooled server ({len(rows) + 2 * args.capacity_runs} runs, "
              f"no error, {time.time() - started:.0f} s)")
        return
    machine_lines = machine()
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(results_path(args), "w") as f:
        json.dump({"args": vars(args), "command": command, "machine": machine_lines, "capacity": capacity,
                   "capacity_runs": capacity_runs, "rows": rows}, f, indent=1)
    if args.no_write:
        return
    replace_marked(os.path.join(ROOT, "BENCHMARKS.md"), marker(args),
                   section(args, s, capacity, capacity_runs, machine_lines, command))
    print(f"wrote BENCHMARKS.md ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
