#!/usr/bin/env python3
"""JSON encoding over a corpus of shapes: `poolable::json::to_vec` into a
pooled buffer against `serde_json::to_vec` into a fresh `Vec` (benches/json.rs,
benches/json_corpus/).

For each shape of the corpus:
  instructions per encode, exact: callgrind counts `measured_ops` of
      `cargo bench --bench json -- measure SHAPE fresh|pooled N`, run with N
      and 2N encodes, (I(2N) - I(N)) / N, so warm-up, setup and exit cancel;
  time per encode: `cargo bench --bench json -- report ROUNDS`, the two
      contenders back to back in every round, the order alternating; the
      ratio is taken within each round, and the median over rounds reported;
  allocations per encode: `cargo bench --bench json_allocs` (a counting
      global allocator, in a process of its own).

Writes the BENCHMARKS.md section between `<!-- json section -->` markers and
keeps the raw results in target/json-report/. Exits 1 if any shape costs
more instructions pooled than fresh.

  scripts/json-report.py                 # everything (about 4 minutes)
  scripts/json-report.py --rounds 11     # fewer timed rounds
  scripts/json-report.py --from-results  # rewrite the section from the kept results
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "json-report")
BENCHMARKS = os.path.join(ROOT, "BENCHMARKS.md")
# Instructions a callgrind run should count at N: enough encodes that the
# per-encode figure is exact to the instruction, few enough to run in seconds.
TARGET_INSTRUCTIONS = 20_000_000


def sh(*args):
    return subprocess.run(args, cwd=ROOT, check=True, text=True, capture_output=True).stdout


def bench_exe(name):
    out = sh("cargo", "bench", "--bench", name, "--no-run", "--message-format=json")
    exes = [
        m["executable"]
        for m in map(json.loads, out.splitlines())
        if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name and m.get("executable")
    ]
    return exes[-1]


def instructions(exe, shape, contender, ops):
    path = os.path.join(OUT, f"{shape}-{contender}-{ops}.out")
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--toggle-collect=*measured_ops*", f"--callgrind-out-file={path}",
         exe, "measure", shape, contender, str(ops)],
        cwd=ROOT, check=True, capture_output=True)
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no total in {path}")


def per_encode(exe, shape, contender, ops):
    return (instructions(exe, shape, contender, 2 * ops) - instructions(exe, shape, contender, ops)) / ops


def measure(rounds):
    os.makedirs(OUT, exist_ok=True)
    exe = bench_exe("json")
    timed = {r["shape"]: r for r in map(json.loads, sh(exe, "report", str(rounds)).splitlines())}
    allocs_exe = bench_exe("json_allocs")
    allocs = {r["shape"]: r for r in map(json.loads, sh(allocs_exe).splitlines())}
    results = []
    for shape in sh(exe, "shapes").split():
        # A first guess of the cost from the size, refined by one short run.
        probe = per_encode(exe, shape, "fresh", 20)
        ops = max(20, int(TARGET_INSTRUCTIONS / max(probe, 1)))
        fresh = per_encode(exe, shape, "fresh", ops)
        pooled = per_encode(exe, shape, "pooled", ops)
        row = {
            "shape": shape,
            "bytes": timed[shape]["bytes"],
            "ops": ops,
            "fresh_instructions": fresh,
            "pooled_instructions": pooled,
            "fresh_ns": timed[shape]["fresh_ns"],
            "pooled_ns": timed[shape]["pooled_ns"],
            "time_ratio": timed[shape]["time_ratio"],
            "fresh_allocs": allocs[shape]["fresh_allocs"],
            "pooled_allocs": allocs[shape]["pooled_allocs"],
        }
        print(f"{shape:<22} {row['bytes']:>7} B  instructions {fresh:>10.0f} -> {pooled:>10.0f} "
              f"({pooled / fresh:.3f}x)  time {row['time_ratio']:.3f}x", file=sys.stderr)
        results.append(row)
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "rounds": rounds,
        "rustc": sh("rustc", "--version").strip(),
        "cpu": cpu_model(),
    }
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    return meta, results


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def section(meta, results):
    w = []
    w.append("## JSON encoding over a corpus of shapes: `poolable::json::to_vec` against `serde_json::to_vec`")
    w.append("")
    w.append("Written by `scripts/json-report.py` (benches/json.rs, benches/json_allocs.rs, the shapes in")
    w.append(f"benches/json_corpus/); {meta['date']}, {meta['rustc']}, {meta['cpu']}, one thread, the system")
    w.append("allocator. Each encode drops its output; the pooled one writes with serde_json's own `Serializer`")
    w.append("into a warm pooled buffer, the fresh one is `serde_json::to_vec` (a 128-byte `Vec`, doubled as it")
    w.append("fills). Instructions are exact (callgrind, `(I(2N) - I(N)) / N`); time is the median over")
    w.append(f"{meta['rounds']} interleaved rounds of the per-round ratio; allocations are per encode at steady state.")
    w.append("")
    w.append("| shape | bytes | allocations fresh → pooled | instructions fresh | pooled | ratio | ns fresh | pooled | time ratio |")
    w.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = r["pooled_instructions"] / r["fresh_instructions"]
        w.append(
            f"| `{r['shape']}` | {r['bytes']:,} | {r['fresh_allocs']:g} → {r['pooled_allocs']:g} "
            f"| {r['fresh_instructions']:,.0f} | {r['pooled_instructions']:,.0f} | {ratio:.3f}x "
            f"| {r['fresh_ns']:,.0f} | {r['pooled_ns']:,.0f} | {r['time_ratio']:.2f}x |")
    worst = max(results, key=lambda r: r["pooled_instructions"] / r["fresh_instructions"])
    w.append("")
    w.append(f"Largest instruction ratio: `{worst['shape']}`, "
             f"{worst['pooled_instructions'] / worst['fresh_instructions']:.3f}x. The bytes are serde_json's")
    w.append("(`tests/json_bytes.rs` compares them, and the errors, on generated values and every serde shape).")
    w.append("An output above the 64 KiB cap (`long_strings_100`) is a plain allocation of the expected size:")
    w.append("one allocation where serde_json makes ten.")
    return "\n".join(w)


def write_section(text):
    with open(BENCHMARKS) as f:
        doc = f.read()
    begin, end = "<!-- json section -->", "<!-- /json section -->"
    block = f"{begin}\n{text}\n{end}"
    if begin in doc:
        doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    with open(BENCHMARKS, "w") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=31)
    ap.add_argument("--from-results", action="store_true")
    args = ap.parse_args()
    if args.from_results:
        with open(os.path.join(OUT, "results.json")) as f:
            kept = json.load(f)
        meta, results = kept["meta"], kept["results"]
    else:
        meta, results = measure(args.rounds)
    write_section(section(meta, results))
    over = [r["shape"] for r in results if r["pooled_instructions"] > r["fresh_instructions"]]
    if over:
        print(f"more instructions than serde_json::to_vec: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
