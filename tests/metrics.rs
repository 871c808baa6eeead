//! `poolable::metrics`: the Prometheus collector, gathered from a real
//! `prometheus::Registry` and read back from its text exposition, and
//! `snapshot()`.
//!
//! Every test uses pools with labels of its own: all pools of this process
//! are in the one global registry, and the tests run in parallel.

use poolable::{metrics, Discards, Pool, PoolConfig, Reset};

fn leak<T: Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

/// An object whose reset panics on demand, to count `panic` discards.
#[derive(Default)]
struct Item {
    data: Vec<u8>,
    panic_on_reset: bool,
}

impl Reset for Item {
    fn reset(&mut self) {
        if std::mem::take(&mut self.panic_on_reset) {
            panic!("reset panics (on purpose)");
        }
        self.data.reset();
    }
    fn retained_bytes(&self) -> usize {
        self.data.retained_bytes()
    }
}

/// Every kind of event, on a pool of its own.
fn exercise(pool: &'static Pool<Item>) {
    let a = pool.get(); // miss
    let b = pool.get(); // miss
    drop(a); // return
    drop(b); // return
    drop(pool.get()); // hit, return
    let mut big = pool.get();
    big.data.reserve(1024);
    drop(big); // oversized
    let mut boom = pool.get();
    boom.panic_on_reset = true;
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(boom))).is_err()); // panic
    let kept = poolable::Pooled::detach(pool.get()); // detached
    drop(kept);
    let held: Vec<_> = (0..6).map(|_| pool.get()).collect();
    drop(held); // some returned, the rest full
    pool.clear(); // evictions
    let _out = std::mem::ManuallyDrop::new(pool.get()); // miss; in use 1, never returned
    drop(pool.get()); // miss, return: idle 1
}

fn item_pool(name: &'static str) -> &'static Pool<Item> {
    leak(Pool::with_config(
        Item::default,
        PoolConfig::new(name).max_idle(2).cache_size(0).max_retained_bytes(256),
    ))
}

#[test]
fn snapshot_lists_each_pool_with_its_stats() {
    let pool = item_pool("m_snapshot");
    exercise(pool);
    let all = metrics::snapshot();
    let entry = all.iter().find(|p| p.name == "m_snapshot").expect("the pool is listed");
    assert_eq!(entry.stats, pool.stats());
    assert_eq!(entry.discards, pool.discards());
    let Discards { full, oversized, panic, detached, .. } = entry.discards;
    assert!(full > 0 && oversized == 1 && panic == 1 && detached == 1, "{:?}", entry.discards);
    assert!(entry.stats.evictions > 0 && entry.stats.idle == 1 && entry.stats.in_use == 1);
}

#[cfg(feature = "serde")]
#[test]
fn snapshot_serializes() {
    let pool = item_pool("m_serde");
    exercise(pool);
    let entry = metrics::snapshot().into_iter().find(|p| p.name == "m_serde").unwrap();
    let json = serde_json::to_value(&entry).unwrap();
    let stats = pool.stats();
    assert_eq!(json["name"], "m_serde");
    assert_eq!(json["stats"]["hits"], stats.hits);
    assert_eq!(json["stats"]["in_use"], 1);
    assert_eq!(json["discards"]["detached"], 1);
    let stats: poolable::PoolStats = stats;
    assert_eq!(serde_json::to_value(stats).unwrap()["misses"], stats.misses);
}

#[cfg(feature = "prometheus")]
use poolable_test_support::exposition;

#[cfg(feature = "prometheus")]
mod prometheus_export {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::thread;

    use poolable::PoolStats;

    use poolable::metrics::prometheus::{Encoder, Error, Registry, TextEncoder};

    use super::exposition::{parse, Exposition};
    use super::*;

    fn scrape(registry: &Registry) -> Exposition {
        let mut text = Vec::new();
        TextEncoder::new().encode(&registry.gather(), &mut text).unwrap();
        parse(&String::from_utf8(text).unwrap())
    }

    const FAMILIES: [(&str, &str); 8] = [
        ("pool_hits_total", "counter"),
        ("pool_misses_total", "counter"),
        ("pool_returns_total", "counter"),
        ("pool_discards_total", "counter"),
        ("pool_evictions_total", "counter"),
        ("pool_idle_objects", "gauge"),
        ("pool_in_use_objects", "gauge"),
        ("pool_idle_bytes", "gauge"),
    ];

    /// What the exposition must say for a label whose pools add up to `stats`.
    fn expected(
        prefix: &str,
        stats: PoolStats,
        discards: Discards,
        idle_bytes: u64,
    ) -> BTreeMap<String, f64> {
        let n = |name: &str| format!("{prefix}{name}");
        [
            (n("pool_hits_total"), stats.hits),
            (n("pool_misses_total"), stats.misses),
            (n("pool_returns_total"), stats.returns),
            (n("pool_discards_total/full"), discards.full),
            (n("pool_discards_total/oversized"), discards.oversized),
            (n("pool_discards_total/panic"), discards.panic),
            (n("pool_discards_total/detached"), discards.detached),
            (n("pool_discards_total/disabled"), discards.disabled),
            (n("pool_discards_total/chaos"), discards.chaos),
            (n("pool_evictions_total"), stats.evictions),
            (n("pool_idle_objects"), stats.idle),
            (n("pool_in_use_objects"), stats.in_use),
            (n("pool_idle_bytes"), idle_bytes),
        ]
        .into_iter()
        .map(|(k, v)| (k, v as f64))
        .collect()
    }

    fn registry() -> Registry {
        let registry = Registry::new();
        metrics::register(&registry).unwrap();
        registry
    }

    #[test]
    fn names_labels_help_and_values_match_stats() {
        let registry = registry();
        let pool = item_pool("m_values");
        exercise(pool);
        let scraped = scrape(&registry);
        for (name, kind) in FAMILIES {
            assert_eq!(scraped.types.get(name).map(String::as_str), Some(kind), "{name}");
            assert!(scraped.help.get(name).is_some_and(|h| h.len() > 20), "{name} has HELP");
        }
        assert_eq!(
            scraped.of_pool("m_values"),
            expected("", pool.stats(), pool.discards(), pool.idle_bytes())
        );
        // Every discard reason has a series, even at zero, and the split adds up.
        let stats = pool.stats();
        let by_reason: f64 = poolable::Discards::REASONS
            .iter()
            .map(|r| scraped.value("pool_discards_total", &[("pool", "m_values"), ("reason", r)]).unwrap())
            .sum();
        assert_eq!(by_reason, stats.discards as f64);
        assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use);
        // Every sample carries a pool label.
        assert!(scraped.samples.keys().all(|(_, labels)| labels.iter().any(|(k, _)| k == "pool")));
    }

    #[test]
    fn label_values_are_escaped() {
        let registry = registry();
        let pool: &'static Pool<Vec<u8>> =
            leak(Pool::with_config(Vec::new, PoolConfig::named("m_\"quoted\"\\path\nline")));
        drop(pool.get());
        let scraped = scrape(&registry);
        assert_eq!(scraped.value("pool_misses_total", &[("pool", "m_\"quoted\"\\path\nline")]), Some(1.0));
    }

    #[test]
    fn counters_are_monotonic_across_clear_trim_and_thread_exit() {
        let registry = registry();
        let pool = item_pool("m_monotonic");
        let counters = |e: &Exposition| {
            let mut of_pool = e.of_pool("m_monotonic");
            of_pool.retain(|name, _| name.contains("_total"));
            of_pool
        };
        exercise(pool);
        let mut before = counters(&scrape(&registry));
        type Step<'a> = (&'a str, Box<dyn Fn()>);
        let steps: [Step; 4] = [
            ("clear", Box::new(|| pool.clear())),
            ("trim", Box::new(|| pool.trim())),
            ("trim", Box::new(|| pool.trim())),
            (
                "thread exit",
                Box::new(|| {
                    thread::spawn(|| {
                        let held: Vec<_> = (0..4).map(|_| pool.get()).collect();
                        drop(held);
                    })
                    .join()
                    .unwrap()
                }),
            ),
        ];
        for (step, run) in steps {
            run();
            let after = counters(&scrape(&registry));
            for (name, value) in &after {
                assert!(*value >= before[name], "{name} went down after {step}: {} -> {value}", before[name]);
            }
            before = after;
        }
        assert_eq!(
            scrape(&registry).of_pool("m_monotonic"),
            expected("", pool.stats(), pool.discards(), pool.idle_bytes())
        );
    }

    #[test]
    fn pools_first_used_after_registration_appear() {
        let registry = registry();
        let pool: &'static Pool<String> = leak(Pool::with_config(String::new, PoolConfig::new("m_late")));
        assert!(scrape(&registry).of_pool("m_late").is_empty(), "not used yet");
        drop(pool.get());
        let scraped = scrape(&registry);
        assert_eq!(scraped.value("pool_misses_total", &[("pool", "m_late")]), Some(1.0));
        assert_eq!(scraped.value("pool_idle_objects", &[("pool", "m_late")]), Some(1.0));
    }

    #[test]
    fn namespace_prefixes_every_name() {
        let registry = Registry::new();
        metrics::register_with_namespace(&registry, "bingsan").unwrap();
        let pool = item_pool("m_namespaced");
        exercise(pool);
        let scraped = scrape(&registry);
        assert!(scraped.samples.keys().all(|(name, _)| name.starts_with("bingsan_pool_")));
        for (name, kind) in FAMILIES {
            assert_eq!(scraped.types.get(&format!("bingsan_{name}")).map(String::as_str), Some(kind));
        }
        assert_eq!(
            scraped.of_pool("m_namespaced"),
            expected("bingsan_", pool.stats(), pool.discards(), pool.idle_bytes())
        );

        // Both in one registry: two namespaces are two sets of names.
        metrics::register(&registry).unwrap();
        let both = scrape(&registry);
        assert_eq!(
            both.value("pool_hits_total", &[("pool", "m_namespaced")]),
            Some(pool.stats().hits as f64)
        );
        assert!(metrics::register_with_namespace(&registry, "bad-namespace").is_err());
    }

    #[test]
    fn registering_twice_is_an_error_not_a_panic() {
        let registry = registry();
        assert!(matches!(metrics::register(&registry), Err(Error::AlreadyReg)));
        metrics::register_with_namespace(&registry, "ns").unwrap();
        assert!(matches!(metrics::register_with_namespace(&registry, "ns"), Err(Error::AlreadyReg)));
        // A second registry is independent.
        metrics::register(&Registry::new()).unwrap();
        // The registry still scrapes.
        drop(item_pool("m_twice").get());
        assert_eq!(scrape(&registry).value("pool_misses_total", &[("pool", "m_twice")]), Some(1.0));
    }

    /// Two structs named `Request` in different modules, each with its own
    /// pool labelled `Request` (what the derive does by default).
    mod v1 {
        #[derive(Default)]
        pub struct Request {
            pub path: String,
        }
        impl poolable::Reset for Request {
            fn reset(&mut self) {
                self.path.clear();
            }
        }
        pub static POOL: poolable::Pool<Request> =
            poolable::Pool::with_config(Request::default, poolable::PoolConfig::new("m_Request"));
    }
    mod v2 {
        #[derive(Default)]
        pub struct Request {
            pub body: Vec<u8>,
        }
        impl poolable::Reset for Request {
            fn reset(&mut self) {
                self.body.clear();
            }
        }
        pub static POOL: poolable::Pool<Request> =
            poolable::Pool::with_config(Request::default, poolable::PoolConfig::new("m_Request"));
    }

    #[test]
    fn pools_with_the_same_label_are_summed_into_one_series() {
        let registry = registry();
        drop(v1::POOL.get());
        drop(v1::POOL.get());
        let held = (v2::POOL.get(), v2::POOL.get(), v2::POOL.get());
        drop(held.0);
        poolable::Pooled::detach(held.1);

        // `parse` panics on two series with the same labels.
        let scraped = scrape(&registry);
        let (s1, s2) = (v1::POOL.stats(), v2::POOL.stats());
        let (d1, d2) = (v1::POOL.discards(), v2::POOL.discards());
        let mut sum = (s1, d1);
        add(&mut sum, s2, d2);
        let idle_bytes = v1::POOL.idle_bytes() + v2::POOL.idle_bytes();
        assert_eq!(scraped.of_pool("m_Request"), expected("", sum.0, sum.1, idle_bytes));
        assert_eq!(scraped.value("pool_misses_total", &[("pool", "m_Request")]), Some(4.0));
        assert_eq!(scraped.value("pool_hits_total", &[("pool", "m_Request")]), Some(1.0));
        assert_eq!(scraped.value("pool_in_use_objects", &[("pool", "m_Request")]), Some(1.0));
        assert_eq!(scraped.value("pool_idle_objects", &[("pool", "m_Request")]), Some(2.0));

        // snapshot() keeps them apart.
        let apart: Vec<_> = metrics::snapshot().into_iter().filter(|p| p.name == "m_Request").collect();
        assert_eq!(apart.len(), 2);
        assert_eq!((apart[0].stats, apart[1].stats), (s1, s2));
        drop(held.2);
    }

    fn add(sum: &mut (PoolStats, Discards), stats: PoolStats, discards: Discards) {
        let (s, d) = sum;
        s.hits += stats.hits;
        s.misses += stats.misses;
        s.returns += stats.returns;
        s.discards += stats.discards;
        s.evictions += stats.evictions;
        s.idle += stats.idle;
        s.in_use += stats.in_use;
        d.full += discards.full;
        d.oversized += discards.oversized;
        d.panic += discards.panic;
        d.detached += discards.detached;
        d.disabled += discards.disabled;
        d.chaos += discards.chaos;
    }

    #[test]
    fn scrapes_during_concurrent_use_never_see_counters_go_down() {
        const THREADS: usize = 8;
        const OPS: usize = 40_000;
        let registry = registry();
        let pools: Vec<&'static Pool<Vec<u8>>> = ["m_busy_a", "m_busy_b", "m_busy_c"]
            .into_iter()
            .map(|name| leak(Pool::with_config(Vec::new, PoolConfig::new(name).max_idle(16).cache_size(4))))
            .collect();
        let done = AtomicBool::new(false);
        let mut scrapes = 0;
        thread::scope(|s| {
            let workers: Vec<_> = (0..THREADS)
                .map(|t| {
                    let pools = &pools;
                    s.spawn(move || {
                        for i in 0..OPS {
                            let pool = pools[(t + i) % pools.len()];
                            let a = pool.get();
                            if i % 7 == 0 {
                                // Several out at once: some returns find the pool full.
                                let held: Vec<_> = (0..24).map(|_| pool.get()).collect();
                                drop(held);
                            }
                            if i % 1000 == 0 {
                                poolable::Pooled::detach(a);
                            } else {
                                drop(a);
                            }
                            if t == 0 && i % 5000 == 0 {
                                pool.trim();
                            }
                        }
                    })
                })
                .collect();
            let scraper = s.spawn(|| {
                let mut last: BTreeMap<String, f64> = BTreeMap::new();
                let mut count = 0;
                while !done.load(SeqCst) {
                    let scraped = scrape(&registry);
                    for pool in ["m_busy_a", "m_busy_b", "m_busy_c"] {
                        for (name, value) in scraped.of_pool(pool) {
                            assert_eq!(value.fract(), 0.0, "{name} is a whole number");
                            let key = format!("{pool}:{name}");
                            if name.contains("_total") {
                                let previous = last.get(&key).copied().unwrap_or(0.0);
                                assert!(value >= previous, "{key} went down: {previous} -> {value}");
                            }
                            last.insert(key, value);
                        }
                    }
                    count += 1;
                }
                count
            });
            for worker in workers {
                worker.join().unwrap();
            }
            done.store(true, SeqCst);
            scrapes = scraper.join().unwrap();
        });
        assert!(scrapes > 1, "the scraper ran during the work ({scrapes} scrapes)");

        // Quiet again: the exposition equals stats(), and nothing is lost.
        let scraped = scrape(&registry);
        let mut taken = 0;
        for (pool, name) in pools.iter().zip(["m_busy_a", "m_busy_b", "m_busy_c"]) {
            let stats = pool.stats();
            assert_eq!(scraped.of_pool(name), expected("", stats, pool.discards(), pool.idle_bytes()));
            assert_eq!(stats.in_use, 0);
            assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards);
            taken += stats.hits + stats.misses;
        }
        let per_thread = OPS + OPS.div_ceil(7) * 24;
        assert_eq!(taken, (THREADS * per_thread) as u64);
    }
}
