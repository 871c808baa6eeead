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

use criterion::{criterion_group, criterion_main, Criterion};
use poolable::Poolable;

use poolable_test_support::steady_state;
use poolable_test_support::{fill, order_list};

use order_list::{PlainOrderList, RecycledOrderList, Source};

use poolable_test_support::counting as counting_alloc;

use counting_alloc::CountingAlloc;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

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

/// Steady state, the median of interleaved rounds (see `steady_state`).
fn report(sources: &[Source]) {
    const ROUNDS: usize = 9;
    let requests = 1_000;
    let mut next = sources.iter().cycle();
    let figures = steady_state::median_rounds(&CONTENDERS, ROUNDS, requests, |(_, request)| {
        black_box(request(black_box(next.next().expect("cycles"))));
    });
    println!(
        "nested: order list of {} orders, {ROUNDS} interleaved rounds of {requests} requests, median round",
        order_list::ORDERS
    );
    println!("{:<18} {:>12} {:>14} {:>10}", "contender", "allocs/req", "bytes/req", "ns/req");
    let base = figures[0];
    for ((name, _), f) in CONTENDERS.iter().zip(figures) {
        println!(
            "{name:<18} {:>12.2} {:>14.0} {:>10.0}   ({:.3}x allocs, {:.2}x ns of unpooled)",
            f.allocations,
            f.bytes,
            f.ns,
            f.allocations / base.allocations,
            f.ns / base.ns
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
