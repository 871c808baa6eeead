//! Engine benchmark (issue 2): a pooled `Request` against a fresh allocation
//! and against a bare thread-local cache (the floor), on 1 and 2 threads.
//!
//! `cargo bench --bench engine` (about 40 s)
//!
//! Every benchmark reports **wall time per cycle, aggregated over all
//! threads**: with `t` threads each running `iters` cycles between a common
//! start (a `Barrier`) and the last thread's end, the reported time is
//! `wall / (t * iters)`. So `engine/1-thread/pool` and `engine/2-threads/pool`
//! compare directly: their ratio is the throughput gained by the second thread
//! (perfect scaling is 2x).
//!
//! * `engine/1-thread`, `engine/2-threads`: long-lived worker threads, spawned
//!   once per benchmark and fed every sample's `iters` (a server's worker
//!   pool: each thread keeps its own objects, the steady state).
//! * `engine/2-threads-respawn`: two fresh threads per sample (thread churn:
//!   at each exit a thread's cached objects go back to the shared store and
//!   the next threads take them, so objects change threads every sample).
//!
//! Thread spawn and exit are never inside the timed span.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput};

mod workload;
use workload::Contender;

/// When a thread started and ended its `iters` cycles.
type Span = (Instant, Instant);

/// Runs `iters` cycles after the barrier, timing them.
fn timed(contender: Contender, barrier: &Barrier, iters: u64) -> Span {
    barrier.wait();
    let start = Instant::now();
    contender.run(iters);
    (start, Instant::now())
}

/// Wall time from the first start to the last end, divided by the number of
/// threads (criterion then divides by `iters`).
fn per_thread_wall(spans: &[Span]) -> Duration {
    let start = spans.iter().map(|s| s.0).min().expect("one thread at least");
    let end = spans.iter().map(|s| s.1).max().expect("one thread at least");
    (end - start) / spans.len() as u32
}

/// Long-lived threads that run a contender's cycles on request.
struct Workers {
    orders: Vec<Sender<u64>>,
    spans: Receiver<Span>,
    handles: Vec<JoinHandle<()>>,
}

impl Workers {
    fn spawn(contender: Contender, threads: usize) -> Self {
        let barrier = Arc::new(Barrier::new(threads));
        let (span_tx, spans) = channel();
        let mut orders = Vec::new();
        let mut handles = Vec::new();
        for _ in 0..threads {
            let (order_tx, order_rx) = channel::<u64>();
            let (barrier, span_tx) = (Arc::clone(&barrier), span_tx.clone());
            handles.push(thread::spawn(move || {
                // Off the clock: the thread's cache and first object exist.
                contender.run(1);
                for iters in order_rx {
                    span_tx.send(timed(contender, &barrier, iters)).expect("bench is listening");
                }
            }));
            orders.push(order_tx);
        }
        Self { orders, spans, handles }
    }

    fn run(&self, iters: u64) -> Duration {
        for order in &self.orders {
            order.send(iters).expect("worker is alive");
        }
        let spans: Vec<Span> = self.spans.iter().take(self.orders.len()).collect();
        per_thread_wall(&spans)
    }
}

impl Drop for Workers {
    /// Ends the threads (their caches go back to the pool) before the next
    /// benchmark starts.
    fn drop(&mut self) {
        self.orders.clear();
        for handle in self.handles.drain(..) {
            handle.join().expect("worker panicked");
        }
    }
}

/// `threads` fresh threads for one sample.
fn respawned(contender: Contender, threads: usize, iters: u64) -> Duration {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                contender.run(1);
                timed(contender, &barrier, iters)
            })
        })
        .collect();
    let spans: Vec<Span> = handles.into_iter().map(|h| h.join().expect("worker panicked")).collect();
    per_thread_wall(&spans)
}

fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(1));
    group
}

fn engine(c: &mut Criterion) {
    for (name, threads) in [("engine/1-thread", 1), ("engine/2-threads", 2)] {
        let mut group = group(c, name);
        for contender in Contender::ALL {
            let workers = Workers::spawn(contender, threads);
            group.bench_function(contender.name(), |b| b.iter_custom(|iters| workers.run(iters)));
        }
        group.finish();
    }

    let mut group = group(c, "engine/2-threads-respawn");
    for contender in Contender::ALL {
        group.bench_function(contender.name(), |b| b.iter_custom(|iters| respawned(contender, 2, iters)));
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
