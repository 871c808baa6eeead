//! [`RecycleOption<T>`]: an `Option<T>` whose value survives while it reads
//! as `None`.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::Reset;

/// An `Option<T>` whose value's allocations survive while it reads as
/// `None`.
///
/// `Option<String>` resets to `None` by dropping its string, so a pooled
/// response's `next_page_token: Option<String>` allocates again on every
/// request that sets it. A `RecycleOption` that is [`clear`](RecycleOption::clear)ed
/// (or [`reset`](Reset::reset)) keeps the value, reset, and reads as `None`;
/// [`get_or_insert_default`](RecycleOption::get_or_insert_default) hands it
/// out again.
///
/// It reads as the `Option` it stands for: `Debug`, `PartialEq`, `Hash`,
/// `as_ref` and `Serialize` never show a kept value. With serde, skip a
/// `None` field with `#[serde(skip_serializing_if = "RecycleOption::is_none")]`.
///
/// ```
/// use poolable::{RecycleOption, Reset};
///
/// let mut token: RecycleOption<String> = RecycleOption::new();
/// token.get_or_insert_default().push_str("page-2");
/// assert_eq!(token.as_ref().map(String::as_str), Some("page-2"));
/// let buffer = token.as_ref().unwrap().as_ptr();
///
/// token.reset(); // reads as None, keeps the string
/// assert!(token.is_none());
/// assert_eq!(format!("{token:?}"), "None");
///
/// let value = token.get_or_insert_default(); // the kept string, empty
/// assert!(value.is_empty());
/// value.push_str("page-3");
/// assert_eq!(token.as_ref().unwrap().as_ptr(), buffer);
/// ```
pub struct RecycleOption<T> {
    /// The value: live if `some`, else kept (reset) or absent.
    value: Option<T>,
    some: bool,
}

impl<T> RecycleOption<T> {
    /// `None`, with no value kept; allocates nothing.
    pub const fn new() -> Self {
        Self { value: None, some: false }
    }

    /// `None`, with no value kept (the same as [`new`](RecycleOption::new)).
    pub const fn none() -> Self {
        Self::new()
    }

    /// `Some(value)`.
    pub const fn some(value: T) -> Self {
        Self { value: Some(value), some: true }
    }

    /// Whether it reads as `Some`.
    #[inline]
    pub fn is_some(&self) -> bool {
        self.some
    }

    /// Whether it reads as `None` (a kept value or not).
    #[inline]
    pub fn is_none(&self) -> bool {
        !self.some
    }

    /// Whether a value is held, live or kept: whether
    /// [`get_or_insert_default`](RecycleOption::get_or_insert_default) would
    /// reuse one rather than make one.
    #[inline]
    pub fn has_value(&self) -> bool {
        self.value.is_some()
    }

    /// The live value, as `Option<&T>`.
    #[inline]
    pub fn as_ref(&self) -> Option<&T> {
        if self.some {
            self.value.as_ref()
        } else {
            None
        }
    }

    /// The live value, as `Option<&mut T>`.
    #[inline]
    pub fn as_mut(&mut self) -> Option<&mut T> {
        if self.some {
            self.value.as_mut()
        } else {
            None
        }
    }

    /// Makes it `Some(value)` and returns the value. A kept value is
    /// dropped: `value` brings its own allocations (use
    /// [`get_or_insert_default`](RecycleOption::get_or_insert_default) to
    /// fill a kept one).
    pub fn insert(&mut self, value: T) -> &mut T {
        self.some = true;
        self.value.insert(value)
    }

    /// Takes the live value out, leaving `None` with no value kept (the
    /// allocations go with the value).
    pub fn take(&mut self) -> Option<T> {
        if self.some {
            self.some = false;
            self.value.take()
        } else {
            None
        }
    }

    /// The `Option` it reads as; a kept value is dropped.
    pub fn into_option(self) -> Option<T> {
        if self.some {
            self.value
        } else {
            None
        }
    }
}

impl<T: Reset> RecycleOption<T> {
    /// The live value if it is `Some`; else makes it `Some` with the kept
    /// value (already reset) or, if none is kept, `T::default()`.
    pub fn get_or_insert_default(&mut self) -> &mut T
    where
        T: Default,
    {
        // `some` once the value exists: a panicking `T::default()` leaves
        // the option as it was.
        let value = self.value.get_or_insert_with(T::default);
        self.some = true;
        value
    }

    /// Makes it read as `None`, keeping the value, reset.
    pub fn clear(&mut self) {
        if self.some {
            if let Some(value) = &mut self.value {
                // Reset first: a panic leaves it `Some`, never an unreset
                // kept value.
                value.reset();
            }
            self.some = false;
        }
    }
}

impl<T> Default for RecycleOption<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> From<Option<T>> for RecycleOption<T> {
    fn from(value: Option<T>) -> Self {
        Self { some: value.is_some(), value }
    }
}

impl<T> From<RecycleOption<T>> for Option<T> {
    fn from(value: RecycleOption<T>) -> Self {
        value.into_option()
    }
}

/// Clones the `Option` it reads as (a kept value is not cloned).
impl<T: Clone> Clone for RecycleOption<T> {
    fn clone(&self) -> Self {
        self.as_ref().cloned().into()
    }
}

/// As the `Option` it reads as: `None` whatever is kept.
impl<T: fmt::Debug> fmt::Debug for RecycleOption<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_ref().fmt(f)
    }
}

/// As the `Option`s they read as.
impl<T: PartialEq> PartialEq for RecycleOption<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_ref() == other.as_ref()
    }
}

impl<T: Eq> Eq for RecycleOption<T> {}

/// As the `Option` it reads as.
impl<T: Hash> Hash for RecycleOption<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state);
    }
}

/// `None`, keeping the value, reset.
impl<T: Reset> Reset for RecycleOption<T> {
    #[inline(always)]
    fn __small_reset() -> bool {
        false
    }

    fn reset(&mut self) {
        self.clear();
    }

    /// The value's (live or kept) retained bytes.
    fn retained_bytes(&self) -> usize {
        self.value.as_ref().map_or(0, Reset::retained_bytes)
    }

    fn is_reset(&self) -> bool {
        !self.some
    }

    /// `None` if `fresh` is; else `Some` with the kept value restored by its
    /// `reset_to`, or `false` if no value is kept (a new one cannot be made
    /// without `Default`).
    fn reset_to(&mut self, fresh: &Self) -> bool {
        match (fresh.as_ref(), &mut self.value) {
            (None, _) => {
                self.clear();
                true
            }
            (Some(fresh), Some(value)) => {
                self.some = true;
                value.reset_to(fresh)
            }
            (Some(_), None) => false,
        }
    }
}

/// As the `Option` it reads as.
#[cfg(feature = "serde")]
impl<T: serde_core::Serialize> serde_core::Serialize for RecycleOption<T> {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_ref().serialize(serializer)
    }
}

/// From an option. In place, it is cleared first; `null` leaves it `None`,
/// a value is filled into the kept one by its `deserialize_in_place` (or
/// deserialised, if none is kept). On an error, it is `None` with the kept
/// value reset.
#[cfg(feature = "serde")]
impl<'de, T: serde_core::Deserialize<'de> + Reset> serde_core::Deserialize<'de> for RecycleOption<T> {
    fn deserialize<D: serde_core::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Self::from)
    }

    fn deserialize_in_place<D: serde_core::Deserializer<'de>>(
        deserializer: D,
        place: &mut Self,
    ) -> Result<(), D::Error> {
        place.clear();
        deserializer.deserialize_option(InPlaceVisitor(place))
    }
}

#[cfg(feature = "serde")]
struct InPlaceVisitor<'a, T>(&'a mut RecycleOption<T>);

#[cfg(feature = "serde")]
impl<'de, T: serde_core::Deserialize<'de> + Reset> serde_core::de::Visitor<'de> for InPlaceVisitor<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an option")
    }

    fn visit_none<E: serde_core::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: serde_core::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: serde_core::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let place = self.0;
        match &mut place.value {
            Some(value) => match T::deserialize_in_place(deserializer, value) {
                Ok(()) => place.some = true,
                Err(error) => {
                    value.reset();
                    return Err(error);
                }
            },
            None => {
                place.value = Some(T::deserialize(deserializer)?);
                place.some = true;
            }
        }
        Ok(())
    }
}
