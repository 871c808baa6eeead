//! `examples/server.rs` under a real HTTP client: the example's modules,
//! included as they are, serve on `127.0.0.1:0`; hyper's client drives them
//! from several tasks over keep-alive connections.

#[path = "../examples/catalog_model/mod.rs"]
mod catalog_model;
#[path = "../examples/server_app/mod.rs"]
mod server_app;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use server_app::AppState;

const TASKS: usize = 4;
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

async fn request(sender: &mut SendRequest<Empty<Bytes>>, method: Method, path: &str) -> Answer {
    sender.ready().await.expect("connection ready");
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1")
        .body(Empty::new())
        .expect("a valid request");
    let response = sender.send_request(request).await.expect("an answer");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.expect("a body").to_bytes();
    Answer { status, content_type, body }
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
    let state = Arc::new(AppState::new(24).expect("registers the collector"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(server_app::serve(listener, Arc::clone(&state)));

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
        (Method::DELETE, "/v1/namespaces/analytics/tables/orders", 405, "MethodNotAllowedException"),
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
    use catalog_model::valid_name;
    assert!(valid_name("orders") && valid_name("line_items") && valid_name("A1"));
    assert!(!valid_name("") && !valid_name("bad-name") && !valid_name("a b") && !valid_name("é"));
    assert!(valid_name(&"x".repeat(128)) && !valid_name(&"x".repeat(129)));
}
