//! The runtime of [poolable](https://docs.rs/poolable): the [`Reset`] trait,
//! [`Pool<T>`], its [`Pooled<T>`] guards, and their statistics.
//!
//! Most users add the `poolable` crate and `#[derive(Poolable)]`; this crate is
//! what the derive builds on, and it is usable on its own:
//!
//! ```
//! use poolable::{Pool, PoolConfig, Reset};
//!
//! #[derive(Default)]
//! struct Response { body: Vec<u8>, status: u16 }
//!
//! impl Reset for Response {
//!     fn reset(&mut self) { self.body.reset(); self.status.reset(); }
//!     fn retained_bytes(&self) -> usize { self.body.retained_bytes() }
//! }
//!
//! static RESPONSES: Pool<Response> =
//!     Pool::with_config(|| Response::default(), PoolConfig::new("responses").max_idle(256));
//!
//! let mut response = RESPONSES.get();
//! response.body.extend_from_slice(b"{\"ok\":true}");
//! response.status = 200;
//! drop(response); // reset and kept
//! assert_eq!(RESPONSES.stats().idle, 1);
//! ```
//!
//! # Byte buffers and JSON
//!
//! [`buffer()`] and [`buffer_with_capacity`] hand out [`PooledBuffer`]s from
//! power-of-two size classes (4 KiB to the 64 KiB cap, one pool and one
//! metrics label each: `buffer_4k` … `buffer_64k`), kept or dropped on
//! return by Go's json v2 policy. With feature `json`, `json::to_vec`
//! encodes into one; with feature `bytes`, `PooledBuffer::into_bytes`
//! hands it on as `bytes::Bytes` without a copy.
//!
//! # Features
//!
//! * `serde`: `Serialize` for [`Pooled<T>`] (as the object) and [`PoolStats`].
//! * `json` (implies `serde`): the `json` module, `Reset` for
//!   `serde_json::Value` and `Map`.
//! * `bytes`: `PooledBuffer::into_bytes`, `Reset` for `bytes::BytesMut`.
//!
//! # Engine
//!
//! Each thread keeps a bounded cache per pool in front of a shared store; a
//! hit pops from that cache without a lock or an allocation, and objects move
//! between cache and store in batches. Counting is always on, per thread, and
//! summed when [`Pool::stats`] reads it; [`metrics`] reads every pool at
//! once, for Prometheus (feature `prometheus`) or as plain data. The crate has
//! no `unsafe` code.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(loom))]
mod buffer;
mod config;
mod derive_support;
mod fresh;
mod guard;
mod local;
pub mod metrics;
mod pool;
mod recycle;
mod registry;
mod reset;
mod reset_features;
mod stats;
mod store;
mod sync;

#[cfg(all(test, loom))]
mod loom_tests;

#[cfg(all(feature = "json", not(loom)))]
pub mod json;

#[cfg(not(loom))]
pub use buffer::{buffer, buffer_with_capacity, PooledBuffer};
pub use config::PoolConfig;
pub use guard::Pooled;
pub use pool::Pool;
pub use recycle::{RecycleMap, RecycleOption, RecycleVec};
pub use registry::{pools, PoolSnapshot};
pub use reset::Reset;
pub use stats::{Discards, PoolStats};

/// A type with a pool of its own: `T::pooled()` takes from it.
///
/// Implemented by `#[derive(Poolable)]`, which gives each type one static
/// pool, built on first use and configured by the `#[pool(...)]` attributes.
pub trait Poolable: Reset + Send + Sized + 'static {
    /// The type's pool.
    fn pool() -> &'static Pool<Self>;

    /// Takes an object from the type's pool.
    #[inline(always)]
    fn pooled() -> Pooled<Self> {
        Self::pool().get()
    }
}

/// What generated code names; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::derive_support::*;
    #[cfg(not(loom))]
    pub use crate::local::{ThreadSlot, TypedSlot};
    pub use crate::{Pool, PoolConfig, Poolable, Pooled, Reset};
    pub use ::core;
    pub use ::std::sync::OnceLock;
    pub use ::std::thread_local;
}
