//! JSON straight into pooled buffers (feature `json`).
//!
//! `serde_json::to_vec` starts from a 128-byte `Vec` and doubles it: six
//! allocations for a 3 KiB response, ten for 50 KiB, all freed once the bytes
//! are sent. [`to_vec`] writes into a [`PooledBuffer`] instead: at steady
//! state no allocation at all. Hand it on as it is (as `bytes::Bytes` with
//! feature `bytes`) and it goes back to its pool when dropped.
//!
//! # Which class
//!
//! [`to_vec`] takes its buffer from the class that held the calling thread's
//! previous `to_vec` output (4 KiB at first), so a service that keeps sending
//! 50 KiB schemas encodes them into warm 64 KiB buffers without growing them,
//! and one that sends 3 KiB responses keeps to the 4 KiB class. An output
//! larger than its buffer grows it in place (as a `Vec`) and the buffer goes
//! back to the class it now fits; an output above the 64 KiB cap makes the
//! next one a plain allocation of that size, never pooled.
//! [`to_vec_with_capacity`] takes the class you name instead.
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

use std::cell::Cell;

use serde::Serialize;

use crate::buffer::{buffer_with_capacity, PooledBuffer};

std::thread_local! {
    /// The length of this thread's previous `to_vec` output.
    static LAST_LEN: Cell<usize> = const { Cell::new(0) };
}

/// Serialises `value` as JSON into a pooled buffer, from the class of this
/// thread's previous output (see [Which class](self#which-class)).
#[inline]
pub fn to_vec<T: ?Sized + Serialize>(value: &T) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = buffer_with_capacity(LAST_LEN.with(Cell::get));
    serde_json::to_writer(&mut *out, value)?;
    LAST_LEN.with(|last| last.set(out.len()));
    Ok(out)
}

/// Like [`to_vec`], from the class that holds `capacity` bytes.
#[inline]
pub fn to_vec_with_capacity<T: ?Sized + Serialize>(
    value: &T,
    capacity: usize,
) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = buffer_with_capacity(capacity);
    serde_json::to_writer(&mut *out, value)?;
    Ok(out)
}

/// Serialises `value` as pretty-printed JSON into a pooled buffer.
pub fn to_vec_pretty<T: ?Sized + Serialize>(value: &T) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = crate::buffer();
    serde_json::to_writer_pretty(&mut *out, value)?;
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
    serde_json::to_writer(&mut **out, value)
}
