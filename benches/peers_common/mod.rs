//! The peer comparison (issue 6), shared by `peers` (criterion medians),
//! `peers_rounds` (interleaved rounds, best round per contender),
//! `peers_allocs` (allocations per cycle) and `peers_callgrind`
//! (instructions per cycle).
//!
//! Three workloads ([`Request`], [`Buffer`], [`Small`]), four scenarios
//! ([`Scenario`]) and one list of contenders ([`contenders`]): poolable's
//! derived type (`T::pooled()`, what users write), a hand-built
//! `poolable::Pool<T>`, the peers, plain allocation, and a bare
//! `thread_local!` `Vec<Box<T>>` (the floor: a reference, not a pool).
//!
//! Every contender does the same work per cycle: take an object, fill it
//! (the workload's `fill`), read a byte back, and give it up, resetting it
//! (in the pool's own way where it has one, by hand where it has none).

// Each bench binary uses a different subset of these items.
#![allow(dead_code)]

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::{self, JoinHandle, LocalKey};
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;
use poolable::{Pool, PoolConfig, Poolable, Pooled, Reset};

/// Objects a burst takes before it gives them all back.
pub const BURST: usize = 64;
/// Capacity of the bounded peers (opool, the `ArrayQueue` pool): the same as
/// poolable's default `max_idle`.
pub const BOUND: usize = 1024;
/// Objects in flight between producer and consumer.
pub const IN_FLIGHT: usize = 64;

// ---------------------------------------------------------------- workloads

/// What a workload's object must offer for every contender to pool it.
pub trait Workload: Poolable + Default + Sync + sharded_slab::Clear + Sized {
    const NAME: &'static str;
    /// A fresh object (the constructor every pool uses on a miss).
    fn make() -> Self;
    /// The work done on a taken object.
    fn fill(&mut self);
    /// A byte read back, so the work is not optimised away.
    fn peek(&self) -> u8;
    /// The floor contender's thread-local cache for this type.
    #[allow(clippy::vec_box)]
    fn floor() -> &'static LocalKey<RefCell<Vec<Box<Self>>>>;
}

/// Bytes written into a `Request` body or a `Buffer` in every cycle.
pub const PAYLOAD: [u8; 256] = [0x5a; 256];

/// (a) The request builder of the engine benchmark, filled with small data.
#[derive(Default, Poolable)]
#[pool(name = "peers_request")]
pub struct Request {
    pub path: String,
    pub headers: Vec<String>,
    pub body: Vec<u8>,
    pub id: u64,
    pub trace: Option<String>,
}

/// (b) A 4 KiB byte buffer, filled with 256 bytes.
#[derive(Poolable)]
#[pool(name = "peers_buffer")]
pub struct Buffer {
    pub bytes: Vec<u8>,
}

impl Default for Buffer {
    fn default() -> Self {
        Self { bytes: Vec::with_capacity(4096) }
    }
}

/// (c) A 64-byte struct without heap.
#[derive(Default, Poolable)]
#[pool(name = "peers_small")]
pub struct Small {
    pub words: [u64; 8],
}

macro_rules! floor_and_clear {
    ($ty:ident, $key:ident) => {
        thread_local! {
            #[allow(clippy::vec_box)]
            static $key: RefCell<Vec<Box<$ty>>> = const { RefCell::new(Vec::new()) };
        }
        /// sharded-slab resets through its own trait: the same reset.
        impl sharded_slab::Clear for $ty {
            fn clear(&mut self) {
                Reset::reset(self);
            }
        }
    };
}
floor_and_clear!(Request, FLOOR_REQUEST);
floor_and_clear!(Buffer, FLOOR_BUFFER);
floor_and_clear!(Small, FLOOR_SMALL);

impl Workload for Request {
    const NAME: &'static str = "request";
    fn make() -> Self {
        Self::default()
    }
    #[inline(always)]
    fn fill(&mut self) {
        self.path.push_str(black_box("/v1/tables/orders"));
        self.body.extend_from_slice(black_box(&PAYLOAD));
        self.id = black_box(42);
    }
    #[inline(always)]
    fn peek(&self) -> u8 {
        self.body[black_box(255)]
    }
    fn floor() -> &'static LocalKey<RefCell<Vec<Box<Self>>>> {
        &FLOOR_REQUEST
    }
}

impl Workload for Buffer {
    const NAME: &'static str = "buffer_4k";
    fn make() -> Self {
        Self::default()
    }
    #[inline(always)]
    fn fill(&mut self) {
        self.bytes.extend_from_slice(black_box(&PAYLOAD));
    }
    #[inline(always)]
    fn peek(&self) -> u8 {
        self.bytes[black_box(255)]
    }
    fn floor() -> &'static LocalKey<RefCell<Vec<Box<Self>>>> {
        &FLOOR_BUFFER
    }
}

impl Workload for Small {
    const NAME: &'static str = "small_64b";
    fn make() -> Self {
        Self::default()
    }
    #[inline(always)]
    fn fill(&mut self) {
        let seed = black_box(7u64);
        for (i, word) in self.words.iter_mut().enumerate() {
            *word = seed + i as u64;
        }
    }
    #[inline(always)]
    fn peek(&self) -> u8 {
        self.words[black_box(5)] as u8
    }
    fn floor() -> &'static LocalKey<RefCell<Vec<Box<Self>>>> {
        &FLOOR_SMALL
    }
}

// -------------------------------------------------------------- contenders

/// One way of pooling `W`. `take` takes and fills an object; `give` gives
/// it up (on any thread).
pub trait Contender<W: Workload>: Sync + 'static {
    type Guard: Send;
    fn take(&'static self) -> Self::Guard;
    fn give(&'static self, guard: Self::Guard);
}

/// poolable, as users write it: `#[derive(Poolable)]`, `W::pooled()`.
pub struct Derived;
impl<W: Workload> Contender<W> for Derived {
    type Guard = Pooled<W>;
    #[inline(always)]
    fn take(&'static self) -> Pooled<W> {
        let mut object = W::pooled();
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, guard: Pooled<W>) {
        drop(guard);
    }
}

/// poolable without the derive: a hand-built `Pool` of a type with a
/// hand-written `Reset` (the generic path: a per-thread table by pool id).
pub struct HandBuilt<W: Workload>(Pool<Plain<W>>);

/// `W` with a hand-written `Reset` and no derive: what a user pools with a
/// hand-built `Pool<T>`.
pub struct Plain<W>(W);
impl<W: Workload> Reset for Plain<W> {
    #[inline]
    fn reset(&mut self) {
        self.0.reset();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        self.0.retained_bytes()
    }
}
impl<W: Workload> Plain<W> {
    fn make() -> Self {
        Plain(W::make())
    }
}

impl<W: Workload> Contender<W> for HandBuilt<W> {
    type Guard = Pooled<Plain<W>>;
    #[inline(always)]
    fn take(&'static self) -> Self::Guard {
        let mut object = self.0.get();
        object.0.fill();
        black_box(object.0.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, guard: Self::Guard) {
        drop(guard);
    }
}

/// `lockfree-object-pool`'s `LinearObjectPool` (its fastest pool); it resets
/// with the closure it was built with.
pub struct Lockfree<W: Workload>(lockfree_object_pool::LinearObjectPool<W>);
impl<W: Workload> Contender<W> for Lockfree<W> {
    type Guard = lockfree_object_pool::LinearReusable<'static, W>;
    #[inline(always)]
    fn take(&'static self) -> Self::Guard {
        let mut object = self.0.pull();
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, guard: Self::Guard) {
        drop(guard);
    }
}

/// `object-pool`'s `Pool` (a `parking_lot::Mutex<Vec<T>>`); it does not
/// reset, so the taker resets.
pub struct ObjectPool<W: Workload>(object_pool::Pool<W>);
impl<W: Workload> Contender<W> for ObjectPool<W> {
    type Guard = object_pool::Reusable<'static, W>;
    #[inline(always)]
    fn take(&'static self) -> Self::Guard {
        let mut object = self.0.pull(W::make);
        object.reset();
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, guard: Self::Guard) {
        drop(guard);
    }
}

/// `sharded-slab`'s `Pool`: `create` a slot, `clear(key)` it (resetting
/// through `sharded_slab::Clear`).
pub struct ShardedSlab<W: Workload>(sharded_slab::Pool<W>);
impl<W: Workload> Contender<W> for ShardedSlab<W> {
    type Guard = usize;
    #[inline(always)]
    fn take(&'static self) -> usize {
        let mut object = self.0.create().expect("sharded-slab pool has room");
        object.fill();
        black_box(object.peek());
        object.key()
    }
    #[inline(always)]
    fn give(&'static self, key: usize) {
        self.0.clear(key);
    }
}

/// `opool`'s concurrent `Pool` (an `ArrayQueue<T>`), resetting on take.
pub struct Opool<W: Workload>(opool::Pool<OpoolAlloc, W>);
pub struct OpoolAlloc;
impl<W: Workload> opool::PoolAllocator<W> for OpoolAlloc {
    #[inline]
    fn allocate(&self) -> W {
        W::make()
    }
    #[inline]
    fn reset(&self, object: &mut W) {
        object.reset();
    }
}
impl<W: Workload> Contender<W> for Opool<W> {
    type Guard = opool::RefGuard<'static, OpoolAlloc, W>;
    #[inline(always)]
    fn take(&'static self) -> Self::Guard {
        let mut object = self.0.get();
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, guard: Self::Guard) {
        drop(guard);
    }
}

/// A crossbeam `ArrayQueue<Box<T>>` pool written by hand, as many services do.
pub struct QueuePool<W: Workload>(ArrayQueue<Box<W>>);
impl<W: Workload> Contender<W> for QueuePool<W> {
    type Guard = Box<W>;
    #[inline(always)]
    fn take(&'static self) -> Box<W> {
        let mut object = self.0.pop().unwrap_or_else(|| Box::new(W::make()));
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, mut object: Box<W>) {
        object.reset();
        drop(self.0.push(object));
    }
}

/// A `Mutex<Vec<Box<T>>>` pool written by hand.
#[allow(clippy::vec_box)]
pub struct MutexPool<W: Workload>(Mutex<Vec<Box<W>>>);
impl<W: Workload> Contender<W> for MutexPool<W> {
    type Guard = Box<W>;
    #[inline(always)]
    fn take(&'static self) -> Box<W> {
        let idle = self.0.lock().expect("not poisoned").pop();
        let mut object = idle.unwrap_or_else(|| Box::new(W::make()));
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, mut object: Box<W>) {
        object.reset();
        let mut idle = self.0.lock().expect("not poisoned");
        if idle.len() < BOUND {
            idle.push(object);
        }
    }
}

/// No pool: a fresh `Box<T>` per cycle.
pub struct Alloc;
impl<W: Workload> Contender<W> for Alloc {
    type Guard = Box<W>;
    #[inline(always)]
    fn take(&'static self) -> Box<W> {
        let mut object = black_box(Box::new(W::make()));
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, object: Box<W>) {
        drop(object);
    }
}

/// The floor: a bare `thread_local!` `RefCell<Vec<Box<T>>>`, unbounded, pop
/// or create, reset and push back. Not a pool (no bound, no cross-thread
/// balance, no counts): what a pool's single-thread hit path cannot beat.
pub struct Floor;
impl<W: Workload> Contender<W> for Floor {
    type Guard = Box<W>;
    #[inline(always)]
    fn take(&'static self) -> Box<W> {
        let mut object = W::floor().with_borrow_mut(Vec::pop).unwrap_or_else(|| Box::new(W::make()));
        object.fill();
        black_box(object.peek());
        object
    }
    #[inline(always)]
    fn give(&'static self, mut object: Box<W>) {
        object.reset();
        W::floor().with_borrow_mut(|cache| cache.push(object));
    }
}

// ---------------------------------------------------------------- scenarios

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// One thread: take, fill, give back.
    OneThread,
    /// Two threads on one shared pool, each cycling; time per cycle is the
    /// wall time over both threads' cycles (aggregate throughput).
    TwoThreads,
    /// Taken and filled on one thread, given back on another (handed over
    /// in batches of 16, at most 64 in flight); time per object.
    ProducerConsumer,
    /// Take 64, then give back 64, on one thread; time per burst.
    Burst,
}

impl Scenario {
    pub const ALL: [Scenario; 4] =
        [Scenario::OneThread, Scenario::TwoThreads, Scenario::ProducerConsumer, Scenario::Burst];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::OneThread => "1-thread",
            Scenario::TwoThreads => "2-threads",
            Scenario::ProducerConsumer => "producer-consumer",
            Scenario::Burst => "burst-64",
        }
    }

    /// Objects taken and given back per iteration, over all threads (the
    /// two threads of `TwoThreads` each run every iteration).
    pub fn objects_all_threads(self) -> u64 {
        match self {
            Scenario::TwoThreads => 2,
            other => other.objects_per_iter(),
        }
    }

    /// Objects per iteration in the time a runner reports (a `TwoThreads`
    /// time is already per cycle over both threads).
    pub fn objects_per_iter(self) -> u64 {
        match self {
            Scenario::Burst => BURST as u64,
            _ => 1,
        }
    }
}

/// `n` single-thread cycles. Not inlined: every binary runs the same loop,
/// and callgrind's toggle wraps its caller.
#[inline(never)]
pub fn cycles<W: Workload, C: Contender<W>>(contender: &'static C, n: u64) {
    for _ in 0..n {
        let guard = contender.take();
        contender.give(guard);
    }
}

/// `n` bursts of [`BURST`] takes, then as many returns.
#[inline(never)]
pub fn bursts<W: Workload, C: Contender<W>>(contender: &'static C, held: &mut Vec<C::Guard>, n: u64) {
    for _ in 0..n {
        for _ in 0..BURST {
            held.push(contender.take());
        }
        for guard in held.drain(..) {
            contender.give(guard);
        }
    }
}

/// The producer/consumer hand-off: batches of [`HANDOFF`] guards travel in
/// reused `Vec`s, full ones one way and empty ones back, so the transport
/// costs little per object and allocates nothing: what is measured is the
/// pools' own cross-thread cost.
pub struct Handoff<G> {
    full: ArrayQueue<Vec<G>>,
    empty: ArrayQueue<Vec<G>>,
}

/// Guards per hand-off batch.
pub const HANDOFF: usize = 16;

impl<G> Handoff<G> {
    fn new() -> Self {
        let batches = IN_FLIGHT / HANDOFF;
        let (full, empty) = (ArrayQueue::new(batches), ArrayQueue::new(batches));
        for _ in 0..batches {
            assert!(empty.push(Vec::with_capacity(HANDOFF)).is_ok(), "room for every batch");
        }
        Self { full, empty }
    }
}

/// Pops from `queue`, yielding while it is empty.
fn pop_wait<G>(queue: &ArrayQueue<Vec<G>>) -> Vec<G> {
    loop {
        match queue.pop() {
            Some(batch) => return batch,
            None => thread::yield_now(),
        }
    }
}

/// Pushes to `queue` (never full: it has room for every batch).
fn push<G>(queue: &ArrayQueue<Vec<G>>, batch: Vec<G>) {
    assert!(queue.push(batch).is_ok(), "room for every batch");
}

/// `n` objects taken and filled, handed to the consumer in batches.
#[inline(never)]
fn produce<W: Workload, C: Contender<W>>(contender: &'static C, handoff: &Handoff<C::Guard>, n: u64) {
    let mut left = n;
    while left > 0 {
        let mut batch = pop_wait(&handoff.empty);
        let k = left.min(HANDOFF as u64);
        for _ in 0..k {
            batch.push(contender.take());
        }
        left -= k;
        push(&handoff.full, batch);
    }
}

/// `n` objects received and given back.
#[inline(never)]
fn consume<W: Workload, C: Contender<W>>(contender: &'static C, handoff: &Handoff<C::Guard>, n: u64) {
    let mut left = n;
    while left > 0 {
        let mut batch = pop_wait(&handoff.full);
        left -= batch.len() as u64;
        for guard in batch.drain(..) {
            contender.give(guard);
        }
        push(&handoff.empty, batch);
    }
}

// ------------------------------------------------------------------ workers

/// When a thread started and ended its share of an iteration batch.
type Span = (Instant, Instant);
type Job = Box<dyn FnMut(u64) + Send>;

/// Allocations the workers made while they ran their measured jobs (what
/// `peers_allocs` reports), counted by the global allocator of the bench
/// that installs `poolable_test_support::CountingAlloc`; zero under any other.
pub static MEASURED_ALLOCATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Long-lived threads that run one scenario of one contender on request,
/// all starting at a barrier. Spawning and channel traffic stay off the clock.
pub struct Runner {
    orders: Vec<Sender<u64>>,
    spans: Receiver<Span>,
    handles: Vec<JoinHandle<()>>,
    /// The reported time is the wall time divided by this (threads whose
    /// cycles add up, as in `engine`).
    divisor: u32,
}

impl Runner {
    fn spawn(jobs: Vec<Job>, divisor: u32) -> Self {
        let barrier = Arc::new(Barrier::new(jobs.len()));
        let (span_tx, spans) = channel();
        let mut orders = Vec::new();
        let mut handles = Vec::new();
        for mut job in jobs {
            let (order_tx, order_rx) = channel::<u64>();
            let (barrier, span_tx) = (Arc::clone(&barrier), span_tx.clone());
            handles.push(thread::spawn(move || {
                for iters in order_rx {
                    barrier.wait();
                    let allocations = poolable_test_support::counting::thread_allocations();
                    let start = Instant::now();
                    job(iters);
                    let end = Instant::now();
                    let allocations = poolable_test_support::counting::thread_allocations() - allocations;
                    MEASURED_ALLOCATIONS.fetch_add(allocations, std::sync::atomic::Ordering::Relaxed);
                    span_tx.send((start, end)).expect("runner is listening");
                }
            }));
            orders.push(order_tx);
        }
        Self { orders, spans, handles, divisor }
    }

    /// Runs `iters` iterations; the time criterion divides by `iters`.
    pub fn run(&self, iters: u64) -> Duration {
        for order in &self.orders {
            order.send(iters).expect("worker is alive");
        }
        let spans: Vec<Span> = self.spans.iter().take(self.orders.len()).collect();
        let start = spans.iter().map(|s| s.0).min().expect("one thread at least");
        let end = spans.iter().map(|s| s.1).max().expect("one thread at least");
        (end - start) / self.divisor
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.orders.clear();
        for handle in self.handles.drain(..) {
            handle.join().expect("worker panicked");
        }
    }
}

/// A runner for `scenario`, or `None` where the contender does not fit it.
fn runner<W: Workload, C: Contender<W>>(
    contender: &'static C,
    scenario: Scenario,
    thread_local_only: bool,
) -> Option<Runner> {
    Some(match scenario {
        Scenario::OneThread => Runner::spawn(vec![Box::new(move |n| cycles(contender, n))], 1),
        Scenario::TwoThreads => Runner::spawn(
            vec![Box::new(move |n| cycles(contender, n)), Box::new(move |n| cycles(contender, n))],
            2,
        ),
        Scenario::ProducerConsumer => {
            if thread_local_only {
                return None;
            }
            let handoff: &'static Handoff<C::Guard> = Box::leak(Box::new(Handoff::new()));
            Runner::spawn(
                vec![
                    Box::new(move |n| produce(contender, handoff, n)),
                    Box::new(move |n| consume(contender, handoff, n)),
                ],
                1,
            )
        }
        Scenario::Burst => {
            let mut held = Vec::with_capacity(BURST);
            Runner::spawn(vec![Box::new(move |n| bursts(contender, &mut held, n))], 1)
        }
    })
}

// ------------------------------------------------------------ the contenders

/// What a contender gives up, for the report.
pub struct About {
    pub name: &'static str,
    pub what: &'static str,
}

/// A contender of one workload: its name, a runner per scenario, and its
/// single-thread loop (for callgrind).
pub struct Entry {
    pub name: &'static str,
    pub runner: Box<dyn Fn(Scenario) -> Option<Runner>>,
    pub single: Box<dyn Fn(u64)>,
    /// Takes `n` objects at once on a short-lived thread, then returns them
    /// (a thread cache's share reaches the shared store at the thread's exit).
    pub populate: Box<dyn Fn(usize)>,
}

fn entry<W: Workload, C: Contender<W>>(name: &'static str, contender: C, thread_local_only: bool) -> Entry {
    let contender: &'static C = Box::leak(Box::new(contender));
    Entry {
        name,
        runner: Box::new(move |scenario| runner(contender, scenario, thread_local_only)),
        single: Box::new(move |n| cycles(contender, n)),
        populate: Box::new(move |n| {
            thread::scope(|scope| {
                scope.spawn(|| {
                    let held: Vec<C::Guard> = (0..n).map(|_| contender.take()).collect();
                    held.into_iter().for_each(|guard| contender.give(guard));
                });
            });
        }),
    }
}

/// Contender names, in table order.
pub const NAMES: [&str; 10] = [
    "poolable",
    "poolable-pool",
    "lockfree-object-pool",
    "object-pool",
    "sharded-slab",
    "opool",
    "crossbeam-arrayqueue",
    "mutex-vec",
    "box",
    "floor",
];

/// Contenders that are poolable itself or references, not peers.
pub fn is_peer(name: &str) -> bool {
    !matches!(name, "poolable" | "poolable-pool" | "floor")
}

/// Every contender for workload `W`, in [`NAMES`] order. Each pool is built
/// once (leaked: pools live for the program, as `static`s do).
pub fn contenders<W: Workload>() -> Vec<Entry> {
    vec![
        entry::<W, _>("poolable", Derived, false),
        entry::<W, _>(
            "poolable-pool",
            HandBuilt(Pool::with_config(Plain::make, PoolConfig::new("peers_hand_built"))),
            false,
        ),
        entry::<W, _>(
            "lockfree-object-pool",
            Lockfree(lockfree_object_pool::LinearObjectPool::new(W::make, W::reset)),
            false,
        ),
        entry::<W, _>("object-pool", ObjectPool(object_pool::Pool::new(0, W::make)), false),
        entry::<W, _>("sharded-slab", ShardedSlab(sharded_slab::Pool::new()), false),
        entry::<W, _>("opool", Opool(opool::Pool::new(BOUND, OpoolAlloc)), false),
        entry::<W, _>("crossbeam-arrayqueue", QueuePool(ArrayQueue::new(BOUND)), false),
        entry::<W, _>("mutex-vec", MutexPool(Mutex::new(Vec::new())), false),
        entry::<W, _>("box", Alloc, false),
        entry::<W, _>("floor", Floor, true),
    ]
}

/// Every workload's contenders, by workload name.
pub fn workloads() -> Vec<(&'static str, Vec<Entry>)> {
    vec![
        (Request::NAME, contenders::<Request>()),
        (Buffer::NAME, contenders::<Buffer>()),
        (Small::NAME, contenders::<Small>()),
    ]
}
