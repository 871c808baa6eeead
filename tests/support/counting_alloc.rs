//! The counting global allocator of the test and bench binaries that count
//! allocations (each includes this file with `#[path]` and installs
//! [`Counting`] as its `#[global_allocator]`).
//!
//! It forwards every call to the system allocator and counts allocations
//! (a reallocation counts as one, of its new size) process-wide, in
//! [`ALLOCATIONS`] and [`BYTES`], and per thread, for [`on_this_thread`]:
//! tests that run in parallel count their own thread's only.

#![allow(dead_code)] // each binary uses part

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The allocator.
pub struct Counting;

/// Allocations made by the process so far.
pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated by the process so far.
pub static BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's allocations. `const`-initialised and without `Drop`:
    /// reading it never allocates nor registers a destructor.
    static THREAD: Cell<u64> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    ALLOCATIONS.fetch_add(1, Relaxed);
    BYTES.fetch_add(bytes as u64, Relaxed);
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = THREAD.try_with(|count| count.set(count.get() + 1));
}

/// Allocations the calling thread has made so far (for counting across
/// `.await`s on a current-thread runtime, where a closure cannot reach).
pub fn thread_allocations() -> u64 {
    THREAD.with(Cell::get)
}

/// Allocations `f` makes on the calling thread.
pub fn on_this_thread(f: impl FnOnce()) -> u64 {
    let before = THREAD.with(Cell::get);
    f();
    THREAD.with(Cell::get) - before
}

// SAFETY: every method forwards its arguments unchanged to the system
// allocator, which upholds `GlobalAlloc`'s contract; the only other thing it
// does is `count`, which neither allocates nor unwinds.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
