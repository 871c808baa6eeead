//! `alloc-mimalloc`: the catalog workloads with `mimalloc::MiMalloc` as the
//! global allocator (see `catalog::matrix`; `scripts/allocator-report.py` runs it).

catalog::allocator_binary!("mimalloc", mimalloc::MiMalloc);
