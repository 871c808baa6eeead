#!/usr/bin/env bash
# What poolable adds to a user's cold debug build: a minimal crate with serde
# (derive), serde_json and one #[derive(Poolable)], against the same crate
# without poolable. Each is built cold (`cargo build`, fresh target dir) RUNS
# times, alternating; the medians, the crate counts and the syn versions in
# `cargo tree -e normal,build` are printed, and the last `--timings` reports
# are kept in target/build-cost/. With the default features, the figures go
# into BENCHMARKS.md (section "build").
#
#   scripts/build-cost.sh [RUNS]            (default 5)
#   FEATURES="json,bytes" scripts/build-cost.sh   # poolable with more than its defaults
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
out="$root/target/build-cost"
rm -rf "$out"
mkdir -p "$out/with/src" "$out/without/src"

features=""
[ -n "${FEATURES:-}" ] && features=", features = [\"${FEATURES//,/\", \"}\"]"
manifest() {
    cat <<EOF
[package]
name = "build-cost-$1"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
$2

[workspace]
EOF
}
manifest with "poolable = { path = \"$root\"$features }" >"$out/with/Cargo.toml"
manifest without "" >"$out/without/Cargo.toml"
cat >"$out/with/src/main.rs" <<'EOF'
use poolable::Poolable;
use serde::{Deserialize, Serialize};

#[derive(Poolable, Default, Serialize, Deserialize)]
pub struct Answer {
    pub name: String,
    pub ids: Vec<u64>,
}

fn main() {
    let mut answer = Answer::pooled();
    answer.name.push_str("orders");
    println!("{}", serde_json::to_string(&*answer).unwrap());
}
EOF
cat >"$out/without/src/main.rs" <<'EOF'
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Answer {
    pub name: String,
    pub ids: Vec<u64>,
}

fn main() {
    let mut answer = Answer::default();
    answer.name.push_str("orders");
    println!("{}", serde_json::to_string(&answer).unwrap());
}
EOF
# The same versions as the workspace (cargo drops what a crate does not use).
cp Cargo.lock "$out/with/"
cp Cargo.lock "$out/without/"

declare -A times
for ((i = 1; i <= runs; i++)); do
    for which in without with; do
        (cd "$out/$which" && rm -rf target &&
            start=$(date +%s.%N) && cargo build --quiet --timings >/dev/null 2>&1 &&
            awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }') >"$out/$which.$i"
        times[$which]+="$(cat "$out/$which.$i") "
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }'; }
crates() { (cd "$out/$1" && cargo tree -e normal,build --prefix none | sed 's/ (\*)//' | sort -u | wc -l); }
with=$(echo "${times[with]}" | median)
without=$(echo "${times[without]}" | median)
report=$(
    echo "runs: $runs cold debug builds each, $(nproc) cores, $(rustc --version)"
    echo "without poolable: ${without} s (median of ${times[without]}), $(crates without) crates"
    echo "with poolable:    ${with} s (median of ${times[with]}), $(crates with) crates${FEATURES:+, features $FEATURES}"
    echo "poolable adds:    $(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a - b }') s"
    echo "syn in the user's build: $(cd "$out/with" && cargo tree -e normal,build --prefix none | grep -o '^syn v[0-9.]*' | sort -u | tr '\n' ' ')"
)
echo "$report"
echo "timings: $out/{with,without}/target/cargo-timings/cargo-timing.html"

# With poolable's default features, the figures go into BENCHMARKS.md, section
# "build" (between `<!-- build section -->` markers; appended if absent).
[ -z "${FEATURES:-}" ] || exit 0
REPORT="$report" COMMIT="$(git -C "$root" rev-parse --short HEAD)" python3 - "$root/BENCHMARKS.md" <<'PY'
import os, re, sys
path = sys.argv[1]
section = f"""<!-- build section -->
## What poolable adds to a user's build

A minimal crate with serde (derive), serde_json and one `#[derive(Poolable)]`
(poolable with its default features), against the same crate without
poolable, each built cold in debug, alternating; `{os.environ['COMMIT']}`:

```text
{os.environ['REPORT']}
```

Regenerate: `scripts/build-cost.sh [RUNS]` (5 runs by default).
<!-- /build section -->"""
text = open(path).read()
pattern = re.compile(r"<!-- build section -->.*?<!-- /build section -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
print("wrote the build section of BENCHMARKS.md")
PY
