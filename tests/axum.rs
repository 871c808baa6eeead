//! `poolable::axum::PooledJson<T>` through a real `axum::Router` (driven by
//! `tower::ServiceExt::oneshot`), side by side with `axum::Json<T>`: the
//! same statuses for the same requests, the same values, nothing left in
//! use after a rejection, and no more allocations per request than a
//! handler that reads the body as `Bytes` and answers a static body.

use poolable_test_support::commit_shape;
use poolable_test_support::counting as counting_alloc;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use commit_shape::{apply, CommitRequest, CommitResponse};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use poolable::axum::{JsonRejection, JsonRejectionKind, PooledJson, MAX_EXCERPT};
use poolable::{Poolable, PooledBuffer};
use tower::ServiceExt;

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc(std::alloc::System);

/// The pools are the process's: every test here counts what is in use, so
/// they run one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn pooled(PooledJson(request): PooledJson<CommitRequest>) -> PooledJson<CommitResponse> {
    let mut answer = CommitResponse::pooled();
    apply(&request, &mut answer);
    PooledJson(answer)
}

async fn plain(Json(request): Json<CommitRequest>) -> Json<CommitResponse> {
    let mut answer = CommitResponse::default();
    apply(&request, &mut answer);
    Json(answer)
}

async fn floor() -> Response {
    let content_type = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, content_type)], r#"{"metadata-location":"s3://warehouse"}"#).into_response()
}

/// Reads the body with axum's own extractor and answers as `floor`.
async fn bytes_floor(_body: Bytes) -> Response {
    floor().await
}

fn app() -> Router {
    Router::new()
        .route("/pooled", post(pooled))
        .route("/plain", post(plain))
        .route("/floor", post(floor))
        .route("/bytes", post(bytes_floor))
}

fn request(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request {
    let mut builder = Request::post(path);
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(body.into()).expect("a valid request")
}

struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Bytes,
}

async fn send(app: &Router, request: Request) -> Answer {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().expect("ASCII").to_owned());
    // A copy, so that the pooled buffer the body shares goes back now.
    let body = Bytes::copy_from_slice(&response.into_body().collect().await.expect("a body").to_bytes());
    Answer { status, content_type, body }
}

/// The same request to `PooledJson` and to `axum::Json`: both answers,
/// after checking that they agree and that nothing is left in use.
async fn both(app: &Router, content_type: Option<&str>, body: impl Into<Body> + Clone) -> (Answer, Answer) {
    let ours = send(app, request("/pooled", content_type, body.clone())).await;
    let theirs = send(app, request("/plain", content_type, body)).await;
    assert_eq!(ours.status, theirs.status, "{:?} / {:?}", ours.body, theirs.body);
    assert_nothing_in_use();
    (ours, theirs)
}

fn assert_nothing_in_use() {
    assert_eq!(CommitRequest::pool().stats().in_use, 0, "a request left in use");
    assert_eq!(CommitResponse::pool().stats().in_use, 0, "an answer left in use");
    for size in PooledBuffer::CLASS_SIZES {
        assert_eq!(PooledBuffer::class_stats(size).unwrap().in_use, 0, "a {size}-byte buffer left in use");
    }
}

#[tokio::test]
async fn a_request_answers_what_axum_json_answers() {
    let _serial = SERIAL.lock().await;
    let app = app();
    let body = commit_shape::body(2048);
    let (ours, theirs) = both(&app, Some("application/json"), body.clone()).await;
    assert_eq!(ours.status, StatusCode::OK);
    assert_eq!(ours.content_type.as_deref(), Some("application/json"));
    assert_eq!(ours.body, theirs.body, "the same JSON, byte for byte");
    let answer: CommitResponse = serde_json::from_slice(&ours.body).expect("JSON");
    assert_eq!(answer.metadata.schemas[0].fields.len(), field_count(&from_body(&body)));

    let cases: [(&str, &[u8], StatusCode); 9] = [
        ("syntax error", b"{\"requirements\": [}", StatusCode::BAD_REQUEST),
        ("truncated", b"{\"requirements\": [], \"upd", StatusCode::BAD_REQUEST),
        ("empty body", b"", StatusCode::BAD_REQUEST),
        ("trailing characters", b"{\"requirements\": [], \"updates\": []} x", StatusCode::BAD_REQUEST),
        ("not JSON", b"requirements=none", StatusCode::BAD_REQUEST),
        ("missing field", b"{\"requirements\": []}", StatusCode::UNPROCESSABLE_ENTITY),
        ("wrong type", b"{\"requirements\": 5, \"updates\": []}", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "wrong nested type",
            b"{\"requirements\": [{\"type\": 1}], \"updates\": []}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("an array for an object", b"[1, 2]", StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (what, body, status) in cases {
        let (ours, theirs) = both(&app, Some("application/json"), Bytes::from_static(body)).await;
        assert_eq!(ours.status, status, "{what}");
        assert_eq!(ours.body, theirs.body, "{what}: the same text");
        assert_eq!(ours.content_type.as_deref(), Some("text/plain; charset=utf-8"), "{what}");
    }
}

#[tokio::test]
async fn the_content_type_is_checked_as_axum_json_checks_it() {
    let _serial = SERIAL.lock().await;
    let app = app();
    let body = Bytes::from(commit_shape::body(0));
    let accepted = [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.api+json",
        "application/cloudevents+json; charset=UTF-8",
    ];
    for content_type in accepted {
        let (ours, _) = both(&app, Some(content_type), body.clone()).await;
        assert_eq!(ours.status, StatusCode::OK, "{content_type}");
    }
    let refused = [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonx"),
        Some("json"),
        Some("application/"),
        Some("text/json"),
    ];
    for content_type in refused {
        let (ours, theirs) = both(&app, content_type, body.clone()).await;
        assert_eq!(ours.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
        assert_eq!(ours.body, theirs.body);
    }
}

/// A valid commit body of exactly `len` bytes (padded with spaces).
fn padded_body(len: usize) -> Bytes {
    let mut body = commit_shape::body(0);
    assert!(body.len() <= len);
    body.resize(len, b' ');
    Bytes::from(body)
}

#[tokio::test]
async fn the_body_limit_of_the_router_holds() {
    let _serial = SERIAL.lock().await;
    // axum's default: 2 MiB.
    let app = app();
    let (ours, _) = both(&app, Some("application/json"), padded_body(2 << 20)).await;
    assert_eq!(ours.status, StatusCode::OK);
    let (ours, theirs) = both(&app, Some("application/json"), padded_body((2 << 20) + 1)).await;
    assert_eq!(ours.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(ours.body, theirs.body);

    let small = app.clone().layer(DefaultBodyLimit::max(1_000));
    let (ours, _) = both(&small, Some("application/json"), padded_body(1_000)).await;
    assert_eq!(ours.status, StatusCode::OK);
    let (ours, _) = both(&small, Some("application/json"), padded_body(1_001)).await;
    assert_eq!(ours.status, StatusCode::PAYLOAD_TOO_LARGE);

    let unlimited = app.layer(DefaultBodyLimit::disable());
    let (ours, _) = both(&unlimited, Some("application/json"), padded_body(3 << 20)).await;
    assert_eq!(ours.status, StatusCode::OK);
}

/// A body in `pieces` frames without a length, as a chunked request's.
fn chunked(body: &[u8], pieces: usize) -> Body {
    let size = body.len().div_ceil(pieces).max(1);
    let frames: Vec<Result<Bytes, Infallible>> =
        body.chunks(size).map(|chunk| Ok(Bytes::copy_from_slice(chunk))).collect();
    Body::from_stream(futures_util::stream::iter(frames))
}

#[tokio::test]
async fn chunked_bodies_are_gathered_under_the_limit() {
    let _serial = SERIAL.lock().await;
    let app = app();
    for (size, pieces) in [(2 * 1024, 2), (40 * 1024, 7), (200 * 1024, 50)] {
        let body = commit_shape::body(size);
        let ours = send(&app, request("/pooled", Some("application/json"), chunked(&body, pieces))).await;
        let theirs = send(&app, request("/plain", Some("application/json"), chunked(&body, pieces))).await;
        assert_eq!(ours.status, StatusCode::OK, "{size} bytes in {pieces} frames");
        assert_eq!(ours.body, theirs.body, "{size} bytes in {pieces} frames");
        assert_nothing_in_use();
    }
    let small = app.layer(DefaultBodyLimit::max(10_000));
    let body = commit_shape::body(20_000);
    let ours = send(&small, request("/pooled", Some("application/json"), chunked(&body, 10))).await;
    let theirs = send(&small, request("/plain", Some("application/json"), chunked(&body, 10))).await;
    assert_eq!((ours.status, theirs.status), (StatusCode::PAYLOAD_TOO_LARGE, StatusCode::PAYLOAD_TOO_LARGE));
    assert_nothing_in_use();
}

#[tokio::test]
async fn a_body_longer_than_its_content_length_claims_is_read_as_axum_reads_it() {
    let _serial = SERIAL.lock().await;
    let app = app();
    let body = Bytes::from(commit_shape::body(2048));
    for claimed in ["10", "0", "100000000"] {
        let with_claim = |path| {
            let mut request = request(path, Some("application/json"), body.clone());
            request.headers_mut().insert(header::CONTENT_LENGTH, claimed.parse().unwrap());
            request
        };
        let ours = send(&app, with_claim("/pooled")).await;
        let theirs = send(&app, with_claim("/plain")).await;
        assert_eq!(ours.status, theirs.status, "content-length {claimed}");
        assert_eq!(ours.body, theirs.body, "content-length {claimed}");
        assert_nothing_in_use();
    }
}

/// A body that announces `len` bytes and fails if it is ever read.
struct Announces(u64);

impl http_body::Body for Announces {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other("the body was read"))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0)
    }
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_unread() {
    let _serial = SERIAL.lock().await;
    let refused = <PooledJson<CommitRequest> as FromRequest<()>>::from_request(
        request("/", Some("application/json"), Body::new(Announces(3 << 20))),
        &(),
    )
    .await
    .expect_err("over 2 MiB");
    assert_eq!(refused.kind(), JsonRejectionKind::TooLarge);
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Within the limit it is read, and the read's failure is a 400.
    let broken = <PooledJson<CommitRequest> as FromRequest<()>>::from_request(
        request("/", Some("application/json"), Body::new(Announces(1_000))),
        &(),
    )
    .await
    .expect_err("a broken body");
    assert_eq!(broken.kind(), JsonRejectionKind::BodyRead);
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert!(broken.body_text().contains("the body was read"), "{broken}");
    assert_nothing_in_use();
}

#[tokio::test]
async fn a_body_that_breaks_off_answers_as_axum_json() {
    let _serial = SERIAL.lock().await;
    let app = app();
    let broken = || {
        let frames: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"{\"requirements\": [")),
            Err(std::io::Error::other("connection reset")),
        ];
        Body::from_stream(futures_util::stream::iter(frames))
    };
    let ours = send(&app, request("/pooled", Some("application/json"), broken())).await;
    let theirs = send(&app, request("/plain", Some("application/json"), broken())).await;
    assert_eq!((ours.status, theirs.status), (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST));
    assert_eq!(ours.body, theirs.body);
    assert_nothing_in_use();
}

fn from_body(body: &[u8]) -> CommitRequest {
    serde_json::from_slice(body).expect("a valid commit")
}

fn field_count(request: &CommitRequest) -> usize {
    request.updates.iter().filter_map(|u| u.schema.as_ref()).map(|s| s.fields.len()).sum()
}

async fn extract(body: &[u8]) -> Result<PooledJson<CommitRequest>, JsonRejection> {
    let request = request("/", Some("application/json"), Bytes::copy_from_slice(body));
    <PooledJson<CommitRequest> as FromRequest<()>>::from_request(request, &()).await
}

#[tokio::test]
async fn fields_absent_from_a_request_come_out_fresh() {
    let _serial = SERIAL.lock().await;
    let full = commit_shape::body(4096);
    let first = extract(&full).await.expect("valid");
    assert!(first.identifier.is_some() && field_count(&first) > 0);
    let kept = first.updates[0].action.as_ptr();
    drop(first);

    let sparse =
        br#"{"requirements": [], "updates": [{"action": "remove-properties", "removals": ["owner"]}]}"#;
    let second = extract(sparse).await.expect("valid");
    assert_eq!(*second, from_body(sparse), "as serde_json makes it");
    assert!(second.identifier.is_none(), "the previous request's identifier");
    assert!(second.updates[0].schema.is_none() && second.updates[0].updates.is_empty());
    assert_eq!(second.updates[0].action.as_ptr(), kept, "decoded into the kept string");
    drop(second);
    assert_nothing_in_use();
}

#[tokio::test]
async fn a_rejection_quotes_a_short_excerpt_of_the_input_only() {
    let _serial = SERIAL.lock().await;
    let long = "A".repeat(100_000);
    let body =
        format!(r#"{{"requirements": [{{"type": "x", "current-schema-id": "{long}"}}], "updates": []}}"#);
    let rejection = extract(body.as_bytes()).await.expect_err("a string for a number");
    assert_eq!(rejection.kind(), JsonRejectionKind::Data);
    assert_eq!(rejection.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = rejection.body_text();
    assert!(text.len() < 400, "{} bytes", text.len());
    assert!(text.contains("requirements[0].current-schema-id"), "the path: {text}");
    assert!(
        text.contains(&"A".repeat(MAX_EXCERPT)) && !text.contains(&"A".repeat(MAX_EXCERPT + 1)),
        "{text}"
    );
    assert_eq!(rejection.to_string(), text);
    assert!(rejection.json_error().is_some());
    assert!(std::error::Error::source(&rejection).is_some());

    let key = format!(
        r#"{{"requirements": [], "updates": [{{"action": "set-properties", "updates": {{"{long}": 5}}}}]}}"#
    );
    let rejection = extract(key.as_bytes()).await.expect_err("a number for a string");
    assert!(rejection.body_text().len() < 400, "{}", rejection.body_text());
    let response = rejection.into_response();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_nothing_in_use();
}

/// An object that serde_json cannot write: its map's keys are not strings.
#[derive(Poolable, Default, serde::Serialize)]
struct Unwritable {
    by_pair: BTreeMap<(u8, u8), u8>,
}

#[tokio::test]
async fn responses_are_pooled_buffers_handed_over_without_a_copy() {
    let _serial = SERIAL.lock().await;
    // An encoding error is a 500 with serde_json's message, as axum's.
    let mut unwritable = Unwritable::pooled();
    unwritable.by_pair.insert((1, 2), 3);
    let response = PooledJson(unwritable).into_response();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let text = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(text, "key must be a string");
    assert_eq!(Unwritable::pool().stats().in_use, 0);

    // The answer's buffer is the body's: in use until the body is dropped.
    let mut answer = CommitResponse::pooled();
    answer.metadata_location.push_str("s3://warehouse/orders");
    let response = PooledJson(answer).into_response();
    assert_eq!(CommitResponse::pool().stats().in_use, 0, "the object goes back once encoded");
    let in_use = || PooledBuffer::class_stats(4096).unwrap().in_use;
    assert_eq!(in_use(), 1, "the body holds the buffer");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert!(body.starts_with(br#"{"metadata-location":"s3://warehouse/orders""#));
    assert_eq!(in_use(), 1, "still held: `to_bytes` shares the buffer");
    drop(body);
    assert_eq!(in_use(), 0, "back once the body is dropped");

    // A buffer the handler filled, with its own content type.
    let mut text = poolable::buffer();
    text.extend_from_slice(b"pool_hits_total 1\n");
    let response = ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; version=0.0.4");
    assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "pool_hits_total 1\n");
    let mut raw = poolable::buffer();
    raw.extend_from_slice(b"\x00\x01");
    let response = raw.into_response();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/octet-stream");
    drop(response);
    let mut body = poolable::buffer();
    body.extend_from_slice(b"as a body");
    assert_eq!(Body::from(body).collect().await.unwrap().to_bytes(), "as a body");
    assert_nothing_in_use();
}

#[tokio::test]
async fn an_optional_extractor_is_none_without_a_content_type() {
    let _serial = SERIAL.lock().await;
    async fn maybe(request: Option<PooledJson<CommitRequest>>) -> String {
        request.map_or("none".to_owned(), |request| request.updates.len().to_string())
    }
    let app = Router::new().route("/", post(maybe));
    let body = Bytes::from(commit_shape::body(0));
    assert_eq!(send(&app, request("/", None, body.clone())).await.body, "none");
    assert_eq!(send(&app, request("/", Some("application/json"), body.clone())).await.body, "3");
    assert_eq!(
        send(&app, request("/", Some("text/plain"), body)).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_nothing_in_use();
}

/// Allocations per request through the router, on this thread (a
/// current-thread runtime runs the whole request here).
async fn allocations_per_request(app: &Router, path: &str, body: &Bytes) -> f64 {
    const REQUESTS: u64 = 200;
    for _ in 0..50 {
        send(app, request(path, Some("application/json"), body.clone())).await;
    }
    let before = counting_alloc::thread_allocations();
    for _ in 0..REQUESTS {
        let answer = send(app, request(path, Some("application/json"), body.clone())).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    (counting_alloc::thread_allocations() - before) as f64 / REQUESTS as f64
}

#[tokio::test]
async fn a_pooled_request_allocates_no_more_than_reading_the_body_as_bytes() {
    let _serial = SERIAL.lock().await;
    let app = app();
    for size in [2 * 1024, 40 * 1024] {
        let body = Bytes::from(commit_shape::body(size));
        let floor = allocations_per_request(&app, "/floor", &body).await;
        let read = allocations_per_request(&app, "/bytes", &body).await;
        let ours = allocations_per_request(&app, "/pooled", &body).await;
        let theirs = allocations_per_request(&app, "/plain", &body).await;
        // Two above the floor: the box of axum's body limit (`Limited`,
        // which every axum body extractor pays: `Bytes` too) and the `Bytes`
        // that hands the pooled buffer to the body without a copy.
        assert!(ours <= floor + 2.0, "{size} bytes: {ours} allocations a request, the floor {floor}");
        assert!(ours <= read, "{size} bytes: {ours}, more than axum's `Bytes` extractor ({read})");
        assert!(theirs > ours + 10.0, "{size} bytes: axum::Json {theirs}, pooled {ours}");
    }
    assert_nothing_in_use();
}

/// xorshift64*: a mutation source that needs no crate and repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces that move a mutated body across JSON's and the type's rules.
const TOKENS: [&[u8]; 24] = [
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"1",
    b"-1",
    b"1e999",
    b"true",
    b"\\",
    b" ",
    b"\"type\"",
    b"\"updates\"",
    b"\"schema\"",
    b"\"fields\"",
    b"\"id\"",
    b"{}",
    b"[]",
    b"\"x\"",
    b"\xff",
    b"\"requirements\"",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut body = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(body.len() + 1);
        match rng.below(5) {
            0 => {
                let end = (at + 1 + rng.below(8)).min(body.len());
                body.drain(at.min(end)..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                body.splice(at..at, token.iter().copied());
            }
            2 if at < body.len() => body[at] = TOKENS[rng.below(TOKENS.len())][0],
            3 => body.truncate(at),
            _ => {
                let end = (at + rng.below(32)).min(body.len());
                let piece = body[at..end].to_vec();
                body.splice(at..at, piece);
            }
        }
    }
    body
}

#[tokio::test]
async fn mutated_bodies_get_the_answers_and_values_of_axum_json() {
    let _serial = SERIAL.lock().await;
    const BODIES: usize = 100_000;
    let seeds = [
        commit_shape::body(0),
        commit_shape::body(1200),
        br#"{"identifier":{"namespace":["a","b"],"name":"t"},"requirements":[],"updates":[{"action":"set-properties","updates":{"k":"v","k2":"v2"}},{"action":"remove-properties","removals":["k"]}]}"#.to_vec(),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut syntax, mut data) = (0, 0, 0);
    for i in 0..BODIES {
        let body = mutate(&mut rng, &seeds[i % seeds.len()]);
        let ours = extract(&body).await;
        let request = request("/", Some("application/json"), Bytes::copy_from_slice(&body));
        let theirs = <Json<CommitRequest> as FromRequest<()>>::from_request(request, &()).await;
        match (ours, theirs) {
            (Ok(ours), Ok(Json(theirs))) => {
                assert_eq!(*ours, theirs, "{}", String::from_utf8_lossy(&body));
                accepted += 1;
            }
            (Err(ours), Err(theirs)) => {
                assert_eq!(ours.status(), theirs.status(), "{}", String::from_utf8_lossy(&body));
                assert_eq!(ours.body_text(), theirs.body_text(), "{}", String::from_utf8_lossy(&body));
                match ours.kind() {
                    JsonRejectionKind::Syntax => syntax += 1,
                    JsonRejectionKind::Data => data += 1,
                    kind => panic!("{kind:?} for {}", String::from_utf8_lossy(&body)),
                }
            }
            (ours, theirs) => panic!(
                "{}: pooled {:?}, axum::Json {:?}",
                String::from_utf8_lossy(&body),
                ours.map(|_| "accepted"),
                theirs.map(|_| "accepted")
            ),
        }
        assert_eq!(CommitRequest::pool().stats().in_use, 0, "{}", String::from_utf8_lossy(&body));
    }
    // The mutations reach every answer, so the comparison means something.
    assert!(
        accepted > BODIES / 20 && syntax > BODIES / 20 && data > BODIES / 50,
        "{accepted} / {syntax} / {data}"
    );
}
