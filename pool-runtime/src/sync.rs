//! The synchronisation primitives the engine uses: std's, or loom's under
//! `--cfg loom` so the models in `loom_tests` explore every interleaving.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicU64, Ordering},
    Mutex, MutexGuard,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicU64, Ordering},
    Mutex, MutexGuard,
};

/// Locks, ignoring poison: the engine runs no user code while it holds a
/// lock, so a poisoned lock can only come from an abort-free allocation
/// failure elsewhere, and its data is still consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Declares a `const fn`, or a plain `fn` under loom, whose primitives
/// cannot be built in a constant.
macro_rules! const_fn {
    ($(#[$meta:meta])* $vis:vis fn $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$meta])* $vis const fn $($rest)*
        #[cfg(loom)]
        $(#[$meta])* $vis fn $($rest)*
    };
}
pub(crate) use const_fn;
