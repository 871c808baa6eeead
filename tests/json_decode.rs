//! Decoding requests into pooled objects (`poolable::json::from_slice`):
//! the result equals `serde_json::from_slice`'s on any input, whatever the
//! object held before; absent fields come out fresh; an error hands nothing
//! half-written on; at steady state a decode allocates nothing.

use poolable::{Poolable, Pooled, RecycleMap, RecycleOption, RecycleVec, Reset};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

// ---------------------------------------------------------------------------
// A per-thread allocation count (tests run on several threads at once)
// ---------------------------------------------------------------------------

use poolable_test_support::counting as counting_alloc;

use counting_alloc::CountingAlloc;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

// ---------------------------------------------------------------------------
// A nested request type with the serde attributes services use
// ---------------------------------------------------------------------------

#[derive(Poolable, Default, Serialize, Deserialize, Debug, PartialEq, Clone)]
#[pool(name = "decode_search_request", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
struct Search {
    request_id: String,
    #[serde(rename = "ns")]
    namespace: RecycleVec<String>,
    #[serde(default)]
    page_size: u32,
    /// A plain `Option`: correct, but its string is not kept.
    token: Option<String>,
    #[serde(default)]
    labels: RecycleMap<String>,
    items: RecycleVec<Item>,
    #[serde(default)]
    next: RecycleOption<String>,
    /// Never read from the input: stays as the fresh object has it.
    #[serde(skip_deserializing)]
    seen_by: u64,
    #[serde(default)]
    flags: Vec<bool>,
}

#[derive(Reset, Default, Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Item {
    sku: String,
    #[serde(alias = "quantity")]
    qty: u32,
    #[serde(default)]
    note: RecycleOption<String>,
    #[serde(default)]
    parts: RecycleVec<Part>,
}

#[derive(Reset, Default, Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Part {
    name: String,
    weight: f64,
}

fn item(sku: &str, qty: u32) -> Item {
    let mut item = Item { sku: sku.to_owned(), qty, ..Item::default() };
    item.parts.push(Part { name: format!("{sku}-a"), weight: 0.5 });
    item
}

fn search(id: &str, items: usize) -> Search {
    let mut search = Search { request_id: id.to_owned(), page_size: 50, ..Search::default() };
    search.namespace.extend(["sales".to_owned(), "eu".to_owned()]);
    search.labels.insert("team", "payments".to_owned());
    search.items.extend((0..items).map(|n| item(&format!("SKU-{n:04}"), n as u32)));
    search.next.insert(format!("cursor-{id}"));
    search.token = Some("t0k3n".to_owned());
    search.flags = vec![true, false];
    search
}

fn encode(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

fn decode(json: &[u8]) -> Pooled<Search> {
    poolable::json::from_slice::<Search>(json).expect("decodes")
}

#[test]
fn a_decoded_object_equals_serde_jsons_and_reuses_its_allocations() {
    let big = encode(&search("first", 8));
    let decoded = decode(&big);
    assert_eq!(*decoded, serde_json::from_slice::<Search>(&big).unwrap());
    let first_sku = decoded.items[0].sku.as_ptr();
    drop(decoded);

    let small = encode(&search("second", 2));
    let decoded = decode(&small);
    assert_eq!(*decoded, serde_json::from_slice::<Search>(&small).unwrap());
    assert_eq!(decoded.items[0].sku.as_ptr(), first_sku, "the kept item's string, written in place");
    assert_eq!(decoded.items.spare_len(), 6, "the other six items wait, reset");
}

#[test]
fn absent_fields_come_out_fresh_never_the_previous_users() {
    // A first user with every field set.
    drop(decode(&encode(&search("full", 3))));
    // The next input only has what is required.
    let minimal =
        br#"{"request-id": "min", "ns": [], "token": null, "items": [{"sku": "A", "quantity": 1}]}"#;
    let decoded = decode(minimal);
    let fresh: Search = serde_json::from_slice(minimal).unwrap();
    assert_eq!(*decoded, fresh);
    assert_eq!((decoded.page_size, decoded.labels.len(), decoded.next.is_none()), (0, 0, true));
    assert!(decoded.items[0].note.is_none() && decoded.items[0].parts.is_empty());
    assert!(decoded.flags.is_empty() && decoded.token.is_none());
}

#[test]
fn skip_deserializing_fields_keep_the_fresh_value() {
    let mut decoded = decode(&encode(&search("skip", 1)));
    decoded.seen_by = 42; // written by the service after decoding
    drop(decoded);
    let mut input: Value = serde_json::to_value(search("skip", 1)).unwrap();
    input["seen-by"] = Value::from(7); // present in the input, and ignored
    let decoded = decode(&serde_json::to_vec(&input).unwrap());
    assert_eq!(decoded.seen_by, 0, "the fresh object's value, not the input's nor the previous user's");
}

#[test]
fn an_error_returns_serde_jsons_error_and_hands_nothing_half_written_on() {
    let cases: [(&[u8], &str); 5] = [
        (br#"{"request-id": "x", "ns": [], "token": null, "items": []} trailing"#, "trailing characters"),
        (br#"{"request-id": "x", "ns": [], "token": null, "items": [{"sku": 1, "qty": 1}]}"#, "invalid type"),
        (br#"{"request-id": "x", "ns": ["a", "#, "EOF"),
        (br#"{"request-id": "x", "ns": [], "items": [{"sku": "a", "qty": -1}]}"#, "invalid value"),
        (br#"{"ns": [], "token": null, "items": []}"#, "missing field `request-id`"),
    ];
    for (input, expected) in cases {
        drop(decode(&encode(&search("before", 4))));
        let error = poolable::json::from_slice::<Search>(input).expect_err("an error");
        let fresh_error = serde_json::from_slice::<Search>(input).expect_err("serde_json's error too");
        assert_eq!(error.to_string(), fresh_error.to_string(), "serde_json's own error");
        assert!(error.to_string().contains(expected), "{error}");
        // The object that was half written went back, reset: the next user
        // sees only its own input.
        let minimal = br#"{"request-id": "after", "ns": ["ops"], "token": null, "items": []}"#;
        assert_eq!(*decode(minimal), serde_json::from_slice::<Search>(minimal).unwrap(), "after {expected}");
    }
}

#[test]
fn from_slice_into_resets_the_value_first_and_on_an_error() {
    let mut value = search("held", 3);
    value.seen_by = 9;
    let input = br#"{"request-id": "into", "ns": ["a"], "token": null, "items": []}"#;
    poolable::json::from_slice_into(input, &mut value).unwrap();
    assert_eq!(value, serde_json::from_slice::<Search>(input).unwrap());
    assert_eq!(value.items.spare_len(), 3, "the held value's items are kept");

    let mut value = search("held", 2);
    assert!(poolable::json::from_str_into(r#"{"request-id": 5}"#, &mut value).is_err());
    assert!(value.request_id.is_empty() && value.items.is_empty() && value.namespace.is_empty(), "{value:?}");
}

#[test]
fn from_str_decodes_as_from_slice() {
    let json = String::from_utf8(encode(&search("str", 2))).unwrap();
    assert_eq!(
        *poolable::json::from_str::<Search>(&json).unwrap(),
        serde_json::from_str::<Search>(&json).unwrap()
    );
}

/// A request builder with only recycling fields: after a warm-up, decoding
/// the same shapes again allocates nothing.
#[test]
fn a_steady_state_decode_allocates_nothing() {
    #[derive(Poolable, Default, Deserialize)]
    #[pool(name = "decode_alloc_free", max_retained_bytes = 1048576)]
    #[serde(rename_all = "kebab-case")]
    struct Commit {
        namespace: RecycleVec<String>,
        name: String,
        properties: RecycleMap<String>,
        updates: RecycleVec<Item>,
        #[serde(default)]
        token: RecycleOption<String>,
    }
    let input = |n: usize| {
        let items: Vec<Item> = (0..n).map(|i| item(&format!("SKU-{i:03}"), i as u32)).collect();
        serde_json::to_vec(&serde_json::json!({
            "namespace": ["sales", "eu"],
            "name": format!("orders_{n}"),
            "properties": {"owner": "payments", "retention": "30d", "format": "parquet"},
            "updates": items,
            "token": "eyJwYWdlIjoyfQ",
        }))
        .unwrap()
    };
    let (small, large) = (input(3), input(40));
    for _ in 0..3 {
        drop(poolable::json::from_slice::<Commit>(&large).unwrap());
        drop(poolable::json::from_slice::<Commit>(&small).unwrap());
    }
    let count = counting_alloc::on_this_thread(|| {
        for _ in 0..50 {
            let commit = poolable::json::from_slice::<Commit>(&large).unwrap();
            assert_eq!((commit.updates.len(), commit.properties.len()), (40, 3));
            drop(commit);
            let commit = poolable::json::from_slice::<Commit>(&small).unwrap();
            assert_eq!(commit.updates.len(), 3);
        }
    });
    assert_eq!(count, 0, "100 decodes into kept allocations");
    let fresh = counting_alloc::on_this_thread(|| drop(serde_json::from_slice::<Commit>(&large).unwrap()));
    assert!(fresh > 100, "a fresh decode allocates every string: {fresh}");
}

// ---------------------------------------------------------------------------
// Random inputs, decoded both ways
// ---------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    // JSON escapes and non-ASCII included.
    "[a-z0-9\"\\\\/ é\u{1F600}\n]{0,12}"
}

fn arbitrary_item() -> impl Strategy<Value = Item> {
    (
        text(),
        any::<u32>(),
        proptest::option::of(text()),
        proptest::collection::vec((text(), -1e6f64..1e6), 0..3),
    )
        .prop_map(|(sku, qty, note, parts)| Item {
            sku,
            qty,
            note: note.into(),
            parts: parts.into_iter().map(|(name, weight)| Part { name, weight }).collect(),
        })
}

fn arbitrary_search() -> impl Strategy<Value = Search> {
    (
        text(),
        proptest::collection::vec(text(), 0..4),
        any::<u32>(),
        proptest::option::of(text()),
        proptest::collection::vec((text(), text()), 0..5),
        proptest::collection::vec(arbitrary_item(), 0..6),
        proptest::option::of(text()),
        proptest::collection::vec(any::<bool>(), 0..4),
    )
        .prop_map(|(request_id, namespace, page_size, token, labels, items, next, flags)| Search {
            request_id,
            namespace: namespace.into(),
            page_size,
            token,
            labels: labels.into_iter().collect(),
            items: items.into(),
            next: next.into(),
            seen_by: 0,
            flags,
        })
}

/// The optional keys a client may leave out (the others are required).
const OPTIONAL: [&str; 4] = ["page-size", "labels", "next", "flags"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A sequence of requests decoded into pooled objects (each reusing what
    /// the previous ones left) equals `serde_json::from_slice` of each.
    #[test]
    fn pooled_decodes_equal_fresh_ones(
        requests in proptest::collection::vec((arbitrary_search(), proptest::collection::vec(any::<bool>(), 4)), 1..6)
    ) {
        for (request, omit) in requests {
            let mut value = serde_json::to_value(&request).unwrap();
            for (key, omit) in OPTIONAL.iter().zip(omit) {
                if omit {
                    value.as_object_mut().unwrap().remove(*key);
                }
            }
            let json = serde_json::to_vec(&value).unwrap();
            let fresh: Search = serde_json::from_slice(&json).unwrap();
            let pooled = poolable::json::from_slice::<Search>(&json).unwrap();
            prop_assert_eq!(&*pooled, &fresh);
        }
    }
}
