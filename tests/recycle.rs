//! The recycling collections: `RecycleVec`, `RecycleMap` and `RecycleOption`
//! keep their elements, reset, for the next user, and never show a previous
//! user's data.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use poolable::{Pool, PoolConfig, Poolable, RecycleMap, RecycleOption, RecycleVec, Reset};
use proptest::prelude::*;

/// An element with allocations of its own.
#[derive(Default, Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Item {
    name: String,
    tags: Vec<u32>,
}

impl Reset for Item {
    fn reset(&mut self) {
        self.name.reset();
        self.tags.reset();
    }
    fn retained_bytes(&self) -> usize {
        self.name.retained_bytes() + self.tags.retained_bytes()
    }
    fn is_reset(&self) -> bool {
        self.name.is_empty() && self.tags.is_empty()
    }
}

#[cfg(feature = "serde")]
fn item(name: &str, tags: &[u32]) -> Item {
    Item { name: name.to_owned(), tags: tags.to_vec() }
}

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn leak<T: Reset + Send + 'static>(pool: Pool<T>) -> &'static Pool<T> {
    Box::leak(Box::new(pool))
}

// ---------------------------------------------------------------- RecycleVec

#[test]
fn vec_new_and_default_are_empty_and_allocate_nothing() {
    const EMPTY: RecycleVec<String> = RecycleVec::new();
    let v = EMPTY;
    assert!(v.is_empty());
    assert_eq!((v.len(), v.spare_len(), v.retained_bytes()), (0, 0, 0));
    assert!(v.is_reset());
    let d: RecycleVec<String> = RecycleVec::default();
    assert_eq!(d, v);
}

#[test]
fn vec_add_hands_out_a_kept_element_reset_with_its_allocations() {
    let mut v: RecycleVec<Item> = RecycleVec::new();
    let first = v.add();
    assert_eq!(*first, Item::default());
    first.name.push_str("secret of user one");
    first.tags.extend([1, 2, 3]);
    let (name_ptr, name_cap) = (v[0].name.as_ptr(), v[0].name.capacity());
    let tags_ptr = v[0].tags.as_ptr();
    v.add().name.push_str("second");
    assert_eq!(v.len(), 2);

    v.reset();
    assert!(v.is_empty());
    assert_eq!(v.spare_len(), 2);
    assert!(v.is_reset());
    assert_eq!(format!("{v:?}"), "[]");

    let again = v.add();
    assert_eq!(*again, Item::default(), "no data of the previous user");
    assert_eq!((again.name.as_ptr(), again.name.capacity()), (name_ptr, name_cap));
    assert_eq!(again.tags.as_ptr(), tags_ptr);
    assert!(v.add().name.is_empty());
    assert_eq!((v.len(), v.spare_len()), (2, 0));
    // Past the kept ones: new elements.
    assert_eq!(*v.add(), Item::default());
    assert_eq!((v.len(), v.spare_len()), (3, 0));
}

#[test]
fn vec_push_takes_a_slot_and_drops_the_kept_element_there() {
    let mut v: RecycleVec<String> = RecycleVec::new();
    v.add().push_str("kept one");
    v.add().push_str("kept two");
    v.clear();
    assert_eq!(v.spare_len(), 2);
    v.push("pushed".to_owned());
    assert_eq!(v.as_slice(), ["pushed"]);
    // The kept element in that slot was replaced; the other one still waits.
    assert_eq!(v.spare_len(), 1);
    v.push("a".to_owned());
    v.push("b".to_owned());
    assert_eq!(v.as_slice(), ["pushed", "a", "b"]);
    assert_eq!(v.spare_len(), 0);
    // Push-only use keeps at most the most ever live at once.
    for _ in 0..10 {
        v.clear();
        v.extend(["x".to_owned(), "y".to_owned(), "z".to_owned()]);
    }
    assert_eq!((v.len(), v.spare_len()), (3, 0));
}

#[test]
fn vec_truncate_resets_and_keeps_the_cut_elements() {
    let mut v: RecycleVec<String> = ["a", "b", "c", "d"].map(String::from).into_iter().collect();
    v.truncate(10);
    assert_eq!(v.len(), 4, "truncating to more than len does nothing");
    let cut_ptr = v[2].as_ptr();
    v.truncate(2);
    assert_eq!(v.as_slice(), ["a", "b"]);
    assert_eq!(v.spare_len(), 2);
    let reused = v.add();
    assert!(reused.is_empty());
    assert_eq!(reused.as_ptr(), cut_ptr);
    v.clear();
    assert_eq!((v.len(), v.spare_len()), (0, 4));
    assert!(v.iter().all(String::is_empty));
}

#[test]
fn vec_derefs_and_iterates_over_live_elements_only() {
    let mut v: RecycleVec<u32> = vec![3, 1, 2, 9].into();
    v.truncate(3);
    assert_eq!(&*v, &[3, 1, 2]);
    v.sort_unstable(); // through DerefMut
    assert_eq!(v.as_slice(), [1, 2, 3]);
    v[0] = 10;
    v.as_mut_slice()[1] = 20;
    assert_eq!(v.iter().copied().collect::<Vec<_>>(), [10, 20, 3]);
    for x in v.iter_mut() {
        *x += 1;
    }
    for x in &mut v {
        *x *= 2;
    }
    assert_eq!((&v).into_iter().copied().collect::<Vec<_>>(), [22, 42, 8]);
    let slice: &[u32] = v.as_ref();
    assert_eq!(slice, [22, 42, 8]);
    let slice: &mut [u32] = v.as_mut();
    slice[2] = 0;
    assert_eq!(v.spare_len(), 1);
    assert_eq!(v.clone().into_iter().collect::<Vec<_>>(), [22, 42, 0], "by value: live elements only");
    assert_eq!(Vec::from(v), [22, 42, 0]);
}

#[test]
fn vec_extend_from_iterator_and_from_vec() {
    let mut v: RecycleVec<String> = RecycleVec::from(vec!["a".to_owned()]);
    assert_eq!((v.len(), v.spare_len()), (1, 0));
    v.extend(["b", "c"].map(String::from));
    assert_eq!(v.as_slice(), ["a", "b", "c"]);
    let collected: RecycleVec<u8> = (1..=3).collect();
    assert_eq!(collected.as_slice(), [1, 2, 3]);
}

#[test]
fn vec_debug_eq_hash_and_clone_see_live_elements_only() {
    let mut v: RecycleVec<String> = ["a", "secret"].map(String::from).into_iter().collect();
    v.truncate(1);
    assert_eq!(format!("{v:?}"), r#"["a"]"#);
    let w: RecycleVec<String> = vec!["a".to_owned()].into();
    assert_eq!(v, w, "kept elements do not count");
    assert_eq!(hash_of(&v), hash_of(&w));
    assert_ne!(v, RecycleVec::<String>::new());
    let c = v.clone();
    assert_eq!(c, v);
    assert_eq!(c.spare_len(), 0, "clone copies the live elements only");
}

#[test]
fn vec_retained_bytes_counts_every_kept_element() {
    let mut v: RecycleVec<String> = RecycleVec::new();
    for _ in 0..3 {
        v.add().reserve(100);
    }
    let strings: usize = v.iter().map(String::capacity).sum();
    assert!(strings >= 300);
    let before = v.retained_bytes();
    v.reset();
    assert_eq!(v.retained_bytes(), before, "kept elements still count");
    // The strings, and the buffer of at least 3 (a few more, by Vec's growth).
    let slot = std::mem::size_of::<String>();
    assert!((strings + 3 * slot..=strings + 8 * slot).contains(&before), "{before}");
    assert!(!<RecycleVec<String> as Reset>::__small_reset());
}

#[test]
fn vec_reset_to_restores_fresh_into_kept_elements() {
    let fresh: RecycleVec<String> = vec!["default".to_owned()].into();
    assert!(!fresh.is_reset());

    let mut v: RecycleVec<String> = vec!["x".to_owned(), "y".to_owned()].into();
    let ptr = v[0].as_ptr();
    assert!(v.reset_to(&fresh));
    assert_eq!(v, fresh);
    assert_eq!(v[0].as_ptr(), ptr, "restored into the kept element's own buffer");
    assert_eq!(v.spare_len(), 1);

    // Too few kept elements: cannot make one without Default.
    let mut empty: RecycleVec<String> = RecycleVec::new();
    assert!(!empty.reset_to(&fresh));

    // An empty fresh vector: a reset.
    let mut w: RecycleVec<String> = vec!["z".to_owned()].into();
    assert!(w.reset_to(&RecycleVec::new()));
    assert!(w.is_empty() && w.spare_len() == 1);
}

#[test]
fn vec_comes_back_from_a_pool_reset_with_its_elements() {
    let pool = leak(Pool::with_config(RecycleVec::<Item>::new, PoolConfig::new("recycle_vec_round_trip")));
    let mut v = pool.get();
    v.add().name.push_str("user one's order");
    v.add().tags.push(7);
    let ptr = v[0].name.as_ptr();
    drop(v);
    let mut v = pool.get();
    assert_eq!(format!("{:?}", *v), "[]");
    assert_eq!(v.spare_len(), 2);
    let first = v.add();
    assert_eq!(*first, Item::default());
    assert_eq!(first.name.as_ptr(), ptr);
}

#[test]
fn vec_whose_kept_elements_grew_past_the_bound_is_discarded() {
    let pool = leak(Pool::with_config(
        RecycleVec::<String>::new,
        PoolConfig::new("recycle_vec_oversized").max_retained_bytes(1024),
    ));
    let mut v = pool.get();
    for _ in 0..4 {
        v.add().reserve(64);
    }
    drop(v);
    assert_eq!(pool.discards().oversized, 0);
    assert_eq!(pool.stats().returns, 1);

    let mut v = pool.get();
    // The live elements are cleared on return, but kept: they still count.
    for _ in 0..20 {
        v.add().reserve(64);
    }
    drop(v);
    assert_eq!(pool.discards().oversized, 1);
    assert_eq!(pool.stats().returns, 1);
}

// ---------------------------------------------------------------- RecycleMap

#[test]
fn map_entry_reuses_a_kept_key_and_value() {
    let mut m: RecycleMap<String> = RecycleMap::new();
    assert!(m.is_empty() && m.is_reset());
    let value = m.entry("authorization");
    assert!(value.is_empty());
    value.push_str("Bearer secret");
    assert_eq!(m.entry("authorization"), "Bearer secret", "an existing key: its value");
    assert_eq!(m.len(), 1);
    let key_ptr = m.keys().next().unwrap().as_ptr();
    let value_ptr = m.get("authorization").unwrap().as_ptr();

    m.reset();
    assert!(m.is_empty() && m.is_reset());
    assert_eq!(m.spare_len(), 1);
    assert_eq!(m.get("authorization"), None);
    assert_eq!(format!("{m:?}"), "{}");

    let value = m.entry("accept");
    assert_eq!(value, "", "no data of the previous user");
    assert_eq!(value.as_ptr(), value_ptr);
    assert_eq!(m.keys().next().unwrap().as_ptr(), key_ptr, "the key written into the kept String");
    assert_eq!(m.keys().collect::<Vec<_>>(), ["accept"]);
    assert_eq!(m.spare_len(), 0);
}

#[test]
fn map_insert_returns_the_old_value_and_keeps_the_place() {
    let mut m: RecycleMap<u32> = RecycleMap::new();
    assert_eq!(m.insert("a", 1), None);
    assert_eq!(m.insert("b", 2), None);
    assert_eq!(m.insert("a", 10), Some(1));
    assert_eq!(m.iter().collect::<Vec<_>>(), [("a", &10), ("b", &2)]);

    // Into a kept entry: its key String is reused.
    let key_ptr = m.keys().next().unwrap().as_ptr();
    m.reset();
    assert_eq!(m.insert("c", 3), None);
    assert_eq!(m.keys().next().unwrap().as_ptr(), key_ptr);
    assert_eq!((m.len(), m.spare_len()), (1, 1));
    assert_eq!(m.get("c"), Some(&3));
}

#[test]
fn map_get_get_mut_contains_key() {
    let mut m: RecycleMap<String> = [("x", "1".to_owned()), ("y", "2".to_owned())].into_iter().collect();
    assert_eq!(m.get("x").map(String::as_str), Some("1"));
    assert_eq!(m.get("z"), None);
    m.get_mut("y").unwrap().push('!');
    assert_eq!(m.get("y").map(String::as_str), Some("2!"));
    assert!(m.get_mut("z").is_none());
    assert!(m.contains_key("x") && !m.contains_key("z") && !m.contains_key(""));
    m.insert("", "empty key".to_owned());
    assert!(m.contains_key(""));
    m.reset();
    assert!(!m.contains_key(""), "a kept entry's empty key is not a live key");
    assert_eq!(m.get(""), None);
}

#[test]
fn map_remove_keeps_insertion_order_and_lookups() {
    let mut m: RecycleMap<u32> = RecycleMap::new();
    for (i, key) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
        m.insert(key, i as u32);
    }
    assert_eq!(m.remove("b"), Some(1));
    assert_eq!(m.remove("b"), None);
    assert_eq!(m.remove("zz"), None);
    assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "c", "d", "e"]);
    for (key, value) in [("a", 0), ("c", 2), ("d", 3), ("e", 4)] {
        assert_eq!(m.get(key), Some(&value), "{key} found after the index fix-up");
    }
    assert_eq!(m.remove("e"), Some(4));
    assert_eq!(m.remove("a"), Some(0));
    assert_eq!(m.iter().collect::<Vec<_>>(), [("c", &2), ("d", &3)]);
    m.insert("f", 5);
    assert_eq!(m.keys().collect::<Vec<_>>(), ["c", "d", "f"]);
    assert_eq!(m.len(), 3);
}

#[test]
fn map_iterates_in_insertion_order() {
    let mut m: RecycleMap<u32> = RecycleMap::new();
    m.extend([("z", 1), ("a", 2)]);
    m.extend([("m".to_owned(), 3)]);
    assert_eq!(m.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
    assert_eq!(m.values().copied().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(m.keys().rev().collect::<Vec<_>>(), ["m", "a", "z"]);
    assert_eq!(m.iter().len(), 3);
    for v in m.values_mut() {
        *v *= 10;
    }
    for (key, v) in m.iter_mut() {
        if key == "a" {
            *v += 1;
        }
    }
    assert_eq!(m.iter().collect::<Vec<_>>(), [("z", &10), ("a", &21), ("m", &30)]);
    m.remove("z");
    m.clear();
    m.insert("k", 1);
    let owned: Vec<(String, u32)> = m.into_iter().collect();
    assert_eq!(owned, [("k".to_owned(), 1)], "by value: the live entries only");
}

#[test]
fn map_from_iterator_and_extend_keep_the_last_value_of_a_key() {
    let m: RecycleMap<u32> = [("a", 1), ("b", 2), ("a", 3)].into_iter().collect();
    assert_eq!(m.iter().collect::<Vec<_>>(), [("a", &3), ("b", &2)]);
    let d: RecycleMap<u32> = RecycleMap::default();
    assert!(d.is_empty());
}

#[test]
fn map_debug_clone_and_eq() {
    let mut m: RecycleMap<u32> = [("b", 2), ("a", 1), ("secret", 9)].into_iter().collect();
    m.remove("secret");
    assert_eq!(format!("{m:?}"), r#"{"b": 2, "a": 1}"#);
    let c = m.clone();
    assert_eq!(c, m);
    assert_eq!(c.get("a"), Some(&1), "the clone's index works");
    let reordered: RecycleMap<u32> = [("a", 1), ("b", 2)].into_iter().collect();
    assert_eq!(m, reordered, "map equality: order does not matter");
    let different: RecycleMap<u32> = [("a", 1), ("b", 3)].into_iter().collect();
    assert_ne!(m, different);
    let fewer: RecycleMap<u32> = [("a", 1)].into_iter().collect();
    assert_ne!(m, fewer);

    let mut kept: RecycleMap<u32> = [("a", 1), ("b", 2), ("c", 3)].into_iter().collect();
    kept.reset();
    kept.extend([("a", 1), ("b", 2)]);
    assert_eq!(kept, m, "kept entries do not count");
    assert_eq!(kept.clone().spare_len(), 0, "clone copies the live entries only");
    kept.reset();
    assert_eq!(format!("{kept:?}"), "{}");
}

#[test]
fn map_retained_bytes_counts_kept_keys_values_and_the_index() {
    let mut m: RecycleMap<String> = RecycleMap::new();
    for key in ["alpha", "beta", "gamma"] {
        m.entry(key).reserve(100);
    }
    let before = m.retained_bytes();
    assert!(before >= 300 + "alphabetagamma".len() + 3 * std::mem::size_of::<(String, String)>());
    m.reset();
    assert_eq!(m.retained_bytes(), before, "the index keeps its allocation; kept entries count");
    assert!(m.retained_bytes() >= 300 + 3 * std::mem::size_of::<usize>());
    assert!(!<RecycleMap<String> as Reset>::__small_reset());
}

#[test]
fn map_reset_to_restores_fresh_into_kept_entries() {
    let fresh: RecycleMap<String> = [("content-type", "application/json".to_owned())].into_iter().collect();
    assert!(!fresh.is_reset());
    let mut m: RecycleMap<String> = [("x", "1".to_owned()), ("y", "2".to_owned())].into_iter().collect();
    assert!(m.reset_to(&fresh));
    assert_eq!(m, fresh);
    assert_eq!(m.keys().collect::<Vec<_>>(), ["content-type"]);
    assert!(!m.contains_key("x"));
    assert_eq!(m.spare_len(), 1);

    let mut empty: RecycleMap<String> = RecycleMap::new();
    assert!(!empty.reset_to(&fresh), "no kept entry to restore into");
    assert!(m.reset_to(&RecycleMap::new()));
    assert!(m.is_empty() && m.spare_len() == 2);
}

#[test]
fn map_with_many_keys_survives_growth_and_reuse() {
    let mut m: RecycleMap<usize> = RecycleMap::new();
    for round in 0..3 {
        for i in 0..1000 {
            *m.entry(&format!("key-{i}")) += i + round;
        }
        assert_eq!(m.len(), 1000);
        for i in (0..1000).step_by(7) {
            assert_eq!(m.get(&format!("key-{i}")), Some(&(i + round)));
        }
        assert_eq!(m.get("key-1000"), None);
        m.reset();
        assert_eq!(m.spare_len(), 1000);
    }
}

// ------------------------------------------------------------- RecycleOption

#[test]
fn option_reads_as_the_option_it_stands_for() {
    const NONE: RecycleOption<String> = RecycleOption::none();
    let mut o = NONE;
    assert!(o.is_none() && !o.is_some() && !o.has_value());
    assert_eq!(o.as_ref(), None);
    assert_eq!(o.as_mut(), None);
    assert_eq!(o, RecycleOption::new());
    assert_eq!(o, RecycleOption::default());

    let mut s = RecycleOption::some("x".to_owned());
    assert!(s.is_some() && s.has_value());
    s.as_mut().unwrap().push('y');
    assert_eq!(s.as_ref().map(String::as_str), Some("xy"));
    assert_eq!(format!("{s:?}"), r#"Some("xy")"#);
    assert_eq!(s.clone(), s);
    assert_eq!(hash_of(&s), hash_of(&Some("xy".to_owned())));
    assert_ne!(s, o);

    assert_eq!(o.insert("new".to_owned()), "new");
    assert_eq!(o.into_option(), Some("new".to_owned()));
    let from: RecycleOption<u8> = Some(3).into();
    assert_eq!(Option::from(from), Some(3));
    let from: RecycleOption<u8> = None.into();
    assert!(from.is_none());
}

#[test]
fn option_clear_keeps_the_value_reset_and_reads_none() {
    let mut o: RecycleOption<String> = RecycleOption::new();
    o.get_or_insert_default().push_str("page-token-of-user-one");
    let (ptr, cap) = (o.as_ref().unwrap().as_ptr(), o.as_ref().unwrap().capacity());
    o.clear();
    assert!(o.is_none() && o.has_value());
    assert_eq!(o.as_ref(), None);
    assert_eq!(format!("{o:?}"), "None");
    assert_eq!(o, RecycleOption::none(), "a kept value does not count");
    assert_eq!(hash_of(&o), hash_of(&None::<String>));
    assert!(o.clone().is_none() && !o.clone().has_value(), "clone copies what it reads as");
    assert_eq!(o.retained_bytes(), cap, "the kept value counts");

    let value = o.get_or_insert_default();
    assert_eq!(value, "", "no data of the previous user");
    assert_eq!((value.as_ptr(), value.capacity()), (ptr, cap));
    value.push_str("two");
    // Std semantics: a live value is returned as is.
    assert_eq!(o.get_or_insert_default(), "two");
}

#[test]
fn option_take_and_into_option_give_up_the_value() {
    let mut o = RecycleOption::some("v".to_owned());
    assert_eq!(o.take(), Some("v".to_owned()));
    assert!(o.is_none() && !o.has_value());
    assert_eq!(o.take(), None);

    let mut kept = RecycleOption::some("v".to_owned());
    kept.reset();
    assert_eq!(kept.take(), None, "a kept value is not taken");
    assert!(kept.has_value());
    assert_eq!(kept.into_option(), None);

    // insert drops a kept value and reads as Some.
    let mut o = RecycleOption::some(String::with_capacity(64));
    o.clear();
    *o.insert("fresh".to_owned()) += "!";
    assert_eq!(o.as_ref().map(String::as_str), Some("fresh!"));
}

#[test]
fn option_reset_and_reset_to() {
    let mut o = RecycleOption::some("user".to_owned());
    assert!(!o.is_reset());
    o.reset();
    assert!(o.is_reset());
    assert!(!<RecycleOption<String> as Reset>::__small_reset());

    let fresh = RecycleOption::some("default".to_owned());
    let ptr = o.get_or_insert_default().as_ptr();
    o.get_or_insert_default().push_str("later");
    assert!(o.reset_to(&fresh));
    assert_eq!(o, fresh);
    assert_eq!(o.as_ref().unwrap().as_ptr(), ptr);

    assert!(o.reset_to(&RecycleOption::none()));
    assert!(o.is_none() && o.has_value());
    assert!(o.reset_to(&fresh), "from a kept value");
    assert_eq!(o, fresh);

    let mut empty: RecycleOption<String> = RecycleOption::new();
    assert!(!empty.reset_to(&fresh), "no kept value to restore into");
    assert_eq!(RecycleOption::<String>::new().retained_bytes(), 0);
}

// ------------------------------------------------------ In a derived object

#[derive(Default, Poolable)]
#[pool(name = "recycle_page")]
struct Page {
    rows: RecycleVec<Item>,
    params: RecycleMap<String>,
    next_page_token: RecycleOption<String>,
    status: u16,
}

#[test]
fn a_derived_object_keeps_its_recycled_fields_reset() {
    let mut page = Page::pooled();
    page.rows.add().name.push_str("row of user one");
    page.params.entry("tenant").push_str("acme");
    page.next_page_token.get_or_insert_default().push_str("token-1");
    page.status = 500;
    let row_ptr = page.rows[0].name.as_ptr();
    drop(page);

    let mut page = Page::pooled();
    assert!(page.rows.is_empty() && page.params.is_empty() && page.next_page_token.is_none());
    assert_eq!(page.status, 0);
    assert_eq!((page.rows.spare_len(), page.params.spare_len()), (1, 1));
    assert_eq!(format!("{:?} {:?} {:?}", page.rows, page.params, page.next_page_token), "[] {} None");
    let row = page.rows.add();
    assert_eq!(*row, Item::default());
    assert_eq!(row.name.as_ptr(), row_ptr);
    assert_eq!(page.params.entry("region"), "");
    assert_eq!(page.next_page_token.get_or_insert_default(), "");
}

// ---------------------------------------------------------------- Serde

#[cfg(feature = "serde")]
mod serde_tests {
    use serde::de::Deserialize;

    use super::*;

    fn in_place<'de, T: Deserialize<'de>>(json: &'de str, place: &mut T) -> serde_json::Result<()> {
        let mut de = serde_json::Deserializer::from_str(json);
        T::deserialize_in_place(&mut de, place)?;
        de.end()
    }

    #[test]
    fn vec_serialises_its_live_elements_as_a_sequence() {
        let mut v: RecycleVec<Item> = vec![item("a", &[1]), item("secret", &[9])].into();
        v.truncate(1);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"[{"name":"a","tags":[1]}]"#);
        v.reset();
        assert_eq!(serde_json::to_string(&v).unwrap(), "[]");
        let fresh: RecycleVec<Item> = serde_json::from_str(r#"[{"name":"b","tags":[]}]"#).unwrap();
        assert_eq!(fresh.as_slice(), [item("b", &[])]);
        assert_eq!(fresh.spare_len(), 0);
    }

    #[test]
    fn vec_in_place_reuses_kept_elements() {
        let mut v: RecycleVec<String> = RecycleVec::new();
        for _ in 0..2 {
            v.add().reserve(64);
        }
        let kept: Vec<_> = v.iter().map(|s| (s.as_ptr(), s.capacity())).collect();
        v.reset();
        in_place(r#"["one","two","three"]"#, &mut v).unwrap();
        assert_eq!(v.as_slice(), ["one", "two", "three"]);
        let now: Vec<_> = v.iter().take(2).map(|s| (s.as_ptr(), s.capacity())).collect();
        assert_eq!(now, kept, "the kept Strings' buffers were written into");

        // Live elements are overwritten too (the vector is cleared first);
        // the rest are reset and kept.
        in_place(r#"["x"]"#, &mut v).unwrap();
        assert_eq!(v.as_slice(), ["x"]);
        assert_eq!(v[0].as_ptr(), kept[0].0);
        assert_eq!(v.spare_len(), 2);
        assert!(v.add().is_empty() && v.add().is_empty());
    }

    #[test]
    fn vec_in_place_reuses_nested_allocations() {
        // Tuples and `RecycleVec` deserialise in place, so do their fields.
        let mut v: RecycleVec<(String, RecycleVec<String>)> = RecycleVec::new();
        in_place(r#"[["a",["b","c"]]]"#, &mut v).unwrap();
        let (outer, inner) = (v[0].0.as_ptr(), v[0].1[1].as_ptr());
        in_place(r#"[["d",["e","f"]]]"#, &mut v).unwrap();
        assert_eq!(v[0].0, "d");
        assert_eq!(v[0].1.as_slice(), ["e", "f"]);
        assert_eq!((v[0].0.as_ptr(), v[0].1[1].as_ptr()), (outer, inner));
    }

    #[test]
    fn vec_in_place_error_leaves_nothing_half_written() {
        let mut v: RecycleVec<(String, Vec<u32>)> = RecycleVec::new();
        in_place(r#"[["a",[1]],["b",[2]],["c",[3]]]"#, &mut v).unwrap();
        let err = in_place(r#"[["new",[4]],["half",[5,"oops"]]]"#, &mut v);
        assert!(err.is_err());
        assert_eq!(v.as_slice(), [("new".to_owned(), vec![4])], "completed elements stay");
        assert_eq!(v.spare_len(), 2);
        assert_eq!(format!("{v:?}"), r#"[("new", [4])]"#);
        assert_eq!(*v.add(), (String::new(), vec![]), "the half-written element was reset");
        assert_eq!(*v.add(), (String::new(), vec![]));

        // Past the kept ones: a failed new element is simply not added.
        let mut w: RecycleVec<String> = RecycleVec::new();
        assert!(in_place(r#"["a", 5]"#, &mut w).is_err());
        assert_eq!(w.as_slice(), ["a"]);
        assert_eq!(w.spare_len(), 0);
    }

    #[test]
    fn map_serialises_in_insertion_order() {
        let mut m: RecycleMap<u32> = [("b", 2), ("a", 1), ("gone", 3)].into_iter().collect();
        m.remove("gone");
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"b":2,"a":1}"#);
        m.reset();
        assert_eq!(serde_json::to_string(&m).unwrap(), "{}");
        let fresh: RecycleMap<u32> = serde_json::from_str(r#"{"z":1,"y":2,"z":3}"#).unwrap();
        assert_eq!(fresh.iter().collect::<Vec<_>>(), [("z", &3), ("y", &2)], "a repeated key: last wins");
    }

    #[test]
    fn map_in_place_reuses_kept_keys_and_values() {
        let mut m: RecycleMap<String> = RecycleMap::new();
        in_place(r#"{"content-type":"application/json","accept":"*/*"}"#, &mut m).unwrap();
        let keys: Vec<_> = m.keys().map(str::as_ptr).collect();
        let values: Vec<_> = m.values().map(|v| (v.as_ptr(), v.capacity())).collect();
        m.reset();
        in_place(r#"{"host":"example.com","x":"1","extra":"new"}"#, &mut m).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["host", "x", "extra"]);
        assert_eq!(m.get("host").map(String::as_str), Some("example.com"));
        // "host" fits in the capacity of the kept "content-type" key.
        assert_eq!(m.keys().next().unwrap().as_ptr(), keys[0]);
        assert_eq!(m.keys().nth(1).unwrap().as_ptr(), keys[1]);
        assert_eq!(m.values().next().unwrap().as_ptr(), values[0].0);
        assert!(!m.contains_key("accept"));

        // In place over live entries: cleared first, the rest kept.
        in_place(r#"{"only":"one"}"#, &mut m).unwrap();
        assert_eq!(m.iter().collect::<Vec<_>>(), [("only", &"one".to_owned())]);
        assert_eq!(m.spare_len(), 2);
        assert_eq!(m.entry("k"), "");
        assert_eq!(m.entry("l"), "");
    }

    #[test]
    fn map_in_place_repeated_key_last_wins() {
        let mut m: RecycleMap<RecycleVec<u32>> = RecycleMap::new();
        in_place(r#"{"a":[1,2],"b":[3],"a":[4]}"#, &mut m).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m.get("a").unwrap().as_slice(), [4]);
    }

    #[test]
    fn map_in_place_error_leaves_nothing_half_written() {
        let mut m: RecycleMap<(String, Vec<u32>)> = RecycleMap::new();
        in_place(r#"{"a":["x",[1]],"b":["y",[2]],"c":["z",[3]]}"#, &mut m).unwrap();

        // Into a kept entry.
        assert!(in_place(r#"{"p":["ok",[1]],"q":["half",[1,"oops"]]}"#, &mut m).is_err());
        assert_eq!(m.keys().collect::<Vec<_>>(), ["p"]);
        assert!(!m.contains_key("q"));
        assert_eq!(m.spare_len(), 2);
        assert_eq!(*m.entry("r"), (String::new(), vec![]), "the half-written value was reset");
        assert_eq!(*m.entry("s"), (String::new(), vec![]));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["p", "r", "s"], "no stale key in the kept entries");

        // A repeated key: its entry leaves the live ones.
        assert!(in_place(r#"{"a":["1",[]],"b":["2",[]],"a":["half",[1,"oops"]]}"#, &mut m).is_err());
        assert_eq!(m.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(m.get("b").map(|v| v.0.as_str()), Some("2"), "the index still finds the moved entry");
        assert_eq!(m.get("a"), None);
        assert_eq!(m.spare_len(), 2);
        assert_eq!(*m.entry("t"), (String::new(), vec![]));
        assert_eq!(*m.entry("u"), (String::new(), vec![]));

        // Past the kept ones: a failed new entry is simply not added.
        let mut n: RecycleMap<String> = RecycleMap::new();
        assert!(in_place(r#"{"a":"1","b":2}"#, &mut n).is_err());
        assert_eq!(n.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(n.spare_len(), 0);
    }

    #[derive(serde::Serialize)]
    struct Response<'a> {
        items: &'a RecycleVec<String>,
        #[serde(skip_serializing_if = "RecycleOption::is_none")]
        next_page_token: &'a RecycleOption<String>,
    }

    #[test]
    fn option_serialises_as_an_option() {
        let items = RecycleVec::new();
        let mut token = RecycleOption::some("p2".to_owned());
        assert_eq!(serde_json::to_string(&token).unwrap(), r#""p2""#);
        let body = serde_json::to_string(&Response { items: &items, next_page_token: &token }).unwrap();
        assert_eq!(body, r#"{"items":[],"next_page_token":"p2"}"#);
        token.reset();
        assert_eq!(serde_json::to_string(&token).unwrap(), "null", "a kept value does not show");
        let body = serde_json::to_string(&Response { items: &items, next_page_token: &token }).unwrap();
        assert_eq!(body, r#"{"items":[]}"#);

        let fresh: RecycleOption<String> = serde_json::from_str(r#""v""#).unwrap();
        assert_eq!(fresh, RecycleOption::some("v".to_owned()));
        let fresh: RecycleOption<String> = serde_json::from_str("null").unwrap();
        assert!(fresh.is_none());
    }

    #[test]
    fn option_in_place_reuses_the_kept_value() {
        let mut o: RecycleOption<String> = RecycleOption::new();
        in_place(r#""a long enough token""#, &mut o).unwrap();
        let (ptr, cap) = (o.as_ref().unwrap().as_ptr(), o.as_ref().unwrap().capacity());
        in_place("null", &mut o).unwrap();
        assert!(o.is_none() && o.has_value(), "null: cleared, the value kept");
        in_place(r#""token 2""#, &mut o).unwrap();
        assert_eq!(o.as_ref().map(String::as_str), Some("token 2"));
        assert_eq!((o.as_ref().unwrap().as_ptr(), o.as_ref().unwrap().capacity()), (ptr, cap));

        let mut e: RecycleOption<(String, Vec<u32>)> = RecycleOption::some(("x".to_owned(), vec![1]));
        assert!(in_place(r#"["half",[1,"oops"]]"#, &mut e).is_err());
        assert!(e.is_none(), "an error leaves it None");
        assert_eq!(*e.get_or_insert_default(), (String::new(), vec![]), "the kept value was reset");

        let mut n: RecycleOption<u32> = RecycleOption::new();
        assert!(in_place(r#""nope""#, &mut n).is_err());
        assert!(n.is_none() && !n.has_value());
    }
}

// ---------------------------------------------------------------- Models

#[derive(Debug, Clone)]
enum VecOp {
    Add(String),
    Push(String),
    Truncate(usize),
    Clear,
    Reset,
    Set(usize, String),
    ResetTo(Vec<String>),
}

fn vec_op() -> impl Strategy<Value = VecOp> {
    prop_oneof![
        4 => "[a-z]{0,6}".prop_map(VecOp::Add),
        2 => "[a-z]{0,6}".prop_map(VecOp::Push),
        1 => (0usize..8).prop_map(VecOp::Truncate),
        1 => Just(VecOp::Clear),
        1 => Just(VecOp::Reset),
        1 => (0usize..8, "[a-z]{0,6}").prop_map(|(i, s)| VecOp::Set(i, s)),
        1 => proptest::collection::vec("[a-z]{0,3}", 0..4).prop_map(VecOp::ResetTo),
    ]
}

#[derive(Debug, Clone)]
enum MapOp {
    Entry(String, String),
    Insert(String, String),
    Remove(String),
    Reset,
    ResetTo(Vec<(String, String)>),
}

fn map_op() -> impl Strategy<Value = MapOp> {
    let key = "[a-f]{0,2}";
    prop_oneof![
        4 => (key, "[a-z]{0,4}").prop_map(|(k, v)| MapOp::Entry(k, v)),
        3 => (key, "[a-z]{0,4}").prop_map(|(k, v)| MapOp::Insert(k, v)),
        2 => key.prop_map(MapOp::Remove),
        1 => Just(MapOp::Reset),
        1 => proptest::collection::vec((key, "[a-z]{0,3}"), 0..4).prop_map(MapOp::ResetTo),
    ]
}

/// Lookups scan up to 16 live entries and go through the hash index past
/// them: a map that grows past that and shrinks back finds every key all the
/// way, in order, and after a reset refills without allocating an entry.
#[test]
fn map_lookups_across_the_scan_threshold() {
    let mut map: RecycleMap<u32> = RecycleMap::new();
    for n in 0..40u32 {
        map.insert(&format!("key-{n}"), n);
        for m in 0..=n {
            assert_eq!(map.get(&format!("key-{m}")), Some(&m), "{n} entries");
        }
        assert!(map.get("absent").is_none());
    }
    // Remove the odd ones, from the top: 40 entries down to 20.
    for n in (1..40u32).rev().step_by(2) {
        assert_eq!(map.remove(&format!("key-{n}")), Some(n));
        assert!(map.get(&format!("key-{n}")).is_none());
        for m in map.values().copied().collect::<Vec<_>>() {
            assert_eq!(map.get(&format!("key-{m}")), Some(&m), "after removing {n}");
        }
    }
    let left: Vec<u32> = map.values().copied().collect();
    assert_eq!(left, (0..40).filter(|n| n % 2 == 0).collect::<Vec<_>>());
    for n in left {
        assert_eq!(map.get(&format!("key-{n}")), Some(&n));
    }
    // Down below the threshold, removing from the front (positions shift).
    while map.len() > 3 {
        let first = map.keys().next().unwrap().to_owned();
        assert!(map.remove(&first).is_some());
        for m in map.values().copied().collect::<Vec<_>>() {
            assert_eq!(map.get(&format!("key-{m}")), Some(&m), "{} entries", map.len());
        }
    }
    assert_eq!(map.keys().collect::<Vec<_>>(), ["key-34", "key-36", "key-38"]);
    map.reset();
    for n in 0..40u32 {
        *map.entry(&format!("key-{n}")) = n;
    }
    assert_eq!(map.get("key-39"), Some(&39));
    assert_eq!(map.get("key-17"), Some(&17));
}

fn model_insert(model: &mut Vec<(String, String)>, key: &str, value: String) -> Option<String> {
    match model.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => Some(std::mem::replace(v, value)),
        None => {
            model.push((key.to_owned(), value));
            None
        }
    }
}

proptest! {
    #[test]
    fn recycle_vec_behaves_like_a_vec(ops in proptest::collection::vec(vec_op(), 0..60)) {
        let mut v: RecycleVec<String> = RecycleVec::new();
        let mut model: Vec<String> = Vec::new();
        let mut most = 0;
        for op in ops {
            match op {
                VecOp::Add(s) => {
                    let slot = v.add();
                    prop_assert!(slot.is_empty(), "add hands out a reset element");
                    slot.push_str(&s);
                    model.push(s);
                }
                VecOp::Push(s) => {
                    v.push(s.clone());
                    model.push(s);
                }
                VecOp::Truncate(n) => {
                    v.truncate(n);
                    model.truncate(n);
                }
                VecOp::Clear => {
                    v.clear();
                    model.clear();
                }
                VecOp::Reset => {
                    v.reset();
                    model.clear();
                }
                VecOp::Set(i, s) => {
                    if i < model.len() {
                        v[i].clone_from(&s);
                        model[i] = s;
                    }
                }
                VecOp::ResetTo(fresh) => {
                    let kept = v.len() + v.spare_len();
                    let restored = v.reset_to(&fresh.clone().into());
                    prop_assert_eq!(restored, fresh.len() <= kept);
                    model = if restored { fresh } else { Vec::new() };
                }
            }
            most = most.max(model.len());
            prop_assert_eq!(v.as_slice(), model.as_slice());
            prop_assert_eq!(v.len(), model.len());
            prop_assert_eq!(format!("{v:?}"), format!("{model:?}"));
            prop_assert!(v.len() + v.spare_len() <= most, "kept at most the most ever live");
            prop_assert_eq!(v.is_reset(), model.is_empty());
        }
        // Every kept element is reset.
        while v.spare_len() > 0 {
            prop_assert!(v.add().is_empty());
        }
    }

    #[test]
    // Up to 150 operations on 43 keys: maps grow past the 16 entries up to
    // which lookups scan, and shrink back below them.
    fn recycle_map_behaves_like_an_ordered_map(ops in proptest::collection::vec(map_op(), 0..150)) {
        let mut m: RecycleMap<String> = RecycleMap::new();
        let mut model: Vec<(String, String)> = Vec::new();
        for op in ops {
            match op {
                MapOp::Entry(k, s) => {
                    let fresh = !model.iter().any(|(key, _)| *key == k);
                    let value = m.entry(&k);
                    if fresh {
                        prop_assert!(value.is_empty(), "a new entry's value is reset");
                    }
                    value.push_str(&s);
                    match model.iter_mut().find(|(key, _)| *key == k) {
                        Some((_, v)) => v.push_str(&s),
                        None => model.push((k, s)),
                    }
                }
                MapOp::Insert(k, s) => {
                    let expected = model_insert(&mut model, &k, s.clone());
                    prop_assert_eq!(m.insert(&k, s), expected);
                }
                MapOp::Remove(k) => {
                    let expected = model.iter().position(|(key, _)| *key == k).map(|i| model.remove(i).1);
                    prop_assert_eq!(m.remove(&k), expected);
                }
                MapOp::Reset => {
                    m.reset();
                    model.clear();
                }
                MapOp::ResetTo(pairs) => {
                    let fresh: RecycleMap<String> = pairs.iter().map(|(k, v)| (k, v.clone())).collect();
                    let kept = m.len() + m.spare_len();
                    let restored = m.reset_to(&fresh);
                    prop_assert_eq!(restored, fresh.len() <= kept);
                    model.clear();
                    if restored {
                        for (k, v) in pairs {
                            model_insert(&mut model, &k, v);
                        }
                    }
                }
            }
            prop_assert_eq!(m.len(), model.len());
            let entries: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k, v.as_str())).collect();
            let expected: Vec<(&str, &str)> = model.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            prop_assert_eq!(entries, expected);
            for (k, v) in &model {
                prop_assert_eq!(m.get(k), Some(v));
                prop_assert!(m.contains_key(k));
            }
            for absent in ["", "a", "ab", "e", "zz"] {
                if !model.iter().any(|(k, _)| k == absent) {
                    prop_assert!(m.get(absent).is_none());
                }
            }
        }
        // Every kept entry is reset: its value, and no stale key is found.
        let mut i = 0;
        while m.spare_len() > 0 {
            let key = format!("new-{i}");
            prop_assert!(m.entry(&key).is_empty());
            i += 1;
        }
        prop_assert_eq!(m.len(), model.len() + i);
    }
}

#[cfg(feature = "serde")]
proptest! {
    /// In place, whatever the prior state, the result equals a fresh decode.
    #[test]
    fn in_place_equals_fresh(
        before in proptest::collection::vec(("[a-c]{0,2}", "[a-z]{0,5}"), 0..6),
        after in proptest::collection::vec(("[a-c]{0,2}", "[a-z]{0,5}"), 0..6),
        reset in any::<bool>(),
    ) {
        let mut m: RecycleMap<String> = before.iter().map(|(k, v)| (k, v.clone())).collect();
        let mut v: RecycleVec<String> = before.iter().map(|(_, v)| v.clone()).collect();
        if reset {
            m.reset();
            v.reset();
        }
        let target: RecycleMap<String> = after.iter().map(|(k, v)| (k, v.clone())).collect();
        let json = serde_json::to_string(&target).unwrap();
        serde::Deserialize::deserialize_in_place(&mut serde_json::Deserializer::from_str(&json), &mut m).unwrap();
        let fresh: RecycleMap<String> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(m.iter().collect::<Vec<_>>(), fresh.iter().collect::<Vec<_>>());
        prop_assert_eq!(&m, &target);

        let target: Vec<String> = after.into_iter().map(|(_, v)| v).collect();
        let json = serde_json::to_string(&target).unwrap();
        serde::Deserialize::deserialize_in_place(&mut serde_json::Deserializer::from_str(&json), &mut v).unwrap();
        prop_assert_eq!(v.as_slice(), target.as_slice());
    }
}
