//! Making a returned object equal to a fresh one, when `reset` alone does not.
//!
//! Most constructors make objects in the state `Reset::reset` leaves (an
//! all-zero `Default`); a pool of such a type returns objects by `reset`
//! alone. A constructor that sets anything else (`status: 200`, a content
//! type, `page_size: Some(100)`) would have the second user see zeros where
//! the first saw those values. A pool learns which kind its constructor is
//! from the first object it makes ([`Fresh::learn`]), and from then on
//! restores every returned object of the second kind to a *template*: one
//! object its constructor made, kept in each thread's cache (a template
//! shared between threads would need `T: Sync`, which a pooled type need not
//! be), through `Reset::reset_to`, which copies the fresh values into the
//! object's own allocations (`Pool::restore`).
//!
//! The inline take and return paths pay nothing for this: a restoring
//! pool's thread caches keep their objects out of the inline paths' sight
//! (`LocalCache::restored`), so that its returns take the out-of-line path,
//! which restores.

use crate::sync::{AtomicU8, Ordering::Relaxed};

/// What a pool knows of its constructor, stored as its `u8` in [`Fresh`].
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Constructor {
    /// It makes objects in the reset state: `reset` suffices. Zero, so
    /// that testing for it is one compare with memory.
    Plain = 0,
    /// Not known yet: no object was made and checked.
    Unknown = 1,
    /// It makes objects `reset` would change: restore a template.
    Restore = 2,
}

/// What a pool knows of its constructor's objects.
///
/// Relaxed throughout: the state only ever goes from unknown to one answer
/// that every thread computes alike, and a thread that still reads the old
/// state takes the slow path, which checks again.
pub(crate) struct Fresh(AtomicU8);

impl Fresh {
    crate::sync::const_fn! {
        pub(crate) fn new() -> Self {
            Self(AtomicU8::new(Constructor::Unknown as u8))
        }
    }

    /// Whether returns are `reset` alone.
    #[inline]
    pub(crate) fn is_plain(&self) -> bool {
        self.0.load(Relaxed) == Constructor::Plain as u8
    }

    /// Records what a freshly made object says of the constructor (its
    /// `Reset::is_reset`, asked only then), the first time one is made.
    #[inline]
    pub(crate) fn learn(&self, is_reset: impl FnOnce() -> bool) {
        if self.0.load(Relaxed) == Constructor::Unknown as u8 {
            self.learn_slow(is_reset());
        }
    }

    #[cold]
    #[inline(never)]
    fn learn_slow(&self, is_reset: bool) {
        // Once: a constructor whose output varies could make two first
        // objects disagree, and a cache handed to the inline paths on the
        // first answer must never see it change.
        let learnt = if is_reset { Constructor::Plain } else { Constructor::Restore };
        let _ = self.0.compare_exchange(Constructor::Unknown as u8, learnt as u8, Relaxed, Relaxed);
    }
}
