//! Decoding JSON into pooled objects, in place (see the [module docs](super)).
//!
//! # Semantics
//!
//! [`from_slice`] takes an object from `T`'s pool, where it is as `T`'s
//! constructor makes it (see [`Reset`]), and deserialises the input into it
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
//! ([`Reset::reset`]), so the fields the input does not write start from the
//! reset state, and resets it again on an error.
//!
//! Only owned types decode this way (`T: DeserializeOwned`): an object that
//! borrowed from one request's bytes could not outlive them in a pool.
//!
//! # In place, for derived types
//!
//! serde_derive writes `deserialize_in_place` for a `#[derive(Deserialize)]`
//! type only with its `deserialize_in_place` feature, which the `json`
//! feature of this crate turns on for the whole build (cargo unifies a
//! crate's features), so a user's derived types decode in place with no
//! extra step. Without it, serde's default replaces the whole value: the
//! result is the same, with the allocations of a fresh one. Enums are always
//! replaced as a whole (serde has no in-place form for them): to reuse the
//! allocations of a tagged variant, decode it into a struct with a tag field
//! and optional fields, as the server example's `TableUpdate` does.
//!
//! ```
//! use pool_runtime::RecycleVec;
//!
//! let mut names: RecycleVec<String> = RecycleVec::new();
//! pool_runtime::json::from_slice_into(br#"["orders", "customers"]"#, &mut names)?;
//! let first = names[0].as_ptr();
//!
//! // Reset (the strings kept), then decoded into the kept strings.
//! pool_runtime::json::from_slice_into(br#"["sales"]"#, &mut names)?;
//! assert_eq!(names[..], ["sales"]);
//! assert_eq!(names[0].as_ptr(), first, "written into the kept string's buffer");
//!
//! // Trailing garbage: serde_json's error, and the value is reset.
//! assert!(pool_runtime::json::from_slice_into(br#"["ops"] x"#, &mut names).is_err());
//! assert!(names.is_empty());
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! With `#[derive(Poolable, Deserialize)]`, `poolable::json::from_slice::<T>(body)`
//! is the whole of it (the `poolable` crate's docs show one).

use serde::de::{Deserialize, DeserializeOwned};
use serde_json::de::{Read, SliceRead, StrRead};
use serde_json::Deserializer;

use crate::{Poolable, Pooled, Reset};

/// Takes an object from `T`'s pool and deserialises `input` into it in
/// place (see [Semantics](self#semantics)).
pub fn from_slice<T: Poolable + DeserializeOwned>(input: &[u8]) -> Result<Pooled<T>, serde_json::Error> {
    let mut object = T::pooled();
    // On an error, `object` goes back to the pool, which resets it.
    decode(Deserializer::new(SliceRead::new(input)), &mut *object)?;
    Ok(object)
}

/// [`from_slice`] for a `&str`.
pub fn from_str<T: Poolable + DeserializeOwned>(input: &str) -> Result<Pooled<T>, serde_json::Error> {
    let mut object = T::pooled();
    decode(Deserializer::new(StrRead::new(input)), &mut *object)?;
    Ok(object)
}

/// Resets `value`, then deserialises `input` into it in place; resets it
/// again on an error (see [Semantics](self#semantics)).
pub fn from_slice_into<T: DeserializeOwned + Reset>(
    input: &[u8],
    value: &mut T,
) -> Result<(), serde_json::Error> {
    decode_into(Deserializer::new(SliceRead::new(input)), value)
}

/// [`from_slice_into`] for a `&str`.
pub fn from_str_into<T: DeserializeOwned + Reset>(
    input: &str,
    value: &mut T,
) -> Result<(), serde_json::Error> {
    decode_into(Deserializer::new(StrRead::new(input)), value)
}

fn decode_into<'de, R: Read<'de>, T: Deserialize<'de> + Reset>(
    deserializer: Deserializer<R>,
    value: &mut T,
) -> Result<(), serde_json::Error> {
    value.reset();
    decode(deserializer, value).inspect_err(|_| value.reset())
}

/// The value in place, then nothing but whitespace.
fn decode<'de, R: Read<'de>, T: Deserialize<'de>>(
    mut deserializer: Deserializer<R>,
    place: &mut T,
) -> Result<(), serde_json::Error> {
    T::deserialize_in_place(&mut deserializer, place)?;
    deserializer.end()
}
