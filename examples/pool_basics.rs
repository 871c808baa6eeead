//! A hand-built `Pool` (no `#[derive(Poolable)]`, only `#[derive(Reset)]`) of
//! request builders shared by four threads, then its stats.
//!
//! `cargo run --release --example pool_basics`

use std::thread;
use std::time::Instant;

use poolable::{Pool, PoolConfig, Reset};

#[derive(Default, Reset)]
struct Request {
    path: String,
    headers: Vec<String>,
    body: Vec<u8>,
    id: u64,
}

static REQUESTS: Pool<Request> =
    Pool::with_config(Request::default, PoolConfig::new("requests").max_idle(256).cache_size(32));

fn handle(id: u64) -> usize {
    let mut request = REQUESTS.get();
    request.id = id;
    request.path.push_str("/v1/namespaces/sales/tables/orders");
    request.headers.push(format!("x-request-id: {id}"));
    request.body.extend_from_slice(&[b'x'; 512]);
    request.path.len() + request.body.len()
}

fn main() {
    const THREADS: u64 = 4;
    const REQUESTS_PER_THREAD: u64 = 250_000;
    let start = Instant::now();
    let handled: usize = (0..THREADS)
        .map(|t| {
            thread::spawn(move || {
                (0..REQUESTS_PER_THREAD).map(|i| handle(t * REQUESTS_PER_THREAD + i)).sum::<usize>()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .sum();
    let elapsed = start.elapsed();
    let stats = REQUESTS.stats();
    let requests = THREADS * REQUESTS_PER_THREAD;
    println!(
        "pool {:?}: {requests} requests on {THREADS} threads in {elapsed:.2?} ({handled} bytes built)",
        REQUESTS.name()
    );
    println!(
        "  hits {}  misses {}  returns {}  discards {}  evictions {}",
        stats.hits, stats.misses, stats.returns, stats.discards, stats.evictions
    );
    println!(
        "  idle {}  in use {}  hit ratio {:.4}",
        stats.idle,
        stats.in_use,
        stats.hits as f64 / requests as f64
    );
}
