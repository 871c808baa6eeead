//! [`trim_every`]: every pool trimmed on a timer, on a thread of its own.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::registry;

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
/// let start = trimmer.passes();
/// while trimmer.passes() < start + 2 {
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
    assert!(!period.is_zero(), "poolable::trim_every needs a period above zero, such as 30 s");
    let (stop, stopped) = mpsc::channel::<()>();
    let passes = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&passes);
    let thread = std::thread::Builder::new()
        .name("poolable-trim".to_owned())
        .spawn(move || {
            // Disconnected (the handle dropped) ends the loop; nothing is
            // ever sent.
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                for pool in registry::entries() {
                    pool.trim();
                }
                counted.fetch_add(1, Relaxed);
            }
        })
        .expect("poolable::trim_every could not start its thread");
    TrimHandle { stop: Some(stop), thread: Some(thread), passes }
}

/// The background trimmer of [`trim_every`]; dropping it stops the thread
/// and waits for it (at most the trim in progress).
#[derive(Debug)]
#[must_use = "the trimmer stops when its handle is dropped"]
pub struct TrimHandle {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    passes: Arc<AtomicU64>,
}

impl TrimHandle {
    /// How many times every pool has been trimmed so far.
    pub fn passes(&self) -> u64 {
        self.passes.load(Relaxed)
    }
}

impl Drop for TrimHandle {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // A panic in a user's `Drop` run by a trim ended the thread
            // already; the handle's drop must not panic in turn.
            let _ = thread.join();
        }
    }
}
