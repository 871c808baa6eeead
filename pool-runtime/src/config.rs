//! [`PoolConfig`]: the name and the bounds of a pool.

use std::borrow::Cow;

/// 2^32: a chaos fraction's unit, against which a 32-bit random draw is
/// compared.
pub(crate) const CHAOS_SCALE: f64 = 4_294_967_296.0;

/// How a [`Pool`](crate::Pool) is named and bounded.
///
/// Built with `const` methods, so a configured pool can live in a `static`:
///
/// ```
/// use poolable::{Pool, PoolConfig};
///
/// static REQUESTS: Pool<Vec<u8>> = Pool::with_config(
///     Vec::new,
///     PoolConfig::new("request_bodies").max_idle(128).max_retained_bytes(16 * 1024),
/// );
///
/// let body = REQUESTS.get();
/// assert!(body.is_empty());
/// assert_eq!(REQUESTS.name(), "request_bodies");
/// ```
///
/// # Bounds
///
/// Idle objects live in two places: a shared store, holding at most
/// `max_idle`, and one cache per thread that uses the pool, each holding at most
/// `min(cache_size, max_idle, 4096)`. With `t` live threads using the pool:
///
/// ```text
/// idle <= max_idle + t * min(cache_size, max_idle, 4096)
/// ```
///
/// A thread's cache is handed back to the shared store when the thread exits
/// (what does not fit is dropped, counted as evictions), so once those threads
/// are gone `idle <= max_idle`.
///
/// **Bursts.** When `n` guards are out at once (2,000 async tasks each
/// holding one across an `.await`) and come back together, the pool keeps
/// `max_idle` plus what the returning threads' caches hold, and drops the
/// rest as `full` discards; the next burst misses that many times again.
/// Set `max_idle` to the peak number of guards out at once (the
/// `pool_in_use_objects` gauge's maximum) and keep `cache_size` small: tasks
/// migrate between worker threads, and a cache serves only its own thread.
/// [`Pool::idle_bytes`](crate::Pool::idle_bytes) says what the bound costs,
/// and [`trim_every`](crate::trim_every) gives a burst's objects back
/// afterwards.
///
/// * `max_idle = 0` keeps nothing: every return is discarded (`full`) and every
///   take is a miss. The pool still counts, which is useful for measuring.
/// * `cache_size = 0` disables the per-thread caches: every take and return goes
///   through the shared store's lock.
/// * `max_retained_bytes`: an object whose [`Reset::retained_bytes`](crate::Reset::retained_bytes)
///   exceeds it after its reset is dropped on return (`oversized`).
///   `usize::MAX` disables the check.
///
/// # Switches
///
/// * [`enabled(false)`](Self::enabled) turns the pool off: every take creates
///   and every return drops (a `disabled` discard). `POOLABLE_DISABLE=1` in
///   the environment does the same for every pool.
/// * [`chaos(fraction)`](Self::chaos) drops that share of returns at random
///   (a `chaos` discard), for tests; `POOLABLE_CHAOS=fraction` sets it for
///   every pool that does not set its own.
///
/// Both environment variables are read once, at the first use of any pool; a
/// value that makes no sense is ignored, with one line on stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    name: Cow<'static, str>,
    max_idle: usize,
    max_retained_bytes: usize,
    cache_size: usize,
    enabled: bool,
    /// The share of returns to drop, in units of 2^-32 (so that the config
    /// stays `Eq` and the draw is an integer compare); `None` defers to
    /// `POOLABLE_CHAOS`.
    chaos: Option<u64>,
    /// The heap every idle object holds, where the pool makes it exact (the
    /// byte-buffer classes); `None`: estimated (see `Shared::idle_bytes`).
    exact_heap: Option<usize>,
}

impl PoolConfig {
    /// Default bound of the shared store.
    pub const DEFAULT_MAX_IDLE: usize = 1024;
    /// Default size cap: objects holding more heap than this after reset are
    /// not kept (64 KiB, as Go's `fmt` and `encoding/json` buffers).
    pub const DEFAULT_MAX_RETAINED_BYTES: usize = 64 * 1024;
    /// Default bound of each thread's cache.
    pub const DEFAULT_CACHE_SIZE: usize = 32;
    /// The largest per-thread cache: a larger `cache_size` counts as this.
    /// A thread reserves its cache's slots when it first uses the pool
    /// (32 KiB at this size), so an unbounded cache is not an option.
    pub const MAX_CACHE_SIZE: usize = 4096;
    /// The label of a pool built without a name.
    pub const DEFAULT_NAME: &'static str = "unnamed";

    /// A configuration with the given metrics label and default bounds.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name: Cow::Borrowed(name),
            max_idle: Self::DEFAULT_MAX_IDLE,
            max_retained_bytes: Self::DEFAULT_MAX_RETAINED_BYTES,
            cache_size: Self::DEFAULT_CACHE_SIZE,
            enabled: true,
            chaos: None,
            exact_heap: None,
        }
    }

    // Only the byte buffers use it, and they are left out under loom.
    #[cfg(not(loom))]
    /// Declares that every idle object holds exactly `bytes` of heap.
    pub(crate) const fn exact_heap(mut self, bytes: usize) -> Self {
        self.exact_heap = Some(bytes);
        self
    }

    pub(crate) const fn get_exact_heap(&self) -> Option<usize> {
        self.exact_heap
    }

    /// A configuration whose label is only known at run time.
    pub fn named(name: impl Into<Cow<'static, str>>) -> Self {
        Self { name: name.into(), ..Self::new(Self::DEFAULT_NAME) }
    }

    /// Sets the bound of the shared store (see [Bounds](#bounds)).
    #[must_use]
    pub const fn max_idle(mut self, max_idle: usize) -> Self {
        self.max_idle = max_idle;
        self
    }

    /// Sets the heap size above which a returned object is dropped.
    #[must_use]
    pub const fn max_retained_bytes(mut self, bytes: usize) -> Self {
        self.max_retained_bytes = bytes;
        self
    }

    /// Sets the bound of each thread's cache (see [Bounds](#bounds)); values
    /// above [`MAX_CACHE_SIZE`](Self::MAX_CACHE_SIZE) count as it.
    #[must_use]
    pub const fn cache_size(mut self, cache_size: usize) -> Self {
        self.cache_size = cache_size;
        self
    }

    /// Turns the pool off (`false`) or on: off, every take creates a new
    /// object and every return drops it, counted as misses and `disabled`
    /// discards, so that the counters and their identities stay exact.
    /// `POOLABLE_DISABLE=1` turns every pool off, whatever this says.
    ///
    /// ```
    /// use poolable::{Pool, PoolConfig};
    ///
    /// static OFF: Pool<String> = Pool::with_config(String::new, PoolConfig::new("off").enabled(false));
    /// drop(OFF.get());
    /// drop(OFF.get());
    /// let (stats, discards) = (OFF.stats(), OFF.discards());
    /// assert_eq!((stats.misses, stats.hits, stats.idle, discards.disabled), (2, 0, 0, 2));
    /// ```
    #[must_use]
    pub const fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Drops `fraction` of the returns at random (`chaos` discards), as Go's
    /// `sync.Pool` drops a quarter of its `Put`s under the race detector: a
    /// testing aid, so that code relying on getting the same object back, or
    /// on state surviving a return, fails in tests rather than in
    /// production. Its returns and takes leave the inline path, which costs
    /// the pool's other users nothing.
    ///
    /// Overrides `POOLABLE_CHAOS` for this pool; `0.0` turns chaos off.
    ///
    /// # Panics
    ///
    /// If `fraction` is not within `0.0..=1.0` (NaN included): a compile
    /// error for a pool in a `static`.
    ///
    /// ```
    /// use poolable::{Pool, PoolConfig};
    ///
    /// static FLAKY: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("flaky").chaos(1.0));
    /// drop(FLAKY.get());
    /// assert_eq!(FLAKY.discards().chaos, 1);
    /// ```
    #[must_use]
    pub const fn chaos(mut self, fraction: f64) -> Self {
        assert!(fraction >= 0.0 && fraction <= 1.0, "PoolConfig::chaos takes a fraction within 0.0..=1.0");
        self.chaos = Some((fraction * CHAOS_SCALE) as u64);
        self
    }

    /// The metrics label.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bound of the shared store.
    pub const fn get_max_idle(&self) -> usize {
        self.max_idle
    }

    /// The heap size above which a returned object is dropped.
    pub const fn get_max_retained_bytes(&self) -> usize {
        self.max_retained_bytes
    }

    /// The configured bound of each thread's cache.
    pub const fn get_cache_size(&self) -> usize {
        self.cache_size
    }

    /// Whether the pool is on, as configured (`POOLABLE_DISABLE` aside).
    pub const fn get_enabled(&self) -> bool {
        self.enabled
    }

    /// The share of returns dropped at random, if this configuration sets one
    /// (`None`: `POOLABLE_CHAOS` decides).
    pub fn get_chaos(&self) -> Option<f64> {
        self.chaos.map(|threshold| threshold as f64 / CHAOS_SCALE)
    }

    /// The chaos threshold in units of 2^-32, if set.
    pub(crate) const fn chaos_threshold(&self) -> Option<u64> {
        self.chaos
    }

    /// What a thread's cache really holds at most:
    /// `min(cache_size, max_idle, MAX_CACHE_SIZE)`.
    pub(crate) const fn local_capacity(&self) -> usize {
        let capacity = if self.cache_size < self.max_idle { self.cache_size } else { self.max_idle };
        if capacity < Self::MAX_CACHE_SIZE {
            capacity
        } else {
            Self::MAX_CACHE_SIZE
        }
    }

    /// How many objects move between a thread's cache and the shared store at
    /// once: three quarters of a cache. A full cache keeps a quarter after a
    /// spill and an empty one gets three quarters from a refill, so a thread
    /// that takes and returns in turn stays clear of both edges, while one
    /// that only takes (or only returns) visits the shared store less often
    /// than with half-cache batches.
    //
    // A producer/consumer pair measured about 15 % faster than with halves
    // (`cargo bench --bench peers_rounds -- producer`).
    pub(crate) const fn batch(&self) -> usize {
        // `capacity * 3 / 4` without overflow, rounded down so that a batch
        // is smaller than a cache of two or more.
        let capacity = self.local_capacity();
        let batch = capacity / 4 * 3 + capacity % 4 * 3 / 4;
        if batch == 0 {
            1
        } else {
            batch
        }
    }
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self::new(Self::DEFAULT_NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::PoolConfig;

    #[test]
    fn batches_are_three_quarters_of_a_cache_and_smaller_than_it() {
        let batch = |cache: usize| PoolConfig::new("t").cache_size(cache).batch();
        assert_eq!([batch(0), batch(1), batch(2), batch(3), batch(4), batch(32)], [1, 1, 1, 2, 3, 24]);
        assert_eq!(
            PoolConfig::new("t").cache_size(usize::MAX).max_idle(usize::MAX).batch(),
            PoolConfig::MAX_CACHE_SIZE / 4 * 3,
            "a cache is at most MAX_CACHE_SIZE"
        );
        assert_eq!(PoolConfig::new("t").cache_size(8).max_idle(4).batch(), 3, "bounded by max_idle");
    }
}
