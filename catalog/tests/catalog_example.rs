//! Smoke test of the `catalog` binary: its workload with tiny flags, in
//! process (the library's `side_by_side`, as the binary runs it), printing its table
//! and a line per pool (the exposition too, with `--exposition`).

use catalog::{model, side_by_side};
use clap::Parser;

use poolable_test_support::CountingAlloc;

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc(std::alloc::System);

/// The runs count their pools' takes from the process-wide counters: one
/// at a time.
static ONE_RUN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn catalog_example_prints_its_table() {
    let _serial = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let args = side_by_side::Args::try_parse_from([
        "catalog",
        "--threads",
        "2",
        "--requests",
        "300",
        "--columns",
        "8",
        "--no-progress",
        "--exposition",
    ])
    .expect("the flags parse");
    let mut out = Vec::new();
    let report = side_by_side::run(&args, &mut out).expect("the workload runs");
    let out = String::from_utf8(out).expect("UTF-8");
    println!("{out}");

    for row in [
        "unpooled",
        "pooled",
        "requests/s",
        "ns per request",
        "allocations per request",
        "bytes allocated per request",
        "builder pool hit ratio",
        "buffer pools hit ratio",
        "pools (poolable::metrics::snapshot()",
        "load_table_result",
        "pool_hits_total{pool=\"load_table_result\"}",
        "pool_in_use_objects{pool=\"load_table_result\"} 0",
    ] {
        assert!(out.contains(row), "{row:?} missing from:\n{out}");
    }
    assert_eq!((report.unpooled.requests, report.pooled.requests), (300, 300));
    // Counted by the allocator above: a fresh builder allocates per column,
    // a pooled one only until the pools are warm.
    assert!(report.unpooled.allocations_per_request() > 20.0, "{report:?}");
    assert!(
        report.pooled.allocations_per_request() * 4.0 < report.unpooled.allocations_per_request(),
        "{report:?}"
    );
    let (takes, hits) = report.pooled.builder;
    assert_eq!(takes, 300, "one builder per request");
    assert!(hits >= 300 - 2 * 2, "at most a few misses per thread: {report:?}");
}

/// Without `--exposition`, the output is the table and one line per pool
/// used, with only the discards that happened.
#[test]
fn catalog_output_is_short_by_default() {
    let _serial = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let args = side_by_side::Args::try_parse_from([
        "catalog",
        "--threads",
        "1",
        "--requests",
        "60",
        "--columns",
        "8",
        "--no-progress",
    ])
    .expect("the flags parse");
    let mut out = Vec::new();
    side_by_side::run(&args, &mut out).expect("the workload runs");
    let out = String::from_utf8(out).expect("UTF-8");
    assert!(!out.contains("# HELP") && !out.contains("pool_hits_total"), "no exposition:\n{out}");
    let pools: Vec<&str> = out.lines().skip_while(|line| !line.starts_with("pools (")).skip(2).collect();
    let builder = pools.iter().find(|line| line.starts_with("load_table_result")).expect("the builder pool");
    assert!(builder.ends_with(" -"), "no discards, shown as -: {builder}");
    assert!(!out.contains("panic 0") && !out.contains("full 0"), "zero counts are left out:\n{out}");
    assert!(out.lines().count() < 25, "a screen, not a page:\n{out}");
}

#[test]
fn catalog_flags_have_defaults() {
    let args = side_by_side::Args::try_parse_from(["catalog"]).expect("no flag is required");
    assert!(args.threads >= 2 && args.requests > 0 && args.columns > 0);
    assert!(side_by_side::Args::try_parse_from(["catalog", "--threads", "many"]).is_err());
}

/// The builders' `Reset` (recycling collections keeping elements) leaves nothing of
/// one table in the next one's answer, and keeps what it allocated. Uses
/// `Reset` by hand, not the pool, so the counts above stay exact.
#[test]
fn a_reset_builder_answers_like_a_fresh_one() {
    use model::{Catalog, LoadTableResult};
    use poolable::Reset;

    let catalog = Catalog::generate(40);
    let tables = catalog.tables();
    let mut builder = LoadTableResult::default();
    // Wide after narrow and narrow after wide.
    for table in tables.iter().chain(tables.iter().rev()) {
        table.fill(&mut builder);
        assert_eq!(serde_json::to_vec(&builder).unwrap(), table.load_unpooled(), "{}", table.name);
        let retained = builder.retained_bytes();
        builder.reset();
        assert_eq!(builder.retained_bytes(), retained, "a reset keeps every allocation");
        assert!(retained < 1 << 20, "under the pool's max_retained_bytes: {retained}");
        assert!(builder.metadata.schemas.is_empty() && builder.metadata_location.is_empty());
    }
}
