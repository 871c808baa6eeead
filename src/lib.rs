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
//!   encoding into pooled buffers and decoding into pooled objects in place
//!   (it turns on serde_derive's `deserialize_in_place`, so that derived
//!   `Deserialize` types reuse their allocations).
//! * `bytes` (default): `PooledBuffer::into_bytes`, a pooled buffer as a
//!   `bytes::Bytes` without a copy (an HTTP body).
//!
//! Without them everything else builds, and pools count all the same.
//!
//! # A reused object equals a fresh one
//!
//! A `#[derive(Poolable)]` type comes back from its pool as its constructor
//! makes it, capacity aside, even when that is a hand-written `Default` with
//! `status: 200` (see [`Reset`] for how, and what it costs).
//!
//! # Decoding requests into pooled objects
//!
//! `poolable::json::from_slice::<T>(body)` takes an object from `T`'s pool
//! and deserialises the body into it in place: its strings are written into
//! their own buffers and its recycling collections' kept elements are
//! filled again. The result equals `serde_json::from_slice`'s; on an error
//! the half-written object goes back to its pool, reset.
//!
//! ```
//! use poolable::{Poolable, RecycleMap, RecycleVec};
//! use serde::Deserialize;
//!
//! #[derive(Poolable, Default, Deserialize)]
//! struct CreateNamespace {
//!     namespace: RecycleVec<String>,
//!     #[serde(default)]
//!     properties: RecycleMap<String>,
//! }
//!
//! let body = br#"{"namespace": ["sales", "eu"], "properties": {"owner": "payments"}}"#;
//! let request = poolable::json::from_slice::<CreateNamespace>(body)?;
//! assert_eq!(request.namespace[..], ["sales", "eu"]);
//! let kept = request.namespace[0].as_ptr();
//! drop(request); // reset, its strings kept, back to the pool
//!
//! let request = poolable::json::from_slice::<CreateNamespace>(br#"{"namespace": ["ops"]}"#)?;
//! assert_eq!(request.namespace[..], ["ops"]);
//! assert!(request.properties.is_empty(), "absent: its default, not the previous request's");
//! assert_eq!(request.namespace[0].as_ptr(), kept, "written into the kept string");
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Keeping nested allocations
//!
//! `Vec<T>::clear()` drops its elements, so a pooled builder with a
//! `Vec<Order>` frees every order's strings at each reset. [`RecycleVec`],
//! [`RecycleMap`] and [`RecycleOption`] keep their elements, reset, for the
//! next user:
//!
//! ```
//! use poolable::{Poolable, RecycleMap, RecycleOption, RecycleVec, Reset};
//!
//! #[derive(Poolable, Default)]
//! struct OrderList {
//!     orders: RecycleVec<Order>,              // not Vec<Order>
//!     next_page_token: RecycleOption<String>, // not Option<String>
//! }
//!
//! #[derive(Reset, Default)]
//! struct Order {
//!     customer: String,
//!     metadata: RecycleMap<String>,           // not HashMap<String, String>
//! }
//!
//! let mut list = OrderList::pooled();
//! let order = list.orders.add();
//! order.customer.push_str("ada@example.com");
//! order.metadata.entry("channel").push_str("web");
//! let customer = order.customer.as_ptr();
//! drop(list);
//!
//! let mut list = OrderList::pooled();         // the same object
//! assert!(list.orders.is_empty() && list.next_page_token.is_none());
//! let order = list.orders.add();              // the kept order, reset, its string allocated
//! assert!(order.customer.is_empty() && order.metadata.is_empty());
//! assert_eq!(order.customer.as_ptr(), customer);
//! ```
//!
//! On an order list of 50 orders (3 line items, 2 tags, 3 metadata entries
//! each), the natural struct allocates 801 times per request even pooled,
//! the recycling one 0 times (`tests/nested_allocations.rs`,
//! `cargo bench --bench nested`; the README has the table).
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
