//! `poolable::json::to_vec` and `to_writer` promise serde_json's bytes and
//! errors: these hold them to `serde_json::to_vec`, on generated values and
//! on every serde shape, both into a fresh buffer and after a prefix.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
    let ours = poolable::json::to_vec(value).map(|buffer| buffer.to_vec()).map_err(|e| e.to_string());
    let theirs = serde_json::to_vec(value).map_err(|e| e.to_string());
    assert_eq!(
        ours.as_ref().map(|b| String::from_utf8_lossy(b)),
        theirs.as_ref().map(|b| String::from_utf8_lossy(b))
    );
    // The appending form writes the same after what the buffer holds.
    let mut buffer = poolable::buffer();
    buffer.extend_from_slice(b"x");
    if poolable::json::to_writer(&mut buffer, value).is_ok() {
        assert_eq!(&buffer[1..], &theirs.expect("both succeed")[..]);
    }
}

/// Strings that exercise the escape: every control character, quotes,
/// backslashes, multi-byte characters, at every offset of a word.
fn tricky_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z]{0,9}",
        1 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        1 => Just("\"".to_owned()),
        1 => Just("\\".to_owned()),
        1 => Just("\u{7f}".to_owned()),
        1 => Just("é€😀".to_owned()),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((tricky_string(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_values_are_written_as_serde_json_writes_them(value in value()) {
        same_as_serde_json(&value);
    }

    #[test]
    fn generated_strings_are_escaped_as_serde_json_escapes_them(text in tricky_string()) {
        same_as_serde_json(&text);
        same_as_serde_json(&BTreeMap::from([(text.clone(), 1)]));
    }

    #[test]
    fn floats_of_both_widths_are_written_as_serde_json_writes_them(x in any::<f64>(), y in any::<f32>()) {
        same_as_serde_json(&(x, y));
    }
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Newtype(u8);

#[derive(Serialize)]
struct Tuple(i8, &'static str);

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Plain,
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(Vec<u16>),
    Tuple(u8, Option<bool>),
    Struct { a: char, b: Option<()> },
}

#[derive(Serialize)]
struct Everything {
    unit: (),
    unit_struct: Unit,
    newtype: Newtype,
    tuple: Tuple,
    shapes: Vec<Shape>,
    #[serde(with = "serde_bytes_like")]
    bytes: Vec<u8>,
    ints: (i8, i16, i32, i64, i128, u8, u16, u32, u64, u128),
    floats: (f32, f64, f32, f64, f64),
    chars: (char, char, char),
    empty: (Vec<u8>, BTreeMap<String, u8>, Value),
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    flattened: Flat,
}

#[derive(Serialize)]
struct Flat {
    #[serde(flatten)]
    inner: BTreeMap<String, u8>,
}

mod serde_bytes_like {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }
}

#[test]
fn every_serde_shape_is_written_as_serde_json_writes_it() {
    same_as_serde_json(&Everything {
        unit: (),
        unit_struct: Unit,
        newtype: Newtype(7),
        tuple: Tuple(-3, "t\u{1}"),
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(vec![1, 2]),
            Shape::Tuple(4, None),
            Shape::Struct { a: '"', b: Some(()) },
        ],
        bytes: vec![0, 127, 255],
        ints: (
            i8::MIN,
            i16::MIN,
            i32::MIN,
            i64::MIN,
            i128::MIN,
            u8::MAX,
            u16::MAX,
            u32::MAX,
            u64::MAX,
            u128::MAX,
        ),
        floats: (f32::NAN, f64::INFINITY, 1.5e-7, -0.0, 1e300),
        chars: ('\u{0}', '\u{1f}', '😀'),
        empty: (Vec::new(), BTreeMap::new(), json!({})),
        skipped: None,
        flattened: Flat { inner: BTreeMap::from([("k".to_owned(), 1)]) },
    });
}

#[test]
fn map_keys_are_quoted_or_refused_as_serde_json_does() {
    same_as_serde_json(&BTreeMap::from([(1i32, 'a'), (-2, 'b')]));
    same_as_serde_json(&BTreeMap::from([(u128::MAX, 1)]));
    same_as_serde_json(&BTreeMap::from([(i8::MIN, 1)]));
    same_as_serde_json(&BTreeMap::from([(u16::MAX, 1)]));
    same_as_serde_json(&BTreeMap::from([(i128::MIN, 1)]));
    same_as_serde_json(&BTreeMap::from([(true, 1), (false, 2)]));
    same_as_serde_json(&BTreeMap::from([('"', 1)]));
    same_as_serde_json(&BTreeMap::from([(Key::Plain, 1)]));
    same_as_serde_json(&std::collections::HashMap::from([(1.5f64.to_bits(), 1)]));
    // Floats as keys: finite ones quoted, the others serde_json's error.
    struct FloatKeys(f64);
    impl Serialize for FloatKeys {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(&self.0, &1)?;
            map.end()
        }
    }
    same_as_serde_json(&FloatKeys(2.5));
    same_as_serde_json(&FloatKeys(f64::NAN));
    // Keys that are not strings: "key must be a string", as serde_json says.
    same_as_serde_json(&BTreeMap::from([(vec![1u8], 1)]));
    same_as_serde_json(&BTreeMap::from([((), 1)]));
    same_as_serde_json(&BTreeMap::from([(Some(3), 1)]));
    same_as_serde_json(&BTreeMap::from([(None::<u8>, 1)]));
}

#[test]
fn an_error_of_the_value_itself_is_passed_on() {
    struct Fails;
    impl Serialize for Fails {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("this value refuses"))
        }
    }
    let error = poolable::json::to_vec(&vec![Fails]).expect_err("refused");
    assert_eq!(error.to_string(), "this value refuses");
}

#[test]
fn a_raw_value_is_written_as_it_is() {
    // serde_json's `RawValue` (feature `raw_value`, which axum turns on)
    // hands its text over through a private struct name; it is written as it is.
    #[derive(Serialize)]
    struct Holder {
        raw: Box<serde_json::value::RawValue>,
        after: u8,
    }
    let raw =
        serde_json::value::RawValue::from_string(r#"{"kept" : [1, 2 ]}"#.to_owned()).expect("valid JSON");
    same_as_serde_json(&Holder { raw, after: 1 });
}
