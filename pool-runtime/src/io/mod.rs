//! Bytes in and out, built on pools: pooled byte buffers ([`buffer`](crate::buffer())),
//! a buffer handed on as `bytes::Bytes`, JSON encoded into buffers and
//! decoded into pooled objects ([`json`](crate::json)), and axum handlers on
//! both ([`axum`](crate::axum)).
//!
//! Left out under loom: the buffers are `static` pools, which loom's
//! primitives cannot be.

#[cfg(all(feature = "axum", not(loom)))]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(not(loom))]
pub(crate) mod buffer;
#[cfg(all(feature = "bytes", not(loom)))]
mod into_bytes;
#[cfg(all(feature = "json", not(loom)))]
pub mod json;
