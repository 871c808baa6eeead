//! A simulated Apache Iceberg REST catalog answering `LoadTable` requests on
//! several threads, twice: with fresh builders and `serde_json::to_vec`, then
//! with `#[derive(Poolable)]` builders and pooled JSON buffers. Prints
//! requests/s, ns, allocations and bytes allocated per request side by side,
//! then a line per pool (with `--exposition`, the whole Prometheus exposition).
//!
//! `cargo run --release --example catalog [-- --threads 4 --requests 200000 --columns 120 --exposition]`

#[path = "catalog_app/mod.rs"]
mod catalog_app;
#[path = "catalog_model/mod.rs"]
mod catalog_model;

use clap::Parser;

use catalog_app::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() -> std::io::Result<()> {
    let args = catalog_app::Args::parse();
    catalog_app::run(&args, &mut std::io::stdout().lock())?;
    Ok(())
}
