//! `PooledJson<T>` as an extractor: the body, under the request's limit,
//! decoded in place into an object of `T`'s pool.

use std::ops::Deref;

use axum_core::extract::{FromRequest, OptionalFromRequest, Request};
use axum_core::RequestExt;
use bytes::Bytes;
use http::{header, HeaderMap};
use http_body::Body as _;
use http_body_util::BodyExt;
use serde_core::de::DeserializeOwned;

use super::{JsonRejection, PooledJson};
use crate::io::buffer::{buffer_with_capacity, PooledBuffer};
use crate::{Poolable, Pooled};

impl<T, S> FromRequest<S> for PooledJson<T>
where
    T: Poolable + DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = JsonRejection;

    async fn from_request(req: Request, _state: &S) -> Result<Self, JsonRejection> {
        extract(req).await
    }
}

/// `Option<PooledJson<T>>`: `None` without a `Content-Type` header, as
/// `axum::Json`'s (a body of another type is still a 415).
impl<T, S> OptionalFromRequest<S> for PooledJson<T>
where
    T: Poolable + DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = JsonRejection;

    async fn from_request(req: Request, _state: &S) -> Result<Option<Self>, JsonRejection> {
        if !req.headers().contains_key(header::CONTENT_TYPE) {
            return Ok(None);
        }
        extract(req).await.map(Some)
    }
}

/// The content type checked, the body read and decoded in place.
async fn extract<T: Poolable + DeserializeOwned>(req: Request) -> Result<PooledJson<T>, JsonRejection> {
    if !json_content_type(req.headers()) {
        return Err(JsonRejection::content_type());
    }
    let body = receive(req).await?;
    decode(&body).map(PooledJson)
}

/// `application/json` or `application/*+json`, parameters allowed: the test
/// of `axum::Json`, with the same parser. The plain `application/json` is
/// matched first, as that parser would match it, because the parser
/// allocates.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else { return false };
    if value.as_bytes().eq_ignore_ascii_case(b"application/json") {
        return true;
    }
    value.to_str().ok().and_then(|value| value.parse::<mime::Mime>().ok()).is_some_and(|mime| {
        mime.type_() == "application"
            && (mime.subtype() == "json" || mime.suffix().is_some_and(|name| name == "json"))
    })
}

/// A request body, read whole.
enum Received {
    Empty,
    /// The whole body came in one frame (a `Content-Length` body that
    /// arrived with its headers, a body built in memory): decoded where it
    /// is, neither copied nor buffered.
    Frame(Bytes),
    /// Several frames, gathered into a pooled buffer.
    Gathered(PooledBuffer),
}

impl Deref for Received {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Received::Empty => &[],
            Received::Frame(bytes) => bytes,
            Received::Gathered(buffer) => buffer,
        }
    }
}

/// Reads the body under the request's `DefaultBodyLimit` (applied as
/// axum's extractors apply it). A body that announces more than the limit
/// (its `Content-Length`, through its size hint) is refused unread.
async fn receive(req: Request) -> Result<Received, JsonRejection> {
    let announced = req.body().size_hint();
    let mut body = req.into_limited_body();
    // The limit caps the hint's upper bound, so this is `limit < announced`.
    let allowed = body.size_hint();
    if allowed.upper().is_some_and(|most| most < announced.lower()) {
        return Err(JsonRejection::announced_too_large());
    }
    let mut received = Received::Empty;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(JsonRejection::body)?;
        // Trailers end the data, as for axum's extractors.
        let Ok(data) = frame.into_data() else { break };
        if data.is_empty() {
            continue;
        }
        received = match received {
            Received::Empty => Received::Frame(data),
            Received::Frame(first) => {
                let mut buffer = buffer_with_capacity(capacity(&announced, first.len() + data.len()));
                buffer.extend_from_slice(&first);
                buffer.extend_from_slice(&data);
                Received::Gathered(buffer)
            }
            Received::Gathered(mut buffer) => {
                buffer.extend_from_slice(&data);
                Received::Gathered(buffer)
            }
        };
    }
    Ok(received)
}

/// The buffer to take for a body of several frames: its announced length
/// (`Content-Length`, within the limit once `receive` checked it), at least
/// what already came, and never more than the largest pooled class up
/// front, so that a client's claim alone never makes the server set aside
/// more than 64 KiB. A larger or chunked body grows the buffer as it arrives.
fn capacity(announced: &http_body::SizeHint, received: usize) -> usize {
    let expected = announced.upper().map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    expected.min(PooledBuffer::MAX_POOLED_CAPACITY).max(received)
}

/// The body decoded in place into an object of `T`'s pool.
fn decode<T: Poolable + DeserializeOwned>(body: &[u8]) -> Result<Pooled<T>, JsonRejection> {
    crate::io::json::from_slice::<T>(body).map_err(|error| rejection::<T>(error, body))
}

/// serde_json's error with the path to the value it is about, which a
/// second, fresh decode finds (errors only: the decode in place does not pay
/// for tracking a path).
#[cold]
#[inline(never)]
fn rejection<T: DeserializeOwned>(error: serde_json::Error, body: &[u8]) -> JsonRejection {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let path = serde_path_to_error::deserialize::<_, T>(&mut deserializer).err();
    JsonRejection::json(error, path.as_ref().map(serde_path_to_error::Error::path))
}

#[cfg(test)]
mod tests {
    use super::capacity;
    use http_body::SizeHint;

    #[test]
    fn a_claim_alone_sets_aside_at_most_the_largest_class() {
        assert_eq!(capacity(&SizeHint::with_exact(3_000), 100), 3_000);
        assert_eq!(capacity(&SizeHint::with_exact(2 << 20), 100), 64 * 1024);
        // Chunked: no length announced; what came so far.
        assert_eq!(capacity(&SizeHint::new(), 100), 100);
        assert_eq!(capacity(&SizeHint::new(), 100_000), 100_000);
    }
}
