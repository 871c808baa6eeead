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
use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;

use crate::cache::shared::Shared;
use crate::observe::stats::{Event, Tally};
use crate::sync::{at_thread_exit, AtExit, LocalKey};

/// One thread's caches, indexed by pool id.
type Caches = Vec<Option<Box<dyn Any>>>;

crate::sync::thread_local_const! {
    static CACHES: RefCell<Caches> = RefCell::new(Vec::new());
}

/// Runs `f` on the calling thread's cache for `shared` in the per-thread
/// table, as the cache is (dormant, awake or closed: see [`LocalCache`]).
///
/// Returns `None` where no cache can be had: once the thread's caches were
/// handed back at its exit (or while they are), or when a pool operation
/// runs inside another one on the same thread (a `Drop` of a discarded object
/// that drops a guard of another pool, say). Callers then go to the shared
/// store directly.
#[inline(always)]
pub(crate) fn with_table<T, R>(
    shared: &'static Shared<T>,
    f: impl FnOnce(&mut LocalCache<T>) -> R,
) -> Option<R>
where
    T: Send + 'static,
{
    let id = shared.id();
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
fn add_cache<T: Send + 'static>(caches: &mut Caches, id: usize) {
    if caches.len() <= id {
        caches.resize_with(id + 1, || None);
    }
    caches[id] = Some(Box::new(LocalCache::<T>::dormant()));
}

/// A derived type's own thread-local cache (see `Reset::__thread_slot`).
///
/// `ManuallyDrop`: a thread-local without drop glue is a bare `#[thread_local]`
/// static, with no "registered / alive / destroyed" state to test on every
/// access and no destructor registration inlined into the hit path. The
/// cache is handed back at thread exit by a hook (`sync::at_thread_exit`)
/// registered when the cache wakes.
#[doc(hidden)]
pub struct ThreadSlot<T: Send + 'static>(RefCell<ManuallyDrop<LocalCache<T>>>);

impl<T: Send + 'static> ThreadSlot<T> {
    crate::sync::const_fn! {
        /// An empty slot, for a `const`-initialised `thread_local!`.
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            Self(RefCell::new(ManuallyDrop::new(LocalCache::dormant())))
        }
    }
}

/// A thread's typed slot is handed back at its exit.
impl<T: Send + 'static> AtExit for LocalKey<ThreadSlot<T>> {
    fn at_exit(&'static self) {
        // `try_borrow_mut`: hooks run when no pool operation is in flight on
        // this thread, but a failed borrow must not panic in a destructor.
        let _ = self.try_with(|slot| {
            if let Ok(mut cache) = slot.0.try_borrow_mut() {
                cache.close();
            }
        });
    }
}

/// A derived type's thread-local cache slot and the one pool that uses it.
#[doc(hidden)]
pub struct TypedSlot<T: Send + 'static> {
    key: &'static LocalKey<ThreadSlot<T>>,
    shared: &'static Shared<T>,
}

impl<T: Send + 'static> TypedSlot<T> {
    pub(crate) const fn new(key: &'static LocalKey<ThreadSlot<T>>, shared: &'static Shared<T>) -> Self {
        Self { key, shared }
    }

    /// Whether `shared` is the pool this slot caches for (known at compile
    /// time when `T::pooled()` names the type's own static pool).
    #[inline(always)]
    pub(crate) fn belongs_to(&self, shared: &'static Shared<T>) -> bool {
        std::ptr::eq(self.shared, shared)
    }

    /// The owner its cache's operations are given.
    #[inline(always)]
    pub(crate) fn owner(&self) -> Owner<T> {
        Owner { shared: self.shared, slot: Some(self.key) }
    }

    /// Runs `f` on this thread's cache as it is; `None` as for [`with_table`].
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        self.key
            .try_with(|slot| {
                let mut cache = slot.0.try_borrow_mut().ok()?;
                Some(f(&mut cache))
            })
            .ok()
            .flatten()
    }
}

/// The thread-local of a generic `#[derive(Poolable)]` type, one per type
/// definition (see `Reset::__generic_slot`): a `static` cannot name a type
/// parameter, so the caches of all the instantiations a thread uses share
/// it, each found by a downcast (one, for a thread that uses one
/// instantiation), with no lock, no allocation, no id and no table index.
///
/// `ManuallyDrop`, as a [`ThreadSlot`]'s: a bare `#[thread_local]` with no
/// destructor state to test on each access. Its caches are handed back,
/// and their boxes freed, by an exit hook registered with the first cache.
#[doc(hidden)]
pub struct GenericSlot {
    /// The pool this thread last looked up through the type (`generic`'s
    /// `generic_pool`): a `&'static Pool<T>`, erased.
    pool: Cell<Option<&'static (dyn Any + Send + Sync)>>,
    caches: RefCell<ManuallyDrop<GenericCaches>>,
}

struct GenericCaches {
    /// One `LocalCache<T>` per instantiation this thread used, the one
    /// used last first.
    caches: Vec<Box<dyn Any>>,
    /// Whether the exit hook is registered.
    hooked: bool,
    /// Handed back at thread exit: no cache is added any more, and every
    /// operation goes to the shared store.
    closed: bool,
}

impl GenericSlot {
    crate::sync::const_fn! {
        /// An empty slot, for a `const`-initialised `thread_local!`.
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            Self {
                pool: Cell::new(None),
                caches: RefCell::new(ManuallyDrop::new(GenericCaches {
                    caches: Vec::new(),
                    hooked: false,
                    closed: false,
                })),
            }
        }
    }

    /// The pool this thread last looked up through the type.
    #[inline(always)]
    pub(crate) fn last_pool(&self) -> Option<&'static (dyn Any + Send + Sync)> {
        self.pool.get()
    }

    /// Remembers the pool this thread looked up.
    pub(crate) fn remember_pool(&self, pool: &'static (dyn Any + Send + Sync)) {
        self.pool.set(Some(pool));
    }
}

/// Runs `f` on the calling thread's cache of `T` in a generic type's slot,
/// as it is; `None` if the thread has none yet (see [`add_generic`]), had
/// them handed back at its exit, or a pool operation of the type is in
/// flight on it (as for [`with_table`]).
#[inline(always)]
pub(crate) fn with_generic<T, R>(
    key: &'static LocalKey<GenericSlot>,
    f: impl FnOnce(&mut LocalCache<T>) -> R,
) -> Option<R>
where
    T: Send + 'static,
{
    key.try_with(|slot| {
        let mut caches = slot.caches.try_borrow_mut().ok()?;
        // The first cache, inline: one downcast. A scan of the others would
        // keep more registers live across the downcast's call.
        if let Some(cache) = caches.caches.first_mut()?.downcast_mut::<LocalCache<T>>() {
            return Some(f(cache));
        }
        to_front::<T>(&mut caches.caches).map(f)
    })
    .ok()
    .flatten()
}

/// The cache of `T` further down a generic slot's list, moved to its front,
/// where the next operation finds it first.
#[inline(never)]
fn to_front<T: Send + 'static>(caches: &mut [Box<dyn Any>]) -> Option<&mut LocalCache<T>> {
    let at = caches.iter().position(|cache| cache.is::<LocalCache<T>>())?;
    caches[..=at].rotate_right(1);
    caches[0].downcast_mut::<LocalCache<T>>()
}

/// Adds a dormant cache of `T` to the calling thread's generic slot, out of
/// the hit path, registering the slot's exit hook with its first cache.
/// False if none can be added: the thread is exiting, or the slot is
/// borrowed.
#[cold]
#[inline(never)]
pub(crate) fn add_generic<T: Send + 'static>(key: &'static LocalKey<GenericSlot>) -> bool {
    key.try_with(|slot| {
        let Ok(mut caches) = slot.caches.try_borrow_mut() else { return false };
        if caches.closed {
            return false;
        }
        if caches.caches.iter().any(|cache| cache.is::<LocalCache<T>>()) {
            return true;
        }
        if !caches.hooked {
            if !at_thread_exit(key) {
                caches.closed = true;
                return false;
            }
            caches.hooked = true;
        }
        caches.caches.push(Box::new(LocalCache::<T>::dormant()));
        true
    })
    .unwrap_or(false)
}

/// A thread's generic slot is handed back at its exit: its caches are
/// closed (by their `Drop`, once the slot is no longer borrowed, so that a
/// `Drop` of a returned object that uses the type finds the slot closed and
/// goes to the shared store) and their boxes freed.
impl AtExit for LocalKey<GenericSlot> {
    fn at_exit(&'static self) {
        let _ = self.try_with(|slot| {
            let caches = match slot.caches.try_borrow_mut() {
                Ok(mut caches) => {
                    caches.closed = true;
                    std::mem::take(&mut caches.caches)
                }
                Err(_) => return,
            };
            drop(caches);
        });
    }
}

/// The pool a cache serves, and where the cache lives: what the
/// operations that may wake a cache need to know.
pub(crate) struct Owner<T: Send + 'static> {
    pub(crate) shared: &'static Shared<T>,
    /// A derived type's slot, whose exit hook hands its cache back; `None`
    /// for a cache of the per-thread table or of a generic type's slot,
    /// handed back by its own `Drop`.
    slot: Option<&'static LocalKey<ThreadSlot<T>>>,
}

impl<T: Send + 'static> Clone for Owner<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + 'static> Copy for Owner<T> {}

impl<T: Send + 'static> Owner<T> {
    /// The owner of a cache of the per-thread table, or of a generic
    /// type's slot (which its `Drop` hands back).
    #[inline(always)]
    pub(crate) fn table(shared: &'static Shared<T>) -> Self {
        Self { shared, slot: None }
    }
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
pub(crate) struct LocalCache<T: Send + 'static> {
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
    pool: Option<&'static Shared<T>>,
    state: State,
}

impl<T: Send + 'static> LocalCache<T> {
    crate::sync::const_fn! {
        fn dormant() -> Self {
            Self {
                objects: Vec::new(),
                restored: Vec::new(),
                template: None,
                tally: Tally::placeholder(),
                pool: None,
                state: State::Dormant,
            }
        }
    }

    /// Wakes a dormant cache for its owner: its storage, its tally, its
    /// hand-back at thread exit, and the pool's registration for metrics on
    /// its first use on any thread. False if the cache is closed (or closes
    /// now, because the thread is exiting).
    #[inline]
    pub(crate) fn wake(&mut self, owner: Owner<T>) -> bool {
        if self.state == State::Dormant {
            self.wake_up(owner);
        }
        self.state == State::Awake
    }

    #[cold]
    #[inline(never)]
    fn wake_up(&mut self, owner: Owner<T>) {
        if let Some(slot) = owner.slot {
            if !at_thread_exit(slot) {
                self.state = State::Closed;
                return;
            }
        }
        let pool = owner.shared;
        pool.id();
        // A pool switched off keeps nothing: no room, so every return goes
        // to the slow path, which drops it.
        let capacity = if pool.enabled() { pool.config().local_capacity() } else { 0 };
        let spare = if capacity > 0 { pool.store().take_spare() } else { None };
        let storage = spare.unwrap_or_else(|| Vec::with_capacity(capacity));
        debug_assert_eq!(storage.capacity(), capacity, "a spare has a cache's capacity");
        if pool.returns_inline() {
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
    fn count_on(&self, pool: &'static Shared<T>, event: Event) {
        match self.state {
            State::Awake => self.count(event),
            _ => pool.count_shared(event, 1),
        }
    }

    /// Takes an idle object (counting a hit), refilling from the shared store
    /// when the cache is empty. `None` is a miss, counted by the caller once
    /// the new object exists.
    #[inline(always)]
    pub(crate) fn take(&mut self, owner: Owner<T>) -> Option<Box<T>> {
        match self.objects.pop() {
            Some(object) => {
                self.count(Event::Hit);
                Some(object)
            }
            None => self.refill(owner),
        }
    }

    /// `take` on an empty cache (or one not awake): a batch from the shared
    /// store, or one object if the cache holds none.
    #[cold]
    #[inline(never)]
    fn refill(&mut self, owner: Owner<T>) -> Option<Box<T>> {
        let pool = owner.shared;
        let awake = self.wake(owner);
        if awake {
            self.promote(pool);
            // A restoring pool's objects (or, just promoted, a plain one's).
            if let Some(object) = self.storage().pop() {
                self.count(Event::Hit);
                return Some(object);
            }
        }
        let object = if awake && self.storage().capacity() > 0 {
            let mut store = pool.store();
            store.refill(self.storage(), pool.config().batch());
            drop(store);
            self.storage().pop()
        } else if pool.enabled() {
            pool.store().pop()
        } else {
            None // a pool switched off keeps nothing: not worth the lock
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

    /// Counts a return of the slow path and the heap it keeps (see
    /// `Event::KeptBytes`); objects without drop glue have none, and their
    /// pools add nothing.
    fn count_kept(&self, bytes: u64) {
        self.count(Event::Return);
        if std::mem::needs_drop::<T>() {
            self.tally.bump_owned(Event::KeptBytes, bytes);
            self.tally.bump_owned(Event::Measured, 1);
        }
    }

    /// Keeps a reset object (counting a return), spilling the older three
    /// quarters of a full cache to the shared store. Gives the object back,
    /// counted as a `full` discard, when neither has room.
    pub(crate) fn put(&mut self, owner: Owner<T>, object: Box<T>, bytes: u64) -> Result<(), Box<T>> {
        let pool = owner.shared;
        let awake = self.wake(owner);
        if awake {
            self.promote(pool);
        }
        let storage = self.storage();
        if storage.len() < storage.capacity() {
            storage.push(object);
            self.count_kept(bytes);
            return Ok(());
        }
        let mut store = pool.store();
        if !awake || storage.capacity() == 0 {
            let kept = store.push(object);
            drop(store);
            match (&kept, self.state) {
                (Err(_), _) => self.count_on(pool, Event::Full),
                (Ok(()), State::Awake) => self.count_kept(bytes),
                (Ok(()), _) => pool.count_kept_shared(bytes),
            }
            return kept;
        }
        store.spill(storage, pool.config().batch());
        drop(store);
        if storage.len() >= storage.capacity() {
            self.count(Event::Full);
            return Err(object);
        }
        storage.push(object);
        self.count_kept(bytes);
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
    fn promote(&mut self, pool: &'static Shared<T>) {
        if self.restored.capacity() > 0 && pool.returns_inline() {
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
        pool.store().hand_back(&mut objects);
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
impl<T: Send + 'static> Drop for LocalCache<T> {
    fn drop(&mut self) {
        self.close();
    }
}
