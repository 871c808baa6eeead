//! Peer comparison (issue 6), interleaved rounds: the source of the ratios.
//!
//! `cargo bench --bench peers_rounds [-- GROUP [CONTENDER[,CONTENDER...]]]`
//! (about a minute for all; `-- small_64b/producer poolable` runs one,
//! `-- small_64b/producer poolable,crossbeam-arrayqueue` compares two, as the
//! A/B runs in `peers_notes.md` did). For each workload and
//! scenario, every contender runs one timed batch per round (about
//! `PEERS_ROUND_MS` ms, default 3), the contenders taking turns in an order
//! that rotates every round, for `PEERS_ROUNDS` rounds (default 81). A
//! contender's result is its best round: drift and the other engineer's
//! builds on this shared 2-core machine slow every contender's rounds alike,
//! and the best round is the one least disturbed. The median round is written
//! too. Output: `target/peers/rounds.json` (or `PEERS_OUT`).

use std::env;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

mod peers_common;
use peers_common::{workloads, Scenario};

fn env_u64(name: &str, default: u64) -> u64 {
    env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let rounds = env_u64("PEERS_ROUNDS", 81) as usize;
    let round = Duration::from_millis(env_u64("PEERS_ROUND_MS", 3));
    // The workspace's target directory: a bench runs in its package's own
    // directory (`benches/`).
    let out = env::var("PEERS_OUT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/peers/rounds.json").into());
    // `peers_rounds [GROUP [CONTENDER[,CONTENDER...]]]`: groups containing
    // GROUP, and only the contenders named (for profiling one of them, or
    // comparing two).
    let mut args = env::args().skip(1).filter(|a| !a.starts_with("--"));
    let (filter, only) = (args.next(), args.next());

    let mut json = String::new();
    write!(json, "{{\"rounds\":{rounds},\"round_ms\":{},\"results\":[", round.as_millis()).unwrap();
    let mut first = true;
    for (workload, contenders) in workloads() {
        for scenario in Scenario::ALL {
            let group = format!("{workload}/{}", scenario.name());
            if filter.as_deref().is_some_and(|f| !group.contains(f)) {
                continue;
            }
            let started = Instant::now();
            let mut runners = Vec::new();
            for contender in &contenders {
                if only.as_deref().is_some_and(|names| !names.split(',').any(|name| name == contender.name)) {
                    continue;
                }
                if let Some(runner) = (contender.runner)(scenario) {
                    // Warm-up, then the batch size that takes about one round.
                    runner.run(2_000);
                    let probe = 2_000;
                    let took = runner.run(probe).as_secs_f64().max(1e-9);
                    let iters = ((round.as_secs_f64() / took) * probe as f64).clamp(100.0, 1e8) as u64;
                    runners.push((contender.name, runner, iters, Vec::with_capacity(rounds)));
                }
            }
            for r in 0..rounds {
                let n = runners.len();
                for k in 0..n {
                    let (_, runner, iters, times) = &mut runners[(r + k) % n];
                    let took = runner.run(*iters);
                    times.push(took.as_secs_f64() * 1e9 / *iters as f64);
                }
            }
            for (name, _, iters, times) in &mut runners {
                times.sort_by(f64::total_cmp);
                let best = times[0];
                let median = times[times.len() / 2];
                if !first {
                    json.push(',');
                }
                first = false;
                write!(
                    json,
                    "{{\"workload\":\"{workload}\",\"scenario\":\"{}\",\"contender\":\"{name}\",\"best_ns\":{best:.3},\"median_ns\":{median:.3},\"iters\":{iters},\"objects_per_iter\":{}}}",
                    scenario.name(),
                    scenario.objects_per_iter()
                )
                .unwrap();
                eprintln!("{group:<32} {name:<22} best {best:>10.2} ns  median {median:>10.2} ns");
            }
            drop(runners);
            eprintln!("{group}: {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    json.push_str("]}\n");
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("output directory");
    }
    std::fs::write(&out, json).expect("write results");
    eprintln!("wrote {out}");
}
