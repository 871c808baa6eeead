//! The `server` binary with its store, as processes: SQLite in a data
//! directory (restarts, a SIGKILL mid-way through commits, seeding once),
//! metadata files in the warehouse, create transactions, register, failed
//! commits that change nothing, and two servers on one PostgreSQL database
//! (started here with Debian's `initdb`/`pg_ctl` on a temporary directory
//! and a free port).
//!
//! Each server is a child process killed when its handle drops; each HTTP
//! request is one connection with read and write timeouts, so no test can
//! hang.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// A temporary directory, a server process, an HTTP client
// ---------------------------------------------------------------------------

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").subsec_nanos();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("catalog-{what}-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("creates a temporary directory");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A `server` process on a free port, killed (SIGKILL) on drop.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--port", "0", "--columns", "12"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starts the server");
        let stdout = child.stdout.take().expect("its stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(address) = line.strip_prefix("listening on http://") {
                    let _ = sender.send(address.parse::<SocketAddr>().expect("an address"));
                }
            }
        });
        match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => Server { child, address },
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start within 60 s: {args:?}");
            }
        }
    }

    /// On the SQLite store in `data_dir`.
    fn sqlite(data_dir: &Path) -> Server {
        Server::start(&["--data-dir", data_dir.to_str().expect("UTF-8")])
    }

    /// SIGKILL, as a crash: nothing is flushed or closed.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on its own connection: the status and the JSON body (`Null`
/// when empty); `Err` if the server did not answer (it was killed, say).
fn try_send(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no complete answer"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut content = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        content = unchunk(&content);
    }
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let value = if content.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&content).unwrap_or(Value::Null)
    };
    Ok((status, value))
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap_or("0").trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

fn send(address: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    try_send(address, method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

const BASE: &str = "/v1/iceberg";

fn get(server: &Server, path: &str) -> (u16, Value) {
    send(server.address, "GET", &format!("{BASE}/{path}"), None)
}

fn post(server: &Server, path: &str, body: &Value) -> (u16, Value) {
    send(server.address, "POST", &format!("{BASE}/{path}"), Some(body))
}

fn ok(answer: (u16, Value), what: &str) -> Value {
    assert_eq!(answer.0, 200, "{what}: {}", answer.1);
    answer.1
}

fn error_type(answer: &(u16, Value)) -> &str {
    answer.1["error"]["type"].as_str().unwrap_or("")
}

fn create_namespace(server: &Server, name: &str) {
    let answer = post(server, "namespaces", &json!({"namespace": [name], "properties": {"owner": "test"}}));
    assert_eq!(answer.0, 200, "create namespace {name}: {}", answer.1);
}

fn table_body(name: &str) -> Value {
    json!({
        "name": name,
        "schema": {"type": "struct", "schema-id": 0, "fields": [
            {"id": 1, "name": "id", "required": true, "type": "long"},
            {"id": 2, "name": "data", "required": false, "type": "string"}
        ]}
    })
}

fn create_table(server: &Server, namespace: &str, name: &str) -> Value {
    ok(post(server, &format!("namespaces/{namespace}/tables"), &table_body(name)), "create table")
}

fn load(server: &Server, namespace: &str, table: &str) -> Value {
    ok(get(server, &format!("namespaces/{namespace}/tables/{table}")), "load")
}

fn set_property(key: &str, value: &str) -> Value {
    json!({"requirements": [], "updates": [{"action": "set-properties", "updates": {key: value}}]})
}

/// The JSON of the metadata file at `location` (a `file://` URI).
fn metadata_file(location: &str) -> Value {
    let path = location.strip_prefix("file://").unwrap_or_else(|| panic!("a file location: {location}"));
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("reads {path}: {e}"));
    serde_json::from_slice(&text).expect("a metadata file is JSON")
}

/// The metadata file of an answer (load or commit) is there, equal as JSON
/// to the answer's metadata.
fn assert_file_matches(answer: &Value) {
    let location = answer["metadata-location"].as_str().expect("a metadata-location");
    assert_eq!(metadata_file(location), answer["metadata"], "the file at {location} and the answer");
}

/// Every file under `dir`, with its contents.
fn file_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

/// Every `pool_in_use_objects` series of the server is 0 (within 5 s: a
/// buffer goes back when hyper has written it).
fn assert_nothing_in_use(server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut stream = TcpStream::connect(server.address).expect("connects");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
        write!(stream, "GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
            .expect("writes");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("reads");
        let busy: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("pool_in_use_objects"))
            .filter(|line| line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) != Some(0.0))
            .collect();
        if busy.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "in use after the requests: {busy:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A commit that adds snapshot `id` after the table's current one on
/// `main`, asserting `main` is still that one (as an append does).
fn append(load: &Value, id: i64) -> Value {
    let metadata = &load["metadata"];
    let parent = metadata["current-snapshot-id"].as_i64();
    let sequence = metadata["last-sequence-number"].as_i64().unwrap_or(0) + 1;
    let location = metadata["location"].as_str().expect("a location");
    json!({
        "requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": parent}],
        "updates": [
            {"action": "add-snapshot", "snapshot": {
                "snapshot-id": id, "parent-snapshot-id": parent, "sequence-number": sequence,
                "timestamp-ms": 1_700_000_000_000i64 + sequence, "manifest-list": format!("{location}/metadata/snap-{id}.avro"),
                "summary": {"operation": "append"}, "schema-id": 0}},
            {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": id}
        ]
    })
}

/// What PyIceberg's `create_table_transaction` commits: the staged table's
/// metadata as updates, asserting the table does not exist, and one append.
fn create_transaction(staged: &Value) -> Value {
    let metadata = &staged["metadata"];
    let location = metadata["location"].as_str().expect("a location");
    json!({
        "requirements": [{"type": "assert-create"}],
        "updates": [
            {"action": "assign-uuid", "uuid": metadata["table-uuid"]},
            {"action": "upgrade-format-version", "format-version": 2},
            {"action": "add-schema", "schema": metadata["schemas"][0], "last-column-id": metadata["last-column-id"]},
            {"action": "set-current-schema", "schema-id": -1},
            {"action": "add-spec", "spec": {"spec-id": 0, "fields": []}},
            {"action": "set-default-spec", "spec-id": -1},
            {"action": "add-sort-order", "sort-order": {"order-id": 0, "fields": []}},
            {"action": "set-default-sort-order", "sort-order-id": -1},
            {"action": "set-location", "location": location},
            {"action": "set-properties", "updates": {"created-by": "transaction"}},
            {"action": "add-snapshot", "snapshot": {
                "snapshot-id": 7, "sequence-number": 1, "timestamp-ms": 1_700_000_000_000i64,
                "manifest-list": format!("{location}/metadata/snap-7.avro"), "summary": {"operation": "append"}, "schema-id": 0}},
            {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 7}
        ]
    })
}

fn warehouse_of(data: &TempDir) -> PathBuf {
    data.path().join("warehouse")
}

// ---------------------------------------------------------------------------
// SQLite in the data directory
// ---------------------------------------------------------------------------

#[test]
fn a_staged_create_then_an_assert_create_commit_creates_the_table_once() {
    let data = TempDir::new("staged");
    for memory in [false, true] {
        let server = if memory { Server::start(&["--in-memory"]) } else { Server::sqlite(data.path()) };
        create_namespace(&server, "tx");
        let mut staged_body = table_body("t");
        staged_body["stage-create"] = json!(true);
        let staged = ok(post(&server, "namespaces/tx/tables", &staged_body), "staged create");
        assert!(staged.get("metadata-location").is_none(), "a staged table has no metadata file: {staged}");
        assert_eq!(get(&server, "namespaces/tx/tables/t").0, 404, "a staged create creates nothing");

        let committed =
            ok(post(&server, "namespaces/tx/tables/t", &create_transaction(&staged)), "assert-create");
        let loaded = load(&server, "tx", "t");
        assert_eq!(loaded["metadata"], committed["metadata"]);
        assert_eq!(loaded["metadata-location"], committed["metadata-location"]);
        let metadata = &loaded["metadata"];
        assert_eq!(metadata["table-uuid"], staged["metadata"]["table-uuid"]);
        assert_eq!(metadata["current-snapshot-id"], 7);
        assert_eq!(metadata["properties"]["created-by"], "transaction");
        assert_eq!(metadata["schemas"][0]["fields"].as_array().map(Vec::len), Some(2));
        if !memory {
            assert_file_matches(&loaded);
            assert!(
                metadata["location"].as_str().unwrap().starts_with("file:///"),
                "in the warehouse: {}",
                metadata["location"]
            );
        }

        // The same transaction again: the table exists now.
        let again = post(&server, "namespaces/tx/tables/t", &create_transaction(&staged));
        assert_eq!((again.0, error_type(&again)), (409, "CommitFailedException"), "{}", again.1);

        // A table that appeared between the staged create and the commit.
        staged_body["name"] = json!("u");
        let staged = ok(post(&server, "namespaces/tx/tables", &staged_body), "staged create of u");
        let direct = create_table(&server, "tx", "u");
        let late = post(&server, "namespaces/tx/tables/u", &create_transaction(&staged));
        assert_eq!((late.0, error_type(&late)), (409, "CommitFailedException"), "{}", late.1);
        assert_eq!(
            load(&server, "tx", "u")["metadata"],
            direct["metadata"],
            "the late commit changed nothing"
        );

        // A staged create of a table that exists is refused, as a create is.
        let exists = post(&server, "namespaces/tx/tables", &staged_body);
        assert_eq!((exists.0, error_type(&exists)), (409, "AlreadyExistsException"), "{}", exists.1);

        // Without assert-create, a commit to a missing table is a 404.
        let missing = post(&server, "namespaces/tx/tables/nope", &set_property("a", "b"));
        assert_eq!((missing.0, error_type(&missing)), (404, "NoSuchTableException"));
        assert_nothing_in_use(&server);
    }
}

#[test]
fn a_table_created_without_a_location_goes_to_the_warehouse() {
    let data = TempDir::new("warehouse");
    let server = Server::sqlite(data.path());
    create_namespace(&server, "lake");
    ok(post(&server, "namespaces", &json!({"namespace": ["lake", "raw"]})), "nested namespace");
    let warehouse = std::fs::canonicalize(warehouse_of(&data)).expect("the warehouse exists");
    let warehouse = format!("file://{}", warehouse.display());
    let table = create_table(&server, "lake", "events");
    assert_eq!(table["metadata"]["location"], format!("{warehouse}/lake/events"));
    let nested = create_table(&server, "lake%1Fraw", "clicks");
    assert_eq!(nested["metadata"]["location"], format!("{warehouse}/lake/raw/clicks"));
    assert_file_matches(&nested);
    // A location given is kept.
    let mut body = table_body("elsewhere");
    body["location"] = json!("s3://bucket/elsewhere");
    let elsewhere = ok(post(&server, "namespaces/lake/tables", &body), "create with a location");
    assert_eq!(elsewhere["metadata"]["location"], "s3://bucket/elsewhere");
    // --warehouse chooses another.
    drop(server);
    let other = TempDir::new("warehouse-flag");
    let uri = format!("file://{}", other.path().display());
    let server = Server::start(&["--data-dir", data.path().to_str().unwrap(), "--warehouse", &uri]);
    let table = create_table(&server, "lake", "moved");
    assert_eq!(table["metadata"]["location"], format!("{uri}/lake/moved"));
    assert_file_matches(&table);
    assert_eq!(
        ok(send(server.address, "GET", "/v1/config?warehouse=anything", None), "config")["overrides"]
            ["prefix"],
        "iceberg"
    );
    assert_nothing_in_use(&server);
}

#[test]
fn every_create_and_commit_writes_its_metadata_file_equal_to_the_load() {
    let data = TempDir::new("files");
    let server = Server::sqlite(data.path());
    create_namespace(&server, "files");
    let created = create_table(&server, "files", "t");
    assert_file_matches(&created);
    let mut locations = BTreeSet::from([created["metadata-location"].as_str().unwrap().to_owned()]);
    let mut last = created;
    for n in 0..4 {
        let committed =
            ok(post(&server, "namespaces/files/tables/t", &set_property("n", &n.to_string())), "commit");
        assert_file_matches(&committed);
        let loaded = load(&server, "files", "t");
        assert_eq!(loaded["metadata-location"], committed["metadata-location"]);
        assert_file_matches(&loaded);
        let log: Vec<&str> = loaded["metadata"]["metadata-log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["metadata-file"].as_str().unwrap())
            .collect();
        assert_eq!(log.last().copied(), last["metadata-location"].as_str(), "the previous file is logged");
        locations.insert(committed["metadata-location"].as_str().unwrap().to_owned());
        last = loaded;
    }
    assert_eq!(locations.len(), 5, "a new file for each version");
    let metadata_dir = warehouse_of(&data).join("files/t/metadata");
    assert_eq!(std::fs::read_dir(metadata_dir).unwrap().count(), 5, "no other file");
    // The seeded tables have theirs too.
    assert_file_matches(&load(&server, "analytics", "orders"));
    assert_nothing_in_use(&server);
}

#[test]
fn concurrent_commits_to_one_table_on_one_server_all_land() {
    // Commits without requirements cannot conflict: on one server they take
    // their turn instead of losing each other's compare-and-swap (which, 32
    // at a time, used to end in 409s once the retries ran out).
    let data = TempDir::new("turns");
    let server = Server::sqlite(data.path());
    create_namespace(&server, "turns");
    create_table(&server, "turns", "t");
    let commits = 32;
    std::thread::scope(|scope| {
        let server = &server;
        let answers: Vec<_> = (0..commits)
            .map(|n| {
                scope.spawn(move || {
                    post(server, "namespaces/turns/tables/t", &set_property(&format!("k{n}"), "v"))
                })
            })
            .collect();
        for answer in answers {
            let (status, body) = answer.join().expect("a commit");
            assert_eq!(status, 200, "{body}");
        }
    });
    let loaded = load(&server, "turns", "t");
    let properties = loaded["metadata"]["properties"].as_object().expect("properties");
    assert!((0..commits).all(|n| properties.contains_key(&format!("k{n}"))), "{properties:?}");
    assert_eq!(
        loaded["metadata"]["metadata-log"].as_array().unwrap().len(),
        commits,
        "one version per commit"
    );
    assert_file_matches(&loaded);
    assert_nothing_in_use(&server);
}

#[test]
fn register_adopts_an_existing_metadata_file() {
    let data = TempDir::new("register");
    let server = Server::sqlite(data.path());
    create_namespace(&server, "reg");
    create_table(&server, "reg", "original");
    let committed = ok(post(&server, "namespaces/reg/tables/original", &set_property("k", "v")), "commit");
    let location = committed["metadata-location"].as_str().unwrap().to_owned();
    assert_eq!(
        send(server.address, "DELETE", &format!("{BASE}/namespaces/reg/tables/original"), None).0,
        204
    );

    let request = json!({"name": "adopted", "metadata-location": location});
    let registered = ok(post(&server, "namespaces/reg/register", &request), "register");
    assert_eq!(registered["metadata-location"], location.as_str());
    assert_eq!(registered["metadata"], metadata_file(&location));
    let loaded = load(&server, "reg", "adopted");
    assert_eq!(loaded["metadata"], committed["metadata"]);
    // It commits on from there.
    let next =
        ok(post(&server, "namespaces/reg/tables/adopted", &set_property("k", "w")), "commit after register");
    assert_file_matches(&next);
    assert_eq!(
        next["metadata"]["metadata-log"].as_array().unwrap().last().unwrap()["metadata-file"],
        location.as_str()
    );

    let twice = post(&server, "namespaces/reg/register", &request);
    assert_eq!((twice.0, error_type(&twice)), (409, "AlreadyExistsException"));
    let missing = post(
        &server,
        "namespaces/reg/register",
        &json!({"name": "x", "metadata-location": format!("{location}.nope")}),
    );
    assert_eq!((missing.0, error_type(&missing)), (400, "BadRequestException"), "{}", missing.1);
    let no_namespace =
        post(&server, "namespaces/nope/register", &json!({"name": "x", "metadata-location": location}));
    assert_eq!((no_namespace.0, error_type(&no_namespace)), (404, "NoSuchNamespaceException"));
    assert_nothing_in_use(&server);
}

#[test]
fn seeding_starts_again_over_the_files_a_rolled_back_seed_left() {
    // A crash between writing the seeded tables' files and committing their
    // rows leaves the files and no rows: the next start seeds again over them
    // (the same bytes under the same names), instead of failing on them.
    let data = TempDir::new("reseed");
    Server::sqlite(data.path()).kill();
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_str().unwrap().starts_with("catalog.db") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let server = Server::sqlite(data.path());
    let orders = load(&server, "analytics", "orders");
    assert_file_matches(&orders);
    assert_nothing_in_use(&server);
}

#[test]
fn a_commit_that_changes_nothing_answers_the_table_as_it_is() {
    let data = TempDir::new("noop");
    for memory in [false, true] {
        let server = if memory { Server::start(&["--in-memory"]) } else { Server::sqlite(data.path()) };
        let namespace = if memory { "noop_memory" } else { "noop_store" };
        create_namespace(&server, namespace);
        // In memory too at a `file:` location, so that the table has a file.
        let mut body = table_body("t");
        body["location"] = json!(format!("file://{}/{namespace}/t", data.path().display()));
        let created = ok(post(&server, &format!("namespaces/{namespace}/tables"), &body), "create");
        let nothing = json!({"requirements": [], "updates": []});
        let answer = ok(post(&server, &format!("namespaces/{namespace}/tables/t"), &nothing), "empty commit");
        assert_eq!(answer["metadata-location"], created["metadata-location"], "memory: {memory}");
        assert_file_matches(&answer);
        assert_nothing_in_use(&server);
    }
}

#[test]
fn a_restart_on_the_same_data_dir_keeps_everything_and_seeds_once() {
    let data = TempDir::new("restart");
    let server = Server::sqlite(data.path());
    // Seeded on the first start.
    assert_eq!(
        get(&server, "namespaces/analytics/tables").1["identifiers"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(
        send(server.address, "DELETE", &format!("{BASE}/namespaces/analytics/tables/orders"), None).0,
        204
    );
    create_namespace(&server, "kept");
    ok(post(&server, "namespaces/kept/properties", &json!({"updates": {"team": "lake"}})), "properties");
    create_table(&server, "kept", "a");
    create_table(&server, "kept", "b");
    let rename = json!({"source": {"namespace": ["kept"], "name": "b"}, "destination": {"namespace": ["kept"], "name": "c"}});
    assert_eq!(post(&server, "tables/rename", &rename).0, 204);
    let mut last = Value::Null;
    for n in 0..3 {
        last = ok(post(&server, "namespaces/kept/tables/a", &set_property("n", &n.to_string())), "commit");
    }
    server.kill();

    let server = Server::sqlite(data.path());
    let listed = get(&server, "namespaces/analytics/tables").1;
    let names: Vec<&str> =
        listed["identifiers"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["customers", "line_items", "page_views"], "not seeded again");
    assert_eq!(get(&server, "namespaces/kept").1["properties"], json!({"owner": "test", "team": "lake"}));
    let listed = get(&server, "namespaces/kept/tables").1;
    let names: Vec<&str> =
        listed["identifiers"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "c"]);
    let loaded = load(&server, "kept", "a");
    assert_eq!(loaded["metadata"], last["metadata"]);
    assert_eq!(loaded["metadata-location"], last["metadata-location"]);
    assert_file_matches(&loaded);
    // And commits on from the last acknowledged version.
    let next = ok(post(&server, "namespaces/kept/tables/a", &set_property("n", "3")), "commit after restart");
    assert_eq!(
        next["metadata"]["metadata-log"].as_array().unwrap().last().unwrap()["metadata-file"],
        last["metadata-location"]
    );
    assert_nothing_in_use(&server);
}

#[test]
fn a_failed_commit_changes_nothing_in_the_store_or_the_files() {
    let data = TempDir::new("failed");
    let server = Server::sqlite(data.path());
    create_namespace(&server, "fail");
    let created = create_table(&server, "fail", "t");
    let before = (load(&server, "fail", "t"), file_tree(&warehouse_of(&data)));
    let stale = json!({
        "requirements": [{"type": "assert-current-schema-id", "current-schema-id": 5}],
        "updates": [{"action": "set-properties", "updates": {"x": "y"}}]
    });
    let refused = post(&server, "namespaces/fail/tables/t", &stale);
    assert_eq!((refused.0, error_type(&refused)), (409, "CommitFailedException"));
    let bad = json!({"requirements": [], "updates": [
        {"action": "set-properties", "updates": {"x": "y"}},
        {"action": "set-current-schema", "schema-id": 42}
    ]});
    assert_eq!(post(&server, "namespaces/fail/tables/t", &bad).0, 400);
    assert_eq!((load(&server, "fail", "t"), file_tree(&warehouse_of(&data))), before, "nothing changed");

    // Eight commits race from the same version: one lands; the others'
    // requirements fail on the new version, and no file of theirs is left.
    let base = created["metadata"]["last-column-id"].as_i64().unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let address = server.address;
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let commit = json!({
                    "requirements": [{"type": "assert-last-assigned-field-id", "last-assigned-field-id": base}],
                    "updates": [{"action": "add-schema", "schema": {"type": "struct", "schema-id": 1, "fields": [
                        {"id": 1, "name": "id", "required": true, "type": "long"},
                        {"id": 2, "name": "data", "required": false, "type": "string"},
                        {"id": 3, "name": format!("racer_{i}"), "required": false, "type": "long"}
                    ]}}, {"action": "set-current-schema", "schema-id": -1}]
                });
                barrier.wait();
                send(address, "POST", &format!("{BASE}/namespaces/fail/tables/t"), Some(&commit)).0
            })
        })
        .collect();
    let mut outcomes: Vec<u16> = racers.into_iter().map(|racer| racer.join().expect("a racer")).collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, [200, 409, 409, 409, 409, 409, 409, 409]);
    let after = load(&server, "fail", "t");
    assert_file_matches(&after);
    let files = file_tree(&warehouse_of(&data).join("fail/t/metadata"));
    assert_eq!(files.len(), 2, "the created file and the winner's: {:?}", files.keys());
    assert_nothing_in_use(&server);

    // The store itself, read by a server with nothing cached, says the same.
    server.kill();
    let server = Server::sqlite(data.path());
    assert_eq!(load(&server, "fail", "t"), after);
}

#[test]
fn a_server_killed_mid_commits_loses_no_acknowledged_commit() {
    let data = TempDir::new("crash");
    let server = Server::sqlite(data.path());
    create_namespace(&server, "crash");
    create_table(&server, "crash", "t");
    let address = server.address;
    let writer = std::thread::spawn(move || {
        let mut acknowledged = Vec::new();
        for n in 0..10_000 {
            match try_send(
                address,
                "POST",
                &format!("{BASE}/namespaces/crash/tables/t"),
                Some(&set_property(&format!("k{n}"), "v")),
            ) {
                Ok((200, _)) => acknowledged.push(n),
                _ => break,
            }
        }
        acknowledged
    });
    std::thread::sleep(Duration::from_millis(700));
    server.kill();
    let acknowledged = writer.join().expect("the writer");
    assert!(!acknowledged.is_empty(), "some commits before the kill");
    eprintln!("{} commits acknowledged before the SIGKILL", acknowledged.len());
    let server = Server::sqlite(data.path());
    let loaded = load(&server, "crash", "t");
    for n in &acknowledged {
        assert_eq!(loaded["metadata"]["properties"][format!("k{n}")], "v", "acknowledged commit {n} lost");
    }
    assert_file_matches(&loaded);
    ok(
        post(&server, "namespaces/crash/tables/t", &set_property("after", "restart")),
        "a commit after the crash",
    );
    assert_nothing_in_use(&server);
}

#[test]
fn two_servers_on_one_sqlite_file_see_each_others_commits() {
    let data = TempDir::new("two-sqlite");
    let a = Server::sqlite(data.path());
    let b = Server::sqlite(data.path());
    two_servers_share_one_catalog(&a, &b, 12);
}

// ---------------------------------------------------------------------------
// Two servers on one PostgreSQL database
// ---------------------------------------------------------------------------

/// What two servers on one store must show: a table created through one is
/// loaded through the other; of conflicting commits racing across both,
/// exactly one wins; `appends` appends across both, each retried on 409,
/// all land once.
fn two_servers_share_one_catalog(a: &Server, b: &Server, appends: i64) {
    create_namespace(a, "shared");
    let created = create_table(a, "shared", "t");
    let through_b = load(b, "shared", "t");
    assert_eq!(through_b["metadata"], created["metadata"]);
    assert!(get(b, "namespaces/shared/tables").1["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["name"] == "t"));
    // A commit through A, then a load through B (which cached the table): the new version.
    let committed = ok(post(a, "namespaces/shared/tables/t", &set_property("via", "a")), "commit via a");
    assert_eq!(load(b, "shared", "t")["metadata-location"], committed["metadata-location"]);

    // Conflicting commits: the same requirement from the same version, across both.
    let version = load(a, "shared", "t");
    let schema_id = version["metadata"]["current-schema-id"].as_i64().unwrap();
    let addresses = [a.address, b.address];
    let barrier = Arc::new(Barrier::new(8));
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let address = addresses[i % 2];
            std::thread::spawn(move || {
                let commit = json!({
                    "requirements": [{"type": "assert-current-schema-id", "current-schema-id": schema_id}],
                    "updates": [{"action": "add-schema", "schema": {"type": "struct", "fields": [
                        {"id": 1, "name": "id", "required": true, "type": "long"},
                        {"id": 2, "name": "data", "required": false, "type": "string"},
                        {"id": 3, "name": format!("racer_{i}"), "required": false, "type": "long"}
                    ]}}, {"action": "set-current-schema", "schema-id": -1}]
                });
                barrier.wait();
                send(address, "POST", &format!("{BASE}/namespaces/shared/tables/t"), Some(&commit)).0
            })
        })
        .collect();
    let mut outcomes: Vec<u16> = racers.into_iter().map(|racer| racer.join().expect("a racer")).collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, [200, 409, 409, 409, 409, 409, 409, 409], "exactly one wins");
    let after = load(b, "shared", "t");
    assert_eq!(after["metadata"]["schemas"].as_array().unwrap().len(), 2);
    assert_eq!(load(a, "shared", "t")["metadata"], after["metadata"]);

    // Commits that do not conflict (no requirements), racing across both:
    // a lost compare-and-swap is retried on the newer version, so all land.
    let barrier = Arc::new(Barrier::new(8));
    let setters: Vec<_> = (0..8)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            let address = addresses[i % 2];
            std::thread::spawn(move || {
                barrier.wait();
                let path = format!("{BASE}/namespaces/shared/tables/t");
                send(address, "POST", &path, Some(&set_property(&format!("key{i}"), "set"))).0
            })
        })
        .collect();
    let outcomes: Vec<u16> = setters.into_iter().map(|setter| setter.join().expect("a setter")).collect();
    assert_eq!(outcomes, [200; 8]);
    let properties = &load(b, "shared", "t")["metadata"]["properties"];
    assert!((0..8).all(|i| properties[format!("key{i}")] == "set"), "every property: {properties}");

    // Appends across both, each retried on 409 from a fresh load.
    let workers: Vec<_> = (0..appends)
        .map(|n| {
            let address = addresses[n as usize % 2];
            std::thread::spawn(move || {
                let path = format!("{BASE}/namespaces/shared/tables/t");
                for _attempt in 0..200 {
                    let (status, current) = send(address, "GET", &path, None);
                    assert_eq!(status, 200);
                    let (status, answer) = send(address, "POST", &path, Some(&append(&current, 1000 + n)));
                    match status {
                        200 => return,
                        409 => std::thread::sleep(Duration::from_millis(5 * (n as u64 % 4))),
                        other => panic!("append {n}: {other} {answer}"),
                    }
                }
                panic!("append {n} never landed");
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("an appender");
    }
    let done = load(a, "shared", "t");
    let ids: Vec<i64> = done["metadata"]["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["snapshot-id"].as_i64().unwrap())
        .collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len() as i64, appends, "every append once: {ids:?}");
    assert_eq!(unique, (1000..1000 + appends).collect(), "every append");
    assert_eq!(done["metadata"]["last-sequence-number"], appends);
    assert_eq!(load(b, "shared", "t")["metadata"], done["metadata"], "both answer the last commit");
    assert_file_matches(&done);
    assert_nothing_in_use(a);
    assert_nothing_in_use(b);
}

/// A PostgreSQL server of its own (Debian's binaries), on a temporary data
/// directory and a free port of 127.0.0.1, stopped and removed on drop.
struct Postgres {
    dir: TempDir,
    pg_ctl: PathBuf,
    as_postgres: bool,
    url: String,
}

/// `/usr/lib/postgresql/<newest>/bin/<name>`, or `<name>` on the `PATH`.
fn postgres_binary(name: &str) -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin").join(name))
        .filter(|path| path.exists())
        .collect();
    versions.sort();
    versions.pop().or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|path| path.exists())
        })
    })
}

impl Postgres {
    fn command(&self, program: &Path) -> Command {
        postgres_command(program, self.as_postgres)
    }

    /// `None` when PostgreSQL's binaries are not installed.
    fn start() -> Option<Postgres> {
        let initdb = postgres_binary("initdb")?;
        let pg_ctl = postgres_binary("pg_ctl")?;
        // PostgreSQL refuses to run as root: then it runs as `postgres`.
        let root =
            Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
        let dir = TempDir::new("postgres");
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .expect("chmod");
        let data = dir.path().join("data");
        let status = postgres_command(&initdb, root)
            .args(["-D", data.to_str().unwrap(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .stdout(Stdio::null())
            .status()
            .expect("runs initdb");
        assert!(status.success(), "initdb failed");
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port();
        let postgres = Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            pg_ctl,
            as_postgres: root,
        };
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1", postgres.dir.path().display());
        let log = postgres.dir.path().join("log");
        let status = postgres
            .command(&postgres.pg_ctl)
            .args([
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ])
            .stdout(Stdio::null())
            .status()
            .expect("runs pg_ctl");
        assert!(
            status.success(),
            "pg_ctl start failed: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(postgres)
    }
}

/// `program`, run as the `postgres` user when `as_postgres`, bounded by `timeout 120`.
fn postgres_command(program: &Path, as_postgres: bool) -> Command {
    let mut command = Command::new("timeout");
    command.arg("120");
    if as_postgres {
        command.args(["runuser", "-u", "postgres", "--"]);
    }
    command.arg(program);
    command
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command(&self.pg_ctl)
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
    }
}

#[test]
fn two_servers_on_one_postgres_database_serve_one_catalog() {
    let Some(postgres) = Postgres::start() else {
        let message = "PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}; CI=true, so this is a failure");
        eprintln!("\n***\n*** SKIPPED: {message}: the PostgreSQL test did not run\n***\n");
        return;
    };
    let warehouse = TempDir::new("pg-warehouse");
    let uri = format!("file://{}", warehouse.path().display());
    let (data_a, data_b) = (TempDir::new("pg-a"), TempDir::new("pg-b"));
    let start = |data: &TempDir| {
        Server::start(&[
            "--data-dir",
            data.path().to_str().unwrap(),
            "--database-url",
            &postgres.url,
            "--warehouse",
            &uri,
        ])
    };
    // Both started at once on the empty database: one creates the schema
    // and seeds, the other finds them.
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| start(&data_a));
        let b = scope.spawn(|| start(&data_b));
        (a.join().expect("server a"), b.join().expect("server b"))
    });
    eprintln!("PostgreSQL at {}: servers on {} and {}", postgres.url, a.address, b.address);
    // Seeded once, by whichever started first.
    for server in [&a, &b] {
        let listed = get(server, "namespaces/analytics/tables").1;
        assert_eq!(listed["identifiers"].as_array().map(Vec::len), Some(4), "{listed}");
    }
    two_servers_share_one_catalog(&a, &b, 20);
    // A third server, started later, sees everything and seeds nothing.
    drop(a);
    let data_c = TempDir::new("pg-c");
    let c = start(&data_c);
    assert_eq!(load(&c, "shared", "t")["metadata"], load(&b, "shared", "t")["metadata"]);
    assert_eq!(get(&c, "namespaces/analytics/tables").1["identifiers"].as_array().map(Vec::len), Some(4));
}
