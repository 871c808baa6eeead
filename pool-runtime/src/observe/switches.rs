//! The switches an operator sets in the environment, read once at the first
//! use of any pool, and the random draws chaos makes.
//!
//! * `POOLABLE_DISABLE`: `1`, `true`, `yes` or `on` turns every pool off;
//!   `0`, `false`, `no`, `off` or empty leaves them on.
//! * `POOLABLE_CHAOS`: a fraction within `0..=1`, the share of returns every
//!   pool without its own [`PoolConfig::chaos`](crate::PoolConfig::chaos)
//!   drops at random.
//! * `POOLABLE_TRACK`: as `POOLABLE_DISABLE`; turns take-site tracking on
//!   from the start (see `diagnostics`).
//!
//! A value that is none of these is ignored, with one line on stderr naming
//! the variable and what it takes: a typo must not take a service down, nor
//! pass unnoticed.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use crate::config::CHAOS_SCALE;

/// What the environment said, once.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Environment {
    pub(crate) disabled: bool,
    /// In units of 2^-32; `None` if unset or zero.
    pub(crate) chaos: Option<u64>,
    pub(crate) track: bool,
}

impl Environment {
    /// Reads the switches through `var`, reporting each value it ignores
    /// through `warn`.
    pub(crate) fn read(var: impl Fn(&str) -> Option<String>, mut warn: impl FnMut(String)) -> Self {
        let mut flag = |key: &str| {
            let value = var(key)?;
            match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Some(true),
                "" | "0" | "false" | "no" | "off" => Some(false),
                _ => {
                    warn(format!("poolable: ignoring {key}={value:?}: expected 1, true, yes or on (or 0, false, no, off)"));
                    None
                }
            }
        };
        let disabled = flag("POOLABLE_DISABLE").unwrap_or(false);
        let track = flag("POOLABLE_TRACK").unwrap_or(false);
        let chaos = var("POOLABLE_CHAOS").and_then(|value| match value.trim().parse::<f64>() {
            Ok(fraction) if (0.0..=1.0).contains(&fraction) => Some((fraction * CHAOS_SCALE) as u64),
            _ => {
                warn(format!("poolable: ignoring POOLABLE_CHAOS={value:?}: expected a fraction within 0..=1, such as 0.25"));
                None
            }
        });
        Self { disabled, chaos: chaos.filter(|&threshold| threshold > 0), track }
    }
}

/// The process's environment, read at the first call.
pub(crate) fn environment() -> &'static Environment {
    static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
    ENVIRONMENT
        .get_or_init(|| Environment::read(|key| std::env::var(key).ok(), |warning| eprintln!("{warning}")))
}

crate::sync::thread_local_const! {
    /// This thread's xorshift state; 0 until the first draw seeds it.
    static STATE: Cell<u64> = Cell::new(0);
}

/// A random number in `0..2^32`, uniform enough for chaos: xorshift64*, one
/// generator per thread, seeded from std's random hasher keys.
pub(crate) fn draw() -> u64 {
    let next = |mut x: u64| {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x
    };
    let state = STATE
        .try_with(|state| {
            let x = next(match state.get() {
                0 => seed(),
                x => x,
            });
            state.set(x);
            x
        })
        .unwrap_or_else(|_| next(seed()));
    state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32
}

fn seed() -> u64 {
    RandomState::new().hash_one(std::thread::current().id()) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> (Environment, Vec<String>) {
        let mut warnings = Vec::new();
        let environment = Environment::read(
            |key| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned()),
            |warning| warnings.push(warning),
        );
        (environment, warnings)
    }

    #[test]
    fn flags_and_fractions_are_read_and_nonsense_is_ignored_with_a_warning() {
        assert_eq!(read(&[]), (Environment::default(), vec![]));
        let (on, warnings) =
            read(&[("POOLABLE_DISABLE", " Yes "), ("POOLABLE_TRACK", "1"), ("POOLABLE_CHAOS", "0.25")]);
        assert!(warnings.is_empty());
        assert_eq!(on, Environment { disabled: true, chaos: Some(1 << 30), track: true });
        let (off, warnings) = read(&[("POOLABLE_DISABLE", "maybe"), ("POOLABLE_CHAOS", "1.5")]);
        assert_eq!(off, Environment::default());
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].contains("POOLABLE_DISABLE=\"maybe\""), "{warnings:?}");
        assert!(warnings[1].contains("within 0..=1"), "{warnings:?}");
        for nonsense in ["NaN", "-0.1", "a quarter"] {
            assert_eq!(read(&[("POOLABLE_CHAOS", nonsense)]).0.chaos, None, "{nonsense}");
        }
        assert_eq!(read(&[("POOLABLE_CHAOS", "0")]).0.chaos, None, "zero is off");
    }

    #[test]
    fn draws_cover_the_range_evenly() {
        let below_a_quarter = (0..100_000).filter(|_| draw() < 1 << 30).count();
        assert!((23_000..27_000).contains(&below_a_quarter), "{below_a_quarter}");
        assert!((0..1000).all(|_| draw() < 1 << 32));
    }
}
