//! Which returned buffers are worth keeping: Go's json v2 policy
//! (`encoding/json/jsontext/pools.go`), plus the size cap.
//!
//! * A buffer of at most [`ALWAYS_KEEP`] (4 KiB) is always kept.
//! * A larger one is kept while its last user filled at least a quarter of
//!   its capacity; each return below that is a *strike*, and a well-used
//!   return clears the strikes.
//! * A buffer that already has [`MAX_STRIKES`] (4) strikes and is under-used
//!   once more is dropped: one big buffer is not kept alive by a stream of
//!   small uses (as in [golang/go#23199](https://github.com/golang/go/issues/23199)
//!   and [golang/go#27735](https://github.com/golang/go/issues/27735)). The worst case utilisation of a
//!   kept buffer is thus 25 % / (1 + 4) = 5 %.
//! * A buffer above the size cap ([`MAX_CAPACITY`], 64 KiB) is never kept.

use super::class::{MAX_CAPACITY, MIN_CAPACITY};

/// Buffers up to this capacity are kept whatever their use.
pub(crate) const ALWAYS_KEEP: usize = 4 << 10;
/// Consecutive under-used returns a buffer may have before the next drops it.
pub(crate) const MAX_STRIKES: u8 = 4;

/// What to do with a buffer whose guard was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Keep it, with this many strikes.
    Keep { strikes: u8 },
    /// Too large for its use, or above the cap: drop it (an `oversized` discard).
    Oversized,
    /// Its storage was taken or shrunk below the smallest class (through
    /// `DerefMut`): nothing worth keeping (a `detached` discard).
    Replaced,
}

/// The policy, for a buffer of `capacity` that held `len` bytes when its
/// guard was dropped and had `strikes` strikes.
pub(crate) const fn decide(len: usize, capacity: usize, strikes: u8) -> Verdict {
    if capacity < MIN_CAPACITY {
        Verdict::Replaced
    } else if capacity > MAX_CAPACITY {
        Verdict::Oversized
    } else if capacity <= ALWAYS_KEEP || len >= capacity / 4 {
        Verdict::Keep { strikes: 0 }
    } else if strikes < MAX_STRIKES {
        Verdict::Keep { strikes: strikes + 1 }
    } else {
        Verdict::Oversized
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_buffers_are_always_kept() {
        assert_eq!(decide(0, 4096, 0), Verdict::Keep { strikes: 0 });
        assert_eq!(decide(0, 4096, MAX_STRIKES), Verdict::Keep { strikes: 0 });
    }

    #[test]
    fn a_quarter_used_is_kept_and_clears_strikes() {
        assert_eq!(decide(16 << 10, 64 << 10, 3), Verdict::Keep { strikes: 0 });
        assert_eq!(decide(2048, 8192, 4), Verdict::Keep { strikes: 0 });
    }

    #[test]
    fn under_use_strikes_then_drops() {
        assert_eq!(decide(2047, 8192, 0), Verdict::Keep { strikes: 1 });
        assert_eq!(decide(0, 8192, 3), Verdict::Keep { strikes: 4 });
        assert_eq!(decide(0, 8192, 4), Verdict::Oversized);
    }

    #[test]
    fn cap_and_replaced_storage() {
        assert_eq!(decide(MAX_CAPACITY + 1, MAX_CAPACITY + 1, 0), Verdict::Oversized);
        assert_eq!(decide(MAX_CAPACITY, MAX_CAPACITY, 0), Verdict::Keep { strikes: 0 });
        assert_eq!(decide(0, 0, 0), Verdict::Replaced);
        assert_eq!(decide(10, 100, 0), Verdict::Replaced);
    }
}
