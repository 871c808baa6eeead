//! A job run once per period on a thread of its own, until its handle drops:
//! what [`trim_every`](crate::trim_every) and the metrics-rs reporter share.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The running job; dropping it stops the thread and waits for it (at most
/// the run in progress).
#[derive(Debug)]
pub(crate) struct Periodic {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    runs: Arc<AtomicU64>,
}

impl Periodic {
    /// Runs `job` every `period` (the first time one period from now) on a
    /// thread named `name`.
    ///
    /// # Panics
    ///
    /// If `period` is zero (`what` names the caller in the message), or the
    /// thread cannot start.
    pub(crate) fn spawn(name: &str, what: &str, period: Duration, job: impl Fn() + Send + 'static) -> Self {
        assert!(!period.is_zero(), "{what} needs a period above zero, such as 30 s");
        let (stop, stopped) = mpsc::channel::<()>();
        let runs = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&runs);
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // Disconnected (the handle dropped) ends the loop; nothing
                // is ever sent.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                    job();
                    counted.fetch_add(1, Relaxed);
                }
            })
            .unwrap_or_else(|error| panic!("{what} could not start its thread: {error}"));
        Self { stop: Some(stop), thread: Some(thread), runs }
    }

    /// How many runs have finished.
    pub(crate) fn runs(&self) -> u64 {
        self.runs.load(Relaxed)
    }
}

impl Drop for Periodic {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // A panic in the job (a user's `Drop` run by a trim, say) ended
            // the thread already; a handle's drop must not panic in turn.
            let _ = thread.join();
        }
    }
}
