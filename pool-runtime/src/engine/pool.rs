//! [`Pool<T>`]: where pooled objects come from and go back to.

use std::fmt;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::sync::atomic::Ordering::Relaxed;

use crate::cache::local::{LocalCache, ThreadSlot, TypedSlot};
use crate::cache::shared::Shared;
use crate::config::PoolConfig;
use crate::engine::guard::Pooled;
use crate::engine::route::{route, Route};
use crate::observe::diagnostics;
use crate::observe::stats::{Discards, Event, PoolStats};
use crate::sync::LocalKey;
use crate::Reset;

/// A thread-safe pool of reusable `T`s.
///
/// Objects are taken with [`get`](Pool::get) as [`Pooled<T>`] guards; dropping
/// a guard resets the object and keeps it for the next taker. A pool hands out
/// guards only while it lives for `'static` — in a `static`, a `OnceLock`, or
/// a leaked box — because its guards and its per-thread caches point back to
/// it from anywhere, for as long as any thread runs.
///
/// ```
/// use poolable::Pool;
///
/// static LINES: Pool<String> = Pool::new(String::new);
///
/// let mut line = LINES.get();           // a miss: the pool was empty
/// line.push_str("GET /v1/config");
/// drop(line);                           // cleared, capacity kept, back in the pool
///
/// let line = LINES.get();               // a hit: the same String, empty
/// assert!(line.is_empty() && line.capacity() >= 14);
/// drop(line);
///
/// let stats = LINES.stats();
/// assert_eq!((stats.hits, stats.misses, stats.returns, stats.idle), (1, 1, 2, 1));
/// ```
///
/// A reused object equals what `create` makes, capacity aside (see
/// [`Reset`](crate::Reset#a-reused-object-equals-a-fresh-one) for how, and
/// what it costs):
///
/// ```
/// use poolable::Pool;
///
/// static GREETINGS: Pool<String> = Pool::new(|| "hello".to_owned());
///
/// let mut greeting = GREETINGS.get();
/// greeting.push_str(", world");
/// drop(greeting);
/// assert_eq!(*GREETINGS.get(), "hello"); // not ""
/// ```
///
/// See [`PoolConfig`] for the bounds (`max_idle`, per-thread `cache_size`,
/// `max_retained_bytes`) and how they add up.
///
/// A hand-built pool finds the calling thread's cache in a per-thread table
/// indexed by pool id; the pool of a `#[derive(Poolable)]` type reaches it
/// through a `thread_local!` the derive generates for that type, with fewer
/// instructions per take and return (measured in the repository's
/// BENCHMARKS.md).
pub struct Pool<T> {
    create: fn() -> T,
    shared: Shared<T>,
}

impl<T: Reset + Send + 'static> Pool<T> {
    crate::sync::const_fn! {
        /// A pool labelled `"unnamed"` with the default bounds, creating
        /// objects with `create` on a miss.
        pub fn new(create: fn() -> T) -> Self {
            Self::with_config(create, PoolConfig::new(PoolConfig::DEFAULT_NAME))
        }
    }

    crate::sync::const_fn! {
        /// A pool with the given name and bounds.
        pub fn with_config(create: fn() -> T, config: PoolConfig) -> Self {
            Self { create, shared: Shared::new(config) }
        }
    }

    /// Takes an idle object, or creates one if none is idle.
    ///
    /// The hit path takes no lock and allocates nothing: it pops from the
    /// calling thread's cache. `#[track_caller]`: with take-site tracking on
    /// (see [`diagnostics`](crate::diagnostics)), the take is recorded at the
    /// caller's line.
    #[inline(always)]
    #[track_caller]
    pub fn get(&'static self) -> Pooled<T> {
        // The slow paths give a `Box`, not a guard: the guard is built in
        // one place, from a pointer known not to be null on every path, so
        // that its `Deref` needs no check once inlined.
        let taken = self
            .route()
            .with_hot(&self.shared, |cache, owner| cache.take(owner).map_or(Take::Empty, Take::Hit));
        let object = match taken.unwrap_or(Take::NoInlineCache) {
            Take::Hit(object) => object,
            Take::Empty => self.create_counted(),
            Take::NoInlineCache => self.get_slow(),
        };
        if diagnostics::tracking() {
            self.took(&object, Location::caller());
        }
        Pooled::new(object, self)
    }

    /// Records a take for [`diagnostics`](crate::diagnostics): one call out
    /// of line, so that the test of the flag is all the take path holds.
    #[cold]
    #[inline(never)]
    fn took(&'static self, object: &T, site: &'static Location<'static>) {
        diagnostics::took(self.shared.id(), object, site);
    }

    /// Forgets the take of a guard that leaves the pool (see
    /// [`took`](Self::took)).
    #[cold]
    #[inline(never)]
    pub(super) fn returned(&'static self, address: usize) {
        diagnostics::returned(self.shared.id(), address);
    }

    /// Where this thread keeps this pool's cache (see `route`).
    #[inline(always)]
    fn route(&'static self) -> Route<T> {
        route(&self.shared)
    }

    #[cold]
    fn create_counted(&'static self) -> Box<T> {
        // Created before it is counted: a panicking constructor takes nothing.
        let object = self.create();
        self.count(Event::Miss);
        object
    }

    /// A new object, from which the pool learns what its constructor makes
    /// (see `fresh`).
    fn create(&self) -> Box<T> {
        let object = Box::new((self.create)());
        self.shared.fresh.learn(|| object.is_reset());
        object
    }

    /// Every take the inline path did not serve: a second pool of a derived
    /// type, or a thread that has no cache (see `local::with_table`).
    #[cold]
    #[inline(never)]
    fn get_slow(&'static self) -> Box<T> {
        let taken = self.route().with(&self.shared, |cache, owner| cache.take(owner));
        match taken.flatten().or_else(|| self.shared.take_uncached()) {
            Some(object) => object,
            None => self.create_counted(),
        }
    }

    /// Takes back the object of a dropped guard: resets it, then keeps it or
    /// drops it, as the bounds say.
    ///
    /// The common case (not panicking, small enough, room in this thread's
    /// cache) is the straight-line code of [`put`](Self::put); everything
    /// else goes through one out-of-line call, [`put_slow`](Self::put_slow).
    /// Where that common case runs depends on the type:
    ///
    /// * A type whose reset is a few stores (`Reset::__small_reset`: plain
    ///   data, `String`s, `Vec`s of `Copy` data) has its whole return
    ///   inlined into the caller.
    /// * A type whose reset calls out of line (one that drops the `String`s
    ///   of a `Vec<String>`) has a return path too big for LLVM to inline
    ///   into every drop site. Inlined into the guard's drop glue, that glue
    ///   became a call which took the guard by address, so the caller kept
    ///   the guard in memory and reloaded it; a call that takes the object
    ///   by value keeps it in registers.
    //
    // Measured with `scripts/callgrind-peers.sh`: inlining saves the small
    // resets (the 64-byte and 4 KiB workloads) about a tenth of a cycle's
    // instructions against a call; the call by value saves the request
    // builder a few instructions a cycle.
    #[inline(always)]
    pub(super) fn give_back(&'static self, object: Box<T>) {
        if T::__small_reset() {
            self.put(object);
        } else {
            self.put_out_of_line(object);
        }
    }

    #[inline(never)]
    fn put_out_of_line(&'static self, object: Box<T>) {
        self.put(object);
    }

    /// The inline return: resets the object and keeps it in this thread's
    /// cache, or hands it to [`put_slow`](Self::put_slow).
    ///
    /// No test of `fresh` here: a restoring pool's returns are reset inline
    /// (its cache has no inline room), then restored on the slow path. That
    /// costs a restore nothing but for a field whose reset frees heap and
    /// whose fresh value has some (a non-empty default `Vec<String>`, a
    /// `Some(String)`): copied anew. Going to the slow path untouched instead
    /// would cost every other pool's return a test; `RecycleVec` and
    /// `RecycleOption` restore such fields in place.
    //
    // That test is 3 instructions per return (`scripts/callgrind-engine.sh`).
    #[inline(always)]
    fn put(&'static self, object: Box<T>) {
        // `ManuallyDrop`: every path below takes the object out (kept, handed
        // to `put_slow`, or dropped by `DiscardOnPanic`), so `held` needs no
        // drop glue of its own, and adds no second unwinding cleanup next to
        // `DiscardOnPanic`'s. `None` once the object has left.
        let mut held = ManuallyDrop::new(Some(object));
        // A panicking thread, and every return while take-site tracking is
        // on, go to the slow path untouched: one more test on the branch
        // that already leads there.
        let inline = !std::thread::panicking() && !diagnostics::tracking();
        if inline
            && self.reset_and_measure(&mut held, Stage::Inline).is_some()
            && self.route().with_hot(&self.shared, |cache, _| cache.put_if_room(&mut held)) == Some(true)
        {
            return;
        }
        if let Some(object) = held.take() {
            self.put_slow(object, inline);
        }
    }

    /// Every return the inline path did not finish: an adopted buffer, a
    /// panicking thread, an oversized object, a restoring pool, a pool
    /// switched off or under chaos, a second pool of a derived type, a full
    /// or missing cache, and every return while take-site tracking is on.
    #[cold]
    #[inline(never)]
    fn put_slow(&'static self, object: Box<T>, already_reset: bool) {
        if diagnostics::tracking() {
            self.returned(diagnostics::address(&*object));
        }
        let mut held = Some(object);
        if !already_reset && std::thread::panicking() {
            return self.discard(held, Event::Panic);
        }
        if let Some(why) = self.shared.refusal() {
            return self.discard(held, why);
        }
        let stage = if already_reset { Stage::SlowAlreadyReset } else { Stage::Slow };
        let Some(bytes) = self.reset_and_measure(&mut held, stage) else {
            return self.discard(held, Event::Oversized);
        };
        // The object stays here unless the closure runs, so that a thread
        // without a cache still has it for the shared store.
        let put =
            self.route().with(&self.shared, |cache, owner| held.take().map(|o| cache.put(owner, o, bytes)));
        match (put, held) {
            (Some(Some(Err(full))), _) => drop(full), // counted as `full` by `put`
            (_, Some(object)) => self.shared.keep_uncached(object, bytes),
            _ => {}
        }
    }

    /// Resets the object in `held` (unless the inline path did already), or
    /// on the slow path of a pool that restores its constructor's values
    /// (see `fresh`), restores it in place instead, and tells whether the
    /// object fits `max_retained_bytes`. All of it runs user code: if any
    /// unwinds, the object is dropped and counted as a `panic` discard, and
    /// `held` left `None`.
    #[inline(always)]
    fn reset_and_measure(&'static self, held: &mut Option<Box<T>>, stage: Stage) -> Option<u64> {
        let on_panic = DiscardOnPanic { pool: self, held };
        let fits = on_panic.held.as_deref_mut().and_then(|object| {
            let restore = stage != Stage::Inline && !self.shared.fresh.is_plain();
            if stage == Stage::Inline || (stage == Stage::Slow && !restore) {
                T::reset(object);
            }
            if restore {
                self.restore(object);
            }
            // `T::`, not method syntax: `Box<T>` is `Reset` too and would add
            // the box's own size, discarding objects exactly at the bound.
            let bytes = T::retained_bytes(object);
            let fits = bytes <= self.shared.config().get_max_retained_bytes();
            // Once the object is as the next taker gets it (a restoring
            // pool's inline path only resets: its slow path checks).
            if cfg!(debug_assertions)
                && fits
                && (stage != Stage::Inline || self.shared.fresh.is_plain())
                && !self.shared.reset_checked.load(Relaxed)
            {
                self.check_reset(object);
            }
            fits.then_some(bytes as u64)
        });
        std::mem::forget(on_panic);
        fits
    }

    /// The reset check of debug builds, at a pool's first return: a
    /// returned object, reset or restored, must equal a new one in every
    /// field whose type is `PartialEq` (`Reset::__unlike`, which the derive
    /// generates), and be `is_reset` if a new one is. A `Reset` written by
    /// hand for a field's type, or a `#[pool(reset = ...)]` function, that
    /// forgets something fails here, in tests, instead of handing the next
    /// user the last one's data; a type whose whole `Reset` is hand-written
    /// is checked through its `is_reset` alone. A panic, not a logged warning: a
    /// debug build is where the fix is made, and a warning among a test
    /// run's output goes unread. It runs once per pool and compares with
    /// the thread's template where the pool keeps one, so it costs a plain
    /// pool one extra object made (and dropped); release builds compile it
    /// out.
    #[cold]
    #[inline(never)]
    fn check_reset(&'static self, object: &T) {
        if self.shared.reset_checked.swap(true, Relaxed) {
            return;
        }
        let template = self.with_cache(LocalCache::take_template).flatten();
        let fresh = template.unwrap_or_else(|| Box::new((self.create)()));
        let unlike = match object.__unlike(&fresh) {
            Some(field) => Some(format!("its field `{field}` differs from a new object's")),
            None if fresh.is_reset() && !object.is_reset() => {
                Some("its `Reset::is_reset` says it is not reset".to_owned())
            }
            None => None,
        };
        if !self.shared.fresh.is_plain() {
            self.with_cache(|cache| cache.keep_template(fresh));
        }
        let Some(unlike) = unlike else { return };
        panic!(
            "poolable: a `{}` returned to pool \"{}\" is unlike a new one after its reset: {unlike}. \
             Make its `Reset` (written by hand for that field's type, or a `#[pool(reset = ...)]` \
             function) restore everything a user can change, or mark a field meant to survive \
             returns `#[pool(skip)]`. (Checked at each pool's first return, in debug builds.)",
            std::any::type_name::<T>(),
            self.name(),
        );
    }

    /// Makes `object`, in whatever state, equal to what the constructor
    /// makes (see `fresh`): from this thread's template, made by the
    /// constructor the first time, or, where the thread has no cache to keep
    /// one in, from a value made for this return alone; the parts
    /// `reset_to` cannot restore in place are taken from a new value
    /// (`reset_from`). The user code it runs (`create`, `reset_to`,
    /// `reset_from`) runs with no cache borrowed.
    #[cold]
    #[inline(never)]
    fn restore(&'static self, object: &mut T) {
        let template = self.with_cache(LocalCache::take_template).flatten().unwrap_or_else(|| self.create());
        if self.shared.fresh.is_plain() {
            // Learnt just now (every object so far was adopted, none made):
            // `reset` suffices, and no template is kept.
            T::reset(object);
            return;
        }
        if !object.reset_to(&template) {
            object.reset_from((self.create)());
        }
        // Without a cache, the template is dropped here.
        self.with_cache(|cache| cache.keep_template(template));
    }

    /// Runs `f` on this thread's cache, woken; `None` where there is none.
    fn with_cache<R>(&'static self, f: impl FnOnce(&mut LocalCache<T>) -> R) -> Option<R> {
        self.route().with(&self.shared, |cache, _| f(cache))
    }

    /// Drops an object that is not kept (its state is whatever a panic left,
    /// it is oversized, the pool is off, chaos drew it), counting why.
    #[cold]
    #[inline(never)]
    fn discard(&'static self, object: Option<Box<T>>, why: Event) {
        self.count(why);
        drop(object);
    }

    // Only the byte buffers use it, and they are left out under loom.
    #[cfg(not(loom))]
    /// Takes in an object this pool did not hand out (a byte buffer that grew
    /// into this pool's size class), counted as a miss — the pool gained an
    /// object it did not have — followed by its return, so that
    /// `hits + misses == returns + discards + in_use` stays exact.
    /// Only the byte buffers use it.
    pub(crate) fn adopt(&'static self, object: Box<T>) {
        self.count(Event::Miss);
        self.put_slow(object, false);
    }

    /// Counts an event on the calling thread's tally, or the shared one.
    pub(crate) fn count(&'static self, event: Event) {
        if self.with_cache(|cache| cache.count(event)).is_none() {
            self.shared.count_shared(event, 1);
        }
    }

    /// The counters, summed over every thread.
    pub fn stats(&self) -> PoolStats {
        self.shared.counts().stats()
    }

    /// Why discarded objects were not kept, summed over every thread.
    pub fn discards(&self) -> Discards {
        self.shared.counts().discards()
    }

    /// Drops the idle objects of the shared store and of the calling thread's
    /// cache (counted as evictions).
    ///
    /// Other threads' caches are theirs: each holds at most
    /// `min(cache_size, max_idle, 4096)` objects, and drains into the shared store
    /// as it overflows or when its thread exits.
    pub fn clear(&'static self) {
        let mut evicted = self.shared.store().take_all();
        if let Some(mut local) = self.with_cache(LocalCache::drain) {
            evicted.append(&mut local);
        }
        self.shared.evict(evicted);
    }

    /// Drops the idle objects of the shared store that were not taken since
    /// the previous `trim()` (counted as evictions).
    ///
    /// This is Go's victim cache under your control: call it from a timer
    /// (every 30 s, say) and a burst's objects are given back to the allocator
    /// two periods after the burst, while a steady load keeps its objects.
    pub fn trim(&self) {
        self.shared.trim();
    }

    /// Makes up to `n` objects ahead of a burst and keeps them in the
    /// shared store, as many as its `max_idle` leaves room for; returns how
    /// many it kept. Each counts as a miss and a return, so that
    /// `hits + misses == returns + discards + in_use` stays exact. A pool
    /// switched off keeps none, and neither does one whose constructor makes
    /// objects above `max_retained_bytes` (which every return would drop as
    /// `oversized`): the first such object is counted as a miss and an
    /// `oversized` discard, and no more are made.
    ///
    /// The constructor runs on the calling thread, before the store is
    /// locked; if it panics, the objects made so far are dropped and nothing
    /// is counted.
    ///
    /// ```
    /// use poolable::{Pool, PoolConfig};
    ///
    /// static WARM: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("warm").max_idle(64));
    ///
    /// assert_eq!(WARM.prefill(100), 64);
    /// assert_eq!(WARM.shared_idle(), 64);
    /// drop(WARM.get()); // a hit
    /// assert_eq!((WARM.stats().misses, WARM.stats().hits), (64, 1));
    /// ```
    pub fn prefill(&self, n: usize) -> usize {
        if !self.shared.enabled() {
            return 0;
        }
        let room = self.shared.config().get_max_idle().saturating_sub(self.shared.store().len());
        let bound = self.shared.config().get_max_retained_bytes();
        let (mut made, mut bytes) = (Vec::with_capacity(n.min(room)), 0);
        for _ in 0..n.min(room) {
            let object = self.create();
            let retained = T::retained_bytes(&object);
            if retained > bound {
                self.shared.count_shared(Event::Miss, 1);
                self.shared.count_shared(Event::Oversized, 1);
                break; // the next ones would be the same
            }
            bytes += retained as u64;
            made.push(object);
        }
        self.shared.keep_new(made, bytes)
    }

    /// The bytes the pool's idle objects hold, as `pool_idle_bytes` exports
    /// it: each object's own size (`size_of::<T>()`, its box) plus its heap.
    /// For the byte-buffer classes the heap is exact (their buffers keep
    /// exactly their class's capacity); for other pools it is estimated as
    /// the mean [`Reset::retained_bytes`] of the returns that took the
    /// out-of-line path: a thread's first return, those that find its cache
    /// full and spill it (so a burst is sampled), every return of a restoring
    /// pool or of a thread without a cache. The inline return, which already
    /// measures each object against `max_retained_bytes`, adds nothing: a
    /// counter there made the return too big to inline for some types.
    /// Types without drop glue hold no heap.
    ///
    /// ```
    /// use poolable::{Pool, PoolConfig};
    ///
    /// // No per-thread cache: every return is measured.
    /// static LINES: Pool<String> = Pool::with_config(String::new, PoolConfig::new("lines").cache_size(0));
    ///
    /// let mut line = LINES.get();
    /// line.reserve_exact(1000);
    /// let heap = line.capacity() as u64;
    /// drop(line);
    /// assert_eq!(LINES.idle_bytes(), std::mem::size_of::<String>() as u64 + heap);
    /// ```
    pub fn idle_bytes(&self) -> u64 {
        let counts = self.shared.counts();
        self.shared.idle_bytes(&counts)
    }

    /// How many idle objects the calling thread's cache holds.
    pub fn local_idle(&'static self) -> usize {
        self.with_cache(|cache| cache.len()).unwrap_or(0)
    }

    /// How many idle objects the shared store holds.
    pub fn shared_idle(&self) -> usize {
        self.shared.store().len()
    }

    /// The guards of this pool that are out, per call site, while take-site
    /// tracking is on (see [`diagnostics`](crate::diagnostics)).
    pub fn outstanding(&'static self) -> Vec<diagnostics::Outstanding> {
        diagnostics::outstanding_of(Some(self.shared.id()))
    }

    /// The pool of an instantiation of a generic derived type, made by
    /// `generic_pool`: its threads' caches live in the type's `GenericSlot`
    /// (see `route`).
    pub(crate) fn into_generic(mut self) -> Self {
        self.shared.mark_generic();
        self
    }

    /// Its id, registering it: for the loom models, which order
    /// registrations.
    #[cfg(all(test, loom))]
    pub(crate) fn id(&'static self) -> usize {
        self.shared.id()
    }
}

impl<T> Pool<T> {
    /// The metrics label.
    pub fn name(&self) -> &str {
        self.shared.config().name()
    }

    /// The configuration the pool was built with.
    pub fn config(&self) -> &PoolConfig {
        self.shared.config()
    }
}

/// The typed slot of a derived type whose pool is `pool`, for the
/// `Reset::__thread_slot` that `#[derive(Poolable)]` generates.
#[doc(hidden)]
#[inline(always)]
pub fn thread_slot<T: Send + 'static>(
    key: &'static LocalKey<ThreadSlot<T>>,
    pool: &'static Pool<T>,
) -> TypedSlot<T> {
    TypedSlot::new(key, &pool.shared)
}

/// What the inline take found on the calling thread.
enum Take<T> {
    /// An idle object from the thread's cache.
    Hit(Box<T>),
    /// The thread's cache had none: a miss, made here.
    Empty,
    /// No cache serves this pool inline here: the slow path looks further.
    NoInlineCache,
}

/// Which part of the return path resets and measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The inline path: reset; kept only in a cache's inline room.
    Inline,
    /// The slow path, for an object the inline path did not touch: reset
    /// it, or restore it without resetting it first.
    Slow,
    /// The slow path, after the inline path reset the object.
    SlowAlreadyReset,
}

/// Drops the object and counts a `panic` discard if `reset` or
/// `retained_bytes` unwinds; forgotten when they return.
struct DiscardOnPanic<'a, T: Reset + Send + 'static> {
    pool: &'static Pool<T>,
    held: &'a mut Option<Box<T>>,
}

impl<T: Reset + Send + 'static> Drop for DiscardOnPanic<'_, T> {
    // Inline, so that the guard never has its address taken and the return
    // path keeps the object in a register across `reset`; the count and the
    // drop are out of line, as they would keep that path from inlining.
    #[inline(always)]
    fn drop(&mut self) {
        self.pool.discard(self.held.take(), Event::Panic);
    }
}

impl<T> fmt::Debug for Pool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("name", &self.name())
            .field("config", self.config())
            .field("stats", &self.shared.counts().stats())
            .finish_non_exhaustive()
    }
}
