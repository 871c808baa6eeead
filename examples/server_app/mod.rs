//! The HTTP service of `examples/server.rs`, as a module its integration
//! test (`tests/catalog_server.rs`) starts in process on `127.0.0.1:0`.
//!
//! * `GET /v1/namespaces/{ns}/tables/{table}`: the table's Iceberg REST
//!   `LoadTableResult`, built in a pooled builder, serialised into a pooled
//!   buffer that becomes the response body without a copy
//!   (`PooledBuffer::into_bytes`); the buffer goes back to its pool when
//!   hyper has written it and drops the body.
//! * `GET /metrics`: the Prometheus text exposition of every pool.
//! * Anything else, or bad names: an Iceberg `ErrorModel` JSON body with the
//!   status it carries (400 for bad names, 404 for unknown namespaces,
//!   tables and paths, 405 for other methods).
//!
//! Uses `crate::catalog_model`, which each user includes next to this module.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use poolable::metrics::prometheus::{Encoder, Registry, TextEncoder};
use poolable::{Poolable, PooledBuffer};

use crate::catalog_model::{Catalog, ErrorResponse};

/// What every handler shares.
pub struct AppState {
    pub catalog: Catalog,
    pub registry: Registry,
}

impl AppState {
    /// A catalog of tables of `columns` columns on average, and a registry
    /// holding the pools' collector.
    pub fn new(columns: u32) -> Result<AppState, poolable::metrics::prometheus::Error> {
        let registry = Registry::new();
        poolable::metrics::register(&registry)?;
        Ok(AppState { catalog: Catalog::generate(columns), registry })
    }
}

/// The service's routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/namespaces/{namespace}/tables/{table}", get(load_table))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Serves `router(state)` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}

/// A pooled buffer as a response body, without a copy.
fn body(status: StatusCode, content_type: &'static str, buffer: PooledBuffer) -> Response {
    let mut response = Response::new(Body::from(buffer.into_bytes()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An Iceberg `ErrorModel` answer.
fn error(status: StatusCode, kind: &'static str, message: &str) -> Response {
    let mut response = ErrorResponse::pooled();
    response.error.code = status.as_u16();
    response.error.kind = kind;
    response.error.message.push_str(message);
    match poolable::json::to_vec(&response) {
        Ok(json) => body(status, "application/json", json),
        Err(_) => status.into_response(),
    }
}

async fn load_table(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    // A path that does not decode (bad percent-encoding, not UTF-8) is a bad name too.
    let Ok(Path((namespace, table))) = path else {
        return error(StatusCode::BAD_REQUEST, "BadRequestException", "Invalid namespace or table name");
    };
    let answer = match state.catalog.table(&namespace, &table) {
        Ok(def) => def.load_pooled().map(|json| (StatusCode::OK, json)),
        Err(lookup) => {
            let status = StatusCode::from_u16(lookup.kind().0).expect("a valid status");
            lookup.to_json(&namespace, &table).map(|json| (status, json))
        }
    };
    match answer {
        Ok((status, json)) => body(status, "application/json", json),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", &e.to_string()),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    // Gather first, then take the buffer, so the scrape does not count itself in use.
    let families = state.registry.gather();
    let mut text = poolable::buffer();
    match TextEncoder::new().encode(&families, &mut *text) {
        Ok(()) => body(StatusCode::OK, "text/plain; version=0.0.4; charset=utf-8", text),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", &e.to_string()),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NotFoundException", "No such route")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowedException", "Method not allowed")
}
