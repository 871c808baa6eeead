//! JSON encoding of a table-metadata response: `serde_json::to_vec` into a
//! fresh `Vec` against `poolable::json::to_vec` into a pooled buffer.
//!
//! `cargo bench --bench json --features json`
//!
//! Before criterion's timings, prints allocations, bytes allocated and ns per
//! operation (encode + drop of the output) for both contenders at ≈ 3 KiB and
//! ≈ 50 KiB, counted by the global allocator below.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde::Serialize;

#[path = "../tests/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{Counting, ALLOCATIONS, BYTES};

#[global_allocator]
static GLOBAL: Counting = Counting;

// An Iceberg REST `LoadTableResponse`, the response of a catalog service.

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LoadTableResponse {
    metadata_location: String,
    metadata: TableMetadata,
    config: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct TableMetadata {
    format_version: u8,
    table_uuid: String,
    location: String,
    last_sequence_number: u64,
    last_updated_ms: u64,
    last_column_id: u32,
    current_schema_id: u32,
    schemas: Vec<Schema>,
    default_spec_id: u32,
    partition_specs: Vec<PartitionSpec>,
    properties: BTreeMap<String, String>,
    current_snapshot_id: Option<u64>,
    snapshots: Vec<Snapshot>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Schema {
    #[serde(rename = "type")]
    kind: &'static str,
    schema_id: u32,
    fields: Vec<Field>,
}

#[derive(Serialize)]
struct Field {
    id: u32,
    name: String,
    required: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    doc: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PartitionSpec {
    spec_id: u32,
    fields: Vec<PartitionField>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PartitionField {
    name: String,
    transform: &'static str,
    source_id: u32,
    field_id: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Snapshot {
    snapshot_id: u64,
    sequence_number: u64,
    timestamp_ms: u64,
    manifest_list: String,
    summary: BTreeMap<String, String>,
}

const TYPES: [&str; 6] = ["long", "string", "timestamptz", "decimal(18,2)", "boolean", "date"];

fn table(columns: u32, snapshots: u64) -> LoadTableResponse {
    let location = "s3://warehouse/analytics/orders".to_owned();
    let fields = (1..=columns)
        .map(|id| Field {
            id,
            name: format!("column_{id:03}"),
            required: id % 3 == 0,
            kind: TYPES[id as usize % TYPES.len()],
            doc: (id % 2 == 0).then(|| format!("Business attribute number {id} of the order")),
        })
        .collect();
    LoadTableResponse {
        metadata_location: format!("{location}/metadata/00042-6f1c0a3e.metadata.json"),
        metadata: TableMetadata {
            format_version: 2,
            table_uuid: "9c12d441-03fe-4693-9a96-a0705ddf69c1".to_owned(),
            location: location.clone(),
            last_sequence_number: 42,
            last_updated_ms: 1_717_171_717_171,
            last_column_id: columns,
            current_schema_id: 0,
            schemas: vec![Schema { kind: "struct", schema_id: 0, fields }],
            default_spec_id: 0,
            partition_specs: vec![PartitionSpec {
                spec_id: 0,
                fields: vec![PartitionField {
                    name: "created_day".to_owned(),
                    transform: "day",
                    source_id: 3,
                    field_id: 1000,
                }],
            }],
            properties: [
                ("write.format.default", "parquet"),
                ("write.parquet.compression-codec", "zstd"),
                ("commit.retry.num-retries", "4"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            current_snapshot_id: Some(3_000_000_000 + snapshots),
            snapshots: (1..=snapshots)
                .map(|n| Snapshot {
                    snapshot_id: 3_000_000_000 + n,
                    sequence_number: n,
                    timestamp_ms: 1_717_000_000_000 + n * 60_000,
                    manifest_list: format!("{location}/metadata/snap-{n}-1-manifest-list.avro"),
                    summary: [("operation", "append".to_owned()), ("added-data-files", n.to_string())]
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                })
                .collect(),
        },
        config: [("client.region".to_owned(), "eu-west-1".to_owned())].into_iter().collect(),
    }
}

/// The two workloads: (label, response).
fn workloads() -> [(&'static str, LoadTableResponse); 2] {
    [("3KiB", table(20, 4)), ("50KiB", table(420, 60))]
}

fn fresh_vec(value: &LoadTableResponse) -> usize {
    let json = serde_json::to_vec(value).unwrap();
    black_box(&json).len()
}

fn pooled(value: &LoadTableResponse) -> usize {
    let json = poolable::json::to_vec(value).unwrap();
    black_box(&json).len()
}

type Op = fn(&LoadTableResponse) -> usize;

const CONTENDERS: [(&str, Op); 2] = [("serde_json::to_vec", fresh_vec), ("poolable::json::to_vec", pooled)];

/// Allocations and bytes allocated per operation (each op's output dropped),
/// after a warm-up that fills the pools.
fn count_allocations(op: Op, value: &LoadTableResponse) -> (f64, f64) {
    const OPS: u64 = 10_000;
    for _ in 0..1_000 {
        op(value);
    }
    let (allocations, bytes) = (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed));
    for _ in 0..OPS {
        op(value);
    }
    let per_op = |n: u64| n as f64 / OPS as f64;
    (per_op(ALLOCATIONS.load(Relaxed) - allocations), per_op(BYTES.load(Relaxed) - bytes))
}

/// ns per operation of each contender: the median over rounds that run the
/// contenders in turn, so that a noisy machine slows them alike.
fn time_interleaved(value: &LoadTableResponse) -> Vec<f64> {
    const ROUNDS: usize = 21;
    let ops = if serde_json::to_vec(value).unwrap().len() > 16 << 10 { 200 } else { 2_000 };
    let mut samples = vec![Vec::with_capacity(ROUNDS); CONTENDERS.len()];
    for _ in 0..ROUNDS {
        for ((_, op), samples) in CONTENDERS.iter().zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..ops {
                op(value);
            }
            samples.push(start.elapsed().as_nanos() as f64 / ops as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[ROUNDS / 2]
        })
        .collect()
}

fn report() {
    println!("\n{:<7} {:<23} {:>10} {:>10} {:>9}", "output", "contender", "allocs/op", "bytes/op", "ns/op");
    for (_, value) in workloads() {
        let size = serde_json::to_vec(&value).unwrap().len();
        let times = time_interleaved(&value);
        for ((name, op), ns) in CONTENDERS.iter().zip(times) {
            let (allocations, bytes) = count_allocations(*op, &value);
            println!("{size:<7} {name:<23} {allocations:>10.2} {bytes:>10.0} {ns:>9.0}");
        }
    }
    println!();
}

fn encode(c: &mut Criterion) {
    report();
    let mut group = c.benchmark_group("json_encode");
    for (label, value) in workloads() {
        let size = serde_json::to_vec(&value).unwrap().len() as u64;
        group.throughput(Throughput::Bytes(size));
        group.bench_with_input(BenchmarkId::new("serde_json_to_vec", label), &value, |b, v| {
            b.iter(|| fresh_vec(v))
        });
        group.bench_with_input(BenchmarkId::new("poolable_json_to_vec", label), &value, |b, v| {
            b.iter(|| pooled(v))
        });
    }
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
