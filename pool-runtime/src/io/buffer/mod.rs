//! Pooled byte buffers: [`buffer`], [`buffer_with_capacity`], [`PooledBuffer`].
//!
//! Go services pool their JSON encode buffers with `sync.Pool` and copy the
//! bytes out; a [`PooledBuffer`] is handed on as is (as a `bytes::Bytes` body
//! with feature `bytes`) and goes back to its pool when its last user drops it.

mod class;
mod retention;

use std::fmt;
use std::io;
use std::mem;
use std::ops::{Deref, DerefMut};

use crate::observe::stats::{Discards, Event, PoolStats};
use crate::Pooled;
use class::{Slot, POOLS};
use retention::Verdict;

/// A 4 KiB (at least) pooled byte buffer, empty.
///
/// ```
/// use std::io::Write;
///
/// let mut out = poolable::buffer();
/// write!(out, "{{\"table\":\"{}\"}}", "orders").unwrap();
/// assert_eq!(&out[..], br#"{"table":"orders"}"#);
/// assert!(out.capacity() >= 4096);
/// ```
#[inline]
#[track_caller]
pub fn buffer() -> PooledBuffer {
    PooledBuffer::take(0)
}

/// An empty pooled byte buffer with room for at least `capacity` bytes, from
/// the smallest size class that fits; above the 64 KiB cap, a plain
/// allocation that is never pooled.
///
/// ```
/// let schema = poolable::buffer_with_capacity(40 * 1024);
/// assert!(schema.capacity() >= 40 * 1024);
/// assert_eq!(schema.class_size(), Some(64 * 1024));
/// ```
#[inline]
#[track_caller]
pub fn buffer_with_capacity(capacity: usize) -> PooledBuffer {
    match class::for_request(capacity) {
        Some(class) => PooledBuffer::take(class),
        None => PooledBuffer { storage: Storage::Plain(Vec::with_capacity(capacity)) },
    }
}

/// A byte buffer from a size-class pool: derefs to `Vec<u8>`, implements
/// [`std::io::Write`], and goes back to the pool of the class its capacity
/// fits when dropped, if the retention policy keeps it (see [`buffer`] and
/// below).
///
/// # Size classes
///
/// Buffers come from five pools, one per power of two: 4, 8, 16, 32 and
/// 64 KiB, labelled `buffer_4k` … `buffer_64k` in [`pools`](crate::pools) and
/// the metrics. [`buffer`] takes from the 4 KiB class,
/// [`buffer_with_capacity(n)`](buffer_with_capacity) from the smallest class
/// of at least `n` bytes. A buffer grows as a `Vec` does (in place, through
/// `Write` or `DerefMut`), and when dropped goes back to the class its
/// capacity now fits: that class counts it as a miss followed by a return (it
/// gained a buffer it did not hand out), and the class it left counts an
/// `oversized` discard, so each class keeps
/// `hits + misses == returns + discards + in_use`.
///
/// # Retention (Go's json v2, `jsontext/pools.go`)
///
/// When a buffer is dropped, with `len` the bytes it held and `cap` its capacity:
///
/// * `cap <= 4 KiB`: kept.
/// * `len >= cap / 4`: kept, its strikes cleared.
/// * otherwise a *strike*: kept while it has fewer than four strikes; the fifth
///   under-used return in a row drops it (an `oversized` discard). A kept
///   buffer is thus at worst 25 % / 5 = 5 % used.
/// * `cap > 64 KiB` (the size cap): dropped (an `oversized` discard of the
///   class it was taken from).
/// * storage replaced or shrunk below 4 KiB through `DerefMut`: dropped (a
///   `detached` discard).
///
/// [`buffer_with_capacity(n)`](buffer_with_capacity) with `n` above the cap is
/// a plain allocation, never pooled and counted by no class.
///
/// # Bounds
///
/// Each class's shared store holds at most 1 MiB (`max_idle` = 256, 128, 64,
/// 32, 16 buffers) and each thread's cache at most 256 KiB per class
/// (`cache_size` = 32, 32, 16, 8, 4).
pub struct PooledBuffer {
    storage: Storage,
}

/// Where a buffer's bytes live while it is in use.
enum Storage {
    /// In their slot, taken from the class pool the slot names; the slot's
    /// guard returns it when the buffer drops.
    Pooled(Pooled<Slot>),
    /// A plain allocation: above the size cap, or once detached or handed
    /// to another class on the way back.
    Plain(Vec<u8>),
}

impl PooledBuffer {
    /// Capacities of the size classes, smallest first.
    pub const CLASS_SIZES: [usize; class::COUNT] = class::SIZES;
    /// The size cap: buffers of a larger capacity are never kept.
    pub const MAX_POOLED_CAPACITY: usize = class::MAX_CAPACITY;

    #[inline]
    #[track_caller]
    fn take(class: usize) -> Self {
        let slot = POOLS[class].get();
        debug_assert!(slot.bytes.capacity() >= class::SIZES[class]);
        Self { storage: Storage::Pooled(slot) }
    }

    /// Keeps the bytes as a plain `Vec`, never returned (a `detached` discard
    /// of its class).
    pub fn detach(mut this: Self) -> Vec<u8> {
        match mem::replace(&mut this.storage, Storage::Plain(Vec::new())) {
            Storage::Pooled(slot) => mem::take(&mut Pooled::leave(slot, Event::Detached).bytes),
            Storage::Plain(bytes) => bytes,
        }
    }

    /// The size of the class this buffer is held for (`None` above the cap).
    pub fn class_size(&self) -> Option<usize> {
        match &self.storage {
            Storage::Pooled(slot) => Some(class::SIZES[usize::from(slot.class)]),
            Storage::Plain(_) => None,
        }
    }

    /// Consecutive under-used returns so far (see the retention policy); a
    /// buffer with four is dropped if it is under-used once more.
    pub fn strikes(&self) -> u8 {
        match &self.storage {
            Storage::Pooled(slot) => slot.strikes,
            Storage::Plain(_) => 0,
        }
    }

    /// The counters of the class of `class_size` bytes (one of
    /// [`CLASS_SIZES`](Self::CLASS_SIZES)).
    ///
    /// ```
    /// use poolable::PooledBuffer;
    ///
    /// drop(poolable::buffer_with_capacity(10_000));
    /// let stats = PooledBuffer::class_stats(16 * 1024).unwrap();
    /// assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use);
    /// ```
    pub fn class_stats(class_size: usize) -> Option<PoolStats> {
        class::by_size(class_size).map(|k| POOLS[k].stats())
    }

    /// Why the class of `class_size` bytes discarded buffers.
    pub fn class_discards(class_size: usize) -> Option<Discards> {
        class::by_size(class_size).map(|k| POOLS[k].discards())
    }

    /// [`Pool::trim`](crate::Pool::trim) on every class: drops the idle
    /// buffers not taken since the previous call.
    pub fn trim_classes() {
        POOLS.iter().for_each(crate::Pool::trim);
    }

    /// [`Pool::clear`](crate::Pool::clear) on every class.
    pub fn clear_classes() {
        POOLS.iter().for_each(crate::Pool::clear);
    }
}

/// Applies the retention policy; the slot's guard then returns the buffer
/// to its class (or drops it, while the thread panics).
///
/// The common case, a buffer that kept its class's capacity and was used
/// enough, is decided here in two comparisons and moves nothing; growth,
/// under-use and replaced storage go to `release_slow`.
impl Drop for PooledBuffer {
    #[inline]
    fn drop(&mut self) {
        if let Storage::Pooled(slot) = &mut self.storage {
            let (len, capacity) = (slot.bytes.len(), slot.bytes.capacity());
            if capacity == class::SIZES[usize::from(slot.class)]
                && (capacity <= retention::ALWAYS_KEEP || len >= capacity / 4)
            {
                slot.strikes = 0;
            } else {
                release_slow(&mut self.storage);
            }
        }
    }
}

/// The retention policy's other verdicts, and a buffer that grew into
/// another class: leaves `storage` empty and plain once it has dealt with
/// the slot.
#[cold]
#[inline(never)]
fn release_slow(storage: &mut Storage) {
    let Storage::Pooled(mut slot) = mem::replace(storage, Storage::Plain(Vec::new())) else {
        return;
    };
    match retention::decide(slot.bytes.len(), slot.bytes.capacity(), slot.strikes) {
        Verdict::Keep { strikes } => slot.strikes = strikes,
        Verdict::Oversized => return drop(Pooled::leave(slot, Event::Oversized)),
        Verdict::Replaced => return drop(Pooled::leave(slot, Event::Detached)),
    }
    let Some(class) = class::for_capacity(slot.bytes.capacity()) else {
        unreachable!("the policy drops buffers outside the classes")
    };
    // A class keeps buffers of exactly its capacity, so that the bytes
    // its idle buffers hold are known (`pool_idle_bytes`): one that grew
    // to an odd size is cut down to the class it reached, which is rare
    // (growth doubles a class's capacity into the next one's).
    if slot.bytes.capacity() != class::SIZES[class] {
        slot.bytes.clear(); // as the reset would, so the shrink can reach it
        slot.bytes.shrink_to(class::SIZES[class]);
        if slot.bytes.capacity() != class::SIZES[class] {
            return drop(Pooled::leave(slot, Event::Detached));
        }
    }
    if usize::from(slot.class) != class {
        let mut moved = Pooled::leave(slot, Event::Oversized);
        moved.class = class as u8;
        POOLS[class].adopt(moved);
    }
}

impl Default for PooledBuffer {
    /// [`buffer()`](buffer).
    #[track_caller]
    fn default() -> Self {
        buffer()
    }
}

impl Deref for PooledBuffer {
    type Target = Vec<u8>;

    #[inline]
    fn deref(&self) -> &Vec<u8> {
        match &self.storage {
            Storage::Pooled(slot) => &slot.bytes,
            Storage::Plain(bytes) => bytes,
        }
    }
}

impl DerefMut for PooledBuffer {
    #[inline]
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        match &mut self.storage {
            Storage::Pooled(slot) => &mut slot.bytes,
            Storage::Plain(bytes) => bytes,
        }
    }
}

impl AsRef<[u8]> for PooledBuffer {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl AsMut<[u8]> for PooledBuffer {
    #[inline]
    fn as_mut(&mut self) -> &mut [u8] {
        self
    }
}

/// Appends, as `Vec<u8>`'s `Write` does (with its speed: the encoders'
/// hot path has no extra check). Growth is in place; the grown buffer goes
/// back to the class its capacity fits.
impl io::Write for PooledBuffer {
    #[inline]
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        (**self).extend_from_slice(data);
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        (**self).extend_from_slice(data);
        Ok(())
    }

    #[inline]
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for PooledBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledBuffer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("class_size", &self.class_size())
            .field("strikes", &self.strikes())
            .finish()
    }
}
