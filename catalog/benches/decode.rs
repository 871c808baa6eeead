//! Decoding requests: an Iceberg `CommitTableRequest` (the catalog's,
//! `catalog::model::CommitTableRequest`) of ≈ 2 KiB and ≈ 40 KiB, two ways:
//!
//! * `fresh`: `serde_json::from_slice` into a new value, dropped after;
//! * `pooled`: `poolable::json::from_slice` into an object of its pool,
//!   in place (its strings, kept elements and map entries reused).
//!
//! `cargo bench --bench decode` (from the repository root or `catalog/`)
//!
//! Before criterion's timings it prints, for each, allocations, bytes
//! allocated and ns per decode at steady state (interleaved rounds, the
//! median one), counted by the global allocator below, and the ratios.

use std::hint::black_box;

use catalog::model::CommitTableRequest;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use poolable_test_support::counting::CountingAlloc;
use poolable_test_support::steady_state;
use serde_json::json;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

/// A commit of `snapshots` appended snapshots (each with an Iceberg summary)
/// and `properties` set properties, with the usual requirements.
fn commit(snapshots: u64, properties: usize) -> Vec<u8> {
    let base = 3_051_729_675_574_597_004u64;
    let mut updates: Vec<serde_json::Value> = (0..snapshots)
        .map(|n| {
            json!({"action": "add-snapshot", "snapshot": {
                "snapshot-id": base + 100 + n, "parent-snapshot-id": base + 99 + n,
                "sequence-number": 100 + n, "timestamp-ms": 1_800_000_000_000u64 + n * 60_000,
                "manifest-list": format!("s3://warehouse/analytics/orders/metadata/snap-{}-1-51ce{n:04x}-7a5e-4c1d-b2f0-1e0c5ab9.avro", base + 100 + n),
                "summary": {
                    "operation": "append", "added-data-files": "4", "added-records": "500017",
                    "added-files-size": "19000646", "changed-partition-count": "2",
                    "total-records": format!("{}", 500_017 * (n + 1)), "total-files-size": "190006460",
                    "total-data-files": "40", "total-delete-files": "0", "total-position-deletes": "0",
                    "total-equality-deletes": "0"
                },
                "schema-id": 2
            }})
        })
        .collect();
    let props: serde_json::Map<String, serde_json::Value> = (0..properties)
        .map(|n| (format!("write.custom.property-{n:03}"), json!(format!("value-of-property-{n:03}"))))
        .collect();
    updates.push(json!({"action": "set-properties", "updates": props}));
    updates.push(json!({"action": "remove-properties", "removals": ["commit.retry.num-retries"]}));
    updates.push(json!({"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": base + 99 + snapshots}));
    serde_json::to_vec(&json!({
        "identifier": {"namespace": ["analytics"], "name": "orders"},
        "requirements": [
            {"type": "assert-table-uuid", "uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1"},
            {"type": "assert-current-schema-id", "current-schema-id": 2},
            {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": base + 6}
        ],
        "updates": updates,
    }))
    .expect("serialises")
}

fn fresh(input: &[u8]) -> usize {
    let request: CommitTableRequest = serde_json::from_slice(input).expect("decodes");
    request.updates.len()
}

fn pooled(input: &[u8]) -> usize {
    let request = poolable::json::from_slice::<CommitTableRequest>(input).expect("decodes");
    request.updates.len()
}

type Decode = fn(&[u8]) -> usize;
const CONTENDERS: [(&str, Decode); 2] = [("fresh", fresh), ("pooled", pooled)];

/// Steady state, the median of interleaved rounds (see `steady_state`).
fn report(inputs: &[(&str, Vec<u8>)]) {
    const ROUNDS: usize = 9;
    println!("decode: CommitTableRequest, {ROUNDS} interleaved rounds, median round");
    println!("{:<8} {:<8} {:>12} {:>12} {:>10}", "input", "decode", "allocs/op", "bytes/op", "ns/op");
    for (name, input) in inputs {
        let n = (4_000_000 / input.len()).clamp(200, 20_000);
        let figures = steady_state::median_rounds(&CONTENDERS, ROUNDS, n, |(_, decode)| {
            black_box(decode(black_box(input)));
        });
        let base = figures[0];
        for ((contender, _), f) in CONTENDERS.iter().zip(figures) {
            println!(
                "{name:<8} {contender:<8} {:>12.2} {:>12.0} {:>10.0}   ({:.3}x allocs, {:.2}x ns of fresh)",
                f.allocations,
                f.bytes,
                f.ns,
                f.allocations / base.allocations,
                f.ns / base.ns
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    let inputs = [("2KiB", commit(1, 16)), ("40KiB", commit(50, 180))];
    for (name, input) in &inputs {
        eprintln!("{name}: {} bytes", input.len());
    }
    report(&inputs);
    let mut group = c.benchmark_group("decode");
    for (name, input) in &inputs {
        group.throughput(Throughput::Bytes(input.len() as u64));
        for (contender, decode) in CONTENDERS {
            group.bench_with_input(BenchmarkId::new(contender, name), input, |b, input| {
                b.iter(|| decode(input))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
