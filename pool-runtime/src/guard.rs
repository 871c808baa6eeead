//! What a user does with a [`Pooled<T>`] guard: reach the object, keep it,
//! format it. The guard itself is declared with the pool it returns to.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::pool::{Pool, Pooled};
use crate::stats::Event;
use crate::Reset;

impl<T: Reset + Send + 'static> Pooled<T> {
    /// Keeps the object and never returns it; the pool counts a `detached`
    /// discard.
    pub fn detach(mut this: Self) -> T {
        let object = this.take_out().expect("a live guard holds its object");
        this.pool.count(Event::Detached);
        *object
    }

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
