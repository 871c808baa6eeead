//! [`RecycleVec<T>`]: a vector whose elements survive a reset.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::size_of;
use std::ops::{Deref, DerefMut};

use crate::Reset;

/// A vector whose elements survive a reset, reset, for the next user.
///
/// `Vec<T>::clear()` drops its elements; [`RecycleVec::clear`] (and
/// [`Reset::reset`]) resets them in place and keeps them past the live ones.
/// [`add`](RecycleVec::add) hands a kept element out again, so a pooled
/// object refilled with the same shape allocates nothing, however deep its
/// elements' own allocations go.
///
/// Only the live elements are visible: through `Deref<Target = [T]>`,
/// iteration, `Debug`, `PartialEq`, `Hash` and `Serialize`. Kept elements
/// are always in their reset state, and counted by
/// [`retained_bytes`](Reset::retained_bytes), so the `max_retained_bytes` of
/// the pool that holds the vector bounds them.
///
/// ```
/// use poolable::{RecycleVec, Reset};
///
/// #[derive(Default, Debug)]
/// struct Line { text: String }
///
/// impl Reset for Line {
///     fn reset(&mut self) { self.text.clear(); }
///     fn retained_bytes(&self) -> usize { self.text.capacity() }
/// }
///
/// let mut lines: RecycleVec<Line> = RecycleVec::new();
/// lines.add().text.push_str("GET /v1/tables");
/// let buffer = lines[0].text.as_ptr();
///
/// lines.reset(); // the line is reset and kept
/// assert!(lines.is_empty());
/// assert_eq!(lines.spare_len(), 1);
///
/// let line = lines.add(); // the kept line, with its buffer
/// assert!(line.text.is_empty());
/// line.text.push_str("GET /v1/rows");
/// assert_eq!(lines[0].text.as_ptr(), buffer);
/// ```
pub struct RecycleVec<T> {
    /// Live elements, then kept ones (`items[len..]`, always reset).
    items: Vec<T>,
    len: usize,
}

impl<T> RecycleVec<T> {
    /// An empty vector; allocates nothing.
    pub const fn new() -> Self {
        Self { items: Vec::new(), len: 0 }
    }

    /// The number of live elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no live element.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of kept elements, reset, that [`add`](RecycleVec::add)
    /// will hand out before it makes new ones.
    #[inline]
    pub fn spare_len(&self) -> usize {
        self.items.len() - self.len
    }

    /// Appends `value` as the last live element.
    ///
    /// The value brings its own allocations, so a kept element in the slot
    /// it takes is dropped (its allocations freed); the number of elements
    /// kept in all stays at most the most ever live at once. To fill a kept
    /// element instead, use [`add`](RecycleVec::add).
    pub fn push(&mut self, value: T) {
        if self.len < self.items.len() {
            self.items[self.len] = value;
        } else {
            self.items.push(value);
        }
        self.len += 1;
    }

    /// The live elements.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.items[..self.len]
    }

    /// The live elements, mutably.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.items[..self.len]
    }

    /// An iterator over the live elements.
    #[inline]
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// An iterator over the live elements, mutably.
    #[inline]
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.as_mut_slice().iter_mut()
    }
}

impl<T: Reset> RecycleVec<T> {
    /// Appends a live element and returns it: a kept one (already reset) if
    /// there is one, else `T::default()`.
    pub fn add(&mut self) -> &mut T
    where
        T: Default,
    {
        if self.len == self.items.len() {
            self.items.push(T::default());
        }
        self.len += 1;
        &mut self.items[self.len - 1]
    }

    /// Keeps the first `len` live elements; the others are reset and kept.
    /// Does nothing if there are no more than `len`.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            // Reset first: a panic leaves the cut elements live (in whatever
            // state), never an unreset kept one.
            self.items[len..self.len].iter_mut().for_each(Reset::reset);
            self.len = len;
        }
    }

    /// Resets and keeps every live element (`truncate(0)`).
    pub fn clear(&mut self) {
        self.truncate(0);
    }
}

impl<T> Default for RecycleVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Deref for RecycleVec<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> DerefMut for RecycleVec<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T> AsRef<[T]> for RecycleVec<T> {
    fn as_ref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> AsMut<[T]> for RecycleVec<T> {
    fn as_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<'a, T> IntoIterator for &'a RecycleVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut RecycleVec<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

/// Yields the live elements; the kept ones are dropped.
impl<T> IntoIterator for RecycleVec<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(mut self) -> Self::IntoIter {
        self.items.truncate(self.len);
        self.items.into_iter()
    }
}

/// Pushes each value (see [`push`](RecycleVec::push): values bring their own
/// allocations, so kept elements in the slots they take are dropped, not
/// reused).
impl<T> Extend<T> for RecycleVec<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        iter.into_iter().for_each(|value| self.push(value));
    }
}

impl<T> FromIterator<T> for RecycleVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Vec::from_iter(iter).into()
    }
}

/// Every element of the vector is live.
impl<T> From<Vec<T>> for RecycleVec<T> {
    fn from(items: Vec<T>) -> Self {
        Self { len: items.len(), items }
    }
}

/// The live elements; the kept ones are dropped.
impl<T> From<RecycleVec<T>> for Vec<T> {
    fn from(mut vec: RecycleVec<T>) -> Self {
        vec.items.truncate(vec.len);
        vec.items
    }
}

/// Clones the live elements only (as `Vec`'s clone does not copy its
/// capacity).
impl<T: Clone> Clone for RecycleVec<T> {
    fn clone(&self) -> Self {
        self.as_slice().to_vec().into()
    }
}

/// A list of the live elements: nothing of a previous user shows.
impl<T: fmt::Debug> fmt::Debug for RecycleVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Compares the live elements only.
impl<T: PartialEq<U>, U> PartialEq<RecycleVec<U>> for RecycleVec<T> {
    fn eq(&self, other: &RecycleVec<U>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for RecycleVec<T> {}

/// Hashes the live elements, as their slice does.
impl<T: Hash> Hash for RecycleVec<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

/// Resets the live elements and keeps them all.
impl<T: Reset> Reset for RecycleVec<T> {
    #[inline(always)]
    fn __small_reset() -> bool {
        false
    }

    fn reset(&mut self) {
        self.clear();
    }

    /// The buffer, plus every element's (live and kept) own retained bytes.
    fn retained_bytes(&self) -> usize {
        self.items.capacity() * size_of::<T>() + self.items.iter().map(Reset::retained_bytes).sum::<usize>()
    }

    fn is_reset(&self) -> bool {
        self.len == 0
    }

    /// Resets, then restores `fresh`'s live elements into kept ones with
    /// their `reset_to`; `false` if there are fewer kept elements than that
    /// (a new one cannot be made without `Default`).
    fn reset_to(&mut self, fresh: &Self) -> bool {
        self.clear();
        if fresh.len > self.items.len() {
            return false;
        }
        let mut all = true;
        for fresh in fresh {
            all &= self.items[self.len].reset_to(fresh);
            self.len += 1;
        }
        all
    }

    /// Restores `fresh`'s live elements into kept ones where they can be,
    /// and takes `fresh`'s own elements for the others.
    fn reset_from(&mut self, fresh: Self) {
        self.clear();
        for value in fresh {
            if self.len < self.items.len() {
                let kept = &mut self.items[self.len];
                if !kept.reset_to(&value) {
                    *kept = value;
                }
            } else {
                self.items.push(value);
            }
            self.len += 1;
        }
    }
}

/// A sequence of the live elements.
#[cfg(feature = "serde")]
impl<T: serde_core::Serialize> serde_core::Serialize for RecycleVec<T> {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// From a sequence. In place, the vector is cleared first and kept elements
/// are filled by their own `deserialize_in_place` (then new ones are
/// deserialised when they run out). On an error, the elements completed
/// before it stay live; the one being written is reset and kept.
#[cfg(feature = "serde")]
impl<'de, T: serde_core::Deserialize<'de> + Reset> serde_core::Deserialize<'de> for RecycleVec<T> {
    fn deserialize<D: serde_core::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut vec = Self::new();
        Self::deserialize_in_place(deserializer, &mut vec)?;
        Ok(vec)
    }

    fn deserialize_in_place<D: serde_core::Deserializer<'de>>(
        deserializer: D,
        place: &mut Self,
    ) -> Result<(), D::Error> {
        place.clear();
        deserializer.deserialize_seq(InPlaceVisitor(place))
    }
}

#[cfg(feature = "serde")]
struct InPlaceVisitor<'a, T>(&'a mut RecycleVec<T>);

#[cfg(feature = "serde")]
impl<'de, T: serde_core::Deserialize<'de> + Reset> serde_core::de::Visitor<'de> for InPlaceVisitor<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde_core::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let vec = self.0;
        loop {
            if vec.len < vec.items.len() {
                let slot = &mut vec.items[vec.len];
                match seq.next_element_seed(super::InPlaceSeed(&mut *slot)) {
                    Ok(Some(())) => vec.len += 1,
                    Ok(None) => return Ok(()),
                    Err(error) => {
                        // Half-written: back to the reset state, still kept.
                        slot.reset();
                        return Err(error);
                    }
                }
            } else {
                match seq.next_element()? {
                    Some(value) => vec.push(value),
                    None => return Ok(()),
                }
            }
        }
    }
}
