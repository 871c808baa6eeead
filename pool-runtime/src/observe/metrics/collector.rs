//! The Prometheus [`Collector`]: every pool's counters, read at scrape time.

use std::collections::{BTreeMap, HashMap};

use prometheus::core::{Collector, Desc};
use prometheus::proto::{Counter, Gauge, LabelPair, Metric, MetricFamily, MetricType};
use prometheus::Registry;

use super::labels::totals_by_label;
use super::series::{Series, Totals, REASONS};

/// A [`Collector`] of every pool's series; what [`register`]
/// adds to a registry.
///
/// It holds no state besides the family names: each
/// [`collect`](Collector::collect) (each scrape) reads the pools registered at
/// that moment, so pools first used after registration appear in the next
/// scrape. Nothing is recorded on the pools' hot path beyond their own
/// always-on per-thread counting.
///
/// Use it directly to register with a registry built elsewhere, for example
/// `prometheus::default_registry()`:
///
/// ```
/// use poolable::metrics::PoolCollector;
///
/// let registry = prometheus::Registry::new();
/// registry.register(Box::new(PoolCollector::with_namespace("bingsan")?))?;
/// # Ok::<(), prometheus::Error>(())
/// ```
#[derive(Debug)]
pub struct PoolCollector {
    /// One per [`Series::ALL`], in that order, with the namespace applied.
    descs: Vec<Desc>,
}

impl PoolCollector {
    /// A collector of the series without a prefix: `pool_hits_total`, `pool_misses_total`, ...
    pub fn new() -> Self {
        Self::with_namespace("").expect("the built-in metric names are valid")
    }

    /// A collector whose series names are prefixed by `namespace` and `_`
    /// (`bingsan_pool_hits_total`); an empty namespace adds nothing.
    ///
    /// Fails if the prefixed names are not valid Prometheus metric names.
    pub fn with_namespace(namespace: &str) -> prometheus::Result<Self> {
        let descs = Series::ALL
            .iter()
            .map(|series| {
                let name = match namespace {
                    "" => series.name().to_owned(),
                    ns => format!("{ns}_{}", series.name()),
                };
                let labels = series.labels().iter().map(|l| (*l).to_owned()).collect();
                Desc::new(name, series.help().to_owned(), labels, HashMap::new())
            })
            .collect::<prometheus::Result<_>>()?;
        Ok(Self { descs })
    }
}

impl Default for PoolCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let totals = totals_by_label();
        Series::ALL.iter().zip(&self.descs).map(|(series, desc)| family(*series, desc, &totals)).collect()
    }
}

/// One family: a series per label (per label and reason for discards).
fn family(series: Series, desc: &Desc, totals: &BTreeMap<&'static str, Totals>) -> MetricFamily {
    let per_label = if series.labels().len() > 1 { REASONS.len() } else { 1 };
    let mut metrics = Vec::with_capacity(totals.len() * per_label);
    for (label, totals) in totals {
        for (reason, value) in series.values(totals) {
            let mut labels = Vec::with_capacity(series.labels().len());
            labels.push(label_pair("pool", label));
            if let Some(reason) = reason {
                labels.push(label_pair("reason", reason));
            }
            let mut metric = Metric::from_label(labels);
            // f64 holds every integer up to 2^53 exactly: 285 years at a
            // million operations a second.
            let value = value as f64;
            if series.is_counter() {
                let mut counter = Counter::default();
                counter.set_value(value);
                metric.set_counter(counter);
            } else {
                let mut gauge = Gauge::default();
                gauge.set_value(value);
                metric.set_gauge(gauge);
            }
            metrics.push(metric);
        }
    }
    let mut family = MetricFamily::default();
    family.set_name(desc.fq_name.clone());
    family.set_help(desc.help.clone());
    family.set_field_type(if series.is_counter() { MetricType::COUNTER } else { MetricType::GAUGE });
    family.set_metric(metrics);
    family
}

fn label_pair(name: &str, value: &str) -> LabelPair {
    let mut pair = LabelPair::default();
    pair.set_name(name.to_owned());
    pair.set_value(value.to_owned());
    pair
}

/// Registers one [`PoolCollector`] for every pool, series named
/// `pool_hits_total`, `pool_misses_total`, ... (see [the module](super)).
///
/// Registering twice in one registry returns prometheus's
/// [`AlreadyReg`](prometheus::Error::AlreadyReg) error.
///
/// ```
/// use poolable::{metrics, Pool, PoolConfig};
/// use prometheus::{Encoder, TextEncoder};
///
/// static QUERIES: Pool<String> = Pool::with_config(String::new, PoolConfig::new("queries"));
///
/// let registry = prometheus::Registry::new();
/// metrics::register(&registry)?;
/// drop(QUERIES.get());
///
/// let mut text = Vec::new();
/// TextEncoder::new().encode(&registry.gather(), &mut text)?;
/// let text = String::from_utf8(text).unwrap();
/// assert!(text.contains("pool_misses_total{pool=\"queries\"} 1"));
/// assert!(metrics::register(&registry).is_err()); // AlreadyReg
/// # Ok::<(), prometheus::Error>(())
/// ```
pub fn register(registry: &Registry) -> prometheus::Result<()> {
    registry.register(Box::new(PoolCollector::new()))
}

/// Registers one [`PoolCollector`] whose series names start with
/// `namespace` and `_`: `bingsan_pool_hits_total`, ...
///
/// Fails if the prefixed names are not valid metric names, or if this
/// namespace is already registered in `registry`; another namespace in the
/// same registry is fine.
///
/// ```
/// let registry = prometheus::Registry::new();
/// poolable::metrics::register_with_namespace(&registry, "bingsan")?;
/// assert!(poolable::metrics::register_with_namespace(&registry, "not-valid").is_err());
/// # Ok::<(), prometheus::Error>(())
/// ```
pub fn register_with_namespace(registry: &Registry, namespace: &str) -> prometheus::Result<()> {
    registry.register(Box::new(PoolCollector::with_namespace(namespace)?))
}
