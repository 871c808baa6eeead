//! Take-site tracking: which call sites hold guards, and for how long.
//!
//! Tracking is process-wide, so the tests of this binary run one at a time.

use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use poolable::diagnostics::{self, Outstanding};
use poolable::{Pool, PoolConfig, Poolable, Pooled};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Serialises the tests and leaves tracking on for the test's duration.
fn tracking() -> (MutexGuard<'static, ()>, impl Drop) {
    struct Off;
    impl Drop for Off {
        fn drop(&mut self) {
            diagnostics::track(false);
        }
    }
    let lock = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    diagnostics::track(true);
    (lock, Off)
}

#[derive(Poolable, Default)]
#[pool(name = "tracked_requests")]
struct Request {
    path: String,
}

fn leak<T: poolable::Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

fn site(out: &[Outstanding], line: u32) -> &Outstanding {
    out.iter().find(|o| o.line == line).unwrap_or_else(|| panic!("no guard out at line {line}: {out:?}"))
}

#[test]
fn guards_are_listed_by_call_site_until_they_drop() {
    let _on = tracking();
    let (first, first_line) = ((0..3).map(|_| Request::pooled()).collect::<Vec<_>>(), line!());
    let (second, second_line) = (Request::pooled(), line!());
    let out = Request::pool().outstanding();
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].guards, 3, "most guards first: {out:?}");
    let (at_first, at_second) = (site(&out, first_line), site(&out, second_line));
    assert_eq!((at_first.guards, at_second.guards), (3, 1));
    for entry in [at_first, at_second] {
        assert!(entry.file.ends_with("tests/diagnostics.rs"), "{entry:?}");
        assert_eq!(entry.pool, "tracked_requests");
    }
    assert!(at_first.oldest >= at_second.oldest, "{out:?}");
    assert!(diagnostics::outstanding().iter().any(|o| o.line == first_line));

    drop(first);
    let out = Request::pool().outstanding();
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].line, second_line);
    drop(second);
    assert!(Request::pool().outstanding().is_empty());
}

#[test]
fn a_guard_dropped_or_detached_on_another_thread_is_forgotten() {
    let _on = tracking();
    let pool = leak(Pool::with_config(String::new, PoolConfig::new("tracked_strings")));
    let (guards, line) = ((0..4).map(|_| pool.get()).collect::<Vec<Pooled<String>>>(), line!());
    assert_eq!(site(&pool.outstanding(), line).guards, 4);
    let mut guards = guards.into_iter();
    let detached = guards.next().unwrap();
    std::thread::spawn(move || {
        drop(guards);
        let _kept: String = Pooled::detach(detached);
    })
    .join()
    .unwrap();
    assert!(pool.outstanding().is_empty(), "{:?}", pool.outstanding());
}

#[test]
fn the_oldest_guard_ages() {
    let _on = tracking();
    let pool = leak(Pool::with_config(Vec::<u8>::new, PoolConfig::new("tracked_ages")));
    let old = pool.get();
    std::thread::sleep(Duration::from_millis(30));
    let young = pool.get();
    let out = pool.outstanding();
    assert_eq!(out.len(), 2);
    let ages: Vec<Duration> = out.iter().map(|o| o.oldest).collect();
    assert!(ages.iter().any(|age| *age >= Duration::from_millis(30)), "{out:?}");
    assert!(ages.iter().any(|age| *age < Duration::from_millis(30)), "{out:?}");
    drop((old, young));
}

#[test]
fn buffers_are_recorded_at_their_caller() {
    let _on = tracking();
    let (buffer, line) = (poolable::buffer(), line!());
    let out = diagnostics::outstanding();
    let entry = site(&out, line);
    assert_eq!(entry.pool, "buffer_4k");
    assert!(entry.file.ends_with("tests/diagnostics.rs"));
    drop(buffer);
    assert!(diagnostics::outstanding().iter().all(|o| o.line != line));
}

#[test]
fn turning_tracking_off_forgets_and_on_again_starts_afresh() {
    let _on = tracking();
    let pool = leak(Pool::with_config(String::new, PoolConfig::new("tracked_toggle")));
    let before = pool.get();
    assert_eq!(pool.outstanding().len(), 1);
    diagnostics::track(false);
    assert!(!diagnostics::is_tracking());
    assert!(pool.outstanding().is_empty(), "off lists nothing");
    let untracked = pool.get();
    diagnostics::track(true);
    assert!(pool.outstanding().is_empty(), "guards taken before are not listed");
    drop((before, untracked)); // returns of untracked guards are harmless
    let (after, line) = (pool.get(), line!());
    assert_eq!(site(&pool.outstanding(), line).guards, 1);
    drop(after);
    assert!(pool.outstanding().is_empty());
    let stats = pool.stats();
    assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use);
}

#[test]
fn guards_of_zero_sized_types_are_not_listed() {
    let _on = tracking();
    #[derive(Default)]
    struct Marker;
    impl poolable::Reset for Marker {
        fn reset(&mut self) {}
    }
    let pool = leak(Pool::with_config(Marker::default, PoolConfig::new("tracked_markers")));
    let held = (pool.get(), pool.get());
    assert!(pool.outstanding().is_empty(), "their boxes share one address: not told apart");
    drop(held);
    assert_eq!(pool.stats().in_use, 0);
}

#[test]
fn poolable_track_turns_tracking_on_from_the_start() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_tracks_from_the_start", "--ignored", "--test-threads=1"])
        .env("POOLABLE_TRACK", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success() && stdout.contains("1 passed"), "{stdout}");
}

#[test]
#[ignore = "run by poolable_track_turns_tracking_on_from_the_start with POOLABLE_TRACK=1"]
fn child_tracks_from_the_start() {
    static FIRST: Pool<String> = Pool::new(String::new);
    let (guard, line) = (FIRST.get(), line!());
    assert!(diagnostics::is_tracking());
    assert_eq!(site(&FIRST.outstanding(), line).guards, 1, "the very first take is recorded");
    drop(guard);
}
