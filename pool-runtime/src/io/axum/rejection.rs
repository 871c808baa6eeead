//! Why a [`PooledJson`](super::PooledJson) extractor refused a request.

use std::error::Error;
use std::fmt;

use axum_core::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_path_to_error::{Path, Segment};

/// The error a failed body read carries, as axum boxes it.
type BoxError = Box<dyn Error + Send + Sync>;

/// The most characters of the input a rejection's text quotes in one piece:
/// a string value, a field name, a path segment. A client's megabyte of
/// garbage never comes back in the answer or in a log line.
pub const MAX_EXCERPT: usize = 64;

/// The most bytes of a rejection's whole text.
const MAX_TEXT: usize = 1024;

/// Why [`PooledJson<T>`](super::PooledJson) refused a request, with the
/// status and text `axum::Json` answers for the same request.
///
/// It is a response as it is (`status()`, then `body_text()` as
/// `text/plain`); a service with an error format of its own takes the
/// extractor as `Result<PooledJson<T>, JsonRejection>` and maps it, by
/// [`kind`](Self::kind):
///
/// ```
/// use axum::http::StatusCode;
/// use poolable::axum::{JsonRejection, JsonRejectionKind, PooledJson};
///
/// # #[derive(poolable::Poolable, Default, serde::Deserialize)] struct Order { id: u64 }
/// async fn create(order: Result<PooledJson<Order>, JsonRejection>) -> (StatusCode, String) {
///     match order {
///         Ok(PooledJson(order)) => (StatusCode::CREATED, order.id.to_string()),
///         Err(rejection) => match rejection.kind() {
///             // This service answers 400 for every malformed body.
///             JsonRejectionKind::Syntax | JsonRejectionKind::Data => {
///                 (StatusCode::BAD_REQUEST, format!("bad order: {rejection}"))
///             }
///             _ => (rejection.status(), rejection.body_text()),
///         },
///     }
/// }
/// # let _: axum::routing::MethodRouter = axum::routing::post(create);
/// ```
///
/// Its text quotes at most [`MAX_EXCERPT`] characters of any piece of the
/// input (a string of the wrong type, an unknown field's name, a key on the
/// path) and is at most 1 KiB long. [`Error::source`] is the underlying
/// error (serde_json's, or the body's) for logs, uncut.
#[derive(Debug)]
pub struct JsonRejection {
    kind: JsonRejectionKind,
    text: String,
    source: Option<BoxError>,
}

/// The kinds of [`JsonRejection`], each with its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonRejectionKind {
    /// 415 Unsupported Media Type: no `Content-Type`, or not
    /// `application/json` nor `application/*+json` (parameters such as
    /// `charset` allowed).
    ContentType,
    /// 413 Payload Too Large: the body is over the request's
    /// `DefaultBodyLimit` (2 MiB unless the router sets another).
    TooLarge,
    /// 400 Bad Request: the body is not JSON (a syntax error, input that
    /// ends early, characters after the value).
    Syntax,
    /// 422 Unprocessable Entity: JSON of the wrong shape for the type (a
    /// missing field, a wrong type, an unknown variant).
    Data,
    /// 400 Bad Request: the body could not be read (the connection broke
    /// off, or a body layer failed).
    BodyRead,
}

impl JsonRejectionKind {
    /// The status `axum::Json` answers for this kind.
    pub fn status(self) -> StatusCode {
        match self {
            Self::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Syntax | Self::BodyRead => StatusCode::BAD_REQUEST,
            Self::Data => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl JsonRejection {
    /// What went wrong.
    pub fn kind(&self) -> JsonRejectionKind {
        self.kind
    }

    /// The status of the answer: 415, 413, 400 or 422, as `axum::Json`'s.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The text of the answer, as `axum::Json`'s (`Failed to deserialize
    /// the JSON body into the target type: items[0].id: invalid type: …`),
    /// with the input's excerpts cut.
    pub fn body_text(&self) -> String {
        self.text.clone()
    }

    /// serde_json's error, for a [`Syntax`](JsonRejectionKind::Syntax) or
    /// [`Data`](JsonRejectionKind::Data) rejection (its line and column, say).
    pub fn json_error(&self) -> Option<&serde_json::Error> {
        self.source.as_ref()?.downcast_ref()
    }

    #[cold]
    pub(super) fn content_type() -> Self {
        let text = "Expected request with `Content-Type: application/json`".to_owned();
        Self { kind: JsonRejectionKind::ContentType, text, source: None }
    }

    /// A failed read of the body: over the limit if `http_body_util::Limited`
    /// says so, under however many boxes axum's `Body` put it.
    #[cold]
    pub(super) fn body(error: axum_core::Error) -> Self {
        let mut error: BoxError = error.into_inner();
        // axum's `Body` boxes the `Limited` body's error once more.
        while error.is::<axum_core::Error>() {
            match error.downcast::<axum_core::Error>() {
                Ok(inner) => error = inner.into_inner(),
                Err(other) => error = other,
            }
        }
        let kind = if error.is::<http_body_util::LengthLimitError>() {
            JsonRejectionKind::TooLarge
        } else {
            JsonRejectionKind::BodyRead
        };
        let text = cut(&format!("Failed to buffer the request body: {error}"));
        Self { kind, text, source: Some(error) }
    }

    /// A body whose announced length is over the limit, refused unread.
    #[cold]
    pub(super) fn announced_too_large() -> Self {
        Self {
            kind: JsonRejectionKind::TooLarge,
            text: "Failed to buffer the request body: length limit exceeded".to_owned(),
            source: None,
        }
    }

    /// serde_json's error, classified as `axum::Json` classifies it, with
    /// the path to the value that failed (`path`, if known).
    #[cold]
    pub(super) fn json(error: serde_json::Error, path: Option<&Path>) -> Self {
        use serde_json::error::Category;
        let (kind, what) = match error.classify() {
            Category::Data => {
                (JsonRejectionKind::Data, "Failed to deserialize the JSON body into the target type")
            }
            Category::Syntax | Category::Eof | Category::Io => {
                (JsonRejectionKind::Syntax, "Failed to parse the request body as JSON")
            }
        };
        let text = match path.and_then(written) {
            Some(path) => cut(&format!("{what}: {path}: {error}")),
            None => cut(&format!("{what}: {error}")),
        };
        Self { kind, text, source: Some(Box::new(error)) }
    }
}

/// `items[0].id`, as serde_path_to_error writes it, each key or variant cut
/// to [`MAX_EXCERPT`]; `None` where it would write none (nothing known).
fn written(path: &Path) -> Option<String> {
    if path.iter().all(|segment| matches!(segment, Segment::Unknown)) {
        return None;
    }
    let mut out = String::new();
    let mut separator = "";
    for segment in path.iter() {
        if !matches!(segment, Segment::Seq { .. }) {
            out.push_str(separator);
        }
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => push_cut(&mut out, key),
            Segment::Unknown => out.push('?'),
        }
        separator = ".";
    }
    Some(out)
}

fn push_cut(out: &mut String, piece: &str) {
    match piece.char_indices().nth(MAX_EXCERPT) {
        Some((end, _)) => {
            out.push_str(&piece[..end]);
            out.push('…');
        }
        None => out.push_str(piece),
    }
}

/// `text` with every quoted piece (`"…"` or `` `…` ``, where serde quotes
/// the input) cut to [`MAX_EXCERPT`] characters, and the whole to 1 KiB.
fn cut(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT));
    let mut quote: Option<char> = None; // the quote we are inside
    let mut quoted = 0; // characters written inside it
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            None => {
                if c == '"' || c == '`' {
                    quote = Some(c);
                    quoted = 0;
                }
                out.push(c);
            }
            Some(q) => {
                let closes = c == q && !escaped;
                escaped = q == '"' && c == '\\' && !escaped;
                if closes {
                    quote = None;
                    if quoted > MAX_EXCERPT {
                        out.push('…');
                    }
                    out.push(c);
                } else {
                    quoted += 1;
                    if quoted <= MAX_EXCERPT {
                        out.push(c);
                    }
                }
            }
        }
    }
    if out.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

impl fmt::Display for JsonRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Error for JsonRejection {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|error| error as &(dyn Error + 'static))
    }
}

impl IntoResponse for JsonRejection {
    /// The status, and the text as `text/plain; charset=utf-8`, as axum's
    /// own rejections answer.
    fn into_response(self) -> Response {
        let mut response = Response::new(self.text.into());
        *response.status_mut() = self.kind.status();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime::TEXT_PLAIN_UTF_8.as_ref()));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::{cut, MAX_EXCERPT};

    #[test]
    fn quoted_input_is_cut_and_the_rest_kept() {
        let long = "x".repeat(10_000);
        let text = cut(&format!("invalid type: string \"{long}\", expected u64 at line 1 column 10010"));
        assert_eq!(
            text,
            format!(
                "invalid type: string \"{}…\", expected u64 at line 1 column 10010",
                "x".repeat(MAX_EXCERPT)
            )
        );
        let text = cut(&format!("unknown field `{long}`, expected `id` or `name`"));
        assert!(text.ends_with("…`, expected `id` or `name`"), "{text}");
    }

    #[test]
    fn escaped_quotes_do_not_end_a_piece() {
        let piece = format!("a\\\"{}", "b".repeat(100));
        let text = cut(&format!("string \"{piece}\", expected u8"));
        assert!(text.ends_with("…\", expected u8"), "{text}");
        assert!(text.len() < 100, "{text}");
    }

    #[test]
    fn the_whole_text_is_bounded() {
        let many = "`a`, ".repeat(1_000);
        let text = cut(&format!("expected one of {many}"));
        assert!(text.len() <= 1024 + '…'.len_utf8(), "{}", text.len());
    }
}
