//! Encoding into pooled buffers (see [the module docs](crate::json#encoding)).

use std::cell::Cell;

use serde_core::Serialize;

use crate::io::buffer::{buffer_with_capacity, PooledBuffer};

/// Up to this size, every expected length picks the smallest class.
const MIN_CAPACITY: usize = PooledBuffer::CLASS_SIZES[0];

std::thread_local! {
    /// The decaying maximum of this thread's recent `to_vec` output lengths.
    static EXPECTED_LEN: Cell<usize> = const { Cell::new(0) };
}

/// The size to expect next: the new length, or the remembered one less
/// 1/64, whichever is larger. Slow on purpose: with answers of mixed sizes a
/// smaller class is only chosen after ~60 calls without a large answer (40
/// to 16 KiB), so buffers do not grow out of their class every time a large
/// answer follows a few small ones.
fn expect_next(remembered: usize, len: usize) -> usize {
    len.max(remembered - remembered / 64)
}

/// Serialises `value` as JSON into a pooled buffer, from the class of this
/// thread's recent outputs (see [Which class](crate::json#which-class)).
#[inline]
#[track_caller]
pub fn to_vec<T: ?Sized + Serialize>(value: &T) -> Result<PooledBuffer, serde_json::Error> {
    let expected = EXPECTED_LEN.with(Cell::get);
    let mut out = buffer_with_capacity(expected);
    let bytes: &mut Vec<u8> = &mut out;
    serde_json::to_writer(&mut *bytes, value)?;
    // Every size up to the smallest class's picks that class: the common
    // small answer leaves the remembered size as it is.
    let len = bytes.len();
    if len > expected || expected > MIN_CAPACITY {
        EXPECTED_LEN.with(|last| last.set(expect_next(expected, len)));
    }
    Ok(out)
}

/// Like [`to_vec`], from the class that holds `capacity` bytes.
#[inline]
#[track_caller]
pub fn to_vec_with_capacity<T: ?Sized + Serialize>(
    value: &T,
    capacity: usize,
) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = buffer_with_capacity(capacity);
    serde_json::to_writer(&mut *out, value)?;
    Ok(out)
}

/// Serialises `value` as pretty-printed JSON into a pooled buffer.
#[track_caller]
pub fn to_vec_pretty<T: ?Sized + Serialize>(value: &T) -> Result<PooledBuffer, serde_json::Error> {
    let mut out = crate::buffer();
    serde_json::to_writer_pretty(&mut *out, value)?;
    Ok(out)
}

/// Appends `value` as JSON to `out` (for framing several values in one
/// buffer, or writing after a prefix).
///
/// ```
/// let mut out = poolable::buffer();
/// poolable::json::to_writer(&mut out, &[1, 2])?;
/// out.push(b'\n');
/// poolable::json::to_writer(&mut out, &"three")?;
/// assert_eq!(&out[..], b"[1,2]\n\"three\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[inline]
pub fn to_writer<T: ?Sized + Serialize>(out: &mut PooledBuffer, value: &T) -> Result<(), serde_json::Error> {
    serde_json::to_writer(&mut **out, value)
}

#[cfg(test)]
mod tests {
    use super::expect_next;

    #[test]
    fn the_expected_size_follows_growth_at_once_and_shrinks_slowly() {
        assert_eq!(expect_next(0, 3_000), 3_000);
        assert_eq!(expect_next(3_000, 40_000), 40_000, "a larger output is expected next at once");
        assert_eq!(expect_next(64_000, 15_000), 63_000, "a smaller one only lowers it by 1/64");
        let mut expected = 40_000;
        for _ in 0..60 {
            expected = expect_next(expected, 3_000);
        }
        assert!(
            expected < 16_384 && expected > 3_000,
            "after a while it fits the small ones again: {expected}"
        );
    }
}
