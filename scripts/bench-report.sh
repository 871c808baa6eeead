#!/usr/bin/env bash
# The peer comparison (issue 6), end to end, then BENCHMARKS.md.
#
#   scripts/bench-report.sh            (about 15 minutes on 2 cores)
#
# 1. machine and toolchain        -> target/peers/machine.txt
# 2. instructions per cycle        scripts/callgrind-peers.sh  -> target/peers/callgrind.json
# 3. allocations per object        cargo bench --bench peers_allocs -> target/peers/allocs.json
# 4. interleaved rounds (ratios)   cargo bench --bench peers_rounds, PEERS_PROCESSES (5) times
#                                  -> target/peers/rounds-<i>.json
# 5. criterion medians             cargo bench --bench peers   -> target/criterion/peers_*/
# 6. Go's sync.Pool                (cd benches/go && go test -bench) -> target/peers/go.txt
# 7. scripts/bench-report.py writes BENCHMARKS.md from those files.
#
# Env: SKIP_CRITERION=1 skips step 5 (the report then shows the previous
# run's medians, if any); SKIP_GO=1 skips step 6.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/peers

{
    echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit:    $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- pool-runtime benches || echo ' (+ uncommitted changes)')"
    echo "cpu:       $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo) x $(nproc) (shared with other builds: noisy)"
    echo "memory:    $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel:    $(uname -sr)"
    echo "rustc:     $(rustc --version)"
    echo "cargo:     $(cargo --version)"
    echo "valgrind:  $(valgrind --version 2>/dev/null || echo 'not installed')"
    echo "go:        $(go version 2>/dev/null || echo 'not installed')"
    echo "profile:   cargo bench (release, the workspace's default bench profile)"
} > target/peers/machine.txt
cat target/peers/machine.txt

echo "== instructions per cycle (callgrind)"
scripts/callgrind-peers.sh

echo "== allocations per object"
cargo bench --bench peers_allocs

echo "== interleaved rounds (${PEERS_PROCESSES:-5} processes: each has its own heap layout)"
rm -f target/peers/rounds-*.json
for i in $(seq "${PEERS_PROCESSES:-5}"); do
    PEERS_OUT="$PWD/target/peers/rounds-$i.json" cargo bench --bench peers_rounds
done

if [ "${SKIP_CRITERION:-0}" != 1 ]; then
    echo "== criterion"
    cargo bench --bench peers
fi

if [ "${SKIP_GO:-0}" != 1 ] && command -v go >/dev/null; then
    echo "== Go sync.Pool"
    (cd benches/go && go test -run '^$' -bench . -benchmem -benchtime 300ms -count 5) | tee target/peers/go.txt
else
    echo "go not installed (apt-get install golang-go): the report has no Go row" >&2
    : > target/peers/go.txt
fi

python3 scripts/bench-report.py
