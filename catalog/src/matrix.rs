//! What `alloc-system`, `alloc-jemalloc` and `alloc-mimalloc` run: the same
//! two workloads under the global allocator each binary installs, with the
//! pools on, or switched off by `POOLABLE_DISABLE=1` (the same code, the pool
//! and nothing else taken away), counted by
//! [`CountingAlloc`](poolable_test_support::CountingAlloc) only while
//! `--count-allocations` asks (see [`allocator_binary!`](crate::allocator_binary)).
//! `catalog/scripts/allocator-report.py` runs the matrix; see
//! `catalog/docs/allocators.md` and the "pooling against a faster allocator"
//! section of BENCHMARKS.md.
//!
//! * `loop`: the `catalog` binary's request loop (`side_by_side::request_mix`,
//!   the pooled `LoadTable` path) on `--threads` threads; prints one JSON
//!   line: requests/s, and with `--count-allocations` allocations per request.
//! * `serve`: the REST service (`service::serve`), as the `server` binary
//!   serves it; prints `listening on
//!   http://<address>`, then answers a line `allocations` on stdin with the
//!   process's allocation count (with `--count-allocations`), and exits when
//!   stdin closes, so that it never outlives the script that started it.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use serde_json::json;

use poolable_test_support::counting::{self, Counts, ALLOCATIONS};

use crate::model::Catalog;
use crate::process;
use crate::service::{self, AppState, Limits};
use crate::side_by_side::{request_mix, Mode};

#[derive(Parser, Debug)]
#[command(about = "The catalog workloads under this binary's global allocator")]
struct Args {
    #[command(subcommand)]
    workload: Workload,
}

#[derive(Subcommand, Debug)]
enum Workload {
    /// The `catalog` binary's LoadTable request loop; one JSON line out.
    Loop {
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Requests measured, over all threads.
        #[arg(long, default_value_t = 40_000)]
        requests: u64,
        /// Requests before the measured ones (pools and allocator warm up alike).
        #[arg(long, default_value_t = 4_000)]
        warmup: u64,
        /// Columns in an average table schema.
        #[arg(long, default_value_t = 60)]
        columns: u32,
        /// Count the measured requests' allocations (slows both settings: a shared counter).
        #[arg(long)]
        count_allocations: bool,
    },
    /// The REST service on 127.0.0.1; `allocations` on stdin prints the count; EOF ends it.
    Serve {
        /// Port (0: any free one, printed).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Columns in an average table schema.
        #[arg(long, default_value_t = 60)]
        columns: u32,
        /// Count allocations, for `allocations` on stdin.
        #[arg(long)]
        count_allocations: bool,
        /// Tokio worker threads (default: one per core, as `#[tokio::main]`).
        #[arg(long)]
        workers: Option<usize>,
    },
}

/// Runs the workload the command line names, under `allocator` (its name, for the output).
pub fn main(allocator: &str) -> ExitCode {
    // Timed runs measure the allocator alone; `--count-allocations` counts.
    counting::count(Counts::Nothing);
    let args = Args::parse();
    let outcome = match args.workload {
        Workload::Loop { threads, requests, warmup, columns, count_allocations } => {
            run_loop(allocator, threads.max(1), requests.max(1), warmup, columns, count_allocations)
        }
        Workload::Serve { port, columns, count_allocations, workers } => {
            serve(port, columns, count_allocations, workers)
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the pools were on: a switched-off pool counts each return as a
/// `disabled` discard, so this reads what the library did, not the environment.
fn pools_on() -> bool {
    poolable::metrics::snapshot().iter().all(|pool| pool.discards.disabled == 0)
}

fn run_loop(
    allocator: &str,
    threads: usize,
    requests: u64,
    warmup: u64,
    columns: u32,
    count_allocations: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let catalog = Catalog::generate(columns);
    let tables = catalog.tables();
    let threads = threads as u64;
    let share = |total: u64, worker: u64| total / threads + u64::from(worker < total % threads);
    // Every worker warms up, then waits for the others: the measured part
    // starts with the pools and the allocator's caches as warm on every thread.
    let ready = std::sync::Barrier::new(threads as usize + 1);
    let (elapsed, allocations, served) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let (tables, ready) = (&tables, &ready);
                scope.spawn(move || {
                    request_mix(Mode::Pooled, tables, worker + threads, share(warmup, worker), || {});
                    ready.wait();
                    ready.wait();
                    request_mix(Mode::Pooled, tables, worker, share(requests, worker), || {})
                })
            })
            .collect();
        ready.wait();
        if count_allocations {
            counting::count(Counts::Everywhere);
        }
        let before = ALLOCATIONS.load(Relaxed);
        let start = Instant::now();
        ready.wait();
        let served: u64 = workers.into_iter().map(|w| w.join().expect("a worker")).sum();
        let elapsed = start.elapsed();
        counting::count(Counts::Nothing);
        (elapsed, ALLOCATIONS.load(Relaxed) - before, served)
    });
    let line = json!({
        "workload": "loop",
        "allocator": allocator,
        "pooled": pools_on(),
        "threads": threads,
        "requests": requests,
        "secs": elapsed.as_secs_f64(),
        "requests_per_sec": requests as f64 / elapsed.as_secs_f64(),
        "bytes_per_request": served as f64 / requests as f64,
        "allocations_per_request": count_allocations.then(|| allocations as f64 / requests as f64),
        "peak_rss_kib": process::peak_rss_kib("self"),
    });
    println!("{line}");
    Ok(())
}

fn serve(
    port: u16,
    columns: u32,
    count_allocations: bool,
    workers: Option<usize>,
) -> Result<(), Box<dyn std::error::Error>> {
    if count_allocations {
        counting::count(Counts::Everywhere);
    }
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = workers {
        runtime.worker_threads(workers.max(1));
    }
    let runtime = runtime.enable_all().build()?;
    runtime.block_on(async move {
        // The service's default limits, with room for the load generator's connections.
        let limits = Limits { max_connections: 4096, ..Limits::default() };
        let state = Arc::new(AppState::with_limits(columns, limits)?);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening on http://{}", listener.local_addr()?);
        std::io::stdout().flush()?;
        std::thread::spawn(answer_stdin);
        service::serve(listener, state).await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}

/// `allocations` prints the count so far; the end of stdin ends the process.
fn answer_stdin() {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim() == "allocations" {
            println!("{}", json!({ "allocations": ALLOCATIONS.load(Relaxed), "pooled": pools_on() }));
            let _ = std::io::stdout().flush();
        }
    }
    // Give the last answer time to leave, then go: the script is done with us.
    std::thread::sleep(Duration::from_millis(10));
    std::process::exit(0);
}
