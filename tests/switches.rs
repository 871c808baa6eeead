//! The switches an operator turns: the kill switch and chaos, from the
//! configuration and from the environment (read once per process, so the
//! environment cases run this binary again as a child with the variable set).

use std::process::Command;

use poolable::{Pool, PoolConfig, PoolStats, Reset};

#[derive(Default, Debug, Reset)]
struct Request {
    path: String,
    id: u64,
}

fn leak<T: Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

fn assert_balanced(stats: PoolStats) {
    assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use, "{stats:?}");
    assert_eq!(stats.idle, stats.returns - stats.hits - stats.evictions, "{stats:?}");
}

/// Runs the ignored test `name` of this binary in a child process with
/// `vars` set; returns its stderr. Fails if the child fails.
fn run_child(name: &str, vars: &[(&str, &str)]) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"]);
    for (key, value) in vars {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{name} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{name} did not run:\n{stdout}");
    stderr
}

#[test]
fn a_switched_off_pool_creates_every_take_and_drops_every_return() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("switched_off").enabled(false)));
    let taken: Vec<_> = (0..5).map(|_| pool.get()).collect();
    drop(taken);
    for _ in 0..3 {
        let mut request = pool.get();
        request.path.push_str("/v1/config");
        drop(request);
    }
    let (stats, discards) = (pool.stats(), pool.discards());
    assert_eq!((stats.misses, stats.hits, stats.returns, stats.idle, stats.in_use), (8, 0, 0, 0, 0));
    assert_eq!((discards.disabled, discards.total()), (8, 8));
    assert_eq!((pool.local_idle(), pool.shared_idle()), (0, 0));
    assert_balanced(stats);
    // Detaching and trimming keep their meaning.
    let kept = poolable::Pooled::detach(pool.get());
    assert_eq!(kept.id, 0);
    assert_eq!(pool.discards().detached, 1);
    assert_balanced(pool.stats());
}

#[test]
fn chaos_drops_its_share_of_returns_and_no_others() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("chaotic").chaos(0.25)));
    for _ in 0..10_000 {
        drop(pool.get());
    }
    let (stats, discards) = (pool.stats(), pool.discards());
    assert!((2_000..=3_000).contains(&discards.chaos), "{discards:?}");
    assert_eq!(discards.total(), discards.chaos, "{discards:?}");
    assert_eq!(stats.returns + discards.chaos, 10_000);
    assert_balanced(stats);
    // The survivors are reused: every object made was dropped or is idle.
    assert_eq!(stats.misses, discards.chaos + stats.idle, "{stats:?}");
}

#[test]
fn chaos_at_zero_and_one() {
    let never = leak(Pool::with_config(Request::default, PoolConfig::new("never").chaos(0.0)));
    let always = leak(Pool::with_config(Request::default, PoolConfig::new("always").chaos(1.0)));
    for _ in 0..1_000 {
        drop(never.get());
        drop(always.get());
    }
    assert_eq!((never.discards().chaos, never.stats().misses), (0, 1));
    assert_eq!((always.discards().chaos, always.stats().hits), (1_000, 0));
    assert_eq!(PoolConfig::new("x").chaos(0.25).get_chaos(), Some(0.25));
    assert_eq!(PoolConfig::new("x").get_chaos(), None);
}

#[test]
#[should_panic(expected = "PoolConfig::chaos takes a fraction within 0.0..=1.0")]
fn chaos_rejects_a_fraction_above_one() {
    let _ = PoolConfig::new("x").chaos(1.5);
}

#[test]
#[should_panic(expected = "PoolConfig::chaos takes a fraction within 0.0..=1.0")]
fn chaos_rejects_nan() {
    let _ = PoolConfig::new("x").chaos(f64::NAN);
}

#[test]
fn poolable_disable_turns_every_pool_off() {
    run_child("child_sees_every_pool_off", &[("POOLABLE_DISABLE", "1")]);
}

#[test]
#[ignore = "run by poolable_disable_turns_every_pool_off with POOLABLE_DISABLE=1"]
fn child_sees_every_pool_off() {
    static STATIC: Pool<String> = Pool::new(String::new);
    let built = leak(Pool::with_config(Request::default, PoolConfig::new("on_by_config").enabled(true)));
    for _ in 0..10 {
        drop(STATIC.get());
        drop(built.get());
        drop(poolable::buffer());
    }
    assert_eq!((STATIC.stats().hits, STATIC.discards().disabled), (0, 10));
    assert_eq!((built.stats().misses, built.discards().disabled), (10, 10));
    let buffers = poolable::PooledBuffer::class_discards(4096).unwrap();
    assert_eq!(buffers.disabled, 10);
}

#[test]
fn poolable_chaos_sets_the_share_for_pools_without_their_own() {
    run_child("child_sees_chaos_everywhere", &[("POOLABLE_CHAOS", "0.5")]);
}

#[test]
#[ignore = "run by poolable_chaos_sets_the_share_for_pools_without_their_own with POOLABLE_CHAOS=0.5"]
fn child_sees_chaos_everywhere() {
    let default = leak(Pool::with_config(Request::default, PoolConfig::new("env_chaos")));
    let own = leak(Pool::with_config(Request::default, PoolConfig::new("own_chaos").chaos(0.0)));
    for _ in 0..4_000 {
        drop(default.get());
        drop(own.get());
    }
    let chaos = default.discards().chaos;
    assert!((1_700..=2_300).contains(&chaos), "{chaos}");
    assert_eq!(own.discards().chaos, 0, "a pool's own setting wins");
}

#[test]
fn nonsense_in_the_environment_is_ignored_with_a_warning() {
    let stderr =
        run_child("child_sees_no_switch", &[("POOLABLE_DISABLE", "maybe"), ("POOLABLE_CHAOS", "a quarter")]);
    assert!(stderr.contains("poolable: ignoring POOLABLE_DISABLE=\"maybe\""), "{stderr}");
    assert!(stderr.contains("poolable: ignoring POOLABLE_CHAOS=\"a quarter\""), "{stderr}");
    assert_eq!(stderr.matches("poolable: ignoring").count(), 2, "each once: {stderr}");
}

#[test]
#[ignore = "run by nonsense_in_the_environment_is_ignored_with_a_warning"]
fn child_sees_no_switch() {
    let pool = leak(Pool::with_config(Request::default, PoolConfig::new("unswitched")));
    for _ in 0..100 {
        drop(pool.get());
    }
    assert_eq!((pool.stats().hits, pool.discards().total()), (99, 0));
    let other = leak(Pool::with_config(Request::default, PoolConfig::new("unswitched_2")));
    drop(other.get());
}
