//! Reset is complete: whatever a user wrote into a pooled object, the next
//! user gets a value equal to a freshly made one.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::time::Duration;

use poolable::{Poolable, Reset};
use proptest::prelude::*;

#[derive(Reset, Default, Debug, PartialEq, Clone)]
struct Leaf {
    name: String,
    tags: Vec<String>,
}

#[derive(Reset, Default, Debug, PartialEq, Clone)]
struct Branch {
    leaf: Leaf,
    boxed: Box<Leaf>,
    leaves: [Leaf; 2],
    count: u64,
}

/// A field of every std type with a `Reset` impl, and nested derived types.
#[derive(Poolable, Default, Debug)]
#[pool(max_retained_bytes = usize::MAX)]
struct Everything {
    u8: u8,
    u16: u16,
    u32: u32,
    u64: u64,
    u128: u128,
    usize: usize,
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    i128: i128,
    isize: isize,
    f32: f32,
    f64: f64,
    bool: bool,
    char: char,
    unit: (),
    duration: Duration,
    string: String,
    vec: Vec<u32>,
    deque: VecDeque<String>,
    heap_sorted: BinaryHeap<i64>,
    hash_map: HashMap<String, u32>,
    hash_set: HashSet<u16>,
    btree_map: BTreeMap<u8, String>,
    btree_set: BTreeSet<char>,
    list: LinkedList<u8>,
    option: Option<String>,
    boxed: Box<u32>,
    array: [u16; 4],
    tuple: (u8, String, Vec<u8>),
    phantom: PhantomData<String>,
    branch: Branch,
}

fn leaf() -> impl Strategy<Value = Leaf> {
    (".{0,12}", prop::collection::vec(".{0,6}", 0..4)).prop_map(|(name, tags)| Leaf { name, tags })
}

fn branch() -> impl Strategy<Value = Branch> {
    (leaf(), leaf(), leaf(), leaf(), any::<u64>()).prop_map(|(leaf, boxed, a, b, count)| Branch {
        leaf,
        boxed: Box::new(boxed),
        leaves: [a, b],
        count,
    })
}

/// A writer of random contents, shown by what it writes.
struct Scribble(String, Box<dyn Fn(&mut Everything)>);

impl std::fmt::Debug for Scribble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes random contents into every field of a pooled object.
fn scribble() -> impl Strategy<Value = Scribble> {
    let ints = (any::<u8>(), any::<u16>(), any::<u32>(), any::<u64>(), any::<u128>(), any::<usize>());
    let signed = (any::<i8>(), any::<i16>(), any::<i32>(), any::<i64>(), any::<i128>(), any::<isize>());
    let other = (any::<f32>(), any::<f64>(), any::<bool>(), any::<char>(), any::<u64>(), ".{0,20}");
    let collections = (
        prop::collection::vec(any::<u32>(), 0..16),
        prop::collection::vec(".{0,4}", 0..8),
        prop::collection::vec(any::<i64>(), 0..8),
        prop::collection::hash_map(".{0,4}", any::<u32>(), 0..8),
        prop::collection::hash_set(any::<u16>(), 0..8),
        prop::collection::btree_map(any::<u8>(), ".{0,4}", 0..8),
    );
    let rest = (
        prop::collection::btree_set(any::<char>(), 0..8),
        prop::collection::vec(any::<u8>(), 0..8),
        prop::option::of(".{0,8}"),
        any::<u32>(),
        any::<[u16; 4]>(),
        (any::<u8>(), ".{0,8}", prop::collection::vec(any::<u8>(), 0..8)),
    );
    (ints, signed, other, collections, rest, branch()).prop_map(
        |(ints, signed, other, collections, rest, branch)| {
            let text = format!("{ints:?} {signed:?} {other:?} {collections:?} {rest:?} {branch:?}");
            Scribble(
                text,
                Box::new(move |e: &mut Everything| {
                    (e.u8, e.u16, e.u32, e.u64, e.u128, e.usize) = ints;
                    (e.i8, e.i16, e.i32, e.i64, e.i128, e.isize) = signed;
                    (e.f32, e.f64, e.bool, e.char) = (other.0, other.1, other.2, other.3);
                    e.duration = Duration::from_nanos(other.4);
                    e.string.clone_from(&other.5);
                    e.vec.clone_from(&collections.0);
                    e.deque.extend(collections.1.iter().cloned());
                    e.heap_sorted.extend(collections.2.iter().copied());
                    e.hash_map.clone_from(&collections.3);
                    e.hash_set.clone_from(&collections.4);
                    e.btree_map.clone_from(&collections.5);
                    e.btree_set.clone_from(&rest.0);
                    e.list.extend(rest.1.iter().copied());
                    e.option.clone_from(&rest.2);
                    *e.boxed = rest.3;
                    e.array = rest.4;
                    e.tuple.clone_from(&rest.5);
                    e.branch.clone_from(&branch);
                }),
            )
        },
    )
}

/// `new = ...` with non-default values, and `reset = ...` restoring them.
#[derive(Poolable, Debug, PartialEq)]
#[pool(new = Self::new)]
struct Configured {
    body: Vec<u8>,
    #[pool(reset = restore_limit)]
    limit: u32,
    #[pool(reset = restore_region)]
    region: String,
    #[pool(default)]
    retries: Option<u8>,
    branch: Branch,
}

impl Configured {
    fn new() -> Self {
        Configured {
            body: Vec::new(),
            limit: 100,
            region: "eu-west-1".to_owned(),
            retries: None,
            branch: Branch::default(),
        }
    }
}

fn restore_limit(limit: &mut u32) {
    *limit = 100;
}

fn restore_region(region: &mut String) {
    region.clear();
    region.push_str("eu-west-1");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_returned_object_is_fresh(write in scribble()) {
        let mut object = Everything::pooled();
        (write.1)(&mut object);
        drop(object);
        let object = Everything::pooled();
        let fresh = Everything::default();
        // `BinaryHeap` has no `PartialEq`: compare every field through `Debug`
        // (collections are empty, so their order cannot differ).
        prop_assert_eq!(format!("{:?}", *object), format!("{fresh:?}"));
    }

    #[test]
    fn a_returned_object_equals_what_new_makes(
        body in prop::collection::vec(any::<u8>(), 0..64),
        limit in any::<u32>(),
        region in ".{0,16}",
        retries in any::<Option<u8>>(),
        branch in branch(),
    ) {
        let mut object = Configured::pooled();
        object.body = body;
        object.limit = limit;
        object.region = region;
        object.retries = retries;
        object.branch = branch;
        drop(object);
        let object = Configured::pooled();
        prop_assert_eq!(&*object, &Configured::new());
    }
}
