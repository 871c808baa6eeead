//! The [`Reset`] trait and its implementations for the std types a builder holds.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::mem::{needs_drop, size_of};
use std::time::Duration;

/// Restores a value to its freshly-made state while keeping its allocations.
///
/// A pool calls [`reset`](Reset::reset) when a guard is dropped, before the
/// object is handed to the next user, so nothing one request wrote is visible
/// to the next. Collections are `clear()`ed (their capacity is the point of
/// pooling), scalars go back to zero, `Option`s to `None`.
///
/// [`retained_bytes`](Reset::retained_bytes) reports the heap capacity the
/// value keeps after a reset. A pool drops objects whose retained bytes exceed
/// its `max_retained_bytes` instead of keeping an oversized buffer alive
/// forever (Go's `encoding/json` and `fmt` do the same with 64 KiB).
///
/// Derive it with `#[derive(Reset)]`, or implement it by hand:
///
/// ```
/// use pool_runtime::Reset;
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

    /// Whether [`reset`](Reset::reset) is likely a few stores: then a pooled
    /// type's whole return path is inlined where its guard is dropped;
    /// otherwise the return is one out-of-line call (see
    /// `Pool::give_back_owned`). Not public API, and a heuristic for speed
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

    /// The per-type thread-local cache `#[derive(Poolable)]` generates, with
    /// the pool it belongs to; not public API.
    ///
    /// A pool of such a type reaches its thread's cache through this static
    /// directly instead of through the engine's generic per-thread table (an
    /// id lookup and a dynamic downcast). Hand-written impls keep the default.
    #[doc(hidden)]
    #[cfg(not(loom))]
    #[inline]
    fn __thread_slot() -> Option<crate::local::TypedSlot<Self>>
    where
        Self: Sized + Send + 'static,
    {
        None
    }
}

macro_rules! reset_to {
    ($value:expr => $($ty:ty),* $(,)?) => {$(
        impl Reset for $ty {
            #[inline]
            fn reset(&mut self) {
                *self = $value;
            }
        }
    )*};
}

reset_to!(0 => u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);
reset_to!(0.0 => f32, f64);
reset_to!(false => bool);
reset_to!('\0' => char);
reset_to!(() => ());
reset_to!(Duration::ZERO => Duration);

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
/// line if that takes a destructor, as for the collections).
impl<T> Reset for Option<T> {
    #[inline]
    fn reset(&mut self) {
        if !needs_drop::<T>() {
            *self = None;
        } else if self.is_some() {
            drop_out_of_line(self);
        }
    }
}

#[inline(never)]
fn drop_out_of_line<T>(option: &mut Option<T>) {
    *option = None;
}

/// The box keeps its allocation; the boxed value is reset in place.
impl<T: Reset + ?Sized> Reset for Box<T> {
    #[inline]
    fn reset(&mut self) {
        (**self).reset();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        std::mem::size_of_val(&**self) + (**self).retained_bytes()
    }
}

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
        }
    )*};
}

reset_tuple! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
}
