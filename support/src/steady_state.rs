//! The steady-state figures the `nested` and `decode` benches print before
//! criterion's timings: allocations, bytes allocated and ns per operation,
//! in rounds that interleave the contenders (the machine is noisy, and a
//! contender run in one block can land in a slow stretch), the median round
//! of each. Counted process-wide by [`CountingAlloc`](crate::CountingAlloc),
//! which each user installs as its global allocator.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::counting::{ALLOCATIONS, BYTES};

/// Per operation.
#[derive(Clone, Copy, Debug)]
pub struct Figures {
    pub allocations: f64,
    pub bytes: f64,
    pub ns: f64,
}

/// The figures of `n` runs of `op`.
pub fn measure(n: usize, mut op: impl FnMut()) -> Figures {
    let (allocations, bytes) = (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed));
    let start = Instant::now();
    for _ in 0..n {
        op();
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    let per = |now: u64, before: u64| (now - before) as f64 / n as f64;
    Figures {
        allocations: per(ALLOCATIONS.load(Relaxed), allocations),
        bytes: per(BYTES.load(Relaxed), bytes),
        ns,
    }
}

/// A warm-up of `n / 5` operations per contender, then `rounds` rounds in
/// which each contender runs `n` operations in turn (`run(contender)` is
/// one); each contender's median round by time, in their order.
pub fn median_rounds<C>(contenders: &[C], rounds: usize, n: usize, mut run: impl FnMut(&C)) -> Vec<Figures> {
    for contender in contenders {
        measure(n / 5, || run(contender));
    }
    let mut all: Vec<Vec<Figures>> = vec![Vec::new(); contenders.len()];
    for _ in 0..rounds {
        for (figures, contender) in all.iter_mut().zip(contenders) {
            figures.push(measure(n, || run(contender)));
        }
    }
    all.into_iter()
        .map(|mut figures| {
            figures.sort_by(|a, b| a.ns.total_cmp(&b.ns));
            figures[rounds / 2]
        })
        .collect()
}
