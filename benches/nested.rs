//! Nested allocations: an order-list response (50 orders × 3 line items,
//! 2 tags, 3 metadata entries, a next-page token) built and serialised to
//! JSON, three ways:
//!
//! * `unpooled`: a fresh `PlainOrderList::default()`, `serde_json::to_vec`;
//! * `derived_plain`: `PlainOrderList::pooled()` (`Vec`, `HashMap`,
//!   `Option` fields), `poolable::json::to_vec`;
//! * `derived_recycling`: `RecycledOrderList::pooled()` (`RecycleVec`,
//!   `RecycleMap`, `RecycleOption`), `poolable::json::to_vec`.
//!
//! `cargo bench --bench nested`
//!
//! Before criterion's timings it prints, for each, allocations, bytes
//! allocated and ns per request at steady state (interleaved rounds, the
//! median one), counted by the global allocator below, and the ratios to
//! `unpooled`.

use std::hint::black_box;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use poolable::Poolable;

#[macro_use]
#[path = "order_list/mod.rs"]
mod order_list;

use order_list::{PlainOrderList, RecycledOrderList, Source};

#[path = "../tests/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{Counting, ALLOCATIONS, BYTES};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One request: build the response for `source`, serialise it, hand the
/// bytes on (here: their length), drop everything.
type Request = fn(&Source) -> usize;

fn unpooled(source: &Source) -> usize {
    let mut list = PlainOrderList::default();
    fill!(&mut list, source);
    serde_json::to_vec(&list).expect("serialises").len()
}

fn derived_plain(source: &Source) -> usize {
    let mut list = PlainOrderList::pooled();
    fill!(&mut *list, source);
    poolable::json::to_vec(&*list).expect("serialises").len()
}

fn derived_recycling(source: &Source) -> usize {
    let mut list = RecycledOrderList::pooled();
    fill!(&mut *list, source);
    poolable::json::to_vec(&*list).expect("serialises").len()
}

const CONTENDERS: [(&str, Request); 3] =
    [("unpooled", unpooled), ("derived_plain", derived_plain), ("derived_recycling", derived_recycling)];

/// Allocations, bytes and ns per request over `requests` requests.
fn measure(request: Request, sources: &[Source], requests: usize) -> (f64, f64, f64) {
    let (allocations, bytes) = (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed));
    let start = Instant::now();
    for source in sources.iter().cycle().take(requests) {
        black_box(request(black_box(source)));
    }
    let ns = start.elapsed().as_nanos() as f64 / requests as f64;
    let n = requests as f64;
    ((ALLOCATIONS.load(Relaxed) - allocations) as f64 / n, (BYTES.load(Relaxed) - bytes) as f64 / n, ns)
}

/// Steady state: a warm-up that fills the pools and the buffer classes,
/// then rounds that interleave the contenders (the machine is noisy, and a
/// contender run in one block can land in a slow stretch); the median round
/// of each.
fn report(sources: &[Source]) {
    const ROUNDS: usize = 9;
    let requests = 1_000;
    for (_, request) in CONTENDERS {
        measure(request, sources, 200);
    }
    let mut rounds: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); CONTENDERS.len()];
    for _ in 0..ROUNDS {
        for (i, (_, request)) in CONTENDERS.iter().enumerate() {
            rounds[i].push(measure(*request, sources, requests));
        }
    }
    println!(
        "nested: order list of {} orders, {ROUNDS} interleaved rounds of {requests} requests, median round",
        order_list::ORDERS
    );
    println!("{:<18} {:>12} {:>14} {:>10}", "contender", "allocs/req", "bytes/req", "ns/req");
    let mut base = None;
    for ((name, _), mut runs) in CONTENDERS.into_iter().zip(rounds) {
        runs.sort_by(|a, b| a.2.total_cmp(&b.2));
        let (allocs, bytes, ns) = runs[ROUNDS / 2];
        let (base_allocs, base_ns) = *base.get_or_insert((allocs, ns));
        println!(
            "{name:<18} {allocs:>12.2} {bytes:>14.0} {ns:>10.0}   ({:.3}x allocs, {:.2}x ns of unpooled)",
            allocs / base_allocs,
            ns / base_ns
        );
    }
}

fn bench(c: &mut Criterion) {
    let sources: Vec<Source> = (0..4).map(Source::page).collect();
    report(&sources);
    let mut group = c.benchmark_group("nested");
    for (name, request) in CONTENDERS {
        let mut next = sources.iter().cycle();
        group.bench_function(name, |b| b.iter(|| request(black_box(next.next().expect("cycles")))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
