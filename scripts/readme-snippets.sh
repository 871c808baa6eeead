#!/usr/bin/env bash
# Builds and runs every Rust snippet of README.md in a scratch crate that
# depends on `poolable` as a user's crate does (plus serde, serde_json and
# bytes, which the snippets of the json and bytes features use, axum for the
# snippet of the axum feature, and the metrics crates of the three adapter
# features), not as the README's doctests do, which can also name poolable's
# own dependencies.
#
#   scripts/readme-snippets.sh          (run by .ci/run)
#
# Each ```rust block becomes one binary: lines starting with `# ` lose that
# prefix (rustdoc's hidden lines), and a block that ends in
# `Ok::<(), E>(())` runs inside a function returning a `Result`, as rustdoc
# wraps it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=target/readme-snippets
rm -rf "$scratch/src"
mkdir -p "$scratch/src/bin"

python3 - "$root/README.md" "$scratch/src/bin" <<'EOF'
import re, sys
readme, out = sys.argv[1], sys.argv[2]
blocks, current = [], None
for line in open(readme):
    if line.startswith("```"):
        if current is not None:
            blocks.append(current)
            current = None
        elif line.strip() == "```rust":
            current = []
        continue
    if current is not None:
        current.append(line.rstrip("\n"))
for n, block in enumerate(blocks):
    lines = [l[2:] if l.startswith("# ") else ("" if l == "#" else l) for l in block]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and lines[-1].strip().startswith("Ok::<"):
        body = "\n".join("        " + l for l in lines[:-1])
        source = ("fn main() {\n    fn snippet() -> Result<(), Box<dyn std::error::Error>> {\n"
                  f"{body}\n        Ok(())\n    }}\n    snippet().unwrap();\n}}\n")
    else:
        body = "\n".join("    " + l for l in lines)
        source = f"fn main() {{\n{body}\n}}\n"
    with open(f"{out}/snippet_{n:02}.rs", "w") as f:
        f.write(f"// README.md, Rust block {n}\n#![allow(unused)]\n" + source)
print(f"{len(blocks)} snippets", file=sys.stderr)
EOF

cat > "$scratch/Cargo.toml" <<EOF
[package]
name = "readme-snippets"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
poolable = { path = "$root", features = ["axum", "prometheus-client", "metrics", "opentelemetry"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
bytes = "1"
axum = { version = "0.8", default-features = false }
prometheus-client = "0.26"
metrics = "0.24"
opentelemetry = { version = "0.33", default-features = false, features = ["metrics"] }
EOF

# Its own lock file and target directory: a user's build, not the workspace's.
cd "$scratch"
cargo build --quiet --bins
for bin in src/bin/*.rs; do
    name=$(basename "$bin" .rs)
    ./target/debug/"$name" >/dev/null || { echo "README snippet $name failed (see $scratch/$bin)" >&2; exit 1; }
done
echo "README snippets: $(ls src/bin | wc -l) built and run in a crate that depends on poolable"
