#!/usr/bin/env python3
"""Which layer of pool-runtime imports which: only downwards, and no cycle.

    scripts/module-graph.py [SRC_DIR]        (default pool-runtime/src)

`pool-runtime/src` is grouped by layer: each top-level module (a file such
as `sync.rs`, or a directory such as `engine/`) is one layer, and LAYERS
below lists them from the bottom up. A layer may import from the layers
below it, never from one above.

An edge A -> B means that a file of layer A names an item of layer B
through `crate::` (in a `use`, a path or a macro call), or through a name
the crate root re-exports (`crate::Pool` is layer `engine`, from
`pub use engine::pool::Pool`). Every file under a directory counts as its
layer (`engine/pool.rs` and `io/json/decode.rs` are `engine` and `io`), and
a layer's references to its own items are not edges. The crate root
(`lib.rs`) and test-only modules (`loom_tests`) are left out.

Prints each layer's edges, then every upward edge (with the files that make
it): with the layers in one order, a cycle needs an upward edge, so none
means no cycle. Exits 1 if there is any, or if a top-level module is
missing from LAYERS (or LAYERS names one that does not exist).
"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "pool-runtime/src"

# From the bottom up.
LAYERS = [
    "sync",  # std or loom: atomics, locks, thread-locals, exit hooks
    "config",  # a pool's bounds: `PoolConfig`
    "observe",  # counters, the registry, switches, diagnostics, trimmer, metrics
    "cache",  # where idle objects wait: thread caches, the shared store
    "reset",  # the `Reset` trait and what implements it
    "engine",  # `Pool<T>` and `Pooled<T>`: take and return
    "io",  # byte buffers, JSON, axum
]
SKIP = {"lib", "loom_tests"}


def layer_of(path):
    rel = os.path.relpath(path, SRC)
    top = rel.split(os.sep)[0]
    return top[:-3] if top.endswith(".rs") else top


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def root_reexports(lib):
    """Name -> layer for the root's `pub use layer::...::{A, B}` / `pub use layer::...::A;`."""
    names = {}
    for path, body in re.findall(r"^pub use ((?:\w+::)*)\{([^}]*)\}", lib, flags=re.M):
        layer = path.split("::")[0]
        for name in re.findall(r"\w+", body):
            names[name] = layer
    for path, name in re.findall(r"^pub use ((?:\w+::)+)(\w+);", lib, flags=re.M):
        names[name] = path.split("::")[0]
    return {name: layer for name, layer in names.items() if layer not in ("crate", "")}


def edges_of(files, layers, reexports):
    """(source, target) -> the files that make the edge."""
    edges = {}
    for path in files:
        source = layer_of(path)
        if source in SKIP:
            continue
        text = strip_comments(open(path).read())
        targets = set()
        # `use crate::{a::X, Y}`: the first segment of each path in the group.
        for group in re.findall(r"crate::\{([^;]*)\}", text):
            for item in re.findall(r"(?:^|[{,])\s*(\w+)", group):
                targets.add(item)
        targets.update(re.findall(r"crate::(\w+)", text))
        for target in targets:
            layer = target if target in layers else reexports.get(target)
            if layer in layers and layer != source and layer not in SKIP:
                edges.setdefault((source, layer), set()).add(os.path.relpath(path, SRC))
    return edges


def main():
    files = []
    for root, _, names in os.walk(SRC):
        files += [os.path.join(root, n) for n in names if n.endswith(".rs")]
    layers = {layer_of(f) for f in files} - SKIP
    failed = False
    for layer in sorted(layers - set(LAYERS)):
        print(f"not in LAYERS: {layer}")
        failed = True
    for layer in [layer for layer in LAYERS if layer not in layers]:
        print(f"in LAYERS but not in {SRC}: {layer}")
        failed = True

    lib = strip_comments(open(os.path.join(SRC, "lib.rs")).read())
    edges = edges_of(files, layers, root_reexports(lib))
    graph = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    for layer in [layer for layer in LAYERS if layer in layers]:
        print(f"{layer:8} -> {' '.join(sorted(graph.get(layer, ()), key=LAYERS.index))}")

    rank = {layer: i for i, layer in enumerate(LAYERS)}
    for (source, target), paths in sorted(edges.items()):
        if source in rank and target in rank and rank[target] > rank[source]:
            print(f"upward: {source} -> {target} ({', '.join(sorted(paths))})")
            failed = True
    if not failed:
        print("every import points down; no cycle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
