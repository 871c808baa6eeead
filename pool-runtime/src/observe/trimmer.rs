//! [`trim_every`]: every pool trimmed on a timer, on a thread of its own.

use std::time::Duration;

use crate::observe::periodic::Periodic;
use crate::observe::registry;

/// Trims every pool used in this process (see [`Pool::trim`](crate::Pool::trim)) once
/// per `period`, on a background thread named `poolable-trim`, until the
/// returned handle is dropped.
///
/// A trim drops the shared store's objects that were not taken since the
/// previous trim, so a burst's objects are given back to the allocator
/// within two periods of the burst, while a steady load keeps what it uses.
/// Pools first used after the call are trimmed too. Objects in threads'
/// caches are not trimmed: each holds at most `cache_size` and drains into
/// the shared store as it overflows or when its thread exits.
///
/// ```
/// use std::time::Duration;
/// use poolable::{Pool, PoolConfig};
///
/// static BURSTY: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("bursty").cache_size(0));
///
/// let trimmer = poolable::trim_every(Duration::from_millis(10));
/// let burst: Vec<_> = (0..100).map(|_| BURSTY.get()).collect();
/// drop(burst);
/// assert_eq!(BURSTY.shared_idle(), 100);
/// // Three passes: the one that may be under way saw the pool before the
/// // burst came back; the next two age the burst, then evict it.
/// let start = trimmer.passes();
/// while trimmer.passes() < start + 3 {
///     std::thread::sleep(Duration::from_millis(5));
/// }
/// assert_eq!((BURSTY.shared_idle(), BURSTY.stats().evictions), (0, 100));
/// drop(trimmer); // stops and joins the thread
/// ```
///
/// # Panics
///
/// If `period` is zero: a trimmer that never sleeps would keep a core busy
/// and evict what the next take wants.
pub fn trim_every(period: Duration) -> TrimHandle {
    let job = || {
        for pool in registry::entries() {
            // A user's `Drop` that panics while a trim drops its objects must
            // not end the trimmer: the other pools, and later passes, go on.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.trim()));
        }
    };
    TrimHandle(Periodic::spawn("poolable-trim", "poolable::trim_every", period, job))
}

/// The background trimmer of [`trim_every`]; dropping it stops the thread
/// and waits for it (at most the trim in progress).
#[derive(Debug)]
#[must_use = "the trimmer stops when its handle is dropped"]
pub struct TrimHandle(Periodic);

impl TrimHandle {
    /// How many times every pool has been trimmed so far.
    pub fn passes(&self) -> u64 {
        self.0.runs()
    }
}
