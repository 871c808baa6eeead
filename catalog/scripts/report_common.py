"""What allocator-report.py and latency-report.py share: the repository's
paths, pinning the server and the load generator to a core each, the
environment of a pooled or unpooled run, formatting, the machine's lines and
rewriting a marked section of a file."""

import os
import re
import statistics
import subprocess
from datetime import datetime, timezone

# The repository: the workspace's target directory, BENCHMARKS.md.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOG = os.path.join(ROOT, "catalog")

# The server on one core with one tokio worker, the load generator on the
# other: neither takes the other's time, and the generator never limits the
# server (on one shared pair of cores it did: its answers cost it nearly what
# they cost the server, and both settings read alike).
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
PIN = len(CPUS) >= 2
SERVER_CPU, LOADGEN_CPU = ({CPUS[0]}, {CPUS[1]}) if PIN else (None, None)


def pinned(cpus):
    return (lambda: os.sched_setaffinity(0, cpus)) if PIN else None


def sh(*args, **kw):
    return subprocess.run(args, cwd=ROOT, check=True, text=True, capture_output=True, **kw).stdout


def env_for(pooled):
    """The environment of a run: poolable's switches cleared, and the pools
    switched off (`POOLABLE_DISABLE=1`) for an unpooled one."""
    env = dict(os.environ)
    for name in ("POOLABLE_DISABLE", "POOLABLE_CHAOS", "POOLABLE_TRACK"):
        env.pop(name, None)
    if not pooled:
        env["POOLABLE_DISABLE"] = "1"
    return env


def median(values):
    return statistics.median(values) if values else None


def fmt_us(v):
    if v is None:
        return "n/a"
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def fmt_x(t):
    if t is None or t[0] is None:
        return "n/a"
    return f"**{t[0]:.2f}x** ({t[1]:.2f} to {t[2]:.2f})"


def first_line(cmd):
    """The first line a shell command prints, or "n/a"."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip().splitlines()[0]
    except Exception:
        return "n/a"


def machine(extra=()):
    """The lines that say when, at which commit and on what a run was made,
    then `extra`."""
    first = first_line
    cpu = first("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip()
    return [
        f"date:      {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"commit:    {first('git rev-parse --short HEAD')}",
        f"cpu:       {cpu} x {os.cpu_count()} (shared: noisy)",
        f"kernel:    {first('uname -sr')}",
        f"rustc:     {first('rustc --version')}",
    ] + list(extra)


def replace_marked(path, marker, text):
    """Puts `text` between `<!-- marker -->` and `<!-- /marker -->` in the
    file at `path` (appended if the markers are absent)."""
    content = open(path).read()
    pattern = re.compile(rf"<!-- {marker} -->.*?<!-- /{marker} -->", re.S)
    if pattern.search(content):
        content = pattern.sub(lambda _: text, content)
    else:
        content = content.rstrip() + "\n\n" + text + "\n"
    open(path, "w").write(content)
