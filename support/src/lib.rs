//! What the tests, benchmarks and the catalog of `poolable` share: one
//! counting global allocator, a Prometheus exposition parser, the
//! steady-state measurement, and two request shapes (an Iceberg commit, an
//! order list). Not published: it is the repository's, not a user's.

pub mod commit_shape;
pub mod counting;
pub mod exposition;
pub mod order_list;
pub mod steady_state;

pub use counting::CountingAlloc;
