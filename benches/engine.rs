//! Engine benchmark (issue 2): a pooled `Request` against a fresh allocation
//! and against a bare thread-local cache (the floor), on 1 and 2 threads.
//!
//! `cargo bench --bench engine`
//!
//! Every benchmark reports **wall time per cycle, aggregated over all
//! threads**: with `t` threads each running `iters` cycles between a common
//! start (a `Barrier`) and the last thread's end, the reported time is
//! `wall / (t * iters)`. So `engine/1-thread/pool` and `engine/2-threads/pool`
//! compare directly: their ratio is the throughput gained by the second thread
//! (perfect scaling is 2x). Thread spawn and exit are outside the timed span;
//! both thread counts use the same harness, so they differ only in contention.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

mod workload;
use workload::Contender;

/// Runs `iters` cycles of `contender` on each of `threads` fresh threads, all
/// started together; returns the wall time from the first start to the last
/// end divided by `threads` (criterion then divides by `iters`).
fn run_threads(contender: Contender, threads: u32, iters: u64) -> Duration {
    let barrier = Arc::new(Barrier::new(threads as usize));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                // A first cycle off the clock: the thread's cache, its tally
                // and the first object exist before timing starts.
                contender.run(1);
                barrier.wait();
                let start = Instant::now();
                contender.run(iters);
                (start, Instant::now())
            })
        })
        .collect();
    let spans: Vec<(Instant, Instant)> =
        workers.into_iter().map(|w| w.join().expect("worker panicked")).collect();
    let start = spans.iter().map(|s| s.0).min().expect("one worker at least");
    let end = spans.iter().map(|s| s.1).max().expect("one worker at least");
    (end - start) / threads
}

fn engine(c: &mut Criterion) {
    for threads in [1u32, 2] {
        let name =
            if threads == 1 { "engine/1-thread".to_owned() } else { format!("engine/{threads}-threads") };
        let mut group = c.benchmark_group(name);
        group
            .sample_size(30)
            .warm_up_time(Duration::from_millis(700))
            .measurement_time(Duration::from_secs(3))
            .sampling_mode(SamplingMode::Flat)
            .throughput(Throughput::Elements(1));
        for contender in Contender::ALL {
            group.bench_function(contender.name(), |b| {
                b.iter_custom(|iters| run_threads(contender, threads, iters));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
