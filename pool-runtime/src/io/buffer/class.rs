//! The size classes: one [`Pool`] per power of two from 4 KiB to 64 KiB.
//!
//! Class `k` holds buffers whose capacity is in `[size_k, size_{k+1})` (the
//! last one exactly 64 KiB), so a buffer taken from class `k` has room for
//! `size_k` bytes without growing.

use crate::{Pool, PoolConfig, Reset};

/// The smallest class: what [`buffer`](crate::buffer()) hands out.
pub(crate) const MIN_CAPACITY: usize = 4 << 10;
/// The size cap: no buffer above it is pooled (64 KiB, as Go's `fmt` and
/// `encoding/json` buffer pools).
pub(crate) const MAX_CAPACITY: usize = 64 << 10;
const MIN_SHIFT: u32 = MIN_CAPACITY.trailing_zeros();
/// How many classes there are.
pub(crate) const COUNT: usize = (MAX_CAPACITY.trailing_zeros() - MIN_SHIFT + 1) as usize;
/// The capacity of each class's fresh buffers.
pub(crate) const SIZES: [usize; COUNT] = [4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10];

/// Idle bytes a class's shared store may hold (1 MiB): `max_idle = STORE_BYTES / size`.
const STORE_BYTES: usize = 1 << 20;
/// Idle bytes each thread's cache may hold per class (256 KiB, at most 32 buffers).
const CACHE_BYTES: usize = 256 << 10;

/// A pooled buffer and its retention state.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) bytes: Vec<u8>,
    /// Consecutive under-used returns (see `retention`).
    pub(crate) strikes: u8,
    /// The class whose pool it is in: its index in [`POOLS`].
    pub(crate) class: u8,
}

impl Reset for Slot {
    #[inline]
    fn reset(&mut self) {
        self.bytes.clear();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        self.bytes.capacity()
    }

    /// One store: the whole return path is inlined where a buffer is dropped.
    #[inline(always)]
    fn __small_reset() -> bool {
        true
    }

    /// The smallest class, where `buffer()` and every small JSON answer
    /// come from, reaches its thread's cache as a derived type's pool does,
    /// without the per-thread table's lookup; the larger classes, whose
    /// buffers are filled with thousands of bytes a use, go through the
    /// table.
    #[inline]
    fn __thread_slot() -> Option<crate::cache::local::TypedSlot<Self>> {
        crate::sync::thread_local_const! {
            static SMALLEST: crate::cache::local::ThreadSlot<Slot> = crate::cache::local::ThreadSlot::new();
        }
        Some(crate::engine::pool::thread_slot(&SMALLEST, &POOLS[0]))
    }
}

const fn config(name: &'static str, size: usize) -> PoolConfig {
    let cache = CACHE_BYTES / size;
    PoolConfig::new(name)
        .max_idle(STORE_BYTES / size)
        .cache_size(if cache < 32 { cache } else { 32 })
        .max_retained_bytes(MAX_CAPACITY)
        .exact_heap(size)
}

macro_rules! classes {
    ($($class:literal: $size:literal => $name:literal),* $(,)?) => {
        /// The class pools, smallest first; each is its own metrics label.
        pub(crate) static POOLS: [Pool<Slot>; COUNT] = [$(
            Pool::with_config(
                || Slot { bytes: Vec::with_capacity($size << 10), strikes: 0, class: $class },
                config($name, $size << 10),
            ),
        )*];
    };
}

classes! {
    0: 4 => "buffer_4k",
    1: 8 => "buffer_8k",
    2: 16 => "buffer_16k",
    3: 32 => "buffer_32k",
    4: 64 => "buffer_64k",
}

/// The smallest class whose buffers hold `n` bytes, or `None` above the cap.
#[inline]
pub(crate) const fn for_request(n: usize) -> Option<usize> {
    if n <= MIN_CAPACITY {
        Some(0)
    } else if n > MAX_CAPACITY {
        None
    } else {
        Some((n.next_power_of_two().trailing_zeros() - MIN_SHIFT) as usize)
    }
}

/// The class a buffer of `capacity` goes back to: the largest whose size it
/// reaches; `None` below the smallest class or above the cap.
#[inline]
pub(crate) const fn for_capacity(capacity: usize) -> Option<usize> {
    if capacity < MIN_CAPACITY || capacity > MAX_CAPACITY {
        None
    } else {
        Some((usize::BITS - 1 - capacity.leading_zeros() - MIN_SHIFT) as usize)
    }
}

/// The class whose size is exactly `size`.
pub(crate) fn by_size(size: usize) -> Option<usize> {
    SIZES.iter().position(|&s| s == size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_names_agree() {
        for (k, size) in SIZES.iter().enumerate() {
            assert_eq!(POOLS[k].name(), format!("buffer_{}k", size >> 10));
            assert_eq!(usize::from(POOLS[k].get().class), k);
            assert_eq!(for_request(*size), Some(k));
            assert_eq!(for_capacity(*size), Some(k));
            assert_eq!(by_size(*size), Some(k));
        }
    }

    #[test]
    fn requests_round_up_capacities_round_down() {
        assert_eq!(for_request(0), Some(0));
        assert_eq!(for_request(4097), Some(1));
        assert_eq!(for_request(50 << 10), Some(4));
        assert_eq!(for_request((64 << 10) + 1), None);
        assert_eq!(for_capacity(4095), None);
        assert_eq!(for_capacity(8191), Some(0));
        assert_eq!(for_capacity(40 << 10), Some(3));
        assert_eq!(for_capacity((64 << 10) + 1), None);
    }
}
