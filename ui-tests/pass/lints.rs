//! The derive fires no lint, even under the strictest settings (also built
//! by `cargo clippy --all-targets` as the `derive_lints` test).
#![deny(warnings, unused_qualifications, clippy::pedantic)]
#![deny(missing_docs, unreachable_pub, unused_results)]

use poolable::{Poolable, Reset};

/// A nested type.
#[derive(Reset, Default, Debug)]
pub struct Headers {
    names: Vec<String>,
}

fn reset_limit(limit: &mut u32) {
    *limit = 10;
}

/// A pooled type with every attribute.
#[derive(Poolable, Debug)]
#[pool(name = "linted", max_idle = 64, max_retained_bytes = 4096)]
pub struct Linted {
    path: String,
    headers: Headers,
    #[pool(skip)]
    region: &'static str,
    #[pool(default)]
    retries: u8,
    #[pool(reset = reset_limit)]
    limit: u32,
}

impl Default for Linted {
    fn default() -> Self {
        Linted { path: String::new(), headers: Headers::default(), region: "", retries: 0, limit: 10 }
    }
}

/// A tuple struct built by `new`.
#[derive(Poolable)]
#[pool(new = Self::new)]
pub struct Built(Vec<u8>);

impl Built {
    fn new() -> Self {
        Built(Vec::with_capacity(8))
    }
}

fn main() {
    let mut linted = Linted::pooled();
    linted.path.push('/');
    linted.headers.names.push(String::new());
    linted.region = "eu";
    linted.retries = 1;
    linted.limit = 1;
    drop(linted);
    let linted = Linted::pooled();
    assert!(linted.path.is_empty() && linted.headers.names.is_empty());
    assert_eq!((linted.region, linted.retries, linted.limit), ("eu", 0, 10));
    assert_eq!(Built::pooled().0.capacity(), 8);
}
