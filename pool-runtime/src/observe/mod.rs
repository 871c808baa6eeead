//! What a pool reports and obeys, for the people who run it: its counters
//! (`stats`), the registry of every pool (`registry`), the switches an
//! operator sets (`switches`, `pool_switches`), take-site tracking
//! ([`diagnostics`]), the background trimmer (`trimmer`, on `periodic`), and
//! the export of every pool's counters to metrics libraries ([`metrics`]).
//!
//! It sits below the engine: a pool reports into it through the registry's
//! `Entry` trait, and nothing here names a pool's type.

pub mod diagnostics;
pub mod metrics;
pub(crate) mod periodic;
pub(crate) mod pool_switches;
pub(crate) mod registry;
pub(crate) mod stats;
pub(crate) mod switches;
pub(crate) mod trimmer;
