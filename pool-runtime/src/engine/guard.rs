//! [`Pooled<T>`]: the guard of a taken object, which returns it on drop, and
//! what a user does with it: reach the object, keep it, format it.

use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

use crate::engine::pool::Pool;
use crate::observe::diagnostics;
use crate::observe::stats::Event;
use crate::Reset;

/// An object taken from a [`Pool`]; dropping it resets the object and returns it.
///
/// The borrow checker enforces the pool's safety rules: a reference into the
/// object cannot outlive the guard (no use after return), and the guard is not
/// `Clone` (no double return). It is `Send` when `T` is, so it may be dropped on
/// another thread than the one that took it.
///
/// ```
/// use poolable::{Pool, Pooled};
///
/// static NAMES: Pool<Vec<String>> = Pool::new(Vec::new);
///
/// let mut names: Pooled<Vec<String>> = NAMES.get();
/// names.push("orders".to_owned());            // DerefMut
/// assert_eq!(names.len(), 1);                  // Deref
/// let kept: Vec<String> = Pooled::detach(names); // leaves the pool for good
/// assert_eq!(kept, ["orders"]);
/// ```
pub struct Pooled<T: Reset + Send + 'static> {
    /// `None` only once `detach` or `drop` has taken the object out.
    /// `ManuallyDrop`: every way out of a guard (`drop`, `detach`, `leave`)
    /// takes the object first, so the field itself never has anything to
    /// drop, and the guard's drop glue is only `Drop::drop` (small enough to
    /// inline into the caller).
    object: ManuallyDrop<Option<Box<T>>>,
    pool: &'static Pool<T>,
}

impl<T: Reset + Send + 'static> Pooled<T> {
    #[inline]
    pub(super) fn new(object: Box<T>, pool: &'static Pool<T>) -> Self {
        Self { object: ManuallyDrop::new(Some(object)), pool }
    }

    /// Takes the object out of a guard that leaves the pool (detached, or
    /// routed elsewhere by its owner), forgetting its take if it was tracked.
    pub(crate) fn take_out(&mut self) -> Option<Box<T>> {
        let object = self.object.take()?;
        if diagnostics::tracking() {
            self.pool.returned(diagnostics::address(&*object));
        }
        Some(object)
    }
}

impl<T: Reset + Send + 'static> Drop for Pooled<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(object) = self.object.take() {
            // A jump out of line, so that the inline return is all the drop
            // glue holds besides one test of a flag.
            self.pool.give_back(object);
        }
    }
}

impl<T: Reset + Send + 'static> Pooled<T> {
    /// Keeps the object and never returns it; the pool counts a `detached`
    /// discard.
    pub fn detach(mut this: Self) -> T {
        let object = this.take_out().expect("a live guard holds its object");
        this.pool.count(Event::Detached);
        *object
    }

    // Only the byte buffers use it, and they are left out under loom.
    #[cfg(not(loom))]
    /// Takes the object out without returning it, counting `event` (a
    /// discard reason) on its pool: for owners that route objects themselves
    /// (the byte buffers move a buffer that grew to another class).
    /// Only the byte buffers use it.
    pub(crate) fn leave(mut this: Self, event: Event) -> Box<T> {
        let object = this.take_out().expect("a live guard holds its object");
        this.pool.count(event);
        object
    }

    /// The pool this object goes back to.
    pub fn pool(this: &Self) -> &'static Pool<T> {
        this.pool
    }
}

impl<T: Reset + Send + 'static> Deref for Pooled<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        match &*self.object {
            Some(object) => object,
            None => unreachable!("a live guard holds its object"),
        }
    }
}

impl<T: Reset + Send + 'static> DerefMut for Pooled<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        match &mut *self.object {
            Some(object) => object,
            None => unreachable!("a live guard holds its object"),
        }
    }
}

impl<T: Reset + Send + 'static> AsRef<T> for Pooled<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: Reset + Send + 'static> AsMut<T> for Pooled<T> {
    fn as_mut(&mut self) -> &mut T {
        self
    }
}

/// Formats as the object itself.
impl<T: Reset + Send + 'static + fmt::Debug> fmt::Debug for Pooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Reset + Send + 'static + fmt::Display> fmt::Display for Pooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Serialises as the object itself (feature `serde`).
#[cfg(feature = "serde")]
impl<T: Reset + Send + 'static + serde_core::Serialize> serde_core::Serialize for Pooled<T> {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}
