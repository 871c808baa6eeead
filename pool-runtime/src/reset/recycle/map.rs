//! [`RecycleMap<V>`]: a string-keyed map whose cleared entries keep their key
//! `String` and their value.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::mem::size_of;

use hashbrown::HashTable;

use crate::Reset;

/// A string-keyed map, in insertion order, whose cleared entries keep their
/// key `String` and their value, reset, for the next user.
///
/// A pooled request's headers or query parameters refilled with the same
/// keys allocate nothing: [`entry`](RecycleMap::entry) writes a new key into
/// a kept entry's `String` (no allocation when its capacity suffices) and
/// hands out its kept value, already reset.
///
/// Lookups are average O(1): a map of up to 16 live entries (the usual
/// headers, properties, metadata) scans them, which is faster than hashing
/// a key; a larger one goes through an index hashed with std's
/// [`RandomState`] (SipHash with random keys: the keys may come from
/// untrusted requests). [`remove`](RecycleMap::remove) keeps the insertion
/// order, so it is O(n).
///
/// Only the live entries are visible: through lookups, iteration, `Debug`,
/// `PartialEq` and `Serialize`. Kept entries have empty keys and reset
/// values, and are counted by [`retained_bytes`](Reset::retained_bytes), so
/// the `max_retained_bytes` of the pool that holds the map bounds them.
///
/// ```
/// use poolable::{RecycleMap, Reset};
///
/// let mut headers: RecycleMap<String> = RecycleMap::new();
/// headers.entry("content-type").push_str("application/json");
/// headers.insert("accept", "*/*".to_owned());
/// assert_eq!(headers.get("content-type").map(String::as_str), Some("application/json"));
/// assert_eq!(headers.keys().collect::<Vec<_>>(), ["content-type", "accept"]);
///
/// headers.reset(); // both entries are reset and kept
/// assert!(headers.is_empty() && headers.get("accept").is_none());
/// assert_eq!(headers.spare_len(), 2);
///
/// // A kept entry: its key String and its value, reset.
/// let value = headers.entry("accept");
/// assert!(value.is_empty());
/// value.push_str("text/html");
/// assert_eq!(headers.len(), 1);
/// ```
pub struct RecycleMap<V> {
    /// Live entries in insertion order, then kept ones (`entries[len..]`:
    /// empty keys, reset values).
    entries: Vec<(String, V)>,
    len: usize,
    /// Positions of the live entries, hashed by key with `hasher`, while
    /// there are more than [`SCAN_UP_TO`]; empty (its allocation kept)
    /// otherwise.
    index: HashTable<usize>,
    hasher: RandomState,
}

/// Up to this many live entries, a lookup compares keys one by one (the
/// length first): cheaper than hashing the key with SipHash, and bounded.
const SCAN_UP_TO: usize = 16;

impl<V> RecycleMap<V> {
    /// An empty map; allocates nothing.
    pub fn new() -> Self {
        Self { entries: Vec::new(), len: 0, index: HashTable::new(), hasher: RandomState::new() }
    }

    /// The number of live entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no live entry.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of kept entries, reset, that
    /// [`entry`](RecycleMap::entry) will hand out before it makes new ones.
    #[inline]
    pub fn spare_len(&self) -> usize {
        self.entries.len() - self.len
    }

    /// Whether lookups go through the index.
    #[inline]
    fn indexed(&self) -> bool {
        self.len > SCAN_UP_TO
    }

    #[inline]
    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The position of `key`'s live entry.
    fn find(&self, key: &str) -> Option<usize> {
        if self.indexed() {
            self.index.find(self.hash(key), |&i| self.entries[i].0 == key).copied()
        } else {
            self.entries[..self.len].iter().position(|(live, _)| live == key)
        }
    }

    /// Makes the entry at `len` (a kept one, whose key is written, or one
    /// pushed with `value()`) live under `key`, and returns its position.
    /// Returns whether it was a kept one, whose value `value` did not make.
    fn claim(&mut self, key: &str, value: impl FnOnce() -> V) -> (usize, bool) {
        let i = self.len;
        let kept = i < self.entries.len();
        if kept {
            self.entries[i].0.push_str(key);
        } else {
            self.entries.push((key.to_owned(), value()));
        }
        self.go_live();
        (i, kept)
    }

    /// The entry at `len`, its key written, becomes live; the index is
    /// built when the map outgrows scanning.
    fn go_live(&mut self) {
        self.len += 1;
        if self.len == SCAN_UP_TO + 1 {
            (0..self.len).for_each(|i| self.index_at(i));
        } else if self.indexed() {
            self.index_at(self.len - 1);
        }
    }

    /// Adds the entry at `i` to the index.
    fn index_at(&mut self, i: usize) {
        let (entries, hasher) = (&self.entries, &self.hasher);
        let hash = hasher.hash_one(entries[i].0.as_str());
        self.index.insert_unique(hash, i, |&j| hasher.hash_one(entries[j].0.as_str()));
    }

    /// Takes the live entry at `i`, whose key is still there, out of the
    /// index (before the entry leaves the live ones).
    fn unindex(&mut self, i: usize) {
        if self.indexed() {
            let hash = self.hash(&self.entries[i].0);
            if let Ok(found) = self.index.find_entry(hash, |&j| j == i) {
                found.remove();
            }
        }
    }

    /// Inserts `value` under `key`, returning the value it replaces.
    ///
    /// A new key goes last in insertion order, in a kept entry if there is
    /// one: its key `String` is reused, but its kept value is dropped, since
    /// `value` brings its own allocations (use
    /// [`entry`](RecycleMap::entry) to fill a kept value instead). An
    /// existing key keeps its place.
    pub fn insert(&mut self, key: &str, value: V) -> Option<V> {
        if let Some(i) = self.find(key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        let mut value = Some(value);
        let (i, kept) = self.claim(key, || value.take().expect("taken once"));
        if kept {
            self.entries[i].1 = value.take().expect("not taken by claim");
        }
        None
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).map(|i| &self.entries[i].1)
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.find(key).map(|i| &mut self.entries[i].1)
    }

    /// Whether `key` has a live entry.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// Removes `key`'s entry and returns its value.
    ///
    /// The entries after it move up one place (the insertion order stays),
    /// and their index positions are fixed up: O(n). The removed entry is
    /// not kept: its value goes to the caller, its key `String` is dropped.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.find(key)?;
        self.unindex(i);
        let (_, value) = self.entries.remove(i);
        self.len -= 1;
        self.after_leaving(i);
        Some(value)
    }

    /// After the live entry at `i` left (and `len` went down): the index
    /// positions past it are one less, or the index goes if the map is
    /// small enough to scan again.
    fn after_leaving(&mut self, i: usize) {
        if !self.indexed() {
            self.index.clear();
        } else if i < self.len {
            self.index.iter_mut().filter(|j| **j > i).for_each(|j| *j -= 1);
        }
    }

    /// The live entries, in insertion order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &V)> + ExactSizeIterator + Clone + '_ {
        self.entries[..self.len].iter().map(|(key, value)| (key.as_str(), value))
    }

    /// The live entries, in insertion order, with mutable values.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&str, &mut V)> + ExactSizeIterator + '_ {
        self.entries[..self.len].iter_mut().map(|(key, value)| (key.as_str(), value))
    }

    /// The live keys, in insertion order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone + '_ {
        self.entries[..self.len].iter().map(|(key, _)| key.as_str())
    }

    /// The live values, in insertion order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone + '_ {
        self.entries[..self.len].iter().map(|(_, value)| value)
    }

    /// The live values, in insertion order, mutably.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator + '_ {
        self.entries[..self.len].iter_mut().map(|(_, value)| value)
    }
}

impl<V: Reset> RecycleMap<V> {
    /// The value of `key`, made if there is none: the existing value; else a
    /// kept entry's value (already reset), its key `String` reused; else a
    /// new `V::default()`. A new key goes last in insertion order.
    pub fn entry(&mut self, key: &str) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(key) {
            Some(i) => i,
            None => self.claim(key, V::default).0,
        };
        &mut self.entries[i].1
    }

    /// Resets and keeps every live entry (key cleared, value reset).
    pub fn clear(&mut self) {
        // The values first (user code): a panic leaves every entry live
        // under its key, and the index right, never an unreset kept one.
        for (_, value) in &mut self.entries[..self.len] {
            value.reset();
        }
        for (key, _) in &mut self.entries[..self.len] {
            key.clear();
        }
        self.len = 0;
        self.index.clear();
    }

    /// Takes the live entry at `i` out of the live ones (a half-written
    /// one): reset and kept, the insertion order of the others unchanged.
    #[cfg(feature = "serde")]
    fn retire(&mut self, i: usize) {
        self.unindex(i);
        self.entries[i..self.len].rotate_left(1);
        self.len -= 1;
        self.after_leaving(i);
        let (key, value) = &mut self.entries[self.len];
        key.clear();
        value.reset();
    }
}

impl<V> Default for RecycleMap<V> {
    fn default() -> Self {
        Self::new()
    }
}

/// Yields the live entries in insertion order; the kept ones are dropped.
impl<V> IntoIterator for RecycleMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(mut self) -> Self::IntoIter {
        self.entries.truncate(self.len);
        self.entries.into_iter()
    }
}

/// Inserts each entry (see [`insert`](RecycleMap::insert): a later value of
/// a key replaces the earlier one).
impl<K: AsRef<str>, V> Extend<(K, V)> for RecycleMap<V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key.as_ref(), value);
        }
    }
}

impl<K: AsRef<str>, V> FromIterator<(K, V)> for RecycleMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        map.extend(iter);
        map
    }
}

/// Clones the live entries only (and the index and hasher they are found
/// by).
impl<V: Clone> Clone for RecycleMap<V> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries[..self.len].to_vec(),
            len: self.len,
            index: self.index.clone(),
            hasher: self.hasher.clone(),
        }
    }
}

/// A map of the live entries, in insertion order: nothing of a previous
/// user shows.
impl<V: fmt::Debug> fmt::Debug for RecycleMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Map equality: the same keys with equal values, in any insertion order
/// (as for `HashMap`; compare [`iter`](RecycleMap::iter)s for the order too).
impl<V: PartialEq> PartialEq for RecycleMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().all(|(key, value)| other.get(key) == Some(value))
    }
}

impl<V: Eq> Eq for RecycleMap<V> {}

/// Resets every live entry (key cleared, value reset) and keeps them all;
/// the index is cleared, keeping its allocation.
impl<V: Reset> Reset for RecycleMap<V> {
    #[inline(always)]
    fn __small_reset() -> bool {
        false
    }

    fn reset(&mut self) {
        self.clear();
    }

    /// The entries' buffer, every key's capacity and every value's retained
    /// bytes (live and kept), and the index's slots.
    fn retained_bytes(&self) -> usize {
        self.entries.capacity() * size_of::<(String, V)>()
            + self.entries.iter().map(|(key, value)| key.capacity() + value.retained_bytes()).sum::<usize>()
            + self.index.capacity() * size_of::<usize>()
    }

    fn is_reset(&self) -> bool {
        self.len == 0
    }

    /// Resets, then restores `fresh`'s live entries, in its order, into kept
    /// ones (values by their `reset_to`); `false` if there are fewer kept
    /// entries than that (a new value cannot be made without `Default`).
    fn reset_to(&mut self, fresh: &Self) -> bool {
        self.clear();
        if fresh.len > self.entries.len() {
            return false;
        }
        let mut all = true;
        for (key, value) in fresh.iter() {
            let (i, _) = self.claim(key, || unreachable!("a kept entry is there"));
            all &= self.entries[i].1.reset_to(value);
        }
        all
    }

    /// Restores `fresh`'s live entries into kept ones where they can be,
    /// and takes `fresh`'s own entries for the others.
    fn reset_from(&mut self, fresh: Self) {
        self.clear();
        for (key, value) in fresh {
            if self.len < self.entries.len() {
                let (kept_key, kept) = &mut self.entries[self.len];
                kept_key.push_str(&key);
                if !kept.reset_to(&value) {
                    *kept = value;
                }
            } else {
                self.entries.push((key, value));
            }
            self.go_live();
        }
    }
}

/// A map of the live entries, in insertion order.
#[cfg(feature = "serde")]
impl<V: serde_core::Serialize> serde_core::Serialize for RecycleMap<V> {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// From a map, in its order; a repeated key's later value is deserialised
/// over the earlier one. In place, the map is cleared first; a key takes a
/// kept entry (written into its `String`: a borrowed key allocates nothing)
/// and its value is filled by the kept value's `deserialize_in_place` (new
/// entries are deserialised when they run out). On an error, the entries
/// completed before it stay live; the one being written is reset and kept.
#[cfg(feature = "serde")]
impl<'de, V: serde_core::Deserialize<'de> + Reset> serde_core::Deserialize<'de> for RecycleMap<V> {
    fn deserialize<D: serde_core::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Self::new();
        Self::deserialize_in_place(deserializer, &mut map)?;
        Ok(map)
    }

    fn deserialize_in_place<D: serde_core::Deserializer<'de>>(
        deserializer: D,
        place: &mut Self,
    ) -> Result<(), D::Error> {
        place.clear();
        deserializer.deserialize_map(serde_impl::InPlaceVisitor(place))
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use std::fmt;

    use serde_core::de::{DeserializeSeed, MapAccess, Visitor};
    use serde_core::{Deserialize, Deserializer};

    use super::RecycleMap;
    use crate::reset::recycle::InPlaceSeed;
    use crate::Reset;

    pub(super) struct InPlaceVisitor<'a, V>(pub(super) &'a mut RecycleMap<V>);

    /// Where a key's value goes.
    enum Slot {
        /// The live entry of a repeated key.
        Live(usize),
        /// The kept entry at `len`, its key written, not live yet.
        Kept,
        /// A new entry: no kept one was left.
        New(String),
    }

    impl<'de, V: Deserialize<'de> + Reset> Visitor<'de> for InPlaceVisitor<'_, V> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map with string keys")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
            let map = self.0;
            while let Some(slot) = access.next_key_seed(KeySeed(&mut *map))? {
                match slot {
                    Slot::Live(i) => {
                        // The later value wins, whatever `V`'s in-place
                        // deserialisation keeps.
                        map.entries[i].1.reset();
                        if let Err(error) = access.next_value_seed(InPlaceSeed(&mut map.entries[i].1)) {
                            map.retire(i);
                            return Err(error);
                        }
                    }
                    Slot::Kept => {
                        let i = map.len;
                        match access.next_value_seed(InPlaceSeed(&mut map.entries[i].1)) {
                            Ok(()) => map.go_live(),
                            Err(error) => {
                                let (key, value) = &mut map.entries[i];
                                key.clear();
                                value.reset();
                                return Err(error);
                            }
                        }
                    }
                    Slot::New(key) => {
                        let value = access.next_value()?;
                        map.entries.push((key, value));
                        map.go_live();
                    }
                }
            }
            Ok(())
        }
    }

    /// Claims the entry a key's value goes to.
    struct KeySeed<'a, V>(&'a mut RecycleMap<V>);

    impl<'de, V> DeserializeSeed<'de> for KeySeed<'_, V> {
        type Value = Slot;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
            deserializer.deserialize_str(self)
        }
    }

    impl<'de, V> Visitor<'de> for KeySeed<'_, V> {
        type Value = Slot;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string key")
        }

        fn visit_str<E: serde_core::de::Error>(self, key: &str) -> Result<Slot, E> {
            let map = self.0;
            if let Some(i) = map.find(key) {
                Ok(Slot::Live(i))
            } else if map.len < map.entries.len() {
                map.entries[map.len].0.push_str(key);
                Ok(Slot::Kept)
            } else {
                Ok(Slot::New(key.to_owned()))
            }
        }

        fn visit_string<E: serde_core::de::Error>(self, key: String) -> Result<Slot, E> {
            let map = &*self.0;
            if map.len == map.entries.len() && map.find(&key).is_none() {
                // A new entry: the deserialiser's own String, no copy.
                return Ok(Slot::New(key));
            }
            self.visit_str(&key)
        }
    }
}
