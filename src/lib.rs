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
//! let body = poolable::json::to_vec(&*response)?; // into a pooled buffer
//! drop(response); // reset and back to the pool; a borrow of it cannot outlive this
//!
//! let again = TableResponse::pooled(); // the same object, as `Default` made it
//! assert!(again.metadata_location.is_empty() && again.schemas.is_empty());
//! assert!(again.schemas.capacity() >= 1, "its allocations are kept");
//! let stats = TableResponse::pool().stats(); // hits, misses, returns, discards, idle, in use
//! assert_eq!((stats.hits, stats.misses), (1, 1));
//! # drop(body);
//! # Ok::<(), serde_json::Error>(())
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
//! * `serde` (default): `Serialize` for [`PoolStats`], [`Discards`] and
//!   [`metrics::PoolSnapshot`].
//! * `json` (default, implies `serde`): `poolable::json`, serde_json
//!   encoding into pooled buffers and decoding into pooled objects in place
//!   (it turns on serde_derive's `deserialize_in_place`, so that derived
//!   `Deserialize` types reuse their allocations).
//! * `bytes` (default): `PooledBuffer::into_bytes`, a pooled buffer as a
//!   `bytes::Bytes` without a copy (an HTTP body).
//! * `axum` (implies `json` and `bytes`): [`axum::PooledJson`], where a
//!   handler wrote `axum::Json<T>`: the request decoded in place into a
//!   pooled object, the answer encoded into a pooled buffer; on axum-core
//!   0.5, so axum 0.8 users build no second axum.
//!
//! Without them everything else builds, and pools count all the same.
//! docs.rs builds with every feature; items behind one say which.
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
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use pool_derive::{Poolable, Reset};
pub use pool_runtime::*;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(all(doctest, feature = "prometheus", feature = "json", feature = "bytes", feature = "axum"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
