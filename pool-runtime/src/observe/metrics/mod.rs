//! Every pool's counters, for Prometheus or anything else.
//!
//! Counting is always on and costs each operation one load and one store on
//! a counter that only its thread writes. Readers sum those per-thread
//! tallies when they read: [`snapshot`] for any use, and, with the
//! `prometheus` feature (on by default), a [`PoolCollector`] that does so at
//! every scrape:
//!
//! ```text
//! # HELP pool_hits_total Takes from the pool served by an idle object.
//! # TYPE pool_hits_total counter
//! pool_hits_total{pool="table_response"} 999744
//! # HELP pool_discards_total Objects dropped instead of kept ... by reason (full, oversized, panic, detached, disabled, chaos).
//! # TYPE pool_discards_total counter
//! pool_discards_total{pool="table_response",reason="full"} 0
//! pool_discards_total{pool="table_response",reason="oversized"} 12
//! ```
//!
//! | series | type | labels |
//! |---|---|---|
//! | `pool_hits_total` | counter | `pool` |
//! | `pool_misses_total` | counter | `pool` |
//! | `pool_returns_total` | counter | `pool` |
//! | `pool_discards_total` | counter | `pool`, `reason` = `full`, `oversized`, `panic`, `detached`, `disabled`, `chaos` |
//! | `pool_evictions_total` | counter | `pool` |
//! | `pool_idle_objects` | gauge | `pool` |
//! | `pool_in_use_objects` | gauge | `pool` |
//! | `pool_idle_bytes` | gauge | `pool` (see [`Pool::idle_bytes`](crate::Pool::idle_bytes)) |
//!
//! A namespace, if given, prefixes every name (`bingsan_pool_hits_total`).
//! The values are those of [`Pool::stats`](crate::Pool::stats) and
//! [`Pool::discards`](crate::Pool::discards). Counters never decrease: not
//! after `clear()` or `trim()` (those count evictions), nor when a thread
//! exits (its tally is folded into the pool's under the lock readers take).
//!
//! Hit ratio in PromQL:
//!
//! ```text
//! rate(pool_hits_total[5m]) / (rate(pool_hits_total[5m]) + rate(pool_misses_total[5m]))
//! ```
//!
//! # Which pools
//!
//! Every pool appears from its first use on (a `static` pool is registered
//! when it is first touched; until then all its counters are zero), derived
//! or built by hand, including pools first used after [`register`] was
//! called. Pools are never unregistered: a leaked pool lives for the rest of
//! the process.
//!
//! # Two pools with the same label
//!
//! Labels come from `PoolConfig::new(name)` or the derive's `name = "..."`,
//! which defaults to the struct's name, so two `Request` structs in different
//! modules share the label `Request`. A Prometheus scrape breaks on two
//! series with the same labels, so **the collector exports one series per
//! label, whose values are the sums over every pool with that label**
//! (counters and gauges alike).
//!
//! Summing is chosen over renaming (a `#2` suffix in order of first use, or
//! a module path added when a second pool appears) because a series must mean
//! the same thing from one scrape to the next and from one restart to the
//! next: first use order changes between runs, and a label that changes when
//! another pool wakes up splits a time series in two. Sums of monotonic
//! counters stay monotonic, `rate()` stays right, and the pool invariants
//! (`hits + misses == returns + discards + in_use`) hold for the sums too.
//! To see the pools apart in Prometheus, give them distinct names
//! (`#[pool(name = "v2_request")]`); [`snapshot`] always lists each pool on
//! its own, so a test can assert that no label is shared.
//!
//! # Without Prometheus
//!
//! [`snapshot`] gives the same numbers as plain data (`Serialize` with the
//! `serde` feature), for a JSON endpoint, logs, or tests.
//!
//! # Other metrics libraries
//!
//! The same series, labels and values, read at scrape or report time, for
//! the three other libraries Rust services use, each behind a feature named
//! after its crate: [`prometheus_client`] (a `Collector` for the official
//! crate's `Registry`), [`metrics_rs`] (`describe`, `report` and
//! `spawn_reporter` for the `metrics` facade) and [`opentelemetry`]
//! (observable instruments on a `Meter` the caller passes). Each is tested
//! against that crate's own encoder, recorder or SDK.

#[cfg(feature = "prometheus")]
mod collector;
// What every adapter exports: which series, and one set of values per
// label; each item is built for the adapters that read it.
#[cfg(any(
    feature = "prometheus",
    feature = "prometheus-client",
    feature = "metrics",
    feature = "opentelemetry"
))]
mod labels;
#[cfg(any(
    feature = "prometheus",
    feature = "prometheus-client",
    feature = "metrics",
    feature = "opentelemetry"
))]
mod series;

#[cfg(feature = "metrics")]
pub mod metrics_rs;
#[cfg(feature = "opentelemetry")]
pub mod opentelemetry;
#[cfg(feature = "prometheus-client")]
pub mod prometheus_client;

#[cfg(feature = "prometheus")]
pub use collector::{register, register_with_namespace, PoolCollector};
/// The `prometheus` crate this module is built against (its `Registry` is
/// the one [`register`] takes).
#[cfg(feature = "prometheus")]
pub use prometheus;

/// The same function as [`pools`](crate::pools), under the name this
/// module's readers look for.
pub use crate::observe::registry::pools as snapshot;
pub use crate::observe::registry::PoolSnapshot;
