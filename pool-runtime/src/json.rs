//! JSON straight into pooled buffers (feature `json`).
//!
//! `serde_json::to_vec` starts from a 128-byte `Vec` and doubles it: about six
//! allocations for a 3 KiB response, ten for 50 KiB, all freed once the bytes
//! are sent. [`to_vec`] writes into a [`PooledBuffer`] instead: at steady
//! state no allocation at all. Hand it on as it is (as `bytes::Bytes` with
//! feature `bytes`) and it goes back to its pool when dropped.
//!
//! ```
//! use serde::Serialize;
//!
//! #[derive(Serialize)]
//! struct Table<'a> { name: &'a str, columns: Vec<&'a str> }
//!
//! let json = pool_runtime::json::to_vec(&Table { name: "orders", columns: vec!["id", "total"] })?;
//! assert_eq!(&json[..], br#"{"name":"orders","columns":["id","total"]}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::Serialize;

use crate::buffer::{buffer, buffer_with_capacity, PooledBuffer};

/// Serialises `value` as JSON into a pooled buffer (4 KiB class first,
/// moving to larger classes as the output grows).
#[inline]
pub fn to_vec<T: ?Sized + Serialize>(value: &T) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = buffer();
    serde_json::to_writer(&mut out, value)?;
    Ok(out)
}

/// Like [`to_vec`], starting from the class that holds `capacity` bytes: for
/// outputs known to be large (a 50 KiB schema), it skips the moves through
/// the smaller classes.
#[inline]
pub fn to_vec_with_capacity<T: ?Sized + Serialize>(
    value: &T,
    capacity: usize,
) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = buffer_with_capacity(capacity);
    serde_json::to_writer(&mut out, value)?;
    Ok(out)
}

/// Serialises `value` as pretty-printed JSON into a pooled buffer.
pub fn to_vec_pretty<T: ?Sized + Serialize>(value: &T) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = buffer();
    serde_json::to_writer_pretty(&mut out, value)?;
    Ok(out)
}

/// Appends `value` as JSON to `out` (for framing several values in one
/// buffer, or writing after a prefix).
///
/// ```
/// let mut out = pool_runtime::buffer();
/// pool_runtime::json::to_writer(&mut out, &[1, 2])?;
/// out.push(b'\n');
/// pool_runtime::json::to_writer(&mut out, &"three")?;
/// assert_eq!(&out[..], b"[1,2]\n\"three\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[inline]
pub fn to_writer<T: ?Sized + Serialize>(out: &mut PooledBuffer, value: &T) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, value)
}
