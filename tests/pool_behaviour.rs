//! What a single thread sees of a pool: reuse, bounds, trimming, panics, detaching.

use std::panic::{catch_unwind, AssertUnwindSafe};

use poolable::{Discards, Pool, PoolConfig, PoolStats, Pooled, Reset};

/// Pooled through hand-built `Pool`s: the engine's generic path.
#[derive(Default, Debug, Reset)]
struct Request {
    path: String,
    headers: Vec<String>,
    body: Vec<u8>,
    id: u64,
    trace: Option<String>,
}

fn leak<T: Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

fn assert_balanced(stats: PoolStats) {
    assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use, "{stats:?}");
    assert_eq!(stats.idle, stats.returns - stats.hits - stats.evictions, "{stats:?}");
}

#[test]
fn an_object_comes_back_empty_with_its_capacity() {
    let pool = leak(Pool::new(Request::default));
    let mut request = pool.get();
    request.path.push_str("/v1/namespaces/sales/tables/orders");
    request.headers.push("accept: application/json".into());
    request.body.extend_from_slice(&[7; 300]);
    request.id = 42;
    request.trace = Some("abc".into());
    let body_ptr = request.body.as_ptr();
    drop(request);

    let request = pool.get();
    assert!(request.path.is_empty() && request.path.capacity() >= 34);
    assert!(request.headers.is_empty() && request.headers.capacity() >= 1);
    assert!(request.body.is_empty() && request.body.capacity() >= 300);
    assert_eq!(request.body.as_ptr(), body_ptr, "the same allocation is reused");
    assert_eq!((request.id, request.trace.as_ref()), (0, None));
    drop(request);

    let stats = pool.stats();
    assert_eq!((stats.hits, stats.misses, stats.returns, stats.idle, stats.in_use), (1, 1, 2, 1, 0));
    assert_balanced(stats);
}

#[test]
fn in_use_counts_live_guards() {
    let pool = leak(Pool::new(Request::default));
    let guards: Vec<Pooled<Request>> = (0..5).map(|_| pool.get()).collect();
    assert_eq!(pool.stats().in_use, 5);
    drop(guards);
    let stats = pool.stats();
    assert_eq!((stats.in_use, stats.idle), (0, 5));
    assert_balanced(stats);
}

#[test]
fn name_and_config_are_what_was_given() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("requests").max_idle(3)));
    assert_eq!(pool.name(), "requests");
    assert_eq!(pool.config().get_max_idle(), 3);
    assert_eq!(leak(Pool::new(String::new)).name(), "unnamed");
    let dynamic = leak(Pool::with_config(String::new, PoolConfig::named(format!("tenant_{}", 7))));
    assert_eq!(dynamic.name(), "tenant_7");
}

#[test]
fn max_idle_bounds_the_shared_store_and_the_local_cache() {
    let config = PoolConfig::new("bounded").max_idle(4).cache_size(2);
    let pool = leak(Pool::with_config(Request::default, config));
    let guards: Vec<_> = (0..20).map(|_| pool.get()).collect();
    drop(guards);
    let stats = pool.stats();
    // One live thread: at most max_idle in the store + min(cache_size, max_idle) here.
    assert_eq!(stats.idle, 6, "{stats:?}");
    assert_eq!(pool.shared_idle(), 4);
    assert_eq!(pool.local_idle(), 2);
    assert_eq!(stats.discards, 14);
    assert_eq!(pool.discards(), Discards { full: 14, ..Discards::default() });
    assert_balanced(stats);
}

#[test]
fn max_idle_zero_keeps_nothing_but_still_counts() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("none").max_idle(0)));
    for _ in 0..3 {
        drop(pool.get());
    }
    let stats = pool.stats();
    assert_eq!((stats.misses, stats.hits, stats.returns, stats.idle), (3, 0, 0, 0));
    assert_eq!(pool.discards().full, 3);
    assert_balanced(stats);
}

#[test]
fn cache_size_zero_goes_through_the_shared_store() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("no-cache").cache_size(0)));
    drop(pool.get());
    assert_eq!((pool.shared_idle(), pool.local_idle()), (1, 0));
    drop(pool.get());
    let stats = pool.stats();
    assert_eq!((stats.hits, stats.misses, stats.idle), (1, 1, 1));
}

#[test]
fn a_huge_cache_size_is_capped_not_reserved() {
    // A thread reserves its cache's slots on first use: `usize::MAX` must
    // neither overflow that reservation nor let one thread hoard everything.
    let config = PoolConfig::new("huge-cache").cache_size(usize::MAX).max_idle(usize::MAX);
    let pool = leak(Pool::with_config(Request::default, config));
    let held: Vec<_> = (0..PoolConfig::MAX_CACHE_SIZE + 10).map(|_| pool.get()).collect();
    drop(held);
    assert_eq!(pool.local_idle() + pool.shared_idle(), PoolConfig::MAX_CACHE_SIZE + 10);
    assert!(pool.local_idle() <= PoolConfig::MAX_CACHE_SIZE);
    assert!(pool.shared_idle() > 0, "the overflow spilled to the shared store");
}

#[test]
fn an_oversized_object_is_not_kept() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("capped").max_retained_bytes(1024)));
    let mut request = pool.get();
    request.body.reserve(4096);
    drop(request);
    let mut request = pool.get();
    request.body.reserve(512);
    drop(request);

    let stats = pool.stats();
    assert_eq!(pool.discards().oversized, 1);
    assert_eq!((stats.misses, stats.returns, stats.idle), (2, 1, 1));
    assert_balanced(stats);
}

#[test]
fn clear_drops_every_idle_object_this_thread_can_reach() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("clear").cache_size(2)));
    drop((0..10).map(|_| pool.get()).collect::<Vec<_>>());
    assert_eq!(pool.stats().idle, 10);
    pool.clear();
    let stats = pool.stats();
    assert_eq!((stats.idle, stats.evictions), (0, 10));
    assert_eq!((pool.shared_idle(), pool.local_idle()), (0, 0));
    assert_balanced(stats);
    drop(pool.get());
    assert_eq!(pool.stats().misses, 11, "after clear every take misses");
}

#[test]
fn trim_drops_what_was_not_taken_since_the_previous_trim() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("trim").cache_size(0)));
    drop((0..8).map(|_| pool.get()).collect::<Vec<_>>());
    pool.trim();
    assert_eq!(pool.stats().evictions, 0, "the first trim only starts a period");
    // Steady load of 3 at a time during the next period.
    drop((0..3).map(|_| pool.get()).collect::<Vec<_>>());
    pool.trim();
    let stats = pool.stats();
    assert_eq!((stats.evictions, stats.idle), (5, 3), "{stats:?}");
    pool.trim();
    assert_eq!(pool.stats().idle, 0, "nothing was taken in the last period");
    assert_balanced(pool.stats());
}

#[derive(Default)]
struct Fragile {
    explode: bool,
    data: Vec<u8>,
}

impl Reset for Fragile {
    fn reset(&mut self) {
        assert!(!self.explode, "reset refused");
        self.data.clear();
    }
}

#[test]
fn a_panic_in_reset_drops_that_object_and_the_pool_stays_usable() {
    let pool = leak(Pool::new(Fragile::default));
    let mut bad = pool.get();
    bad.explode = true;
    let unwound = catch_unwind(AssertUnwindSafe(|| drop(bad)));
    assert!(unwound.is_err(), "the panic reaches the code that dropped the guard");
    assert_eq!(pool.discards().panic, 1);
    assert_eq!(pool.stats().idle, 0);

    let mut good = pool.get();
    assert!(!good.explode, "the broken object was not handed on");
    good.data.push(1);
    drop(good);
    let stats = pool.stats();
    assert_eq!((stats.returns, stats.idle, stats.in_use), (1, 1, 0));
    assert_balanced(stats);
}

#[test]
fn a_guard_dropped_while_panicking_is_dropped_not_returned() {
    let pool = leak(Pool::new(Fragile::default));
    let unwound = catch_unwind(AssertUnwindSafe(|| {
        let mut half_written = pool.get();
        half_written.data.extend_from_slice(b"partial");
        panic!("handler failed");
    }));
    assert!(unwound.is_err());
    let stats = pool.stats();
    assert_eq!((stats.returns, stats.idle, stats.discards), (0, 0, 1));
    assert_eq!(pool.discards().panic, 1);
    let fresh = pool.get();
    assert!(fresh.data.is_empty());
}

#[test]
fn detach_keeps_the_object_and_counts_a_discard() {
    let pool = leak(Pool::new(Request::default));
    let mut request = pool.get();
    request.id = 9;
    let owned: Request = Pooled::detach(request);
    assert_eq!(owned.id, 9);
    let stats = pool.stats();
    assert_eq!((stats.discards, stats.returns, stats.in_use), (1, 0, 0));
    assert_eq!(pool.discards().detached, 1);
    assert_balanced(stats);
}

#[test]
fn guard_formats_as_its_object() {
    let pool = leak(Pool::new(|| vec![1u8, 2]));
    let guard = pool.get();
    assert_eq!(format!("{guard:?}"), "[1, 2]");
    assert!(std::ptr::eq(Pooled::pool(&guard), pool));
}

/// A pooled object holding a guard of another pool: resetting the outer one
/// returns the inner one from inside the outer return.
#[derive(Default)]
struct Envelope {
    payload: Option<Pooled<Vec<u8>>>,
}

impl Reset for Envelope {
    fn reset(&mut self) {
        self.payload.reset();
    }
}

static PAYLOADS: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("payloads"));

#[test]
fn nested_guards_return_to_their_own_pools() {
    let envelopes = leak(Pool::new(Envelope::default));
    let mut envelope = envelopes.get();
    let mut payload = PAYLOADS.get();
    payload.extend_from_slice(b"{}");
    envelope.payload = Some(payload);
    drop(envelope);
    assert_eq!(envelopes.stats().idle, 1);
    assert_eq!(PAYLOADS.stats().idle, 1);
    assert!(envelopes.get().payload.is_none());
}

#[test]
fn pools_lists_every_used_pool() {
    static LISTED: Pool<String> = Pool::with_config(String::new, PoolConfig::new("listed_pool"));
    drop(LISTED.get());
    let listed = poolable::pools().into_iter().find(|p| p.name == "listed_pool").expect("registered");
    assert_eq!(listed.stats.misses, 1);
}

static FRAGILE_DROPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts its drops: an object must be dropped exactly once.
#[derive(Default)]
struct DropCounted;

impl Drop for DropCounted {
    fn drop(&mut self) {
        FRAGILE_DROPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn explode_if_set(explode: &mut bool) {
    assert!(!*explode, "reset refused");
}

/// A derived type: its return path is the one inlined into the caller.
#[derive(Default, poolable::Poolable)]
#[pool(name = "derived_fragile")]
struct DerivedFragile {
    #[pool(reset = explode_if_set)]
    explode: bool,
    data: Vec<u8>,
    #[pool(skip)]
    _drops: DropCounted,
}

static MEASURED_DROPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A hand-written `Reset` whose `retained_bytes` (user code, run on every
/// return after `reset`) panics when told to.
#[derive(Default)]
struct RefusesToMeasure {
    refuse: bool,
}

impl Drop for RefusesToMeasure {
    fn drop(&mut self) {
        MEASURED_DROPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Reset for RefusesToMeasure {
    fn reset(&mut self) {}
    fn retained_bytes(&self) -> usize {
        assert!(!self.refuse, "cannot measure");
        0
    }
}

#[test]
fn a_panicking_retained_bytes_is_a_panic_discard_not_a_lost_object() {
    use std::sync::atomic::Ordering::SeqCst;
    let pool = leak(Pool::new(RefusesToMeasure::default));
    let mut bad = pool.get();
    bad.refuse = true;
    assert!(catch_unwind(AssertUnwindSafe(|| drop(bad))).is_err());
    assert_eq!((pool.discards().panic, MEASURED_DROPS.load(SeqCst)), (1, 1), "dropped once, counted once");

    drop(pool.get());
    let stats = pool.stats();
    assert_eq!((stats.returns, stats.idle, stats.in_use, stats.discards), (1, 1, 0, 1));
    assert_balanced(stats);
}

/// A hand-written `Reset` without drop glue whose `reset` panics when armed:
/// plain data, so the engine counts its reset as small.
#[derive(Default)]
struct Tripwire {
    armed: bool,
}

impl Reset for Tripwire {
    fn reset(&mut self) {
        assert!(!self.armed, "reset refused");
    }
}

/// Plain data, no drop glue: its whole return path is inlined into the
/// caller, where `DerivedFragile`'s is one out-of-line call.
#[derive(Default, poolable::Poolable)]
#[pool(name = "plain_fragile")]
struct PlainFragile {
    tripwire: Tripwire,
    words: [u64; 4],
}

#[test]
fn a_plain_data_type_whose_reset_panics_is_discarded_on_the_inline_path() {
    use poolable::Poolable;
    assert!(<PlainFragile as Reset>::__small_reset(), "the inline return path");
    assert!(!<DerivedFragile as Reset>::__small_reset(), "the out-of-line return path");
    let pool = PlainFragile::pool();

    let mut bad = PlainFragile::pooled();
    bad.tripwire.armed = true;
    bad.words = [7; 4];
    assert!(catch_unwind(AssertUnwindSafe(|| drop(bad))).is_err());
    assert_eq!(pool.discards().panic, 1);

    let mut good = PlainFragile::pooled();
    assert!(!good.tripwire.armed && good.words == [0; 4], "a fresh object, not the broken one");
    good.words[0] = 1;
    drop(good);
    let stats = pool.stats();
    assert_eq!((stats.misses, stats.returns, stats.idle, stats.in_use, stats.discards), (2, 1, 1, 0, 1));
    assert_balanced(stats);
    assert_eq!(PlainFragile::pooled().words, [0; 4], "kept and reset");
}

#[test]
fn a_derived_type_drops_a_panicking_or_panicked_object_exactly_once() {
    use poolable::Poolable;
    use std::sync::atomic::Ordering::SeqCst;
    let pool = DerivedFragile::pool();

    let mut bad = DerivedFragile::pooled();
    bad.explode = true;
    let unwound = catch_unwind(AssertUnwindSafe(|| drop(bad)));
    assert!(unwound.is_err(), "the panic reaches the code that dropped the guard");
    assert_eq!((pool.discards().panic, FRAGILE_DROPS.load(SeqCst)), (1, 1), "dropped once, counted once");

    let unwound = catch_unwind(AssertUnwindSafe(|| {
        let mut half_written = DerivedFragile::pooled();
        half_written.data.extend_from_slice(b"partial");
        panic!("handler failed");
    }));
    assert!(unwound.is_err());
    assert_eq!((pool.discards().panic, FRAGILE_DROPS.load(SeqCst)), (2, 2));

    let mut good = DerivedFragile::pooled();
    assert!(good.data.is_empty() && !good.explode, "no broken object was handed on");
    good.data.push(1);
    drop(good);
    let stats = pool.stats();
    assert_eq!((stats.returns, stats.idle, stats.in_use, stats.discards), (1, 1, 0, 2));
    assert_balanced(stats);
    // A debug build's reset check made (and dropped) one object to compare.
    let checked = usize::from(cfg!(debug_assertions));
    assert_eq!(FRAGILE_DROPS.load(SeqCst), 2 + checked, "the good object is idle, not dropped");
}

#[derive(Default, poolable::Poolable)]
#[pool(name = "derived_never_used")]
struct NeverUsed {
    data: Vec<u8>,
}

#[test]
fn a_thread_that_never_used_a_derived_pool_has_nothing_to_clear() {
    use poolable::Poolable;
    let pool = NeverUsed::pool();
    assert_eq!((pool.local_idle(), pool.shared_idle()), (0, 0));
    pool.clear();
    assert_eq!(pool.stats(), PoolStats::default(), "clearing a dormant cache counts nothing");
    drop(NeverUsed::pooled());
    assert_eq!(pool.local_idle(), 1, "the first return woke the cache");
}
