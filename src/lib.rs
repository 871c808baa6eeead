//! Safe, automatic, observable object pooling.
//!
//! `poolable` re-exports the runtime ([`Reset`], [`Pool`], [`Pooled`],
//! [`PoolStats`], [`metrics`]); see the README for the full picture.
//!
//! # Features
//!
//! * `prometheus` (default): [`metrics::register`], a Prometheus collector
//!   reading every pool's counters at scrape time.
//! * `serde` (default): `Serialize` for [`PoolStats`], [`Discards`] and
//!   [`metrics::PoolSnapshot`].
//! * `json` (default, implies `serde`): `poolable::json`, serde_json
//!   encoding into pooled buffers.
//! * `bytes` (default): `PooledBuffer::into_bytes`, a pooled buffer as a
//!   `bytes::Bytes` without a copy (an HTTP body).
//!
//! Without them everything else builds, and pools count all the same.
//!
//! ```
//! use poolable::{Pool, PoolConfig};
//!
//! static BUFFERS: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("buffers"));
//!
//! let mut buffer = BUFFERS.get();
//! buffer.extend_from_slice(b"hello");
//! drop(buffer);
//! assert_eq!(BUFFERS.get().len(), 0);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use pool_derive::{Poolable, Reset};
pub use pool_runtime::*;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(all(doctest, feature = "prometheus", feature = "json", feature = "bytes"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
