//! The three metrics adapters against each crate's own encoder, recorder or
//! SDK: the same series, labels and values as the `prometheus` collector and
//! `stats()`, monotonic counters, and pools first used after registration.
//!
//! Every test uses pools of its own (labels `adapt_<test>_*`) and compares
//! only those, since the tests of this binary run in parallel.

use std::collections::BTreeMap;
use std::time::Duration;

use poolable::{Discards, Pool, PoolConfig, PoolStats};

use poolable_test_support::exposition;

fn leak(config: PoolConfig) -> &'static Pool<String> {
    Box::leak(Box::new(Pool::with_config(String::new, config)))
}

/// Takes, returns, discards (full, detached), clears and trims, and exits a
/// thread that used the pool, so that every series has a value.
fn exercise(pool: &'static Pool<String>) {
    let held: Vec<_> = (0..6).map(|_| pool.get()).collect();
    drop(held);
    let _kept = poolable::Pooled::detach(pool.get());
    std::thread::spawn(move || drop((pool.get(), pool.get()))).join().unwrap();
    pool.trim();
    let mut line = pool.get();
    line.push_str("kept");
    drop(line);
}

/// What every adapter must export for one pool label: name (plus
/// `/reason`) to value, by the `prometheus` collector's names.
fn expected(stats: PoolStats, discards: Discards, idle_bytes: u64) -> BTreeMap<String, f64> {
    let mut out: BTreeMap<String, f64> = [
        ("pool_hits_total", stats.hits),
        ("pool_misses_total", stats.misses),
        ("pool_returns_total", stats.returns),
        ("pool_evictions_total", stats.evictions),
        ("pool_idle_objects", stats.idle),
        ("pool_in_use_objects", stats.in_use),
        ("pool_idle_bytes", idle_bytes),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v as f64))
    .collect();
    for (reason, n) in discards.by_reason() {
        out.insert(format!("pool_discards_total/{reason}"), n as f64);
    }
    out
}

fn expected_of(pool: &Pool<String>) -> BTreeMap<String, f64> {
    expected(pool.stats(), pool.discards(), pool.idle_bytes())
}

mod prometheus_client_adapter {
    use super::*;
    use prometheus_client::encoding::prometheus_text;
    use prometheus_client::registry::Registry;

    fn encode(registry: &Registry) -> exposition::Exposition {
        let mut text = String::new();
        prometheus_text::encode(&mut text, registry).unwrap();
        exposition::parse(&text)
    }

    #[test]
    fn the_exposition_matches_the_prometheus_collectors_series_for_series() {
        let mut registry = Registry::default();
        poolable::metrics::prometheus_client::register(&mut registry);
        let first = leak(PoolConfig::new("adapt_pc_first"));
        exercise(first);
        // First used after registration: it appears too.
        let later = leak(PoolConfig::new("adapt_pc_later"));
        exercise(later);
        drop(later.get());

        let ours = encode(&registry);
        let theirs = {
            let registry = poolable::metrics::prometheus::Registry::new();
            poolable::metrics::register(&registry).unwrap();
            let mut text = Vec::new();
            use poolable::metrics::prometheus::{Encoder, TextEncoder};
            TextEncoder::new().encode(&registry.gather(), &mut text).unwrap();
            exposition::parse(&String::from_utf8(text).unwrap())
        };
        for pool in [first, later] {
            let name = pool.name();
            assert_eq!(ours.of_pool(name), expected_of(pool), "{name}");
            assert_eq!(ours.of_pool(name), theirs.of_pool(name), "{name}: series for series");
        }
        for (family, kind) in &theirs.types {
            assert_eq!(ours.types.get(family), Some(kind), "{family}");
            assert_eq!(ours.help.get(family), theirs.help.get(family), "{family}");
        }
    }

    #[test]
    fn counters_never_go_back_across_clear_trim_and_thread_exit() {
        let mut registry = Registry::default();
        poolable::metrics::prometheus_client::register(&mut registry);
        let pool = leak(PoolConfig::new("adapt_pc_monotonic").cache_size(2));
        let mut before = encode(&registry).of_pool(pool.name());
        for round in 0..5 {
            exercise(pool);
            match round % 3 {
                0 => pool.clear(),
                1 => pool.trim(),
                _ => std::thread::spawn(move || drop(pool.get())).join().unwrap(),
            }
            let after = encode(&registry).of_pool(pool.name());
            for (series, value) in after.iter().filter(|(name, _)| name.contains("_total")) {
                assert!(before.get(series).is_none_or(|b| b <= value), "{series} went back");
            }
            assert_eq!(after, expected_of(pool));
            before = after;
        }
    }
}

mod metrics_rs_adapter {
    use super::*;
    use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
    use metrics_util::MetricKind;

    /// The recorder's values for one pool label, by the same keys as
    /// [`expected`].
    fn values(snapshotter: &Snapshotter, pool: &str) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for (key, _unit, _description, value) in snapshotter.snapshot().into_vec() {
            let labels: Vec<_> = key.key().labels().collect();
            if !labels.iter().any(|l| l.key() == "pool" && l.value() == pool) {
                continue;
            }
            let name = match labels.iter().find(|l| l.key() == "reason") {
                Some(reason) => format!("{}/{}", key.key().name(), reason.value()),
                None => key.key().name().to_owned(),
            };
            let value = match value {
                DebugValue::Counter(n) => {
                    assert_eq!(key.kind(), MetricKind::Counter);
                    n as f64
                }
                DebugValue::Gauge(g) => g.into_inner(),
                DebugValue::Histogram(_) => panic!("no histograms"),
            };
            out.insert(name, value);
        }
        out
    }

    #[test]
    fn report_sets_every_series_with_descriptions_and_units() {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        let pool = leak(PoolConfig::new("adapt_mr_report"));
        exercise(pool);
        metrics::with_local_recorder(&recorder, || {
            poolable::metrics::metrics_rs::describe();
            poolable::metrics::metrics_rs::report();
        });
        assert_eq!(values(&snapshotter, pool.name()), expected_of(pool));
        let described: BTreeMap<String, (Option<metrics::Unit>, String)> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .filter_map(|(key, unit, description, _)| {
                Some((key.key().name().to_owned(), (unit, description?.to_string())))
            })
            .collect();
        assert_eq!(described["pool_idle_bytes"].0, Some(metrics::Unit::Bytes));
        assert_eq!(described["pool_hits_total"].0, Some(metrics::Unit::Count));
        assert!(described["pool_discards_total"].1.contains("chaos"));

        // Absolute counters: a second report after more work moves them on.
        exercise(pool);
        metrics::with_local_recorder(&recorder, poolable::metrics::metrics_rs::report);
        assert_eq!(values(&snapshotter, pool.name()), expected_of(pool));
    }

    #[test]
    fn the_reporter_reports_every_period_until_its_handle_drops() {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().expect("the only global recorder of this binary");
        let pool = leak(PoolConfig::new("adapt_mr_reporter"));
        exercise(pool);
        let reporter = poolable::metrics::metrics_rs::spawn_reporter(Duration::from_millis(10));
        let start = reporter.reports();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while reporter.reports() < start + 2 {
            assert!(std::time::Instant::now() < deadline, "the reporter stalled");
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(reporter);
        assert_eq!(values(&snapshotter, pool.name()), expected_of(pool));
    }
}

mod opentelemetry_adapter {
    use super::*;
    use opentelemetry::metrics::MeterProvider;
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

    struct Collected {
        /// Dotted name (plus `/reason`) to value, for one pool.
        values: BTreeMap<String, f64>,
        units: BTreeMap<String, String>,
        monotonic: BTreeMap<String, bool>,
    }

    fn collect(provider: &SdkMeterProvider, exporter: &InMemoryMetricExporter, pool: &str) -> Collected {
        exporter.reset();
        provider.force_flush().unwrap();
        let mut out =
            Collected { values: BTreeMap::new(), units: BTreeMap::new(), monotonic: BTreeMap::new() };
        let finished = exporter.get_finished_metrics().unwrap();
        let resource = finished.last().expect("one collection");
        for metric in resource.scope_metrics().flat_map(|scope| scope.metrics()) {
            out.units.insert(metric.name().to_owned(), metric.unit().to_owned());
            let AggregatedMetrics::U64(data) = metric.data() else { panic!("{} is not u64", metric.name()) };
            let points: Vec<(Vec<opentelemetry::KeyValue>, u64)> = match data {
                MetricData::Sum(sum) => {
                    out.monotonic.insert(metric.name().to_owned(), sum.is_monotonic());
                    sum.data_points().map(|p| (p.attributes().cloned().collect(), p.value())).collect()
                }
                MetricData::Gauge(gauge) => {
                    gauge.data_points().map(|p| (p.attributes().cloned().collect(), p.value())).collect()
                }
                _ => panic!("{} is neither a sum nor a gauge", metric.name()),
            };
            for (attributes, value) in points {
                let attribute = |key: &str| {
                    attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.to_string())
                };
                if attribute("pool").as_deref() != Some(pool) {
                    continue;
                }
                let name = match attribute("reason") {
                    Some(reason) => format!("{}/{reason}", metric.name()),
                    None => metric.name().to_owned(),
                };
                out.values.insert(name, value as f64);
            }
        }
        out
    }

    /// [`expected`] by the dotted names.
    fn dotted(expected: BTreeMap<String, f64>) -> BTreeMap<String, f64> {
        expected
            .into_iter()
            .map(|(name, value)| (name.replace("_total", "").replacen('_', ".", 1), value))
            .collect()
    }

    #[test]
    fn observable_instruments_report_every_series_at_collection() {
        let exporter = InMemoryMetricExporter::default();
        let provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(exporter.clone()).build())
            .build();
        poolable::metrics::opentelemetry::register(&provider.meter("poolable-test"));
        let pool = leak(PoolConfig::new("adapt_otel"));
        exercise(pool); // first used after registration
        let collected = collect(&provider, &exporter, pool.name());
        assert_eq!(collected.values, dotted(expected_of(pool)));
        assert_eq!(collected.units["pool.idle_bytes"], "By");
        assert_eq!(collected.units["pool.hits"], "{object}");
        assert!(collected.monotonic["pool.discards"], "a counter");
        assert!(!collected.monotonic.contains_key("pool.idle_objects"), "a gauge");

        let before = collected.values;
        exercise(pool);
        pool.clear();
        let after = collect(&provider, &exporter, pool.name()).values;
        assert_eq!(after, dotted(expected_of(pool)));
        for (name, value) in &after {
            if ["hits", "misses", "returns", "discards", "evictions"]
                .iter()
                .any(|c| name.starts_with(&format!("pool.{c}")))
            {
                assert!(before[name] <= *value, "{name} went back");
            }
        }
        provider.shutdown().unwrap();
    }
}
