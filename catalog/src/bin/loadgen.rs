//! `loadgen`: drives the catalog's REST service (`cargo run --release --bin
//! server`, or `alloc-* serve`) on loopback, and records every measured
//! request's latency in an HDR histogram. Prints one JSON line: requests/s,
//! p50, p90, p99, p99.9 and max latency, and, given `--server-pid`, the
//! server's peak RSS and CPU time per request.
//!
//! Two modes:
//!
//! * **closed loop** (the default, as wrk does): a fixed number of keep-alive
//!   connections, each sending its next request when the previous answer has
//!   arrived whole. It finds the server's capacity; its latencies are those
//!   of a saturated server, and it stops sending while the server stalls (so
//!   it under-reports stalls: coordinated omission).
//! * **open loop** (`--rate R`, as wrk2 does): request `i` is due at
//!   `start + i / R` whatever happened to the earlier ones, and its latency is
//!   measured from that due time, not from when it was sent. A request that
//!   finds every connection busy waits for one, and that wait is in its
//!   latency: a stall of the server shows in every request due during it, as
//!   a user arriving at a fixed rate would see it (Gil Tene's correction of
//!   coordinated omission). Such requests are counted (`queued`, and `late`
//!   when sent more than 1 ms after their due time), never dropped; requests
//!   still unanswered `--drain-secs` after the schedule ends are counted as
//!   `unfinished` and recorded with the time they had waited by then.
//!   A thread of its own sleeps to each due time and hands the request over
//!   (`--timer thread`, tens of µs late: `send_lag_*` says how late); `--timer
//!   spin` is more punctual on a core of its own and much less on a shared one.
//!
//! ```text
//! cargo run --release -p poolable-catalog --features allocators --bin loadgen -- \
//!     --addr 127.0.0.1:8181 --scenario get --connections 64 --secs 5
//! cargo run --release -p poolable-catalog --features allocators --bin loadgen -- \
//!     --addr 127.0.0.1:8181 --scenario get --rate 5000 --connections 256 --secs 10
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
#[command(
    name = "loadgen",
    about = "A closed- or open-loop HTTP load on the catalog's REST service, on loopback"
)]
struct Args {
    /// The server's address, `127.0.0.1:8181` (a loopback address only).
    #[arg(long)]
    addr: String,
    /// What each request does.
    #[arg(long, value_enum, default_value_t = Scenario::Get)]
    scenario: Scenario,
    /// Keep-alive connections, each with one request in flight (1 to 1024);
    /// with `--rate`, the most requests in flight at once.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// An open loop at this many requests per second (more than 0, at most
    /// 1,000,000): request `i` is due at `i / rate` seconds from the start,
    /// and its latency runs from then. Without it, a closed loop.
    #[arg(long)]
    rate: Option<f64>,
    /// With `--rate`: seconds to wait, once the last request is due, for the
    /// answers still owed (at most 600); those still owed then are `unfinished`.
    #[arg(long, default_value_t = 10.0)]
    drain_secs: f64,
    /// With `--rate`: how the generator waits for each due time.
    #[arg(long, value_enum, default_value_t = Timer::Thread)]
    timer: Timer,
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
enum Timer {
    /// A thread of its own sleeps to each due time (`nanosleep`: tens of
    /// µs late) and hands the request to the connections' thread.
    Thread,
    /// The connections' thread sleeps to within 2 ms of each due time and
    /// yields from there (a few µs late), keeping its core busy: on a core
    /// shared with other processes the scheduler then takes it off for
    /// milliseconds at a time.
    Spin,
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
        // One thread, its tasks local: the generator takes one core at most
        // (the open loop's timer thread sleeps between due times).
        let local = tokio::task::LocalSet::new();
        match args.rate {
            Some(rate) => local.block_on(&runtime, open_loop::run(&args, address, rate)),
            None => local.block_on(&runtime, run(&args, address)),
        }
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
    if let Some(rate) = args.rate {
        if !(rate > 0.0 && rate <= 1_000_000.0) {
            return Err(format!("--rate {rate} is not in (0, 1000000]").into());
        }
        if !(0.0..=600.0).contains(&args.drain_secs) {
            return Err("--drain-secs must be in [0, 600]".into());
        }
        let scheduled = rate * (args.warmup_secs + args.secs);
        if scheduled > args.max_requests as f64 {
            return Err(format!(
                "--rate {rate} for {} s schedules {scheduled:.0} requests, more than --max-requests {}",
                args.warmup_secs + args.secs,
                args.max_requests
            )
            .into());
        }
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

type Sender = SendRequest<Full<Bytes>>;

async fn connect(address: SocketAddr) -> Result<Sender, Error> {
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
    sender: &mut Sender,
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

/// The method and body of a scenario's request; `tag` and `sequence` make a
/// commit's property value unique.
fn request(scenario: Scenario, tag: usize, sequence: u64) -> (Method, Bytes) {
    match scenario {
        Scenario::Get => (Method::GET, Bytes::new()),
        Scenario::Commit => (
            Method::POST,
            Bytes::from(format!(
                r#"{{"requirements":[],"updates":[{{"action":"set-properties","updates":{{"loadgen.sequence":"{tag}-{sequence}"}}}}]}}"#
            )),
        ),
    }
}

fn scenario_name(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Get => "get",
        Scenario::Commit => "commit",
    }
}

/// The histogram every latency goes into: 1 µs to 60 s, 3 significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

/// A duration in whole µs, clamped to the histogram's bounds.
fn micros(duration: Duration) -> u64 {
    duration.as_micros().clamp(1, 60_000_000) as u64
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
    let mut local = histogram();
    let mut sequence = 0u64;
    loop {
        let started = Instant::now();
        if started >= shared.until || shared.budget.get() == 0 {
            break;
        }
        shared.budget.set(shared.budget.get() - 1);
        let path = &shared.tables[(connection + sequence as usize) % shared.tables.len()];
        sequence += 1;
        let (method, body) = request(shared.scenario, connection, sequence);
        match send(&mut sender, method, &shared.host, path, body, false).await {
            Ok((StatusCode::OK, _)) => {
                let now = Instant::now();
                if started >= shared.measure_from {
                    local.saturating_record(micros(now - started));
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
        latencies: RefCell::new(histogram()),
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
        "mode": "closed",
        "scenario": scenario_name(args.scenario),
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

/// The open loop (`--rate`): a schedule of due times, a queue, and
/// connections that take the queue's requests in order.
mod open_loop {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::net::SocketAddr;
    use std::rc::Rc;
    use std::time::{Duration, Instant};

    use hdrhistogram::Histogram;
    use hyper::StatusCode;
    use serde_json::json;
    use tokio::sync::Notify;

    use super::{
        connect, histogram, micros, process, request, scenario_name, send, Args, Error, Report, Scenario,
        Timer,
    };

    /// A request sent more than this after its due time is `late`.
    const LATE: Duration = Duration::from_millis(1);

    /// One request of the schedule.
    #[derive(Clone, Copy, Debug)]
    struct Due {
        index: u64,
        at: Instant,
    }

    /// When the request `index` of a schedule at `rate` requests/s from
    /// `start` is due: exactly `index / rate` seconds on, so that the
    /// schedule does not drift however many requests it holds.
    pub(super) fn due_at(start: Instant, rate: f64, index: u64) -> Instant {
        start + Duration::from_secs_f64(index as f64 / rate)
    }

    /// What the dispatcher and the connections share (one thread).
    struct Shared {
        scenario: Scenario,
        host: String,
        tables: Vec<String>,
        measure_from: Instant,
        /// Requests due and not yet taken by a connection, oldest first.
        queue: RefCell<VecDeque<Due>>,
        /// Wakes a connection waiting for a request (or all, at the end).
        ready: Notify,
        /// Connections waiting for a request.
        idle: Cell<usize>,
        /// The schedule has ended: a connection with nothing queued stops.
        closed: Cell<bool>,
        /// The request each connection has in flight.
        in_flight: RefCell<Vec<Option<Due>>>,
        latencies: RefCell<Histogram<u64>>,
        /// How long after its due time each measured request was sent.
        send_lag: RefCell<Histogram<u64>>,
        /// Measured requests due, answered or not.
        scheduled: Cell<u64>,
        answered: Cell<u64>,
        errors: Cell<u64>,
        queued: Cell<u64>,
        late: Cell<u64>,
        last_answer: Cell<Instant>,
    }

    impl Shared {
        fn measured(&self, due: Due) -> bool {
            due.at >= self.measure_from
        }
    }

    fn bump(cell: &Cell<u64>) {
        cell.set(cell.get() + 1);
    }

    /// Waits until `at`, to a few µs: tokio's timer ticks by the
    /// millisecond, so it sleeps to within 2 ms of `at` and yields from there
    /// (the other tasks, and the sockets, are served in between; the
    /// generator's thread is busy while requests are due more often than
    /// every few ms).
    async fn until(at: Instant) {
        loop {
            let now = Instant::now();
            if now >= at {
                return;
            }
            if at - now > Duration::from_millis(3) {
                tokio::time::sleep_until((at - Duration::from_millis(2)).into()).await;
            } else {
                tokio::task::yield_now().await;
            }
        }
    }

    /// Puts every request on the queue at its due time, whatever the
    /// connections are doing; counts those that find no connection free.
    async fn dispatch(shared: Rc<Shared>, start: Instant, rate: f64, count: u64, timer: Timer) {
        // With `Timer::Thread`, a thread of its own sleeps to each due time
        // and hands the request over.
        let (handover, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
        if timer == Timer::Thread {
            std::thread::spawn(move || {
                for index in 0..count {
                    let at = due_at(start, rate, index);
                    let now = Instant::now();
                    if at > now {
                        std::thread::sleep(at - now);
                    }
                    if handover.send(Due { index, at }).is_err() {
                        return;
                    }
                }
            });
        }
        for index in 0..count {
            let due = match timer {
                Timer::Spin => {
                    let due = Due { index, at: due_at(start, rate, index) };
                    until(due.at).await;
                    due
                }
                Timer::Thread => match arrivals.recv().await {
                    Some(due) => due,
                    None => break,
                },
            };
            let mut queue = shared.queue.borrow_mut();
            // The queued requests go to the idle connections first: this one
            // finds one free only if there are more idle connections than that.
            if shared.measured(due) {
                bump(&shared.scheduled);
                if queue.len() >= shared.idle.get() {
                    bump(&shared.queued);
                }
            }
            queue.push_back(due);
            drop(queue);
            shared.ready.notify_one();
        }
        shared.closed.set(true);
        shared.ready.notify_waiters();
    }

    /// One connection: takes the oldest queued request, sends it, records its
    /// latency from its due time, and again, until the schedule has ended and
    /// the queue is empty.
    async fn serve(shared: Rc<Shared>, address: SocketAddr, connection: usize, mut sender: super::Sender) {
        loop {
            let next = shared.queue.borrow_mut().pop_front();
            let Some(due) = next else {
                if shared.closed.get() {
                    return;
                }
                shared.idle.set(shared.idle.get() + 1);
                shared.ready.notified().await;
                shared.idle.set(shared.idle.get() - 1);
                continue;
            };
            shared.in_flight.borrow_mut()[connection] = Some(due);
            let measured = shared.measured(due);
            let sent = Instant::now();
            if measured {
                let lag = sent.saturating_duration_since(due.at);
                shared.send_lag.borrow_mut().saturating_record(micros(lag).max(1));
                if lag > LATE {
                    bump(&shared.late);
                }
            }
            let path = &shared.tables[(due.index % shared.tables.len() as u64) as usize];
            let (method, body) = request(shared.scenario, connection, due.index);
            let outcome = send(&mut sender, method, &shared.host, path, body, false).await;
            let now = Instant::now();
            shared.in_flight.borrow_mut()[connection] = None;
            match outcome {
                Ok((StatusCode::OK, _)) => {
                    if measured {
                        shared.latencies.borrow_mut().saturating_record(micros(now - due.at));
                        bump(&shared.answered);
                        shared.last_answer.set(shared.last_answer.get().max(now));
                    }
                }
                Ok(_) => bump(&shared.errors),
                Err(_) => {
                    // The connection broke: count it, and go on with a new one
                    // (without one, the other connections take the queue).
                    bump(&shared.errors);
                    match connect(address).await {
                        Ok(again) => sender = again,
                        Err(_) => return,
                    }
                }
            }
        }
    }

    pub(super) async fn run(args: &Args, address: SocketAddr, rate: f64) -> Result<Report, Error> {
        let host = address.to_string();
        let tables = super::discover(address, &host).await?;
        // Every connection opened before the first request is due: opening
        // one is not part of any request's latency.
        let mut senders = Vec::with_capacity(args.connections);
        for _ in 0..args.connections {
            senders.push(connect(address).await?);
        }
        let start = Instant::now() + Duration::from_millis(20);
        let measure_from = start + Duration::from_secs_f64(args.warmup_secs);
        let until = measure_from + Duration::from_secs_f64(args.secs);
        // Due in [start, until): (warm-up + measured seconds) × rate requests.
        let count = ((args.warmup_secs + args.secs) * rate).ceil() as u64;
        let shared = Rc::new(Shared {
            scenario: args.scenario,
            host,
            tables,
            measure_from,
            queue: RefCell::new(VecDeque::new()),
            ready: Notify::new(),
            idle: Cell::new(0),
            closed: Cell::new(false),
            in_flight: RefCell::new(vec![None; args.connections]),
            latencies: RefCell::new(histogram()),
            send_lag: RefCell::new(histogram()),
            scheduled: Cell::new(0),
            answered: Cell::new(0),
            errors: Cell::new(0),
            queued: Cell::new(0),
            late: Cell::new(0),
            last_answer: Cell::new(measure_from),
        });
        let mut tasks: Vec<_> = senders
            .into_iter()
            .enumerate()
            .map(|(connection, sender)| {
                tokio::task::spawn_local(serve(Rc::clone(&shared), address, connection, sender))
            })
            .collect();
        let dispatcher =
            tokio::task::spawn_local(dispatch(Rc::clone(&shared), start, rate, count, args.timer));
        tokio::time::sleep_until(measure_from.into()).await;
        let cpu_before = args.server_pid.and_then(|pid| process::cpu_time(&pid.to_string()));
        dispatcher.await?;
        // The answers still owed, for at most --drain-secs.
        let deadline = Instant::now().max(until) + Duration::from_secs_f64(args.drain_secs);
        for task in &mut tasks {
            if tokio::time::timeout_at(deadline.into(), task).await.is_err() {
                break;
            }
        }
        let cpu_after = args.server_pid.and_then(|pid| process::cpu_time(&pid.to_string()));
        for task in &tasks {
            task.abort();
        }
        // Requests never answered: counted, and recorded with the time they
        // had waited by the deadline (a lower bound of their latency).
        let stopped = Instant::now();
        let owed: Vec<Due> = shared
            .queue
            .borrow()
            .iter()
            .copied()
            .chain(shared.in_flight.borrow().iter().flatten().copied())
            .filter(|&due| shared.measured(due))
            .collect();
        for due in &owed {
            shared.latencies.borrow_mut().saturating_record(micros(stopped - due.at));
        }
        let unfinished = owed.len() as u64;
        let cpu = cpu_before.zip(cpu_after).map(|(before, after)| after.saturating_sub(before));
        let latencies = shared.latencies.borrow();
        let lag = shared.send_lag.borrow();
        let answered = shared.answered.get();
        let secs = (shared.last_answer.get().max(until) - measure_from).as_secs_f64();
        let quantile = |q: f64| latencies.value_at_quantile(q);
        let line = json!({
            "mode": "open",
            "scenario": scenario_name(args.scenario),
            "connections": args.connections,
            "target_rate": rate,
            "scheduled": shared.scheduled.get(),
            "requests": answered,
            "errors": shared.errors.get(),
            "unfinished": unfinished,
            "queued": shared.queued.get(),
            "late": shared.late.get(),
            "secs": secs,
            "requests_per_sec": if secs > 0.0 { answered as f64 / secs } else { 0.0 },
            "mean_us": latencies.mean(),
            "p50_us": quantile(0.50),
            "p90_us": quantile(0.90),
            "p99_us": quantile(0.99),
            "p999_us": quantile(0.999),
            "max_us": latencies.max(),
            "send_lag_p50_us": lag.value_at_quantile(0.50),
            "send_lag_p99_us": lag.value_at_quantile(0.99),
            "send_lag_max_us": lag.max(),
            "server_peak_rss_kib": args.server_pid.and_then(|pid| process::peak_rss_kib(&pid.to_string())),
            "server_cpu_us_per_request": cpu.filter(|_| answered > 0).map(|cpu| cpu.as_secs_f64() * 1e6 / answered as f64),
        });
        Ok(Report { line, errors: shared.errors.get() + unfinished })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_do_not_drift() {
        let start = Instant::now();
        assert_eq!(open_loop::due_at(start, 1000.0, 0), start);
        assert_eq!(open_loop::due_at(start, 1000.0, 1_000_000) - start, Duration::from_secs(1000));
        assert_eq!(open_loop::due_at(start, 3.0, 3) - start, Duration::from_secs(1));
    }

    /// A stand-in for the catalog with one table, answered at once except
    /// during a stall from `from` to `from + stall` after it starts, when
    /// every answer waits for the stall's end.
    fn stalling_server(from: Duration, stall: Duration) -> SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("its address");
        std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async move {
                let started = Instant::now();
                let (stall_from, stall_until) = (started + from, started + from + stall);
                let table = move || async move {
                    let now = Instant::now();
                    if now >= stall_from && now < stall_until {
                        tokio::time::sleep_until(stall_until.into()).await;
                    }
                    "{}"
                };
                let router = axum::Router::new()
                    .route("/v1/namespaces", axum::routing::get(|| async { r#"{"namespaces":[["ns"]]}"# }))
                    .route(
                        "/v1/namespaces/ns/tables",
                        axum::routing::get(|| async {
                            r#"{"identifiers":[{"namespace":["ns"],"name":"t"}]}"#
                        }),
                    )
                    .route("/v1/namespaces/ns/tables/t", axum::routing::get(table));
                let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                axum::serve(listener, router).await.expect("served");
            });
        });
        address
    }

    fn load(flags: &[&str], address: SocketAddr) -> Value {
        let mut all = vec!["loadgen", "--addr", "127.0.0.1:1", "--warmup-secs", "0", "--secs", "1"];
        all.extend_from_slice(flags);
        let args = Args::parse_from(all);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let local = tokio::task::LocalSet::new();
        let report = match args.rate {
            Some(rate) => local.block_on(&runtime, open_loop::run(&args, address, rate)),
            None => local.block_on(&runtime, run(&args, address)),
        }
        .expect("a report");
        assert_eq!(report.errors, 0, "{}", report.line);
        report.line
    }

    /// A 300 ms stall in a 1 s run: the closed loop sees it in the few
    /// requests in flight; the open loop in every request due during it
    /// (about 300 of 1,000), each measured from its due time.
    #[test]
    fn the_open_loop_counts_a_stall_against_every_request_due_during_it() {
        let stall = Duration::from_millis(300);
        let open = load(
            &["--rate", "1000", "--connections", "16"],
            stalling_server(Duration::from_millis(300), stall),
        );
        assert_eq!(open["requests"], open["scheduled"], "{open}");
        assert_eq!(open["unfinished"], 0, "{open}");
        assert!(open["queued"].as_u64().expect("queued") > 0, "{open}");
        let p99 = open["p99_us"].as_u64().expect("p99");
        assert!(p99 >= 200_000, "the open loop's p99 leaves the stall out: {open}");
        let closed = load(&["--connections", "16"], stalling_server(Duration::from_millis(300), stall));
        let closed_p99 = closed["p99_us"].as_u64().expect("p99");
        assert!(closed_p99 * 2 < p99, "the closed loop's p99 is the open loop's: {closed} against {open}");
        assert!(closed["max_us"].as_u64().expect("max") >= 200_000, "{closed}");
    }
}
