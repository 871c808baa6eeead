#!/usr/bin/env python3
"""Which module of pool-runtime imports which, and the cycles among them.

    scripts/module-graph.py [SRC_DIR]        (default pool-runtime/src)

An edge A -> B means that a file of module A names an item of module B
through `crate::` (in a `use` or a path), or through a name the crate root
re-exports (`crate::Pool` is module `pool`). Submodules count as their
top-level module (`recycle/map.rs` is `recycle`), and a module's references
to its own items are not edges. Test-only modules (`loom_tests`) are left
out. Exits 1 if the graph has a cycle, printing each one.
"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "pool-runtime/src"
SKIP = {"loom_tests"}


def module_of(path):
    rel = os.path.relpath(path, SRC)
    top = rel.split(os.sep)[0]
    return top[:-3] if top.endswith(".rs") else top


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def root_reexports(lib):
    """Name -> module for `pub use module::{A, B}` / `pub use module::A` at the root."""
    names = {}
    for module, body in re.findall(r"pub use (\w+)::\{([^}]*)\}", lib):
        for name in re.findall(r"\w+", body):
            names[name] = module
    for module, name in re.findall(r"pub use (\w+)::(\w+);", lib):
        names[name] = module
    return names


def main():
    files = []
    for root, _, names in os.walk(SRC):
        files += [os.path.join(root, n) for n in names if n.endswith(".rs")]
    lib = strip_comments(open(os.path.join(SRC, "lib.rs")).read())
    modules = {module_of(f) for f in files} - {"lib"}
    reexports = root_reexports(lib)
    edges = {}
    for path in files:
        source = module_of(path)
        if source in SKIP or source == "lib":
            continue
        text = strip_comments(open(path).read())
        # Expand `use crate::{a::X, Y}` groups into paths.
        targets = set()
        for group in re.findall(r"crate::\{([^;]*)\}", text):
            for item in re.findall(r"(\w+)(?:::|\s*[,}]|\s*$)", group):
                targets.add(item)
        targets.update(re.findall(r"crate::(\w+)", text))
        for target in targets:
            module = target if target in modules else reexports.get(target)
            if module in modules and module != source and module not in SKIP:
                edges.setdefault(source, set()).add(module)
    for source in sorted(modules - SKIP):
        print(f"{source:16} -> {' '.join(sorted(edges.get(source, ())))}")
    cycles = find_cycles(edges)
    for cycle in cycles:
        print("cycle:", " -> ".join(cycle + [cycle[0]]))
    if not cycles:
        print("no cycle")
    return 1 if cycles else 0


def find_cycles(edges):
    """Every elementary cycle, each once, starting at its smallest module."""
    cycles = []

    def walk(start, node, path, seen):
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                cycles.append(list(path))
            elif nxt > start and nxt not in seen:
                walk(start, nxt, path + [nxt], seen | {nxt})

    for start in sorted(edges):
        walk(start, start, [start], {start})
    return cycles


if __name__ == "__main__":
    sys.exit(main())
