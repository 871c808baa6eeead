//! `Reset` for the std types a builder holds: scalars, strings, collections,
//! `Option`, boxes, arrays and tuples.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::mem::{needs_drop, size_of};
use std::time::Duration;

use super::Reset;

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
