//! `PooledBuffer` → `bytes::Bytes` without a copy (feature `bytes`).

use super::buffer::PooledBuffer;

impl PooledBuffer {
    /// Turns the buffer into [`bytes::Bytes`] without copying: the buffer
    /// becomes the owner of the `Bytes`' storage and goes back to its pool
    /// (retention policy applied) when the last clone or slice is dropped,
    /// on whatever thread that happens. An HTTP framework can send it as a body.
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let mut body = poolable::buffer();
    /// body.write_all(b"{\"ok\":true}").unwrap();
    /// let body: bytes::Bytes = body.into_bytes();
    /// let copy = body.clone();            // shares the pooled storage
    /// assert_eq!(&copy[..], b"{\"ok\":true}");
    /// drop((body, copy));                 // the buffer is back in its pool
    /// ```
    pub fn into_bytes(self) -> bytes::Bytes {
        bytes::Bytes::from_owner(self)
    }
}

impl From<PooledBuffer> for bytes::Bytes {
    fn from(buffer: PooledBuffer) -> Self {
        buffer.into_bytes()
    }
}
