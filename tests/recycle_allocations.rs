//! A recycling collection refilled with the same shape after a reset
//! allocates nothing: counted by a global allocator that tallies every
//! allocation this test binary makes.
//!
//! Runs without libtest's harness (`harness = false`): the harness's own
//! thread allocates while a test runs, which a process-wide count would see.

use std::sync::atomic::Ordering::Relaxed;

use poolable::{Pool, PoolConfig, RecycleMap, RecycleOption, RecycleVec, Reset};

use poolable_test_support::counting as counting_alloc;

use counting_alloc::{CountingAlloc, ALLOCATIONS};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

#[derive(Default)]
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
}

const NAMES: [&str; 8] =
    ["orders", "customers", "line_items", "a", "invoices", "sku", "warehouse_stock", "x"];

fn fill_vec(items: &mut RecycleVec<Item>) {
    for round in 0..8u32 {
        for name in NAMES {
            let item = items.add();
            item.name.push_str(name);
            item.name.push_str("-suffix");
            item.tags.extend((0..round).chain([7, 8]));
        }
    }
}

fn fill_map(map: &mut RecycleMap<String>, keys: &[String]) {
    for key in keys {
        let value = map.entry(key);
        value.push_str("value of ");
        value.push_str(key);
    }
}

fn allocations(what: &str, f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.load(Relaxed);
    f();
    let during = ALLOCATIONS.load(Relaxed) - before;
    println!("{what}: {during} allocations");
    during
}

fn main() {
    // RecycleVec<Item>: 64 items with their own String and Vec.
    let mut items: RecycleVec<Item> = RecycleVec::new();
    assert!(allocations("first RecycleVec fill", || fill_vec(&mut items)) > 0);
    items.reset();
    assert_eq!(allocations("second RecycleVec fill", || fill_vec(&mut items)), 0, "RecycleVec refill");
    assert_eq!(items.len(), 64);

    // RecycleMap<String>: 200 keys (the index grows and rehashes the first time).
    let keys: Vec<String> = (0..200).map(|i| format!("header-{i}")).collect();
    let mut map: RecycleMap<String> = RecycleMap::new();
    assert!(allocations("first RecycleMap fill", || fill_map(&mut map, &keys)) > 0);
    map.reset();
    assert_eq!(allocations("second RecycleMap fill", || fill_map(&mut map, &keys)), 0, "RecycleMap refill");
    assert_eq!(map.len(), 200);
    // Other keys, each no longer than the kept one it is written into: still nothing.
    map.reset();
    let other: Vec<String> = (0..200).map(|i| format!("cookie-{i}")).collect();
    assert_eq!(allocations("RecycleMap refill, other keys", || fill_map(&mut map, &other)), 0);

    // RecycleOption<String>.
    let mut token: RecycleOption<String> = RecycleOption::new();
    token.get_or_insert_default().push_str("next-page-token-0123456789");
    token.reset();
    assert_eq!(
        allocations("RecycleOption refill", || token
            .get_or_insert_default()
            .push_str("next-page-token-9876543210")),
        0,
        "RecycleOption refill"
    );

    // Through a pool: a take / fill / return cycle at steady state.
    static PAGES: Pool<RecycleVec<Item>> =
        Pool::with_config(RecycleVec::new, PoolConfig::new("recycle_allocations_pages"));
    for _ in 0..3 {
        fill_vec(&mut PAGES.get());
    }
    let cycles = || {
        for _ in 0..1_000 {
            fill_vec(&mut PAGES.get());
        }
    };
    assert_eq!(allocations("1,000 pooled RecycleVec cycles", cycles), 0, "pooled cycles");

    #[cfg(feature = "serde")]
    serde_in_place();

    println!("recycle allocations: every refill after a reset allocated nothing");
}

/// In-place deserialisation into kept elements, with borrowed strings.
#[cfg(feature = "serde")]
fn serde_in_place() {
    use serde::Deserialize;

    fn in_place<'de, T: Deserialize<'de>>(json: &'de str, place: &mut T) {
        let mut de = serde_json::Deserializer::from_str(json);
        T::deserialize_in_place(&mut de, place).unwrap();
        de.end().unwrap();
    }

    let map_json = serde_json::to_string(
        &(0..100).map(|i| (format!("param-{i}"), format!("value-{i}"))).collect::<RecycleMap<String>>(),
    )
    .unwrap();
    let mut map: RecycleMap<String> = RecycleMap::new();
    in_place(&map_json, &mut map);
    assert_eq!(map.len(), 100);
    assert_eq!(allocations("RecycleMap in place again", || in_place(&map_json, &mut map)), 0, "map in place");

    let vec_json = r#"[["orders",[1,2,3]],["customers",[]],["line_items",[4,5,6,7,8]]]"#;
    let mut rows: RecycleVec<(String, RecycleVec<u32>)> = RecycleVec::new();
    in_place(vec_json, &mut rows);
    assert_eq!(allocations("RecycleVec in place again", || in_place(vec_json, &mut rows)), 0, "vec in place");
    assert_eq!(rows.len(), 3);

    let mut token: RecycleOption<String> = RecycleOption::new();
    in_place(r#""next-page-token-0123456789""#, &mut token);
    in_place("null", &mut token);
    assert_eq!(
        allocations("RecycleOption in place again", || in_place(
            r#""next-page-token-9876543210""#,
            &mut token
        )),
        0,
        "option in place"
    );
}
