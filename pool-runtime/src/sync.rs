//! Everything the engine needs from the platform that loom replaces: atomics,
//! locks, thread-locals, thread-exit hooks and statics. std's, or loom's
//! under `--cfg loom`, so that the models in `loom_tests` explore every
//! interleaving of the same code the users run. This is the only module that
//! tests `cfg(loom)` for the engine's primitives; the crate root leaves out
//! under loom only what is built on `static` pools (the byte buffers, JSON).

use std::cell::RefCell;

#[cfg(loom)]
pub(crate) use loom::{
    sync::{
        atomic::{AtomicU64, AtomicU8, Ordering},
        Mutex, MutexGuard,
    },
    thread::LocalKey,
};
#[cfg(not(loom))]
pub(crate) use std::{
    sync::{
        atomic::{AtomicU64, AtomicU8, Ordering},
        Mutex, MutexGuard,
    },
    thread::LocalKey,
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

/// Declares a thread-local initialised by a constant expression: std's
/// `const { }` form, which has no lazy-initialisation test on access, or
/// loom's `thread_local!`, which has no const form.
macro_rules! thread_local_const {
    ($(#[$meta:meta])* static $name:ident: $ty:ty = $init:expr;) => {
        #[cfg(not(loom))]
        ::std::thread_local! { $(#[$meta])* static $name: $ty = const { $init }; }
        #[cfg(loom)]
        ::loom::thread_local! { $(#[$meta])* static $name: $ty = $init; }
    };
}
pub(crate) use thread_local_const;

/// A `&'static` to a value built by a constant expression: a `static`, or
/// under loom (whose primitives are not constants, and belong to one
/// execution) a value leaked on each call.
macro_rules! static_ref {
    ($ty:ty = $init:expr) => {{
        #[cfg(not(loom))]
        let value: &'static $ty = {
            static VALUE: $ty = $init;
            &VALUE
        };
        #[cfg(loom)]
        let value: &'static $ty = Box::leak(Box::new($init));
        value
    }};
}
pub(crate) use static_ref;

crate::sync::const_fn! {
    /// `N` counters at zero.
    pub(crate) fn zeroed<const N: usize>() -> [AtomicU64; N] {
        #[cfg(not(loom))]
        let zeroed = [const { AtomicU64::new(0) }; N];
        #[cfg(loom)]
        let zeroed = std::array::from_fn(|_| AtomicU64::new(0));
        zeroed
    }
}

/// The id of the `n`th pool registered (counting from 0): `n` itself, or
/// under loom a count that starts from 0 in every execution.
///
/// A loom model builds (and leaks) new pools in each of its many executions,
/// and every thread's cache table is a `Vec` as long as the highest id it
/// uses: with ids counting across executions, each new thread would allocate
/// and clear a table growing with the number of executions run so far, which
/// makes a model quadratic in its iterations. Pools of one execution still get
/// distinct ids, and a pool of an earlier execution is never used again (its
/// loom primitives belong to that execution). Loom drops its lazy statics when
/// the model closure returns, so a model must use each pool once before then.
pub(crate) fn pool_id(n: usize) -> usize {
    #[cfg(loom)]
    {
        loom::lazy_static! {
            static ref NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        }
        let _ = n;
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(loom))]
    n
}

/// Something to run once when the thread that registered it exits.
pub(crate) trait AtExit: Sync {
    fn at_exit(&'static self);
}

/// The calling thread's exit hooks, run when its thread-locals are destroyed.
struct ExitHooks(RefCell<Vec<&'static dyn AtExit>>);

thread_local_const! {
    static EXIT_HOOKS: ExitHooks = ExitHooks(RefCell::new(Vec::new()));
}

impl Drop for ExitHooks {
    fn drop(&mut self) {
        run(std::mem::take(self.0.get_mut()));
    }
}

fn run(hooks: Vec<&'static dyn AtExit>) {
    for hook in hooks {
        hook.at_exit();
    }
}

/// Runs `hook` when the calling thread exits; false (and it never runs) if
/// the thread is exiting already.
///
/// std destroys thread-locals one at a time, and a thread-local without
/// drop glue (a derived type's cache slot) stays usable while the others
/// are destroyed, so a hook reaches it. Loom takes every thread-local of
/// a thread away at once before dropping any: a hook that runs from this
/// list's `Drop` finds every slot gone. Under loom, threads that need their
/// hooks therefore start with [`spawn`], which runs them when the thread's
/// closure returns.
pub(crate) fn at_thread_exit(hook: &'static dyn AtExit) -> bool {
    EXIT_HOOKS.try_with(|hooks| hooks.0.borrow_mut().push(hook)).is_ok()
}

/// `loom::thread::spawn`, running the thread's exit hooks (see
/// [`at_thread_exit`]) when `f` returns, as std runs them at its exit.
#[cfg(all(test, loom))]
pub(crate) fn spawn<F, R>(f: F) -> loom::thread::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    loom::thread::spawn(move || {
        let result = f();
        // Taken before they run, as `ExitHooks::drop` takes them: a hook may
        // run user code that wakes another cache, whose hook runs next.
        loop {
            let hooks = EXIT_HOOKS.with(|hooks| std::mem::take(&mut *hooks.0.borrow_mut()));
            if hooks.is_empty() {
                return result;
            }
            run(hooks);
        }
    })
}
