//! Peer comparison (issue 6): heap allocations per cycle at steady state.
//!
//! `cargo bench --bench peers_allocs` (a few seconds). A counting global
//! allocator counts the allocations (and reallocations) made by worker
//! threads while they run a measured batch (`peers_common::MEASURED_ALLOCATIONS`), so
//! neither the harness nor the channels that hand out work are counted. Each
//! contender and scenario warms up, then runs `PEERS_ALLOC_ITERS` iterations
//! (default 20000); the result is allocations per object taken. Output:
//! `target/peers/allocs.json` (or `PEERS_OUT`).
//!
//! A pool's population grows until it covers the largest number of objects
//! ever out at once. With per-thread caches that peak (objects in flight plus
//! what the returning thread's cache holds before it spills) is reached only
//! when the scheduler happens to produce it: for poolable in producer/consumer
//! the bound is exact, 64 objects in flight and a full consumer cache of 32,
//! so the pool stops missing at 96 objects (`Pool::stats().misses`), but the
//! last few of them could take hundreds of batches to come. So every
//! contender is first populated alike, the way a service warms its pools at
//! start-up: [`POPULATION`] objects taken at once on a short-lived thread and
//! returned. Then warm-up runs batches until [`QUIET`] in a row allocate
//! nothing (at most [`MAX_WARM_UP`]; a contender that allocates on every
//! cycle stops at once); the `warm_up` field of the output says how many
//! batches that took.

use std::env;
use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use poolable_test_support::counting::{self, CountingAlloc, Counts};

mod peers_common;
use peers_common::{workloads, Scenario, MEASURED_ALLOCATIONS as ALLOCATIONS};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

/// Objects every contender is populated with before the warm-up: twice the
/// objects in flight, more than poolable's peak of 96 (64 in flight and a
/// returning thread's full cache).
const POPULATION: usize = 2 * peers_common::IN_FLIGHT;

/// Batches in a row without an allocation that end the warm-up.
const QUIET: u32 = 8;
/// The most warm-up batches before measuring anyway.
const MAX_WARM_UP: u32 = 400;

fn main() {
    // Each worker counts its own; nothing else is read.
    counting::count(Counts::PerThread);
    let iters: u64 = env::var("PEERS_ALLOC_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    // The workspace's target directory: a bench runs in its package's own
    // directory (`benches/`).
    let out = env::var("PEERS_OUT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/peers/allocs.json").into());
    let mut json = format!("{{\"iters\":{iters},\"results\":[");
    let mut first = true;
    for (workload, contenders) in workloads() {
        for scenario in Scenario::ALL {
            for contender in &contenders {
                let Some(runner) = (contender.runner)(scenario) else { continue };
                (contender.populate)(POPULATION);
                // Warm-up: objects, caches and slabs reach their steady size.
                let mut warm_up = 0;
                let mut quiet = 0;
                while quiet < QUIET && warm_up < MAX_WARM_UP {
                    let before = ALLOCATIONS.load(Relaxed);
                    runner.run(iters);
                    let allocated = ALLOCATIONS.load(Relaxed) - before;
                    quiet = if allocated == 0 { quiet + 1 } else { 0 };
                    warm_up += 1;
                    if allocated >= iters * scenario.objects_all_threads() {
                        break; // allocates on every cycle: nothing to wait for
                    }
                }
                let before = ALLOCATIONS.load(Relaxed);
                runner.run(iters);
                let allocations = ALLOCATIONS.load(Relaxed) - before;
                let per_object = allocations as f64 / (iters * scenario.objects_all_threads()) as f64;
                if !first {
                    json.push(',');
                }
                first = false;
                write!(
                    json,
                    "{{\"workload\":\"{workload}\",\"scenario\":\"{}\",\"contender\":\"{}\",\"allocations\":{allocations},\"per_object\":{per_object:.4},\"warm_up\":{warm_up}}}",
                    scenario.name(),
                    contender.name
                )
                .unwrap();
                eprintln!(
                    "{workload:<10} {:<18} {:<22} {per_object:.4} allocations/object",
                    scenario.name(),
                    contender.name
                );
            }
        }
    }
    json.push_str("]}\n");
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("output directory");
    }
    std::fs::write(&out, json).expect("write results");
    eprintln!("wrote {out}");
}
