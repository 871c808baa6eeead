//! Instruction counts of the engine workload, for `scripts/callgrind-engine.sh`.
//!
//! ```text
//! callgrind_engine <derived|generic|restoring|pool|floor|box> <cycles>
//! ```
//!
//! (or `ENGINE_CONTENDER` / `ENGINE_CYCLES`). Runs a warm-up, then `cycles`
//! cycles inside `measured_cycles`, the one function the script has callgrind
//! collect (`--toggle-collect`), so setup, warm-up and exit are not counted.

use std::env;
use std::hint::black_box;
use std::process::ExitCode;

mod workload;
use workload::Contender;

/// Cycles run before measuring: the first takes miss, fill the caches and
/// grow the bodies; what follows is the steady state.
const WARM_UP: u64 = 1_000;

/// The measured region. Not inlined, so callgrind can toggle on its name. The
/// loop itself is `workload::run_<contender>`, the same code `engine` times.
#[inline(never)]
fn measured_cycles(contender: Contender, cycles: u64) {
    contender.run(cycles);
}

fn main() -> ExitCode {
    // `cargo bench` appends `--bench`; skip flags.
    let mut args = env::args().skip(1).filter(|a| !a.starts_with("--"));
    let name = args.next().or_else(|| env::var("ENGINE_CONTENDER").ok());
    let cycles = args.next().or_else(|| env::var("ENGINE_CYCLES").ok());
    let Some(contender) = name.as_deref().and_then(Contender::parse) else {
        eprintln!("usage: callgrind_engine <derived|generic|restoring|pool|floor|box> <cycles>");
        return ExitCode::FAILURE;
    };
    let cycles: u64 = match cycles.as_deref().map(str::parse) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("cycles: {e}");
            return ExitCode::FAILURE;
        }
    };
    contender.run(WARM_UP);
    measured_cycles(black_box(contender), black_box(cycles));
    println!("{} {cycles}", contender.name());
    ExitCode::SUCCESS
}
