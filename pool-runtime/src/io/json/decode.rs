//! Decoding JSON into pooled objects, in place (see [the module docs](crate::json#decoding)).

use serde_core::de::{Deserialize, DeserializeOwned};
use serde_json::de::{Read, SliceRead, StrRead};
use serde_json::Deserializer;

use crate::{Poolable, Pooled, Reset};

/// Takes an object from `T`'s pool and deserialises `input` into it in
/// place (see [Semantics](crate::json#semantics)).
#[track_caller]
pub fn from_slice<T: Poolable + DeserializeOwned>(input: &[u8]) -> Result<Pooled<T>, serde_json::Error> {
    let mut object = T::pooled();
    // On an error, `object` goes back to the pool, which resets it.
    decode(Deserializer::new(SliceRead::new(input)), &mut *object)?;
    Ok(object)
}

/// [`from_slice`] for a `&str`.
#[track_caller]
pub fn from_str<T: Poolable + DeserializeOwned>(input: &str) -> Result<Pooled<T>, serde_json::Error> {
    let mut object = T::pooled();
    decode(Deserializer::new(StrRead::new(input)), &mut *object)?;
    Ok(object)
}

/// Resets `value`, then deserialises `input` into it in place; resets it
/// again on an error (see [Semantics](crate::json#semantics)).
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
