//! Reading every pool, grouped by label: the duplicate-label rule.
//!
//! Pools that share a label are exported as one series whose values are the
//! sums of theirs (see the [module docs](super#two-pools-with-the-same-label)).

use std::collections::BTreeMap;

use crate::observe::registry;

use super::series::Totals;

/// Every registered pool's counters, summed per label, in label order.
///
/// Each pool is read once, through its per-thread tallies (`Counters::read`);
/// the set of pools only grows and each pool's counters never decrease, so
/// neither do the sums.
pub(crate) fn totals_by_label() -> BTreeMap<&'static str, Totals> {
    let mut by_label: BTreeMap<&'static str, Totals> = BTreeMap::new();
    for pool in registry::entries() {
        let counts = pool.counts();
        let idle_bytes = pool.idle_bytes(&counts);
        *by_label.entry(pool.name()).or_default() += Totals { counts, idle_bytes };
    }
    by_label
}
