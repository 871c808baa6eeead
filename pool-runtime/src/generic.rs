//! The pools of generic derived types: one per concrete instantiation.
//!
//! A `static` cannot name a type parameter, so `Page<T>` cannot have one
//! pool `static` as a concrete type has. Each instantiation's pool is made
//! on its first use instead, leaked (it must live for `'static`, as every
//! pool that hands out guards does), and kept in a process-wide table keyed
//! by `TypeId`, under a lock. Taking that lock on every `pooled()` would put
//! a lock on the hit path, so each thread keeps its own copy of the entries
//! it has used: after a thread's first use of an instantiation, finding its
//! pool is a scan of that thread's short list and a downcast, with no lock
//! and no allocation. There is one leaked pool per instantiation the program
//! uses, a number fixed when it is compiled.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::fmt::{Display, Write as _};
use std::sync::{Mutex, PoisonError};

use crate::pool::Pool;
use crate::Reset;

/// A pool, whatever its object type: downcast to `Pool<T>` by the entry's
/// `TypeId`, which is `T`'s.
type Erased = &'static (dyn Any + Send + Sync);

/// Every instantiation's pool made so far. std's lock even under loom, as the
/// registry's: a pool is made once, and the models explore the engine, not
/// this table (the stress test in `tests/generic_enum.rs` races first uses).
static POOLS: Mutex<Vec<(TypeId, Erased)>> = Mutex::new(Vec::new());

crate::sync::thread_local_const! {
    /// The entries of `POOLS` this thread has used, in the order of its
    /// first use. A list, not a hash map: a program has a handful of
    /// instantiations of its generic pooled types, and a scan of a few
    /// `TypeId`s costs less than hashing one.
    static KNOWN: RefCell<Vec<(TypeId, Erased)>> = RefCell::new(Vec::new());
}

/// The pool of `T`, an instantiation of a generic `#[derive(Poolable)]`
/// type, made by `make` on the first use in the process.
#[inline]
pub fn generic_pool<T: Reset + Send + 'static>(make: fn() -> Pool<T>) -> &'static Pool<T> {
    let id = TypeId::of::<T>();
    let known = KNOWN.try_with(|known| {
        let known = known.try_borrow().ok()?;
        let (_, pool) = known.iter().find(|(key, _)| *key == id)?;
        pool.downcast_ref::<Pool<T>>()
    });
    match known {
        Ok(Some(pool)) => pool,
        _ => first_use(id, make),
    }
}

/// This thread's first use of `T`'s pool: found in, or added to, the
/// process-wide table under its lock, then remembered by the thread (unless
/// it is exiting, when its list may be gone).
#[cold]
#[inline(never)]
fn first_use<T: Reset + Send + 'static>(id: TypeId, make: fn() -> Pool<T>) -> &'static Pool<T> {
    let erased = {
        let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
        match pools.iter().find(|(key, _)| *key == id) {
            Some(&(_, pool)) => pool,
            None => {
                // `make` runs no user code (it builds a `Pool`, formatting
                // its label from `type_name`s and constant parameters), so it
                // cannot reach this lock again.
                let pool: &'static Pool<T> = Box::leak(Box::new(make()));
                pools.push((id, pool));
                pool
            }
        }
    };
    let _ = KNOWN.try_with(|known| {
        if let Ok(mut known) = known.try_borrow_mut() {
            known.push((id, erased));
        }
    });
    erased.downcast_ref::<Pool<T>>().expect("the table's entry for a `TypeId` is a pool of that type")
}

/// The metrics label of one instantiation: the type's label followed by its
/// arguments, `page<Table>`, so that two instantiations never share a series.
/// Type arguments are written without their module paths (`Vec<Table>`, not
/// `alloc::vec::Vec<my_service::Table>`), as a reader of a dashboard names
/// them.
#[doc(hidden)]
pub struct Label {
    text: String,
    args: usize,
}

impl Label {
    /// The type's own label (its `name = "..."`, or its name).
    pub fn new(name: &str) -> Self {
        let mut text = String::with_capacity(name.len() + 16);
        text.push_str(name);
        Self { text, args: 0 }
    }

    fn separator(&mut self) {
        self.text.push_str(if self.args == 0 { "<" } else { ", " });
        self.args += 1;
    }

    /// A type argument.
    #[must_use]
    pub fn ty<A: ?Sized>(mut self) -> Self {
        self.separator();
        short_type_name(std::any::type_name::<A>(), &mut self.text);
        self
    }

    /// A constant argument.
    #[must_use]
    pub fn value(mut self, value: impl Display) -> Self {
        self.separator();
        let _ = write!(self.text, "{value}");
        self
    }

    /// The label.
    pub fn finish(mut self) -> String {
        if self.args > 0 {
            self.text.push('>');
        }
        self.text
    }
}

/// `type_name` without module paths: every run of `segment::` before a name
/// is dropped (`core::option::Option<alloc::string::String>` is
/// `Option<String>`).
fn short_type_name(full: &str, out: &mut String) {
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            flush(&mut word, out);
            out.push(c);
        }
    }
    flush(&mut word, out);
}

fn flush(word: &mut String, out: &mut String) {
    out.push_str(word.rsplit("::").next().unwrap_or(word));
    word.clear();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_arguments_without_paths() {
        assert_eq!(Label::new("page").finish(), "page");
        assert_eq!(Label::new("page").ty::<String>().finish(), "page<String>");
        assert_eq!(
            Label::new("Pair").ty::<Option<Vec<String>>>().value(16).finish(),
            "Pair<Option<Vec<String>>, 16>"
        );
        assert_eq!(
            Label::new("map").ty::<std::collections::HashMap<u8, &str>>().finish(),
            "map<HashMap<u8, &str>>"
        );
        assert_eq!(Label::new("t").ty::<(u8, [u16; 4])>().finish(), "t<(u8, [u16; 4])>");
    }

    #[test]
    fn one_pool_per_type_whichever_thread_asks_first() {
        fn make<T: Reset + Send + Default + 'static>() -> Pool<T> {
            Pool::new(T::default)
        }
        let here = generic_pool::<Vec<u8>>(make) as *const Pool<Vec<u8>> as usize;
        let there = std::thread::spawn(|| generic_pool::<Vec<u8>>(make) as *const Pool<Vec<u8>> as usize)
            .join()
            .unwrap();
        let other = generic_pool::<Vec<u16>>(make) as *const Pool<Vec<u16>> as usize;
        assert_eq!(here, there);
        assert_ne!(here, other);
        assert_eq!(here, generic_pool::<Vec<u8>>(make) as *const Pool<Vec<u8>> as usize);
    }
}
