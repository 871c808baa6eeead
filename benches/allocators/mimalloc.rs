//! `alloc-mimalloc`: the catalog workloads with `mimalloc::MiMalloc` as the global
//! allocator (see `harness.rs`; `scripts/allocator-report.py` runs it).

#[allow(dead_code)] // the parts of the examples these workloads do not use
#[path = "../../examples/catalog_app/mod.rs"]
mod catalog_app;
#[path = "../../examples/catalog_model/mod.rs"]
mod catalog_model;
mod harness;
#[allow(dead_code)]
#[path = "../../examples/server_app/mod.rs"]
mod server_app;

#[global_allocator]
static GLOBAL: harness::Counted<mimalloc::MiMalloc> = harness::Counted(mimalloc::MiMalloc);

fn main() -> std::process::ExitCode {
    harness::main("mimalloc")
}
