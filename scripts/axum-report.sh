#!/usr/bin/env bash
# The axum comparison (issue 23): `PooledJson` against `axum::Json`, a floor
# handler and axum's `Bytes` extractor, through a Router (benches/axum.rs).
# Runs the bench's steady-state report (interleaved rounds, the median one;
# allocations counted by a counting allocator) and writes it into
# BENCHMARKS.md, section "axum", between the markers
# `<!-- axum section -->` and `<!-- /axum section -->` (appended if absent;
# scripts/bench-report.py carries the section over when it rewrites the file).
#
#   scripts/axum-report.sh          (about 2 minutes after the build)
set -euo pipefail
cd "$(dirname "$0")/.."

# `--test`: criterion runs each benchmark once; the report before it is the figure.
out=$(cargo bench --bench axum -- --test 2>/dev/null)
table=$(sed -n '/<!-- axum report -->/,/<!-- \/axum report -->/p' <<<"$out" | grep -v -- '<!--')
rounds=$(grep -m1 '^(.*interleaved rounds' <<<"$out")
[ -n "$table" ] || { echo "no report in the bench's output" >&2; exit 1; }

section=$(cat <<MD
<!-- axum section -->
## axum: \`PooledJson\` against \`axum::Json\` (issue 23)

One process, a \`Router\` driven by \`tower::ServiceExt::oneshot\` on a
current-thread tokio runtime; each request is built, routed, answered, and
its body read whole. The request is an Iceberg-commit-shaped JSON
(\`support/src/commit_shape.rs\`: an \`add-schema\` of as many fields as it
takes, a \`set-current-schema\`, a \`set-properties\`), the answer the table's
new metadata, as large. \`floor\` reads nothing and answers a static JSON
body; \`bytes\` reads the body with axum's \`Bytes\` extractor and answers as
\`floor\`; \`axum_json\` and \`pooled_json\` run the same handler body on the
same types, with \`Json\` or \`PooledJson\` in and out.

$table

$rounds; \`$(git rev-parse --short HEAD)\`, $(nproc) cores, $(rustc --version).
Regenerate: \`scripts/axum-report.sh\` (or \`cargo bench --bench axum\` for
criterion's timings as well).

\`pooled_json\` allocates what \`bytes\` does: two allocations above
\`floor\`, both of the framework's making. One is the box in which
axum-core's \`RequestExt::into_limited_body\` wraps the body to apply the
router's \`DefaultBodyLimit\`: the limit's type is private to axum-core, so
that call is the only way to honour it (every axum body extractor pays
it). The other is the \`Bytes\` that hands the pooled buffer to the body
without a copy (\`Bytes::from_owner\` boxes its owner). Removing either
would take \`unsafe\` code (a \`Bytes\` vtable) or an axum-core that exposes
the limit.
<!-- /axum section -->
MD
)

python3 - "$section" <<'PY'
import re, sys
section = sys.argv[1]
path = "BENCHMARKS.md"
text = open(path).read()
pattern = re.compile(r"<!-- axum section -->.*?<!-- /axum section -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "wrote the axum section of BENCHMARKS.md"
