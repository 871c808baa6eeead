//! Two pools at work on four threads, then their Prometheus text exposition.
//!
//! `cargo run --release --example metrics`

use std::thread;

use poolable::metrics::prometheus::{Encoder, Registry, TextEncoder};
use poolable::{metrics, Pool, PoolConfig, Reset};

#[derive(Default)]
struct TableResponse {
    metadata_location: String,
    schemas: Vec<String>,
    current_snapshot: Option<u64>,
}

impl Reset for TableResponse {
    fn reset(&mut self) {
        self.metadata_location.reset();
        self.schemas.reset();
        self.current_snapshot.reset();
    }
    fn retained_bytes(&self) -> usize {
        self.metadata_location.retained_bytes() + self.schemas.retained_bytes()
    }
}

static RESPONSES: Pool<TableResponse> =
    Pool::with_config(TableResponse::default, PoolConfig::new("table_response").max_idle(512));

static BODIES: Pool<Vec<u8>> =
    Pool::with_config(Vec::new, PoolConfig::new("request_body").max_idle(64).max_retained_bytes(64 * 1024));

fn handle(id: u64) -> usize {
    let mut body = BODIES.get();
    // One request in a thousand has a 1 MiB body: not kept (an `oversized` discard).
    let size = if id % 1000 == 0 { 1 << 20 } else { 512 };
    body.resize(size, b'x');

    let mut response = RESPONSES.get();
    response.metadata_location.push_str("s3://warehouse/sales/orders/metadata/00042.json");
    response.schemas.push(format!("schema-{}", id % 3));
    response.current_snapshot = Some(id);
    response.metadata_location.len() + body.len()
}

fn main() {
    let registry = Registry::new();
    metrics::register(&registry).expect("registered once");

    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 250_000;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| thread::spawn(move || (0..PER_THREAD).map(|i| handle(t * PER_THREAD + i)).sum::<usize>()))
        .collect();
    let bytes: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    // A timer would call this every 30 s; twice in a row drops what was not taken between.
    BODIES.trim();
    BODIES.trim();

    let mut text = Vec::new();
    TextEncoder::new().encode(&registry.gather(), &mut text).expect("text exposition");
    eprintln!("# {} requests on {THREADS} threads, {bytes} bytes built", THREADS * PER_THREAD);
    print!("{}", String::from_utf8(text).expect("UTF-8"));
}
