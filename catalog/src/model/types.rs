//! Iceberg's field types, written either as a string (`"long"`,
//! `"decimal(12, 2)"`) or, for the nested ones, as an object (`{"type":
//! "list", "element-id": 4, "element": "string", "element-required": true}`).
//!
//! serde decodes a type of two shapes only as a whole (an untagged enum,
//! built fresh), so [`FieldType`] decodes itself: a primitive, by far the
//! most common, is written in place into the string it kept from an earlier
//! request (no allocation); a nested type is built fresh in a box (its
//! allocations are those of a fresh value: the cost of the two shapes,
//! paid only where a schema has nested columns).

use std::fmt;

use poolable::{RecycleVec, Reset};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A field's type: a primitive's name, or a nested type.
#[derive(Reset, Default, Clone, Debug, PartialEq)]
pub struct FieldType {
    /// The primitive's name (`long`, `timestamptz`, `decimal(9, 2)`), empty
    /// for a nested type.
    pub primitive: String,
    /// A struct, list or map.
    #[pool(default)]
    pub nested: Option<Box<NestedType>>,
}

/// `struct`, `list` or `map`, with what each carries.
#[derive(Reset, Default, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct NestedType {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<RecycleVec<super::NestedField>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_id: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<FieldType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<FieldType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_id: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FieldType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_required: Option<bool>,
}

impl FieldType {
    /// A primitive type.
    pub fn primitive(name: &str) -> Self {
        FieldType { primitive: name.to_owned(), nested: None }
    }

    /// The primitive's name, `None` for a nested type.
    pub fn as_primitive(&self) -> Option<&str> {
        self.nested.is_none().then_some(self.primitive.as_str())
    }

    /// Writes `from` into `self`, which is reset: a primitive into the kept
    /// string.
    pub fn fill_from(&mut self, from: &FieldType) {
        self.primitive.push_str(&from.primitive);
        self.nested.clone_from(&from.nested);
    }

    /// Whether a value of this type is well formed: a known primitive, or
    /// a nested type with what its kind needs.
    pub fn check(&self) -> Result<(), String> {
        match &self.nested {
            None if is_primitive(&self.primitive) => Ok(()),
            None => Err(format!("unknown type {}", super::echo(&self.primitive))),
            Some(nested) => nested.check(),
        }
    }

    /// Every field id this type holds (nested fields, list elements, map
    /// keys and values), depth first.
    pub fn ids(&self, out: &mut Vec<i32>) {
        let Some(nested) = &self.nested else { return };
        for field in nested.fields.iter().flat_map(|fields| fields.iter()) {
            out.push(field.id);
            field.kind.ids(out);
        }
        for (id, kind) in [
            (nested.element_id, &nested.element),
            (nested.key_id, &nested.key),
            (nested.value_id, &nested.value),
        ] {
            if let Some(id) = id {
                out.push(id);
            }
            if let Some(kind) = kind {
                kind.ids(out);
            }
        }
    }

    /// Renumbers the ids this type holds with `next` (depth first, as
    /// Iceberg assigns fresh ids), recording old -> new in `map`.
    pub fn renumber(&mut self, next: &mut i32, map: &mut Vec<(i32, i32)>) {
        let Some(nested) = &mut self.nested else { return };
        if let Some(fields) = &mut nested.fields {
            renumber_fields(fields, next, map);
        }
        for id in [&mut nested.element_id, &mut nested.key_id, &mut nested.value_id].into_iter().flatten() {
            *next += 1;
            map.push((*id, *next));
            *id = *next;
        }
        for kind in [&mut nested.element, &mut nested.key, &mut nested.value].into_iter().flatten() {
            kind.renumber(next, map);
        }
    }
}

/// Renumbers `fields` and what they hold with `next`, as Iceberg assigns
/// fresh ids: a struct's own fields first, then what each holds.
pub fn renumber_fields(
    fields: &mut RecycleVec<super::NestedField>,
    next: &mut i32,
    map: &mut Vec<(i32, i32)>,
) {
    for field in fields.iter_mut() {
        *next += 1;
        map.push((field.id, *next));
        field.id = *next;
    }
    for field in fields.iter_mut() {
        field.kind.renumber(next, map);
    }
}

impl NestedType {
    fn check(&self) -> Result<(), String> {
        match self.kind.as_str() {
            "struct" => {
                for field in self.fields.iter().flat_map(|fields| fields.iter()) {
                    field.kind.check()?;
                }
                Ok(())
            }
            "list" => match (&self.element_id, &self.element) {
                (Some(_), Some(element)) => element.check(),
                _ => Err("a list type needs \"element-id\" and \"element\"".to_owned()),
            },
            "map" => match (&self.key_id, &self.key, &self.value_id, &self.value) {
                (Some(_), Some(key), Some(_), Some(value)) => key.check().and_then(|()| value.check()),
                _ => Err("a map type needs \"key-id\", \"key\", \"value-id\" and \"value\"".to_owned()),
            },
            other => Err(format!("unknown nested type {}", super::echo(other))),
        }
    }
}

/// Iceberg's primitive types (format version 2, and the nanosecond
/// timestamps of version 3).
pub fn is_primitive(name: &str) -> bool {
    const PLAIN: [&str; 15] = [
        "boolean",
        "int",
        "long",
        "float",
        "double",
        "date",
        "time",
        "timestamp",
        "timestamptz",
        "timestamp_ns",
        "timestamptz_ns",
        "string",
        "uuid",
        "binary",
        "unknown",
    ];
    PLAIN.contains(&name)
        || parenthesised(name, "fixed[", "]").is_some_and(|n| n.parse::<u32>().is_ok())
        || parenthesised(name, "decimal(", ")").is_some_and(|inner| {
            inner.split_once(',').is_some_and(|(p, s)| {
                p.trim().parse::<u32>().is_ok_and(|p| (1..=38).contains(&p))
                    && s.trim().parse::<u32>().is_ok()
            })
        })
}

fn parenthesised<'a>(name: &'a str, open: &str, close: &str) -> Option<&'a str> {
    name.strip_prefix(open)?.strip_suffix(close)
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.nested {
            Some(nested) => nested.serialize(serializer),
            None => serializer.serialize_str(&self.primitive),
        }
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = FieldType::default();
        FieldType::deserialize_in_place(deserializer, &mut value)?;
        Ok(value)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        deserializer.deserialize_any(InPlace(place))
    }
}

struct InPlace<'a>(&'a mut FieldType);

impl<'de> Visitor<'de> for InPlace<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a type name or a nested type object")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<(), E> {
        self.0.primitive.clear();
        self.0.primitive.push_str(name);
        self.0.nested = None;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let nested = NestedType::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.0.primitive.clear();
        self.0.nested = Some(Box::new(nested));
        Ok(())
    }
}
