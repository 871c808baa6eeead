//! The pools of generic derived types: one per concrete instantiation.
//!
//! A `static` cannot name a type parameter, so `Page<T>` cannot have one
//! pool `static` as a concrete type has. Each instantiation's pool is made
//! on its first use instead, leaked (it must live for `'static`, as every
//! pool that hands out guards does), and kept in a process-wide table keyed
//! by `TypeId`, under a lock. Taking that lock on every `pooled()` would put
//! a lock on the hit path, so each thread remembers, in the `thread_local!`
//! the derive generates for the type's definition (a `GenericSlot`, which
//! also holds the thread's caches of the type's pools: see `route`), the
//! pool it last looked up: the hit path is one downcast of it, with no lock
//! and no allocation. A thread that alternates between instantiations finds
//! the others in its own short list of the pools it has used, still without
//! a lock. There is one leaked pool per instantiation the program uses, a
//! number fixed when it is compiled.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::fmt::{Display, Write as _};
use std::sync::{Mutex, PoisonError};

use crate::cache::local::GenericSlot;
use crate::engine::pool::Pool;
use crate::sync::LocalKey;
use crate::Reset;

/// A pool, whatever its object type: downcast to `Pool<T>` by the entry's
/// `TypeId`, which is `T`'s.
type Erased = &'static (dyn Any + Send + Sync);

/// Every instantiation's pool made so far. std's lock even under loom, as the
/// registry's: a pool is made once, and the models explore the engine, not
/// this table (an integration test races first uses instead).
static POOLS: Mutex<Vec<(TypeId, Erased)>> = Mutex::new(Vec::new());

crate::sync::thread_local_const! {
    /// The entries of `POOLS` this thread has used, in the order of its
    /// first use, for every generic type: where a lookup that is not the
    /// type's last one (in its `GenericSlot`) goes. A list, not a hash map:
    /// a program has a handful of instantiations of its generic pooled
    /// types, and a scan of a few `TypeId`s costs less than hashing one.
    static KNOWN: RefCell<Vec<(TypeId, Erased)>> = RefCell::new(Vec::new());
}

/// The pool of `T`, an instantiation of a generic `#[derive(Poolable)]`
/// type whose definition's thread-local is `slot`, made by `make` on the
/// first use in the process.
#[inline]
pub fn generic_pool<T: Reset + Send + 'static>(
    slot: &'static LocalKey<GenericSlot>,
    make: fn() -> Pool<T>,
) -> &'static Pool<T> {
    let last = slot.try_with(GenericSlot::last_pool).ok().flatten();
    match last.and_then(|pool| pool.downcast_ref::<Pool<T>>()) {
        Some(pool) => pool,
        None => lookup(slot, make),
    }
}

/// A pool that is not the one this thread last looked up through the type:
/// found in the thread's list, or on its first use of `T` in the process-wide
/// table, and remembered as the type's last.
#[inline(never)]
fn lookup<T: Reset + Send + 'static>(
    slot: &'static LocalKey<GenericSlot>,
    make: fn() -> Pool<T>,
) -> &'static Pool<T> {
    let id = TypeId::of::<T>();
    let known = KNOWN.try_with(|known| {
        let known = known.try_borrow().ok()?;
        known.iter().find(|(key, _)| *key == id).map(|&(_, pool)| pool)
    });
    let erased = match known {
        Ok(Some(pool)) => pool,
        _ => first_use(id, make),
    };
    let _ = slot.try_with(|slot| slot.remember_pool(erased));
    erased.downcast_ref::<Pool<T>>().expect("the table's entry for a `TypeId` is a pool of that type")
}

/// This thread's first use of `T`'s pool: found in, or added to, the
/// process-wide table under its lock, then remembered by the thread (unless
/// it is exiting, when its list may be gone).
#[cold]
#[inline(never)]
fn first_use<T: Reset + Send + 'static>(id: TypeId, make: fn() -> Pool<T>) -> Erased {
    let erased = {
        let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
        match pools.iter().find(|(key, _)| *key == id) {
            Some(&(_, pool)) => pool,
            None => {
                // `make` runs no user code (it builds a `Pool`, formatting
                // its label from `type_name`s and constant parameters), so it
                // cannot reach this lock again.
                let pool: &'static Pool<T> = Box::leak(Box::new(make().into_generic()));
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
    erased
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
        crate::sync::thread_local_const! {
            static SLOT: GenericSlot = GenericSlot::new();
        }
        fn pool<T: Reset + Send + Default + 'static>() -> usize {
            generic_pool::<T>(&SLOT, make) as *const Pool<T> as usize
        }
        let here = pool::<Vec<u8>>();
        let there = std::thread::spawn(pool::<Vec<u8>>).join().unwrap();
        let other = pool::<Vec<u16>>();
        assert_eq!(here, there);
        assert_ne!(here, other);
        // The last one looked up, then one found in the thread's list.
        assert_eq!(other, pool::<Vec<u16>>());
        assert_eq!(here, pool::<Vec<u8>>());
    }
}
