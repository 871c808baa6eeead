//! Every example in the docs is written as a user of `poolable` writes it.
//!
//! The doctests compile each example, but a doctest can also name the
//! package's own dependencies (`pool_runtime`, `pool_derive`), which a
//! crate that depends on `poolable` alone cannot: such an example would
//! pass here and fail with E0432 for a user. This test reads every doc
//! comment and every Rust block of the README and rejects those names.

use std::fs;
use std::path::{Path, PathBuf};

const FORBIDDEN: [&str; 4] = ["pool_runtime::", "pool_derive::", "use pool_runtime", "use pool_derive"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn doc_examples_name_only_poolable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "pool-runtime/src", "pool-derive/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut offending = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let doc = line.trim_start();
            if (doc.starts_with("//!") || doc.starts_with("///"))
                && FORBIDDEN.iter().any(|name| doc.contains(name))
            {
                offending.push(format!("{}:{}: {}", file.display(), n + 1, doc));
            }
        }
    }
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let mut in_rust = false;
    for (n, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_rust = line.trim() == "```rust";
            continue;
        }
        if in_rust && FORBIDDEN.iter().any(|name| line.contains(name)) {
            offending.push(format!("README.md:{}: {}", n + 1, line));
        }
    }
    assert!(files.len() > 30, "read the sources: {}", files.len());
    assert!(
        offending.is_empty(),
        "examples that a user of `poolable` cannot compile:\n{}",
        offending.join("\n")
    );
}
