//! A corpus of JSON shapes that services send, written for the encoding
//! benchmark and not taken from the catalog: what a user who swaps
//! `serde_json::to_vec` for `poolable::json::to_vec` encodes.
//!
//! Each shape is a typed value (`#[derive(Serialize)]`, as services write
//! them), built once; the benchmark encodes it again and again.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// One shape of the corpus: its name and an encoder of the value it holds.
pub struct Shape {
    pub name: &'static str,
    pub value: Box<dyn Encode>,
}

/// A value to encode, behind one object-safe interface, so that every shape
/// runs through the same two contenders.
pub trait Encode {
    /// `serde_json::to_vec` into a fresh `Vec`; returns the length.
    fn fresh_vec(&self) -> usize;
    /// `poolable::json::to_vec` into a pooled buffer; returns the length.
    fn pooled(&self) -> usize;
}

impl<T: Serialize> Encode for T {
    #[inline(never)]
    fn fresh_vec(&self) -> usize {
        let json = serde_json::to_vec(self).unwrap();
        std::hint::black_box(&json).len()
    }

    #[inline(never)]
    fn pooled(&self) -> usize {
        let json = poolable::json::to_vec(self).unwrap();
        std::hint::black_box(&json).len()
    }
}

fn shape<T: Serialize + 'static>(name: &'static str, value: T) -> Shape {
    Shape { name, value: Box::new(value) }
}

/// The corpus, smallest shapes first.
pub fn corpus() -> Vec<Shape> {
    vec![
        shape("ok_body", OkBody { ok: true, id: 4_211 }),
        shape("error_body", error_body()),
        shape("record", event(7)),
        shape("nested_small", tree(2, 3)),
        shape("metadata_40_short", metadata(40, false)),
        shape("metadata_40_long", metadata(40, true)),
        shape("metadata_800_short", metadata(800, false)),
        shape("events_500", (0..500).map(event).collect::<Vec<_>>()),
        shape("integers_5000", integers(5_000)),
        shape("floats_2000", floats(2_000)),
        shape("short_strings_3000", short_strings(3_000)),
        shape("long_strings_100", long_strings(100)),
        shape("escapes_non_ascii", escapes(600)),
        shape("map_1000", map(1_000)),
        shape("enums_2000", enums(2_000)),
        shape("nested_deep", tree(6, 3)),
    ]
}

#[derive(Serialize)]
struct OkBody {
    ok: bool,
    id: u32,
}

/// The Iceberg REST `ErrorModel` shape (what most services answer on failure).
#[derive(Serialize)]
struct ErrorBody {
    error: ErrorModel,
}

#[derive(Serialize)]
struct ErrorModel {
    message: String,
    #[serde(rename = "type")]
    kind: &'static str,
    code: u16,
    stack: Vec<String>,
}

fn error_body() -> ErrorBody {
    ErrorBody {
        error: ErrorModel {
            message: "Table does not exist: sales.orders_2024".to_owned(),
            kind: "NoSuchTableException",
            code: 404,
            stack: Vec::new(),
        },
    }
}

/// A small record of an event stream: ids, short strings, a flag, floats.
#[derive(Serialize)]
struct Event {
    id: u64,
    kind: &'static str,
    user: String,
    ok: bool,
    latency_ms: f64,
    tags: Vec<&'static str>,
    parent: Option<u64>,
}

const KINDS: [&str; 4] = ["click", "view", "purchase", "signup"];
const TAGS: [&str; 5] = ["web", "ios", "eu", "beta", "a/b"];

fn event(n: u64) -> Event {
    Event {
        id: 1_700_000_000_000 + n * 37,
        kind: KINDS[n as usize % KINDS.len()],
        user: format!("u{}", n * 7919 % 100_000),
        ok: n % 5 != 0,
        latency_ms: (n as f64) * 0.37 + 1.5,
        tags: TAGS[..(n as usize % TAGS.len()) + 1].to_vec(),
        parent: (n % 3 == 0).then_some(n / 3),
    }
}

/// Table metadata (Iceberg-like, independent of the catalog's types):
/// columns with short names (`id`, `c17`) or long ones with docs.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    format_version: u8,
    table_uuid: &'static str,
    location: String,
    last_updated_ms: u64,
    schema: Schema,
    properties: BTreeMap<String, String>,
    snapshots: Vec<Snapshot>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Schema {
    schema_id: u32,
    fields: Vec<Column>,
}

#[derive(Serialize)]
struct Column {
    id: u32,
    name: String,
    required: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    doc: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Snapshot {
    snapshot_id: u64,
    timestamp_ms: u64,
    manifest_list: String,
    summary: BTreeMap<&'static str, String>,
}

const TYPES: [&str; 6] = ["long", "string", "int", "double", "boolean", "date"];

fn metadata(columns: u32, long_names: bool) -> Metadata {
    let location = "file:///data/warehouse/sales/orders".to_owned();
    Metadata {
        format_version: 2,
        table_uuid: "5d0c1a55-2f0e-4f55-9d1b-0c5a3b1e7a11",
        location: location.clone(),
        last_updated_ms: 1_733_000_000_000,
        schema: Schema {
            schema_id: 0,
            fields: (1..=columns)
                .map(|id| Column {
                    id,
                    name: if long_names {
                        format!("customer_lifetime_value_attribute_{id:04}")
                    } else if id == 1 {
                        "id".to_owned()
                    } else {
                        format!("c{id}")
                    },
                    required: id == 1,
                    kind: TYPES[id as usize % TYPES.len()],
                    doc: long_names.then(|| format!("Attribute {id} as the finance team reports it, in EUR")),
                })
                .collect(),
        },
        properties: (0..6).map(|i| (format!("write.option.{i}"), format!("value-{i}"))).collect(),
        snapshots: (1..=3)
            .map(|n| Snapshot {
                snapshot_id: 8_000_000_000 + n,
                timestamp_ms: 1_733_000_000_000 + n * 1_000,
                manifest_list: format!("{location}/metadata/snap-{n}.avro"),
                summary: [("operation", "append".to_owned()), ("added-records", (n * 1000).to_string())]
                    .into_iter()
                    .collect(),
            })
            .collect(),
    }
}

/// Integers of every magnitude, signed and not.
#[derive(Serialize)]
struct Integers {
    counts: Vec<u64>,
    deltas: Vec<i32>,
}

fn integers(n: u64) -> Integers {
    Integers {
        counts: (0..n / 2).map(|i| i * i * 7_919 % 10u64.pow((i % 12) as u32 + 1)).collect(),
        deltas: (0..n / 2).map(|i| (i as i32 * 7_919 % 20_001) - 10_000).collect(),
    }
}

#[derive(Serialize)]
struct Floats {
    f64s: Vec<f64>,
    f32s: Vec<f32>,
}

fn floats(n: usize) -> Floats {
    Floats {
        f64s: (0..n / 2).map(|i| (i as f64).sqrt() * 1.000_1e3 - 17.25).collect(),
        f32s: (0..n / 2).map(|i| i as f32 / 3.0).collect(),
    }
}

fn short_strings(n: usize) -> Vec<String> {
    const WORDS: [&str; 8] = ["id", "name", "eu-west-1", "ok", "pending", "USD", "2024-06-01", "x"];
    (0..n).map(|i| WORDS[i % WORDS.len()].to_owned()).collect()
}

fn long_strings(n: usize) -> Vec<String> {
    (0..n).map(|i| "The quick brown fox jumps over the lazy dog; ".repeat(22) + &i.to_string()).collect()
}

/// Strings that need escaping (quotes, backslashes, newlines, tabs, control
/// characters) and non-ASCII text (accents, CJK, emoji).
fn escapes(n: usize) -> Vec<String> {
    const PIECES: [&str; 6] = [
        "line one\nline two\ttabbed",
        "C:\\Program Files\\app \"quoted\"",
        "naïve café, crème brûlée",
        "東京都渋谷区",
        "ok 👍 done ✅",
        "bell\u{7}nul\u{0}esc\u{1b}",
    ];
    (0..n).map(|i| PIECES[i % PIECES.len()].to_owned()).collect()
}

fn map(n: u32) -> HashMap<String, u64> {
    (0..n).map(|i| (format!("key_{i}"), u64::from(i) * 31)).collect()
}

/// An enum of the three shapes serde writes: unit, newtype and struct variants.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Change {
    Removed,
    Renamed(String),
    Typed { column: u32, from: &'static str, to: &'static str },
}

fn enums(n: u32) -> Vec<Change> {
    (0..n)
        .map(|i| match i % 3 {
            0 => Change::Removed,
            1 => Change::Renamed(format!("col_{i}")),
            _ => Change::Typed { column: i, from: "int", to: "long" },
        })
        .collect()
}

/// Nested objects: a tree `depth` levels deep, `fanout` children a node.
#[derive(Serialize)]
struct Node {
    name: String,
    size: u64,
    children: Vec<Node>,
}

fn tree(depth: u32, fanout: u32) -> Node {
    fn node(level: u32, depth: u32, fanout: u32, index: u32) -> Node {
        Node {
            name: format!("n{level}_{index}"),
            size: u64::from(level * 1_000 + index),
            children: if level + 1 < depth {
                (0..fanout).map(|i| node(level + 1, depth, fanout, index * fanout + i)).collect()
            } else {
                Vec::new()
            },
        }
    }
    node(0, depth, fanout, 0)
}
