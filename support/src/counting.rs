//! The counting global allocator of every test, bench and catalog binary that
//! counts allocations: `#[global_allocator] static GLOBAL: CountingAlloc =
//! CountingAlloc(System);` (or over another allocator, as the allocator
//! matrix does).
//!
//! It forwards every call to the allocator it wraps and counts allocations
//! (a reallocation counts as one, of its new size) per thread, for
//! [`on_this_thread`] and [`thread_counts`] (tests that run in parallel count
//! their own thread's only), and process-wide, in [`ALLOCATIONS`] and
//! [`BYTES`] (a server's tasks hop threads). [`count`] chooses which: a
//! timed run that compares two workloads counts per thread only, so that
//! threads do not contend on one counter, which would slow the
//! allocation-heavy workload more than the other; a timed run of one
//! allocator counts nothing, so that it measures that allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};

/// The allocator `A` (the system's by default), counting.
pub struct CountingAlloc<A = System>(pub A);

/// Allocations made by the process so far (while [`Counts::Everywhere`]).
pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated by the process so far (while [`Counts::Everywhere`]).
pub static BYTES: AtomicU64 = AtomicU64::new(0);

/// What the allocator counts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Counts {
    /// Nothing: one relaxed load and a predicted branch per call.
    Nothing,
    /// Each thread its own allocations and bytes, uncontended.
    PerThread,
    /// Per thread and process-wide (the start-up setting).
    Everywhere,
}

static COUNTS: AtomicU8 = AtomicU8::new(Counts::Everywhere as u8);

/// From now on, count `what`.
pub fn count(what: Counts) {
    COUNTS.store(what as u8, Relaxed);
}

thread_local! {
    /// This thread's (allocations, bytes). `const`-initialised and without
    /// `Drop`: reading it never allocates nor registers a destructor.
    static THREAD: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

#[inline]
fn record(bytes: usize) {
    let what = COUNTS.load(Relaxed);
    if what == Counts::Nothing as u8 {
        return;
    }
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = THREAD.try_with(|counts| {
        let (allocations, total) = counts.get();
        counts.set((allocations + 1, total + bytes as u64));
    });
    if what == Counts::Everywhere as u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        BYTES.fetch_add(bytes as u64, Relaxed);
    }
}

/// The calling thread's (allocations, bytes allocated) so far.
///
/// Panics if nothing is being counted (`count(Counts::Nothing)`), or on a
/// thread whose counts are gone (its exit under way): a zero there would be
/// no measurement, and every "allocates nothing" check would pass.
pub fn thread_counts() -> (u64, u64) {
    assert_ne!(COUNTS.load(Relaxed), Counts::Nothing as u8, "allocations are not being counted");
    THREAD.try_with(Cell::get).expect("the calling thread's counts (read during its exit?)")
}

/// Allocations the calling thread has made so far (for counting across
/// `.await`s on a current-thread runtime, where a closure cannot reach).
pub fn thread_allocations() -> u64 {
    thread_counts().0
}

/// Allocations `f` makes on the calling thread.
pub fn on_this_thread(f: impl FnOnce()) -> u64 {
    let before = thread_allocations();
    f();
    thread_allocations() - before
}

// SAFETY: every method passes its arguments unchanged to `A`, which upholds
// `GlobalAlloc`'s contract, and returns what `A` returns; the only other
// thing it does is `record`, which neither allocates nor unwinds.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: our caller upholds `alloc`'s contract, which is `A::alloc`'s.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as `alloc`.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `A` (through us) with `layout`.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: `ptr` was allocated by `A` (through us) with `layout`, and
        // our caller upholds `realloc`'s contract for `new_size`.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}
