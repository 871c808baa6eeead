//! The engine benchmarks' workload, shared by `engine` (criterion, wall time)
//! and `callgrind_engine` (instruction counts under callgrind).
//!
//! One cycle: take a `Request`, append 256 bytes to its body, read a byte
//! back, give it up. Three contenders do that cycle:
//!
//! * `derived`: `#[derive(Poolable)]` on the same struct, `DerivedRequest::pooled()`
//!   (the common case: the pool reaches its per-type thread-local cache directly);
//! * `restoring`: the derived struct with a hand-written `Default` that sets
//!   a status of 200 and a non-empty path, so that every return restores
//!   those (out of line, through the pool's per-thread template);
//! * `generic`: the derived struct made generic over its body's element,
//!   `GenericRequest::<u8>::pooled()` (one pool per instantiation; the pool
//!   and its cache found by a downcast each in the thread-local the derive
//!   generates for the type's definition);
//! * `pool`: a hand-built `poolable::Pool<Request>` in a `static` (the
//!   engine's generic path: a per-thread table indexed by pool id);
//! * `boxed`: `Box::new(Request::default())`, dropped at the end (two
//!   allocations and two frees per cycle: the box and the body);
//! * `floor`: a bare `thread_local!` `RefCell<Vec<Box<Request>>>`, pop or
//!   create, reset and push back: what the pool's hit path cannot beat.

// Each bench binary uses a different subset of these items.
#![allow(dead_code)]

use std::cell::RefCell;
use std::hint::black_box;

use poolable::{Pool, PoolConfig, Poolable, Reset};

/// Bytes appended to the body in every cycle.
pub const BODY: [u8; 256] = [0x5a; 256];

/// A request builder, as a service would pool it.
#[derive(Default)]
pub struct Request {
    pub path: String,
    pub headers: Vec<String>,
    pub body: Vec<u8>,
    pub id: u64,
    pub trace: Option<String>,
}

impl Reset for Request {
    #[inline]
    fn reset(&mut self) {
        self.path.reset();
        self.headers.reset();
        self.body.reset();
        self.id.reset();
        self.trace.reset();
    }

    #[inline]
    fn retained_bytes(&self) -> usize {
        self.path.retained_bytes() + self.headers.retained_bytes() + self.body.retained_bytes()
    }
}

/// The same request builder, derived.
#[derive(Default, Poolable)]
#[pool(name = "bench_derived_request")]
pub struct DerivedRequest {
    pub path: String,
    pub headers: Vec<String>,
    pub body: Vec<u8>,
    pub id: u64,
    pub trace: Option<String>,
}

/// The same request builder, derived on a generic type: the pool of
/// `GenericRequest<u8>` is made on its first use.
#[derive(Default, Poolable)]
#[pool(name = "bench_generic_request")]
pub struct GenericRequest<T> {
    pub path: String,
    pub headers: Vec<String>,
    pub body: Vec<T>,
    pub id: u64,
    pub trace: Option<String>,
}

/// The derived request builder with a constructor that is not all zeros.
#[derive(Poolable)]
#[pool(name = "bench_restoring_request")]
pub struct RestoringRequest {
    pub path: String,
    pub headers: Vec<String>,
    pub body: Vec<u8>,
    pub id: u64,
    pub trace: Option<String>,
    pub status: u16,
}

impl Default for RestoringRequest {
    fn default() -> Self {
        RestoringRequest {
            path: "/v1/config".to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            id: 0,
            trace: None,
            status: 200,
        }
    }
}

/// The pool contender, with the default bounds.
pub static POOL: Pool<Request> = Pool::with_config(Request::default, PoolConfig::new("bench_request"));

/// The work done on a taken request, the same for every contender.
#[inline(always)]
fn work(body: &mut Vec<u8>) {
    body.extend_from_slice(black_box(&BODY));
    black_box(body[black_box(255)]);
    black_box(body.len());
}

/// One cycle through the derived type's pool.
#[inline(always)]
fn cycle_derived() {
    let mut request = DerivedRequest::pooled();
    work(&mut request.body);
    drop(request);
}

/// One cycle through the pool of one instantiation of a generic derived type.
#[inline(always)]
fn cycle_generic() {
    let mut request = GenericRequest::<u8>::pooled();
    work(&mut request.body);
    drop(request);
}

/// One cycle through the restoring derived type's pool.
#[inline(always)]
fn cycle_restoring() {
    let mut request = RestoringRequest::pooled();
    work(&mut request.body);
    request.status = black_box(404);
    drop(request);
}

/// One cycle through the pool.
#[inline(always)]
fn cycle_pool() {
    let mut request = POOL.get();
    work(&mut request.body);
    drop(request);
}

/// One cycle with a fresh allocation.
#[inline(always)]
fn cycle_boxed() {
    let mut request = black_box(Box::new(Request::default()));
    work(&mut request.body);
    drop(request);
}

thread_local! {
    // Boxed as the pool keeps them: a take or return moves a pointer.
    #[allow(clippy::vec_box)]
    static CACHE: RefCell<Vec<Box<Request>>> = const { RefCell::new(Vec::new()) };
}

/// One cycle through the bare thread-local cache.
#[inline(always)]
fn cycle_floor() {
    let mut request = CACHE.with_borrow_mut(Vec::pop).unwrap_or_else(|| Box::new(Request::default()));
    work(&mut request.body);
    request.reset();
    CACHE.with_borrow_mut(|cache| cache.push(request));
}

/// The contenders, by the name the benchmarks and the script use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    Derived,
    Generic,
    Restoring,
    Pool,
    Floor,
    Boxed,
}

impl Contender {
    pub const ALL: [Contender; 6] = [
        Contender::Derived,
        Contender::Generic,
        Contender::Restoring,
        Contender::Pool,
        Contender::Floor,
        Contender::Boxed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Contender::Derived => "derived",
            Contender::Generic => "generic",
            Contender::Restoring => "restoring",
            Contender::Pool => "pool",
            Contender::Floor => "floor",
            Contender::Boxed => "box",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Runs `n` cycles.
    pub fn run(self, n: u64) {
        match self {
            Contender::Derived => run_derived(n),
            Contender::Generic => run_generic(n),
            Contender::Restoring => run_restoring(n),
            Contender::Pool => run_pool(n),
            Contender::Floor => run_floor(n),
            Contender::Boxed => run_boxed(n),
        }
    }
}

// One loop per contender, never inlined: both benchmarks run the very same
// machine code, whatever calls it, and the profile names it.

/// `n` cycles through the derived type's pool.
#[inline(never)]
pub fn run_derived(n: u64) {
    for _ in 0..n {
        cycle_derived();
    }
}

/// `n` cycles through a generic derived type's pool.
#[inline(never)]
pub fn run_generic(n: u64) {
    for _ in 0..n {
        cycle_generic();
    }
}

/// `n` cycles through the restoring derived type's pool.
#[inline(never)]
pub fn run_restoring(n: u64) {
    for _ in 0..n {
        cycle_restoring();
    }
}

/// `n` cycles through the pool.
#[inline(never)]
pub fn run_pool(n: u64) {
    for _ in 0..n {
        cycle_pool();
    }
}

/// `n` cycles through the bare thread-local cache.
#[inline(never)]
pub fn run_floor(n: u64) {
    for _ in 0..n {
        cycle_floor();
    }
}

/// `n` cycles with a fresh allocation.
#[inline(never)]
pub fn run_boxed(n: u64) {
    for _ in 0..n {
        cycle_boxed();
    }
}
