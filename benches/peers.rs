//! Peer comparison (issue 6), criterion medians: every contender in one
//! group per workload and scenario, `peers/<workload>/<scenario>/<contender>`.
//!
//! `cargo bench --bench peers` (about 5 minutes; the contenders and
//! scenarios are in `benches/peers_common`). Times are per iteration: one
//! cycle (take, fill, give back) for `1-thread`; the wall time over both
//! threads' cycles divided by 2 for `2-threads` (aggregate throughput); one
//! object for `producer-consumer`; one burst of 64 takes and 64 returns for
//! `burst-64`. `scripts/bench-report.sh` reads the medians from
//! `target/criterion/peers_<workload>_<scenario>/<contender>/new/estimates.json`; the ratios come from
//! `peers_rounds` (interleaved rounds), which drift hits alike.
//!
//! Filter as usual: `cargo bench --bench peers -- request/1-thread`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

mod peers_common;
use peers_common::{workloads, Scenario};

fn peers(c: &mut Criterion) {
    for (workload, contenders) in workloads() {
        for scenario in Scenario::ALL {
            let mut group = c.benchmark_group(format!("peers_{workload}/{}", scenario.name()));
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(200))
                .measurement_time(Duration::from_millis(900))
                .sampling_mode(SamplingMode::Flat)
                .throughput(Throughput::Elements(scenario.objects_per_iter()));
            for contender in &contenders {
                // A contender that does not fit the scenario has no entry;
                // the report marks it "n/a".
                let Some(runner) = (contender.runner)(scenario) else { continue };
                runner.run(1_000); // off the clock: caches and objects exist
                group.bench_function(contender.name, |b| b.iter_custom(|iters| runner.run(iters)));
            }
            group.finish();
        }
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
