//! Every std `Reset` impl restores the fresh state and keeps its allocation.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::time::Duration;

use poolable::Reset;

#[test]
fn scalars_go_back_to_zero() {
    let mut v = (7u8, -7i16, 70u32, -70i64);
    v.reset();
    assert_eq!(v, (0, 0, 0, 0));
    let mut v = (1u128, -1i128, 9usize, -9isize);
    v.reset();
    assert_eq!(v, (0, 0, 0, 0));
    let (mut f, mut d, mut b, mut c) = (1.5f32, -2.5f64, true, 'x');
    f.reset();
    d.reset();
    b.reset();
    c.reset();
    assert_eq!((f, d, b, c), (0.0, 0.0, false, '\0'));
    let mut t = Duration::from_secs(3);
    t.reset();
    assert_eq!(t, Duration::ZERO);
    let mut unit = ();
    unit.reset();
    let mut phantom = PhantomData::<String>;
    phantom.reset();
    assert_eq!(unit.retained_bytes() + phantom.retained_bytes(), 0);
}

#[test]
fn string_is_cleared_and_keeps_capacity() {
    let mut s = String::with_capacity(100);
    s.push_str("tenant=acme");
    s.reset();
    assert!(s.is_empty());
    assert!(s.capacity() >= 100);
    assert_eq!(s.retained_bytes(), s.capacity());
}

/// Checks one collection: filled, reset, empty, capacity kept, retained bytes reported.
macro_rules! check_collection {
    ($name:ident, $make:expr, $fill:expr, $retains:expr) => {
        #[test]
        fn $name() {
            let mut c = $make;
            #[allow(clippy::redundant_closure_call)]
            ($fill)(&mut c);
            assert!(!c.is_empty());
            let before = c.retained_bytes();
            c.reset();
            assert!(c.is_empty(), "reset must empty the collection");
            if $retains {
                assert!(before > 0 && c.retained_bytes() == before, "capacity kept");
            } else {
                assert_eq!(c.retained_bytes(), 0);
            }
        }
    };
}

check_collection!(
    vec_keeps_capacity,
    Vec::<u64>::with_capacity(32),
    |c: &mut Vec<u64>| c.extend(0..20),
    true
);
check_collection!(
    vec_deque_keeps_capacity,
    VecDeque::<u64>::with_capacity(32),
    |c: &mut VecDeque<u64>| c.extend(0..20),
    true
);
check_collection!(
    binary_heap_keeps_capacity,
    BinaryHeap::<u64>::with_capacity(32),
    |c: &mut BinaryHeap<u64>| c.extend(0..20),
    true
);
check_collection!(
    hash_map_keeps_capacity,
    HashMap::<String, u32>::with_capacity(32),
    |c: &mut HashMap<String, u32>| {
        c.insert("a".into(), 1);
    },
    true
);
check_collection!(
    hash_set_keeps_capacity,
    HashSet::<u32>::with_capacity(32),
    |c: &mut HashSet<u32>| {
        c.insert(1);
    },
    true
);
check_collection!(
    btree_map_is_cleared,
    BTreeMap::<u32, u32>::new(),
    |c: &mut BTreeMap<u32, u32>| {
        c.insert(1, 2);
    },
    false
);
check_collection!(
    btree_set_is_cleared,
    BTreeSet::<u32>::new(),
    |c: &mut BTreeSet<u32>| {
        c.insert(1);
    },
    false
);
check_collection!(
    linked_list_is_cleared,
    LinkedList::<u32>::new(),
    |c: &mut LinkedList<u32>| c.push_back(1),
    false
);

#[test]
fn vec_of_strings_is_cleared_not_reset_element_by_element() {
    let mut v = vec!["a".to_owned(), "b".to_owned()];
    let capacity = v.capacity();
    v.reset();
    assert!(v.is_empty(), "elements of a previous user must be gone, not emptied");
    assert_eq!(v.capacity(), capacity);
    assert_eq!(v.retained_bytes(), capacity * std::mem::size_of::<String>());
}

#[test]
fn option_becomes_none() {
    let mut o = Some(String::from("secret"));
    o.reset();
    assert_eq!(o, None);
    assert_eq!(o.retained_bytes(), 0);
}

#[test]
fn box_resets_in_place_and_keeps_both_allocations() {
    let mut b = Box::new(String::with_capacity(50));
    b.push('x');
    let address: *const String = &*b;
    b.reset();
    assert!(b.is_empty() && b.capacity() >= 50);
    assert!(std::ptr::eq(address, &*b), "the box itself is kept");
    assert_eq!(b.retained_bytes(), std::mem::size_of::<String>() + b.capacity());
}

#[test]
fn arrays_reset_every_element() {
    let mut a = [String::with_capacity(8), String::with_capacity(8)];
    a[0].push('x');
    a[1].push('y');
    a.reset();
    assert!(a.iter().all(String::is_empty));
    assert_eq!(a.retained_bytes(), a[0].capacity() + a[1].capacity());
    let mut n = [1u32; 4];
    n.reset();
    assert_eq!(n, [0; 4]);
}

#[test]
fn tuples_reset_every_element() {
    let mut t = (String::from("a"), 5u8, vec![1u8; 10], Some(3));
    t.reset();
    assert_eq!(t, (String::new(), 0, vec![], None));
    assert!(t.retained_bytes() >= 10);
}

/// Which types the engine's return path treats as resetting in a few stores
/// (inlined whole where a guard drops) and which as calling out of line (one
/// call); `scripts/callgrind-peers.sh` measured both choices on its three
/// workloads.
#[test]
fn small_resets_are_those_without_out_of_line_work() {
    fn small<T: Reset>() -> bool {
        T::__small_reset()
    }
    assert!(small::<u64>() && small::<String>() && small::<Vec<u8>>() && small::<[u64; 8]>());
    assert!(small::<Option<u32>>() && small::<(u8, String)>());
    assert!(!small::<Vec<String>>() && !small::<Option<String>>() && !small::<HashMap<u8, u8>>());
    assert!(!small::<(u8, Vec<String>)>() && !small::<[Option<String>; 2]>());

    fn clear(flag: &mut bool) {
        *flag = false;
    }
    #[derive(Default, poolable::Reset)]
    struct Plain {
        text: String,
        bytes: Vec<u8>,
        #[pool(default)]
        count: u32,
        #[pool(skip)]
        _names: Vec<String>,
    }
    #[derive(Default, poolable::Reset)]
    struct Names {
        names: Vec<String>,
    }
    #[derive(Default, poolable::Reset)]
    struct WithFn {
        #[pool(reset = clear)]
        flag: bool,
    }
    #[derive(Default, poolable::Reset)]
    struct DefaultString {
        #[pool(default)]
        text: String,
    }
    assert!(small::<Plain>(), "skipped fields do nothing on reset");
    assert!(!small::<Names>() && !small::<WithFn>() && !small::<DefaultString>());
}

/// `Reset` stays usable as a trait object (its hidden engine hooks are
/// `where Self: Sized`), for code that resets heterogeneous values.
#[test]
fn reset_works_through_dyn() {
    let (mut text, mut bytes) = (String::from("text"), vec![1u8, 2]);
    let values: [&mut dyn Reset; 2] = [&mut text, &mut bytes];
    for value in values {
        value.reset();
        assert!(value.retained_bytes() >= 2, "capacity kept");
    }
    assert!(text.is_empty() && text.capacity() >= 4 && bytes.is_empty() && bytes.capacity() >= 2);

    let mut boxed: Box<dyn Reset> = Box::new(String::from("boxed"));
    boxed.reset();
    assert!(boxed.retained_bytes() >= std::mem::size_of::<String>() + 5, "the box and the string's capacity");
}
