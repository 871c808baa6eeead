//! Pooled JSON in axum handlers (feature `axum`): [`PooledJson<T>`] where
//! a handler wrote `axum::Json<T>`.
//!
//! As an extractor, `PooledJson<T>` reads the request body and decodes it
//! in place into an object of `T`'s pool ([`json::from_slice`](crate::json::from_slice)):
//! the strings and vectors the previous request left are written over, so a
//! request of a familiar shape allocates nothing. As a response, it encodes
//! the object into a pooled buffer ([`json::to_vec`](crate::json::to_vec))
//! that becomes the body without a copy and goes back to its pool when the
//! server has written it.
//!
//! ```
//! use axum::routing::post;
//! use axum::Router;
//! use poolable::axum::PooledJson;
//! use poolable::{Poolable, RecycleMap, RecycleVec};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Poolable, Default, Deserialize)]
//! struct CommitTableRequest {
//!     identifier: RecycleVec<String>,
//!     #[serde(default)]
//!     updates: RecycleMap<String>,
//! }
//!
//! #[derive(Poolable, Default, Serialize)]
//! #[serde(rename_all = "kebab-case")]
//! struct CommitTableResponse {
//!     metadata_location: String,
//!     properties: RecycleMap<String>,
//! }
//!
//! async fn commit(PooledJson(request): PooledJson<CommitTableRequest>) -> PooledJson<CommitTableResponse> {
//!     let mut answer = CommitTableResponse::pooled();
//!     answer.metadata_location.push_str("s3://warehouse/");
//!     answer.metadata_location.push_str(&request.identifier.join("/"));
//!     for (key, value) in request.updates.iter() {
//!         answer.properties.entry(key).push_str(value);
//!     }
//!     PooledJson(answer)
//! }
//!
//! let app: Router = Router::new().route("/v1/commit", post(commit));
//! # let _ = app;
//! ```
//!
//! # As `axum::Json`
//!
//! A request gets the answers `axum::Json<T>` gives it, through the same
//! tests ([`JsonRejection`] has the statuses and texts):
//!
//! * `Content-Type` must be `application/json` or `application/*+json`,
//!   parameters such as `charset` allowed; otherwise 415.
//! * The body is read under the request's `DefaultBodyLimit`: 2 MiB, or
//!   what `DefaultBodyLimit::max(n)` or `disable()` on the router says.
//!   Over it: 413, before a byte is read when the body's `Content-Length`
//!   says so.
//! * Not JSON (a syntax error, input that ends early, anything after the
//!   value): 400. JSON of the wrong shape (a missing field, a wrong type):
//!   422. A body that breaks off: 400.
//! * The object comes out as `serde_json::from_slice` would make it: a field
//!   the request leaves out gets its serde default, never the previous
//!   request's value (see [`json`](crate::json#semantics)).
//! * A rejected request leaves nothing in use: the half-written object goes
//!   back to its pool, reset.
//!
//! A body that arrives in one frame (a `Content-Length` body that came with
//! its headers, as most requests do) is decoded where it lies; one of
//! several frames (chunked, or larger than a read) is gathered into a
//! pooled buffer, taken for its `Content-Length` up to 64 KiB and grown as
//! the body arrives.
//!
//! # When to prefer it
//!
//! For request and response types a service decodes and encodes on every
//! call, whose fields own heap (strings, vectors, maps). For a type of a few
//! integers, or an endpoint called rarely, `axum::Json` costs as little.
//! A `PooledJson<T>` needs `T: Poolable` (`#[derive(Poolable, Default)]`)
//! and `Deserialize` (extractor) or `Serialize` (response); it derefs to
//! `T` and holds the [`Pooled<T>`] guard in its field.
//!
//! The gain, in allocations per request and in time against `axum::Json`
//! in and out, is measured in the repository's BENCHMARKS.md.
//!
//! # Other content types
//!
//! A [`PooledBuffer`](crate::PooledBuffer) a handler filled itself (a
//! metrics text, a CSV) is a response too, and an axum `Body`, without a
//! copy: see `impl IntoResponse for PooledBuffer`.

mod extract;
mod rejection;
mod respond;

use std::ops::{Deref, DerefMut};

use crate::{Pooled, Reset};

pub use rejection::{JsonRejection, JsonRejectionKind, MAX_EXCERPT};

/// JSON in and out of axum handlers on pooled objects: an extractor (for
/// `T: Poolable + DeserializeOwned`) and a response (for `T: Serialize`).
/// See [the module](self).
#[must_use]
pub struct PooledJson<T: Reset + Send + 'static>(pub Pooled<T>);

impl<T: Reset + Send + 'static> Deref for PooledJson<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Reset + Send + 'static> DerefMut for PooledJson<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Reset + Send + 'static> From<Pooled<T>> for PooledJson<T> {
    fn from(object: Pooled<T>) -> Self {
        PooledJson(object)
    }
}

impl<T: Reset + Send + std::fmt::Debug + 'static> std::fmt::Debug for PooledJson<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PooledJson").field(&*self.0).finish()
    }
}
