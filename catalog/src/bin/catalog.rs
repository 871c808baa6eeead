//! A simulated Apache Iceberg REST catalog answering `LoadTable` requests on
//! several threads, twice: with fresh builders and `serde_json::to_vec`, then
//! with `#[derive(Poolable)]` builders and pooled JSON buffers. Prints
//! requests/s, ns, allocations and bytes allocated per request side by side,
//! then a line per pool (with `--exposition`, the whole Prometheus exposition).
//!
//! `cargo run --release --bin catalog [-- --threads 4 --requests 200000 --columns 120 --exposition]`
//! (from the repository root or `catalog/`)

use catalog::side_by_side;
use clap::Parser;
use poolable_test_support::CountingAlloc;

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc(std::alloc::System);

fn main() -> std::io::Result<()> {
    let args = side_by_side::Args::parse();
    side_by_side::run(&args, &mut std::io::stdout().lock())?;
    Ok(())
}
