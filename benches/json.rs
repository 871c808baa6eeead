//! JSON encoding over a corpus of shapes (`json_corpus/`): `serde_json::to_vec`
//! into a fresh `Vec` against `poolable::json::to_vec` into a pooled buffer,
//! each output dropped after the encode, one thread, warm pools.
//!
//! ```text
//! cargo bench --bench json                        # report, then criterion
//! cargo bench --bench json -- report [ROUNDS]     # interleaved time, as JSON lines
//! cargo bench --bench json -- measure SHAPE fresh|pooled OPS   # for callgrind
//! ```
//!
//! The process runs on the system allocator, as a user's service does
//! (allocations are counted by `json_allocs`, whose counting allocator
//! would add its own cost to every `serde_json::to_vec`).
//! `scripts/json-report.py` runs `measure` under callgrind (instructions per
//! encode, exact), `report`, and `json_allocs`, and writes the BENCHMARKS.md
//! section.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};

mod json_corpus;

use json_corpus::{corpus, Encode, Shape};

#[derive(Clone, Copy, PartialEq)]
enum Contender {
    Fresh,
    Pooled,
}

impl Contender {
    const BOTH: [Contender; 2] = [Contender::Fresh, Contender::Pooled];

    fn parse(name: &str) -> Option<Self> {
        match name {
            "fresh" => Some(Self::Fresh),
            "pooled" => Some(Self::Pooled),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Fresh => "serde_json::to_vec",
            Self::Pooled => "poolable::json::to_vec",
        }
    }

    #[inline]
    fn encode(self, value: &dyn Encode) -> usize {
        match self {
            Self::Fresh => value.fresh_vec(),
            Self::Pooled => value.pooled(),
        }
    }
}

/// Encodes before measuring: the first pooled encodes miss and choose the
/// buffer class; what follows is the steady state a service runs in.
const WARM_UP: usize = 200;

/// The region callgrind counts (`--toggle-collect=*measured_ops*`).
#[inline(never)]
fn measured_ops(contender: Contender, value: &dyn Encode, ops: u64) {
    for _ in 0..ops {
        black_box(contender.encode(black_box(value)));
    }
}

fn find(name: &str) -> Option<Shape> {
    corpus().into_iter().find(|shape| shape.name == name)
}

/// Encodes per timed sample: about 2 ms of work whatever the shape.
fn ops_per_sample(value: &dyn Encode) -> u64 {
    let len = value.fresh_vec() as u64;
    (400_000 / (len + 200)).clamp(10, 20_000)
}

/// ns per encode of each contender: rounds that run the two back to back (the
/// order alternating), the ratio taken within each round; medians over rounds.
fn interleaved(value: &dyn Encode, rounds: usize) -> ([f64; 2], f64) {
    let ops = ops_per_sample(value);
    for contender in Contender::BOTH {
        measured_ops(contender, value, ops);
    }
    let mut times = [Vec::with_capacity(rounds), Vec::with_capacity(rounds)];
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut ns = [0.0; 2];
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let start = Instant::now();
            measured_ops(Contender::BOTH[i], value, ops);
            ns[i] = start.elapsed().as_nanos() as f64 / ops as f64;
        }
        times[0].push(ns[0]);
        times[1].push(ns[1]);
        ratios.push(ns[1] / ns[0]);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let [fresh, pooled] = times;
    ([median(fresh), median(pooled)], median(ratios))
}

/// One JSON line per shape: its size and the interleaved time of both.
fn report(rounds: usize) {
    for Shape { name, value } in corpus() {
        let value = &*value;
        let bytes = value.fresh_vec();
        let ([fresh_ns, pooled_ns], ratio) = interleaved(value, rounds);
        println!(
            "{{\"shape\":\"{name}\",\"bytes\":{bytes},\"fresh_ns\":{fresh_ns:.1},\"pooled_ns\":{pooled_ns:.1},\
             \"time_ratio\":{ratio:.4},\"rounds\":{rounds}}}"
        );
    }
}

fn criterion_run() {
    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let mut group = c.benchmark_group("json_encode");
    for Shape { name, value } in corpus() {
        let value = &*value;
        group.throughput(Throughput::Bytes(value.fresh_vec() as u64));
        for contender in Contender::BOTH {
            group.bench_with_input(BenchmarkId::new(contender.name(), name), value, |b, v| {
                b.iter(|| contender.encode(v))
            });
        }
    }
    group.finish();
    c.final_summary();
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; the modes are plain words.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["measure", shape, contender, ops] => {
            let (Some(shape), Some(contender), Ok(ops)) =
                (find(shape), Contender::parse(contender), ops.parse())
            else {
                eprintln!("usage: json measure <shape> <fresh|pooled> <ops>");
                return ExitCode::FAILURE;
            };
            for _ in 0..WARM_UP {
                contender.encode(&*shape.value);
            }
            measured_ops(black_box(contender), &*shape.value, black_box(ops));
        }
        ["shapes"] => corpus().iter().for_each(|shape| println!("{}", shape.name)),
        ["report"] => report(31),
        ["report", rounds] => report(rounds.parse().unwrap_or(31)),
        _ => {
            report(11);
            criterion_run();
        }
    }
    ExitCode::SUCCESS
}
