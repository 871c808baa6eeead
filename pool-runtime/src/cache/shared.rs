//! [`Shared<T>`]: what every thread of a pool shares, below the caches.
//!
//! A pool is a constructor over this: its bounds, its shared store of idle
//! objects, its counters, what it learnt of its constructor, and its id (its
//! index in every thread's cache table and in the registry). The per-thread
//! caches (`local`) and the registry work on a `Shared<T>` alone, so that
//! they sit below `Pool<T>` and never reach back up to it.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crate::cache::fresh::Fresh;
use crate::cache::store::Store;
use crate::config::PoolConfig;
use crate::observe::diagnostics;
use crate::observe::pool_switches::PoolSwitches;
use crate::observe::registry::{self, Entry};
use crate::observe::stats::{Counters, Counts, Event};
use crate::sync::{lock, Mutex, MutexGuard};

/// The state a pool's threads share.
pub(crate) struct Shared<T> {
    config: PoolConfig,
    /// Index of this pool's slot in every thread's cache table, and its
    /// entry in the registry metrics read; assigned on first use. std's even
    /// under loom: it is assigned under the registry's std lock.
    id: AtomicUsize,
    store: Mutex<Store<T>>,
    counters: Counters,
    /// Whether a return is `reset` alone, or a restore to the constructor's
    /// values (see `fresh`).
    pub(crate) fresh: Fresh,
    /// What the configuration and the environment switch on (see
    /// `pool_switches`).
    switches: PoolSwitches,
    /// Whether the reset check of debug builds has run (see
    /// `Pool::check_reset`). std's even under loom, which runs `--release`.
    pub(crate) reset_checked: std::sync::atomic::AtomicBool,
    /// Whether this is the pool of an instantiation of a generic derived
    /// type, made by `generic_pool` (whose caches live in the type's
    /// `GenericSlot`, see `route`); set before the pool is shared.
    generic: bool,
}

impl<T> Shared<T> {
    crate::sync::const_fn! {
        pub(crate) fn new(config: PoolConfig) -> Self {
            Self {
                id: AtomicUsize::new(registry::UNREGISTERED),
                store: Mutex::new(Store::new(config.get_max_idle(), config.batch())),
                counters: Counters::new(),
                fresh: Fresh::new(),
                switches: PoolSwitches::new(),
                reset_checked: std::sync::atomic::AtomicBool::new(false),
                generic: false,
                config,
            }
        }
    }

    pub(crate) fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// Whether this is the pool of an instantiation of a generic derived
    /// type (see `route`).
    #[inline(always)]
    pub(crate) fn is_generic(&self) -> bool {
        self.generic
    }

    /// Marks the pool of an instantiation of a generic derived type, before
    /// it is shared.
    pub(crate) fn mark_generic(&mut self) {
        self.generic = true;
    }

    /// The shared store, locked. No user code may run while it is held.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store<T>> {
        lock(&self.store)
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    pub(crate) fn counts(&self) -> Counts {
        self.counters.read()
    }

    /// Counts on the tally every thread may write: for operations that no
    /// thread's cache serves.
    pub(crate) fn count_shared(&self, event: Event, n: u64) {
        self.counters.shared().bump_shared(event, n);
    }

    /// Whether the pool keeps objects at all (`PoolConfig::enabled`,
    /// `POOLABLE_DISABLE`).
    pub(crate) fn enabled(&self) -> bool {
        self.switches.enabled(&self.config)
    }

    /// Whether returns may end on the inline path: a return is `reset`
    /// alone (see `fresh`) and no chaos draw is due. A thread's cache then
    /// gives the inline paths room.
    pub(crate) fn returns_inline(&self) -> bool {
        self.fresh.is_plain() && !self.switches.chaos(&self.config)
    }

    /// Why a return is dropped before anything else, if it is: the pool is
    /// off, or chaos drew it.
    #[inline]
    pub(crate) fn refusal(&self) -> Option<Event> {
        self.switches.refusal(&self.config)
    }

    /// An idle object from the shared store, counted as a hit: the take of
    /// a thread that has no cache.
    #[cold]
    pub(crate) fn take_uncached(&self) -> Option<Box<T>> {
        let object = self.store().pop()?;
        self.count_shared(Event::Hit, 1);
        Some(object)
    }

    /// Keeps a reset object in the shared store, or drops it if the store is
    /// full: the return of a thread that has no cache.
    #[cold]
    #[inline(never)]
    pub(crate) fn keep_uncached(&self, object: Box<T>, bytes: u64) {
        let kept = self.store().push(object);
        match kept {
            Ok(()) => self.count_kept_shared(bytes),
            Err(_) => self.count_shared(Event::Full, 1),
        }
        // A rejected object is dropped here, after the lock is released.
        drop(kept);
    }

    /// Keeps new objects in the shared store as far as it has room (see
    /// `Pool::prefill`), counting a miss for each and a return for each kept
    /// (`bytes`: their heap, together); drops the rest, counted `full`, after
    /// the lock is released. Returns how many it kept.
    pub(crate) fn keep_new(&self, objects: Vec<Box<T>>, bytes: u64) -> usize {
        let made = objects.len();
        self.count_shared(Event::Miss, made as u64);
        let mut rejected = Vec::new();
        {
            let mut store = self.store();
            for object in objects {
                if let Err(object) = store.push(object) {
                    rejected.push(object);
                }
            }
        }
        let kept = made - rejected.len();
        self.count_shared(Event::Return, kept as u64);
        if std::mem::needs_drop::<T>() && kept > 0 {
            // New objects hold alike: the kept ones' share of the heap.
            self.count_shared(Event::KeptBytes, bytes.saturating_mul(kept as u64) / made as u64);
            self.count_shared(Event::Measured, kept as u64);
        }
        if !rejected.is_empty() {
            self.count_shared(Event::Full, rejected.len() as u64);
        }
        drop(rejected);
        kept
    }

    /// Counts a return and the heap it keeps on the shared tally (see
    /// `Event::KeptBytes`).
    pub(crate) fn count_kept_shared(&self, bytes: u64) {
        self.count_shared(Event::Return, 1);
        if std::mem::needs_drop::<T>() {
            self.count_shared(Event::KeptBytes, bytes);
            self.count_shared(Event::Measured, 1);
        }
    }

    /// The bytes the idle objects of `counts` hold: each object's own
    /// `size_of::<T>()` (its box), plus its heap. The heap is exact where the
    /// pool makes it so (the byte-buffer classes keep buffers of exactly
    /// their class's capacity); elsewhere it is the mean
    /// `Reset::retained_bytes` of the returns the slow path kept (see
    /// `Pool::idle_bytes`); types without drop glue have no heap.
    pub(crate) fn idle_bytes(&self, counts: &Counts) -> u64 {
        let stats = counts.stats();
        let heap = match self.config.get_exact_heap() {
            Some(bytes) => bytes as u64,
            None => counts.kept_bytes().checked_div(counts.measured()).unwrap_or(0),
        };
        stats.idle.saturating_mul(std::mem::size_of::<T>() as u64 + heap)
    }

    /// Drops the idle objects of the shared store that were not taken since
    /// the previous trim (see `Pool::trim`).
    pub(crate) fn trim(&self) {
        let evicted = self.store().trim();
        self.evict(evicted);
    }

    /// Drops objects that leave the idle set, counted as evictions, with no
    /// lock held.
    pub(crate) fn evict(&self, evicted: Vec<Box<T>>) {
        if !evicted.is_empty() {
            self.count_shared(Event::Evicted, evicted.len() as u64);
        }
        drop(evicted);
    }
}

impl<T: Send + 'static> Shared<T> {
    /// This pool's id, registering it on its first use.
    #[inline]
    pub(crate) fn id(&'static self) -> usize {
        // Relaxed: the id is only an index; what it indexes is read under
        // the registry's lock or lives in this thread's own table.
        match self.id.load(Relaxed) {
            registry::UNREGISTERED => {
                diagnostics::environment_applied();
                registry::register(self, &self.id)
            }
            id => id,
        }
    }
}

impl<T: Send + 'static> Entry for Shared<T> {
    fn name(&self) -> &str {
        self.config.name()
    }
    fn counts(&self) -> Counts {
        Shared::counts(self)
    }
    fn idle_bytes(&self, counts: &Counts) -> u64 {
        Shared::idle_bytes(self, counts)
    }
    fn trim(&self) {
        Shared::trim(self);
    }
}
