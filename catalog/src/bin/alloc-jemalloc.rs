//! `alloc-jemalloc`: the catalog workloads with `tikv_jemallocator::Jemalloc`
//! as the global allocator (see `catalog::matrix`; `scripts/allocator-report.py` runs it).

catalog::allocator_binary!("jemalloc", tikv_jemallocator::Jemalloc);
