//! JSON straight into pooled buffers, and straight out of requests into
//! pooled objects (feature `json`).
//!
//! # Encoding
//!
//! `serde_json::to_vec` starts from a 128-byte `Vec` and doubles it: six
//! allocations for a 3 KiB response, ten for 50 KiB, all freed once the bytes
//! are sent. [`to_vec`] writes into a [`PooledBuffer`](crate::PooledBuffer) instead: at steady
//! state no allocation at all. Hand it on as it is (as `bytes::Bytes` with
//! feature `bytes`) and it goes back to its pool when dropped.
//!
//! [`to_vec`], [`to_vec_with_capacity`] and [`to_writer`] write with
//! serde_json's own `Serializer` (its compact formatter, as
//! `serde_json::to_vec`), so the bytes and the errors are serde_json's; only
//! where they are written differs. [`to_vec_pretty`] is serde_json's pretty
//! printer, into a pooled buffer.
//!
//! ## Which class
//!
//! [`to_vec`] takes its buffer from the class that holds the calling thread's
//! recent outputs: it remembers their decaying maximum (the largest recent
//! length, shrinking by 1/64 per call while above 4 KiB), so a service that keeps sending
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
//! let json = poolable::json::to_vec(&Table { name: "orders", columns: vec!["id", "total"] })?;
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
//! for a value you hold.
//!
//! ## Semantics
//!
//! [`from_slice`] takes an object from `T`'s pool, where it is as `T`'s
//! constructor makes it (see [`Reset`](crate::Reset)), and deserialises the input into it
//! in place, so that the result equals what `serde_json::from_slice` makes
//! of the same input, the previous user's values never showing through:
//!
//! * A field present in the input is written over the object's own (a
//!   `String` into its buffer, a `Vec`'s elements in place, a recycling
//!   collection's kept elements).
//! * A field absent from the input gets what serde gives an absent field:
//!   its `#[serde(default)]`, `None` for an `Option`, and otherwise serde_json's
//!   "missing field" error. A `#[serde(skip_deserializing)]` field keeps the
//!   fresh object's value, which is `from_slice`'s `Default::default()` when
//!   the pool's constructor is `Default`. `rename`, `rename_all`, `alias`
//!   and `deny_unknown_fields` act as they do for `serde_json::from_slice`.
//! * On an error (malformed JSON, a wrong type, a missing field, trailing
//!   characters after the value), the error is serde_json's own, and the
//!   half-written object is not handed out: it goes back to its pool, whose
//!   return path resets it, so nothing of this input reaches the next user.
//!
//! [`from_slice_into`] decodes into a value you hold: it resets it first
//! ([`Reset::reset`](crate::Reset::reset)), so the fields the input does not write start from the
//! reset state, and resets it again on an error.
//!
//! Only owned types decode this way (`T: DeserializeOwned`): an object that
//! borrowed from one request's bytes could not outlive them in a pool.
//!
//! ## In place, for derived types
//!
//! serde_derive writes `deserialize_in_place` for a `#[derive(Deserialize)]`
//! type only with its `deserialize_in_place` feature, which the `json`
//! feature of this crate turns on for the whole build (cargo unifies a
//! crate's features), so a user's derived types decode in place with no
//! extra step. Without it, serde's default replaces the whole value: the
//! result is the same, with the allocations of a fresh one. Enums are always
//! replaced as a whole (serde has no in-place form for them): to reuse the
//! allocations of a tagged variant, decode it into a struct with a tag field
//! and optional fields.
//!
//! ```
//! use poolable::RecycleVec;
//!
//! let mut names: RecycleVec<String> = RecycleVec::new();
//! poolable::json::from_slice_into(br#"["orders", "customers"]"#, &mut names)?;
//! let first = names[0].as_ptr();
//!
//! // Reset (the strings kept), then decoded into the kept strings.
//! poolable::json::from_slice_into(br#"["sales"]"#, &mut names)?;
//! assert_eq!(names[..], ["sales"]);
//! assert_eq!(names[0].as_ptr(), first, "written into the kept string's buffer");
//!
//! // Trailing garbage: serde_json's error, and the value is reset.
//! assert!(poolable::json::from_slice_into(br#"["ops"] x"#, &mut names).is_err());
//! assert!(names.is_empty());
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! With `#[derive(Poolable, Deserialize)]`, `poolable::json::from_slice::<T>(body)`
//! is the whole of it (the `poolable` crate's docs show one).

mod decode;
mod encode;

pub use decode::{from_slice, from_slice_into, from_str, from_str_into};
pub use encode::{to_vec, to_vec_pretty, to_vec_with_capacity, to_writer};
