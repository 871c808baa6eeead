//! Every pool that has been used, for readers that want them all (metrics).

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use crate::pool::Pool;
use crate::stats::{Counts, Discards, PoolStats};
use crate::Reset;

/// What a reader can ask of any pool, whatever its object type.
pub(crate) trait Entry: Sync {
    fn name(&self) -> &str;
    fn counts(&self) -> Counts;
}

impl<T: Reset + Send + 'static> Entry for Pool<T> {
    fn name(&self) -> &str {
        Pool::name(self)
    }
    fn counts(&self) -> Counts {
        Pool::counts(self)
    }
}

// std's lock even under loom: registration happens once per pool and is not
// part of what the models explore.
static POOLS: Mutex<Vec<&'static dyn Entry>> = Mutex::new(Vec::new());

/// The id of a pool not used yet.
pub(crate) const UNREGISTERED: usize = usize::MAX;

/// Adds a pool on its first use, once even when threads race to it; stores
/// and returns its id (its index).
#[cold]
pub(crate) fn register(pool: &'static dyn Entry, id: &AtomicUsize) -> usize {
    let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    let known = id.load(Relaxed);
    if known != UNREGISTERED {
        return known;
    }
    pools.push(pool);
    #[cfg(loom)]
    let new = loom_ids::next();
    #[cfg(not(loom))]
    let new = pools.len() - 1;
    id.store(new, Relaxed);
    new
}

/// Under loom, ids count from 0 in every execution.
///
/// A loom model builds (and leaks) new pools in each of its many executions,
/// and every thread's cache table is a `Vec` as long as the highest id it
/// uses: with ids counting across executions, each new thread would allocate
/// and clear a table growing with the number of executions run so far, which
/// makes a model quadratic in its iterations. Pools of one execution still get
/// distinct ids, and a pool of an earlier execution is never used again (its
/// loom primitives belong to that execution). Loom drops its lazy statics when
/// the model closure returns, so a model must use each pool once before then.
#[cfg(loom)]
mod loom_ids {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    loom::lazy_static! {
        static ref NEXT: AtomicUsize = AtomicUsize::new(0);
    }

    pub(super) fn next() -> usize {
        NEXT.fetch_add(1, Relaxed)
    }
}

/// Every registered pool, in the order of first use.
pub(crate) fn entries() -> Vec<&'static dyn Entry> {
    POOLS.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// One pool's name and counters, read together.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PoolSnapshot {
    /// The pool's metrics label.
    pub name: String,
    /// Its counters.
    pub stats: PoolStats,
    /// Why its discards were not kept.
    pub discards: Discards,
}

/// Every pool used so far in this process, in the order of first use.
///
/// ```
/// use poolable::{Pool, PoolConfig};
///
/// static SESSIONS: Pool<Vec<u64>> = Pool::with_config(Vec::new, PoolConfig::new("sessions"));
/// drop(SESSIONS.get());
///
/// let all = poolable::pools();
/// let sessions = all.iter().find(|p| p.name == "sessions").unwrap();
/// assert_eq!(sessions.stats.misses, 1);
/// ```
pub fn pools() -> Vec<PoolSnapshot> {
    entries()
        .into_iter()
        .map(|pool| {
            let counts = pool.counts();
            PoolSnapshot { name: pool.name().to_owned(), stats: counts.stats(), discards: counts.discards() }
        })
        .collect()
}
