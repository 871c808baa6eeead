//! [`Pool<T>`]: where pooled objects come from and go back to.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crate::config::PoolConfig;
use crate::fresh::Fresh;
use crate::guard::Pooled;
use crate::local::{with_cache, with_shared_table, LocalCache};
use crate::registry;
use crate::stats::{Counters, Counts, Discards, Event, PoolStats};
use crate::store::Store;
use crate::sync::{lock, Mutex};
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
/// A reused object equals what `create` makes, capacity aside: a pool whose
/// `create` makes objects in their reset state (as an all-zero `Default`
/// does) returns them by [`Reset::reset`] alone; any other restores each
/// returned object to a template `create` made once per thread, out of line
/// (see [`Reset`]):
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
/// through a `thread_local!` the derive generates for that type, which saves
/// over a third of the instructions of a take/return cycle (206 against 128
/// on `scripts/callgrind-engine.sh`).
pub struct Pool<T> {
    create: fn() -> T,
    config: PoolConfig,
    /// Index of this pool's slot in every thread's caches, and its entry in
    /// the registry metrics read; assigned on first use.
    id: AtomicUsize,
    store: Mutex<Store<T>>,
    counters: Counters,
    /// Whether a return is `reset` alone, or a restore to the constructor's
    /// values (see `fresh`).
    fresh: Fresh,
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
            Self {
                create,
                id: AtomicUsize::new(registry::UNREGISTERED),
                store: Mutex::new(Store::new(config.get_max_idle(), config.batch())),
                counters: Counters::new(),
                fresh: Fresh::new(),
                config,
            }
        }
    }

    /// Takes an idle object, or creates one if none is idle.
    ///
    /// The hit path takes no lock and allocates nothing: it pops from the
    /// calling thread's cache.
    #[inline(always)]
    pub fn get(&'static self) -> Pooled<T> {
        // A derived type's own pool: its thread-local slot, inlined into the
        // caller. Any other pool: the generic table, out of line.
        #[cfg(not(loom))]
        if let Some(slot) = T::__thread_slot() {
            if slot.belongs_to(self) {
                return self.taken(slot.with_hot(|cache| cache.take(self)));
            }
            // A second pool of a derived type: kept out of the caller.
            return self.get_generic();
        }
        self.taken(with_shared_table(self, |cache| cache.take(self)))
    }

    #[inline(never)]
    fn get_generic(&'static self) -> Pooled<T> {
        self.taken(with_shared_table(self, |cache| cache.take(self)))
    }

    /// A guard for what a cache take gave: an object, a miss, or no cache.
    #[inline(always)]
    fn taken(&'static self, taken: Option<Option<Box<T>>>) -> Pooled<T> {
        match taken {
            Some(Some(object)) => Pooled::new(object, self),
            Some(None) => self.create_counted(),
            None => self.get_uncached(),
        }
    }

    #[cold]
    fn create_counted(&'static self) -> Pooled<T> {
        // Created before it is counted: a panicking constructor takes nothing.
        let object = Box::new((self.create)());
        self.fresh.learn(&*object);
        self.count(Event::Miss);
        Pooled::new(object, self)
    }

    /// The path of a thread that has no cache (see `local::with_cache`).
    #[cold]
    fn get_uncached(&'static self) -> Pooled<T> {
        let idle = lock(&self.store).pop();
        match idle {
            Some(object) => {
                self.counters.shared().bump_shared(Event::Hit, 1);
                Pooled::new(object, self)
            }
            None => self.create_counted(),
        }
    }

    /// Takes back the object of a dropped guard: resets it, then keeps it or
    /// drops it, as the bounds say.
    ///
    /// The common case (not panicking, small enough, room in this thread's
    /// cache: a derived type's own slot, or the per-thread table for a
    /// hand-built pool) is straight-line code; everything else goes through
    /// one out-of-line call, `give_back_slow`. Where that common case runs
    /// depends on the type, measured with `scripts/callgrind-peers.sh`:
    ///
    /// * A type whose reset is a few stores (`Reset::__small_reset`: plain
    ///   data, `String`s, `Vec`s of `Copy` data, like the 64-byte and 4 KiB
    ///   workloads) has its whole return inlined into the caller: 62 and 101
    ///   instructions per cycle, against 74 and 111 through a call.
    /// * A type whose reset calls out of line (the request builder drops the
    ///   `String`s of a `Vec<String>` and an `Option<String>`) has a return
    ///   path too big for LLVM to inline into every drop site. Inlined into
    ///   the guard's drop glue, that glue became a call which took the guard
    ///   by address, so the caller kept the guard in memory and reloaded it;
    ///   a call that takes the object by value keeps it in registers: 159
    ///   instructions per cycle instead of 166.
    #[inline(always)]
    pub(crate) fn give_back_owned(&'static self, object: Box<T>) {
        if T::__small_reset() {
            self.give_back_inline(object);
        } else {
            self.give_back_out_of_line(object);
        }
    }

    #[inline(never)]
    fn give_back_out_of_line(&'static self, object: Box<T>) {
        // No test of `fresh` here: a restoring pool's returns are reset
        // inline, then restored on the slow path. That costs a restore
        // nothing but for a field whose reset frees heap and whose fresh
        // value has some (a non-empty default `Vec<String>`, a
        // `Some(String)`): copied anew. Going to the slow path untouched
        // instead costs every other pool's return 3 instructions (128 -> 131
        // on `scripts/callgrind-engine.sh`); `RecycleVec` and
        // `RecycleOption` restore such fields in place.
        self.give_back_inline(object);
    }

    #[inline(always)]
    fn give_back_inline(&'static self, object: Box<T>) {
        // `ManuallyDrop`: every path below takes the object out (kept, handed
        // to `give_back_slow`, or dropped by `DiscardOnPanic`), so `held`
        // needs no drop glue of its own, and adds no second unwinding
        // cleanup next to `DiscardOnPanic`'s.
        let mut held = std::mem::ManuallyDrop::new(Some(object));
        let reset = match self.keep_inline(&mut held) {
            Inline::Kept => return,
            Inline::Reset => true,
            Inline::Untouched => false,
        };
        if let Some(object) = held.take() {
            self.give_back_slow(object, reset);
        }
    }

    /// The inline part of [`give_back_inline`](Self::give_back_inline).
    #[inline(always)]
    fn keep_inline(&'static self, held: &mut Option<Box<T>>) -> Inline {
        #[cfg(not(loom))]
        if let Some(slot) = T::__thread_slot() {
            if !slot.belongs_to(self) {
                // A second pool of a derived type: kept out of the caller.
                return Inline::Untouched;
            }
            return self.keep_in(held, |held| slot.with_hot(|cache| cache.put_if_room(held)));
        }
        // A hand-built pool: the per-thread table, inline as well.
        self.keep_in(held, |held| with_shared_table(self, |cache| cache.put_if_room(held)))
    }

    /// Resets the object in `held` and keeps it in this thread's cache
    /// through `put_if_room` (`None`: no cache to be had).
    #[inline(always)]
    fn keep_in(
        &'static self,
        held: &mut Option<Box<T>>,
        put_if_room: impl FnOnce(&mut Option<Box<T>>) -> Option<bool>,
    ) -> Inline {
        if std::thread::panicking() {
            return Inline::Untouched;
        }
        if self.reset_and_measure(held, Route::Inline) && put_if_room(held) == Some(true) {
            return Inline::Kept;
        }
        Inline::Reset
    }

    /// Takes back an object that no guard holds (see `adopt`).
    #[cfg(not(loom))] // only the byte buffers use it
    fn give_back(&'static self, object: Box<T>) {
        self.give_back_slow(object, false);
    }

    /// Resets the object in `held` (unless the inline path did already), or
    /// on the slow path of a pool that restores its constructor's values
    /// (see `fresh`), restores it in place instead, and tells whether the
    /// object fits `max_retained_bytes`. All of it runs user code: if any
    /// unwinds, the object is dropped and counted as a `panic` discard, and
    /// `held` left `None`.
    #[inline(always)]
    fn reset_and_measure(&'static self, held: &mut Option<Box<T>>, route: Route) -> bool {
        let on_panic = DiscardOnPanic { pool: self, held };
        let fits = on_panic.held.as_deref_mut().is_some_and(|object| {
            let restore = route != Route::Inline && !self.fresh.is_plain();
            if route == Route::Inline || (route == Route::Slow && !restore) {
                T::reset(object);
            }
            if restore {
                self.restore(object);
            }
            // `T::`, not method syntax: `Box<T>` is `Reset` too and would add
            // the box's own size, discarding objects exactly at the bound.
            T::retained_bytes(object) <= self.config.get_max_retained_bytes()
        });
        std::mem::forget(on_panic);
        fits
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
        let template = match with_cache(self, LocalCache::take_template).flatten() {
            Some(template) => template,
            None => {
                let made = Box::new((self.create)());
                self.fresh.learn(&*made);
                made
            }
        };
        if self.fresh.is_plain() {
            // Learnt just now (every object so far was adopted, none made):
            // `reset` suffices, and no template is kept.
            T::reset(object);
            return;
        }
        if !object.reset_to(&template) {
            object.reset_from((self.create)());
        }
        // Without a cache, the template is dropped here.
        with_cache(self, |cache| cache.keep_template(template));
    }

    /// Every return the inline path did not finish: a second pool of a
    /// derived type, an adopted buffer, a panicking thread, an oversized
    /// object, a full or missing cache.
    #[cold]
    #[inline(never)]
    fn give_back_slow(&'static self, object: Box<T>, already_reset: bool) {
        let mut held = Some(object);
        if !already_reset && std::thread::panicking() {
            return self.discard(held, Event::Panic);
        }
        let route = if already_reset { Route::SlowAlreadyReset } else { Route::Slow };
        if !self.reset_and_measure(&mut held, route) {
            return self.discard(held, Event::Oversized);
        }
        // The object stays here unless the closure runs, so that a thread
        // without a cache still has it for the shared store.
        let put = with_cache(self, |cache| held.take().map(|o| cache.put(self, o)));
        match (put, held) {
            (Some(Some(Err(full))), _) => drop(full), // counted as `full` by `put`
            (_, Some(object)) => self.give_back_uncached(object),
            _ => {}
        }
    }

    /// Drops an object that is not kept (its state is whatever a panic left,
    /// or it is oversized), counting why.
    #[cold]
    #[inline(never)]
    fn discard(&'static self, object: Option<Box<T>>, why: Event) {
        self.count(why);
        drop(object);
    }

    /// Takes in an object this pool did not hand out (a byte buffer that grew
    /// into this pool's size class), counted as a miss — the pool gained an
    /// object it did not have — followed by its return, so that
    /// `hits + misses == returns + discards + in_use` stays exact.
    #[cfg(not(loom))] // only the byte buffers use it
    pub(crate) fn adopt(&'static self, object: Box<T>) {
        self.count(Event::Miss);
        self.give_back(object);
    }

    #[cold]
    #[inline(never)]
    fn give_back_uncached(&self, object: Box<T>) {
        let kept = lock(&self.store).push(object);
        let event = if kept.is_ok() { Event::Return } else { Event::Full };
        self.counters.shared().bump_shared(event, 1);
        // A rejected object is dropped here, after the lock is released.
        drop(kept);
    }

    /// Counts an event on the calling thread's tally, or the shared one.
    pub(crate) fn count(&'static self, event: Event) {
        if with_cache(self, |cache| cache.count(event)).is_none() {
            self.counters.shared().bump_shared(event, 1);
        }
    }

    /// The counters, summed over every thread.
    pub fn stats(&self) -> PoolStats {
        self.counters.read().stats()
    }

    /// Why discarded objects were not kept, summed over every thread.
    pub fn discards(&self) -> Discards {
        self.counters.read().discards()
    }

    /// Drops the idle objects of the shared store and of the calling thread's
    /// cache (counted as evictions).
    ///
    /// Other threads' caches are theirs: each holds at most
    /// `min(cache_size, max_idle, 4096)` objects, and drains into the shared store
    /// as it overflows or when its thread exits.
    pub fn clear(&'static self) {
        let mut evicted = lock(&self.store).take_all();
        if let Some(mut local) = with_cache(self, |cache| cache.drain()) {
            evicted.append(&mut local);
        }
        self.evict(evicted);
    }

    /// Drops the idle objects of the shared store that were not taken since
    /// the previous `trim()` (counted as evictions).
    ///
    /// This is Go's victim cache under your control: call it from a timer
    /// (every 30 s, say) and a burst's objects are given back to the allocator
    /// two periods after the burst, while a steady load keeps its objects.
    pub fn trim(&self) {
        let evicted = lock(&self.store).trim();
        self.evict(evicted);
    }

    fn evict(&self, evicted: Vec<Box<T>>) {
        if !evicted.is_empty() {
            self.counters.shared().bump_shared(Event::Evicted, evicted.len() as u64);
        }
        drop(evicted);
    }

    /// How many idle objects the calling thread's cache holds.
    pub fn local_idle(&'static self) -> usize {
        with_cache(self, |cache| cache.len()).unwrap_or(0)
    }

    /// How many idle objects the shared store holds.
    pub fn shared_idle(&self) -> usize {
        lock(&self.store).len()
    }
}

impl<T> Pool<T> {
    /// The metrics label.
    pub fn name(&self) -> &str {
        self.config.name()
    }

    /// The configuration the pool was built with.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// Whether a return is `reset` alone: then a thread's cache gives the
    /// inline return path room (see `fresh`).
    pub(crate) fn returns_by_reset(&self) -> bool {
        self.fresh.is_plain()
    }

    pub(crate) fn store(&self) -> &Mutex<Store<T>> {
        &self.store
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    pub(crate) fn counts(&self) -> Counts {
        self.counters.read()
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    #[inline]
    pub(crate) fn id(&'static self) -> usize {
        // Relaxed: the id is only an index; what it indexes is read under
        // the registry's lock or lives in this thread's own table.
        match self.id.load(Relaxed) {
            registry::UNREGISTERED => registry::register(self, &self.id),
            id => id,
        }
    }
}

/// Which part of the return path resets and measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    /// The inline path: reset; kept only in a cache's inline room.
    Inline,
    /// The slow path, for an object the inline path did not touch: reset
    /// it, or restore it without resetting it first.
    Slow,
    /// The slow path, after the inline path reset the object.
    SlowAlreadyReset,
}

/// What the inline return path did with the object.
enum Inline {
    Kept,
    /// Reset, not kept (oversized, no room, no cache): for the slow path.
    Reset,
    /// Left for the slow path as it was.
    Untouched,
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
            .field("config", &self.config)
            .field("stats", &self.counters.read().stats())
            .finish_non_exhaustive()
    }
}
