//! Nested allocations at steady state: an order-list builder (50 orders × 3
//! line items, 2 tags, 3 metadata entries) built and serialised again and
//! again. With `Vec`/`HashMap`/`Option` fields a pooled builder keeps only
//! its outer buffers; with `RecycleVec`/`RecycleMap`/`RecycleOption` it keeps
//! everything, and a request allocates nothing. All three spellings write
//! the same JSON.
//!
//! Runs without libtest's harness (`harness = false`), so that no other
//! thread allocates while the process-wide count runs.

use std::sync::atomic::Ordering::Relaxed;

use poolable::Poolable;

use poolable_test_support::{fill, order_list};

use order_list::{PlainOrderList, RecycledOrderList, Source};

use poolable_test_support::counting as counting_alloc;

use counting_alloc::{CountingAlloc, ALLOCATIONS};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

fn unpooled(source: &Source) -> Vec<u8> {
    let mut list = PlainOrderList::default();
    fill!(&mut list, source);
    serde_json::to_vec(&list).unwrap()
}

fn derived_plain(source: &Source) -> usize {
    let mut list = PlainOrderList::pooled();
    fill!(&mut *list, source);
    poolable::json::to_vec(&*list).unwrap().len()
}

fn derived_recycling(source: &Source) -> usize {
    let mut list = RecycledOrderList::pooled();
    fill!(&mut *list, source);
    poolable::json::to_vec(&*list).unwrap().len()
}

/// Allocations per request over `requests` requests after a warm-up.
fn per_request(request: impl Fn(&Source) -> usize, sources: &[Source], requests: usize) -> f64 {
    for source in sources.iter().cycle().take(50) {
        request(source);
    }
    let before = ALLOCATIONS.load(Relaxed);
    for source in sources.iter().cycle().take(requests) {
        request(source);
    }
    (ALLOCATIONS.load(Relaxed) - before) as f64 / requests as f64
}

fn same_json_every_way(sources: &[Source]) {
    for round in 0..3 {
        for source in sources {
            // As `Value`s: a `HashMap` serialises in no fixed order.
            let expected: serde_json::Value = serde_json::from_slice(&unpooled(source)).unwrap();
            let mut plain = PlainOrderList::pooled();
            fill!(&mut *plain, source);
            let plain: serde_json::Value =
                serde_json::from_slice(&poolable::json::to_vec(&*plain).unwrap()).unwrap();
            let mut recycled = RecycledOrderList::pooled();
            fill!(&mut *recycled, source);
            let recycled: serde_json::Value =
                serde_json::from_slice(&poolable::json::to_vec(&*recycled).unwrap()).unwrap();
            assert_eq!(plain, expected, "round {round}: the plain pooled builder");
            assert_eq!(recycled, expected, "round {round}: the recycling builder");
            assert_eq!(expected["orders"].as_array().unwrap().len(), order_list::ORDERS);
        }
    }
}

fn main() {
    let sources: Vec<Source> = (0..4).map(Source::page).collect();
    same_json_every_way(&sources);

    let requests = 400;
    let unpooled = per_request(|source| unpooled(source).len(), &sources, requests);
    let plain = per_request(derived_plain, &sources, requests);
    let recycled = per_request(derived_recycling, &sources, requests);
    println!("allocations per request: unpooled {unpooled:.2}, derived with Vec/HashMap {plain:.2}, derived with RecycleVec/RecycleMap {recycled:.2}");

    assert!(unpooled > 800.0, "the workload allocates as a fresh builder does: {unpooled}");
    assert!(plain > 600.0, "plain collections drop their elements at every reset: {plain}");
    assert!(recycled <= 1.0, "recycling collections keep every element: {recycled} allocations per request");
    println!("nested_allocations: ok");
}
