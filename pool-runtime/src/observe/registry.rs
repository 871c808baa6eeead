//! Every pool that has been used, for readers that want them all (metrics).

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use crate::observe::stats::{Counts, Discards, PoolStats};

/// What a reader can ask of any pool, whatever its object type.
pub(crate) trait Entry: Sync {
    fn name(&self) -> &str;
    fn counts(&self) -> Counts;
    /// The bytes held by the idle objects of `counts`, read from this pool.
    fn idle_bytes(&self, counts: &Counts) -> u64;
    fn trim(&self);
}

// std's lock and atomics even under loom: registration happens once per
// pool and is not part of what the models explore.
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
    let new = crate::sync::pool_id(pools.len() - 1);
    id.store(new, Relaxed);
    new
}

/// Every registered pool, in the order of first use.
pub(crate) fn entries() -> Vec<&'static dyn Entry> {
    POOLS.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// One pool's name and counters, read together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSnapshot {
    /// The pool's metrics label.
    pub name: String,
    /// Its counters.
    pub stats: PoolStats,
    /// Why its discards were not kept.
    pub discards: Discards,
    /// The bytes its idle objects hold (see [`Pool::idle_bytes`](crate::Pool::idle_bytes)).
    pub idle_bytes: u64,
}

#[cfg(feature = "serde")]
crate::observe::stats::serialize_fields!(PoolSnapshot { name, stats, discards, idle_bytes });

/// Every pool used so far in this process, in the order of first use, each
/// with its name, [`PoolStats`] and [`Discards`]; also
/// [`metrics::snapshot`](crate::metrics::snapshot).
///
/// Pools sharing a label are listed separately here (Prometheus sums them).
///
/// ```
/// use poolable::{Pool, PoolConfig};
///
/// static SESSIONS: Pool<Vec<u64>> = Pool::with_config(Vec::new, PoolConfig::new("sessions"));
/// drop(SESSIONS.get());
///
/// let all = poolable::pools();
/// let sessions = all.iter().find(|p| p.name == "sessions").unwrap();
/// assert_eq!((sessions.stats.misses, sessions.stats.returns, sessions.stats.idle), (1, 1, 1));
/// assert_eq!(sessions.stats, SESSIONS.stats());
/// ```
pub fn pools() -> Vec<PoolSnapshot> {
    entries()
        .into_iter()
        .map(|pool| {
            let counts = pool.counts();
            PoolSnapshot {
                name: pool.name().to_owned(),
                stats: counts.stats(),
                discards: counts.discards(),
                idle_bytes: pool.idle_bytes(&counts),
            }
        })
        .collect()
}
