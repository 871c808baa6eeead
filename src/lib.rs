//! Safe, automatic, observable object pooling: `#[derive(Poolable)]` on a
//! request or response builder gives it a field-wise reset, a static pool of
//! its own, and metrics labelled with the pool's name.
//!
//! ```
//! use poolable::Poolable;
//!
//! #[derive(Poolable, Default, serde::Serialize)]
//! #[pool(name = "table_response", max_idle = 512)] // both optional
//! struct TableResponse {
//!     metadata_location: String,      // cleared, its capacity kept
//!     schemas: Vec<String>,           // cleared, its buffer kept
//!     current_snapshot: Option<u64>,  // back to None
//!     #[pool(skip)]
//!     region: &'static str,           // left as it is between users
//! }
//!
//! let mut response = TableResponse::pooled(); // Pooled<TableResponse>: Deref + DerefMut
//! response.metadata_location.push_str("s3://warehouse/orders/metadata/00005.json");
//! response.schemas.push("struct<id: long>".to_owned());
//! drop(response); // reset and back to the pool; a borrow of it cannot outlive this
//!
//! let again = TableResponse::pooled(); // the same object, as `Default` made it
//! assert!(again.metadata_location.is_empty() && again.schemas.is_empty());
//! assert!(again.schemas.capacity() >= 1, "its allocations are kept");
//! let stats = TableResponse::pool().stats(); // hits, misses, returns, discards, idle, in use
//! assert_eq!((stats.hits, stats.misses), (1, 1));
//! ```
//!
//! * **What happens on drop**: the guard resets the object field by field
//!   ([`Reset`]) and keeps it in the calling thread's cache (a few dozen
//!   instructions, no lock, no allocation), or drops it if the pool is full
//!   or the object kept more than `max_retained_bytes` of heap. A guard may
//!   be dropped on any thread; a panic in a reset drops that object only.
//! * **The attributes** are documented on the derive: [`macro@Poolable`]
//!   (struct: `name`, `max_idle`, `max_retained_bytes`, `new`, `crate`;
//!   field: `skip`, `default`, `reset = path`). Mistakes are compile errors
//!   at the offending token, naming the fix.
//! * **Metrics** come from counters every pool keeps per thread, summed when
//!   read: [`Pool::stats`], [`metrics::snapshot`] for every pool, and
//!   [`metrics::register`] for a Prometheus registry (`pool_hits_total{pool="table_response"}` …).
//!
//! Then, by area:
//!
//! * [`Reset`]: what a reset must do, and how a pool makes a reused object
//!   equal a fresh one when the constructor is not all zeros.
//! * [`Pool`]: a pool without the derive, its bounds ([`PoolConfig`]) and its
//!   statistics ([`PoolStats`]); [`Pooled`], the guard.
//! * [`RecycleVec`], [`RecycleMap`], [`RecycleOption`]: collections whose
//!   elements survive a reset, for builders with nested allocations.
//! * [`buffer()`] and [`json`]: pooled byte buffers, JSON encoding into them
//!   and decoding requests into pooled objects.
//! * [`axum`]: `PooledJson<T>` in axum handlers (feature `axum`).
//! * [`metrics`]: snapshots and the Prometheus collector.
//!
//! # Features
//!
//! * `prometheus` (default): [`metrics::register`], a Prometheus collector
//!   reading every pool's counters at scrape time.
//! * `serde` (default): `Serialize` for [`Pooled<T>`](Pooled) (as `T`),
//!   [`PoolStats`], [`Discards`] and [`metrics::PoolSnapshot`].
//! * `json` (implies `serde`): [`json`], serde_json encoding into pooled
//!   buffers and decoding into pooled objects in place (it turns on
//!   serde_derive's `deserialize_in_place`, so that derived `Deserialize`
//!   types reuse their allocations).
//! * `bytes`: `PooledBuffer::into_bytes`, a pooled buffer as a
//!   `bytes::Bytes` without a copy (an HTTP body).
//! * `axum` (implies `json` and `bytes`): [`axum::PooledJson`], where a
//!   handler wrote `axum::Json<T>`: the request decoded in place into a
//!   pooled object, the answer encoded into a pooled buffer; on axum-core
//!   0.5, so axum 0.8 users build no second axum.
//! * `prometheus-client`, `metrics`, `opentelemetry`: the same series
//!   through each of those crates ([`metrics`]).
//!
//! Without them everything else builds, and pools count all the same.
//! docs.rs builds with every feature; items behind one say which.
//!
//! # A reused object equals a fresh one
//!
//! A `#[derive(Poolable)]` type comes back from its pool as its constructor
//! makes it, capacity aside, even when that is a hand-written `Default` with
//! `status: 200`: [`Reset`] states the rule and what it costs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use pool_derive::{Poolable, Reset};
pub use pool_runtime::*;

/// The README's examples and the guides', compiled and run as doctests so
/// they stay true.
#[cfg(all(doctest, feature = "prometheus", feature = "json", feature = "bytes", feature = "axum"))]
mod guides {
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/json-and-buffers.md")]
    struct JsonAndBuffers;
    #[cfg(all(feature = "prometheus-client", feature = "metrics", feature = "opentelemetry"))]
    #[doc = include_str!("../docs/metrics.md")]
    struct Metrics;
    #[doc = include_str!("../docs/operating.md")]
    struct Operating;
    #[doc = include_str!("../docs/how-it-works.md")]
    struct HowItWorks;
}
