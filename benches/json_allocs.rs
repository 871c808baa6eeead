//! Allocations per encode over the JSON corpus (`json_corpus/`), counted by
//! a counting global allocator, at steady state (after a warm-up that fills
//! the buffer classes): one JSON line per shape.
//!
//! `cargo bench --bench json_allocs`
//!
//! Exits 1 if a pooled encode of an output within the size cap allocates.

use std::process::ExitCode;
use std::sync::atomic::Ordering::Relaxed;

use poolable_test_support::counting as counting_alloc;
mod json_corpus;

use counting_alloc::{CountingAlloc, ALLOCATIONS, BYTES};
use json_corpus::{corpus, Encode, Shape};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

/// Allocations and bytes allocated per encode, after `warm_up` encodes.
fn per_encode(encode: impl Fn() -> usize) -> (f64, f64) {
    const WARM_UP: u64 = 200;
    const OPS: u64 = 2_000;
    for _ in 0..WARM_UP {
        encode();
    }
    let (allocations, bytes) = (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed));
    for _ in 0..OPS {
        std::hint::black_box(encode());
    }
    let per_op = |n: u64| n as f64 / OPS as f64;
    (per_op(ALLOCATIONS.load(Relaxed) - allocations), per_op(BYTES.load(Relaxed) - bytes))
}

fn main() -> ExitCode {
    let mut pooled_allocated = Vec::new();
    for Shape { name, value } in corpus() {
        let value: &dyn Encode = &*value;
        let len = value.fresh_vec();
        let (fresh, fresh_bytes) = per_encode(|| value.fresh_vec());
        let (pooled, pooled_bytes) = per_encode(|| value.pooled());
        println!(
            "{{\"shape\":\"{name}\",\"bytes\":{len},\"fresh_allocs\":{fresh},\"fresh_alloc_bytes\":{fresh_bytes},\
             \"pooled_allocs\":{pooled},\"pooled_alloc_bytes\":{pooled_bytes}}}"
        );
        if pooled > 0.0 && len <= poolable::PooledBuffer::MAX_POOLED_CAPACITY {
            pooled_allocated.push(name);
        }
    }
    if pooled_allocated.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("pooled encodes allocated at steady state: {pooled_allocated:?}");
        ExitCode::FAILURE
    }
}
