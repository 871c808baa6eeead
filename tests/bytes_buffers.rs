//! Feature `bytes`: a pooled buffer as `bytes::Bytes` without a copy, back in
//! its pool when the last clone drops; `Reset` for `BytesMut`.
#![cfg(feature = "bytes")]

use bytes::{Bytes, BytesMut};
use poolable::{PooledBuffer, Reset};

/// The only test of this binary that touches the 8 KiB class.
#[test]
fn bytes_share_the_buffer_and_return_it_after_the_last_clone() {
    let mut buffer = poolable::buffer_with_capacity(8 * 1024);
    buffer.extend_from_slice(&[b'a'; 6 * 1024]);
    let address = buffer.as_ptr();

    let body: Bytes = buffer.into_bytes();
    assert_eq!(body.as_ptr(), address, "no copy");
    let clone = body.clone();
    let tail = body.slice(1024..);
    let before = PooledBuffer::class_stats(8 * 1024).unwrap();
    assert_eq!(before.in_use, 1);

    drop(body);
    drop(clone);
    assert_eq!(PooledBuffer::class_stats(8 * 1024).unwrap().returns, before.returns, "a slice still lives");

    std::thread::spawn(move || {
        assert_eq!(tail.len(), 5 * 1024);
        drop(tail); // the last one, on another thread
    })
    .join()
    .unwrap();

    let after = PooledBuffer::class_stats(8 * 1024).unwrap();
    assert_eq!((after.returns, after.in_use), (before.returns + 1, 0));
    assert_eq!(after.hits + after.misses, after.returns + after.discards + after.in_use);

    let again = poolable::buffer_with_capacity(8 * 1024);
    assert!(again.is_empty());
}

#[test]
fn from_pooled_buffer_for_bytes() {
    let mut buffer = poolable::buffer();
    buffer.extend_from_slice(b"{}");
    let body = Bytes::from(buffer);
    assert_eq!(&body[..], b"{}");
}

#[test]
fn bytes_mut_resets_keeping_capacity() {
    let mut b = BytesMut::with_capacity(1024);
    b.extend_from_slice(b"hello");
    b.reset();
    assert!(b.is_empty());
    assert!(b.retained_bytes() >= 1024);
}
