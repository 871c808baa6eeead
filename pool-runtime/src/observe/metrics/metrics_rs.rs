//! The series for the `metrics` crate (metrics-rs, feature
//! `metrics`), the facade that `metrics-exporter-prometheus`,
//! `axum-prometheus` and `tokio-metrics` report through.
//!
//! metrics-rs has no scrape callback: a recorder only sees values when they
//! are set. [`report`] sets every pool's counters (as absolute values) and
//! gauges on the installed recorder, with the names and labels of the
//! `prometheus` collector; [`spawn_reporter`] calls it once per period on a
//! thread of its own, as `tokio-metrics` reports its runtime metrics.
//! Call [`describe`] once for the descriptions and units.
//!
//! ```
//! use std::time::Duration;
//! use poolable::{metrics::metrics_rs, Pool, PoolConfig};
//!
//! static FRAMES: Pool<Vec<u8>> = Pool::with_config(Vec::new, PoolConfig::new("frames"));
//!
//! // With a recorder installed (`metrics_exporter_prometheus::PrometheusBuilder::install`, say):
//! metrics_rs::describe();
//! let reporter = metrics_rs::spawn_reporter(Duration::from_secs(10)); // for the service's lifetime
//! drop(FRAMES.get());
//! metrics_rs::report(); // or wait for the reporter
//! drop(reporter);
//! ```
//!
//! | series | kind | labels |
//! |---|---|---|
//! | `pool_hits_total`, `pool_misses_total`, `pool_returns_total`, `pool_evictions_total` | counter | `pool` |
//! | `pool_discards_total` | counter | `pool`, `reason` |
//! | `pool_idle_objects`, `pool_in_use_objects` | gauge (count) | `pool` |
//! | `pool_idle_bytes` | gauge (bytes) | `pool` |

use std::time::Duration;

use ::metrics::{counter, describe_counter, describe_gauge, gauge, Unit};

use super::labels::totals_by_label;
use super::series::{self, Series};
use crate::observe::periodic::Periodic;

/// Describes every series (help text and unit) to the installed recorder.
pub fn describe() {
    for series in Series::ALL {
        let unit = match series.unit() {
            series::Unit::Objects => Unit::Count,
            series::Unit::Bytes => Unit::Bytes,
        };
        if series.is_counter() {
            describe_counter!(series.name(), unit, series.help());
        } else {
            describe_gauge!(series.name(), unit, series.help());
        }
    }
}

/// Reports every pool's current values to the installed recorder: counters
/// as absolute values (they never decrease), gauges set. Pools that share a
/// label are summed, as in the `prometheus` collector.
pub fn report() {
    for (label, totals) in totals_by_label() {
        for series in Series::ALL {
            for (reason, value) in series.values(&totals) {
                let name = series.name();
                let pool = label.to_owned();
                match (series.is_counter(), reason) {
                    (true, Some(reason)) => {
                        counter!(name, "pool" => pool, "reason" => reason).absolute(value)
                    }
                    (true, None) => counter!(name, "pool" => pool).absolute(value),
                    // f64 holds every integer up to 2^53 exactly.
                    (false, _) => gauge!(name, "pool" => pool).set(value as f64),
                }
            }
        }
    }
}

/// Calls [`report`] once per `period` on a background thread named
/// `poolable-metrics`, until the handle is dropped.
///
/// # Panics
///
/// If `period` is zero.
pub fn spawn_reporter(period: Duration) -> ReporterHandle {
    ReporterHandle(Periodic::spawn(
        "poolable-metrics",
        "poolable::metrics::metrics_rs::spawn_reporter",
        period,
        report,
    ))
}

/// The background reporter of [`spawn_reporter`]; dropping it stops the
/// thread and waits for it.
#[derive(Debug)]
#[must_use = "the reporter stops when its handle is dropped"]
pub struct ReporterHandle(Periodic);

impl ReporterHandle {
    /// How many reports it has made so far.
    pub fn reports(&self) -> u64 {
        self.0.runs()
    }
}
