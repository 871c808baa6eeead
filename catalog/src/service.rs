//! The HTTP service of the `server` binary, as a module its integration
//! test (`tests/catalog_server.rs`) starts in process on `127.0.0.1:0`.
//!
//! * `GET /v1/config`, `GET /v1/namespaces`, `GET /v1/namespaces/{ns}/tables`:
//!   Iceberg REST's `CatalogConfig`, `ListNamespacesResponse` and
//!   `ListTablesResponse`, so a client can discover what to load, each built
//!   in a pooled builder and answered as `PooledJson`.
//! * `GET /v1/namespaces/{ns}/tables/{table}`: the table's Iceberg REST
//!   `LoadTableResult`, built in a pooled builder, serialised into a pooled
//!   buffer of the size class of the table's previous answer, which is the
//!   response body without a copy; the buffer goes back to its pool when
//!   hyper has written it and drops the body.
//! * `POST /v1/namespaces/{ns}/tables/{table}`: an Iceberg
//!   `CommitTableRequest`, extracted as `PooledJson` (decoded in place into
//!   a pooled request), checked and applied to the table, answered with a
//!   pooled `CommitTableResponse` as `PooledJson`.
//! * `GET /metrics`: the Prometheus text exposition of every pool.
//! * `GET /debug/pools`: JSON with every pool's counters and idle bytes,
//!   and, while take-site tracking is on (`POOLABLE_TRACK=1`, or the
//!   server's `--track`), the guards out per call site with the age of the
//!   oldest: where to look when `pool_in_use_objects` keeps growing.
//! * Anything else, or bad input: an Iceberg `ErrorModel` JSON body with the
//!   status it carries (400 for bad names and malformed bodies, 404 for
//!   unknown namespaces, tables and paths, 405 for other methods, 408 for a
//!   body too slow to arrive, 409 for a failed requirement, 413 for a body
//!   over [`Limits::max_body_bytes`], 415 for a body that is not
//!   `application/json`, 503 when [`Limits::max_connections`] are open).
//!
//! # Hostile clients
//!
//! The connections are served by hyper directly (not `axum::serve`, which
//! sets no timeouts), with [`Limits`]: a client that sends its headers too
//! slowly, or keeps an idle connection open, is disconnected after
//! `header_read_timeout`; headers over `max_header_bytes` answer 431; at most
//! `max_connections` are served at once, and one more is answered 503 and
//! closed at once, so idle clients cannot exhaust the file descriptors;
//! bodies are capped and time-limited; error messages quote at most
//! `model::MAX_ECHO` bytes of a client's input. The 400, 414 and 431
//! answers of malformed HTTP are hyper's own, written before any service
//! sees the request, and have no body: hyper has no hook to give them one.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use poolable::axum::{JsonRejection, JsonRejectionKind, PooledJson};
use poolable::metrics::prometheus::{Encoder, Registry, TextEncoder};
use poolable::{Poolable, PooledBuffer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::files;
use crate::model::{
    self, apply, apply_create, check_commit, check_names, check_namespace, check_namespace_update, key,
    namespace_body, namespace_list, new_table, table_list, update_properties, Catalog, CatalogError,
    CommitTableRequest, CreateTableRequest, ErrorResponse, NamespaceBody, Page, RegisterTableRequest,
    RenameTableRequest, TableDef, TableMetadata, UpdateNamespaceProperties, PREFIX,
};
use crate::store::Store;

/// What the service tolerates from its clients. The defaults suit a catalog
/// on a private network; every field is documented with what a client that
/// exceeds it gets.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time a client has to send a request's headers, counted from when the
    /// connection opens or its previous response was written (so it is the
    /// keep-alive idle timeout as well). Exceeded: the connection is closed.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body. Exceeded: 408.
    pub body_read_timeout: Duration,
    /// Largest request line and headers. Exceeded: hyper's 431, closed.
    pub max_header_bytes: usize,
    /// Largest `POST` body (the router's `DefaultBodyLimit`). Exceeded: 413,
    /// before the body is read when its `Content-Length` says so.
    pub max_body_bytes: usize,
    /// Connections served at once. One more is answered 503 and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            max_body_bytes: 1024 * 1024,
            max_connections: 512,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    /// The in-memory catalog (without a store), or only the warehouse
    /// (with one).
    pub catalog: Catalog,
    /// Where the catalog is kept, if not in memory.
    pub store: Option<Store>,
    pub registry: Registry,
    pub limits: Limits,
}

/// Commits of one request tried against the store: another commit that
/// lands between the load and the compare-and-swap makes the next attempt
/// check the requirements against that commit's result.
const COMMIT_ATTEMPTS: usize = 8;

impl AppState {
    /// A catalog of tables of `columns` columns on average, and a registry
    /// holding the pools' collector.
    pub fn new(columns: u32) -> Result<AppState, poolable::metrics::prometheus::Error> {
        Self::with_limits(columns, Limits::default())
    }

    /// The same, with `limits`.
    pub fn with_limits(
        columns: u32,
        limits: Limits,
    ) -> Result<AppState, poolable::metrics::prometheus::Error> {
        let registry = Registry::new();
        poolable::metrics::register(&registry)?;
        Ok(AppState { catalog: Catalog::generate(columns), store: None, registry, limits })
    }

    /// A catalog kept in the store at `database_url` (SQLite or
    /// PostgreSQL), its tables created without a location under
    /// `warehouse`; the seeded tables are created there (and their metadata
    /// files written) on the store's first start only.
    pub async fn with_store(
        columns: u32,
        limits: Limits,
        database_url: &str,
        warehouse: &str,
    ) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
        let registry = Registry::new();
        poolable::metrics::register(&registry)?;
        let warehouse = warehouse.trim_end_matches('/');
        let store = Store::open(database_url).await?;
        store.seed(model::seeded_tables(columns, warehouse)).await?;
        Ok(AppState { catalog: Catalog::empty(warehouse), store: Some(store), registry, limits })
    }
}

/// Runs a change to the store on a task of its own, so that it completes
/// (or fails) whole even if the client goes away or the request's deadline
/// passes meanwhile.
async fn detached<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, CatalogError>> + Send + 'static,
) -> Result<T, CatalogError> {
    tokio::spawn(work).await.unwrap_or_else(|e| Err(CatalogError::internal(e.to_string())))
}

/// Writes `table`'s metadata file (for a `file:` location), before the
/// store points at it; the JSON, for the store.
async fn write_metadata(table: &TableDef) -> Result<PooledBuffer, CatalogError> {
    let json = table.metadata_json().map_err(|e| CatalogError::internal(e.to_string()))?;
    let (written, json) = files::write_new_async(table.metadata_location.clone(), json).await;
    written.map_err(|e| {
        CatalogError::internal(format!("cannot write {}: {e}", model::echo(&table.metadata_location)))
    })?;
    Ok(json)
}

fn utf8(json: &[u8]) -> Result<&str, CatalogError> {
    std::str::from_utf8(json).map_err(|e| CatalogError::internal(e.to_string()))
}

/// Adds a new table to the store, its metadata file written first; a
/// refused insert (the name taken, no namespace) removes the file again.
async fn insert_stored(
    store: &Store,
    table: TableDef,
    exists: fn(&str, &str) -> CatalogError,
) -> Result<Arc<TableDef>, CatalogError> {
    let json = write_metadata(&table).await?;
    let location = table.metadata_location.clone();
    let inserted = store.insert(table, utf8(&json)?, exists).await;
    if inserted.as_ref().is_err_and(|e| e.status == 404 || e.status == 409) {
        files::remove(&location);
    }
    inserted
}

/// 409 for a create transaction's commit whose table appeared meanwhile.
fn created_meanwhile(namespace: &str, table: &str) -> CatalogError {
    CatalogError::commit_failed(format!(
        "Requirement failed: table {} was created meanwhile",
        model::shown_name(namespace, table)
    ))
}

fn asserts_create(request: &CommitTableRequest) -> bool {
    request.requirements.iter().any(|requirement| requirement.kind == "assert-create")
}

/// A commit against the store: the table's current version loaded, the
/// requirements checked and the updates applied to a copy, the new
/// metadata file written (fresh name, flushed), then the store's
/// compare-and-swap from the loaded version's location. A lost swap
/// removes the file and tries again from the newer version (whose
/// requirements may then fail: 409); nothing is acknowledged before the
/// swap is committed.
async fn commit_stored(
    state: &AppState,
    store: &Store,
    namespace: &str,
    table: &str,
    request: &CommitTableRequest,
) -> Result<Arc<TableDef>, CatalogError> {
    check_commit(namespace, table, request)?;
    let _turn = store.commit_turn(namespace, table).await;
    for _ in 0..COMMIT_ATTEMPTS {
        let base = match store.load(namespace, table).await {
            Ok(base) => base,
            Err(e) if e.kind == "NoSuchTableException" && asserts_create(request) => {
                let created = apply_create(namespace, table, request, state.catalog.warehouse())?;
                return insert_stored(store, created, created_meanwhile).await;
            }
            Err(e) => return Err(e),
        };
        let next = apply(&base, request, None)?;
        if next.metadata_location == base.metadata_location {
            // Nothing to change: the table as it is.
            return Ok(base);
        }
        let json = write_metadata(&next).await?;
        let location = next.metadata_location.clone();
        match store.swap(&base, next, utf8(&json)?).await? {
            Some(committed) => return Ok(committed),
            // Another commit got there first: this file is no table's.
            None => files::remove(&location),
        }
    }
    Err(CatalogError::commit_failed("the table kept changing during the commit: retry"))
}

/// Writes a table's metadata file after an in-memory change (the in-memory
/// catalog keeps nothing across a restart, so the order is of no matter).
async fn written(table: Result<Arc<TableDef>, CatalogError>) -> Result<Arc<TableDef>, CatalogError> {
    let table = table?;
    if files::local_path(&table.metadata_location).is_some() {
        write_metadata(&table).await?;
    }
    Ok(table)
}

/// The service's routes: Iceberg REST's under `/v1/{prefix}` (the prefix
/// `/v1/config` gives) and under `/v1` alone, `/metrics`, `/debug/pools`.
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new().route("/v1/config", get(config));
    for base in ["/v1".to_owned(), format!("/v1/{PREFIX}")] {
        router = router
            .route(&format!("{base}/namespaces"), get(list_namespaces).post(create_namespace))
            .route(
                &format!("{base}/namespaces/{{namespace}}"),
                get(load_namespace).head(namespace_exists).delete(drop_namespace),
            )
            .route(&format!("{base}/namespaces/{{namespace}}/properties"), post(update_namespace))
            .route(&format!("{base}/namespaces/{{namespace}}/register"), post(register_table))
            .route(&format!("{base}/namespaces/{{namespace}}/tables"), get(list_tables).post(create_table))
            .route(
                &format!("{base}/namespaces/{{namespace}}/tables/{{table}}"),
                get(load_table).head(table_exists).post(commit_table).delete(drop_table),
            )
            .route(&format!("{base}/tables/rename"), post(rename_table));
    }
    router
        .route("/metrics", get(metrics))
        .route("/debug/pools", get(debug_pools))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), body_deadline))
        .with_state(state)
}

/// Answers 408 when a request is not handled within
/// [`Limits::body_read_timeout`]. The handlers wait for nothing but their
/// request's body (and, with a store, on it), so this bounds the time a
/// client has to send it; a change to the store runs on a task of its own
/// (`detached`), so the deadline never cuts one in half.
async fn body_deadline(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.limits.body_read_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeoutException",
            "The request body was too slow to arrive",
        ),
    }
}

/// Serves `router(state)` on `listener` until the process ends, within
/// `state.limits`.
pub async fn serve(listener: TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    let limits = state.limits.clone();
    let service = TowerToHyperService::new(router(state));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        // The read buffer holds at most the headers and a little body; hyper's
        // minimum is 8 KiB.
        .max_buf_size(limits.max_header_bytes.max(8 * 1024) + 8 * 1024);
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it
                // was accepted: try again shortly, as `axum::serve` does.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(TokioIo::new(stream), service.clone());
        tokio::spawn(async move {
            // A client that goes away or breaks the protocol ends only its
            // own connection.
            let _ = connection.await;
            drop(permit);
        });
    }
}

/// Answers a connection over the cap with 503 and closes it, without
/// reading it: the client learns why, and holds no descriptor of ours.
async fn refuse(mut stream: TcpStream) {
    let body = br#"{"error":{"message":"Too many open connections: retry later","type":"ServiceUnavailableException","code":503}}"#;
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}

/// A pooled buffer its handler filled, as a response body without a copy.
fn body(content_type: &'static str, buffer: PooledBuffer) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], buffer).into_response()
}

/// An Iceberg `ErrorModel` answer.
fn error(status: StatusCode, kind: &'static str, message: &str) -> Response {
    let mut response = ErrorResponse::pooled();
    response.error.code = status.as_u16();
    response.error.kind = kind;
    response.error.message.push_str(message);
    (status, PooledJson(response)).into_response()
}

/// A refusal of the catalog, as an Iceberg `ErrorModel`.
fn refused(error: CatalogError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, PooledJson(error.answer())).into_response()
}

fn bad_path() -> Response {
    // A path that does not decode (bad percent-encoding, not UTF-8) is a bad name too.
    error(StatusCode::BAD_REQUEST, "BadRequestException", "Invalid namespace or table name")
}

/// A body the extractor refused, as an Iceberg `ErrorModel`: every
/// malformed body is a 400 `BadRequestException` (Iceberg's clients know no
/// 422); the text is the rejection's, which quotes at most a short excerpt
/// of the input.
fn rejected(rejection: JsonRejection, what: &str) -> Response {
    let (status, kind) = match rejection.kind() {
        JsonRejectionKind::ContentType => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeException")
        }
        JsonRejectionKind::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException"),
        _ => (StatusCode::BAD_REQUEST, "BadRequestException"),
    };
    error(status, kind, &format!("Malformed {what}: {rejection}"))
}

/// The query of a list: the spec's paging, and a parent namespace.
#[derive(serde::Deserialize)]
struct ListQuery {
    parent: Option<String>,
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
    #[serde(rename = "pageSize")]
    page_size: Option<String>,
}

impl ListQuery {
    fn page(query: Result<Query<ListQuery>, QueryRejection>) -> Result<(Option<String>, Page), CatalogError> {
        let Ok(Query(query)) = query else {
            return Err(CatalogError::bad_request("Malformed query string"));
        };
        let page = Page::parse(query.page_token, query.page_size.as_deref())?;
        Ok((query.parent, page))
    }
}

type NamespacePath = Result<Path<String>, PathRejection>;
type TablePath = Result<Path<(String, String)>, PathRejection>;

/// The table's `LoadTableResult`, encoded here into the size class of this
/// table's previous answer rather than by `PooledJson` into the class of
/// this thread's recent answers: tables of 15 and 40 KiB interleave.
fn load_answer(table: &TableDef) -> Response {
    match table.load_pooled() {
        Ok(json) => body("application/json", json),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", &e.to_string()),
    }
}

async fn config(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    PooledJson(state.catalog.config())
}

async fn list_namespaces(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let (parent, page) = match ListQuery::page(query) {
        Ok(query) => query,
        Err(e) => return refused(e),
    };
    let list = match &state.store {
        None => state.catalog.namespace_list(parent.as_deref(), &page),
        Some(store) => match store.namespaces().await {
            Ok(keys) => namespace_list(keys.iter().map(String::as_str), parent.as_deref(), &page),
            Err(e) => Err(e),
        },
    };
    match list {
        Ok(list) => PooledJson(list).into_response(),
        Err(e) => refused(e),
    }
}

async fn create_namespace(
    State(state): State<Arc<AppState>>,
    request: Result<PooledJson<NamespaceBody>, JsonRejection>,
) -> Response {
    let request = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection, "CreateNamespaceRequest"),
    };
    let created = match &state.store {
        None => state.catalog.create_namespace(&request),
        Some(_) => {
            let namespace = request.namespace.join(&model::NAMESPACE_SEPARATOR.to_string());
            let properties = request.properties.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect();
            let state = Arc::clone(&state);
            detached(async move {
                check_namespace(&namespace)?;
                let store = state.store.as_ref().expect("a store");
                store.create_namespace(&namespace, &properties).await
            })
            .await
        }
    };
    match created {
        // Answered as it came: the namespace and its properties.
        Ok(()) => request.into_response(),
        Err(e) => refused(e),
    }
}

async fn load_namespace(State(state): State<Arc<AppState>>, path: NamespacePath) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let body = match &state.store {
        None => state.catalog.namespace(&namespace),
        Some(store) => match check_namespace(&namespace) {
            Ok(()) => {
                store.namespace(&namespace).await.map(|properties| namespace_body(&namespace, &properties))
            }
            Err(e) => Err(e),
        },
    };
    match body {
        Ok(body) => PooledJson(body).into_response(),
        Err(e) => refused(e),
    }
}

async fn namespace_exists(State(state): State<Arc<AppState>>, path: NamespacePath) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let exists = match &state.store {
        None => state.catalog.namespace_exists(&namespace),
        Some(store) => match check_namespace(&namespace) {
            Ok(()) => store.namespace(&namespace).await.map(drop),
            Err(e) => Err(e),
        },
    };
    match exists {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}

async fn drop_namespace(State(state): State<Arc<AppState>>, path: NamespacePath) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let dropped = match &state.store {
        None => state.catalog.drop_namespace(&namespace),
        Some(_) => {
            let state = Arc::clone(&state);
            detached(async move {
                check_namespace(&namespace)?;
                state.store.as_ref().expect("a store").drop_namespace(&namespace).await
            })
            .await
        }
    };
    match dropped {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}

async fn update_namespace(
    State(state): State<Arc<AppState>>,
    path: NamespacePath,
    request: Result<PooledJson<UpdateNamespaceProperties>, JsonRejection>,
) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let PooledJson(request) = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection, "UpdateNamespacePropertiesRequest"),
    };
    let answer = match &state.store {
        None => state.catalog.update_namespace(&namespace, &request),
        Some(_) => {
            let state = Arc::clone(&state);
            detached(async move {
                check_namespace_update(&namespace, &request)?;
                let store = state.store.as_ref().expect("a store");
                store.update_namespace(&namespace, |properties| update_properties(properties, &request)).await
            })
            .await
        }
    };
    match answer {
        Ok(answer) => PooledJson(answer).into_response(),
        Err(e) => refused(e),
    }
}

async fn list_tables(
    State(state): State<Arc<AppState>>,
    path: NamespacePath,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let (_, page) = match ListQuery::page(query) {
        Ok(query) => query,
        Err(e) => return refused(e),
    };
    let list = match &state.store {
        None => state.catalog.table_list(&namespace, &page),
        Some(store) => match check_namespace(&namespace) {
            Ok(()) => store
                .table_names(&namespace)
                .await
                .map(|names| table_list(&namespace, names.iter().map(String::as_str), &page)),
            Err(e) => Err(e),
        },
    };
    match list {
        Ok(list) => PooledJson(list).into_response(),
        Err(e) => refused(e),
    }
}

async fn create_table(
    State(state): State<Arc<AppState>>,
    path: NamespacePath,
    request: Result<PooledJson<CreateTableRequest>, JsonRejection>,
) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let request = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection, "CreateTableRequest"),
    };
    let table = match new_table(&namespace, &request, state.catalog.warehouse()) {
        Ok(table) => table,
        Err(e) => return refused(e),
    };
    drop(request);
    let staged = table.metadata_location.is_empty();
    let created = match &state.store {
        // Staged: answered, not kept (a create transaction's commit creates it).
        None if staged => match state.catalog.table(&namespace, &table.name) {
            Ok(_) => Err(CatalogError::table_exists(&namespace, &table.name)),
            Err(e) if e.kind == "NoSuchTableException" => Ok(Arc::new(table)),
            Err(e) => Err(e),
        },
        None => {
            let state = Arc::clone(&state);
            detached(async move {
                if files::local_path(&table.metadata_location).is_some() {
                    write_metadata(&table).await?;
                }
                let location = table.metadata_location.clone();
                let inserted = state.catalog.insert(table, CatalogError::table_exists);
                if inserted.is_err() {
                    files::remove(&location);
                }
                inserted
            })
            .await
        }
        Some(_) => {
            let state = Arc::clone(&state);
            detached(async move {
                let store = state.store.as_ref().expect("a store");
                // The namespace first, so that no file is written for a table that cannot be.
                store.namespace(&namespace).await?;
                if !staged {
                    return insert_stored(store, table, CatalogError::table_exists).await;
                }
                match store.load(&namespace, &table.name).await {
                    Ok(_) => Err(CatalogError::table_exists(&namespace, &table.name)),
                    Err(e) if e.kind == "NoSuchTableException" => Ok(Arc::new(table)),
                    Err(e) => Err(e),
                }
            })
            .await
        }
    };
    match created {
        Ok(table) => load_answer(&table),
        Err(e) => refused(e),
    }
}

async fn register_table(
    State(state): State<Arc<AppState>>,
    path: NamespacePath,
    request: Result<PooledJson<RegisterTableRequest>, JsonRejection>,
) -> Response {
    let Ok(Path(namespace)) = path else { return bad_path() };
    let PooledJson(request) = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection, "RegisterTableRequest"),
    };
    let state = Arc::clone(&state);
    let registered = detached(async move {
        check_names(&namespace, &request.name)?;
        if request.overwrite {
            return Err(CatalogError::bad_request("register with overwrite is not supported"));
        }
        let location = request.metadata_location.clone();
        let contents = tokio::task::spawn_blocking(move || files::read(&location))
            .await
            .map_err(|e| CatalogError::internal(e.to_string()))?
            .map_err(CatalogError::bad_request)?;
        let metadata: TableMetadata = serde_json::from_slice(&contents).map_err(|e| {
            CatalogError::bad_request(format!(
                "{} is not table metadata of format version 2 this catalog reads: {e}",
                model::echo(&request.metadata_location)
            ))
        })?;
        if metadata.format_version != 2
            || !metadata.schemas.iter().any(|s| s.schema_id == metadata.current_schema_id)
        {
            return Err(CatalogError::bad_request(
                "registered metadata must be of format version 2, with its current schema",
            ));
        }
        let table = TableDef::stored(&namespace, &request.name, &request.metadata_location, metadata);
        match state.store.as_ref() {
            None => state.catalog.insert(table, CatalogError::table_exists),
            Some(store) => {
                let json = table.metadata_json().map_err(|e| CatalogError::internal(e.to_string()))?;
                store.insert(table, utf8(&json)?, CatalogError::table_exists).await
            }
        }
    })
    .await;
    match registered {
        Ok(table) => load_answer(&table),
        Err(e) => refused(e),
    }
}

async fn load_table(State(state): State<Arc<AppState>>, path: TablePath) -> Response {
    let Ok(Path((namespace, table))) = path else { return bad_path() };
    let table = match &state.store {
        None => state.catalog.table(&namespace, &table),
        Some(store) => match check_names(&namespace, &table) {
            Ok(()) => store.load(&namespace, &table).await,
            Err(e) => Err(e),
        },
    };
    match table {
        Ok(table) => load_answer(&table),
        Err(e) => refused(e),
    }
}

/// Whether the table exists: in memory, or in the store.
async fn exists(state: &AppState, namespace: &str, table: &str) -> Result<(), CatalogError> {
    match &state.store {
        None => state.catalog.table_exists(namespace, table),
        Some(store) => {
            check_names(namespace, table)?;
            store.load(namespace, table).await.map(drop)
        }
    }
}

async fn table_exists(State(state): State<Arc<AppState>>, path: TablePath) -> Response {
    let Ok(Path((namespace, table))) = path else { return bad_path() };
    match exists(&state, &namespace, &table).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}

async fn drop_table(State(state): State<Arc<AppState>>, path: TablePath) -> Response {
    // `purgeRequested` asks to delete the data too; this catalog deletes no files.
    let Ok(Path((namespace, table))) = path else { return bad_path() };
    let dropped = match &state.store {
        None => state.catalog.drop_table(&namespace, &table),
        Some(_) => {
            let state = Arc::clone(&state);
            detached(async move {
                check_names(&namespace, &table)?;
                state.store.as_ref().expect("a store").drop_table(&namespace, &table).await
            })
            .await
        }
    };
    match dropped {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}

async fn rename_table(
    State(state): State<Arc<AppState>>,
    request: Result<PooledJson<RenameTableRequest>, JsonRejection>,
) -> Response {
    let PooledJson(request) = match request {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection, "RenameTableRequest"),
    };
    let renamed = match &state.store {
        None => state.catalog.rename_table(&request),
        Some(_) => {
            let state = Arc::clone(&state);
            detached(async move {
                let (from, to) = (key(&request.source), key(&request.destination));
                check_names(&from, &request.source.name)?;
                check_names(&to, &request.destination.name)?;
                let store = state.store.as_ref().expect("a store");
                store.rename_table((&from, &request.source.name), (&to, &request.destination.name)).await
            })
            .await
        }
    };
    match renamed {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}

async fn commit_table(
    State(state): State<Arc<AppState>>,
    path: TablePath,
    request: Result<PooledJson<CommitTableRequest>, JsonRejection>,
) -> Response {
    let Ok(Path((namespace, table))) = path else { return bad_path() };
    // An unknown table answers 404 whatever its body, unless the body is a
    // create transaction's commit (`assert-create`).
    let missing = exists(&state, &namespace, &table).await.err();
    let PooledJson(request) = match (request, missing) {
        (Ok(request), None) => request,
        (Ok(request), Some(_)) if asserts_create(&request) => request,
        (_, Some(e)) => return refused(e),
        (Err(rejection), None) => return rejected(rejection, "CommitTableRequest"),
    };
    let committed = match &state.store {
        None => {
            let committed = match state.catalog.table_exists(&namespace, &table) {
                Ok(()) => state.catalog.commit(&namespace, &table, &request),
                Err(_) => state.catalog.create_by_commit(&namespace, &table, &request),
            };
            drop(request);
            written(committed).await
        }
        Some(_) => {
            let state = Arc::clone(&state);
            detached(async move {
                let store = state.store.as_ref().expect("a store");
                commit_stored(&state, store, &namespace, &table, &request).await
            })
            .await
        }
    };
    match committed {
        Ok(table) => PooledJson(table.commit_answer()).into_response(),
        Err(e) => refused(e),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    // Gather first, then take the buffer, so the scrape does not count itself in use.
    let families = state.registry.gather();
    let mut text = poolable::buffer();
    match TextEncoder::new().encode(&families, &mut *text) {
        Ok(()) => body("text/plain; version=0.0.4; charset=utf-8", text),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", &e.to_string()),
    }
}

/// The body of `GET /debug/pools`.
#[derive(serde::Serialize)]
struct DebugPools {
    tracking: bool,
    outstanding: Vec<poolable::diagnostics::Outstanding>,
    pools: Vec<poolable::PoolSnapshot>,
}

async fn debug_pools() -> Response {
    let report = DebugPools {
        tracking: poolable::diagnostics::is_tracking(),
        outstanding: poolable::diagnostics::outstanding(),
        pools: poolable::pools(),
    };
    match poolable::json::to_vec(&report) {
        Ok(json) => body("application/json", json),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", &e.to_string()),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NotFoundException", "No such route")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowedException", "Method not allowed")
}
