#!/usr/bin/env bash
# Instructions per cycle of every contender of the peer comparison (issue 6),
# single thread, for each workload, counted by callgrind (deterministic).
#
#   scripts/callgrind-peers.sh [CYCLES]        (default 20000)
#
# Same method as scripts/callgrind-engine.sh: benches/peers_callgrind.rs runs
# under `valgrind --tool=callgrind --toggle-collect=*measured_cycles*` with N
# and with 2N cycles; instructions per cycle = (I(2N) - I(N)) / N, so fixed
# costs inside the measured region cancel. Prints a table and writes
# target/peers/callgrind.json; the profiles stay in target/peers/callgrind/
# for `callgrind_annotate`.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-20000}
OUT=target/peers/callgrind
mkdir -p "$OUT"
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 2; }

exe=$(cargo bench --bench peers_callgrind --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.reason == "compiler-artifact" and .target.name == "peers_callgrind") | .executable' |
    tail -n 1)
[ -x "$exe" ] || { echo "could not build benches/peers_callgrind.rs" >&2; exit 2; }

instructions() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

WORKLOADS=${WORKLOADS:-"request buffer_4k small_64b"}
CONTENDERS=${CONTENDERS:-"poolable poolable-pool lockfree-object-pool object-pool sharded-slab opool crossbeam-arrayqueue mutex-vec box floor"}
json="{\"cycles\":$N,\"results\":["
sep=""
for workload in $WORKLOADS; do
    for contender in $CONTENDERS; do
        for n in "$N" "$((2 * N))"; do
            valgrind --tool=callgrind --toggle-collect='*measured_cycles*' \
                --callgrind-out-file="$OUT/$workload-$contender-$n.out" \
                "$exe" "$workload" "$contender" "$n" >/dev/null 2>"$OUT/$workload-$contender-$n.log"
        done
        i1=$(instructions "$OUT/$workload-$contender-$N.out")
        i2=$(instructions "$OUT/$workload-$contender-$((2 * N)).out")
        per=$(awk -v a="$i1" -v b="$i2" -v n="$N" 'BEGIN { printf "%.1f", (b - a) / n }')
        printf '%-10s %-22s %8s instructions/cycle\n' "$workload" "$contender" "$per"
        json="$json$sep{\"workload\":\"$workload\",\"contender\":\"$contender\",\"per_cycle\":$per}"
        sep=","
    done
done
echo "$json]}" > target/peers/callgrind.json
echo "wrote target/peers/callgrind.json"
