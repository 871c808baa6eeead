//! Which switch a pool obeys: none, off (`PoolConfig::enabled(false)` or
//! `POOLABLE_DISABLE`) or chaos (`PoolConfig::chaos` or `POOLABLE_CHAOS`),
//! learnt at the first question and kept, since neither the configuration
//! nor the environment changes; and why a return is refused because of it.

use crate::config::PoolConfig;
use crate::observe::stats::Event;
use crate::observe::switches;

/// What a pool's configuration and the environment switch on. Stored as
/// its `u8` in [`PoolSwitches`].
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Switched {
    /// Not asked yet.
    Unknown = 0,
    /// Neither switch: the usual pool.
    Neither = 1,
    /// Every take creates, every return drops.
    Disabled = 2,
    /// A share of returns is dropped at random.
    Chaos = 3,
}

impl Switched {
    #[inline]
    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Neither,
            2 => Self::Disabled,
            3 => Self::Chaos,
            _ => Self::Unknown,
        }
    }
}

/// A pool's switches, learnt once. std's atomic even under loom: every
/// thread computes the same value.
pub(crate) struct PoolSwitches(std::sync::atomic::AtomicU8);

impl PoolSwitches {
    pub(crate) const fn new() -> Self {
        Self(std::sync::atomic::AtomicU8::new(Switched::Unknown as u8))
    }

    #[inline]
    fn switched(&self, config: &PoolConfig) -> Switched {
        match Switched::from_u8(self.0.load(std::sync::atomic::Ordering::Relaxed)) {
            Switched::Unknown => self.learn(config),
            known => known,
        }
    }

    #[cold]
    #[inline(never)]
    fn learn(&self, config: &PoolConfig) -> Switched {
        let switched = if !config.get_enabled() || switches::environment().disabled {
            Switched::Disabled
        } else if chaos_threshold(config).is_some() {
            Switched::Chaos
        } else {
            Switched::Neither
        };
        self.0.store(switched as u8, std::sync::atomic::Ordering::Relaxed);
        switched
    }

    /// Whether the pool keeps objects at all.
    #[inline]
    pub(crate) fn enabled(&self, config: &PoolConfig) -> bool {
        self.switched(config) != Switched::Disabled
    }

    /// Whether chaos may drop returns: they cannot end on the inline path.
    #[inline]
    pub(crate) fn chaos(&self, config: &PoolConfig) -> bool {
        self.switched(config) == Switched::Chaos
    }

    /// Why a return is dropped before anything else, if it is: the pool is
    /// off, or chaos drew it.
    #[inline]
    pub(crate) fn refusal(&self, config: &PoolConfig) -> Option<Event> {
        match self.switched(config) {
            Switched::Neither => None,
            Switched::Disabled => Some(Event::Disabled),
            Switched::Chaos | Switched::Unknown => chaos_draw(config),
        }
    }
}

/// The share of returns chaos drops, in units of 2^-32, if any.
fn chaos_threshold(config: &PoolConfig) -> Option<u64> {
    config.chaos_threshold().or(switches::environment().chaos).filter(|&threshold| threshold > 0)
}

#[cold]
fn chaos_draw(config: &PoolConfig) -> Option<Event> {
    let threshold = chaos_threshold(config)?;
    (switches::draw() < threshold).then_some(Event::Chaos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_survives_its_byte() {
        for state in [Switched::Unknown, Switched::Neither, Switched::Disabled, Switched::Chaos] {
            assert_eq!(Switched::from_u8(state as u8), state);
        }
    }

    #[test]
    fn a_pool_switched_off_refuses_every_return() {
        let config = PoolConfig::new("switched_off").enabled(false);
        let switches = PoolSwitches::new();
        assert!(!switches.enabled(&config) && !switches.chaos(&config));
        assert_eq!(switches.refusal(&config), Some(Event::Disabled));
    }
}
