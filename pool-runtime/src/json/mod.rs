//! JSON straight into pooled buffers, and straight out of requests into
//! pooled objects (feature `json`).
//!
//! # Encoding
//!
//! `serde_json::to_vec` starts from a 128-byte `Vec` and doubles it: six
//! allocations for a 3 KiB response, ten for 50 KiB, all freed once the bytes
//! are sent. [`to_vec`] writes into a [`PooledBuffer`] instead: at steady
//! state no allocation at all. Hand it on as it is (as `bytes::Bytes` with
//! feature `bytes`) and it goes back to its pool when dropped.
//!
//! ## Which class
//!
//! [`to_vec`] takes its buffer from the class that holds the calling thread's
//! recent outputs: it remembers their decaying maximum (the largest recent
//! length, shrinking by 1/64 per call), so a service that keeps sending
//! 50 KiB schemas encodes them into warm 64 KiB buffers without growing them,
//! one that sends 3 KiB responses keeps to the 4 KiB class, and one whose
//! answers vary between 15 and 40 KiB keeps to the class of the large ones
//! instead of growing a smaller buffer every other call. An output larger
//! than its buffer grows it in place (as a `Vec`) and the buffer goes back to
//! the class it now fits; while the remembered size is above the 64 KiB cap,
//! buffers are plain allocations of that size, never pooled.
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

//!
//! # Decoding
//!
//! [`from_slice`] and [`from_str`] take an object from its type's pool and
//! deserialise into it in place (serde's `Deserialize::deserialize_in_place`):
//! the object's strings are written into their own buffers, its vectors'
//! elements are reused, and the kept elements of `RecycleVec`, `RecycleMap`
//! and `RecycleOption` are filled again, so that decoding a request of a
//! familiar shape allocates next to nothing. [`from_slice_into`] does the same
//! for a value you hold. See [Semantics](decode#semantics).

mod decode;
mod encode;

pub use decode::{from_slice, from_slice_into, from_str, from_str_into};
pub use encode::{to_vec, to_vec_pretty, to_vec_with_capacity, to_writer};
