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
use crate::sync::{lock, Arc};
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
    with_shared_table(pool, f)
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
            let cache = caches[id].get_or_insert_with(|| Box::new(LocalCache::new(pool)));
            cache.downcast_mut::<LocalCache<T>>().map(f)
        })
        .ok()
        .flatten()
}

/// A derived type's own thread-local cache slot (see `Reset::__thread_slot`).
#[doc(hidden)]
#[cfg(not(loom))]
pub struct ThreadSlot<T: Reset + Send + 'static>(RefCell<Option<LocalCache<T>>>);

#[cfg(not(loom))]
impl<T: Reset + Send + 'static> ThreadSlot<T> {
    /// An empty slot, for a `const`-initialised `thread_local!`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(RefCell::new(None))
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

    /// Runs `f` on this thread's cache, creating it on first use (out of
    /// line, so the hit path stays small enough to inline into its caller).
    /// `None` as for [`with_cache`].
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        let pool = self.pool;
        self.key
            .try_with(|slot| {
                let mut slot = slot.0.try_borrow_mut().ok()?;
                let cache = match &mut *slot {
                    Some(cache) => cache,
                    None => LocalCache::first_use(&mut slot, pool),
                };
                Some(f(cache))
            })
            .ok()
            .flatten()
    }
}

/// A thread's idle objects and counts for one pool.
pub(crate) struct LocalCache<T: Reset + Send + 'static> {
    objects: Vec<Box<T>>,
    /// `min(cache_size, max_idle)`, read once from the config.
    capacity: usize,
    batch: usize,
    tally: Arc<Tally>,
    pool: &'static Pool<T>,
}

impl<T: Reset + Send + 'static> LocalCache<T> {
    #[cold]
    fn new(pool: &'static Pool<T>) -> Self {
        // Registers the pool for metrics on its first use on any thread.
        pool.id();
        let capacity = pool.config().local_capacity();
        Self {
            // Room for a refill batch on top of a full cache is never needed:
            // refills happen only when the cache is empty.
            objects: Vec::with_capacity(capacity.max(1)),
            capacity,
            batch: pool.config().batch(),
            tally: pool.counters().attach(),
            pool,
        }
    }

    /// Creates the calling thread's cache in its empty slot.
    #[cold]
    #[inline(never)]
    #[cfg(not(loom))]
    fn first_use<'s>(slot: &'s mut Option<Self>, pool: &'static Pool<T>) -> &'s mut Self {
        slot.insert(Self::new(pool))
    }

    #[inline]
    pub(crate) fn count(&self, event: Event) {
        self.tally.bump_owned(event, 1);
    }

    /// Takes an idle object (counting a hit), refilling from the shared store
    /// when the cache is empty. `None` is a miss, counted by the caller once
    /// the new object exists.
    #[inline(always)]
    pub(crate) fn take(&mut self) -> Option<Box<T>> {
        let object = match self.objects.pop() {
            Some(object) => object,
            None => self.refill()?,
        };
        self.count(Event::Hit);
        Some(object)
    }

    /// `take` on an empty cache: a batch from the shared store.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Option<Box<T>> {
        lock(self.pool.store()).take_batch(&mut self.objects, self.batch);
        self.objects.pop()
    }

    /// Keeps a reset object (counting a return), spilling the older three quarters of a
    /// full cache to the shared store. Gives the object back, counted as a
    /// `full` discard, when neither has room.
    #[inline(always)]
    pub(crate) fn put(&mut self, object: Box<T>) -> Result<(), Box<T>> {
        if self.objects.len() >= self.capacity {
            return self.spill_and_put(object);
        }
        self.objects.push(object);
        self.count(Event::Return);
        Ok(())
    }

    /// `put` on a full cache.
    #[cold]
    #[inline(never)]
    fn spill_and_put(&mut self, object: Box<T>) -> Result<(), Box<T>> {
        let mut store = lock(self.pool.store());
        if self.capacity == 0 {
            let kept = store.push(object);
            drop(store);
            self.count(if kept.is_ok() { Event::Return } else { Event::Full });
            return kept;
        }
        store.give_batch(&mut self.objects, self.batch);
        drop(store);
        if self.objects.len() >= self.capacity {
            self.count(Event::Full);
            return Err(object);
        }
        self.objects.push(object);
        self.count(Event::Return);
        Ok(())
    }

    /// Empties the cache (for `Pool::clear`): the caller drops the objects
    /// once no cache is borrowed.
    pub(crate) fn drain(&mut self) -> Vec<Box<T>> {
        std::mem::replace(&mut self.objects, Vec::with_capacity(self.capacity.max(1)))
    }

    pub(crate) fn len(&self) -> usize {
        self.objects.len()
    }
}

/// The thread exits (or the cache is replaced): hand the objects back to the
/// shared store, drop what does not fit as evictions, fold the tally.
impl<T: Reset + Send + 'static> Drop for LocalCache<T> {
    fn drop(&mut self) {
        let mut store = lock(self.pool.store());
        store.give_batch(&mut self.objects, usize::MAX);
        drop(store);
        let evicted = std::mem::take(&mut self.objects);
        if !evicted.is_empty() {
            self.tally.bump_owned(Event::Evicted, evicted.len() as u64);
        }
        self.pool.counters().detach(&self.tally);
        // Dropped last, with no lock held and the tally folded: a `Drop` that
        // uses a pool finds this thread's caches gone and takes the slow path.
        drop(evicted);
    }
}
