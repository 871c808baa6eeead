//! Counting: one tally per thread and pool, summed when read.
//!
//! A thread only ever writes its own tally, with a plain load and store (no
//! read-modify-write on a shared cache line), so counting costs about what an
//! ordinary `+= 1` costs. A reader sums the live tallies with what exited
//! threads folded into the pool's shared tally.

use crate::sync::{AtomicU64, Mutex, Ordering::Relaxed};

/// A pool's counters, as [`Pool::stats`](crate::Pool::stats) reads them.
///
/// Every take ends in a return, a discard, or is still out, and every kept
/// object leaves the idle set by a hit or an eviction:
///
/// ```text
/// hits + misses == returns + discards + in_use
/// idle          == returns - hits - evictions
/// ```
///
/// Both hold exactly whenever no thread is using the pool while it is read;
/// during concurrent use each counter is exact but they are not read at one
/// instant, so the derived `idle` and `in_use` may be off by the operations
/// in flight (they never go below zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PoolStats {
    /// Takes served by an idle object.
    pub hits: u64,
    /// Takes that had to create a new object.
    pub misses: u64,
    /// Objects reset and kept for reuse.
    pub returns: u64,
    /// Objects not kept when their guard was dropped (see [`Discards`]).
    pub discards: u64,
    /// Idle objects dropped later: by `clear`, `trim`, or a full store when an
    /// exiting thread hands its cache back.
    pub evictions: u64,
    /// Objects kept and not yet taken again.
    pub idle: u64,
    /// Objects taken and not yet returned or discarded.
    pub in_use: u64,
}

/// Why discarded objects were not kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Discards {
    /// The pool already held as many idle objects as it may.
    pub full: u64,
    /// The object kept more heap than `max_retained_bytes` after its reset.
    pub oversized: u64,
    /// Its `reset` or `retained_bytes` panicked, or its guard was dropped
    /// while the thread panicked.
    pub panic: u64,
    /// Its guard was [`detach`](crate::Pooled::detach)ed.
    pub detached: u64,
}

impl Discards {
    /// All discards, whatever the reason.
    pub const fn total(&self) -> u64 {
        self.full + self.oversized + self.panic + self.detached
    }
}

/// Everything a pool counts, read in one go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub hits: u64,
    pub misses: u64,
    pub returns: u64,
    pub discards: Discards,
    pub evictions: u64,
}

impl Counts {
    pub(crate) fn stats(&self) -> PoolStats {
        let discards = self.discards.total();
        let taken = self.hits + self.misses;
        PoolStats {
            hits: self.hits,
            misses: self.misses,
            returns: self.returns,
            discards,
            evictions: self.evictions,
            idle: self.returns.saturating_sub(self.hits).saturating_sub(self.evictions),
            in_use: taken.saturating_sub(self.returns + discards),
        }
    }
}

/// What is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Hit,
    Miss,
    Return,
    Full,
    Oversized,
    Panic,
    Detached,
    Evicted,
}

impl Event {
    const ALL: [Event; 8] = [
        Event::Hit,
        Event::Miss,
        Event::Return,
        Event::Full,
        Event::Oversized,
        Event::Panic,
        Event::Detached,
        Event::Evicted,
    ];
}

/// One set of counters.
#[derive(Debug)]
pub(crate) struct Tally {
    hits: AtomicU64,
    misses: AtomicU64,
    returns: AtomicU64,
    full: AtomicU64,
    oversized: AtomicU64,
    panic: AtomicU64,
    detached: AtomicU64,
    evictions: AtomicU64,
}

impl Tally {
    crate::sync::const_fn! {
        pub(crate) fn new() -> Self {
            Self {
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
                returns: AtomicU64::new(0),
                full: AtomicU64::new(0),
                oversized: AtomicU64::new(0),
                panic: AtomicU64::new(0),
                detached: AtomicU64::new(0),
                evictions: AtomicU64::new(0),
            }
        }
    }

    /// What a dormant thread cache points at until it gets its own tally:
    /// never counted on (see `local::LocalCache`).
    #[cfg(not(loom))]
    pub(crate) const fn placeholder() -> &'static Self {
        static PLACEHOLDER: Tally = Tally::new();
        &PLACEHOLDER
    }

    /// Loom's atomics cannot be built in a constant.
    #[cfg(loom)]
    pub(crate) fn placeholder() -> &'static Self {
        Box::leak(Box::new(Tally::new()))
    }

    fn counter(&self, event: Event) -> &AtomicU64 {
        match event {
            Event::Hit => &self.hits,
            Event::Miss => &self.misses,
            Event::Return => &self.returns,
            Event::Full => &self.full,
            Event::Oversized => &self.oversized,
            Event::Panic => &self.panic,
            Event::Detached => &self.detached,
            Event::Evicted => &self.evictions,
        }
    }

    /// Counts `n` events on a tally that only the calling thread writes.
    ///
    /// A load and a store instead of `fetch_add`: readers on other threads see
    /// every value in order (so counters never go backwards), and no locked
    /// instruction is paid on the hot path.
    ///
    /// `--cfg poolable_no_counting` compiles counting out, for the overhead
    /// benchmark only (`benches/metrics.rs`); every counter then stays zero.
    #[inline]
    pub(crate) fn bump_owned(&self, event: Event, n: u64) {
        #[cfg(not(poolable_no_counting))]
        {
            let counter = self.counter(event);
            counter.store(counter.load(Relaxed) + n, Relaxed);
        }
        #[cfg(poolable_no_counting)]
        let _ = (event, n);
    }

    /// Counts `n` events on a tally that several threads write.
    #[inline]
    pub(crate) fn bump_shared(&self, event: Event, n: u64) {
        #[cfg(not(poolable_no_counting))]
        self.counter(event).fetch_add(n, Relaxed);
        #[cfg(poolable_no_counting)]
        let _ = (event, n);
    }

    fn read(&self) -> Counts {
        Counts {
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            returns: self.returns.load(Relaxed),
            discards: Discards {
                full: self.full.load(Relaxed),
                oversized: self.oversized.load(Relaxed),
                panic: self.panic.load(Relaxed),
                detached: self.detached.load(Relaxed),
            },
            evictions: self.evictions.load(Relaxed),
        }
    }

    /// Zeroes a tally no thread writes any more, for reuse.
    fn zero(&self) {
        for event in Event::ALL {
            self.counter(event).store(0, Relaxed);
        }
    }

    fn add_all(&self, counts: &Counts) {
        let Counts { hits, misses, returns, discards, evictions } = *counts;
        let Discards { full, oversized, panic, detached } = discards;
        for (event, n) in [
            (Event::Hit, hits),
            (Event::Miss, misses),
            (Event::Return, returns),
            (Event::Full, full),
            (Event::Oversized, oversized),
            (Event::Panic, panic),
            (Event::Detached, detached),
            (Event::Evicted, evictions),
        ] {
            if n > 0 {
                self.bump_shared(event, n);
            }
        }
    }
}

impl std::ops::AddAssign<Counts> for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.hits += other.hits;
        self.misses += other.misses;
        self.returns += other.returns;
        self.discards.full += other.discards.full;
        self.discards.oversized += other.discards.oversized;
        self.discards.panic += other.discards.panic;
        self.discards.detached += other.discards.detached;
        self.evictions += other.evictions;
    }
}

/// A pool's counters: the shared tally plus one tally per live thread.
#[derive(Debug)]
pub(crate) struct Counters {
    /// Rare events (evictions, operations of threads without a cache) and the
    /// tallies of exited threads.
    shared: Tally,
    tallies: Mutex<Tallies>,
}

/// The per-thread tallies of one pool.
///
/// A tally is `&'static` so that a thread's cache can be built in a constant
/// (see `local::LocalCache`). Tallies are leaked once and recycled: a thread
/// that exits folds its tally and leaves it zeroed for the next thread, so a
/// pool holds at most as many as it ever had threads using it at once.
#[derive(Debug)]
struct Tallies {
    live: Vec<&'static Tally>,
    spare: Vec<&'static Tally>,
}

impl Counters {
    crate::sync::const_fn! {
        pub(crate) fn new() -> Self {
            Self { shared: Tally::new(), tallies: Mutex::new(Tallies { live: Vec::new(), spare: Vec::new() }) }
        }
    }

    pub(crate) fn shared(&self) -> &Tally {
        &self.shared
    }

    /// A tally for a thread that starts using the pool.
    pub(crate) fn attach(&self) -> &'static Tally {
        let mut tallies = crate::sync::lock(&self.tallies);
        let tally = match tallies.spare.pop() {
            Some(tally) => tally,
            None => Box::leak(Box::new(Tally::new())),
        };
        tallies.live.push(tally);
        tally
    }

    /// Folds an exiting thread's tally into the shared one.
    ///
    /// Done under the same lock as [`read`](Self::read), so a reader sees the
    /// tally either live or folded, never both nor neither: sums never drop.
    pub(crate) fn detach(&self, tally: &'static Tally) {
        let mut tallies = crate::sync::lock(&self.tallies);
        if let Some(at) = tallies.live.iter().position(|t| std::ptr::eq(*t, tally)) {
            tallies.live.swap_remove(at);
            self.shared.add_all(&tally.read());
            tally.zero();
            tallies.spare.push(tally);
        }
    }

    pub(crate) fn read(&self) -> Counts {
        let tallies = crate::sync::lock(&self.tallies);
        let mut sum = self.shared.read();
        for tally in &tallies.live {
            sum += tally.read();
        }
        sum
    }
}
