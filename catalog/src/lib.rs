//! The showcase of `poolable`: an Apache Iceberg REST catalog answering
//! from pooled builders and pooled buffers, kept in memory or in a store
//! (SQLite, PostgreSQL) with its metadata files in a warehouse.
//!
//! * [`model`]: the catalog, its tables, and the pooled builders it answers
//!   with and decodes requests into;
//! * [`side_by_side`]: the `catalog` binary's run, the same requests answered
//!   with fresh builders and then with pooled ones;
//! * [`service`]: the REST service of the `server` binary (axum on hyper);
//! * [`store`]: where the service keeps the catalog (SQLite or PostgreSQL);
//! * [`files`]: the tables' metadata files;
//! * [`matrix`]: the workloads of the `alloc-*` binaries, the allocator
//!   matrix that `scripts/allocator-report.py` runs;
//! * [`process`]: what `/proc` says about a process, for the matrix and
//!   `loadgen`.
//!
//! See `catalog/README.md`.

pub mod files;
pub mod matrix;
pub mod model;
pub mod process;
pub mod service;
pub mod side_by_side;
pub mod store;

#[doc(hidden)]
pub use poolable_test_support::CountingAlloc as __CountingAlloc;

/// The whole of an `alloc-*` binary: `allocator` (a unit struct that
/// implements `GlobalAlloc`), counting, as the global allocator, and
/// [`matrix::main`] under `name`.
///
/// ```ignore
/// catalog::allocator_binary!("jemalloc", tikv_jemallocator::Jemalloc);
/// ```
#[macro_export]
macro_rules! allocator_binary {
    ($name:literal, $allocator:path) => {
        #[global_allocator]
        static GLOBAL: $crate::__CountingAlloc<$allocator> = $crate::__CountingAlloc($allocator);

        fn main() -> ::std::process::ExitCode {
            $crate::matrix::main($name)
        }
    };
}
