//! `loadgen`: drives the catalog's REST service (`cargo run --release --bin
//! server`, or `alloc-* serve`) on loopback at a fixed number of keep-alive
//! connections, each sending its next request when the previous answer has
//! arrived whole (a closed loop, as wrk does), and records every measured
//! request's latency in an HDR histogram. Prints one JSON line: requests/s,
//! p50, p90, p99, p99.9 and max latency, and, given `--server-pid`, the
//! server's peak RSS and CPU time per request.
//!
//! ```text
//! cargo run --release -p poolable-catalog --features allocators --bin loadgen -- \
//!     --addr 127.0.0.1:8181 --scenario get --connections 64 --secs 5
//! ```
//!
//! Scenarios: `get` loads the tables (`GET .../tables/{t}`, the tables
//! taken in turn); `commit` commits a `set-properties` to them (`POST
//! .../tables/{t}`, no requirements, so every commit succeeds; a seeded
//! table's metadata log stays at its `previous-versions-max`, so the answers
//! do not grow). Bounded in time and requests, and only to a loopback
//! address: it is a benchmark, not a way to load someone else's server.

use std::cell::RefCell;
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use catalog::process;
use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

#[derive(Parser, Debug)]
#[command(name = "loadgen", about = "A closed-loop HTTP load on the catalog's REST service, on loopback")]
struct Args {
    /// The server's address, `127.0.0.1:8181` (a loopback address only).
    #[arg(long)]
    addr: String,
    /// What each request does.
    #[arg(long, value_enum, default_value_t = Scenario::Get)]
    scenario: Scenario,
    /// Keep-alive connections, each with one request in flight (1 to 1024).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds of load before the measured part (at most 600).
    #[arg(long, default_value_t = 1.0)]
    warmup_secs: f64,
    /// Seconds measured (more than 0, at most 600).
    #[arg(long, default_value_t = 5.0)]
    secs: f64,
    /// At most this many requests in all, warm-up included.
    #[arg(long, default_value_t = 10_000_000)]
    max_requests: u64,
    /// The server's process id: adds its peak RSS (`VmHWM`) and its CPU
    /// time per measured request (from `/proc/<pid>/stat`).
    #[arg(long)]
    server_pid: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// `GET /v1/namespaces/{ns}/tables/{t}`: the table's `LoadTableResult`.
    Get,
    /// `POST /v1/namespaces/{ns}/tables/{t}`: a `set-properties` commit.
    Commit,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let outcome = check(&args).and_then(|address| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        // One thread, its tasks local: the generator takes one core at most.
        tokio::task::LocalSet::new().block_on(&runtime, run(&args, address))
    });
    match outcome {
        Ok(Report { line, errors: 0 }) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Ok(Report { line, errors }) => {
            println!("{line}");
            eprintln!("error: {errors} requests failed (see \"errors\")");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

type Error = Box<dyn std::error::Error>;

/// The address to drive, once the arguments are known to be sensible.
fn check(args: &Args) -> Result<SocketAddr, Error> {
    if !(1..=1024).contains(&args.connections) {
        return Err(format!("--connections {} is not in 1..=1024", args.connections).into());
    }
    if !(args.secs > 0.0 && args.secs <= 600.0 && (0.0..=600.0).contains(&args.warmup_secs)) {
        return Err("--secs must be in (0, 600] and --warmup-secs in [0, 600]".into());
    }
    let addresses: Vec<SocketAddr> = args
        .addr
        .to_socket_addrs()
        .map_err(|e| format!("--addr {:?} is not host:port ({e})", args.addr))?
        .collect();
    // IPv4 first: `localhost` may resolve to `::1` too, and the servers here bind 127.0.0.1.
    let first = addresses.iter().find(|a| a.is_ipv4()).or(addresses.first());
    match first {
        Some(address) if addresses.iter().all(|a| a.ip().is_loopback()) => Ok(*address),
        _ => {
            Err(format!("--addr {:?} is not a loopback address: loadgen drives only this machine", args.addr)
                .into())
        }
    }
}

struct Report {
    line: Value,
    errors: u64,
}

/// What every connection shares (one thread: `Rc`, `RefCell`).
struct Shared {
    scenario: Scenario,
    host: String,
    tables: Vec<String>,
    measure_from: Instant,
    until: Instant,
    budget: std::cell::Cell<u64>,
    latencies: RefCell<Histogram<u64>>,
    errors: std::cell::Cell<u64>,
    last_answer: std::cell::Cell<Instant>,
}

async fn connect(address: SocketAddr) -> Result<SendRequest<Full<Bytes>>, Error> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::task::spawn_local(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads its answer to the end (returned with `keep_body`).
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    method: Method,
    host: &str,
    path: &str,
    body: Bytes,
    keep_body: bool,
) -> Result<(StatusCode, Bytes), Error> {
    let mut request = Request::builder().method(method).uri(path).header("host", host);
    if !body.is_empty() {
        request = request.header("content-type", "application/json");
    }
    sender.ready().await?;
    let response = sender.send_request(request.body(Full::new(body))?).await?;
    let status = response.status();
    let mut body = response.into_body();
    if !keep_body {
        // Read the answer to its end without gathering it: the generator
        // shares the machine with the server, so it does as little as it can.
        while let Some(frame) = body.frame().await {
            frame?;
        }
        return Ok((status, Bytes::new()));
    }
    Ok((status, body.collect().await?.to_bytes()))
}

/// The seeded tables' paths, as the server lists them.
async fn discover(address: SocketAddr, host: &str) -> Result<Vec<String>, Error> {
    let mut sender = connect(address).await?;
    let mut get = async |path: String| -> Result<Value, Error> {
        let (status, body) = send(&mut sender, Method::GET, host, &path, Bytes::new(), true).await?;
        if status != StatusCode::OK {
            return Err(format!("GET {path}: {status}").into());
        }
        Ok(serde_json::from_slice(&body)?)
    };
    let mut tables = Vec::new();
    let namespaces = get("/v1/namespaces".to_owned()).await?;
    for namespace in namespaces["namespaces"].as_array().into_iter().flatten() {
        let levels: Vec<&str> =
            namespace.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let namespace = levels.join("%1F");
        let listed = get(format!("/v1/namespaces/{namespace}/tables")).await?;
        for identifier in listed["identifiers"].as_array().into_iter().flatten() {
            if let Some(name) = identifier["name"].as_str() {
                tables.push(format!("/v1/namespaces/{namespace}/tables/{name}"));
            }
        }
    }
    if tables.is_empty() {
        return Err("the server lists no tables".into());
    }
    Ok(tables)
}

/// One connection's closed loop until the time or the request budget runs out.
async fn drive(shared: Rc<Shared>, address: SocketAddr, connection: usize) {
    let mut sender = match connect(address).await {
        Ok(sender) => sender,
        Err(_) => {
            shared.errors.set(shared.errors.get() + 1);
            return;
        }
    };
    let mut local = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
    let mut sequence = 0u64;
    loop {
        let started = Instant::now();
        if started >= shared.until || shared.budget.get() == 0 {
            break;
        }
        shared.budget.set(shared.budget.get() - 1);
        let path = &shared.tables[(connection + sequence as usize) % shared.tables.len()];
        sequence += 1;
        let (method, body) = match shared.scenario {
            Scenario::Get => (Method::GET, Bytes::new()),
            Scenario::Commit => (
                Method::POST,
                Bytes::from(format!(
                    r#"{{"requirements":[],"updates":[{{"action":"set-properties","updates":{{"loadgen.sequence":"{connection}-{sequence}"}}}}]}}"#
                )),
            ),
        };
        match send(&mut sender, method, &shared.host, path, body, false).await {
            Ok((StatusCode::OK, _)) => {
                let now = Instant::now();
                if started >= shared.measure_from {
                    let micros = (now - started).as_micros().clamp(1, 60_000_000) as u64;
                    local.saturating_record(micros);
                    shared.last_answer.set(shared.last_answer.get().max(now));
                }
            }
            Ok(_) => shared.errors.set(shared.errors.get() + 1),
            Err(_) => {
                // The connection broke: count it, and go on with a new one.
                shared.errors.set(shared.errors.get() + 1);
                match connect(address).await {
                    Ok(again) => sender = again,
                    Err(_) => break,
                }
            }
        }
    }
    shared.latencies.borrow_mut().add(&local).expect("same bounds");
}

async fn run(args: &Args, address: SocketAddr) -> Result<Report, Error> {
    let host = address.to_string();
    let tables = discover(address, &host).await?;
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup_secs);
    let shared = Rc::new(Shared {
        scenario: args.scenario,
        host,
        tables,
        measure_from,
        until: measure_from + Duration::from_secs_f64(args.secs),
        budget: std::cell::Cell::new(args.max_requests),
        latencies: RefCell::new(Histogram::new_with_bounds(1, 60_000_000, 3)?),
        errors: std::cell::Cell::new(0),
        last_answer: std::cell::Cell::new(measure_from),
    });
    let tasks: Vec<_> = (0..args.connections)
        .map(|connection| tokio::task::spawn_local(drive(Rc::clone(&shared), address, connection)))
        .collect();
    tokio::time::sleep_until(measure_from.into()).await;
    let cpu_before = args.server_pid.and_then(|pid| process::cpu_time(&pid.to_string()));
    for task in tasks {
        task.await?;
    }
    let cpu_after = args.server_pid.and_then(|pid| process::cpu_time(&pid.to_string()));
    let cpu = cpu_before.zip(cpu_after).map(|(before, after)| after.saturating_sub(before));
    let latencies = shared.latencies.borrow();
    let requests = latencies.len();
    let secs = (shared.last_answer.get() - measure_from).as_secs_f64();
    let quantile = |q: f64| latencies.value_at_quantile(q);
    let line = json!({
        "scenario": match args.scenario { Scenario::Get => "get", Scenario::Commit => "commit" },
        "connections": args.connections,
        "requests": requests,
        "errors": shared.errors.get(),
        "secs": secs,
        "requests_per_sec": if secs > 0.0 { requests as f64 / secs } else { 0.0 },
        "mean_us": latencies.mean(),
        "p50_us": quantile(0.50),
        "p90_us": quantile(0.90),
        "p99_us": quantile(0.99),
        "p999_us": quantile(0.999),
        "max_us": latencies.max(),
        "server_peak_rss_kib": args.server_pid.and_then(|pid| process::peak_rss_kib(&pid.to_string())),
        "server_cpu_us_per_request": cpu.filter(|_| requests > 0).map(|cpu| cpu.as_secs_f64() * 1e6 / requests as f64),
    });
    Ok(Report { line, errors: shared.errors.get() })
}
