//! The `server` binary's service as an Apache Iceberg REST
//! catalog, driven over HTTP the way a client drives it: what `/v1/config`
//! advertises, namespaces, paging, table creation, commits (atomic, checked,
//! serialised), renames, and no pooled object left in use afterwards.
//!
//! The PyIceberg acceptance test (`tests/pyiceberg/catalog_test.py`) checks
//! the same with a real client where Python is installed; this file checks
//! it everywhere `cargo test` runs.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::service;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{header, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

use service::AppState;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The pools are the process's: every test here holds this lock, so that
/// the one that expects nothing in use once idle sees no other test's
/// requests in flight.
static SHARED_POOLS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Where a client sends its requests once `/v1/config` gave it the prefix.
const BASE: &str = "/v1/iceberg";

/// A catalog of its own (the seeded tables, 12 columns on average), served
/// on a free port of 127.0.0.1 in the background.
async fn start() -> SocketAddr {
    let state = Arc::new(AppState::new(12).expect("registers the collector"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(service::serve(listener, state));
    address
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, after checking the status.
    fn json(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", self.text()))
    }

    /// Checks that this is an Iceberg `ErrorModel` of `status` and `kind`.
    fn error(&self, status: u16, kind: &str) {
        assert_eq!(self.status.as_u16(), status, "expected {kind}: {}", self.text());
        assert_eq!(self.content_type, "application/json", "{}", self.text());
        let json: Value = serde_json::from_slice(&self.body).expect("a JSON error");
        let error = &json["error"];
        assert_eq!(error["type"], kind, "{json}");
        assert_eq!(error["code"], status, "{json}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Client {
    sender: SendRequest<Full<Bytes>>,
}

impl Client {
    async fn connect(address: SocketAddr) -> Client {
        let stream = tokio::net::TcpStream::connect(address).await.expect("connects");
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
        tokio::spawn(connection);
        Client { sender }
    }

    async fn send(&mut self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.sender.ready().await.expect("connection ready");
        let mut request = Request::builder().method(method).uri(path).header(header::HOST, "127.0.0.1");
        let bytes = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(body).expect("serialises"))
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(bytes)).expect("a valid request");
        let response = self.sender.send_request(request).await.expect("an answer");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().expect("ASCII").to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.expect("a body").to_bytes();
        Answer { status, content_type, body }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn head(&mut self, path: &str) -> Answer {
        self.send(Method::HEAD, path, None).await
    }

    async fn delete(&mut self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    async fn post(&mut self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    /// `POST {BASE}/namespaces`, which must succeed.
    async fn create_namespace(&mut self, levels: &[&str], properties: Value) -> Value {
        let body = json!({"namespace": levels, "properties": properties});
        self.post(&format!("{BASE}/namespaces"), &body).await.json(200)
    }

    /// `POST {BASE}/namespaces/{ns}/tables` with `body`, which must succeed:
    /// the `LoadTableResult`.
    async fn create_table(&mut self, levels: &[&str], body: &Value) -> Value {
        let answer = self.post(&format!("{}/tables", namespace_path(levels)), body).await;
        answer.json(200)
    }

    /// The `LoadTableResult` of a table, which must exist.
    async fn load(&mut self, levels: &[&str], table: &str) -> Value {
        self.get(&table_path(levels, table)).await.json(200)
    }

    /// Commits `updates` under `requirements` to a table whose current
    /// `LoadTableResult` is `before`, and checks what a successful commit
    /// promises: a new metadata file (version + 1), the previous one
    /// logged, a later last-updated-ms, and a later load that sees it.
    async fn commit_ok(
        &mut self,
        levels: &[&str],
        table: &str,
        before: &Value,
        requirements: Value,
        updates: Value,
    ) -> Value {
        let body = json!({"requirements": requirements, "updates": updates});
        let response = self.post(&table_path(levels, table), &body).await.json(200);
        let (old, new) = (location(before), location(&response));
        assert_eq!(version(new), version(old) + 1, "{old} -> {new}");
        let log = |v: &Value| v["metadata"]["metadata-log"].as_array().expect("a metadata-log").clone();
        let (old_log, new_log) = (log(before), log(&response));
        // The log keeps the newest `write.metadata.previous-versions-max` (default 100).
        let max = before["metadata"]["properties"]["write.metadata.previous-versions-max"]
            .as_str()
            .map_or(100, |max| max.parse::<usize>().expect("a number"));
        assert_eq!(new_log.len(), (old_log.len() + 1).min(max));
        assert_eq!(new_log[..new_log.len() - 1], old_log[old_log.len() + 1 - new_log.len()..]);
        assert_eq!(new_log.last().unwrap()["metadata-file"], old, "the previous file is logged");
        let updated = |v: &Value| v["metadata"]["last-updated-ms"].as_i64().expect("last-updated-ms");
        assert!(updated(&response) > updated(before));
        let reloaded = self.load(levels, table).await;
        assert_eq!(reloaded["metadata-location"], response["metadata-location"]);
        assert_eq!(reloaded["metadata"], response["metadata"], "a later load sees the commit");
        reloaded
    }
}

/// A namespace's path segment: its levels joined by U+001F (`a%1Fb`).
fn namespace_path(levels: &[&str]) -> String {
    format!("{BASE}/namespaces/{}", levels.join("%1F"))
}

fn table_path(levels: &[&str], table: &str) -> String {
    format!("{}/tables/{table}", namespace_path(levels))
}

/// `value` percent-encoded for a query string.
fn query_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn location(load: &Value) -> &str {
    load["metadata-location"].as_str().expect("a metadata-location")
}

/// The number of a metadata file: `.../metadata/00006-<uuid>.metadata.json` is 6.
fn version(location: &str) -> u32 {
    let file = location.rsplit('/').next().expect("a file name");
    file.split('-').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("numbered: {location}"))
}

/// A small table: `id long` (required), `data string`, `ts timestamptz`.
fn simple_table(name: &str) -> Value {
    json!({
        "name": name,
        "schema": {"type": "struct", "schema-id": 0, "fields": [
            {"id": 1, "name": "id", "required": true, "type": "long"},
            {"id": 2, "name": "data", "required": false, "type": "string"},
            {"id": 3, "name": "ts", "required": false, "type": "timestamptz"}
        ]}
    })
}

/// The fields of the current schema of a `LoadTableResult`.
fn current_fields(load: &Value) -> Vec<Value> {
    let metadata = &load["metadata"];
    let id = &metadata["current-schema-id"];
    let schema = metadata["schemas"]
        .as_array()
        .expect("schemas")
        .iter()
        .find(|s| &s["schema-id"] == id)
        .unwrap_or_else(|| panic!("the current schema is listed: {metadata}"));
    schema["fields"].as_array().expect("fields").clone()
}

fn names(fields: &[Value]) -> Vec<&str> {
    fields.iter().map(|f| f["name"].as_str().expect("a name")).collect()
}

/// The current schema with one more optional string column, `column`,
/// of the next id: an `add-schema` update.
fn add_column(load: &Value, column: &str) -> Value {
    let mut fields = current_fields(load);
    let id = load["metadata"]["last-column-id"].as_i64().expect("last-column-id") + 1;
    fields.push(json!({"id": id, "name": column, "required": false, "type": "string"}));
    json!({"action": "add-schema", "schema": {"type": "struct", "fields": fields}, "last-column-id": id})
}

fn assert_current_schema(load: &Value) -> Value {
    json!([{"type": "assert-current-schema-id", "current-schema-id": load["metadata"]["current-schema-id"]}])
}

/// Every item of a list, page by page with `pageSize=size`: each page full
/// but the last, a token on every page but the last.
async fn pages(client: &mut Client, path: &str, key: &str, size: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let separator = if path.contains('?') { '&' } else { '?' };
    for _ in 0..100 {
        let mut url = format!("{path}{separator}pageSize={size}");
        if let Some(token) = &token {
            url.push_str(&format!("&pageToken={}", query_encode(token)));
        }
        let page = client.get(&url).await.json(200);
        let got = page[key].as_array().unwrap_or_else(|| panic!("{key}: {page}"));
        assert!(got.len() <= size, "{url}: {page}");
        items.extend(got.iter().cloned());
        match page.get("next-page-token") {
            None => return items,
            Some(next) => {
                assert_eq!(got.len(), size, "a page with a next one is full: {url}: {page}");
                token = Some(next.as_str().expect("a string token").to_owned());
            }
        }
    }
    panic!("{path}: more than 100 pages of {size}");
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// The routes a client of this catalog relies on, as the spec spells them.
const EXPECTED_ENDPOINTS: [&str; 13] = [
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/tables/rename",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_advertises_the_prefix_and_every_endpoint_answers_with_and_without_it() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    let config = client.get("/v1/config").await.json(200);
    assert_eq!(config["overrides"]["prefix"], "iceberg", "{config}");
    assert!(config["defaults"].is_object(), "{config}");
    let endpoints: Vec<String> = config["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| e.as_str().expect("a string").to_owned())
        .collect();
    let advertised: BTreeSet<&str> = endpoints.iter().map(String::as_str).collect();
    assert_eq!(advertised.len(), endpoints.len(), "no endpoint twice: {endpoints:?}");
    for expected in EXPECTED_ENDPOINTS {
        assert!(advertised.contains(expected), "{expected} is not advertised: {endpoints:?}");
    }

    for (b, prefix) in ["iceberg/", ""].into_iter().enumerate() {
        for (k, endpoint) in endpoints.iter().enumerate() {
            let (verb, template) = endpoint.split_once(' ').expect("<VERB> <path>");
            assert!(["GET", "HEAD", "POST", "DELETE"].contains(&verb), "{endpoint}");
            assert!(template.starts_with("/v1/{prefix}/"), "{endpoint}");
            assert!(!template.contains(' '), "{endpoint}");
            // A namespace of its own, with a table unless the endpoint drops
            // the namespace (which must be empty to go).
            let namespace = format!("e{b}_{k}");
            let drops_namespace = verb == "DELETE" && template.ends_with("{namespace}");
            client.create_namespace(&[&namespace], json!({})).await;
            if !drops_namespace {
                client.create_table(&[&namespace], &simple_table("t")).await;
            }
            let path = template
                .replace("{prefix}/", prefix)
                .replace("{namespace}", &namespace)
                .replace("{table}", "t");
            let body = match (verb, template.trim_start_matches("/v1/{prefix}")) {
                ("POST", "/namespaces") => Some(json!({"namespace": [format!("{namespace}_new")]})),
                ("POST", "/namespaces/{namespace}/properties") => {
                    Some(json!({"removals": [], "updates": {"k": "v"}}))
                }
                ("POST", "/namespaces/{namespace}/tables") => Some(simple_table("t2")),
                ("POST", "/namespaces/{namespace}/tables/{table}") => Some(json!({
                    "requirements": [],
                    "updates": [{"action": "set-properties", "updates": {"k": "v"}}]
                })),
                ("POST", "/tables/rename") => Some(json!({
                    "source": {"namespace": [namespace], "name": "t"},
                    "destination": {"namespace": [namespace], "name": "t2"}
                })),
                ("POST", _) => Some(json!({})),
                _ => None,
            };
            let method = Method::from_bytes(verb.as_bytes()).expect("a method");
            let answer = client.send(method, &path, body.as_ref()).await;
            assert!(
                ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&answer.status),
                "{endpoint} as {verb} {path}: {} {}",
                answer.status,
                answer.text()
            );
            if EXPECTED_ENDPOINTS.contains(&endpoint.as_str()) {
                assert!(answer.status.is_success(), "{verb} {path}: {} {}", answer.status, answer.text());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_created_loaded_updated_and_dropped() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    let path = namespace_path(&["finance"]);

    assert_eq!(client.head(&path).await.status, StatusCode::NOT_FOUND);
    client.get(&path).await.error(404, "NoSuchNamespaceException");
    let properties = json!({"owner": "ana", "location": "s3://warehouse/finance", "tier": "gold"});
    let created = client.create_namespace(&["finance"], properties.clone()).await;
    assert_eq!(created, json!({"namespace": ["finance"], "properties": properties}));
    let again = json!({"namespace": ["finance"], "properties": {}});
    client.post(&format!("{BASE}/namespaces"), &again).await.error(409, "AlreadyExistsException");
    assert_eq!(client.get(&path).await.json(200), created, "the conflict changed nothing");
    let head = client.head(&path).await;
    assert_eq!(head.status, StatusCode::NO_CONTENT);
    assert!(head.body.is_empty());
    for bad in [json!({"namespace": []}), json!({"namespace": ["bad-name"]}), json!({"namespace": [""]})] {
        client.post(&format!("{BASE}/namespaces"), &bad).await.error(400, "BadRequestException");
    }

    // Properties: set, removed, asked to be removed but absent.
    let update = json!({"removals": ["tier", "nope"], "updates": {"owner": "bo", "team": "ledger"}});
    let answer = client.post(&format!("{path}/properties"), &update).await.json(200);
    let sorted = |v: &Value| {
        let mut keys: Vec<String> =
            v.as_array().expect("a list").iter().map(|k| k.as_str().expect("a key").to_owned()).collect();
        keys.sort();
        keys
    };
    assert_eq!(sorted(&answer["updated"]), ["owner", "team"], "{answer}");
    assert_eq!(sorted(&answer["removed"]), ["tier"], "{answer}");
    assert_eq!(sorted(&answer["missing"]), ["nope"], "{answer}");
    let loaded = client.get(&path).await.json(200);
    assert_eq!(
        loaded["properties"],
        json!({"owner": "bo", "location": "s3://warehouse/finance", "team": "ledger"})
    );
    // A key both set and removed: 422, and nothing changes.
    let both = json!({"removals": ["owner"], "updates": {"owner": "cy"}});
    client.post(&format!("{path}/properties"), &both).await.error(422, "UnprocessableEntityException");
    assert_eq!(client.get(&path).await.json(200), loaded);
    let missing = format!("{}/properties", namespace_path(&["nowhere"]));
    client.post(&missing, &update).await.error(404, "NoSuchNamespaceException");

    // Dropped only once empty; then gone.
    client.create_table(&["finance"], &simple_table("ledger")).await;
    client.delete(&path).await.error(409, "NamespaceNotEmptyException");
    assert_eq!(client.head(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&table_path(&["finance"], "ledger")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&path).await.status, StatusCode::NO_CONTENT);
    client.get(&path).await.error(404, "NoSuchNamespaceException");
    assert_eq!(client.head(&path).await.status, StatusCode::NOT_FOUND);
    client.delete(&path).await.error(404, "NoSuchNamespaceException");
    let listed = client.get(&format!("{BASE}/namespaces")).await.json(200);
    assert!(!listed["namespaces"].as_array().unwrap().contains(&json!(["finance"])), "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_level_namespaces_are_paths_of_levels() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["a"], json!({})).await;
    client.create_namespace(&["a", "c"], json!({})).await;
    client.create_namespace(&["a", "b"], json!({"depth": "2"})).await;
    client.create_namespace(&["a", "b", "x"], json!({})).await;

    let ab = namespace_path(&["a", "b"]);
    assert!(ab.ends_with("/namespaces/a%1Fb"), "{ab}");
    assert_eq!(
        client.get(&ab).await.json(200),
        json!({"namespace": ["a", "b"], "properties": {"depth": "2"}})
    );
    assert_eq!(client.head(&ab).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.head(&namespace_path(&["a", "z"])).await.status, StatusCode::NOT_FOUND);

    let top = client.get(&format!("{BASE}/namespaces")).await.json(200);
    assert_eq!(top["namespaces"], json!([["a"], ["analytics"], ["ops"], ["sales"]]), "{top}");
    let under_a = client.get(&format!("{BASE}/namespaces?parent=a")).await.json(200);
    assert_eq!(under_a["namespaces"], json!([["a", "b"], ["a", "c"]]), "{under_a}");
    let under_ab = client.get(&format!("{BASE}/namespaces?parent=a%1Fb")).await.json(200);
    assert_eq!(under_ab["namespaces"], json!([["a", "b", "x"]]), "{under_ab}");
    let under_c = client.get(&format!("{BASE}/namespaces?parent=a%1Fc")).await.json(200);
    assert_eq!(under_c["namespaces"], json!([]), "{under_c}");
    client.get(&format!("{BASE}/namespaces?parent=nowhere")).await.error(404, "NoSuchNamespaceException");

    // A table in a nested namespace is listed with the namespace's levels.
    client.create_table(&["a", "b"], &simple_table("deep")).await;
    let tables = client.get(&format!("{ab}/tables")).await.json(200);
    assert_eq!(tables["identifiers"], json!([{"namespace": ["a", "b"], "name": "deep"}]));
    let load = client.load(&["a", "b"], "deep").await;
    assert!(load["metadata"]["location"].as_str().unwrap().ends_with("/a/b/deep"), "{load}");

    // A parent with children is not empty; children go first.
    client.delete(&namespace_path(&["a"])).await.error(409, "NamespaceNotEmptyException");
    client.delete(&ab).await.error(409, "NamespaceNotEmptyException");
    assert_eq!(client.delete(&namespace_path(&["a", "b", "x"])).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&table_path(&["a", "b"], "deep")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&ab).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&namespace_path(&["a", "c"])).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&namespace_path(&["a"])).await.status, StatusCode::NO_CONTENT);
    let top = client.get(&format!("{BASE}/namespaces")).await.json(200);
    assert_eq!(top["namespaces"], json!([["analytics"], ["ops"], ["sales"]]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_namespace_is_reachable_by_listing_from_the_top() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    // Either the catalog refuses a child whose parent does not exist, or the
    // child can be found by listing down from the top (as Iceberg's own
    // catalogs list implied parents).
    let body = json!({"namespace": ["x", "y"]});
    let created = client.post(&format!("{BASE}/namespaces"), &body).await;
    if created.status.is_client_error() {
        return;
    }
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let top = client.get(&format!("{BASE}/namespaces")).await.json(200);
    assert!(top["namespaces"].as_array().unwrap().contains(&json!(["x"])), "x.y is unreachable: {top}");
    let under_x = client.get(&format!("{BASE}/namespaces?parent=x")).await.json(200);
    assert_eq!(under_x["namespaces"], json!([["x", "y"]]), "{under_x}");
}

// ---------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_through_every_item_once_in_sorted_order() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    for namespace in ["p_e", "p_a", "p_d", "p_b", "p_c"] {
        client.create_namespace(&[namespace], json!({})).await;
    }
    for child in ["k4", "k1", "k3", "k2"] {
        client.create_namespace(&["p_a", child], json!({})).await;
    }
    for table in ["t_g", "t_a", "t_e", "t_c", "t_b", "t_f", "t_d"] {
        client.create_table(&["p_b"], &simple_table(table)).await;
    }

    let top: Vec<Value> =
        ["analytics", "ops", "p_a", "p_b", "p_c", "p_d", "p_e", "sales"].iter().map(|n| json!([n])).collect();
    let children: Vec<Value> = ["k1", "k2", "k3", "k4"].iter().map(|k| json!(["p_a", k])).collect();
    let tables: Vec<Value> =
        (b'a'..=b'g').map(|c| json!({"namespace": ["p_b"], "name": format!("t_{}", c as char)})).collect();
    let lists = [
        (format!("{BASE}/namespaces"), "namespaces", top),
        (format!("{BASE}/namespaces?parent=p_a"), "namespaces", children),
        (format!("{}/tables", namespace_path(&["p_b"])), "identifiers", tables),
    ];
    for (path, key, expected) in &lists {
        // No pageSize: everything, and no token.
        let all = client.get(path).await.json(200);
        assert_eq!(all[key].as_array().unwrap(), expected, "{path}");
        assert!(all.get("next-page-token").is_none(), "{path}: {all}");
        for size in 1..=5 {
            let paged = pages(&mut client, path, key, size).await;
            assert_eq!(&paged, expected, "{path} by pages of {size}");
        }
        // A bigger page than the list: one page, no token.
        assert_eq!(&pages(&mut client, path, key, 100).await, expected);
        for bad in ["0", "x", "-1", "1.5", ""] {
            let separator = if path.contains('?') { '&' } else { '?' };
            let answer = client.get(&format!("{path}{separator}pageSize={bad}")).await;
            answer.error(400, "BadRequestException");
        }
    }
    // The tables' pages, interleaved with a new table: the next page still
    // picks up after the last name seen, and the new one (sorted after) too.
    let path = format!("{}/tables?pageSize=3", namespace_path(&["p_b"]));
    let first = client.get(&path).await.json(200);
    let token = first["next-page-token"].as_str().expect("a token").to_owned();
    client.create_table(&["p_b"], &simple_table("t_h")).await;
    let rest = client.get(&format!("{path}&pageToken={}", query_encode(&token))).await.json(200);
    let names: Vec<&str> = first["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["identifiers"].as_array().unwrap())
        .map(|id| id["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["t_a", "t_b", "t_c", "t_d", "t_e", "t_f"]);
}

// ---------------------------------------------------------------------------
// Creating tables
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_table_gets_fresh_ids_and_its_spec_and_order_follow_them() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["fresh"], json!({})).await;
    let request = json!({
        "name": "events",
        "schema": {"type": "struct", "schema-id": 7, "identifier-field-ids": [10], "fields": [
            {"id": 10, "name": "id", "required": true, "type": "long"},
            {"id": 20, "name": "tags", "required": false, "type":
                {"type": "list", "element-id": 21, "element": "string", "element-required": false}},
            {"id": 30, "name": "attrs", "required": false, "type":
                {"type": "map", "key-id": 31, "key": "string", "value-id": 32, "value-required": false,
                 "value": {"type": "struct", "fields": [{"id": 33, "name": "x", "required": false, "type": "int"}]}}},
            {"id": 40, "name": "place", "required": false, "type": {"type": "struct", "fields": [
                {"id": 41, "name": "lat", "required": false, "type": "double"},
                {"id": 42, "name": "day", "required": false, "type": "date"}]}},
            {"id": 50, "name": "ts", "required": false, "type": "timestamptz"}
        ]},
        "partition-spec": {"spec-id": 3, "fields": [
            {"source-id": 50, "field-id": 7000, "transform": "day", "name": "ts_day"},
            {"source-id": 10, "transform": "bucket[16]", "name": "id_bucket"},
            {"source-id": 42, "transform": "identity", "name": "place_day"}
        ]},
        "write-order": {"order-id": 5, "fields": [
            {"source-id": 50, "transform": "identity", "direction": "desc", "null-order": "nulls-last"},
            {"source-id": 10, "transform": "identity", "direction": "asc", "null-order": "nulls-first"}
        ]},
        "properties": {"owner": "events-team"}
    });
    let created = client.create_table(&["fresh"], &request).await;
    let metadata = &created["metadata"];

    // Iceberg's fresh ids: a struct's own fields first, then what each holds
    // (a list's element, a map's key and value, a struct's fields), in order.
    let expected_fields = json!([
        {"id": 1, "name": "id", "required": true, "type": "long"},
        {"id": 2, "name": "tags", "required": false, "type":
            {"type": "list", "element-id": 6, "element": "string", "element-required": false}},
        {"id": 3, "name": "attrs", "required": false, "type":
            {"type": "map", "key-id": 7, "key": "string", "value-id": 8, "value-required": false,
             "value": {"type": "struct", "fields": [{"id": 9, "name": "x", "required": false, "type": "int"}]}}},
        {"id": 4, "name": "place", "required": false, "type": {"type": "struct", "fields": [
            {"id": 10, "name": "lat", "required": false, "type": "double"},
            {"id": 11, "name": "day", "required": false, "type": "date"}]}},
        {"id": 5, "name": "ts", "required": false, "type": "timestamptz"}
    ]);
    assert_eq!(metadata["schemas"].as_array().unwrap().len(), 1, "{metadata}");
    let schema = &metadata["schemas"][0];
    assert_eq!(schema["fields"], expected_fields, "{schema}");
    assert_eq!(schema["schema-id"], 0);
    assert_eq!(schema["identifier-field-ids"], json!([1]));
    assert_eq!(metadata["current-schema-id"], 0);
    assert_eq!(metadata["last-column-id"], 11);

    // The spec's sources are the new ids; its field ids start at 1000.
    assert_eq!(
        metadata["partition-specs"],
        json!([{"spec-id": 0, "fields": [
            {"source-id": 5, "field-id": 1000, "transform": "day", "name": "ts_day"},
            {"source-id": 1, "field-id": 1001, "transform": "bucket[16]", "name": "id_bucket"},
            {"source-id": 11, "field-id": 1002, "transform": "identity", "name": "place_day"}
        ]}])
    );
    assert_eq!(metadata["default-spec-id"], 0);
    assert_eq!(metadata["last-partition-id"], 1002);
    let orders = metadata["sort-orders"].as_array().unwrap();
    let default =
        orders.iter().find(|o| o["order-id"] == metadata["default-sort-order-id"]).expect("default");
    assert_ne!(default["order-id"], 0, "order 0 is the unsorted one");
    assert_eq!(
        default["fields"],
        json!([
            {"source-id": 5, "transform": "identity", "direction": "desc", "null-order": "nulls-last"},
            {"source-id": 1, "transform": "identity", "direction": "asc", "null-order": "nulls-first"}
        ])
    );
    assert_eq!(metadata["format-version"], 2);
    assert_eq!(metadata["properties"]["owner"], "events-team");
    assert!(metadata["table-uuid"].as_str().is_some_and(|u| u.len() == 36), "{metadata}");
    assert!(metadata.get("current-snapshot-id").is_none());
    assert_eq!(created["metadata"], client.load(&["fresh"], "events").await["metadata"]);

    // An unpartitioned, unsorted table: spec 0 empty, order 0 empty, 999.
    let plain = client.create_table(&["fresh"], &simple_table("plain")).await;
    let metadata = &plain["metadata"];
    assert_eq!(metadata["partition-specs"], json!([{"spec-id": 0, "fields": []}]));
    assert_eq!(metadata["last-partition-id"], 999);
    assert_eq!(metadata["sort-orders"], json!([{"order-id": 0, "fields": []}]));
    assert_eq!(metadata["default-sort-order-id"], 0);
    assert_eq!(metadata["last-column-id"], 3);
    assert_ne!(metadata["table-uuid"], created["metadata"]["table-uuid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_that_cannot_be_created_is_refused() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["refused"], json!({})).await;
    let tables = format!("{}/tables", namespace_path(&["refused"]));
    let with_spec = |transform: &str, source: u32| {
        let mut request = simple_table("bad");
        request["schema"]["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": 4, "name": "price", "required": false, "type": "double"}));
        request["partition-spec"] =
            json!({"fields": [{"source-id": source, "transform": transform, "name": "p"}]});
        request
    };
    let with_type = |kind: Value| {
        let mut request = simple_table("bad");
        request["schema"]["fields"][1]["type"] = kind;
        request
    };
    let bad = [
        ("day of a string", with_spec("day", 2)),
        ("a bucket of a double", with_spec("bucket[16]", 4)),
        ("hour of a date-less long", with_spec("hour", 1)),
        ("an unknown transform", with_spec("zorder", 1)),
        ("a missing source", with_spec("identity", 99)),
        ("an unknown primitive", with_type(json!("varchar"))),
        ("an unknown element type", with_type(json!({"type": "list", "element-id": 9, "element": "text"}))),
        ("a list without an element id", with_type(json!({"type": "list", "element": "string"}))),
        ("format version 1", {
            let mut request = simple_table("bad");
            request["properties"] = json!({"format-version": "1"});
            request
        }),
    ];
    for (what, request) in &bad {
        let answer = client.post(&tables, request).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{what}: {}", answer.text());
        answer.error(400, "BadRequestException");
    }
    let listed = client.get(&tables).await.json(200);
    assert_eq!(listed["identifiers"], json!([]), "nothing refused was kept");

    client.create_table(&["refused"], &simple_table("taken")).await;
    let before = client.load(&["refused"], "taken").await;
    client.post(&tables, &simple_table("taken")).await.error(409, "AlreadyExistsException");
    assert_eq!(client.load(&["refused"], "taken").await, before, "the clash changed nothing");
    let nowhere = format!("{}/tables", namespace_path(&["nowhere"]));
    client.post(&nowhere, &simple_table("t")).await.error(404, "NoSuchNamespaceException");
    client.post(&tables, &simple_table("bad-name")).await.error(400, "BadRequestException");
}

// ---------------------------------------------------------------------------
// Commits
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_change_commits_once_from_the_same_base() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["c"], json!({})).await;
    let base = client.create_table(&["c"], &simple_table("t")).await;

    // add-schema, then -1: the schema this commit added.
    let evolved = client
        .commit_ok(
            &["c"],
            "t",
            &base,
            assert_current_schema(&base),
            json!([add_column(&base, "note"), {"action": "set-current-schema", "schema-id": -1}]),
        )
        .await;
    assert_eq!(evolved["metadata"]["current-schema-id"], 1);
    assert_eq!(evolved["metadata"]["schemas"].as_array().unwrap().len(), 2);
    assert_eq!(evolved["metadata"]["last-column-id"], 4);
    assert_eq!(names(&current_fields(&evolved)), ["id", "data", "ts", "note"]);

    // Two commits from the same metadata, both asserting its schema: one
    // applies, the other fails, and its change is nowhere.
    let commit = |column: &str| {
        json!({
            "requirements": assert_current_schema(&evolved),
            "updates": [add_column(&evolved, column), {"action": "set-current-schema", "schema-id": -1}]
        })
    };
    let (one, two) = (commit("left"), commit("right"));
    let path = table_path(&["c"], "t");
    let (mut a, mut b) = (Client::connect(address).await, Client::connect(address).await);
    let (left, right) = tokio::join!(a.post(&path, &one), b.post(&path, &two));
    let (winner, loser) = match (left.status.as_u16(), right.status.as_u16()) {
        (200, 409) => ("left", &right),
        (409, 200) => ("right", &left),
        other => panic!("expected one 200 and one 409, got {other:?}: {} / {}", left.text(), right.text()),
    };
    loser.error(409, "CommitFailedException");
    let after = client.load(&["c"], "t").await;
    assert_eq!(names(&current_fields(&after)), ["id", "data", "ts", "note", winner]);
    assert_eq!(after["metadata"]["schemas"].as_array().unwrap().len(), 3, "the loser added no schema");
    assert_eq!(version(location(&after)), version(location(&evolved)) + 1);

    // Stale requirements of other kinds fail the same way.
    for requirement in [
        json!({"type": "assert-last-assigned-field-id", "last-assigned-field-id": 4}),
        json!({"type": "assert-table-uuid", "uuid": "00000000-0000-4000-8000-000000000000"}),
        json!({"type": "assert-default-spec-id", "default-spec-id": 3}),
        json!({"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 1}),
    ] {
        let body = json!({"requirements": [requirement], "updates": []});
        client.post(&path, &body).await.error(409, "CommitFailedException");
    }
    assert_eq!(client.load(&["c"], "t").await, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_commit_applies_nothing() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["atomic"], json!({})).await;
    let before = client.create_table(&["atomic"], &simple_table("t")).await;
    let path = table_path(&["atomic"], "t");
    let set = json!({"action": "set-properties", "updates": {"owner": "mallory"}});
    let cases = [
        json!([set, {"action": "set-default-spec", "spec-id": 42}]),
        json!([add_column(&before, "x"), {"action": "set-current-schema", "schema-id": 42}]),
        json!([{"action": "add-sort-order", "sort-order": {"fields": [
            {"source-id": 1, "transform": "identity", "direction": "asc", "null-order": "nulls-first"}]}},
            set, {"action": "set-default-sort-order", "sort-order-id": 42}]),
        json!([{"action": "set-location", "location": "s3://elsewhere/t"}, {"action": "upgrade-format-version", "format-version": 1}]),
        json!([set, {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 5}]),
        json!([set, {"action": "no-such-action"}]),
    ];
    for updates in cases {
        let body = json!({"requirements": assert_current_schema(&before), "updates": updates});
        let answer = client.post(&path, &body).await;
        answer.error(400, "BadRequestException");
        let after = client.load(&["atomic"], "t").await;
        assert_eq!(location(&after), location(&before), "{updates}");
        assert_eq!(after["metadata"], before["metadata"], "a failed commit changed the table: {updates}");
    }
    // A failed requirement after passing ones: nothing either.
    let body = json!({
        "requirements": [assert_current_schema(&before)[0], {"type": "assert-create"}],
        "updates": [set]
    });
    client.post(&path, &body).await.error(409, "CommitFailedException");
    assert_eq!(client.load(&["atomic"], "t").await, before);
    // A commit of the identifier of another table: 400, nothing changed.
    let body = json!({"identifier": {"namespace": ["atomic"], "name": "other"}, "requirements": [], "updates": [set]});
    client.post(&path, &body).await.error(400, "BadRequestException");
    assert_eq!(client.load(&["atomic"], "t").await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specs_and_sort_orders_are_added_and_made_default() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["layout"], json!({})).await;
    let base = client.create_table(&["layout"], &simple_table("t")).await;

    let spec = json!({"action": "add-spec", "spec": {"fields": [
        {"source-id": 3, "transform": "day", "name": "ts_day"},
        {"source-id": 1, "transform": "bucket[8]", "name": "id_bucket"}]}});
    let requirements = json!([
        {"type": "assert-default-spec-id", "default-spec-id": 0},
        {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 999}
    ]);
    let partitioned = client
        .commit_ok(
            &["layout"],
            "t",
            &base,
            requirements,
            json!([spec, {"action": "set-default-spec", "spec-id": -1}]),
        )
        .await;
    let metadata = &partitioned["metadata"];
    assert_eq!(metadata["default-spec-id"], 1, "{metadata}");
    assert_eq!(metadata["last-partition-id"], 1001);
    assert_eq!(
        metadata["partition-specs"][1],
        json!({"spec-id": 1, "fields": [
            {"source-id": 3, "field-id": 1000, "transform": "day", "name": "ts_day"},
            {"source-id": 1, "field-id": 1001, "transform": "bucket[8]", "name": "id_bucket"}]})
    );
    // Back to spec 0 by its id; a spec that does not fit is refused.
    let unpartitioned = client
        .commit_ok(
            &["layout"],
            "t",
            &partitioned,
            json!([{"type": "assert-default-spec-id", "default-spec-id": 1}]),
            json!([{"action": "set-default-spec", "spec-id": 0}]),
        )
        .await;
    assert_eq!(unpartitioned["metadata"]["default-spec-id"], 0);
    let path = table_path(&["layout"], "t");
    let misfit = json!({"requirements": [], "updates": [{"action": "add-spec", "spec": {"fields": [
        {"source-id": 2, "transform": "month", "name": "data_month"}]}}]});
    client.post(&path, &misfit).await.error(400, "BadRequestException");

    let order = json!({"action": "add-sort-order", "sort-order": {"order-id": 9, "fields": [
        {"source-id": 3, "transform": "day", "direction": "desc", "null-order": "nulls-last"}]}});
    let sorted = client
        .commit_ok(
            &["layout"],
            "t",
            &unpartitioned,
            json!([{"type": "assert-default-sort-order-id", "default-sort-order-id": 0}]),
            json!([order, {"action": "set-default-sort-order", "sort-order-id": -1}]),
        )
        .await;
    let metadata = &sorted["metadata"];
    assert_eq!(metadata["default-sort-order-id"], 1, "{metadata}");
    assert_eq!(
        metadata["sort-orders"],
        json!([{"order-id": 0, "fields": []}, {"order-id": 1, "fields": [
            {"source-id": 3, "transform": "day", "direction": "desc", "null-order": "nulls-last"}]}])
    );
    let unsorted = client
        .commit_ok(
            &["layout"],
            "t",
            &sorted,
            json!([]),
            json!([{"action": "set-default-sort-order", "sort-order-id": 0}]),
        )
        .await;
    assert_eq!(unsorted["metadata"]["default-sort-order-id"], 0);
    let misfit = json!({"requirements": [], "updates": [{"action": "add-sort-order", "sort-order": {"fields": [
        {"source-id": 1, "transform": "identity", "direction": "up", "null-order": "nulls-last"}]}}]});
    client.post(&path, &misfit).await.error(400, "BadRequestException");
    // -1 with nothing added in this commit.
    let orphan = json!({"requirements": [], "updates": [{"action": "set-default-spec", "spec-id": -1}]});
    client.post(&path, &orphan).await.error(400, "BadRequestException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsorted_sort_order_has_id_0() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["layout"], json!({})).await;
    let mut request = simple_table("sorted");
    request["write-order"] = json!({"fields": [
        {"source-id": 1, "transform": "identity", "direction": "asc", "null-order": "nulls-first"}]});
    let base = client.create_table(&["layout"], &request).await;
    assert_eq!(base["metadata"]["default-sort-order-id"], 1);
    // Iceberg reserves order id 0 for the unsorted order (Java's
    // SortOrder.Builder refuses an unsorted order of another id, so a Java
    // client could not read such metadata).
    let unsorted = client
        .commit_ok(
            &["layout"],
            "sorted",
            &base,
            json!([]),
            json!([{"action": "add-sort-order", "sort-order": {"order-id": 0, "fields": []}},
                   {"action": "set-default-sort-order", "sort-order-id": -1}]),
        )
        .await;
    let metadata = &unsorted["metadata"];
    assert_eq!(metadata["default-sort-order-id"], 0, "{metadata}");
    for order in metadata["sort-orders"].as_array().unwrap() {
        let empty = order["fields"].as_array().unwrap().is_empty();
        assert_eq!(empty, order["order-id"] == 0, "{order}");
    }
}

/// What a reader of a table's snapshots relies on: `current-snapshot-id` is
/// `main`'s, every ref and log entry names a snapshot the table has, and the
/// log ends with the current one.
fn assert_snapshots_consistent(metadata: &Value) {
    let ids: BTreeSet<i64> = metadata["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["snapshot-id"].as_i64().unwrap())
        .collect();
    let current = metadata.get("current-snapshot-id").and_then(Value::as_i64);
    let main = metadata["refs"].get("main").map(|r| r["snapshot-id"].as_i64().unwrap());
    assert_eq!(current, main, "{metadata}");
    for (name, reference) in metadata["refs"].as_object().unwrap() {
        assert!(ids.contains(&reference["snapshot-id"].as_i64().unwrap()), "ref {name}: {metadata}");
    }
    let log = metadata["snapshot-log"].as_array().unwrap();
    for entry in log {
        assert!(ids.contains(&entry["snapshot-id"].as_i64().unwrap()), "{entry}: {metadata}");
    }
    if let Some(current) = current {
        assert_eq!(log.last().map(|e| e["snapshot-id"].as_i64().unwrap()), Some(current), "{metadata}");
    }
}

fn snapshot(id: i64, parent: Option<i64>, sequence: i64, timestamp_ms: i64) -> Value {
    let mut snapshot = json!({
        "snapshot-id": id, "sequence-number": sequence, "timestamp-ms": timestamp_ms,
        "manifest-list": format!("s3://warehouse/snaps/snap-{id}.avro"),
        "summary": {"operation": "append"}, "schema-id": 0
    });
    if let Some(parent) = parent {
        snapshot["parent-snapshot-id"] = json!(parent);
    }
    snapshot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_refs_and_their_log_stay_consistent() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["snaps"], json!({})).await;
    let base = client.create_table(&["snaps"], &simple_table("t")).await;
    let t0 = 1_750_000_000_000i64;

    let first = client
        .commit_ok(
            &["snaps"],
            "t",
            &base,
            json!([{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": null}]),
            json!([{"action": "add-snapshot", "snapshot": snapshot(101, None, 1, t0)},
                   {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 101}]),
        )
        .await;
    let metadata = &first["metadata"];
    assert_eq!(metadata["current-snapshot-id"], 101);
    assert_eq!(metadata["refs"], json!({"main": {"snapshot-id": 101, "type": "branch"}}));
    assert_eq!(metadata["snapshot-log"], json!([{"snapshot-id": 101, "timestamp-ms": t0}]));
    assert_eq!(metadata["last-sequence-number"], 1);
    assert_snapshots_consistent(metadata);

    let second = client
        .commit_ok(
            &["snaps"],
            "t",
            &first,
            json!([{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 101}]),
            json!([{"action": "add-snapshot", "snapshot": snapshot(102, Some(101), 2, t0 + 1000)},
                   {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 102},
                   {"action": "set-snapshot-ref", "ref-name": "v1", "type": "tag", "snapshot-id": 101}]),
        )
        .await;
    let metadata = &second["metadata"];
    assert_eq!(metadata["current-snapshot-id"], 102);
    assert_eq!(metadata["refs"]["main"]["snapshot-id"], 102);
    assert_eq!(metadata["refs"]["v1"], json!({"snapshot-id": 101, "type": "tag"}));
    let logged: Vec<i64> = metadata["snapshot-log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["snapshot-id"].as_i64().unwrap())
        .collect();
    assert_eq!(logged, [101, 102]);
    assert!(metadata["last-updated-ms"].as_i64().unwrap() >= t0 + 1000);
    assert_snapshots_consistent(metadata);

    // A stale main (another writer moved it), a snapshot id taken: 409.
    let path = table_path(&["snaps"], "t");
    let stale = json!({
        "requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 101}],
        "updates": [{"action": "add-snapshot", "snapshot": snapshot(103, Some(101), 3, t0 + 2000)}]
    });
    client.post(&path, &stale).await.error(409, "CommitFailedException");
    let taken = json!({"requirements": [], "updates": [
        {"action": "add-snapshot", "snapshot": snapshot(102, Some(101), 3, t0 + 2000)}]});
    client.post(&path, &taken).await.error(409, "CommitFailedException");
    assert_eq!(client.load(&["snaps"], "t").await, second);

    // Removing a snapshot drops the refs to it and its log entries.
    let pruned = client
        .commit_ok(
            &["snaps"],
            "t",
            &second,
            json!([]),
            json!([{"action": "remove-snapshots", "snapshot-ids": [101]}]),
        )
        .await;
    let metadata = &pruned["metadata"];
    let ids: Vec<i64> = metadata["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["snapshot-id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [102]);
    assert_eq!(metadata["refs"], json!({"main": {"snapshot-id": 102, "type": "branch"}}), "the tag went");
    assert_eq!(metadata["snapshot-log"], json!([{"snapshot-id": 102, "timestamp-ms": t0 + 1000}]));
    assert_eq!(metadata["current-snapshot-id"], 102);
    assert_snapshots_consistent(metadata);

    let emptied = client
        .commit_ok(
            &["snaps"],
            "t",
            &pruned,
            json!([]),
            json!([{"action": "remove-snapshots", "snapshot-ids": [102]}]),
        )
        .await;
    let metadata = &emptied["metadata"];
    assert_eq!(metadata["snapshots"], json!([]));
    assert_eq!(metadata["refs"], json!({}));
    assert_eq!(metadata["snapshot-log"], json!([]));
    assert!(metadata.get("current-snapshot-id").is_none(), "{metadata}");
    assert_snapshots_consistent(metadata);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_format_version_and_refused_updates() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["misc"], json!({})).await;
    let base = client.create_table(&["misc"], &simple_table("t")).await;
    let path = table_path(&["misc"], "t");

    let moved = client
        .commit_ok(
            &["misc"],
            "t",
            &base,
            json!([]),
            json!([{"action": "set-location", "location": "s3://moved/t"}]),
        )
        .await;
    assert_eq!(moved["metadata"]["location"], "s3://moved/t");
    let upgraded = client
        .commit_ok(
            &["misc"],
            "t",
            &moved,
            json!([]),
            json!([{"action": "upgrade-format-version", "format-version": 2}]),
        )
        .await;
    assert_eq!(upgraded["metadata"]["format-version"], 2);
    let properties = client
        .commit_ok(
            &["misc"],
            "t",
            &upgraded,
            json!([{"type": "assert-table-uuid", "uuid": base["metadata"]["table-uuid"]}]),
            json!([{"action": "set-properties", "updates": {"a": "1", "b": "2"}},
                   {"action": "remove-properties", "removals": ["a", "absent"]}]),
        )
        .await;
    assert_eq!(properties["metadata"]["properties"], json!({"b": "2"}));

    for (updates, status, kind) in [
        (json!([{"action": "upgrade-format-version", "format-version": 1}]), 400, "BadRequestException"),
        (json!([{"action": "upgrade-format-version", "format-version": 9}]), 400, "BadRequestException"),
        (json!([{"action": "set-location", "location": ""}]), 400, "BadRequestException"),
        (json!([{"action": "set-location"}]), 400, "BadRequestException"),
        (
            json!([{"action": "assign-uuid", "uuid": "00000000-0000-4000-8000-000000000000"}]),
            400,
            "BadRequestException",
        ),
        (json!([{"action": "drop-everything"}]), 400, "BadRequestException"),
    ] {
        let body = json!({"requirements": [], "updates": updates});
        client.post(&path, &body).await.error(status, kind);
    }
    let body = json!({"requirements": [{"type": "assert-create"}], "updates": []});
    client.post(&path, &body).await.error(409, "CommitFailedException");
    let body = json!({"requirements": [{"type": "assert-everything"}], "updates": []});
    client.post(&path, &body).await.error(400, "BadRequestException");
    assert_eq!(client.load(&["misc"], "t").await, properties, "the refusals changed nothing");

    // No updates: answered, no new metadata file.
    let none = client.post(&path, &json!({"requirements": [], "updates": []})).await.json(200);
    assert_eq!(none["metadata-location"], properties["metadata-location"]);
    let missing = json!({"requirements": [], "updates": []});
    client.post(&table_path(&["misc"], "nope"), &missing).await.error(404, "NoSuchTableException");
}

// ---------------------------------------------------------------------------
// Renames
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_table_moves_with_its_uuid() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["src"], json!({})).await;
    client.create_namespace(&["dst"], json!({})).await;
    let original = client.create_table(&["src"], &simple_table("t")).await;
    client.create_table(&["dst"], &simple_table("taken")).await;
    let rename = |from: (&str, &str), to: (&str, &str)| {
        json!({"source": {"namespace": [from.0], "name": from.1},
               "destination": {"namespace": [to.0], "name": to.1}})
    };
    let path = format!("{BASE}/tables/rename");

    client.post(&path, &rename(("src", "t"), ("dst", "taken"))).await.error(409, "AlreadyExistsException");
    client.post(&path, &rename(("src", "nope"), ("dst", "x"))).await.error(404, "NoSuchTableException");
    client.post(&path, &rename(("nowhere", "t"), ("dst", "x"))).await.error(404, "NoSuchNamespaceException");
    client.post(&path, &rename(("src", "t"), ("nowhere", "x"))).await.error(404, "NoSuchNamespaceException");
    client.post(&path, &rename(("src", "t"), ("dst", "bad-name"))).await.error(400, "BadRequestException");
    assert_eq!(client.load(&["src"], "t").await, original, "the refusals changed nothing");

    let answer = client.post(&path, &rename(("src", "t"), ("dst", "moved"))).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    client.get(&table_path(&["src"], "t")).await.error(404, "NoSuchTableException");
    assert_eq!(client.head(&table_path(&["src"], "t")).await.status, StatusCode::NOT_FOUND);
    let moved = client.load(&["dst"], "moved").await;
    assert_eq!(moved["metadata"]["table-uuid"], original["metadata"]["table-uuid"]);
    assert_eq!(moved["metadata"], original["metadata"]);
    assert_eq!(client.head(&table_path(&["dst"], "moved")).await.status, StatusCode::NO_CONTENT);
    let src = client.get(&format!("{}/tables", namespace_path(&["src"]))).await.json(200);
    assert_eq!(src["identifiers"], json!([]));
    let dst = client.get(&format!("{}/tables", namespace_path(&["dst"]))).await.json(200);
    assert_eq!(
        dst["identifiers"],
        json!([{"namespace": ["dst"], "name": "moved"}, {"namespace": ["dst"], "name": "taken"}])
    );
    // It commits under its new name; the old name is free again.
    client
        .commit_ok(
            &["dst"],
            "moved",
            &moved,
            json!([]),
            json!([{"action": "set-properties", "updates": {"k": "v"}}]),
        )
        .await;
    let reborn = client.create_table(&["src"], &simple_table("t")).await;
    assert_ne!(reborn["metadata"]["table-uuid"], original["metadata"]["table-uuid"]);
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_racing_commits_from_the_same_base_one_wins() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    let base = client.load(&["analytics"], "orders").await;
    let body = Arc::new(json!({
        "requirements": assert_current_schema(&base),
        "updates": [add_column(&base, "raced"), {"action": "set-current-schema", "schema-id": -1}]
    }));
    let path = table_path(&["analytics"], "orders");

    let start_line = Arc::new(tokio::sync::Barrier::new(8));
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (body, path, start_line) = (Arc::clone(&body), path.clone(), Arc::clone(&start_line));
            tokio::spawn(async move {
                let mut client = Client::connect(address).await;
                start_line.wait().await;
                client.post(&path, &body).await
            })
        })
        .collect();
    let mut won = 0;
    for racer in racers {
        let answer = racer.await.expect("a racer");
        match answer.status.as_u16() {
            200 => won += 1,
            _ => answer.error(409, "CommitFailedException"),
        }
    }
    assert_eq!(won, 1, "exactly one racer applies");
    let after = client.load(&["analytics"], "orders").await;
    let schemas = |v: &Value| v["metadata"]["schemas"].as_array().unwrap().len();
    assert_eq!(schemas(&after), schemas(&base) + 1, "one schema added");
    assert_eq!(names(&current_fields(&after)).last(), Some(&"raced"));
    assert_eq!(version(location(&after)), version(location(&base)) + 1, "one new metadata file");

    // Commits without requirements all apply, none lost to another.
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let (path, start_line) = (path.clone(), Arc::clone(&start_line));
            tokio::spawn(async move {
                let mut client = Client::connect(address).await;
                let body = json!({"requirements": [], "updates": [
                    {"action": "set-properties", "updates": {format!("racer.{i}"): i.to_string()}}]});
                start_line.wait().await;
                client.post(&path, &body).await
            })
        })
        .collect();
    for racer in racers {
        racer.await.expect("a racer").json(200);
    }
    let last = client.load(&["analytics"], "orders").await;
    for i in 0..8 {
        assert_eq!(last["metadata"]["properties"][format!("racer.{i}")], i.to_string(), "{i} was lost");
    }
    assert_eq!(version(location(&last)), version(location(&after)) + 8);
}

// ---------------------------------------------------------------------------
// Pools
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_left_in_use_after_a_mixed_workload() {
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;

    // A bit of everything, answers and refusals alike.
    client.get("/v1/config").await.json(200);
    client.get(&format!("{BASE}/namespaces?pageSize=2")).await.json(200);
    client.get(&format!("{BASE}/namespaces?pageSize=0")).await.error(400, "BadRequestException");
    client.create_namespace(&["w"], json!({"k": "v"})).await;
    client
        .post(&format!("{BASE}/namespaces"), &json!({"namespace": ["w"]}))
        .await
        .error(409, "AlreadyExistsException");
    client
        .post(&format!("{}/properties", namespace_path(&["w"])), &json!({"removals": ["k"]}))
        .await
        .json(200);
    let base = client.create_table(&["w"], &simple_table("t")).await;
    client
        .post(&format!("{}/tables", namespace_path(&["w"])), &simple_table("t"))
        .await
        .error(409, "AlreadyExistsException");
    let evolved = client
        .commit_ok(&["w"], "t", &base, assert_current_schema(&base), json!([add_column(&base, "c")]))
        .await;
    let stale = json!({"requirements": [{"type": "assert-last-assigned-field-id", "last-assigned-field-id": 3}], "updates": []});
    client.post(&table_path(&["w"], "t"), &stale).await.error(409, "CommitFailedException");
    let broken = client.send(Method::POST, &table_path(&["w"], "t"), Some(&json!({"updates": 5}))).await;
    broken.error(400, "BadRequestException");
    let rename = json!({"source": {"namespace": ["w"], "name": "t"}, "destination": {"namespace": ["w"], "name": "u"}});
    assert_eq!(client.post(&format!("{BASE}/tables/rename"), &rename).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.load(&["w"], "u").await["metadata"], evolved["metadata"]);
    for (namespace, table) in [("analytics", "orders"), ("sales", "quotes"), ("ops", "alerts")] {
        client.load(&[namespace], table).await;
        assert_eq!(client.head(&table_path(&[namespace], table)).await.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(client.delete(&table_path(&["w"], "u")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&namespace_path(&["w"])).await.status, StatusCode::NO_CONTENT);
    client.get("/v1/nothing/here").await.error(404, "NotFoundException");

    // Once idle, every pool has every object back (a response body's buffer
    // returns when hyper drops it, which may trail the client's read).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = client.get("/metrics").await;
        assert_eq!(answer.status, StatusCode::OK);
        let text = answer.text();
        let in_use: Vec<(String, f64)> = text
            .lines()
            .filter(|line| line.starts_with("pool_in_use_objects{"))
            .map(|line| {
                let (name, value) = line.rsplit_once(' ').expect("name value");
                (name.to_owned(), value.parse().expect("a number"))
            })
            .collect();
        for pool in ["load_table_result", "commit_table_request", "namespace_body", "error_response"] {
            assert!(in_use.iter().any(|(name, _)| name.contains(&format!("\"{pool}\""))), "{pool}: {text}");
        }
        if in_use.iter().all(|&(_, value)| value == 0.0) {
            break;
        }
        assert!(Instant::now() < deadline, "objects still in use once idle: {in_use:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metadata_log_keeps_the_newest_previous_versions_max_entries() {
    // A table committed to forever must not grow forever (the load
    // generator commits to the seeded tables for minutes).
    let _alone = SHARED_POOLS.lock().await;
    let address = start().await;
    let mut client = Client::connect(address).await;
    client.create_namespace(&["capped"], json!({})).await;
    let mut load = client.create_table(&["capped"], &simple_table("t")).await;
    load = client
        .commit_ok(
            &["capped"],
            "t",
            &load,
            json!([]),
            json!([{"action": "set-properties", "updates": {"write.metadata.previous-versions-max": "3"}}]),
        )
        .await;
    let mut files = vec![location(&load).to_owned()];
    for n in 0..6 {
        load = client
            .commit_ok(
                &["capped"],
                "t",
                &load,
                json!([]),
                json!([{"action": "set-properties", "updates": {"n": n.to_string()}}]),
            )
            .await;
        files.push(location(&load).to_owned());
    }
    let logged: Vec<&str> = load["metadata"]["metadata-log"]
        .as_array()
        .expect("a metadata-log")
        .iter()
        .map(|entry| entry["metadata-file"].as_str().expect("a file"))
        .collect();
    assert_eq!(
        logged,
        files[files.len() - 4..files.len() - 1],
        "the three newest previous files, oldest first"
    );
}
