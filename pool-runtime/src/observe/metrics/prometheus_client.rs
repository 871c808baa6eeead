//! The series for the official [`prometheus-client`](::prometheus_client)
//! crate (feature `prometheus-client`): one [`Collector`] that reads every
//! pool at each encode, as the `prometheus` collector does at each scrape.
//!
//! ```
//! use poolable::{Pool, PoolConfig};
//! use prometheus_client::encoding::text::encode;
//! use prometheus_client::registry::Registry;
//!
//! static JOBS: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("jobs"));
//!
//! let mut registry = Registry::default();
//! poolable::metrics::prometheus_client::register(&mut registry);
//! drop(JOBS.get());
//!
//! let mut text = String::new();
//! encode(&mut text, &registry)?;
//! assert!(text.contains("pool_misses_total{pool=\"jobs\"} 1"));
//! assert!(text.contains("pool_discards_total{pool=\"jobs\",reason=\"chaos\"} 0"));
//! # Ok::<(), std::fmt::Error>(())
//! ```
//!
//! Counter names are given without `_total`, which the crate's encoders
//! append, so the exposition has the `prometheus` collector's series, labels
//! and values, series for series.

use ::prometheus_client::collector::Collector;
use ::prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use ::prometheus_client::metrics::counter::ConstCounter;
use ::prometheus_client::metrics::gauge::ConstGauge;
use ::prometheus_client::metrics::MetricType;
use ::prometheus_client::registry::{Registry, Unit};

use super::labels::totals_by_label;
use super::series::Series;

/// Every pool's series, read when the registry is encoded.
#[derive(Debug, Default)]
pub struct PoolCollector(());

impl PoolCollector {
    /// A collector over every pool used in this process, now or later.
    pub fn new() -> Self {
        Self(())
    }
}

impl Collector for PoolCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let totals = totals_by_label();
        for series in Series::ALL {
            let kind = if series.is_counter() { MetricType::Counter } else { MetricType::Gauge };
            // A unit would be added to the names; the `prometheus` ones carry
            // theirs in the name already.
            let unit: Option<&Unit> = None;
            let mut family = encoder.encode_descriptor(series.stem(), series.help(), unit, kind)?;
            for (label, totals) in &totals {
                for (reason, value) in series.values(totals) {
                    let labels: Vec<(&str, &str)> = match reason {
                        Some(reason) => vec![("pool", label), ("reason", reason)],
                        None => vec![("pool", label)],
                    };
                    let metric = family.encode_family(&labels)?;
                    if series.is_counter() {
                        ConstCounter::new(value).encode(metric)?;
                    } else {
                        ConstGauge::new(value).encode(metric)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Registers one [`PoolCollector`] in `registry`, for every pool.
///
/// Registering it twice exports every series twice, which a Prometheus
/// scrape rejects: register once per registry.
pub fn register(registry: &mut Registry) {
    registry.register_collector(Box::new(PoolCollector::new()));
}
