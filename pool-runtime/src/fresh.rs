//! Making a returned object equal to a fresh one, when `reset` alone does not.
//!
//! Most constructors make objects in the state `Reset::reset` leaves (an
//! all-zero `Default`); a pool of such a type returns objects by `reset`
//! alone. A constructor that sets anything else (`status: 200`, a content
//! type, `page_size: Some(100)`) would have the second user see zeros where
//! the first saw those values. A pool learns which kind its constructor is
//! from the first object it makes ([`Fresh::learn`]), and from then on
//! restores every returned object of the second kind to a *template*: one
//! object its constructor made, kept per thread (a template shared between
//! threads would need `T: Sync`, which a pooled type need not be), through
//! `Reset::reset_to`, which copies the fresh values into the object's own
//! allocations.
//!
//! The inline return path pays nothing for this: it keeps an object while
//! the thread's cache has *inline room* (`LocalCache::put_if_room`), where it
//! compared with the cache's capacity before. That room is the capacity once
//! the constructor is known to be plain, and `0` until then and for the
//! other kind, so that their returns take the out-of-line path, which
//! restores, then keeps the object in the same cache.

use std::any::Any;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

use crate::Reset;

/// Not known yet: no object was made and checked.
const UNKNOWN: u8 = 0;
/// The constructor makes objects in the reset state: `reset` suffices.
const PLAIN: u8 = 1;
/// The constructor makes objects `reset` would change: restore a template.
const RESTORE: u8 = 2;

/// What a pool knows of its constructor's objects.
///
/// Relaxed throughout: the state only ever goes from unknown to one answer
/// that every thread computes alike, and a thread that still reads the old
/// state takes the slow path, which checks again.
pub(crate) struct Fresh(AtomicU8);

impl Fresh {
    pub(crate) const fn new() -> Self {
        Self(AtomicU8::new(UNKNOWN))
    }

    /// Whether returns are `reset` alone.
    #[inline]
    pub(crate) fn is_plain(&self) -> bool {
        self.0.load(Relaxed) == PLAIN
    }

    /// Records what a freshly made object says of the constructor, the
    /// first time one is made.
    #[inline]
    pub(crate) fn learn<T: Reset>(&self, fresh: &T) {
        if self.0.load(Relaxed) == UNKNOWN {
            self.learn_slow(fresh);
        }
    }

    #[cold]
    #[inline(never)]
    fn learn_slow<T: Reset>(&self, fresh: &T) {
        self.0.store(if fresh.is_reset() { PLAIN } else { RESTORE }, Relaxed);
    }

    /// Makes `object` (already reset) equal to a fresh one, for a pool whose
    /// state is not [`PLAIN`]: nothing more if the constructor turns out to
    /// be plain after all (no object was made yet: every object so far was
    /// adopted), else from this thread's template.
    ///
    /// Runs user code (the constructor, `reset`, `reset_to`); if it panics,
    /// the caller discards the object.
    #[cold]
    #[inline(never)]
    pub(crate) fn restore<T: Reset + 'static>(&self, pool_id: usize, create: fn() -> T, object: &mut T) {
        // Boxed once, when made: taking it out and putting it back moves
        // the box, so a restore allocates nothing.
        let template: Box<dyn Any> = match take_template(pool_id) {
            Some(template) if template.is::<T>() => template,
            _ => {
                let made = create();
                self.learn(&made);
                Box::new(made)
            }
        };
        if self.is_plain() {
            // Reset already.
        } else if let Some(fresh) = template.downcast_ref::<T>() {
            if !object.reset_to(fresh) {
                // A part that cannot be restored in place (a non-empty
                // default collection of elements that are not `Clone`).
                *object = create();
            }
        }
        put_template(pool_id, template);
    }
}

/// One thread's templates, indexed by pool id.
type Templates = Vec<Option<Box<dyn Any>>>;

std::thread_local! {
    static TEMPLATES: RefCell<Templates> = const { RefCell::new(Vec::new()) };
}

/// Takes this thread's template of pool `id` out of the table, so that the
/// user code `reset_to` runs holds no borrow of it (it may return objects of
/// other pools). `None` if there is none yet, or no table (thread exit).
fn take_template(id: usize) -> Option<Box<dyn Any>> {
    TEMPLATES.try_with(|templates| templates.try_borrow_mut().ok()?.get_mut(id)?.take()).ok().flatten()
}

/// Puts the template back (or drops it, if the thread is exiting).
fn put_template(id: usize, template: Box<dyn Any>) {
    let _ = TEMPLATES.try_with(|templates| {
        if let Ok(mut templates) = templates.try_borrow_mut() {
            if templates.len() <= id {
                templates.resize_with(id + 1, || None);
            }
            templates[id] = Some(template);
        }
    });
}
