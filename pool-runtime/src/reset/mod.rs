//! The [`Reset`] trait, and what implements it: the std types a builder
//! holds, types of optional dependencies, the recycling collections, and
//! the support the derives generate code against.

pub(crate) mod derive_support;
mod feature_impls;
pub(crate) mod recycle;
mod std_types;

use std::mem::needs_drop;

/// Restores a value to its freshly-made state while keeping its allocations.
///
/// A pool resets an object when its guard is dropped, before the object is
/// handed to the next user, so nothing one request wrote is visible to the
/// next. Collections are `clear()`ed (their capacity is the point of
/// pooling), scalars go back to zero, `Option`s to `None`.
///
/// # A reused object equals a fresh one
///
/// After a return and a hit, an object equals what its pool's constructor
/// makes, capacity aside, even when that constructor is a hand-written
/// `Default` with `status: 200`. A pool learns which case it is in from the
/// first object its constructor makes (a miss), with [`is_reset`](Reset::is_reset):
///
/// * The constructor makes objects in the reset state (an all-zero
///   `Default`, the usual case): every return is [`reset`](Reset::reset)
///   alone, as fast as a hand-written clear.
/// * It does not: every return is reset, then restored out of line by
///   [`reset_to`](Reset::reset_to) a template, one object the constructor
///   made, kept per thread. Restoring a field copies its fresh value into
///   the field's own allocation: a non-empty default `String` is written
///   into the string's buffer, a nested derived type field by field, a
///   `RecycleVec`/`RecycleMap`/`RecycleOption` into its kept elements, with
///   no allocation when the capacity suffices. A plain collection or
///   `Option` with a non-empty fresh value is copied with `clone_from`
///   after its reset freed its elements, so their heap is allocated anew
///   (use the recycling types for those). A field that can be neither
///   restored nor cloned (a non-empty default `Vec` of a type that is not
///   `Clone`) is taken from a new object the constructor makes for that
///   return ([`reset_from`](Reset::reset_from)); `#[pool(skip)]` fields are
///   never replaced.
///
/// The constructor therefore runs once per miss, once per thread that
/// returns objects (for the template), and on every return that needs a
/// field from a new object; a constructor with side effects (a counter, a
/// log line) has them that often, and one whose output varies (a random id,
/// a timestamp) gives every reused object the template's values. Make
/// per-request values after taking the object, not in its constructor. A
/// `#[pool(reset = path)]` function runs twice on such a return (in the
/// reset, and in the restore): it must be idempotent, as a reset is.
///
/// # Implementing it by hand
///
/// Derive it with `#[derive(Reset)]`, or implement it by hand. A hand-written
/// impl must:
///
/// * in `reset`, leave the value as its constructor makes it (capacity
///   aside), resetting every field that a user can write;
/// * in `retained_bytes`, report the heap bytes kept (for the oversized rule);
/// * override `is_reset` and `reset_to` only if the value can be made in
///   another state than the one `reset` leaves (a pooled type whose
///   constructor sets it to something else): the defaults say "every fresh
///   value is the reset state" and restore by `reset`.
///
/// ```
/// use poolable::Reset;
///
/// struct Line { text: String, hits: u32 }
///
/// impl Reset for Line {
///     fn reset(&mut self) {
///         self.text.reset();
///         self.hits.reset();
///     }
///     fn retained_bytes(&self) -> usize {
///         self.text.retained_bytes()
///     }
/// }
///
/// let mut line = Line { text: String::with_capacity(64), hits: 3 };
/// line.text.push_str("GET /v1/tables");
/// line.reset();
/// assert!(line.text.is_empty() && line.text.capacity() >= 64 && line.hits == 0);
/// ```
///
/// A value with a state of its own to restore implements the other two:
///
/// ```
/// use poolable::Reset;
///
/// /// A content type that is `"application/json"` when fresh.
/// struct ContentType(String);
///
/// impl Reset for ContentType {
///     fn reset(&mut self) {
///         self.0.clear();
///         self.0.push_str("application/json");
///     }
///     fn retained_bytes(&self) -> usize {
///         self.0.capacity()
///     }
///     fn is_reset(&self) -> bool {
///         self.0 == "application/json"
///     }
///     fn reset_to(&mut self, fresh: &Self) -> bool {
///         self.0.reset_to(&fresh.0)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Reset`, so a pool cannot clear it between users",
    label = "this type cannot be reset",
    note = "add `#[pool(skip)]` to keep the field as is, `#[pool(default)]` to reset it with `Default::default()`, or `#[pool(reset = path::to::fn)]` to reset it with `fn(&mut T)`",
    note = "or implement `Reset` for the type (`#[derive(Reset)]` on a struct you own)"
)]
pub trait Reset {
    /// Restores the freshly-made state, keeping allocated capacity.
    fn reset(&mut self);

    /// Heap bytes this value keeps allocated (an estimate; `0` for values
    /// without heap storage). Called after [`reset`](Reset::reset); a panic
    /// here, as in `reset`, drops the object (a `panic` discard).
    fn retained_bytes(&self) -> usize {
        0
    }

    /// Whether the value is in the state [`reset`](Reset::reset) leaves it
    /// in, capacity aside: zero, `false`, empty, `None`, every field of a
    /// derived type so.
    ///
    /// A pool asks it of the first object its constructor makes, to choose
    /// between returning by `reset` alone and restoring a template (see the
    /// trait's docs). The default, `true`, says that every fresh value of the
    /// type is its reset state.
    fn is_reset(&self) -> bool {
        true
    }

    /// Makes the value, in whatever state its user left it, equal to `fresh`
    /// (a value as the pool's constructor makes it), keeping allocations.
    ///
    /// Returns `false` if it could not without a value of its own (a
    /// non-empty `fresh` collection whose elements it cannot copy): the
    /// caller then copies or replaces it. The default resets and returns
    /// whether `fresh` is in the reset state.
    fn reset_to(&mut self, fresh: &Self) -> bool
    where
        Self: Sized,
    {
        self.reset();
        fresh.is_reset()
    }

    /// Makes the value equal to `fresh`, a value its constructor just made
    /// for this, and that is dropped afterwards: where [`reset_to`](Reset::reset_to)
    /// cannot restore a part in place, that part is taken from `fresh`. The
    /// default replaces the whole value; the derive replaces only the fields
    /// that need it, and never a `#[pool(skip)]` one.
    fn reset_from(&mut self, fresh: Self)
    where
        Self: Sized,
    {
        if !self.reset_to(&fresh) {
            *self = fresh;
        }
    }

    /// Whether [`reset`](Reset::reset) is likely a few stores: then a pooled
    /// type's whole return path is inlined where its guard is dropped;
    /// otherwise the return is one out-of-line call (see
    /// `Pool::give_back`). Not public API, and a heuristic for speed
    /// only: both paths run the same code. The derive combines its fields'
    /// answers; hand-written impls keep the default, which counts plain data
    /// (no drop glue) as small. A function, not an associated `const`, so
    /// that `dyn Reset` stays possible.
    #[doc(hidden)]
    #[inline(always)]
    fn __small_reset() -> bool
    where
        Self: Sized,
    {
        !needs_drop::<Self>()
    }

    /// The first field, by name, in which `self` (just reset, or restored)
    /// differs from `fresh` (a value of the pool's constructor), among the
    /// fields whose type is `PartialEq`: the reset check of debug builds
    /// (see `Pool`'s docs). Generated by the derive; not public API.
    #[doc(hidden)]
    fn __unlike(&self, fresh: &Self) -> Option<&'static str>
    where
        Self: Sized,
    {
        let _ = fresh;
        None
    }

    /// The per-type thread-local cache `#[derive(Poolable)]` generates, with
    /// the pool it belongs to; not public API.
    ///
    /// A pool of such a type reaches its thread's cache through this static
    /// directly instead of through the engine's generic per-thread table (an
    /// id lookup and a dynamic downcast). Hand-written impls keep the default.
    #[doc(hidden)]
    #[inline]
    fn __thread_slot() -> Option<crate::cache::local::TypedSlot<Self>>
    where
        Self: Sized + Send + 'static,
    {
        None
    }

    /// The thread-local `#[derive(Poolable)]` generates for a generic type,
    /// one per definition, that holds the caches of its instantiations'
    /// pools (see `local::GenericSlot`); not public API. Hand-written impls
    /// keep the default.
    #[doc(hidden)]
    #[inline]
    fn __generic_slot() -> Option<&'static crate::sync::LocalKey<crate::cache::local::GenericSlot>>
    where
        Self: Sized,
    {
        None
    }
}
