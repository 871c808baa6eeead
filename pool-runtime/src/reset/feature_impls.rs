//! [`Reset`] for types of optional dependencies.

#[cfg(any(feature = "bytes", feature = "json"))]
use crate::Reset;

/// Cleared; the capacity stays (as `Vec<u8>`).
#[cfg(feature = "bytes")]
impl Reset for bytes::BytesMut {
    #[inline(always)]
    fn __small_reset() -> bool {
        true
    }
    #[inline]
    fn reset(&mut self) {
        self.clear();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        self.capacity()
    }
    #[inline]
    fn is_reset(&self) -> bool {
        self.is_empty()
    }
    #[inline]
    fn reset_to(&mut self, fresh: &Self) -> bool {
        self.clear();
        self.extend_from_slice(fresh);
        true
    }
}

/// Back to `Null`, the fresh state of a `Value` (`Value::default()`): a value
/// cannot keep its previous user's shape (an object, an array) into the next
/// use, so nothing of it is retained.
#[cfg(feature = "json")]
impl Reset for serde_json::Value {
    #[inline]
    fn reset(&mut self) {
        *self = serde_json::Value::Null;
    }
    #[inline]
    fn is_reset(&self) -> bool {
        self.is_null()
    }
}

/// Cleared. The map's entries are freed (it is a B-tree by default; with
/// serde_json's `preserve_order` its allocation would be kept but is not
/// reported).
#[cfg(feature = "json")]
impl Reset for serde_json::Map<String, serde_json::Value> {
    #[inline]
    fn reset(&mut self) {
        self.clear();
    }
    #[inline]
    fn is_reset(&self) -> bool {
        self.is_empty()
    }
}
