//! Where guards are held: take-site tracking, for the question "the
//! `pool_in_use_objects` gauge keeps growing: who holds the guards?".
//!
//! Turned on by [`track(true)`](track) or `POOLABLE_TRACK=1` in the
//! environment (read at the first use of any pool), every take records its
//! call site (`Pool::get` and `Poolable::pooled` are `#[track_caller]`) and
//! time until its guard is dropped or detached; [`outstanding`] lists, per
//! pool and call site, how many guards are out and how old the oldest is,
//! as Netty's leak detector reports where leaked buffers were taken, but
//! for every guard and without sampling.
//!
//! ```
//! use std::time::Duration;
//! use poolable::{diagnostics, Pool, PoolConfig};
//!
//! static SESSIONS: Pool<Vec<u64>> = Pool::with_config(Vec::new, PoolConfig::new("sessions"));
//!
//! diagnostics::track(true);
//! let held = SESSIONS.get(); let line = line!();
//! let out = SESSIONS.outstanding();
//! assert_eq!(out.len(), 1);
//! assert_eq!((out[0].pool.as_str(), out[0].line, out[0].guards), ("sessions", line, 1));
//! assert!(out[0].file.ends_with(".rs") && out[0].oldest < Duration::from_secs(60));
//! drop(held);
//! assert!(SESSIONS.outstanding().is_empty());
//! diagnostics::track(false);
//! ```
//!
//! # Cost
//!
//! Off, each take and each return tests one flag that does not change: one
//! predictable branch each. On, each take and each return also takes one
//! process-wide lock to record or forget the guard, and returns take the
//! out-of-line path: a take/return cycle on one thread costs many times
//! what it costs off, and the lock is shared by every thread. It is meant for
//! finding a leak, in a test or for a while in production, not for running
//! always.
//!
//! Turning tracking off forgets every recorded guard; turned on again, it
//! lists only the guards taken from then on. Guards of zero-sized types are
//! not listed: every one of their boxes has the same address, so a return
//! cannot tell which take it ends.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::observe::registry;
use crate::observe::switches;

/// Whether takes are recorded. A std static, even under loom: the models
/// never turn tracking on.
static TRACKING: AtomicBool = AtomicBool::new(false);

/// The guards out, by pool id and object address. Zero-sized objects,
/// which all share one address, are not recorded.
static TAKEN: Mutex<BTreeMap<(usize, usize), Vec<Taken>>> = Mutex::new(BTreeMap::new());

#[derive(Clone, Copy)]
struct Taken {
    site: &'static Location<'static>,
    at: Instant,
}

/// Turns take-site tracking on or off for every pool (see the
/// [module](self)).
pub fn track(on: bool) {
    environment_applied();
    let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
    TRACKING.store(on, Relaxed);
    if !on {
        taken.clear();
    }
}

/// Whether take-site tracking is on.
pub fn is_tracking() -> bool {
    environment_applied();
    TRACKING.load(Relaxed)
}

/// `POOLABLE_TRACK`, applied once: at the first use of any pool (its
/// registration), or at the first call here, whichever comes first.
pub(crate) fn environment_applied() {
    static APPLIED: OnceLock<()> = OnceLock::new();
    APPLIED.get_or_init(|| {
        if switches::environment().track {
            TRACKING.store(true, Relaxed);
        }
    });
}

/// The hot paths' test: one load of a flag that does not change.
#[inline(always)]
pub(crate) fn tracking() -> bool {
    TRACKING.load(Relaxed)
}

/// What identifies an object while it is out: its address.
#[inline(always)]
pub(crate) fn address<T>(object: &T) -> usize {
    std::ptr::from_ref(object).addr()
}

/// Records a take of `object` from pool `pool` at `site`.
pub(crate) fn took<T>(pool: usize, object: &T, site: &'static Location<'static>) {
    // Every box of a zero-sized type has the same address: its guards
    // cannot be told apart at their return, so none is recorded.
    if std::mem::size_of::<T>() == 0 {
        return;
    }
    let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
    // Checked under the lock: `track(false)` clears the table under it.
    if tracking() {
        taken.entry((pool, address(object))).or_default().push(Taken { site, at: Instant::now() });
    }
}

/// Forgets the take of the object at `address`, whose guard is dropped or
/// detached.
pub(crate) fn returned(pool: usize, address: usize) {
    let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
    let key = (pool, address);
    if let Some(entries) = taken.get_mut(&key) {
        entries.pop();
        if entries.is_empty() {
            taken.remove(&key);
        }
    }
}

/// The guards out from one call site of one pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outstanding {
    /// The pool's metrics label.
    pub pool: String,
    /// The source file of the take (`Location::file`).
    pub file: &'static str,
    /// Its line.
    pub line: u32,
    /// Its column.
    pub column: u32,
    /// How many guards taken there are out.
    pub guards: usize,
    /// How long the oldest of them has been out.
    pub oldest: Duration,
}

/// Serialises with `oldest` as `oldest_seconds`, a number (feature `serde`).
#[cfg(feature = "serde")]
impl serde_core::Serialize for Outstanding {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Outstanding", 6)?;
        out.serialize_field("pool", &self.pool)?;
        out.serialize_field("file", self.file)?;
        out.serialize_field("line", &self.line)?;
        out.serialize_field("column", &self.column)?;
        out.serialize_field("guards", &self.guards)?;
        out.serialize_field("oldest_seconds", &self.oldest.as_secs_f64())?;
        out.end()
    }
}

/// The guards out of every pool, per pool and call site, most guards
/// first (then oldest first); empty while tracking is off.
pub fn outstanding() -> Vec<Outstanding> {
    outstanding_of(None)
}

/// [`outstanding`] for the pool of id `pool` alone, or every pool.
pub(crate) fn outstanding_of(pool: Option<usize>) -> Vec<Outstanding> {
    let now = Instant::now();
    let mut by_site: BTreeMap<(usize, &'static str, u32, u32), (usize, Instant)> = BTreeMap::new();
    {
        let taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
        for (&(id, _), entries) in taken.iter().filter(|((id, _), _)| pool.is_none_or(|pool| pool == *id)) {
            for entry in entries {
                let site = (id, entry.site.file(), entry.site.line(), entry.site.column());
                let (guards, oldest) = by_site.entry(site).or_insert((0, entry.at));
                *guards += 1;
                *oldest = (*oldest).min(entry.at);
            }
        }
    }
    let names = registry::entries();
    let mut out: Vec<Outstanding> = by_site
        .into_iter()
        .map(|((id, file, line, column), (guards, oldest))| Outstanding {
            pool: names.get(id).map_or("unknown", |entry| entry.name()).to_owned(),
            file,
            line,
            column,
            guards,
            oldest: now.saturating_duration_since(oldest),
        })
        .collect();
    out.sort_by(|a, b| b.guards.cmp(&a.guards).then(b.oldest.cmp(&a.oldest)));
    out
}
