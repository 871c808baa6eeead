//! Per-thread caches: the lock-free, allocation-free hit path.
//!
//! Each thread keeps, per pool it uses, a bounded stack of idle objects and a
//! tally of its own counts. Takes and returns touch only that stack; when it
//! runs empty or full, three quarters of it move to or from the shared store under the
//! store's lock (as Go's per-P pools, .NET's `ArrayPool` and Netty's
//! `Recycler` balance). When the thread exits, its caches go back to their
//! stores and their tallies are folded into the pools' counters.

use std::any::Any;
use std::cell::RefCell;

use crate::pool::Pool;
use crate::stats::{Event, Tally};
use crate::sync::lock;
use crate::Reset;

/// One thread's caches, indexed by pool id.
type Caches = Vec<Option<Box<dyn Any>>>;

#[cfg(not(loom))]
std::thread_local! {
    static CACHES: RefCell<Caches> = const { RefCell::new(Vec::new()) };
}
#[cfg(loom)]
loom::thread_local! {
    static CACHES: RefCell<Caches> = RefCell::new(Vec::new());
}

/// Runs `f` on the calling thread's cache for `pool`, creating it on first use.
///
/// Returns `None` where no cache can be had: while the thread's caches are
/// being destroyed at its exit, or when a pool operation runs inside another
/// one on the same thread (a `Drop` of a discarded object that drops a guard
/// of another pool, say). Callers then go to the shared store directly.
#[inline(always)]
pub(crate) fn with_cache<T, R>(pool: &'static Pool<T>, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R>
where
    T: Reset + Send + 'static,
{
    #[cfg(not(loom))]
    if let Some(slot) = T::__thread_slot() {
        if slot.belongs_to(pool) {
            return slot.with(f);
        }
    }
    with_shared_table(pool, |cache| f(cache.wake(pool)))
}

/// The generic path: this thread's table of caches, indexed by pool id.
#[inline]
pub(crate) fn with_shared_table<T, R>(
    pool: &'static Pool<T>,
    f: impl FnOnce(&mut LocalCache<T>) -> R,
) -> Option<R>
where
    T: Reset + Send + 'static,
{
    let id = pool.id();
    CACHES
        .try_with(|caches| {
            let mut caches = caches.try_borrow_mut().ok()?;
            if caches.len() <= id {
                caches.resize_with(id + 1, || None);
            }
            let cache = caches[id].get_or_insert_with(|| Box::new(LocalCache::<T>::dormant()));
            cache.downcast_mut::<LocalCache<T>>().map(f)
        })
        .ok()
        .flatten()
}

/// A derived type's own thread-local cache slot (see `Reset::__thread_slot`).
#[doc(hidden)]
#[cfg(not(loom))]
pub struct ThreadSlot<T: Reset + Send + 'static>(RefCell<LocalCache<T>>);

#[cfg(not(loom))]
impl<T: Reset + Send + 'static> ThreadSlot<T> {
    /// An empty slot, for a `const`-initialised `thread_local!`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(RefCell::new(LocalCache::dormant()))
    }
}

/// A derived type's thread-local cache slot and the one pool that uses it.
#[doc(hidden)]
#[cfg(not(loom))]
pub struct TypedSlot<T: Reset + Send + 'static> {
    key: &'static std::thread::LocalKey<ThreadSlot<T>>,
    pool: &'static Pool<T>,
}

#[cfg(not(loom))]
impl<T: Reset + Send + 'static> TypedSlot<T> {
    /// Binds `key` to `pool`: other pools of the same type use the generic path.
    pub const fn new(key: &'static std::thread::LocalKey<ThreadSlot<T>>, pool: &'static Pool<T>) -> Self {
        Self { key, pool }
    }

    /// Whether `pool` is the one pool this slot caches for (known at compile
    /// time when `T::pooled()` names the type's own static pool).
    #[inline(always)]
    pub(crate) fn belongs_to(&self, pool: &'static Pool<T>) -> bool {
        std::ptr::eq(self.pool, pool)
    }

    /// Runs `f` on this thread's cache as it is, dormant or not: for
    /// [`LocalCache::take`] and [`LocalCache::put`], whose slow paths wake it.
    /// `None` as for [`with_cache`].
    #[inline(always)]
    pub(crate) fn with_hot<R>(&self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        self.key.try_with(|slot| Some(f(&mut *slot.0.try_borrow_mut().ok()?))).ok().flatten()
    }

    /// Runs `f` on this thread's cache, woken. `None` as for [`with_cache`].
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        let pool = self.pool;
        self.with_hot(|cache| f(cache.wake(pool)))
    }
}

/// A thread's idle objects and counts for one pool.
///
/// It starts dormant, as a constant (no allocation, no tally, no pool), so
/// that a derived type's `thread_local!` needs no lazy initialisation and the
/// hit path no "is there a cache yet" test: a dormant cache is empty and has
/// no room, so the first take or return goes down the slow path, which wakes
/// it.
pub(crate) struct LocalCache<T: Reset + Send + 'static> {
    /// Idle objects, most recently returned last. Its capacity, reserved
    /// exactly once (`Vec::with_capacity` is exact), *is* the cache's bound
    /// `min(cache_size, max_idle)`: a push below it never reallocates, and the
    /// hit path reads one field fewer.
    objects: Vec<Box<T>>,
    /// This thread's tally; a placeholder no one counts on while dormant.
    tally: &'static Tally,
    /// `None` while dormant.
    pool: Option<&'static Pool<T>>,
}

impl<T: Reset + Send + 'static> LocalCache<T> {
    crate::sync::const_fn! {
        fn dormant() -> Self {
            Self { objects: Vec::new(), tally: Tally::placeholder(), pool: None }
        }
    }

    /// Makes a dormant cache ready for `pool`: its storage, its tally, and
    /// the pool's registration for metrics on its first use on any thread.
    #[inline]
    fn wake(&mut self, pool: &'static Pool<T>) -> &mut Self {
        if self.pool.is_none() {
            self.wake_up(pool);
        }
        self
    }

    #[cold]
    #[inline(never)]
    fn wake_up(&mut self, pool: &'static Pool<T>) {
        pool.id();
        self.objects = Vec::with_capacity(pool.config().local_capacity());
        self.tally = pool.counters().attach();
        self.pool = Some(pool);
    }

    #[inline]
    pub(crate) fn count(&self, event: Event) {
        self.tally.bump_owned(event, 1);
    }

    /// Takes an idle object (counting a hit), refilling from the shared store
    /// when the cache is empty. `None` is a miss, counted by the caller once
    /// the new object exists.
    #[inline(always)]
    pub(crate) fn take(&mut self, pool: &'static Pool<T>) -> Option<Box<T>> {
        let object = match self.objects.pop() {
            Some(object) => object,
            None => self.refill(pool)?,
        };
        self.count(Event::Hit);
        Some(object)
    }

    /// `take` on an empty (or dormant) cache: a batch from the shared store.
    #[cold]
    #[inline(never)]
    fn refill(&mut self, pool: &'static Pool<T>) -> Option<Box<T>> {
        self.wake(pool);
        let mut store = lock(pool.store());
        if self.objects.capacity() == 0 {
            return store.pop();
        }
        store.take_batch(&mut self.objects, pool.config().batch());
        drop(store);
        self.objects.pop()
    }

    /// Keeps a reset object (counting a return), spilling the older three
    /// quarters of a full cache to the shared store. Gives the object back,
    /// counted as a `full` discard, when neither has room.
    #[inline(always)]
    pub(crate) fn put(&mut self, pool: &'static Pool<T>, object: Box<T>) -> Result<(), Box<T>> {
        if self.objects.len() >= self.objects.capacity() {
            return self.spill_and_put(pool, object);
        }
        self.objects.push(object);
        self.count(Event::Return);
        Ok(())
    }

    /// `put` on a full (or dormant) cache.
    #[cold]
    #[inline(never)]
    fn spill_and_put(&mut self, pool: &'static Pool<T>, object: Box<T>) -> Result<(), Box<T>> {
        self.wake(pool);
        if self.objects.len() >= self.objects.capacity() {
            let mut store = lock(pool.store());
            if self.objects.capacity() == 0 {
                let kept = store.push(object);
                drop(store);
                self.count(if kept.is_ok() { Event::Return } else { Event::Full });
                return kept;
            }
            store.give_batch(&mut self.objects, pool.config().batch());
            drop(store);
            if self.objects.len() >= self.objects.capacity() {
                self.count(Event::Full);
                return Err(object);
            }
        }
        self.objects.push(object);
        self.count(Event::Return);
        Ok(())
    }

    /// Empties the cache (for `Pool::clear`), keeping its storage: the caller
    /// drops the objects once no cache is borrowed.
    pub(crate) fn drain(&mut self) -> Vec<Box<T>> {
        let mut drained = Vec::with_capacity(self.objects.len());
        drained.append(&mut self.objects);
        drained
    }

    pub(crate) fn len(&self) -> usize {
        self.objects.len()
    }
}

/// The thread exits: hand the objects back to the shared store, drop what
/// does not fit as evictions, fold the tally. A dormant cache has nothing.
impl<T: Reset + Send + 'static> Drop for LocalCache<T> {
    fn drop(&mut self) {
        let Some(pool) = self.pool else { return };
        let mut store = lock(pool.store());
        store.give_batch(&mut self.objects, usize::MAX);
        drop(store);
        let evicted = std::mem::take(&mut self.objects);
        if !evicted.is_empty() {
            self.tally.bump_owned(Event::Evicted, evicted.len() as u64);
        }
        pool.counters().detach(self.tally);
        // Dropped last, with no lock held and the tally folded: a `Drop` that
        // uses a pool finds this thread's caches gone and takes the slow path.
        drop(evicted);
    }
}
