//! Instructions per cycle of every contender, single thread, for
//! `scripts/callgrind-peers.sh`.
//!
//! ```text
//! peers_callgrind <workload> <contender> <cycles>
//! ```
//!
//! Warms up, then runs `cycles` cycles inside `measured_cycles`, the one
//! function the script has callgrind collect (`--toggle-collect`). The loop
//! is `peers_common::cycles`, the same code `peers` and `peers_rounds` time.

use std::env;
use std::hint::black_box;
use std::process::ExitCode;

mod peers_common;
use peers_common::workloads;

const WARM_UP: u64 = 2_000;

#[inline(never)]
fn measured_cycles(single: &dyn Fn(u64), cycles: u64) {
    single(cycles);
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let [workload, contender, cycles] = args.as_slice() else {
        eprintln!("usage: peers_callgrind <workload> <contender> <cycles>");
        return ExitCode::FAILURE;
    };
    let Ok(cycles) = cycles.parse::<u64>() else {
        eprintln!("cycles: not a number");
        return ExitCode::FAILURE;
    };
    let all = workloads();
    let Some(entry) =
        all.iter().find(|(w, _)| w == workload).and_then(|(_, c)| c.iter().find(|e| e.name == contender))
    else {
        eprintln!("unknown workload or contender");
        return ExitCode::FAILURE;
    };
    (entry.single)(WARM_UP);
    measured_cycles(black_box(&*entry.single), black_box(cycles));
    ExitCode::SUCCESS
}
