//! Collections that keep their elements, reset, for the next user.
//!
//! `Vec<T>::clear()` drops its elements, so a pooled builder whose
//! `Vec<Order>` holds orders with `String`s and maps keeps the vector's buffer
//! but loses every allocation inside it on each reset; `Option<String>`
//! loses its string the same way. The collections here reset their elements
//! in place instead and keep them past the live ones (as protobuf's repeated
//! fields do), so that the next user who fills them with the same shape
//! allocates nothing:
//!
//! * [`RecycleVec<T>`]: a vector whose elements survive a reset;
//! * [`RecycleMap<V>`]: a string-keyed map in insertion order whose cleared
//!   entries keep their key `String` and their value;
//! * [`RecycleOption<T>`]: an `Option<T>` whose value survives while it reads
//!   as `None`.
//!
//! # Invariant
//!
//! A kept element (one past the live ones, or the value of a `None`
//! `RecycleOption`) is always in its reset state: no operation, panic-free or
//! failing midway (an in-place deserialisation that errors), leaves data of a
//! previous user in one. Kept elements are invisible: `Debug`, `PartialEq`,
//! `Hash`, iteration and `Serialize` see the live ones only.
//!
//! # Bounds
//!
//! Kept elements count in [`Reset::retained_bytes`](crate::Reset::retained_bytes),
//! so the `max_retained_bytes` of the pool that holds them bounds them: an
//! object whose kept elements grew past it is dropped on return, as any
//! oversized object is.
//!
//! # Serde (feature `serde`)
//!
//! Each serialises as what it reads as (a sequence, a map, an option) and
//! deserialises both fresh and in place (`Deserialize::deserialize_in_place`):
//! in place, kept elements are filled by their own `deserialize_in_place`, so
//! a kept `String` is written into its own buffer. A `#[derive(Deserialize)]`
//! element type reuses its fields' allocations only if serde_derive generates
//! `deserialize_in_place` (its `deserialize_in_place` feature); otherwise the
//! element is replaced, which is correct but allocates.

mod map;
mod option;
mod vec;

pub use map::RecycleMap;
pub use option::RecycleOption;
pub use vec::RecycleVec;

/// A seed that deserialises into an existing value with its
/// `deserialize_in_place`.
#[cfg(feature = "serde")]
struct InPlaceSeed<'a, T>(&'a mut T);

#[cfg(feature = "serde")]
impl<'de, T: serde_core::Deserialize<'de>> serde_core::de::DeserializeSeed<'de> for InPlaceSeed<'_, T> {
    type Value = ();

    fn deserialize<D: serde_core::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        T::deserialize_in_place(deserializer, self.0)
    }
}
