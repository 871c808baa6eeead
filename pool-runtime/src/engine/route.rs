//! Which cache serves a pool on the calling thread: decided here, once.
//!
//! A `#[derive(Poolable)]` type's own pool uses the `thread_local!` the
//! derive generated for that type (`Reset::__thread_slot`), reached with no
//! lookup. The pool of an
//! instantiation of a generic derived type uses the one `thread_local!` the
//! derive generated for the type's definition (`Reset::__generic_slot`),
//! where its cache is found by a downcast. Every other pool (hand-built, or
//! a second pool of a derived type) uses the per-thread table, indexed by
//! the pool's id. Every path that reaches a thread's cache asks [`route`],
//! so the choice is made in this one place; every answer is static
//! dispatch, and for a concrete `T::pooled()` the choice is made at compile
//! time (a generic one tests a flag of its pool).

// The slot saves over a third of the instructions of a take/return cycle
// against the table (`scripts/callgrind-engine.sh`, `derived` against `pool`).

use crate::cache::local::{add_generic, with_generic, with_table, GenericSlot, LocalCache, Owner, TypedSlot};
use crate::cache::shared::Shared;
use crate::sync::LocalKey;
use crate::Reset;

/// The cache of a pool on the calling thread.
pub(crate) enum Route<T: Send + 'static> {
    /// The derived type's own slot.
    Slot(TypedSlot<T>),
    /// The slot of a generic derived type's definition: the pool of one of
    /// its instantiations (made by `generic_pool`).
    Generic(&'static LocalKey<GenericSlot>),
    /// The per-thread table, inline: a hand-built pool.
    Table,
    /// The per-thread table, on the slow paths only: a second pool of a
    /// derived type.
    SecondPool,
}

/// Where the calling thread keeps `shared`'s cache.
#[inline(always)]
pub(crate) fn route<T: Reset + Send + 'static>(shared: &'static Shared<T>) -> Route<T> {
    match (T::__thread_slot(), T::__generic_slot()) {
        (Some(slot), _) if slot.belongs_to(shared) => Route::Slot(slot),
        (None, Some(key)) if shared.is_generic() => Route::Generic(key),
        (Some(_), _) | (None, Some(_)) => Route::SecondPool,
        (None, None) => Route::Table,
    }
}

impl<T: Send + 'static> Route<T> {
    /// Runs `f` on the cache as it is (dormant, awake or closed), with its
    /// owner: for the inline take and return, whose misses wake the cache.
    /// `None` where no cache can be had (see `local::with_table`), and for a
    /// second pool of a derived type, whose operations go to the slow paths:
    /// its table lookup inline would make every drop of a guard of the type
    /// too big to inline (the drop glue does not know which pool its guard
    /// holds).
    #[inline(always)]
    pub(crate) fn with_hot<R>(
        self,
        shared: &'static Shared<T>,
        f: impl FnOnce(&mut LocalCache<T>, Owner<T>) -> R,
    ) -> Option<R> {
        match self {
            Route::Slot(slot) => {
                let owner = slot.owner();
                slot.with(|cache| f(cache, owner))
            }
            Route::Generic(key) => with_generic(key, |cache| f(cache, Owner::table(shared))),
            Route::Table => with_table(shared, |cache| f(cache, Owner::table(shared))),
            Route::SecondPool => None,
        }
    }

    /// Runs `f` on the cache, woken first; `None` where no cache can be had,
    /// also once the thread's caches were handed back at its exit. For the
    /// slow paths.
    #[inline]
    pub(crate) fn with<R>(
        self,
        shared: &'static Shared<T>,
        f: impl FnOnce(&mut LocalCache<T>, Owner<T>) -> R,
    ) -> Option<R> {
        let woken = |cache: &mut LocalCache<T>, owner| cache.wake(owner).then(|| f(cache, owner));
        match self {
            Route::Slot(_) | Route::Table => self.with_hot(shared, woken).flatten(),
            // The thread's first use of the instantiation adds its cache.
            Route::Generic(key) => {
                if with_generic::<T, _>(key, |_| ()).is_none() && !add_generic::<T>(key) {
                    return None;
                }
                with_generic(key, |cache| woken(cache, Owner::table(shared))).flatten()
            }
            Route::SecondPool => with_table(shared, |cache| woken(cache, Owner::table(shared))).flatten(),
        }
    }
}
