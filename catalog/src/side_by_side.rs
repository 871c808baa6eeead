//! The side-by-side run of the `catalog` binary, as a module its smoke test
//! (`tests/catalog_example.rs`) runs too: flags, the two runs, the table.
//! The table's allocation columns come from the per-thread counts of
//! [`CountingAlloc`](poolable_test_support::CountingAlloc), which the binary
//! installs as its global allocator.

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use poolable::metrics::prometheus::{Encoder, Registry, TextEncoder};
use poolable::metrics::{self, PoolSnapshot};
use poolable_test_support::counting::{self, Counts};

use crate::model::{Catalog, TableDef};

/// A simulated Iceberg REST catalog answering `LoadTable` on several threads,
/// without pooling and then with it.
#[derive(Parser, Debug, Clone)]
#[command(name = "catalog")]
pub struct Args {
    /// Worker threads (default: the machine's cores, at least 2).
    #[arg(long, default_value_t = default_threads())]
    pub threads: usize,
    /// Requests in each of the two runs.
    #[arg(long, default_value_t = 100_000)]
    pub requests: u64,
    /// Columns in an average table schema (tables hold 0.5x, 1x or 1.5x this).
    #[arg(long, default_value_t = 60)]
    pub columns: u32,
    /// No progress bar (it is drawn only on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Also print the full Prometheus exposition of the pools (what
    /// `GET /metrics` of the `server` binary answers).
    #[arg(long)]
    pub exposition: bool,
}

fn default_threads() -> usize {
    thread::available_parallelism().map_or(2, |n| n.get()).max(2)
}

// ---------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------

/// How a request is answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `LoadTableResult::default()`, `serde_json::to_vec`.
    Unpooled,
    /// `LoadTableResult::pooled()`, `poolable::json::to_vec`.
    Pooled,
}

/// What one run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunStats {
    pub requests: u64,
    pub elapsed: Duration,
    /// Summed over the workers: each one's busy time.
    pub busy: Duration,
    pub allocations: u64,
    pub bytes_allocated: u64,
    pub bytes_served: u64,
    /// Takes from the builder pool, and how many of them hit (pooled run only).
    pub builder: (u64, u64),
    /// Takes from the buffer pools, and how many of them hit (pooled run only).
    pub buffers: (u64, u64),
}

impl RunStats {
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    /// Nanoseconds a worker spends on one request.
    pub fn ns_per_request(&self) -> f64 {
        self.busy.as_nanos() as f64 / self.requests as f64
    }
    pub fn allocations_per_request(&self) -> f64 {
        self.allocations as f64 / self.requests as f64
    }
    pub fn bytes_per_request(&self) -> f64 {
        self.bytes_allocated as f64 / self.requests as f64
    }
}

fn hit_ratio((takes, hits): (u64, u64)) -> String {
    if takes == 0 {
        return "-".to_owned();
    }
    format!("{:.2} %", hits as f64 / takes as f64 * 100.0)
}

/// Both runs, as printed.
#[derive(Clone, Copy, Debug)]
pub struct Report {
    pub unpooled: RunStats,
    pub pooled: RunStats,
}

/// Answers one request for `table`; returns the body's length.
#[inline]
fn answer(mode: Mode, table: &TableDef) -> usize {
    match mode {
        Mode::Unpooled => black_box(table.load_unpooled()).len(),
        Mode::Pooled => black_box(table.load_pooled().expect("a LoadTableResult serialises")).len(),
    }
}

/// Worker `worker`'s share of the workload: `count` requests for tables
/// picked by a fixed pseudo-random sequence of its own, answered as `mode`
/// says; calls `progress` every 256 requests. Returns the bytes answered.
///
/// The `alloc-*` binaries ([`crate::matrix`]) run this very loop under each global allocator.
pub fn request_mix(
    mode: Mode,
    tables: &[Arc<TableDef>],
    worker: u64,
    count: u64,
    mut progress: impl FnMut(),
) -> u64 {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (worker + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let mut served = 0u64;
    for i in 0..count {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let table = &tables[(seed % tables.len() as u64) as usize];
        served += answer(mode, table) as u64;
        if i % 256 == 255 {
            progress();
        }
    }
    served
}

/// (takes, hits) of the pools whose names `select` picks, summed.
fn pool_counts(select: fn(&str) -> bool) -> (u64, u64) {
    metrics::snapshot()
        .iter()
        .filter(|p: &&PoolSnapshot| select(&p.name))
        .fold((0, 0), |(takes, hits), p| (takes + p.stats.hits + p.stats.misses, hits + p.stats.hits))
}

fn is_builder(name: &str) -> bool {
    name == "load_table_result"
}

fn is_buffer(name: &str) -> bool {
    name.starts_with("buffer_")
}

fn minus((a, b): (u64, u64), (c, d): (u64, u64)) -> (u64, u64) {
    (a - c, b - d)
}

/// Runs `requests` requests on `threads` threads.
fn run_mode(mode: Mode, catalog: &Catalog, args: &Args, bar: &ProgressBar) -> RunStats {
    let tables = catalog.tables();
    let threads = args.threads.max(1) as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let (builder_before, buffers_before) = (pool_counts(is_builder), pool_counts(is_buffer));
    let start = Instant::now();
    let mut stats = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let (tables, done) = (&tables, &done);
                let mine = args.requests / threads + u64::from(worker < args.requests % threads);
                scope.spawn(move || {
                    let (allocations, bytes) = counting::thread_counts();
                    let begun = Instant::now();
                    let served = request_mix(mode, tables, worker, mine, || {
                        done.fetch_add(256, std::sync::atomic::Ordering::Relaxed);
                    });
                    let finished = Instant::now();
                    let (allocations_after, bytes_after) = counting::thread_counts();
                    RunStats {
                        requests: mine,
                        // Until the last worker finished, not until the progress loop noticed.
                        elapsed: finished - start,
                        busy: finished - begun,
                        allocations: allocations_after - allocations,
                        bytes_allocated: bytes_after - bytes,
                        bytes_served: served,
                        ..RunStats::default()
                    }
                })
            })
            .collect();
        while !workers.iter().all(|w| w.is_finished()) {
            bar.set_position(done.load(std::sync::atomic::Ordering::Relaxed));
            thread::sleep(Duration::from_millis(50));
        }
        workers.into_iter().map(|w| w.join().expect("worker")).fold(RunStats::default(), |sum, w| RunStats {
            requests: sum.requests + w.requests,
            busy: sum.busy + w.busy,
            allocations: sum.allocations + w.allocations,
            bytes_allocated: sum.bytes_allocated + w.bytes_allocated,
            bytes_served: sum.bytes_served + w.bytes_served,
            elapsed: sum.elapsed.max(w.elapsed),
            ..sum
        })
    });
    bar.set_position(args.requests);
    if mode == Mode::Pooled {
        stats.builder = minus(pool_counts(is_builder), builder_before);
        stats.buffers = minus(pool_counts(is_buffer), buffers_before);
    }
    stats
}

/// `n` bytes for a person: B, KiB or MiB.
fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn change(before: f64, after: f64) -> String {
    if before == 0.0 {
        return String::new();
    }
    format!("{:+.1} %", (after - before) / before * 100.0)
}

/// Prints the side-by-side table.
pub fn print_table(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let (u, p) = (&report.unpooled, &report.pooled);
    let small = |v: f64| if v < 10.0 { format!("{v:.2}") } else { grouped(v) };
    let rows: [(&str, String, String, String); 6] = [
        (
            "requests/s",
            grouped(u.requests_per_second()),
            grouped(p.requests_per_second()),
            change(u.requests_per_second(), p.requests_per_second()),
        ),
        ("ns per request", grouped(u.ns_per_request()), grouped(p.ns_per_request()), {
            change(u.ns_per_request(), p.ns_per_request())
        }),
        (
            "allocations per request",
            small(u.allocations_per_request()),
            small(p.allocations_per_request()),
            { change(u.allocations_per_request(), p.allocations_per_request()) },
        ),
        ("bytes allocated per request", grouped(u.bytes_per_request()), grouped(p.bytes_per_request()), {
            change(u.bytes_per_request(), p.bytes_per_request())
        }),
        ("builder pool hit ratio", "-".to_owned(), hit_ratio(p.builder), String::new()),
        ("buffer pools hit ratio", "-".to_owned(), hit_ratio(p.buffers), String::new()),
    ];
    writeln!(out, "{:<28} {:>12} {:>12} {:>9}", "", "unpooled", "pooled", "change")?;
    for (name, unpooled, pooled, change) in rows {
        let line = format!("{name:<28} {unpooled:>12} {pooled:>12} {change:>9}");
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Runs the workload as `args` say, printing to `out`; the progress bar goes
/// to stderr when it is a terminal.
pub fn run(args: &Args, out: &mut dyn Write) -> io::Result<Report> {
    // Each worker reads its own thread's counts: a process-wide counter that
    // every thread adds to would slow the allocation-heavy run more.
    counting::count(Counts::PerThread);
    let registry = Registry::new();
    metrics::register(&registry).map_err(io::Error::other)?;

    let catalog = Catalog::generate(args.columns);
    let tables = catalog.tables();
    let sizes: Vec<usize> = tables.iter().map(|t| t.load_unpooled().len()).collect();
    for table in &tables {
        // The pooled answer is the unpooled one, byte for byte.
        assert_eq!(&table.load_pooled().expect("serialises")[..], &table.load_unpooled()[..]);
    }
    let kib = |n: usize| n as f64 / 1024.0;
    writeln!(
        out,
        "LoadTable on {} tables ({} to {} columns, JSON answers of {:.1} to {:.1} KiB), {} thread{}, {} requests per run",
        tables.len(),
        tables.iter().map(|t| t.current_schema().fields.len()).min().unwrap_or(0),
        tables.iter().map(|t| t.current_schema().fields.len()).max().unwrap_or(0),
        kib(*sizes.iter().min().unwrap_or(&0)),
        kib(*sizes.iter().max().unwrap_or(&0)),
        args.threads,
        if args.threads == 1 { "" } else { "s" },
        grouped(args.requests as f64),
    )?;
    out.flush()?;

    let mut runs = [RunStats::default(); 2];
    for (mode, stats) in [Mode::Unpooled, Mode::Pooled].into_iter().zip(&mut runs) {
        let bar = if args.no_progress {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(args.requests), ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>8} [{bar:30}] {human_pos}/{human_len} {rate}/s, {eta} left",
            )
            .expect("a valid template")
            .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&grouped(state.per_sec()));
            })
            .progress_chars("=> "),
        );
        bar.set_prefix(if mode == Mode::Pooled { "pooled" } else { "unpooled" });
        *stats = run_mode(mode, &catalog, args, &bar);
        bar.finish_and_clear();
    }
    let report = Report { unpooled: runs[0], pooled: runs[1] };
    assert_eq!(
        report.unpooled.bytes_served, report.pooled.bytes_served,
        "both runs answer the same requests"
    );

    writeln!(out)?;
    print_table(&report, out)?;
    writeln!(out)?;
    print_pools(out)?;
    if args.exposition {
        writeln!(
            out,
            "\n# Prometheus exposition of the pools (what GET /metrics of the server binary answers):"
        )?;
        let mut text = Vec::new();
        TextEncoder::new().encode(&registry.gather(), &mut text).map_err(io::Error::other)?;
        out.write_all(&text)?;
    }
    Ok(report)
}

/// A line per pool that was used: takes, hit ratio, idle objects and the
/// bytes they hold, and the discards that happened, by reason; then what
/// the usual ones mean.
fn print_pools(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "pools (poolable::metrics::snapshot(); the whole exposition with --exposition):")?;
    writeln!(
        out,
        "{:<20} {:>10} {:>10} {:>6} {:>10}  discards",
        "pool", "takes", "hit ratio", "idle", "idle bytes"
    )?;
    let mut outgrown = false;
    for pool in metrics::snapshot() {
        let stats = pool.stats;
        let takes = stats.hits + stats.misses;
        if takes == 0 {
            continue;
        }
        let d = pool.discards;
        let discards: Vec<String> = d
            .by_reason()
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(reason, n)| format!("{reason} {}", grouped(n as f64)))
            .collect();
        outgrown |= is_buffer(&pool.name) && d.oversized > 0;
        writeln!(
            out,
            "{:<20} {:>10} {:>10} {:>6} {:>10}  {}",
            pool.name,
            grouped(takes as f64),
            hit_ratio((takes, stats.hits)),
            grouped(stats.idle as f64),
            bytes(pool.idle_bytes),
            if discards.is_empty() { "-".to_owned() } else { discards.join(", ") },
        )?;
    }
    if outgrown {
        writeln!(
            out,
            "(a buffer's `oversized` discards: answers that outgrew the buffer they were written into, \
             on the first requests for each table, moved to the class they fit, where they count as \
             a miss and a return; not lost memory)"
        )?;
    }
    Ok(())
}
