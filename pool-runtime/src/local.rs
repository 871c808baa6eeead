//! Per-thread caches: the lock-free, allocation-free hit path.
//!
//! Each thread keeps, per pool it uses, a bounded stack of idle objects and a
//! tally of its own counts. Takes and returns touch only that stack; when it
//! runs empty or full, a batch of three quarters of it moves to or from the
//! shared store under the store's lock, as a whole `Vec` (see `store`), as
//! Go's per-P pools, .NET's `ArrayPool` and Netty's `Recycler` balance. When
//! the thread exits, its caches go back to their stores and their tallies are
//! folded into the pools' counters.

use std::any::Any;
use std::cell::RefCell;
#[cfg(not(loom))]
use std::mem::ManuallyDrop;

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

/// Runs `f` on the calling thread's cache for `pool`, waking it on first use.
///
/// Returns `None` where no cache can be had: once the thread's caches were
/// handed back at its exit (or while they are), or when a pool operation
/// runs inside another one on the same thread (a `Drop` of a discarded object
/// that drops a guard of another pool, say). Callers then go to the shared
/// store directly.
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
    with_shared_table(pool, |cache| cache.wake(pool).then(|| f(cache))).flatten()
}

/// The generic path: this thread's table of caches, indexed by pool id.
#[inline(always)]
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
            if caches.get(id).is_none_or(Option::is_none) {
                add_cache::<T>(&mut caches, id);
            }
            caches[id].as_mut()?.downcast_mut::<LocalCache<T>>().map(f)
        })
        .ok()
        .flatten()
}

/// Puts a dormant cache in the table's slot `id`, out of the hit path.
#[cold]
#[inline(never)]
fn add_cache<T: Reset + Send + 'static>(caches: &mut Caches, id: usize) {
    if caches.len() <= id {
        caches.resize_with(id + 1, || None);
    }
    caches[id] = Some(Box::new(LocalCache::<T>::dormant(Home::Table)));
}

/// A derived type's own thread-local cache slot (see `Reset::__thread_slot`).
///
/// `ManuallyDrop`: a thread-local without drop glue is a bare `#[thread_local]`
/// static, with no "registered / alive / destroyed" state to test on every
/// access and no destructor registration inlined into the hit path. The
/// cache is handed back at thread exit by an [`ExitHooks`] entry instead,
/// registered when the cache wakes.
#[doc(hidden)]
#[cfg(not(loom))]
pub struct ThreadSlot<T: Reset + Send + 'static>(RefCell<ManuallyDrop<LocalCache<T>>>);

#[cfg(not(loom))]
impl<T: Reset + Send + 'static> ThreadSlot<T> {
    /// An empty slot, for a `const`-initialised `thread_local!`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(RefCell::new(ManuallyDrop::new(LocalCache::dormant(Home::Slot))))
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

    /// Runs `f` on this thread's cache as it is, dormant, awake or closed:
    /// for [`LocalCache::take`] and [`LocalCache::put_if_room`]: a cache
    /// that is not awake is empty and has no room, so they fall into their
    /// slow paths (which wake it, or use the shared store). `None` as for
    /// [`with_cache`].
    #[inline(always)]
    pub(crate) fn with_hot<R>(&self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        self.key
            .try_with(|slot| {
                let mut cache = slot.0.try_borrow_mut().ok()?;
                Some(f(&mut cache))
            })
            .ok()
            .flatten()
    }

    /// Runs `f` on this thread's cache, woken; `None` as for [`with_cache`],
    /// and once the thread's caches were handed back at its exit.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        let pool = self.pool;
        self.with_hot(|cache| cache.wake(pool).then(|| f(cache))).flatten()
    }

    /// Hands this thread's cache back (an [`ExitHooks`] entry).
    fn close(&self) {
        // `try_borrow_mut`: hooks run when no pool operation is in flight on
        // this thread, but a failed borrow must not panic in a destructor.
        let _ = self.with_hot(|cache| cache.close());
    }
}

/// What runs when a thread exits: the hand-back of each typed slot it woke.
#[cfg(not(loom))]
struct ExitHooks(RefCell<Vec<fn()>>);

#[cfg(not(loom))]
std::thread_local! {
    static EXIT_HOOKS: ExitHooks = const { ExitHooks(RefCell::new(Vec::new())) };
}

#[cfg(not(loom))]
impl Drop for ExitHooks {
    fn drop(&mut self) {
        // Taken first: a hook may run user `Drop`s that use other pools, and
        // those find this list destroyed (their caches close at once).
        for hook in std::mem::take(self.0.get_mut()) {
            hook();
        }
    }
}

/// The exit hook of `T`'s typed slot.
#[cfg(not(loom))]
fn close_typed_slot<T: Reset + Send + 'static>() {
    if let Some(slot) = T::__thread_slot() {
        slot.close();
    }
}

/// Where a cache lives, which decides who hands it back at thread exit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Home {
    /// A derived type's [`ThreadSlot`]: an [`ExitHooks`] entry.
    #[cfg(not(loom))]
    Slot,
    /// The per-thread table: the cache's own `Drop`.
    Table,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not used yet on this thread: no storage, no tally.
    Dormant,
    Awake,
    /// Handed back at thread exit: every operation goes to the shared store.
    Closed,
}

/// A thread's idle objects and counts for one pool.
///
/// It starts dormant, as a constant (no allocation, no tally), so that a
/// derived type's `thread_local!` needs no lazy initialisation and the hit
/// path no "is there a cache yet" test: a cache that is not awake is empty
/// and has no room, so every take or return on it goes down the slow path,
/// which wakes it (or, once closed, uses the shared store).
pub(crate) struct LocalCache<T: Reset + Send + 'static> {
    /// Idle objects, most recently returned last. Its capacity, reserved
    /// exactly once (`Vec::with_capacity` is exact), *is* the cache's bound
    /// `min(cache_size, max_idle, 4096)`: a push below it never reallocates, and the
    /// hit path reads one field fewer.
    ///
    /// Empty, without capacity, for a pool that restores its constructor's
    /// values (see `fresh`), or does not know yet whether it must: then the
    /// inline paths find no object and no room, and every take and return
    /// goes out of line, to `restored`. The inline paths test nothing more.
    objects: Vec<Box<T>>,
    /// A restoring pool's idle objects, in place of `objects` (and empty
    /// without capacity otherwise): taken and kept out of line, after the
    /// return's restore, without a lock.
    restored: Vec<Box<T>>,
    /// A restoring pool's template on this thread: an object as the
    /// constructor makes it, that returned objects are restored to.
    template: Option<Box<T>>,
    /// This thread's tally while awake; a placeholder no one counts on
    /// otherwise.
    tally: &'static Tally,
    /// The pool, from the cache's first use on.
    pool: Option<&'static Pool<T>>,
    state: State,
    home: Home,
}

impl<T: Reset + Send + 'static> LocalCache<T> {
    crate::sync::const_fn! {
        fn dormant(home: Home) -> Self {
            Self {
                objects: Vec::new(),
                restored: Vec::new(),
                template: None,
                tally: Tally::placeholder(),
                pool: None,
                state: State::Dormant,
                home,
            }
        }
    }

    /// Wakes a dormant cache for `pool`: its storage, its tally, its hand-back
    /// at thread exit, and the pool's registration for metrics on its first
    /// use on any thread. False if the cache is closed (or closes now,
    /// because the thread is exiting).
    #[inline]
    fn wake(&mut self, pool: &'static Pool<T>) -> bool {
        if self.state == State::Dormant {
            self.wake_up(pool);
        }
        self.state == State::Awake
    }

    #[cold]
    #[inline(never)]
    fn wake_up(&mut self, pool: &'static Pool<T>) {
        #[cfg(not(loom))]
        if self.home == Home::Slot {
            let hooked = EXIT_HOOKS.try_with(|hooks| hooks.0.borrow_mut().push(close_typed_slot::<T>));
            if hooked.is_err() {
                self.state = State::Closed;
                return;
            }
        }
        pool.id();
        let capacity = pool.config().local_capacity();
        let spare = if capacity > 0 { lock(pool.store()).take_spare() } else { None };
        let storage = spare.unwrap_or_else(|| Vec::with_capacity(capacity));
        debug_assert_eq!(storage.capacity(), capacity, "a spare has a cache's capacity");
        if pool.returns_by_reset() {
            self.objects = storage;
        } else {
            self.restored = storage;
        }
        self.tally = pool.counters().attach();
        self.pool = Some(pool);
        self.state = State::Awake;
    }

    /// Counts on this thread's tally: only while awake.
    #[inline]
    pub(crate) fn count(&self, event: Event) {
        self.tally.bump_owned(event, 1);
    }

    /// Counts on this thread's tally, or on the pool's shared one if the
    /// cache is not awake.
    fn count_on(&self, pool: &'static Pool<T>, event: Event) {
        match self.state {
            State::Awake => self.count(event),
            _ => pool.counters().shared().bump_shared(event, 1),
        }
    }

    /// Takes an idle object (counting a hit), refilling from the shared store
    /// when the cache is empty. `None` is a miss, counted by the caller once
    /// the new object exists.
    #[inline(always)]
    pub(crate) fn take(&mut self, pool: &'static Pool<T>) -> Option<Box<T>> {
        match self.objects.pop() {
            Some(object) => {
                self.count(Event::Hit);
                Some(object)
            }
            None => self.refill(pool),
        }
    }

    /// `take` on an empty cache (or one not awake): a batch from the shared
    /// store, or one object if the cache holds none.
    #[cold]
    #[inline(never)]
    fn refill(&mut self, pool: &'static Pool<T>) -> Option<Box<T>> {
        let awake = self.wake(pool);
        if awake {
            self.promote(pool);
            // A restoring pool's objects (or, just promoted, a plain one's).
            if let Some(object) = self.storage().pop() {
                self.count(Event::Hit);
                return Some(object);
            }
        }
        let mut store = lock(pool.store());
        let storage = self.storage();
        let object = if awake && storage.capacity() > 0 {
            store.refill(storage, pool.config().batch());
            drop(store);
            storage.pop()
        } else {
            store.pop()
        };
        if object.is_some() {
            self.count_on(pool, Event::Hit);
        }
        object
    }

    /// The inline return path: keeps `object` (taking it out of the option)
    /// if the cache has room, and leaves it there otherwise, for
    /// [`put`](Self::put) on the slow path. True if kept.
    #[inline(always)]
    pub(crate) fn put_if_room(&mut self, object: &mut Option<Box<T>>) -> bool {
        if self.objects.len() < self.objects.capacity() {
            if let Some(object) = object.take() {
                self.objects.push(object);
                self.count(Event::Return);
                return true;
            }
        }
        false
    }

    /// Keeps a reset object (counting a return), spilling the older three
    /// quarters of a full cache to the shared store. Gives the object back,
    /// counted as a `full` discard, when neither has room.
    pub(crate) fn put(&mut self, pool: &'static Pool<T>, object: Box<T>) -> Result<(), Box<T>> {
        let awake = self.wake(pool);
        if awake {
            self.promote(pool);
        }
        let storage = self.storage();
        if storage.len() < storage.capacity() {
            storage.push(object);
            self.count(Event::Return);
            return Ok(());
        }
        let mut store = lock(pool.store());
        if !awake || storage.capacity() == 0 {
            let kept = store.push(object);
            drop(store);
            self.count_on(pool, if kept.is_ok() { Event::Return } else { Event::Full });
            return kept;
        }
        store.spill(storage, pool.config().batch());
        drop(store);
        if storage.len() >= storage.capacity() {
            self.count(Event::Full);
            return Err(object);
        }
        storage.push(object);
        self.count(Event::Return);
        Ok(())
    }

    /// Lends this thread's template out (see `Pool::restore`).
    pub(crate) fn take_template(&mut self) -> Option<Box<T>> {
        self.template.take()
    }

    /// Takes the template back.
    pub(crate) fn keep_template(&mut self, template: Box<T>) {
        self.template = Some(template);
    }

    /// Where the slow paths keep objects: `objects`, or `restored` for a
    /// restoring pool.
    fn storage(&mut self) -> &mut Vec<Box<T>> {
        if self.restored.capacity() > 0 {
            &mut self.restored
        } else {
            &mut self.objects
        }
    }

    /// Hands a cache that woke before its pool knew whether it must restore
    /// over to the inline paths, once the pool knows it need not.
    fn promote(&mut self, pool: &'static Pool<T>) {
        if self.restored.capacity() > 0 && pool.returns_by_reset() {
            self.objects = std::mem::take(&mut self.restored);
        }
    }

    /// Empties the cache (for `Pool::clear`), keeping its storage: the caller
    /// drops the objects once no cache is borrowed.
    pub(crate) fn drain(&mut self) -> Vec<Box<T>> {
        let mut drained = Vec::with_capacity(self.len());
        drained.append(&mut self.objects);
        drained.append(&mut self.restored);
        drained
    }

    pub(crate) fn len(&self) -> usize {
        self.objects.len() + self.restored.len()
    }

    /// The thread exits: hand the objects back to the shared store, drop
    /// what does not fit as evictions, fold the tally. From then on the
    /// cache is closed and every operation goes to the shared store.
    fn close(&mut self) {
        let was = std::mem::replace(&mut self.state, State::Closed);
        let Some(pool) = self.pool.filter(|_| was == State::Awake) else { return };
        let mut objects = std::mem::take(self.storage());
        let template = self.template.take();
        let tally = std::mem::replace(&mut self.tally, Tally::placeholder());
        lock(pool.store()).hand_back(&mut objects);
        if !objects.is_empty() {
            tally.bump_owned(Event::Evicted, objects.len() as u64);
        }
        pool.counters().detach(tally);
        // Dropped last, with no lock held, the tally folded and the cache
        // closed: a `Drop` that uses a pool takes the shared store's path.
        drop(objects);
        drop(template);
    }
}

/// A cache of the per-thread table is handed back when the table is dropped
/// at thread exit; a typed slot's by its exit hook (its `ManuallyDrop` never
/// drops it).
impl<T: Reset + Send + 'static> Drop for LocalCache<T> {
    fn drop(&mut self) {
        self.close();
    }
}
