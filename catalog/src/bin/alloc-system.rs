//! `alloc-system`: the catalog workloads with `std::alloc::System` as the
//! global allocator (see `catalog::matrix`; `scripts/allocator-report.py` runs it).

catalog::allocator_binary!("system", std::alloc::System);
