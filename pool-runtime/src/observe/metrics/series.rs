//! The series every pool exports: names, help texts, kinds and values.

use crate::observe::stats::{Counts, Discards};

/// The `reason` label values of `pool_discards_total`, in the order exported.
pub(crate) const REASONS: [&str; 6] = Discards::REASONS;

/// What a series counts.
#[cfg(any(feature = "metrics", feature = "opentelemetry"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Objects,
    Bytes,
}

/// One exported metric family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Series {
    Hits,
    Misses,
    Returns,
    Discards,
    Evictions,
    Idle,
    InUse,
    IdleBytes,
}

impl Series {
    /// Every family, in the order they are described.
    pub(crate) const ALL: [Series; 8] = [
        Series::Hits,
        Series::Misses,
        Series::Returns,
        Series::Discards,
        Series::Evictions,
        Series::Idle,
        Series::InUse,
        Series::IdleBytes,
    ];

    /// The name `prometheus-client` is given: a counter's without `_total`,
    /// which its encoders append.
    #[cfg(any(feature = "prometheus-client", feature = "opentelemetry"))]
    pub(crate) fn stem(self) -> &'static str {
        let name = self.name();
        name.strip_suffix("_total").unwrap_or(name)
    }

    /// The OpenTelemetry instrument name: dotted, without `_total`
    /// (`pool.hits`, `pool.idle_objects`), so that OpenTelemetry's own
    /// Prometheus exporter gives back [`name`](Self::name).
    #[cfg(feature = "opentelemetry")]
    pub(crate) fn dotted(self) -> String {
        self.stem().replacen('_', ".", 1)
    }

    /// The unit: objects (an OpenTelemetry annotation, `{object}`), or bytes.
    #[cfg(any(feature = "metrics", feature = "opentelemetry"))]
    pub(crate) const fn unit(self) -> Unit {
        match self {
            Series::IdleBytes => Unit::Bytes,
            _ => Unit::Objects,
        }
    }

    /// The name, without a namespace.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Series::Hits => "pool_hits_total",
            Series::Misses => "pool_misses_total",
            Series::Returns => "pool_returns_total",
            Series::Discards => "pool_discards_total",
            Series::Evictions => "pool_evictions_total",
            Series::Idle => "pool_idle_objects",
            Series::InUse => "pool_in_use_objects",
            Series::IdleBytes => "pool_idle_bytes",
        }
    }

    /// The HELP text.
    pub(crate) const fn help(self) -> &'static str {
        match self {
            Series::Hits => "Takes from the pool served by an idle object.",
            Series::Misses => "Takes from the pool that had to create a new object.",
            Series::Returns => "Objects reset and kept by the pool for reuse.",
            Series::Discards => {
                "Objects dropped instead of kept when their guard was dropped, by reason \
                 (full, oversized, panic, detached, disabled, chaos)."
            }
            Series::Evictions => "Idle objects dropped by clear, trim, or a full pool at thread exit.",
            Series::Idle => "Objects kept by the pool and not yet taken again.",
            Series::InUse => "Objects taken from the pool and not yet returned or discarded.",
            Series::IdleBytes => {
                "Bytes held by the pool's idle objects: their own size plus their heap, exact for \
                 the byte-buffer classes, else the mean retained_bytes of the returns sampled."
            }
        }
    }

    /// A counter (monotonic) rather than a gauge.
    pub(crate) const fn is_counter(self) -> bool {
        !matches!(self, Series::Idle | Series::InUse | Series::IdleBytes)
    }

    /// The label names: `pool`, and `reason` for discards.
    #[cfg(feature = "prometheus")]
    pub(crate) const fn labels(self) -> &'static [&'static str] {
        match self {
            Series::Discards => &["pool", "reason"],
            _ => &["pool"],
        }
    }

    /// The family's values for one label: `(reason, value)` pairs, `reason`
    /// being `None` for families without that label.
    pub(crate) fn values(self, totals: &Totals) -> impl Iterator<Item = (Option<&'static str>, u64)> {
        let (stats, discards) = (totals.counts.stats(), totals.counts.discards());
        let single = |value| {
            let mut pairs = [None; REASONS.len()];
            pairs[0] = Some((None, value));
            pairs
        };
        let pairs = match self {
            Series::Hits => single(stats.hits),
            Series::Misses => single(stats.misses),
            Series::Returns => single(stats.returns),
            Series::Evictions => single(stats.evictions),
            Series::Idle => single(stats.idle),
            Series::InUse => single(stats.in_use),
            Series::IdleBytes => single(totals.idle_bytes),
            Series::Discards => discards.by_reason().map(|(reason, n)| Some((Some(reason), n))),
        };
        pairs.into_iter().flatten()
    }
}

/// What the pools sharing one label add up to: their counts, summed
/// (`idle` and `in_use` follow from the sums as from one pool's counts),
/// and the bytes their idle objects hold, summed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub(crate) counts: Counts,
    pub(crate) idle_bytes: u64,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, other: Totals) {
        self.counts += other.counts;
        self.idle_bytes += other.idle_bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_prometheus_conventions() {
        for series in Series::ALL {
            assert!(series.name().starts_with("pool_"));
            assert_eq!(series.is_counter(), series.name().ends_with("_total"), "{series:?}");
            assert!(series.help().ends_with('.'));
        }
    }

    #[test]
    fn discards_split_by_reason() {
        let discards = Discards { full: 1, oversized: 2, panic: 3, detached: 4, disabled: 5, chaos: 6 };
        let totals = Totals { counts: Counts::from_discards(discards), idle_bytes: 7 };
        let values: Vec<_> = Series::Discards.values(&totals).collect();
        let expected = Discards::REASONS.iter().zip(1..).map(|(reason, n)| (Some(*reason), n));
        assert_eq!(values, expected.collect::<Vec<_>>());
        assert_eq!(Series::Hits.values(&totals).collect::<Vec<_>>(), [(None, 0)]);
        assert_eq!(Series::IdleBytes.values(&totals).collect::<Vec<_>>(), [(None, 7)]);
    }
}
