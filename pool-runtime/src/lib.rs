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
//! * `axum` (implies `json` and `bytes`): the `axum` module, `PooledJson<T>`
//!   as an axum 0.8 extractor and response.
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

// The layers, from the bottom up; each imports only from the layers below
// it (`scripts/module-graph.py` checks it):
//
//   sync, config   std or loom (every loom shim); a pool's bounds
//   observe        counters, the registry of every pool, switches,
//                  diagnostics, the trimmer, metrics export
//   cache          where idle objects wait: thread caches, the shared store
//   reset          the `Reset` trait and what implements it
//   engine         `Pool<T>` and `Pooled<T>`: take and return
//   io             byte buffers, JSON, axum: built on pools
mod cache;
mod config;
mod engine;
mod io;
mod observe;
mod reset;
mod sync;

#[cfg(all(test, loom))]
mod loom_tests;

#[cfg(all(feature = "axum", not(loom)))]
pub use io::axum;
#[cfg(all(feature = "json", not(loom)))]
pub use io::json;
pub use observe::{diagnostics, metrics};

pub use config::PoolConfig;
pub use engine::guard::Pooled;
pub use engine::pool::Pool;
#[cfg(not(loom))]
pub use io::buffer::{buffer, buffer_with_capacity, PooledBuffer};
pub use observe::registry::{pools, PoolSnapshot};
pub use observe::stats::{Discards, PoolStats};
pub use observe::trimmer::{trim_every, TrimHandle};
pub use reset::recycle::{RecycleMap, RecycleOption, RecycleVec};
pub use reset::Reset;

/// A type with a pool of its own: `T::pooled()` takes from it.
///
/// Implemented by `#[derive(Poolable)]`, which gives each type one static
/// pool, built on first use and configured by the `#[pool(...)]` attributes;
/// a generic type gets one pool per instantiation (`Page<Table>` and
/// `Page<Schema>` share no objects, counts or metrics series), and an enum's
/// objects come back as its `Default`:
///
/// ```
/// use poolable::{Poolable, Reset};
///
/// #[derive(Reset, Default, Debug, PartialEq)]
/// enum Body {
///     #[default]
///     Empty,
///     Json(Vec<u8>),
///     Text(String),
/// }
///
/// #[derive(Poolable, Default)]
/// #[pool(name = "page")]
/// struct Page<T> {
///     items: Vec<T>,
///     next_page_token: Option<String>,
///     body: Body,
/// }
///
/// let mut page = Page::<String>::pooled();
/// page.items.push("orders".to_owned());
/// page.body = Body::Text("cached".to_owned());
/// drop(page);
/// let page = Page::<String>::pooled();
/// assert!(page.items.is_empty() && page.body == Body::Empty);
/// assert_eq!(Page::<String>::pool().name(), "page<String>");
/// ```
///
/// The take of a generic type finds its instantiation's pool and cache in
/// a thread-local of the type's definition, without a lock or an
/// allocation; it costs more instructions than a concrete type's (see the
/// derive's docs).
pub trait Poolable: Reset + Send + Sized + 'static {
    /// The type's pool.
    fn pool() -> &'static Pool<Self>;

    /// Takes an object from the type's pool (`#[track_caller]`, as
    /// [`Pool::get`]).
    #[inline(always)]
    #[track_caller]
    fn pooled() -> Pooled<Self> {
        Self::pool().get()
    }
}

/// What generated code names; not public API. Versioned, as thiserror's
/// is: code generated by one release of `pool-derive` names the module of
/// its own release, so a mismatch is a compile error rather than code built
/// against internals that changed (`poolable` also pins both crates with
/// `=` versions).
#[doc(hidden)]
pub mod __private01 {
    pub use crate::cache::local::{GenericSlot, ThreadSlot, TypedSlot};
    pub use crate::engine::generic::{generic_pool, Label};
    pub use crate::engine::pool::thread_slot;
    pub use crate::reset::derive_support::*;
    pub use crate::{Pool, PoolConfig, Poolable, Reset};
    pub use ::std::thread::LocalKey;
    pub use ::std::thread_local;
}
