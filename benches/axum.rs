//! axum handlers, in one process through a `Router` driven by
//! `tower::ServiceExt::oneshot` on a current-thread runtime, for an
//! Iceberg-commit-shaped request (`poolable_test_support::commit_shape`) of
//! ≈ 2 KiB and ≈ 40 KiB, answered with the table's new metadata (as large):
//!
//! * `floor`: reads nothing, answers a static JSON body;
//! * `bytes`: reads the body with axum's `Bytes` extractor, answers as `floor`
//!   (what any handler that reads its body pays the framework);
//! * `axum_json`: `axum::Json<CommitRequest>` in, `axum::Json<CommitResponse>` out;
//! * `pooled_json`: `PooledJson<CommitRequest>` in, `PooledJson<CommitResponse>` out,
//!   the same types and the same handler body (one word changed).
//!
//! Each request is built, sent, answered, and its body read whole and dropped.
//!
//! `cargo bench --bench axum` (`scripts/axum-report.sh` runs it and writes
//! the table into BENCHMARKS.md)
//!
//! Before criterion's timings it prints, for each, allocations, bytes and
//! ns per request at steady state (interleaved rounds, the median one),
//! counted by the global allocator below, as a Markdown table.

use std::hint::black_box;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use http_body_util::BodyExt;
use poolable::axum::PooledJson;
use poolable::Poolable;
use tower::ServiceExt;

use poolable_test_support::commit_shape;
use poolable_test_support::counting as counting_alloc;
use poolable_test_support::steady_state;

use commit_shape::{apply, CommitRequest, CommitResponse};

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc(std::alloc::System);

async fn floor() -> Response {
    let content_type = HeaderValue::from_static("application/json");
    ([(header::CONTENT_TYPE, content_type)], r#"{"metadata-location":"s3://warehouse"}"#).into_response()
}

async fn bytes(body: Bytes) -> Response {
    black_box(body.len());
    floor().await
}

async fn axum_json(Json(request): Json<CommitRequest>) -> Json<CommitResponse> {
    let mut answer = CommitResponse::default();
    apply(&request, &mut answer);
    Json(answer)
}

async fn pooled_json(PooledJson(request): PooledJson<CommitRequest>) -> PooledJson<CommitResponse> {
    let mut answer = CommitResponse::pooled();
    apply(&request, &mut answer);
    PooledJson(answer)
}

const CONTENDERS: [&str; 4] = ["floor", "bytes", "axum_json", "pooled_json"];

fn app() -> Router {
    Router::new()
        .route("/floor", post(floor))
        .route("/bytes", post(bytes))
        .route("/axum_json", post(axum_json))
        .route("/pooled_json", post(pooled_json))
}

/// One request through the router, its answer read whole; the answer's length.
async fn request(app: &Router, path: &str, body: &Bytes) -> usize {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.into_body().collect().await.expect("a body").to_bytes().len()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().expect("a runtime")
}

/// The steady-state table (Markdown, between markers that
/// `scripts/axum-report.sh` looks for).
fn report(app: &Router, inputs: &[(&str, Bytes)]) {
    const ROUNDS: usize = 9;
    let runtime = runtime();
    println!("<!-- axum report -->");
    println!("| request | handler | allocations / request | above `floor` | bytes allocated / request | µs / request | time vs `axum::Json` |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (name, body) in inputs {
        let n = (20_000_000 / body.len()).clamp(200, 5_000);
        let figures = steady_state::median_rounds(&CONTENDERS, ROUNDS, n, |path| {
            black_box(runtime.block_on(request(app, &format!("/{path}"), body)));
        });
        let (floor, json) = (figures[0], figures[2]);
        for (contender, f) in CONTENDERS.iter().zip(&figures) {
            println!(
                "| {name} | `{contender}` | {:.2} | {:+.2} | {:.0} | {:.2} | {:.2}x |",
                f.allocations,
                f.allocations - floor.allocations,
                f.bytes,
                f.ns / 1000.0,
                f.ns / json.ns
            );
        }
    }
    println!("<!-- /axum report -->");
    println!(
        "({ROUNDS} interleaved rounds, the median round of each; requests of {} and {} bytes)",
        inputs[0].1.len(),
        inputs[1].1.len()
    );
}

fn bench(c: &mut Criterion) {
    let app = app();
    let inputs = [
        ("2KiB", Bytes::from(commit_shape::body(2 * 1024))),
        ("40KiB", Bytes::from(commit_shape::body(40 * 1024))),
    ];
    // The two handlers must agree before either is timed.
    let runtime = runtime();
    for (_, body) in &inputs {
        let plain = runtime.block_on(request(&app, "/axum_json", body));
        let pooled = runtime.block_on(request(&app, "/pooled_json", body));
        assert_eq!(plain, pooled, "the same answer");
    }
    report(&app, &inputs);
    let mut group = c.benchmark_group("axum");
    for (name, body) in &inputs {
        group.throughput(Throughput::Bytes(body.len() as u64));
        for contender in CONTENDERS {
            let path = format!("/{contender}");
            group.bench_with_input(BenchmarkId::new(contender, name), body, |b, body| {
                b.iter(|| runtime.block_on(request(&app, &path, body)))
            });
        }
    }
    group.finish();
    assert_eq!(CommitRequest::pool().stats().in_use, 0);
}

criterion_group!(benches, bench);
criterion_main!(benches);
