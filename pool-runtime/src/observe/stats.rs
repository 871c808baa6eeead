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
    /// The pool is switched off (`POOLABLE_DISABLE`, [`PoolConfig::enabled`](crate::PoolConfig::enabled)):
    /// every return is dropped.
    pub disabled: u64,
    /// Dropped at random to test that no code relies on reuse
    /// (`POOLABLE_CHAOS`, [`PoolConfig::chaos`](crate::PoolConfig::chaos)).
    pub chaos: u64,
}

/// `Serialize` for a struct of named fields, as `#[derive(Serialize)]`
/// writes it: written out so that this crate depends on `serde_core` alone
/// and compiles beside serde_derive instead of after it (a user's build).
#[cfg(feature = "serde")]
macro_rules! serialize_fields {
    ($type:ident { $($field:ident),* $(,)? }) => {
        impl serde_core::Serialize for $type {
            fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde_core::ser::SerializeStruct;
                const FIELDS: usize = [$(stringify!($field)),*].len();
                let mut state = serializer.serialize_struct(stringify!($type), FIELDS)?;
                $(state.serialize_field(stringify!($field), &self.$field)?;)*
                state.end()
            }
        }
    };
}
#[cfg(feature = "serde")]
pub(crate) use serialize_fields;

#[cfg(feature = "serde")]
serialize_fields!(PoolStats { hits, misses, returns, discards, evictions, idle, in_use });
#[cfg(feature = "serde")]
serialize_fields!(Discards { full, oversized, panic, detached, disabled, chaos });

impl Discards {
    /// The reasons, as the `reason` label of `pool_discards_total` names
    /// them, in the order of [`by_reason`](Self::by_reason).
    pub const REASONS: [&'static str; 6] = ["full", "oversized", "panic", "detached", "disabled", "chaos"];

    /// All discards, whatever the reason.
    pub const fn total(&self) -> u64 {
        self.full + self.oversized + self.panic + self.detached + self.disabled + self.chaos
    }

    /// Each reason's label (see [`REASONS`](Self::REASONS)) and count.
    ///
    /// ```
    /// let discards = poolable::Discards { full: 2, ..Default::default() };
    /// assert_eq!(discards.by_reason()[0], ("full", 2));
    /// assert_eq!(discards.by_reason().iter().map(|(_, n)| n).sum::<u64>(), discards.total());
    /// ```
    pub const fn by_reason(&self) -> [(&'static str, u64); 6] {
        let [full, oversized, panic, detached, disabled, chaos] = Self::REASONS;
        [
            (full, self.full),
            (oversized, self.oversized),
            (panic, self.panic),
            (detached, self.detached),
            (disabled, self.disabled),
            (chaos, self.chaos),
        ]
    }
}

/// What is counted: each event indexes the counters of a [`Tally`] and of
/// [`Counts`], so a new discard reason is one variant here and one field of
/// [`Discards`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Hit,
    Miss,
    Return,
    Full,
    Oversized,
    Panic,
    Detached,
    Disabled,
    Chaos,
    Evicted,
    /// Not an event but a sum: the heap (`Reset::retained_bytes`) of the
    /// objects the slow return path kept, for the estimate of the bytes
    /// idle objects hold.
    KeptBytes,
    /// How many returns `KeptBytes` sums.
    Measured,
}

impl Event {
    /// How many there are.
    pub(crate) const COUNT: usize = 12;

    const ALL: [Event; Event::COUNT] = [
        Event::Hit,
        Event::Miss,
        Event::Return,
        Event::Full,
        Event::Oversized,
        Event::Panic,
        Event::Detached,
        Event::Disabled,
        Event::Chaos,
        Event::Evicted,
        Event::KeptBytes,
        Event::Measured,
    ];
}

/// Everything a pool counts, read in one go: one number per [`Event`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts([u64; Event::COUNT]);

impl Counts {
    fn get(&self, event: Event) -> u64 {
        self.0[event as usize]
    }

    /// The discards by reason.
    pub(crate) fn discards(&self) -> Discards {
        Discards {
            full: self.get(Event::Full),
            oversized: self.get(Event::Oversized),
            panic: self.get(Event::Panic),
            detached: self.get(Event::Detached),
            disabled: self.get(Event::Disabled),
            chaos: self.get(Event::Chaos),
        }
    }

    /// The heap kept by the measured returns (see `Event::KeptBytes`).
    pub(crate) fn kept_bytes(&self) -> u64 {
        self.get(Event::KeptBytes)
    }

    /// How many returns [`kept_bytes`](Self::kept_bytes) sums.
    pub(crate) fn measured(&self) -> u64 {
        self.get(Event::Measured)
    }

    /// The counters and what follows from them (`idle`, `in_use`).
    pub(crate) fn stats(&self) -> PoolStats {
        let (hits, misses, returns) = (self.get(Event::Hit), self.get(Event::Miss), self.get(Event::Return));
        let (discards, evictions) = (self.discards().total(), self.get(Event::Evicted));
        PoolStats {
            hits,
            misses,
            returns,
            discards,
            evictions,
            idle: returns.saturating_sub(hits).saturating_sub(evictions),
            in_use: (hits + misses).saturating_sub(returns + discards),
        }
    }
}

#[cfg(test)]
impl Counts {
    /// Counts with only these discards.
    pub(crate) fn from_discards(discards: Discards) -> Counts {
        let mut counts = Counts::default();
        counts.0[Event::Full as usize] = discards.full;
        counts.0[Event::Oversized as usize] = discards.oversized;
        counts.0[Event::Panic as usize] = discards.panic;
        counts.0[Event::Detached as usize] = discards.detached;
        counts.0[Event::Disabled as usize] = discards.disabled;
        counts.0[Event::Chaos as usize] = discards.chaos;
        counts
    }
}

impl std::ops::AddAssign<Counts> for Counts {
    fn add_assign(&mut self, other: Counts) {
        for (sum, n) in self.0.iter_mut().zip(other.0) {
            *sum += n;
        }
    }
}

/// One set of counters, one per [`Event`].
///
/// Aligned to 128 bytes (two cache lines, as crossbeam's `CachePadded` on
/// x86-64, whose prefetcher fetches lines in pairs): each thread writes its
/// own tally, and two tallies must never share a line, or threads counting
/// on different cores would take the line from each other.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct Tally {
    counts: [AtomicU64; Event::COUNT],
}

impl Tally {
    crate::sync::const_fn! {
        pub(crate) fn new() -> Self {
            Self { counts: crate::sync::zeroed() }
        }
    }

    crate::sync::const_fn! {
        /// What a dormant thread cache points at until it gets its own tally:
        /// never counted on (see `local::LocalCache`).
        pub(crate) fn placeholder() -> &'static Self {
            crate::sync::static_ref!(Tally = Tally::new())
        }
    }

    #[inline(always)]
    fn counter(&self, event: Event) -> &AtomicU64 {
        &self.counts[event as usize]
    }

    /// Counts `n` events on a tally that only the calling thread writes.
    ///
    /// A load and a store instead of `fetch_add`: readers on other threads see
    /// every value in order (so counters never go backwards), and no locked
    /// instruction is paid on the hot path.
    ///
    /// `--cfg poolable_no_counting` compiles counting out, for the benchmark
    /// of counting's overhead only; every counter then stays zero.
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
        Counts(Event::ALL.map(|event| self.counter(event).load(Relaxed)))
    }

    /// Zeroes a tally no thread writes any more, for reuse.
    fn zero(&self) {
        for event in Event::ALL {
            self.counter(event).store(0, Relaxed);
        }
    }

    fn add_all(&self, counts: &Counts) {
        for event in Event::ALL {
            let n = counts.get(event);
            if n > 0 {
                self.bump_shared(event, n);
            }
        }
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
