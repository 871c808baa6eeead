//! The `server` binary's service under a real HTTP client: the library's
//! `service` serves on `127.0.0.1:0`; hyper's client drives it from
//! several tasks over keep-alive connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::{model, service};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use service::AppState;

const TASKS: usize = 4;

/// The pools are the process's: a test that counts a pool's takes or its
/// objects in use runs alone among those that use that pool (tables loaded,
/// commits decoded).
static SHARED_POOLS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
const REQUESTS_PER_TASK: usize = 100;

/// One keep-alive HTTP/1.1 connection.
async fn connect(address: SocketAddr) -> SendRequest<Empty<Bytes>> {
    let stream = tokio::net::TcpStream::connect(address).await.expect("connects");
    let (sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    sender
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

/// A response, read whole.
async fn answer(response: hyper::Response<hyper::body::Incoming>) -> Answer {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.expect("a body").to_bytes();
    Answer { status, content_type, body }
}

async fn request(sender: &mut SendRequest<Empty<Bytes>>, method: Method, path: &str) -> Answer {
    sender.ready().await.expect("connection ready");
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1")
        .body(Empty::new())
        .expect("a valid request");
    answer(sender.send_request(request).await.expect("an answer")).await
}

async fn get(sender: &mut SendRequest<Empty<Bytes>>, path: &str) -> Answer {
    request(sender, Method::GET, path).await
}

/// The value of one series in a text exposition (`None` if absent).
fn series(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

async fn scrape(sender: &mut SendRequest<Empty<Bytes>>) -> String {
    let answer = get(sender, "/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.content_type.starts_with("text/plain"), "{}", answer.content_type);
    String::from_utf8(answer.body.to_vec()).expect("UTF-8")
}

/// The Iceberg `ErrorModel` of an error answer: (type, code, message).
fn error_model(answer: &Answer) -> (String, u64, String) {
    assert_eq!(answer.content_type, "application/json");
    let json: Value = serde_json::from_slice(&answer.body).expect("a JSON error");
    let error = &json["error"];
    (
        error["type"].as_str().expect("a type").to_owned(),
        error["code"].as_u64().expect("a code"),
        error["message"].as_str().expect("a message").to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_answers_tables_errors_and_metrics() {
    let _alone = SHARED_POOLS.lock().await;
    let state = Arc::new(AppState::new(24).expect("registers the collector"));
    let address = serve(Arc::clone(&state)).await;

    // What each table's answer must be: the unpooled serialisation.
    let expected: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
        state
            .catalog
            .tables()
            .into_iter()
            .map(|t| (format!("/v1/namespaces/{}/tables/{}", t.namespace, t.name), t.load_unpooled()))
            .collect(),
    );
    assert_eq!(expected.len(), 12);

    let mut admin = connect(address).await;
    let before = scrape(&mut admin).await;
    let hits_before = series(&before, "pool_hits_total{pool=\"load_table_result\"}").unwrap_or(0.0);
    let misses_before = series(&before, "pool_misses_total{pool=\"load_table_result\"}").unwrap_or(0.0);

    // A few hundred requests from a few tasks, each on its own connection.
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let expected = Arc::clone(&expected);
            tokio::spawn(async move {
                let mut sender = connect(address).await;
                for i in 0..REQUESTS_PER_TASK {
                    let (path, body) = &expected[(task * 5 + i * 7) % expected.len()];
                    let answer = get(&mut sender, path).await;
                    assert_eq!(answer.status, StatusCode::OK, "{path}");
                    assert_eq!(answer.content_type, "application/json");
                    assert_eq!(&answer.body[..], &body[..], "{path}: pooled answer differs from unpooled");
                    if i % 10 == 0 {
                        let json: Value = serde_json::from_slice(&answer.body).expect("JSON");
                        assert!(json["metadata-location"].as_str().expect("a location").starts_with("s3://"));
                        let schemas = json["metadata"]["schemas"].as_array().expect("schemas");
                        assert_eq!(schemas.len(), 3);
                        assert!(!schemas[2]["fields"].as_array().expect("fields").is_empty());
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a client task");
    }

    // Bad input: a JSON error with the status it names.
    for (method, path, status, kind) in [
        (Method::GET, "/v1/namespaces/analytics/tables/nope", 404, "NoSuchTableException"),
        (Method::GET, "/v1/namespaces/nowhere/tables/orders", 404, "NoSuchNamespaceException"),
        (Method::GET, "/v1/namespaces/analytics/tables/bad-name", 400, "BadRequestException"),
        (Method::GET, "/v1/namespaces/a%20b/tables/orders", 400, "BadRequestException"),
        (Method::GET, "/v1/namespaces/analytics/tables/%FF", 400, "BadRequestException"),
        (Method::GET, "/v1/nothing/here", 404, "NotFoundException"),
        (Method::PUT, "/v1/namespaces/analytics/tables/orders", 405, "MethodNotAllowedException"),
    ] {
        let answer = request(&mut admin, method.clone(), path).await;
        assert_eq!(answer.status.as_u16(), status, "{method} {path}");
        let (got_kind, code, message) = error_model(&answer);
        assert_eq!((got_kind.as_str(), code), (kind, u64::from(status)), "{method} {path}: {message}");
        assert!(!message.is_empty());
    }

    // The metrics moved, and once idle nothing is in use (a response body's
    // buffer goes back when hyper drops it, which may trail the client's read).
    let total = (TASKS * REQUESTS_PER_TASK) as f64;
    let deadline = Instant::now() + Duration::from_secs(10);
    let after = loop {
        let text = scrape(&mut admin).await;
        let in_use: Vec<(&str, f64)> = text
            .lines()
            .filter(|line| line.starts_with("pool_in_use_objects{"))
            .map(|line| {
                let (name, value) = line.rsplit_once(' ').expect("name value");
                (name, value.parse().expect("a number"))
            })
            .collect();
        assert!(in_use.iter().any(|(name, _)| name.contains("\"load_table_result\"")), "{text}");
        if in_use.iter().all(|&(_, value)| value == 0.0) {
            break text;
        }
        assert!(Instant::now() < deadline, "objects still in use once idle: {in_use:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let hits = series(&after, "pool_hits_total{pool=\"load_table_result\"}").expect("hits") - hits_before;
    let misses =
        series(&after, "pool_misses_total{pool=\"load_table_result\"}").expect("misses") - misses_before;
    assert_eq!(hits + misses, total, "one builder per table request");
    // Misses: at most a few per server thread while the pool warms up.
    assert!(hits >= total - 16.0, "hits {hits}, misses {misses}");
    assert!(series(&after, "pool_hits_total{pool=\"error_response\"}").is_some(), "{after}");
    let buffer_hits: f64 = after
        .lines()
        .filter(|line| line.starts_with("pool_hits_total{pool=\"buffer_"))
        .map(|line| line.rsplit_once(' ').expect("name value").1.parse::<f64>().expect("a number"))
        .sum();
    assert!(buffer_hits > 0.0, "{after}");
}

#[test]
fn names_the_catalog_accepts() {
    use model::valid_name;
    assert!(valid_name("orders") && valid_name("line_items") && valid_name("A1"));
    assert!(!valid_name("") && !valid_name("bad-name") && !valid_name("a b") && !valid_name("é"));
    assert!(valid_name(&"x".repeat(128)) && !valid_name(&"x".repeat(129)));
}

// ---------------------------------------------------------------------------
// Commits, and clients that misbehave
// ---------------------------------------------------------------------------

use http_body_util::Full;
use service::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Limits small enough for a test to reach each of them quickly.
fn test_limits() -> Limits {
    Limits {
        header_read_timeout: Duration::from_millis(400),
        body_read_timeout: Duration::from_millis(400),
        max_header_bytes: 8192,
        max_body_bytes: 64 * 1024,
        max_connections: 6,
    }
}

async fn start(limits: Limits) -> (SocketAddr, Arc<AppState>) {
    let state = Arc::new(AppState::with_limits(12, limits).expect("registers the collector"));
    (serve(Arc::clone(&state)).await, state)
}

/// Serves `state` on a free port of 127.0.0.1, in the background.
async fn serve(state: Arc<AppState>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(service::serve(listener, state));
    address
}

/// `POST path` with `body`, on a connection of its own.
async fn post(address: SocketAddr, path: &str, body: Vec<u8>) -> Answer {
    let stream = TcpStream::connect(address).await.expect("connects");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("a valid request");
    answer(sender.send_request(request).await.expect("an answer")).await
}

/// Sends `bytes` on a raw connection and reads until the server closes it
/// (or `within` passes: then `None`).
async fn raw(address: SocketAddr, bytes: &[u8], within: Duration) -> Option<String> {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(bytes).await.expect("sends");
    read_until_closed(&mut stream, within).await
}

async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

const ORDERS: &str = "/v1/namespaces/analytics/tables/orders";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_is_decoded_into_a_pooled_request_and_applied() {
    let _alone = SHARED_POOLS.lock().await;
    let (address, state) = start(Limits::default()).await;
    let (uuid, schema) = {
        let table = state.catalog.table("analytics", "orders").expect("the table");
        (table.metadata.table_uuid.clone(), table.metadata.current_schema_id)
    };
    let last_snapshot =
        state.catalog.table("analytics", "orders").unwrap().metadata.snapshots.last().unwrap().snapshot_id;
    let commit = serde_json::json!({
        "identifier": {"namespace": ["analytics"], "name": "orders"},
        "requirements": [
            {"type": "assert-table-uuid", "uuid": uuid},
            {"type": "assert-current-schema-id", "current-schema-id": schema},
            {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": last_snapshot}
        ],
        "updates": [
            {"action": "set-properties", "updates": {"owner": "payments", "comment": "orders of the shop"}},
            {"action": "remove-properties", "removals": ["commit.retry.num-retries"]},
            {"action": "add-snapshot", "snapshot": {
                "snapshot-id": last_snapshot + 1, "parent-snapshot-id": last_snapshot,
                "sequence-number": 99, "timestamp-ms": 1_800_000_000_000u64,
                "manifest-list": "s3://warehouse/analytics/orders/metadata/snap-new.avro",
                "summary": {"operation": "append", "added-records": "12"}}},
            {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": last_snapshot + 1}
        ]
    });
    let answer = post(address, ORDERS, serde_json::to_vec(&commit).unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    let response: Value = serde_json::from_slice(&answer.body).expect("a CommitTableResponse");
    assert!(response["metadata-location"].as_str().unwrap().contains("/metadata/00006-"), "{response}");
    let properties = &response["metadata"]["properties"];
    assert_eq!(properties["owner"], "payments");
    assert!(properties.get("commit.retry.num-retries").is_none(), "{properties}");
    assert_eq!(response["metadata"]["current-snapshot-id"], last_snapshot + 1);

    // A later load sees the commit; a commit on stale metadata fails (409).
    let mut sender = connect(address).await;
    let load: Value = serde_json::from_slice(&get(&mut sender, ORDERS).await.body).unwrap();
    assert_eq!(load["metadata"], response["metadata"]);
    let stale = post(address, ORDERS, serde_json::to_vec(&commit).unwrap()).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let (kind, code, message) = error_model(&stale);
    assert_eq!((kind.as_str(), code), ("CommitFailedException", 409), "{message}");

    // The request came from its pool, and went back to it.
    let text = scrape(&mut sender).await;
    assert!(series(&text, "pool_returns_total{pool=\"commit_table_request\"}").unwrap() >= 2.0, "{text}");
    assert_eq!(series(&text, "pool_in_use_objects{pool=\"commit_table_request\"}"), Some(0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_commits_answer_iceberg_errors() {
    let _alone = SHARED_POOLS.lock().await;
    let (address, _state) = start(test_limits()).await;
    let cases: [(&str, &[u8], u16, &str); 9] = [
        (ORDERS, b"{\"requirements\": [", 400, "BadRequestException"),
        (ORDERS, b"{\"requirements\": [], \"updates\": []} trailing", 400, "BadRequestException"),
        (ORDERS, b"{\"requirements\": 5, \"updates\": []}", 400, "BadRequestException"),
        (ORDERS, b"{\"updates\": []}", 400, "BadRequestException"),
        (ORDERS, b"not json at all", 400, "BadRequestException"),
        (
            ORDERS,
            br#"{"requirements": [], "updates": [{"action": "drop-everything"}]}"#,
            400,
            "BadRequestException",
        ),
        (
            ORDERS,
            br#"{"requirements": [{"type": "assert-create"}], "updates": []}"#,
            409,
            "CommitFailedException",
        ),
        ("/v1/namespaces/analytics/tables/nope", b"{}", 404, "NoSuchTableException"),
        ("/v1/namespaces/analytics/tables/bad-name", b"{}", 400, "BadRequestException"),
    ];
    for (path, body, status, kind) in cases {
        let answer = post(address, path, body.to_vec()).await;
        assert_eq!(answer.status.as_u16(), status, "{}", String::from_utf8_lossy(body));
        let (got, code, message) = error_model(&answer);
        assert_eq!((got.as_str(), code), (kind, u64::from(status)), "{message}");
    }
    // A failed commit changed nothing: the next one on the same table applies.
    let ok = post(address, ORDERS, br#"{"requirements": [], "updates": []}"#.to_vec()).await;
    assert_eq!(ok.status, StatusCode::OK);

    // Not JSON by its content type: 415, as axum::Json, in an ErrorModel.
    for content_type in
        ["", "content-type: text/plain\r\n", "content-type: application/x-www-form-urlencoded\r\n"]
    {
        let body = r#"{"requirements": [], "updates": []}"#;
        let request = format!(
            "POST {ORDERS} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{content_type}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        let answer = raw(address, request.as_bytes(), Duration::from_secs(5)).await.expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 415"), "{content_type:?}: {answer}");
        assert!(answer.contains("UnsupportedMediaTypeException"), "{answer}");
    }

    // A body longer than its Content-Length claims: the server reads what
    // was claimed (a truncated JSON: 400), and what follows is no request.
    let body = r#"{"requirements": [], "updates": []}"#;
    let request = format!(
        "POST {ORDERS} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{body}"
    );
    let answer =
        raw(address, request.as_bytes(), Duration::from_secs(5)).await.expect("answered, then closed");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("BadRequestException") && answer.contains("EOF while parsing"), "{answer}");

    // Every rejected body went back to its pool.
    let mut sender = connect(address).await;
    let text = scrape(&mut sender).await;
    assert_eq!(series(&text, "pool_in_use_objects{pool=\"commit_table_request\"}"), Some(0.0), "{text}");
    assert_eq!(series(&text, "pool_in_use_objects{pool=\"buffer_4k\"}"), Some(0.0), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_answers_413_announced_or_not() {
    let limits = test_limits();
    let (address, _state) = start(limits.clone()).await;
    let huge = vec![b' '; limits.max_body_bytes + 1];
    let answer = post(address, ORDERS, huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_model(&answer).0, "PayloadTooLargeException");

    // Chunked, with no length announced: stopped once past the limit.
    let chunk = format!("{:x}\r\n{}\r\n", 40_000, " ".repeat(40_000));
    let head = format!("POST {ORDERS} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
    let request = [head.as_bytes(), chunk.as_bytes(), chunk.as_bytes(), b"0\r\n\r\n"].concat();
    let answer = raw(address, &request, Duration::from_secs(5)).await.expect("an answer, then closed");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PayloadTooLargeException"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_too_slow_to_arrive_answers_408() {
    let (address, _state) = start(test_limits()).await;
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {ORDERS} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"requ"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await.expect("answered in time");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_idle_connections_are_closed() {
    let limits = test_limits();
    let (address, _state) = start(limits.clone()).await;
    // Headers that never end: closed after the header timeout.
    let started = Instant::now();
    let answer = raw(address, b"GET /metrics HTTP/1.1\r\nhost: x\r\nx-slow: ", Duration::from_secs(5)).await;
    assert!(answer.is_some(), "closed, not left open");
    let waited = started.elapsed();
    assert!(waited >= limits.header_read_timeout && waited < Duration::from_secs(3), "{waited:?}");

    // A keep-alive connection that goes idle after an answer: closed too.
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await.expect("closed once idle");
    assert!(answer.starts_with("HTTP/1.1 200"), "answered first: {answer}");
    assert!(started.elapsed() >= limits.header_read_timeout, "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_answer_503_and_normal_clients_get_through_afterwards() {
    let _alone = SHARED_POOLS.lock().await;
    let limits = test_limits();
    let (address, _state) = start(limits.clone()).await;
    // Idle connections fill the cap (each sends a byte, so it is accepted
    // and served, and waits for the rest of its headers).
    let mut idle = Vec::new();
    for _ in 0..limits.max_connections {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(b"G").await.unwrap();
        idle.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = raw(address, b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n", Duration::from_secs(2))
        .await
        .expect("answered at once");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("ServiceUnavailableException"), "{refused}");
    // The idle ones time out and free their places.
    tokio::time::sleep(limits.header_read_timeout + Duration::from_millis(300)).await;
    let mut sender = connect(address).await;
    assert_eq!(get(&mut sender, ORDERS).await.status, StatusCode::OK);
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_headers_answer_431_and_bad_names_are_echoed_cut() {
    let limits = test_limits();
    let (address, _state) = start(limits.clone()).await;
    let big =
        format!("GET /metrics HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n", "a".repeat(limits.max_header_bytes));
    let answer = raw(address, big.as_bytes(), Duration::from_secs(5)).await.expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    let name = "x-".repeat(3000);
    let mut sender = connect(address).await;
    let answer = get(&mut sender, &format!("/v1/namespaces/analytics/tables/{name}")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let (_, _, message) = error_model(&answer);
    assert!(answer.body.len() < 512, "the 6 KB name is not echoed whole: {} bytes", answer.body.len());
    assert!(message.contains("(6000 bytes)"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_discovers_the_tables_it_can_load() {
    let _alone = SHARED_POOLS.lock().await;
    let (address, state) = start(Limits::default()).await;
    let mut sender = connect(address).await;

    let config = get(&mut sender, "/v1/config").await;
    assert_eq!((config.status, config.content_type.as_str()), (StatusCode::OK, "application/json"));
    let config: Value = serde_json::from_slice(&config.body).unwrap();
    assert!(config["defaults"].is_object() && config["overrides"].is_object(), "{config}");
    let endpoints: Vec<&str> =
        config["endpoints"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(endpoints.contains(&"GET /v1/{prefix}/namespaces/{namespace}/tables"), "{endpoints:?}");
    assert_eq!(config["overrides"]["prefix"], "iceberg");

    let namespaces: Value = serde_json::from_slice(&get(&mut sender, "/v1/namespaces").await.body).unwrap();
    assert_eq!(namespaces["namespaces"], serde_json::json!([["analytics"], ["ops"], ["sales"]]));

    // Every listed table loads, and every table is listed.
    let mut listed = Vec::new();
    for namespace in ["analytics", "ops", "sales"] {
        let answer = get(&mut sender, &format!("/v1/namespaces/{namespace}/tables")).await;
        assert_eq!(answer.status, StatusCode::OK);
        let tables: Value = serde_json::from_slice(&answer.body).unwrap();
        for id in tables["identifiers"].as_array().unwrap() {
            assert_eq!(id["namespace"], serde_json::json!([namespace]));
            let name = id["name"].as_str().unwrap().to_owned();
            let load = get(&mut sender, &format!("/v1/namespaces/{namespace}/tables/{name}")).await;
            assert_eq!(load.status, StatusCode::OK, "{namespace}.{name}");
            listed.push((namespace.to_owned(), name));
        }
    }
    assert_eq!(listed, state.catalog.table_names());

    for (path, status, kind) in [
        ("/v1/namespaces/nowhere/tables", 404, "NoSuchNamespaceException"),
        ("/v1/namespaces/bad-name/tables", 400, "BadRequestException"),
    ] {
        let answer = get(&mut sender, path).await;
        assert_eq!(answer.status.as_u16(), status, "{path}");
        assert_eq!(error_model(&answer).0, kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_pools_lists_every_pool_and_the_guards_out_while_tracking() {
    let _alone = SHARED_POOLS.lock().await;
    let address = serve(Arc::new(AppState::new(8).expect("registers the collector"))).await;
    let mut sender = connect(address).await;
    assert_eq!(get(&mut sender, "/v1/namespaces/analytics/tables/orders").await.status, StatusCode::OK);

    let report = |answer: Answer| -> Value {
        assert_eq!((answer.status, answer.content_type.as_str()), (StatusCode::OK, "application/json"));
        serde_json::from_slice(&answer.body).expect("JSON")
    };
    let off = report(get(&mut sender, "/debug/pools").await);
    assert_eq!(off["tracking"], false);
    assert_eq!(off["outstanding"], serde_json::json!([]));
    let pools = off["pools"].as_array().expect("pools");
    assert!(pools.iter().any(|p| p["name"] == "buffer_4k"), "{off}");
    let idle: Vec<&Value> = pools.iter().filter(|p| p["stats"]["idle"].as_u64() > Some(0)).collect();
    assert!(!idle.is_empty(), "the load left idle objects: {off}");
    for pool in idle {
        assert!(pool["idle_bytes"].as_u64() > Some(0), "{pool}");
        assert!(pool["discards"]["disabled"] == 0 && pool["discards"]["chaos"] == 0, "{pool}");
    }

    poolable::diagnostics::track(true);
    let (held, line) = (poolable::buffer(), line!());
    let on = report(get(&mut sender, "/debug/pools").await);
    poolable::diagnostics::track(false);
    drop(held);
    assert_eq!(on["tracking"], true);
    let ours = on["outstanding"]
        .as_array()
        .expect("outstanding")
        .iter()
        .find(|o| o["line"] == line)
        .unwrap_or_else(|| panic!("our guard is listed: {on}"))
        .clone();
    assert_eq!((ours["pool"].as_str(), ours["guards"].as_u64()), (Some("buffer_4k"), Some(1)));
    assert!(ours["file"].as_str().is_some_and(|f| f.ends_with("catalog_server.rs")), "{ours}");
    assert!(ours["oldest_seconds"].as_f64().is_some_and(|age| (0.0..60.0).contains(&age)), "{ours}");
}
