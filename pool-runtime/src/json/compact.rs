//! The compact JSON writer behind [`to_vec`](super::to_vec): the bytes
//! `serde_json::to_writer` writes, written faster.
//!
//! serde_json checks a string for characters to escape one byte at a time
//! through a table. In the catalog example's answers (JSON of 15 to 40 KiB,
//! two thirds of it short strings and keys) that loop was 59 % of every
//! pooled request's instructions (callgrind), more than the rest of the
//! request together, and so what was left once pooling had removed the
//! allocations. This writer checks eight bytes at a time (a word, with the
//! bit tricks of "Bit Twiddling Hacks": a byte below 0x20, `"` or `\`) and
//! copies each run between escapes at once. Everything else is serde_json's
//! output rule for rule: the same escapes (`\u001f`, lower-case hex), the
//! same numbers (integers by `itoa`, floats by serde_json itself; `null`
//! for a NaN or an infinity), the same
//! map keys (strings, or numbers and booleans in quotes, else the same
//! errors), the same enum shapes, and serde_json's private raw-value and
//! arbitrary-precision number tokens written raw. `tests/json_compact.rs`
//! holds it to serde_json's output on generated values.

use serde::ser::{self, Error as _, Impossible, Serialize};
use serde_json::Error;

/// The struct names under which serde_json's `RawValue` (feature
/// `raw_value`) and `Number` (feature `arbitrary_precision`) hand over
/// text to write as it is.
const RAW_TOKENS: [&str; 2] = ["$serde_json::private::RawValue", "$serde_json::private::Number"];

/// Appends `value` to `out` as compact JSON.
pub(crate) fn write<T: ?Sized + Serialize>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(&mut Writer { out })
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

/// 0: the byte is written as it is; else the letter after `\` (`u` for `\u00XX`).
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `word` that are below 0x20, `"` or `\\`, as high bits
/// (non-zero exactly when there is one; which bits are set is not used).
#[inline(always)]
fn escapes_in(word: u64) -> u64 {
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let below_0x20 = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    below_0x20 | has_zero(word ^ (ONES * b'"' as u64)) | has_zero(word ^ (ONES * b'\\' as u64))
}

/// Whether `bytes` hold anything to escape: a word at a time, without a
/// branch per word or byte (most strings hold nothing and are short).
#[inline(always)]
fn needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut found = 0;
    for word in &mut words {
        found |= escapes_in(u64::from_le_bytes(word.try_into().expect("eight bytes")));
    }
    for &byte in words.remainder() {
        found |= u64::from(ESCAPE[byte as usize]);
    }
    found != 0
}

/// Appends `value` as a JSON string.
#[inline]
fn write_str(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    if needs_escape(bytes) {
        return write_escaped(out, bytes);
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.push(b'"');
}

/// A string with something to escape: each run between escapes at once.
#[cold]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 8);
    out.push(b'"');
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escape = ESCAPE[byte as usize];
        if escape != 0 {
            out.extend_from_slice(&bytes[start..at]);
            write_escape(out, escape, byte);
            start = at + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn write_escape(out: &mut Vec<u8>, escape: u8, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match escape {
        b'u' => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[(byte >> 4) as usize],
            HEX[(byte & 0xf) as usize],
        ]),
        letter => out.extend_from_slice(&[b'\\', letter]),
    }
}

fn write_integer<I: itoa::Integer>(out: &mut Vec<u8>, value: I) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// An integer as a map key: in quotes, as serde_json writes it.
fn write_quoted_integer<I: itoa::Integer>(out: &mut Vec<u8>, value: I) {
    out.push(b'"');
    write_integer(out, value);
    out.push(b'"');
}

/// serde's ten integer methods, each writing with `$write`.
macro_rules! integers {
    ($write:ident) => {
        integers!($write: serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64,
            serialize_i128 i128, serialize_u8 u8, serialize_u16 u16, serialize_u32 u32,
            serialize_u64 u64, serialize_u128 u128);
    };
    ($write:ident: $($method:ident $t:ty),*) => {$(
        fn $method(self, value: $t) -> Result<(), Error> {
            $write(self.out, value);
            Ok(())
        }
    )*};
}

/// A float as serde_json writes it (`null` if it is not finite): by
/// serde_json itself, whose float formatting has changed crates before.
fn write_float<F: Serialize>(out: &mut Vec<u8>, value: F) -> Result<(), Error> {
    serde_json::to_writer(out, &value)
}

impl<'a, 'b> ser::Serializer for &'b mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.out.extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }
    integers!(write_integer);
    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        write_float(self.out, value)
    }
    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        write_float(self.out, value)
    }
    fn serialize_char(self, value: char) -> Result<(), Error> {
        write_str(self.out, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, value: &str) -> Result<(), Error> {
        write_str(self.out, value);
        Ok(())
    }
    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        // As serde_json: an array of numbers.
        self.out.push(b'[');
        for (i, byte) in value.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_integer(self.out, *byte);
        }
        self.out.push(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        self.out.push(b'[');
        Ok(Compound::new(self, b"]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.extend_from_slice(b":[");
        Ok(Compound::new(self, b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, 'b>, Error> {
        self.out.push(b'{');
        Ok(Compound::new(self, b"}"))
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a, 'b>, Error> {
        if RAW_TOKENS.contains(&name) {
            return Ok(Compound { raw: true, ..Compound::new(self, b"") });
        }
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, 'b>, Error> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.extend_from_slice(b":{");
        Ok(Compound::new(self, b"}}"))
    }
}

/// A sequence, map or struct being written: a comma before every element
/// but the first, `close` at the end.
pub(crate) struct Compound<'a, 'b> {
    writer: &'b mut Writer<'a>,
    first: bool,
    close: &'static [u8],
    /// A raw-value token's struct: its one field is text written as it is.
    raw: bool,
}

impl<'a, 'b> Compound<'a, 'b> {
    fn new(writer: &'b mut Writer<'a>, close: &'static [u8]) -> Self {
        Compound { writer, first: true, close, raw: false }
    }

    #[inline(always)]
    fn comma(&mut self) {
        if !self.first {
            self.writer.out.push(b',');
        }
        self.first = false;
    }

    #[inline]
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.writer)
    }

    #[inline]
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if self.raw {
            // serde_json's token structs hand their text over as a string.
            return match value.serialize(serde_json::value::Serializer)? {
                serde_json::Value::String(text) => {
                    self.writer.out.extend_from_slice(text.as_bytes());
                    Ok(())
                }
                _ => Err(Error::custom("expected a raw JSON string")),
            };
        }
        self.comma();
        write_str(self.writer.out, key);
        self.writer.out.push(b':');
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result<(), Error> {
        self.writer.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// serde's traits for a sequence of elements, one per shape serde names.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// serde's traits for named fields: a struct and a struct variant.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(KeyWriter { out: self.writer.out })
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.out.push(b':');
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// A map key: a string; a number, boolean or char in quotes; otherwise
/// serde_json's errors, with its words.
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
}

fn key_must_be_a_string() -> Error {
    Error::custom("key must be a string")
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        write_str(self.out, value);
        Ok(())
    }
    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }
    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.out.extend_from_slice(if value { b"\"true\"" } else { b"\"false\"" });
        Ok(())
    }
    integers!(write_quoted_integer);
    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::custom("float key must be finite (got NaN or +/-inf)"));
        }
        self.out.push(b'"');
        write_float(self.out, value)?;
        self.out.push(b'"');
        Ok(())
    }
    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::custom("float key must be finite (got NaN or +/-inf)"));
        }
        self.out.push(b'"');
        write_float(self.out, value)?;
        self.out.push(b'"');
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_bytes(self, _value: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_needs_escaping_exactly_when_one_of_its_bytes_does() {
        // Every byte value in every position, among bytes that need nothing.
        for byte in 0..=255u8 {
            for position in 0..8 {
                let mut word = *b"abcdefgh";
                word[position] = byte;
                let expected = ESCAPE[byte as usize] != 0;
                assert_eq!(escapes_in(u64::from_le_bytes(word)) != 0, expected, "{byte:#04x} at {position}");
                assert_eq!(needs_escape(&word), expected);
                assert_eq!(needs_escape(&word[..position + 1]), expected, "the tail, byte by byte");
            }
        }
        // Bytes just around the bounds, all eight positions at once.
        for byte in [0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xff] {
            let expected = ESCAPE[byte as usize] != 0;
            assert_eq!(escapes_in(u64::from_le_bytes([byte; 8])) != 0, expected, "{byte:#04x}");
        }
    }
}
