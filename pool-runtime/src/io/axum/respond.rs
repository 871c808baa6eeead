//! Answers from pooled objects and pooled buffers, handed to the body
//! without a copy.

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_core::Serialize;

use super::PooledJson;
use crate::io::buffer::PooledBuffer;
use crate::Reset;

/// The object encoded into a pooled buffer ([`json::to_vec`](crate::json::to_vec)),
/// answered as `application/json`. The object goes back to its pool at once;
/// the buffer when the server drops the body, once it is written. An
/// encoding error (a map with non-string keys, a failing `Serialize`) is a
/// 500 with serde_json's message as plain text, as `axum::Json` answers.
impl<T: Reset + Send + Serialize + 'static> IntoResponse for PooledJson<T> {
    fn into_response(self) -> Response {
        let encoded = crate::io::json::to_vec(&*self.0);
        drop(self);
        match encoded {
            Ok(buffer) => with_content_type(buffer.into(), mime::APPLICATION_JSON.as_ref()),
            Err(error) => encoding_failed(error),
        }
    }
}

#[cold]
#[inline(never)]
fn encoding_failed(error: serde_json::Error) -> Response {
    let mut response = with_content_type(error.to_string().into(), mime::TEXT_PLAIN_UTF_8.as_ref());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

fn with_content_type(body: Body, content_type: &'static str) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A buffer a handler filled itself, answered as it is, as `application/octet-stream`
/// (as `Bytes` and `Vec<u8>` are); give it another content type with
/// axum's header tuples. Not copied: the buffer goes back to its pool when
/// the server drops the body.
///
/// ```
/// use axum::http::header;
/// use axum::response::IntoResponse;
/// use std::io::Write;
///
/// async fn metrics() -> impl IntoResponse {
///     let mut text = poolable::buffer();
///     writeln!(text, "requests_total 7").unwrap();
///     ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
/// }
/// # let _: axum::routing::MethodRouter = axum::routing::get(metrics);
/// ```
impl IntoResponse for PooledBuffer {
    fn into_response(self) -> Response {
        with_content_type(self.into(), mime::APPLICATION_OCTET_STREAM.as_ref())
    }
}

/// A pooled buffer as an axum body, without a copy (through
/// [`PooledBuffer::into_bytes`]): for a response built by hand.
impl From<PooledBuffer> for Body {
    fn from(buffer: PooledBuffer) -> Body {
        Body::from(buffer.into_bytes())
    }
}
