//! The memory pools hold and how to size and give it back: `idle_bytes`,
//! `prefill`, `trim_every`, and the bounds under a burst of guards held at
//! once (as 2,000 async tasks holding one each).

use std::mem::size_of;
use std::time::{Duration, Instant};

use poolable::{Pool, PoolConfig, PooledBuffer, Reset};

/// The trimmer trims every pool of the process: the tests of this binary
/// run one at a time, so that it never trims another test's pool.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn leak<T: Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

#[test]
fn idle_bytes_count_the_objects_and_the_mean_heap_they_kept() {
    let _alone = alone();
    // No per-thread cache: every return takes the out-of-line path, which
    // measures it.
    let pool = leak(Pool::with_config(String::new, PoolConfig::new("mem_strings").cache_size(0)));
    assert_eq!(pool.idle_bytes(), 0);
    let mut taken: Vec<_> = (0..4).map(|_| pool.get()).collect();
    for (i, line) in taken.iter_mut().enumerate() {
        line.reserve_exact(1000 * (i + 1)); // 1000, 2000, 3000, 4000
    }
    let heap: usize = taken.iter().map(|line| line.capacity()).sum();
    drop(taken);
    assert_eq!(pool.idle_bytes(), (4 * size_of::<String>() + heap) as u64);
    // Two taken again: the estimate keeps the mean of the returns kept.
    let held = (pool.get(), pool.get());
    assert_eq!(pool.idle_bytes(), (2 * size_of::<String>() + heap / 2) as u64);
    drop(held);
    let snapshot = poolable::pools().into_iter().find(|p| p.name == "mem_strings").unwrap();
    assert_eq!(snapshot.idle_bytes, pool.idle_bytes());
}

#[test]
fn a_burst_through_a_thread_cache_is_sampled_where_it_spills() {
    let _alone = alone();
    let pool = leak(Pool::with_config(|| String::with_capacity(512), PoolConfig::new("mem_burst_sampled")));
    let burst: Vec<_> = (0..200).map(|_| pool.get()).collect();
    drop(burst); // fills the cache, then spills it into the store: sampled
    let idle = pool.stats().idle;
    assert_eq!(idle, 200);
    assert_eq!(pool.idle_bytes(), idle * (size_of::<String>() as u64 + 512));
}

#[test]
fn plain_data_holds_its_size_and_nothing_else() {
    let _alone = alone();
    let pool = leak(Pool::with_config(|| [0u64; 8], PoolConfig::new("mem_plain")));
    drop((pool.get(), pool.get(), pool.get()));
    assert_eq!(pool.idle_bytes(), 3 * 64);
}

#[test]
fn buffer_classes_hold_exactly_their_capacity() {
    let _alone = alone();
    let class = PooledBuffer::CLASS_SIZES[1]; // 8 KiB
    let before = PooledBuffer::class_stats(class).unwrap().idle;
    // Grown to an odd size within the 8 KiB class: cut back to 8 KiB.
    let mut odd = poolable::buffer_with_capacity(class);
    odd.reserve_exact(class + 3000);
    odd.extend_from_slice(&[7; 100]);
    assert!(odd.capacity() > class);
    drop(odd);
    let again = poolable::buffer_with_capacity(class);
    assert_eq!(again.capacity(), class, "the class keeps buffers of exactly its size");
    drop(again);
    let idle = PooledBuffer::class_stats(class).unwrap().idle;
    assert!(idle > before);
    let snapshot = poolable::pools().into_iter().find(|p| p.name == "buffer_8k").unwrap();
    assert_eq!(snapshot.idle_bytes, snapshot.stats.idle * (class as u64 + 32), "{snapshot:?}");
}

#[test]
fn prefill_fills_the_shared_store_up_to_its_bound_and_counts_exactly() {
    let _alone = alone();
    let pool =
        leak(Pool::with_config(|| Vec::<u8>::with_capacity(256), PoolConfig::new("mem_warm").max_idle(50)));
    assert_eq!(pool.prefill(30), 30);
    assert_eq!(pool.prefill(30), 20, "as many as the bound leaves room for");
    assert_eq!(pool.prefill(30), 0);
    assert_eq!(pool.shared_idle(), 50);
    let stats = pool.stats();
    assert_eq!((stats.misses, stats.returns, stats.idle, stats.in_use), (50, 50, 50, 0));
    assert_eq!(pool.idle_bytes(), 50 * (size_of::<Vec<u8>>() as u64 + 256));
    let burst: Vec<_> = (0..50).map(|_| pool.get()).collect();
    assert_eq!(pool.stats().misses, 50, "the burst was served by the prefilled objects");
    drop(burst);
    let off = leak(Pool::with_config(Vec::<u8>::new, PoolConfig::new("mem_warm_off").enabled(false)));
    assert_eq!(off.prefill(10), 0);
    assert_eq!(off.stats(), Default::default());
    // Objects every return would drop as oversized are not kept either.
    let big = leak(Pool::with_config(
        || Vec::<u8>::with_capacity(1 << 20),
        PoolConfig::new("mem_warm_big").max_retained_bytes(64 << 10),
    ));
    assert_eq!(big.prefill(8), 0);
    let (stats, discards) = (big.stats(), big.discards());
    assert_eq!((stats.misses, stats.idle, discards.oversized), (1, 0, 1), "one made, measured, dropped");
    assert_eq!(big.idle_bytes(), 0);
}

#[test]
fn the_trimmer_evicts_a_burst_within_two_passes_and_stops_with_its_handle() {
    let _alone = alone();
    let pool = leak(Pool::with_config(String::new, PoolConfig::new("mem_trimmed").cache_size(0)));
    let period = Duration::from_millis(20);
    let trimmer = poolable::trim_every(period);
    let burst: Vec<_> = (0..200).map(|_| pool.get()).collect();
    drop(burst);
    assert_eq!(pool.shared_idle(), 200);
    let start = trimmer.passes();
    let deadline = Instant::now() + Duration::from_secs(30);
    // The pass under way may have trimmed before the burst came back: two
    // more after it age the burst, then evict it.
    while trimmer.passes() < start + 3 {
        assert!(Instant::now() < deadline, "the trimmer stalled");
        std::thread::sleep(period / 4);
    }
    assert_eq!(
        (pool.shared_idle(), pool.stats().evictions),
        (0, 200),
        "two trims after the burst, it is gone"
    );

    drop(trimmer); // joins the thread: no trim runs after this
    drop((0..10).map(|_| pool.get()).collect::<Vec<_>>());
    std::thread::sleep(period * 5);
    assert_eq!(pool.shared_idle(), 10, "nothing trims once the handle is dropped");
}

#[test]
#[should_panic(expected = "poolable::trim_every needs a period above zero")]
fn a_zero_period_is_refused() {
    let _alone = alone();
    let _ = poolable::trim_every(Duration::ZERO);
}

/// 2,000 guards out at once, as 2,000 tasks holding one each across an
/// `.await`, all returned on one thread: the sizing the docs describe.
fn burst_of_2000(config: PoolConfig) -> (poolable::PoolStats, poolable::Discards) {
    let pool = leak(Pool::with_config(String::new, config));
    for _ in 0..3 {
        let held: Vec<_> = (0..2_000).map(|_| pool.get()).collect();
        drop(held);
    }
    (pool.stats(), pool.discards())
}

#[test]
fn a_burst_above_max_idle_misses_and_discards_as_full_until_max_idle_covers_it() {
    let _alone = alone();
    // The defaults keep 1,024 in the store and 32 in the thread's cache.
    let (stats, discards) = burst_of_2000(PoolConfig::new("mem_burst_default"));
    assert_eq!(discards.full, 3 * (2_000 - 1_024 - 32), "{stats:?} {discards:?}");
    assert_eq!(stats.misses, 2_000 + 2 * (2_000 - 1_024 - 32));
    // `max_idle` at the burst's size: after the first burst, no miss, no discard.
    let (stats, discards) = burst_of_2000(PoolConfig::new("mem_burst_sized").max_idle(2_048));
    assert_eq!((stats.misses, discards.full), (2_000, 0), "{stats:?} {discards:?}");
}
