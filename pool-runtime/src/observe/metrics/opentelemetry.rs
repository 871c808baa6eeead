//! The series as OpenTelemetry instruments (feature `opentelemetry`):
//! observable counters and gauges whose callbacks read every pool when the
//! user's SDK collects, on a [`Meter`] the user passes. This crate never
//! installs a meter provider.
//!
//! ```
//! use poolable::{metrics, Pool, PoolConfig};
//!
//! static ROWS: Pool<Vec<u64>> = Pool::with_config(Vec::new, PoolConfig::new("rows"));
//!
//! // The service's own provider (an SDK with an exporter); the global one is a no-op until set.
//! let meter = opentelemetry::global::meter("my-service");
//! metrics::opentelemetry::register(&meter);
//! drop(ROWS.get());
//! ```
//!
//! | instrument | kind | unit | attributes |
//! |---|---|---|---|
//! | `pool.hits`, `pool.misses`, `pool.returns`, `pool.evictions` | observable counter | `{object}` | `pool` |
//! | `pool.discards` | observable counter | `{object}` | `pool`, `reason` |
//! | `pool.idle_objects`, `pool.in_use_objects` | observable gauge | `{object}` | `pool` |
//! | `pool.idle_bytes` | observable gauge | `By` | `pool` |
//!
//! Through OpenTelemetry's Prometheus exporter, these become the
//! `prometheus` collector's names (`pool_hits_total`, ...).

use ::opentelemetry::metrics::{AsyncInstrument, Meter};
use ::opentelemetry::KeyValue;

use super::labels::totals_by_label;
use super::series::{self, Series};

/// Registers one instrument per series on `meter`, for every pool used in
/// this process, now or later. The instruments stay registered for the
/// meter provider's lifetime; register once per provider.
pub fn register(meter: &Meter) {
    for series in Series::ALL {
        let unit = match series.unit() {
            series::Unit::Objects => "{object}",
            series::Unit::Bytes => "By",
        };
        let observe = move |instrument: &dyn AsyncInstrument<u64>| {
            for (label, totals) in totals_by_label() {
                for (reason, value) in series.values(&totals) {
                    let pool = KeyValue::new("pool", label.to_owned());
                    match reason {
                        Some(reason) => instrument.observe(value, &[pool, KeyValue::new("reason", reason)]),
                        None => instrument.observe(value, &[pool]),
                    }
                }
            }
        };
        if series.is_counter() {
            let _ = meter
                .u64_observable_counter(series.dotted())
                .with_description(series.help())
                .with_unit(unit)
                .with_callback(observe)
                .build();
        } else {
            let _ = meter
                .u64_observable_gauge(series.dotted())
                .with_description(series.help())
                .with_unit(unit)
                .with_callback(observe)
                .build();
        }
    }
}
