//! Many threads on one pool: balanced counters, no leak under thread churn,
//! guards dropped on other threads and at thread exit.

use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::{mpsc, Barrier, Mutex};
use std::thread;

use poolable::{Pool, PoolConfig, PoolStats, Pooled, Reset};

fn leak<T: Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

fn assert_balanced(stats: PoolStats) {
    assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use, "{stats:?}");
    assert_eq!(stats.idle, stats.returns - stats.hits - stats.evictions, "{stats:?}");
}

/// Declares a pooled type whose live instances are counted: `Default` adds
/// one, `Drop` takes one away. Each test gets its own type and counter.
macro_rules! counted {
    ($ty:ident, $live:ident) => {
        static $live: AtomicI64 = AtomicI64::new(0);

        struct $ty {
            payload: Vec<u8>,
        }

        impl Default for $ty {
            fn default() -> Self {
                $live.fetch_add(1, SeqCst);
                Self { payload: Vec::new() }
            }
        }

        impl Drop for $ty {
            fn drop(&mut self) {
                $live.fetch_sub(1, SeqCst);
            }
        }

        impl Reset for $ty {
            fn reset(&mut self) {
                self.payload.reset();
            }
            fn retained_bytes(&self) -> usize {
                self.payload.retained_bytes()
            }
        }
    };
}

/// A field that counts the derived objects alive in `$live`: made by
/// `Default`, gone in `Drop` (a `#[pool(skip)]` field of derived types).
macro_rules! token {
    ($ty:ident, $live:ident) => {
        static $live: AtomicI64 = AtomicI64::new(0);

        struct $ty;

        impl Default for $ty {
            fn default() -> Self {
                $live.fetch_add(1, SeqCst);
                $ty
            }
        }

        impl Drop for $ty {
            fn drop(&mut self) {
                $live.fetch_sub(1, SeqCst);
            }
        }
    };
}

counted!(Churned, CHURNED_LIVE);

#[test]
fn a_million_cycles_on_a_hundred_short_lived_threads_leak_nothing() {
    const WAVES: usize = 10;
    const THREADS: usize = 10;
    const CYCLES: usize = 10_000;
    const MAX_IDLE: usize = 64;
    let pool =
        leak(Pool::with_config(Churned::default, PoolConfig::new("churn").max_idle(MAX_IDLE).cache_size(16)));

    for wave in 0..WAVES {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                thread::spawn(move || {
                    let mut held = Vec::new();
                    for i in 0..CYCLES {
                        let mut object = pool.get();
                        object.payload.push((i + t + wave) as u8);
                        // Vary how many are out at once, so caches fill and spill.
                        if i % 7 == 0 {
                            held.push(object);
                        } else if i % 50 == 0 {
                            held.clear();
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
    }

    let stats = pool.stats();
    assert_eq!(stats.hits + stats.misses, (WAVES * THREADS * CYCLES) as u64);
    assert_eq!(stats.in_use, 0);
    assert_balanced(stats);
    assert_eq!(CHURNED_LIVE.load(SeqCst), stats.idle as i64, "every live object is idle in the pool");
    assert!(
        stats.idle <= MAX_IDLE as u64,
        "exited threads handed their caches back within max_idle: {stats:?}"
    );
    assert!(stats.hits > stats.misses * 10, "objects were reused: {stats:?}");

    pool.clear();
    assert_eq!(CHURNED_LIVE.load(SeqCst), 0, "clear drops everything once the threads are gone");
    assert_eq!(pool.stats().idle, 0);
}

counted!(Mixed, MIXED_LIVE);

#[test]
fn counters_balance_after_mixed_get_drop_detach_on_many_threads() {
    const THREADS: usize = 8;
    let pool = leak(Pool::with_config(Mixed::default, PoolConfig::new("mixed").max_idle(32).cache_size(8)));
    let barrier = leak_barrier(THREADS);
    let detached: u64 = thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || {
                    barrier.wait();
                    let mut detached = 0;
                    let mut held: Vec<Pooled<Mixed>> = Vec::new();
                    for i in 0..20_000usize {
                        let mut object = pool.get();
                        object.payload.extend_from_slice(&[t as u8; 3]);
                        match i % 5 {
                            0 => held.push(object),
                            1 => {
                                drop(Pooled::detach(object));
                                detached += 1;
                            }
                            _ => drop(object),
                        }
                        if held.len() > 20 {
                            held.drain(..10);
                        }
                    }
                    // Some guards are still out when we read the stats below.
                    std::mem::forget(held.split_off(held.len() / 2));
                    detached
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let stats = pool.stats();
    assert_balanced(stats);
    assert_eq!(pool.discards().detached, detached);
    assert!(stats.in_use > 0, "forgotten guards are still counted as out");
    assert_eq!(MIXED_LIVE.load(SeqCst), (stats.idle + stats.in_use) as i64);
}

fn leak_barrier(n: usize) -> &'static Barrier {
    Box::leak(Box::new(Barrier::new(n)))
}

counted!(Sent, SENT_LIVE);

#[test]
fn guards_sent_to_another_thread_return_from_there() {
    let pool = leak(Pool::with_config(Sent::default, PoolConfig::new("sent").max_idle(1_000).cache_size(8)));
    let (tx, rx) = mpsc::sync_channel::<Pooled<Sent>>(64);
    let consumer = thread::spawn(move || {
        let mut seen = 0u64;
        for object in rx {
            assert_eq!(object.payload.len(), 4);
            seen += 1;
        }
        seen
    });
    let producer = thread::spawn(move || {
        for i in 0..50_000u32 {
            let mut object = pool.get();
            assert!(object.payload.is_empty(), "a reused object arrives reset");
            object.payload.extend_from_slice(&i.to_le_bytes());
            tx.send(object).unwrap();
        }
    });
    producer.join().unwrap();
    assert_eq!(consumer.join().unwrap(), 50_000);

    let stats = pool.stats();
    assert_eq!(stats.hits + stats.misses, 50_000);
    assert_eq!(stats.in_use, 0);
    assert_balanced(stats);
    assert!(stats.hits > 40_000, "objects flowed back from the consumer to the producer: {stats:?}");
    assert_eq!(SENT_LIVE.load(SeqCst), stats.idle as i64);
    assert!(stats.idle <= 1_000);
}

counted!(Bounded, BOUNDED_LIVE);

#[test]
fn live_threads_hold_at_most_their_cache_each_on_top_of_max_idle() {
    const THREADS: usize = 6;
    const MAX_IDLE: usize = 10;
    const CACHE: usize = 4;
    let config = PoolConfig::new("bounded_live").max_idle(MAX_IDLE).cache_size(CACHE);
    let pool = leak(Pool::with_config(Bounded::default, config));
    let filled = leak_barrier(THREADS + 1);
    let checked = leak_barrier(THREADS + 1);
    // One thread fills at a time: a thread refilling from the store while
    // another spills into it could leave that other's cache short of full,
    // and the bound is only reached exactly when every cache is full.
    let one_at_a_time: &'static Mutex<()> = Box::leak(Box::new(Mutex::new(())));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            thread::spawn(move || {
                let turn = one_at_a_time.lock().unwrap();
                drop((0..50).map(|_| pool.get()).collect::<Vec<_>>());
                drop(turn);
                filled.wait();
                checked.wait();
            })
        })
        .collect();
    filled.wait();
    let while_alive = pool.stats();
    assert_eq!(while_alive.idle, (MAX_IDLE + THREADS * CACHE) as u64, "{while_alive:?}");
    assert_eq!(BOUNDED_LIVE.load(SeqCst), while_alive.idle as i64);
    checked.wait();
    for handle in handles {
        handle.join().unwrap();
    }
    let after = pool.stats();
    assert_eq!(after.idle, MAX_IDLE as u64, "exited caches did not fit and were evicted: {after:?}");
    assert_eq!(after.evictions, (THREADS * CACHE) as u64);
    assert_eq!(BOUNDED_LIVE.load(SeqCst), MAX_IDLE as i64);
    assert_balanced(after);
}

counted!(Late, LATE_LIVE);

static LATE_POOL: Pool<Late> = Pool::with_config(Late::default, PoolConfig::new("late"));

thread_local! {
    /// Drops the guard it holds when the thread exits.
    static HELD_UNTIL_EXIT: std::cell::RefCell<Option<Pooled<Late>>> = const { std::cell::RefCell::new(None) };
}

#[test]
fn a_guard_dropped_by_a_thread_local_destructor_still_returns() {
    thread::spawn(|| {
        drop(LATE_POOL.get()); // this thread's cache exists, and may be destroyed first
        let guard = LATE_POOL.get();
        HELD_UNTIL_EXIT.with(|held| *held.borrow_mut() = Some(guard));
    })
    .join()
    .unwrap();
    let stats = LATE_POOL.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert_balanced(stats);
    assert_eq!(LATE_LIVE.load(SeqCst), stats.idle as i64);
}

token!(LiveToken, TOKENS_LIVE);

/// A derived type: its pool uses the per-type thread-local cache the derive
/// generates, not the generic table the hand-built pools above use.
#[derive(Default, poolable::Poolable)]
#[pool(name = "derived_churn", max_idle = 64)]
struct DerivedChurned {
    payload: Vec<u8>,
    #[pool(skip)]
    _token: LiveToken,
}

#[test]
fn derived_pools_survive_thread_churn_and_cross_thread_drops() {
    use poolable::Poolable;
    const WAVES: usize = 10;
    const THREADS: usize = 10;
    const CYCLES: usize = 10_000;

    for _ in 0..WAVES {
        let (tx, rx) = mpsc::channel::<Pooled<DerivedChurned>>();
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let tx = tx.clone();
                thread::spawn(move || {
                    let mut held = Vec::new();
                    for i in 0..CYCLES {
                        let mut object = DerivedChurned::pooled();
                        assert!(object.payload.is_empty(), "a reused object arrives reset");
                        object.payload.push(i as u8);
                        match i % 11 {
                            0 => tx.send(object).unwrap(), // dropped on the main thread
                            1..=3 => held.push(object),
                            _ => drop(object),
                        }
                        if held.len() > 40 {
                            held.clear(); // spills to the shared store
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        for object in rx {
            drop(object);
        }
        for handle in handles {
            handle.join().unwrap();
        }
    }

    // This thread dropped guards too: its cache holds up to min(cache_size, max_idle).
    let pool = DerivedChurned::pool();
    let stats = pool.stats();
    assert_eq!(stats.hits + stats.misses, (WAVES * THREADS * CYCLES) as u64);
    assert_eq!(stats.in_use, 0);
    assert_balanced(stats);
    assert_eq!(TOKENS_LIVE.load(SeqCst), stats.idle as i64, "every live object is idle in the pool");
    assert!(stats.idle <= 64 + 32, "{stats:?}");
    assert!(pool.shared_idle() <= 64);
    assert!(stats.hits > stats.misses * 10, "objects were reused: {stats:?}");
    pool.clear();
    assert_eq!(TOKENS_LIVE.load(SeqCst), 0, "clear drops the store and this thread's cache");
}

token!(ExitToken, EXIT_LIVE);

/// A derived type, whose thread cache is handed back by an exit hook rather
/// than by its own thread-local destructor.
#[derive(Default, poolable::Poolable)]
#[pool(name = "derived_exit")]
struct DerivedAtExit {
    payload: Vec<u8>,
    #[pool(skip)]
    _token: ExitToken,
}

thread_local! {
    /// Drops the guard it holds when the thread exits.
    static DERIVED_HELD_UNTIL_EXIT: std::cell::RefCell<Option<Pooled<DerivedAtExit>>> = const { std::cell::RefCell::new(None) };
}

#[test]
fn a_derived_guard_dropped_at_thread_exit_is_never_stranded() {
    use poolable::Poolable;
    // Thread-local destructors run in reverse order of registration: the
    // first thread registers its own thread-local before the pool's exit
    // hook (so the guard is dropped after the cache was handed back), the
    // second after it (dropped into a live cache, handed back after).
    for cache_first in [false, true] {
        thread::spawn(move || {
            if !cache_first {
                DERIVED_HELD_UNTIL_EXIT.with(|_| {});
            }
            drop(DerivedAtExit::pooled());
            let mut guard = DerivedAtExit::pooled();
            guard.payload.push(1);
            DERIVED_HELD_UNTIL_EXIT.with(|held| *held.borrow_mut() = Some(guard));
        })
        .join()
        .unwrap();
    }
    let pool = DerivedAtExit::pool();
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "{stats:?}");
    assert_balanced(stats);
    assert_eq!(EXIT_LIVE.load(SeqCst), stats.idle as i64, "{stats:?}");
    assert_eq!(pool.shared_idle() as u64, stats.idle, "every idle object is back in the shared store");
    pool.clear();
    assert_eq!(EXIT_LIVE.load(SeqCst), 0, "nothing stranded in an exited thread's cache");
}

token!(LateUserToken, LATE_USER_LIVE);

#[derive(Default, poolable::Poolable)]
#[pool(name = "derived_used_at_exit")]
struct UsedAtExit {
    payload: Vec<u8>,
    #[pool(skip)]
    _token: LateUserToken,
}

/// Takes and returns objects from its destructor, at thread exit.
struct TakesAtExit;

impl Drop for TakesAtExit {
    fn drop(&mut self) {
        use poolable::Poolable;
        for _ in 0..2 {
            let mut object = UsedAtExit::pooled();
            assert!(object.payload.is_empty(), "a reused object arrives reset, even at exit");
            object.payload.push(7);
        }
    }
}

thread_local! {
    static TAKES_AT_EXIT: TakesAtExit = const { TakesAtExit };
}

#[test]
fn a_derived_pool_used_after_its_cache_was_handed_back_goes_to_the_shared_store() {
    use poolable::Poolable;
    thread::spawn(|| {
        // Registered before the pool's exit hook, so destroyed after it: the
        // takes and returns in its destructor find this thread's cache closed.
        TAKES_AT_EXIT.with(|_| {});
        drop(UsedAtExit::pooled());
    })
    .join()
    .unwrap();
    let pool = UsedAtExit::pool();
    let stats = pool.stats();
    assert_eq!((stats.misses, stats.hits, stats.returns, stats.in_use), (1, 2, 3, 0), "{stats:?}");
    assert_balanced(stats);
    assert_eq!(
        (pool.shared_idle(), LATE_USER_LIVE.load(SeqCst)),
        (1, 1),
        "the one object is in the shared store"
    );
    pool.clear();
    assert_eq!(LATE_USER_LIVE.load(SeqCst), 0);
}
