//! Loom models of the engine: every interleaving (up to a preemption bound)
//! of a few threads taking and returning objects, exiting, clearing and
//! trimming, checked against the contract's invariants.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p pool-runtime --release --lib loom_tests
//! ```
//!
//! All models together take about five seconds in `--release`; `--nocapture`
//! prints each one's iterations and time. `LOOM_MAX_PREEMPTIONS=n` overrides
//! every model's preemption bound: the models other than
//! `shared_store_under_contention` still finish in about a minute at 8, but
//! that one (bound 2, ~10k iterations) passes 2 million iterations at 3.
//!
//! What the models found: during concurrent use a `stats()` read can derive an
//! `idle` above the documented bound (and an `in_use` clamped at 0), because
//! it loads the counters with `Relaxed` one by one; `PoolStats` documents
//! that only quiescent reads are exact, so the models check concurrent reads
//! for monotonicity only, and the bounds on the real idle set
//! (`shared_idle`, `local_idle`, the live-object count).
//!
//! # How the models are built, and what loom does that std does not
//!
//! * **A pool per iteration, leaked.** Guards and caches need a
//!   `&'static Pool`, and loom's primitives belong to one execution, so every
//!   iteration leaks a fresh pool (`Box::leak`). Its idle objects are never
//!   dropped; nothing reads them after the iteration.
//! * **Live objects are counted with std atomics.** `Pool::create` is a plain
//!   `fn() -> T` and cannot capture a per-iteration counter, so the counter is
//!   a `static`, which loom's atomics cannot be (they are not `const`). The
//!   counter is instrumentation, not part of the protocol under test: a loom
//!   atomic would only add interleavings. Loom runs a model's threads one at a
//!   time on one OS thread, so a std atomic is always exact; each model has
//!   its own counter (test threads run models in parallel) and zeroes it at
//!   the start of every iteration.
//! * **`join` does not wait for thread-local destructors under loom.** Loom
//!   runs a spawned thread's thread-local destructors (its `thread_done`
//!   drops them, so a thread's caches *are* handed back), but only after it
//!   has signalled the thread's `JoinHandle`: `join()` may return while the
//!   thread still has to hand its caches back. std's `join` returns after
//!   them. The models therefore wait for the hand-back with an [`ExitSignal`].
//! * **Typed slots are handed back by exit hooks, which loom runs at the end
//!   of a thread started with `sync::spawn`.** A derived type's cache lives
//!   in a thread-local without drop glue that an exit hook hands back. Loom
//!   takes every thread-local of an exiting thread away before dropping
//!   any, so a hook run from a destructor would find the slot gone;
//!   `sync::spawn` runs the thread's hooks when its closure returns, before
//!   `join` returns. The main thread's hooks never run: its typed slot keeps
//!   its objects after the closure.
//! * **The main model thread may use the pool.** Loom also drops the main
//!   thread's thread-locals, after the model closure returns and before it
//!   checks for leaked objects, so the main thread's cache is handed back
//!   and its tally folded. Assertions inside the
//!   closure just cannot see that last hand-back; where a model's main thread
//!   uses the pool, the bounds account for its live cache.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use loom::thread;

use crate::{Pool, PoolConfig, PoolStats, Pooled, Reset};

// ---------------------------------------------------------------------------
// Instrumentation
// ---------------------------------------------------------------------------

/// Objects alive per model (indexed by the model's `M`), see the module docs.
static LIVE: [AtomicUsize; MODELS] = [const { AtomicUsize::new(0) }; MODELS];
/// Iterations run per model, printed at the end (`--nocapture` shows it).
static ITERATIONS: [AtomicUsize; MODELS] = [const { AtomicUsize::new(0) }; MODELS];

const CONTENTION: usize = 0;
const EXIT_WITH_TAKES: usize = 1;
const EXIT_WITH_CLEAR: usize = 2;
const EXIT_WITH_TRIM: usize = 3;
const MIGRATION: usize = 4;
const TEARDOWN_GUARDS: usize = 5;
const TEARDOWN_HOLDERS: usize = 6;
const RESTORING: usize = 7;
const SLOTTED: usize = 8;
const GENERIC: usize = 9;
const MODELS: usize = 10;

/// Counts itself in `LIVE[M]` from construction to drop.
struct Tracked<const M: usize>(());

impl<const M: usize> Tracked<M> {
    fn new() -> Self {
        LIVE[M].fetch_add(1, SeqCst);
        Self(())
    }
}

impl<const M: usize> Drop for Tracked<M> {
    fn drop(&mut self) {
        LIVE[M].fetch_sub(1, SeqCst);
    }
}

/// The pooled object: its field is what counts it.
struct Object<const M: usize> {
    _tracked: Tracked<M>,
}

impl<const M: usize> Reset for Object<M> {
    fn reset(&mut self) {}
}

fn create<const M: usize>() -> Object<M> {
    Object { _tracked: Tracked::new() }
}

fn live<const M: usize>() -> u64 {
    LIVE[M].load(SeqCst) as u64
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// A model's pool: fresh for the iteration, leaked.
fn pool<const M: usize>(config: PoolConfig) -> &'static Pool<Object<M>> {
    LIVE[M].store(0, SeqCst);
    ITERATIONS[M].fetch_add(1, SeqCst);
    leak(Pool::with_config(create::<M>, config))
}

/// Runs `model` under loom with the given preemption bound, unless
/// `LOOM_MAX_PREEMPTIONS` sets one.
fn check<const M: usize>(name: &str, preemptions: usize, model: fn()) {
    ITERATIONS[M].store(0, SeqCst);
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(preemptions);
    }
    let start = std::time::Instant::now();
    builder.check(model);
    eprintln!(
        "loom model {name}: {} iterations, preemption bound {:?}, {:.1?}",
        ITERATIONS[M].load(SeqCst),
        builder.preemption_bound,
        start.elapsed()
    );
}

/// Lets the main model thread wait until a spawned thread has handed its
/// caches back (see the module docs: loom's `join` does not wait for that).
///
/// The thread, as its last pool operation, puts a marker object in its cache
/// of a pool of its own, the marker pool. A thread's caches are a `Vec`
/// indexed by pool id, dropped in index order, and the marker pool is
/// registered after the watched pool, so its id is higher: once the marker
/// reaches the marker pool's shared store, the thread's cache of the watched
/// pool has been dropped completely (objects handed back or evicted and
/// dropped, tally folded). One marker pool per thread: a second thread's
/// `get` would refill its cache from the store and take the first marker.
#[derive(Clone, Copy)]
struct ExitSignal {
    markers: &'static Pool<Marker>,
}

struct Marker;

impl Reset for Marker {
    fn reset(&mut self) {}
}

impl ExitSignal {
    /// A signal for one thread using `watched`: registers `watched` first.
    fn after<T: Reset + Send + 'static>(watched: &'static Pool<T>) -> Self {
        let markers = leak(Pool::with_config(|| Marker, PoolConfig::named("loom_exit_marker")));
        let (watched_id, marker_id) = (watched.id(), markers.id()); // registers both, in this order
        assert!(watched_id < marker_id, "the marker pool's cache must drop last");
        Self { markers }
    }

    /// Called by the watched thread after its last use of the watched pool.
    fn arm(self) {
        drop(self.markers.get());
        assert_eq!(self.markers.local_idle(), 1, "the marker waits in this thread's cache");
    }

    /// Waits until the watched thread has exited and handed its caches back.
    fn wait(self) {
        while self.markers.shared_idle() == 0 {
            thread::yield_now();
        }
    }
}

// ---------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------

/// The contract's identities, for a pool nobody is using.
fn assert_quiescent(stats: PoolStats) {
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards, "{stats:?}");
    // `idle` is derived with saturating arithmetic: check it did not saturate.
    assert!(stats.returns >= stats.hits + stats.evictions, "{stats:?}");
    assert_eq!(stats.idle, stats.returns - stats.hits - stats.evictions, "{stats:?}");
}

/// Every counter only grows between two reads, and so do the sums.
fn assert_monotone(before: PoolStats, after: PoolStats) {
    let raw = |s: PoolStats| [s.hits, s.misses, s.returns, s.discards, s.evictions];
    for (b, a) in raw(before).into_iter().zip(raw(after)) {
        assert!(b <= a, "a counter went back: {before:?} then {after:?}");
    }
    assert!(before.hits + before.misses <= after.hits + after.misses);
    assert!(before.returns + before.discards <= after.returns + after.discards);
}

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/// Two threads take and return through a pool whose caches hold one object
/// and whose store holds two, so every second return spills to the shared
/// store, refills come from it, and returns find it full. The main thread
/// does not use the pool (its cache would count against the bound).
#[test]
fn shared_store_under_contention() {
    check::<CONTENTION>("shared_store_under_contention", 2, || {
        let pool = pool::<CONTENTION>(PoolConfig::named("loom_contention").cache_size(1).max_idle(2));
        let exits = [ExitSignal::after(pool), ExitSignal::after(pool)];

        let threads: Vec<_> = exits
            .into_iter()
            .map(|exit| {
                thread::spawn(move || {
                    let a = pool.get();
                    let b = pool.get();
                    drop(a); // kept in the cache
                    drop(b); // cache full: spills `a` to the store
                    let c = pool.get(); // `b`, from the cache
                    let d = pool.get(); // cache empty: refill from the store, or a miss
                    drop(c);
                    drop(d);
                    exit.arm();
                })
            })
            .collect();

        // Read while the threads run. Only monotonicity holds here: `idle`
        // and `in_use` are derived from counters that are not read at one
        // instant, and loom finds reads such as `hits: 2, misses: 2,
        // returns: 7` (relaxed loads of one thread's tally see a later
        // `returns` and earlier `hits`), whose derived `idle` of 5 exceeds the
        // bound of 4 that the real idle set respects (see `PoolStats`).
        let during = pool.stats();
        let later = pool.stats();
        assert_monotone(during, later);

        for (thread, exit) in threads.into_iter().zip(exits) {
            thread.join().unwrap();
            exit.wait();
        }

        let after = pool.stats();
        assert_monotone(later, after);
        assert_quiescent(after);
        assert_eq!(after.hits + after.misses, 8, "{after:?}");
        assert!(after.idle <= 2, "the threads are gone: idle <= max_idle: {after:?}");
        assert_eq!(pool.shared_idle() as u64, after.idle, "only the store holds objects");
        assert_eq!(live::<CONTENTION>(), after.idle, "every object not idle was dropped");
    });
}

/// A pooled object whose constructor does not make it in its reset state,
/// so that its pool restores every returned one to a per-thread template.
struct Restored {
    value: u32,
    _tracked: Tracked<RESTORING>,
}

impl Reset for Restored {
    fn reset(&mut self) {
        self.value = 0;
    }
    fn is_reset(&self) -> bool {
        self.value == 0
    }
    fn reset_to(&mut self, fresh: &Self) -> bool {
        self.value = fresh.value;
        true
    }
}

fn create_restored() -> Restored {
    Restored { value: 7, _tracked: Tracked::new() }
}

/// Two threads take and return objects of a restoring pool through caches
/// of one object and a store of two (spills and refills included): every
/// take sees the constructor's value, never a previous user's, and once the
/// threads are gone their templates are dropped with their caches, so the
/// live objects are exactly the idle ones.
#[test]
fn restoring_pool_under_contention() {
    check::<RESTORING>("restoring_pool_under_contention", 2, || {
        LIVE[RESTORING].store(0, SeqCst);
        ITERATIONS[RESTORING].fetch_add(1, SeqCst);
        let pool = leak(Pool::with_config(
            create_restored,
            PoolConfig::named("loom_restoring").cache_size(1).max_idle(2),
        ));
        let exits = [ExitSignal::after(pool), ExitSignal::after(pool)];
        let threads: Vec<_> = exits
            .into_iter()
            .map(|exit| {
                thread::spawn(move || {
                    let mut a = pool.get();
                    assert_eq!(a.value, 7);
                    a.value = 1;
                    let mut b = pool.get();
                    b.value = 2;
                    drop(a);
                    drop(b);
                    let c = pool.get();
                    let d = pool.get();
                    assert_eq!((c.value, d.value), (7, 7), "restored, on whichever thread it went back");
                    drop(c);
                    drop(d);
                    exit.arm();
                })
            })
            .collect();
        for (thread, exit) in threads.into_iter().zip(exits) {
            thread.join().unwrap();
            exit.wait();
        }
        let after = pool.stats();
        assert_quiescent(after);
        assert!(after.idle <= 2, "{after:?}");
        assert_eq!(live::<RESTORING>(), after.idle, "templates and surplus objects were dropped");
    });
}

/// What the main thread does while a thread exits with a full cache.
#[derive(Clone, Copy)]
enum MainOp {
    TakeAndReturn,
    Clear,
    Trim,
}

/// A thread fills its cache and exits; concurrently the main thread takes and
/// returns, clears, or trims, and reads the counters twice while the thread's
/// tally is folded into the pool's.
fn thread_exit_hand_back<const M: usize>(op: MainOp) {
    const MAX_IDLE: u64 = 2;
    const CACHE_SIZE: u64 = 2;
    let pool =
        pool::<M>(PoolConfig::named("loom_exit").cache_size(CACHE_SIZE as usize).max_idle(MAX_IDLE as usize));
    let exit = ExitSignal::after(pool);

    let worker = thread::spawn(move || {
        let a = pool.get();
        let b = pool.get();
        drop(a);
        drop(b);
        assert_eq!(pool.local_idle(), 2, "both wait in the cache until the thread exits");
        exit.arm();
    });

    let first = pool.stats();
    match op {
        MainOp::TakeAndReturn => {
            let x = pool.get(); // from the store if the worker has handed back
            let y = pool.get();
            let z = pool.get();
            drop(x);
            drop(y);
            drop(z); // cache full: spills `x` to the store, competing for its room
        }
        MainOp::Clear => {
            drop(pool.get());
            pool.clear(); // the store and this thread's cache
        }
        MainOp::Trim => {
            drop(pool.get());
            pool.trim();
            pool.trim(); // evicts whatever was in the store at the first trim
        }
    }
    let second = pool.stats();
    assert_monotone(first, second);

    worker.join().unwrap();
    exit.wait();

    let after = pool.stats();
    assert_monotone(second, after);
    assert_quiescent(after);
    // The main thread is alive and its cache holds up to min(cache_size, max_idle).
    assert!(after.idle <= MAX_IDLE + CACHE_SIZE.min(MAX_IDLE), "{after:?}");
    assert!(
        pool.shared_idle() as u64 <= MAX_IDLE,
        "shared {} local {} {after:?}",
        pool.shared_idle(),
        pool.local_idle()
    );
    assert!(pool.local_idle() as u64 <= CACHE_SIZE.min(MAX_IDLE));
    assert_eq!((pool.shared_idle() + pool.local_idle()) as u64, after.idle, "{after:?}");
    if let MainOp::Clear = op {
        assert_eq!(pool.local_idle(), 0, "clear() emptied this thread's cache");
    }
    assert_eq!(live::<M>(), after.idle, "every object not idle was dropped");
}

#[test]
fn thread_exit_hand_back_while_taking() {
    check::<EXIT_WITH_TAKES>("thread_exit_hand_back_while_taking", 4, || {
        thread_exit_hand_back::<EXIT_WITH_TAKES>(MainOp::TakeAndReturn);
    });
}

#[test]
fn thread_exit_hand_back_while_clearing() {
    check::<EXIT_WITH_CLEAR>("thread_exit_hand_back_while_clearing", 4, || {
        thread_exit_hand_back::<EXIT_WITH_CLEAR>(MainOp::Clear);
    });
}

#[test]
fn thread_exit_hand_back_while_trimming() {
    check::<EXIT_WITH_TRIM>("thread_exit_hand_back_while_trimming", 4, || {
        thread_exit_hand_back::<EXIT_WITH_TRIM>(MainOp::Trim);
    });
}

/// A guard taken on one thread is moved to a second thread and dropped there
/// while the first thread exits and hands its cache back. The store holds one
/// object, so the two hand-backs compete for it.
#[test]
fn guard_dropped_on_another_thread_while_its_taker_exits() {
    check::<MIGRATION>("guard_dropped_on_another_thread_while_its_taker_exits", 5, || {
        let pool = pool::<MIGRATION>(PoolConfig::named("loom_migration").cache_size(1).max_idle(1));
        let (taker_exit, dropper_exit) = (ExitSignal::after(pool), ExitSignal::after(pool));

        let taker = thread::spawn(move || {
            let guard = pool.get();
            drop(pool.get()); // this thread's cache now holds one
            let dropper = thread::spawn(move || {
                drop(guard); // into the dropper's own cache
                dropper_exit.arm();
            });
            taker_exit.arm();
            dropper
        });
        let dropper = taker.join().unwrap();
        dropper.join().unwrap();
        taker_exit.wait();
        dropper_exit.wait();

        let after = pool.stats();
        assert_quiescent(after);
        assert_eq!((after.misses, after.returns), (2, 2), "{after:?}");
        assert!(after.idle <= 1, "{after:?}");
        assert_eq!(pool.shared_idle() as u64, after.idle);
        assert_eq!(live::<MIGRATION>(), after.idle, "every object not idle was dropped");
    });
}

/// An object of one pool that holds a guard of another and keeps it across
/// its resets (as a `#[pool(skip)]` field would).
struct Holder {
    _tracked: Tracked<TEARDOWN_HOLDERS>,
    guard: Option<Pooled<Object<TEARDOWN_GUARDS>>>,
}

impl Reset for Holder {
    fn reset(&mut self) {}
}

/// A guard dropped while its thread's caches are being destroyed: the thread
/// exits with a holder in its cache of a full pool, so the hand-back evicts
/// the holder, whose guard goes back to its own pool from a thread-local
/// destructor, where no cache can be had (the uncached path of
/// `Pool::give_back`). Meanwhile the main thread takes and returns guards of
/// that pool through its own cache.
#[test]
fn guard_dropped_by_a_thread_local_destructor() {
    check::<TEARDOWN_GUARDS>("guard_dropped_by_a_thread_local_destructor", 4, || {
        let guards =
            pool::<TEARDOWN_GUARDS>(PoolConfig::named("loom_teardown_guards").cache_size(1).max_idle(1));
        LIVE[TEARDOWN_HOLDERS].store(0, SeqCst);
        let holders = leak(Pool::with_config(
            || Holder { _tracked: Tracked::new(), guard: None },
            PoolConfig::named("loom_teardown_holders").cache_size(1).max_idle(1),
        ));
        let (guards_id, holders_id) = (guards.id(), holders.id()); // registers both, in this order
        assert!(guards_id < holders_id, "the holders' cache drops after the guards' cache");
        let exit = ExitSignal::after(holders);

        let worker = thread::spawn(move || {
            let first = holders.get();
            let mut second = holders.get();
            second.guard = Some(guards.get());
            drop(first); // kept in the cache
            drop(second); // spills `first` to the store, which is now full
            exit.arm();
        });

        let taken = guards.get();
        drop(taken);
        let during = guards.stats();

        worker.join().unwrap();
        exit.wait();

        let after = guards.stats();
        assert_monotone(during, after);
        assert_quiescent(after);
        assert_eq!((guards.shared_idle() + guards.local_idle()) as u64, after.idle, "{after:?}");
        assert_eq!(live::<TEARDOWN_GUARDS>(), after.idle, "the guard went back or was dropped");

        let holder_stats = holders.stats();
        assert_quiescent(holder_stats);
        assert_eq!(holder_stats.evictions, 1, "the exit found the store full: {holder_stats:?}");
        assert_eq!(live::<TEARDOWN_HOLDERS>(), holder_stats.idle);
    });
}

/// A type whose pool reaches its caches as a `#[derive(Poolable)]` type's
/// does: through a typed slot of its own (`Reset::__thread_slot`), which an
/// exit hook hands back when its thread exits (`sync::at_thread_exit`).
/// `__thread_slot` takes no arguments, so the iteration's pool waits in a
/// std static (instrumentation, as `LIVE`).
struct Slotted {
    _tracked: Tracked<SLOTTED>,
}

static SLOTTED_POOL: std::sync::Mutex<Option<&'static Pool<Slotted>>> = std::sync::Mutex::new(None);

impl Reset for Slotted {
    fn reset(&mut self) {}

    fn __thread_slot() -> Option<crate::cache::local::TypedSlot<Self>> {
        crate::sync::thread_local_const! {
            static SLOT: crate::cache::local::ThreadSlot<Slotted> = crate::cache::local::ThreadSlot::new();
        }
        let pool = SLOTTED_POOL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(crate::engine::pool::thread_slot(&SLOT, pool.expect("the model sets the pool first")))
    }
}

/// The derived path: a thread takes and returns through its typed slot and
/// exits, its hook handing the slot's objects back to the shared store,
/// while the main thread takes three objects through its own slot (refilling
/// from the store, racing the hand-back) and returns them (the third spills
/// its cache into the store). Every object ends idle, where the pool can
/// reach it, or dropped.
#[test]
fn derived_path_take_return_and_thread_exit() {
    check::<SLOTTED>("derived_path_take_return_and_thread_exit", 4, || {
        LIVE[SLOTTED].store(0, SeqCst);
        ITERATIONS[SLOTTED].fetch_add(1, SeqCst);
        let pool = leak(Pool::with_config(
            || Slotted { _tracked: Tracked::new() },
            PoolConfig::named("loom_slotted").cache_size(2).max_idle(4),
        ));
        *SLOTTED_POOL.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(pool);

        let worker = crate::sync::spawn(move || {
            let a = pool.get();
            let b = pool.get();
            drop(a);
            drop(b);
            assert_eq!(pool.local_idle(), 2, "both wait in the slot until the thread exits");
        });

        let taken = [pool.get(), pool.get(), pool.get()];
        drop(taken);
        let during = pool.stats();

        worker.join().unwrap(); // the hooks ran before the thread's closure returned

        let after = pool.stats();
        assert_monotone(during, after);
        assert_quiescent(after);
        assert_eq!(
            (pool.shared_idle() + pool.local_idle()) as u64,
            after.idle,
            "the exited thread's objects are in the store: {after:?}"
        );
        assert_eq!(live::<SLOTTED>(), after.idle, "every object not idle was dropped");
        // At most five objects, room for four in the store and two in the
        // main thread's cache: the hand-back kept every one.
        assert_eq!(after.evictions, 0, "{after:?}");
    });
}

/// Two instantiations of a generic derived type, as the derive makes them:
/// pools made by `generic_pool` (`Pool::into_generic`), whose caches live in
/// the one thread-local of the type's definition (`Reset::__generic_slot`),
/// handed back by its exit hook.
struct GenericSlotted<const K: usize> {
    _tracked: Tracked<GENERIC>,
}

crate::sync::thread_local_const! {
    static GENERIC_SLOT: crate::cache::local::GenericSlot = crate::cache::local::GenericSlot::new();
}

impl<const K: usize> Reset for GenericSlotted<K> {
    fn reset(&mut self) {}

    fn __generic_slot() -> Option<&'static crate::sync::LocalKey<crate::cache::local::GenericSlot>> {
        Some(&GENERIC_SLOT)
    }
}

fn generic_pool<const K: usize>() -> &'static Pool<GenericSlotted<K>> {
    let config = PoolConfig::named(format!("loom_generic_{K}")).cache_size(2).max_idle(4);
    leak(Pool::with_config(|| GenericSlotted { _tracked: Tracked::new() }, config).into_generic())
}

/// The generic path: a thread takes and returns through the caches of two
/// instantiations in its generic slot (the second moved to the front of
/// the slot's list, then the first again) and exits, its hook handing both
/// back, while the main thread takes three objects of the first through its
/// own slot (refilling from the store, racing the hand-back) and returns
/// them. Every object ends idle, where its pool can reach it, or dropped.
#[test]
fn generic_path_two_instantiations_and_thread_exit() {
    check::<GENERIC>("generic_path_two_instantiations_and_thread_exit", 3, || {
        LIVE[GENERIC].store(0, SeqCst);
        ITERATIONS[GENERIC].fetch_add(1, SeqCst);
        let (first, second) = (generic_pool::<0>(), generic_pool::<1>());

        let worker = crate::sync::spawn(move || {
            let a = first.get();
            let b = second.get();
            let c = first.get();
            drop(a);
            drop(b);
            drop(c);
            assert_eq!(
                (first.local_idle(), second.local_idle()),
                (2, 1),
                "all wait in the slot until the thread exits"
            );
        });

        let taken = [first.get(), first.get(), first.get()];
        drop(taken);
        let during = first.stats();

        worker.join().unwrap(); // the hooks ran before the thread's closure returned

        let (after, seconds) = (first.stats(), second.stats());
        assert_monotone(during, after);
        assert_quiescent(after);
        assert_quiescent(seconds);
        assert_eq!((first.shared_idle() + first.local_idle()) as u64, after.idle, "{after:?}");
        assert_eq!(second.shared_idle() as u64, seconds.idle, "{seconds:?}");
        assert_eq!(live::<GENERIC>(), after.idle + seconds.idle, "every object not idle was dropped");
        assert_eq!((after.evictions, seconds.evictions), (0, 0), "{after:?} {seconds:?}");
    });
}
