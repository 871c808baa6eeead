//! The [`Reset`] trait and its implementations for the std types a builder holds.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::mem::{needs_drop, size_of};
use std::time::Duration;

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
    fn __thread_slot() -> Option<crate::local::TypedSlot<Self>>
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
    fn __generic_slot() -> Option<&'static crate::sync::LocalKey<crate::local::GenericSlot>>
    where
        Self: Sized,
    {
        None
    }
}

/// Plain values: reset to their zero, restored by a copy.
macro_rules! reset_to {
    ($value:expr, is_reset: $is_reset:expr => $($ty:ty),* $(,)?) => {$(
        impl Reset for $ty {
            #[inline]
            fn reset(&mut self) {
                *self = $value;
            }
            #[inline]
            fn is_reset(&self) -> bool {
                #[allow(clippy::redundant_closure_call)]
                ($is_reset)(self)
            }
            #[inline]
            fn reset_to(&mut self, fresh: &Self) -> bool {
                *self = *fresh;
                true
            }
        }
    )*};
}

reset_to!(0, is_reset: |v: &Self| *v == 0 => u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);
// Bits, not `==`: `-0.0` is not the state `reset` leaves.
reset_to!(0.0, is_reset: |v: &Self| v.to_bits() == 0 => f32, f64);
reset_to!(false, is_reset: |v: &Self| !*v => bool);
reset_to!('\0', is_reset: |v: &Self| *v == '\0' => char);
reset_to!((), is_reset: |_: &Self| true => ());
reset_to!(Duration::ZERO, is_reset: |v: &Self| v.is_zero() => Duration);

impl Reset for String {
    #[inline(always)]
    fn __small_reset() -> bool {
        true
    }
    #[inline]
    fn reset(&mut self) {
        self.clear();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        self.capacity()
    }
    #[inline]
    fn is_reset(&self) -> bool {
        self.is_empty()
    }
    /// Copies `fresh` into this string's own buffer: no allocation when its
    /// capacity suffices.
    #[inline]
    fn reset_to(&mut self, fresh: &Self) -> bool {
        self.clear();
        self.push_str(fresh);
        true
    }
}

/// Collections are cleared as a whole: their elements are dropped, not reset
/// one by one, and the capacity stays. Their retained bytes are the capacity
/// times the element size (after a reset no element is left to hold more).
///
/// Clearing that has work to do (dropping elements, resetting a hash table's
/// control bytes, freeing tree nodes) runs out of line, and only when the
/// collection is not empty: inlined, its loop and deallocation calls would
/// make every pooled type's return path too big for LLVM to inline into the
/// caller. Clearing a `Vec` of `Copy` data is one store and stays inline.
macro_rules! reset_by_clear {
    ($([$($generics:tt)*] $ty:ty => $capacity:expr, clear out of line: $out_of_line:expr;)*) => {$(
        impl<$($generics)*> Reset for $ty {
            #[inline(always)]
            fn __small_reset() -> bool {
                !$out_of_line
            }
            #[inline]
            fn reset(&mut self) {
                if !$out_of_line {
                    self.clear();
                } else if !self.is_empty() {
                    clear_out_of_line(self);
                }
            }
            #[inline]
            fn retained_bytes(&self) -> usize {
                #[allow(clippy::redundant_closure_call)]
                ($capacity)(self)
            }
            #[inline]
            fn is_reset(&self) -> bool {
                self.is_empty()
            }
            /// An empty `fresh`: cleared. Any other is left for the caller
            /// to copy (the derive uses `clone_from`, which reuses the
            /// elements' allocations): clearing it first would free them.
            #[inline]
            fn reset_to(&mut self, fresh: &Self) -> bool {
                if fresh.is_empty() {
                    self.reset();
                    true
                } else {
                    false
                }
            }
        }

        impl<$($generics)*> Clear for $ty {
            fn clear_all(&mut self) {
                self.clear();
            }
        }
    )*};
}

/// The collections' `clear`, for [`clear_out_of_line`].
trait Clear {
    fn clear_all(&mut self);
}

#[inline(never)]
fn clear_out_of_line<C: Clear>(collection: &mut C) {
    collection.clear_all();
}

reset_by_clear! {
    [T] Vec<T> => |v: &Vec<T>| v.capacity() * size_of::<T>(), clear out of line: needs_drop::<T>();
    [T] VecDeque<T> => |v: &VecDeque<T>| v.capacity() * size_of::<T>(), clear out of line: needs_drop::<T>();
    [T: Ord] BinaryHeap<T> => |v: &BinaryHeap<T>| v.capacity() * size_of::<T>(),
        clear out of line: needs_drop::<T>();
    [K, V, S] HashMap<K, V, S> => |m: &HashMap<K, V, S>| m.capacity() * (size_of::<K>() + size_of::<V>()),
        clear out of line: true;
    [T, S] HashSet<T, S> => |s: &HashSet<T, S>| s.capacity() * size_of::<T>(), clear out of line: true;
    // B-trees and linked lists free their nodes on clear: nothing is retained.
    [K, V] BTreeMap<K, V> => |_: &BTreeMap<K, V>| 0, clear out of line: true;
    [T] BTreeSet<T> => |_: &BTreeSet<T>| 0, clear out of line: true;
    [T] LinkedList<T> => |_: &LinkedList<T>| 0, clear out of line: true;
}

/// `None` is the fresh state: whatever the option held is dropped (out of
/// line if that takes a destructor, as for the collections). To keep the
/// value's allocations while the field reads as `None`, use
/// [`RecycleOption`](crate::RecycleOption).
impl<T> Reset for Option<T> {
    #[inline]
    fn reset(&mut self) {
        if !needs_drop::<T>() {
            *self = None;
        } else if self.is_some() {
            drop_out_of_line(self);
        }
    }
    #[inline]
    fn is_reset(&self) -> bool {
        self.is_none()
    }
    /// `None`: reset. `Some` is left for the caller to copy (the derive
    /// uses `clone_from`, which writes into the value this option holds).
    #[inline]
    fn reset_to(&mut self, fresh: &Self) -> bool {
        if fresh.is_none() {
            self.reset();
            true
        } else {
            false
        }
    }
}

#[inline(never)]
fn drop_out_of_line<T>(option: &mut Option<T>) {
    *option = None;
}

/// The box keeps its allocation; the boxed value is reset, or restored, in
/// place.
impl<T: Reset> Reset for Box<T> {
    #[inline(always)]
    fn __small_reset() -> bool {
        T::__small_reset()
    }
    #[inline]
    fn reset(&mut self) {
        (**self).reset();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        size_of::<T>() + (**self).retained_bytes()
    }
    #[inline]
    fn is_reset(&self) -> bool {
        (**self).is_reset()
    }
    #[inline]
    fn reset_to(&mut self, fresh: &Self) -> bool {
        (**self).reset_to(fresh)
    }
    #[inline]
    fn reset_from(&mut self, fresh: Self) {
        (**self).reset_from(*fresh);
    }
}

/// Boxed trait objects: reset in place (a `dyn Reset` cannot be restored to
/// another value, so `reset_to` is the trait's default).
macro_rules! reset_dyn_box {
    ($($object:ty),*) => {$(
        impl Reset for Box<$object> {
            #[inline]
            fn reset(&mut self) {
                (**self).reset();
            }
            #[inline]
            fn retained_bytes(&self) -> usize {
                std::mem::size_of_val(&**self) + (**self).retained_bytes()
            }
            #[inline]
            fn is_reset(&self) -> bool {
                (**self).is_reset()
            }
        }
    )*};
}

reset_dyn_box!(dyn Reset, dyn Reset + Send, dyn Reset + Send + Sync);

impl<T: Reset, const N: usize> Reset for [T; N] {
    #[inline(always)]
    fn __small_reset() -> bool {
        T::__small_reset()
    }
    #[inline]
    fn reset(&mut self) {
        self.iter_mut().for_each(Reset::reset);
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        self.iter().map(Reset::retained_bytes).sum()
    }
    #[inline]
    fn is_reset(&self) -> bool {
        self.iter().all(Reset::is_reset)
    }
    #[inline]
    fn reset_to(&mut self, fresh: &Self) -> bool {
        // Every element, even after one that could not be restored.
        self.iter_mut().zip(fresh).fold(true, |all, (value, fresh)| value.reset_to(fresh) & all)
    }
}

impl<T: ?Sized> Reset for PhantomData<T> {
    #[inline]
    fn reset(&mut self) {}
}

macro_rules! reset_tuple {
    ($(($($name:ident $index:tt),+))*) => {$(
        impl<$($name: Reset),+> Reset for ($($name,)+) {
            #[inline(always)]
            fn __small_reset() -> bool {
                true $(&& $name::__small_reset())+
            }
            #[inline]
            fn reset(&mut self) {
                $(self.$index.reset();)+
            }
            #[inline]
            fn retained_bytes(&self) -> usize {
                0 $(+ self.$index.retained_bytes())+
            }
            #[inline]
            fn is_reset(&self) -> bool {
                true $(&& self.$index.is_reset())+
            }
            #[inline]
            fn reset_to(&mut self, fresh: &Self) -> bool {
                true $(& self.$index.reset_to(&fresh.$index))+
            }
        }
    )*};
}

reset_tuple! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
}
