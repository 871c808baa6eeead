//! Every example in the docs is written as a user of `poolable` writes it.
//!
//! The doctests compile each example, but a doctest can also name the
//! package's own dependencies (`pool_runtime`, `pool_derive`), which a
//! crate that depends on `poolable` alone cannot: such an example would
//! pass here and fail with E0432 for a user. This test reads the code of
//! every doc example and every Rust block of the README and rejects those
//! names (prose may name the crates). `scripts/readme-snippets.sh` builds
//! the README's snippets in a user's crate as well.

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

/// The lines of code inside fenced blocks, with their line numbers, of a
/// text whose lines `strip` turns into markdown (or `None` outside it).
fn code_lines(text: &str, strip: fn(&str) -> Option<&str>) -> Vec<(usize, &str)> {
    let mut code = Vec::new();
    let mut in_code = false;
    for (n, line) in text.lines().enumerate() {
        let Some(markdown) = strip(line) else {
            in_code = false;
            continue;
        };
        let fence = markdown.trim_start();
        if fence.starts_with("```") {
            // Rust unless the fence names another language (`text`, `sh`...).
            let info = fence.trim_start_matches('`').trim();
            in_code = !in_code && (info.is_empty() || info.starts_with("rust") || info == "ignore");
            continue;
        }
        if in_code {
            code.push((n + 1, markdown));
        }
    }
    code
}

/// The markdown of a doc comment line.
fn doc_comment(line: &str) -> Option<&str> {
    let line = line.trim_start();
    line.strip_prefix("//!").or_else(|| line.strip_prefix("///"))
}

#[test]
fn doc_examples_name_only_poolable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "pool-runtime/src", "pool-derive/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut offending = Vec::new();
    let mut examined = 0;
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in code_lines(&text, doc_comment) {
            examined += 1;
            if FORBIDDEN.iter().any(|name| line.contains(name)) {
                offending.push(format!("{}:{n}: {line}", file.display()));
            }
        }
    }
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    for (n, line) in code_lines(&readme, |line| Some(line)) {
        examined += 1;
        if FORBIDDEN.iter().any(|name| line.contains(name)) {
            offending.push(format!("README.md:{n}: {line}"));
        }
    }
    assert!(files.len() > 30 && examined > 500, "read the examples: {} files, {examined} lines", files.len());
    assert!(
        offending.is_empty(),
        "examples that a user of `poolable` cannot compile:\n{}",
        offending.join("\n")
    );
}
