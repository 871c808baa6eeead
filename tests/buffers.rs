//! Pooled byte buffers: size classes, routing, the retention policy, `Write`.
//!
//! The classes are process-wide, so the tests of this file take turns (one
//! lock) and each starts from empty classes on its own thread.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};

use poolable::{buffer, buffer_with_capacity, Discards, PoolStats, PooledBuffer};

const K: usize = 1024;

/// Holds the turn; counters are read relative to the start of the test.
struct Serial {
    _guard: MutexGuard<'static, ()>,
    stats: Vec<PoolStats>,
    discards: Vec<Discards>,
}

/// Empties the classes again before the lock is released: this thread's cache
/// would otherwise go back to the shared store when the test's thread exits,
/// which may be after the next test's `serial()` cleared the classes, handing
/// that test buffers with another test's strikes.
impl Drop for Serial {
    fn drop(&mut self) {
        PooledBuffer::clear_classes();
    }
}

fn serial() -> Serial {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    PooledBuffer::clear_classes();
    Serial {
        _guard: guard,
        stats: PooledBuffer::CLASS_SIZES.iter().map(|&c| PooledBuffer::class_stats(c).unwrap()).collect(),
        discards: PooledBuffer::CLASS_SIZES
            .iter()
            .map(|&c| PooledBuffer::class_discards(c).unwrap())
            .collect(),
    }
}

fn index(class: usize) -> usize {
    PooledBuffer::CLASS_SIZES.iter().position(|&c| c == class).expect("a class size")
}

impl Serial {
    /// The class's counters since the test started (`idle`, `in_use`: now).
    fn stats(&self, class: usize) -> PoolStats {
        let (now, then) = (PooledBuffer::class_stats(class).unwrap(), self.stats[index(class)]);
        PoolStats {
            hits: now.hits - then.hits,
            misses: now.misses - then.misses,
            returns: now.returns - then.returns,
            discards: now.discards - then.discards,
            evictions: now.evictions - then.evictions,
            ..now
        }
    }

    fn discards(&self, class: usize) -> Discards {
        let (now, then) = (PooledBuffer::class_discards(class).unwrap(), self.discards[index(class)]);
        Discards {
            full: now.full - then.full,
            oversized: now.oversized - then.oversized,
            panic: now.panic - then.panic,
            detached: now.detached - then.detached,
            disabled: now.disabled - then.disabled,
            chaos: now.chaos - then.chaos,
        }
    }
}

fn assert_invariants() {
    for class in PooledBuffer::CLASS_SIZES {
        let s = PooledBuffer::class_stats(class).unwrap();
        assert_eq!(s.hits + s.misses, s.returns + s.discards + s.in_use, "class {class}: {s:?}");
        assert_eq!(s.idle, s.returns - s.hits - s.evictions, "class {class}: {s:?}");
    }
}

#[test]
fn classes_are_powers_of_two_up_to_the_cap() {
    assert_eq!(PooledBuffer::CLASS_SIZES, [4 * K, 8 * K, 16 * K, 32 * K, 64 * K]);
    assert_eq!(PooledBuffer::MAX_POOLED_CAPACITY, 64 * K);
    assert!(PooledBuffer::class_stats(5000).is_none());
}

#[test]
fn each_class_is_its_own_labelled_pool() {
    let _t = serial();
    for class in PooledBuffer::CLASS_SIZES {
        drop(buffer_with_capacity(class));
    }
    let names: Vec<String> = poolable::pools().into_iter().map(|p| p.name).collect();
    for label in ["buffer_4k", "buffer_8k", "buffer_16k", "buffer_32k", "buffer_64k"] {
        assert_eq!(names.iter().filter(|n| *n == label).count(), 1, "{label} in {names:?}");
    }
}

#[test]
fn buffer_is_4k_and_writes_like_a_vec() {
    let t = serial();
    let mut out = buffer();
    assert!(out.is_empty() && out.capacity() >= 4 * K);
    assert_eq!(out.class_size(), Some(4 * K));
    write!(out, "{{\"id\":{}}}", 42).unwrap();
    out.write_all(b"\n").unwrap();
    out.flush().unwrap();
    out.push(b'!'); // DerefMut to Vec<u8>
    assert_eq!(&out[..], b"{\"id\":42}\n!");
    assert_eq!(out.as_ref(), b"{\"id\":42}\n!");
    drop(out);

    let again = buffer();
    assert!(again.is_empty(), "reset on return");
    drop(again);
    let s = t.stats(4 * K);
    assert_eq!((s.misses, s.hits, s.returns, s.idle), (1, 1, 2, 1));
}

#[test]
fn requests_take_the_smallest_class_that_fits() {
    let _t = serial();
    for (n, class) in [(0, 4 * K), (4 * K, 4 * K), (4 * K + 1, 8 * K), (10_000, 16 * K), (40 * K, 64 * K)] {
        let b = buffer_with_capacity(n);
        assert_eq!(b.class_size(), Some(class), "request {n}");
        assert!(b.capacity() >= n);
    }
    assert_invariants();
}

#[test]
fn above_the_cap_is_a_plain_allocation_no_class_counts() {
    let t = serial();
    let before: Vec<PoolStats> = PooledBuffer::CLASS_SIZES.iter().map(|&c| t.stats(c)).collect();
    let mut big = buffer_with_capacity(64 * K + 1);
    assert_eq!(big.class_size(), None);
    assert!(big.capacity() > 64 * K);
    big.extend_from_slice(&[1; 100]);
    drop(big);
    let after: Vec<PoolStats> = PooledBuffer::CLASS_SIZES.iter().map(|&c| t.stats(c)).collect();
    assert_eq!(before, after);
}

#[test]
fn small_buffers_are_always_kept() {
    let t = serial();
    let first = buffer();
    let address = first.as_ptr();
    drop(first);
    for _ in 0..10 {
        let b = buffer(); // unused: 0 % of 4 KiB
        assert_eq!(b.as_ptr(), address, "the same buffer comes back");
        assert_eq!(b.strikes(), 0);
    }
    let s = t.stats(4 * K);
    assert_eq!((s.misses, s.returns, s.discards), (1, 11, 0));
}

#[test]
fn under_use_strikes_four_times_then_drops() {
    let t = serial();
    let b = buffer_with_capacity(16 * K);
    let address = b.as_ptr();
    drop(b); // unused: strike 1
    for strikes in 1..=4 {
        let mut b = buffer_with_capacity(16 * K);
        assert_eq!((b.as_ptr(), b.strikes()), (address, strikes));
        b.extend_from_slice(&[0; 100]); // under a quarter
        drop(b); // strikes 2, 3, 4, then dropped
    }
    let s = t.stats(16 * K);
    assert_eq!((s.misses, s.hits, s.returns, s.discards, s.idle), (1, 4, 4, 1, 0));
    assert_eq!(t.discards(16 * K).oversized, 1);
    assert_invariants();
}

#[test]
fn a_quarter_used_is_kept_and_clears_the_strikes() {
    let t = serial();
    drop(buffer_with_capacity(16 * K)); // strike 1
    drop(buffer_with_capacity(16 * K)); // strike 2
    let mut b = buffer_with_capacity(16 * K);
    assert_eq!(b.strikes(), 2);
    b.extend_from_slice(&[7; 4 * K]); // exactly 25 %
    drop(b);
    let b = buffer_with_capacity(16 * K);
    assert_eq!(b.strikes(), 0);
    drop(b);
    assert_eq!(t.stats(16 * K).discards, 0);
}

#[test]
fn a_grown_buffer_goes_back_to_the_class_it_now_fits() {
    let t = serial();
    let mut b = buffer();
    for _ in 0..12 {
        b.write_all(&[b'x'; K]).unwrap(); // Vec growth: 4 -> 8 -> 16 KiB
    }
    let (address, capacity) = (b.as_ptr(), b.capacity());
    assert!((16 * K..32 * K).contains(&capacity), "capacity {capacity}");
    drop(b);

    let (small, grown) = (t.stats(4 * K), t.stats(16 * K));
    assert_eq!((small.misses, small.returns, small.discards), (1, 0, 1));
    assert_eq!(t.discards(4 * K).oversized, 1, "left its class");
    assert_eq!((grown.misses, grown.returns, grown.idle), (1, 1, 1), "adopted: a miss and a return");

    let reused = buffer_with_capacity(16 * K);
    assert_eq!(reused.as_ptr(), address);
    assert_eq!(reused.class_size(), Some(16 * K));
    drop(reused);
    assert_invariants();
}

#[test]
fn a_buffer_grown_above_the_cap_is_dropped() {
    let t = serial();
    let mut b = buffer_with_capacity(64 * K);
    b.extend_from_slice(&vec![1; 64 * K + 1]);
    drop(b);
    let s = t.stats(64 * K);
    assert_eq!((s.misses, s.returns, s.discards), (1, 0, 1));
    assert_eq!(t.discards(64 * K).oversized, 1);
    assert_invariants();
}

#[test]
fn replaced_storage_and_detach_are_detached_discards() {
    let t = serial();
    let mut b = buffer();
    *b = Vec::new(); // storage replaced through DerefMut
    drop(b);
    let kept: Vec<u8> = PooledBuffer::detach({
        let mut b = buffer();
        b.extend_from_slice(b"mine");
        b
    });
    assert_eq!(kept, b"mine");
    let s = t.stats(4 * K);
    assert_eq!((s.misses, s.discards, s.returns), (2, 2, 0));
    assert_eq!(t.discards(4 * K).detached, 2);
    assert_invariants();
}

#[test]
fn buffers_dropped_while_their_thread_panics_are_dropped_not_kept() {
    let t = serial();
    let outcome = std::panic::catch_unwind(|| {
        let mut used = buffer();
        used.extend_from_slice(b"half an answer");
        let mut grown = buffer();
        grown.extend_from_slice(&[b'x'; 5 * K]); // grew into the 8 KiB class
        panic!("the handler failed");
    });
    assert!(outcome.is_err());
    let (small, grown) = (t.stats(4 * K), t.stats(8 * K));
    assert_eq!(t.discards(4 * K).panic, 1, "the buffer in use: {small:?}");
    assert_eq!((small.returns, small.idle), (0, 0), "nothing kept: {small:?}");
    assert_eq!(t.discards(4 * K).oversized, 1, "the grown one left its class");
    assert_eq!((grown.returns, grown.discards, grown.idle), (0, 1, 0), "and was not kept: {grown:?}");
    assert_eq!(t.discards(8 * K).panic, 1);
    assert_invariants();
}

#[test]
fn a_buffer_may_be_dropped_on_another_thread() {
    let t = serial();
    let mut b = buffer_with_capacity(8 * K);
    b.extend_from_slice(&[3; 5 * K]);
    std::thread::spawn(move || drop(b)).join().unwrap();
    let s = t.stats(8 * K);
    assert_eq!((s.misses, s.returns, s.idle), (1, 1, 1));
}

#[test]
fn debug_shows_the_state() {
    let _t = serial();
    let text = format!("{:?}", buffer());
    assert!(text.starts_with("PooledBuffer { len: 0, capacity: 4096, class_size: Some(4096)"), "{text}");
}

#[test]
fn trim_classes_drops_the_buffers_idle_since_the_previous_trim() {
    let t = serial();
    // Returned on threads that exit: their caches drain into the classes'
    // shared stores, which is what a trim reaches.
    for class in [4 * K, 16 * K] {
        std::thread::spawn(move || drop(buffer_with_capacity(class))).join().unwrap();
    }
    PooledBuffer::trim_classes(); // idle for less than a period: kept
    assert_eq!((t.stats(4 * K).idle, t.stats(16 * K).idle), (1, 1));

    // Taken (a hit) and returned since: kept again; the other is not.
    std::thread::spawn(|| drop(buffer_with_capacity(16 * K))).join().unwrap();
    PooledBuffer::trim_classes();
    let (small, large) = (t.stats(4 * K), t.stats(16 * K));
    assert_eq!((small.idle, small.evictions), (0, 1));
    assert_eq!((large.hits, large.idle, large.evictions), (1, 1, 0));

    // Nothing taken since: every class is trimmed, the 16 KiB one too.
    PooledBuffer::trim_classes();
    assert_eq!((t.stats(16 * K).idle, t.stats(16 * K).evictions), (0, 1));
    assert_invariants();
}
