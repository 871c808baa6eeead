//! At steady state a take/return cycle allocates nothing: counted by a global
//! allocator that tallies every allocation this test binary makes.
//!
//! Runs without libtest's harness (`harness = false`): the harness's own
//! thread allocates while a test runs, which a process-wide count would see.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::thread;

use poolable::{Pool, PoolConfig, Poolable, Pooled};

use poolable_test_support::counting as counting_alloc;

use counting_alloc::{CountingAlloc, ALLOCATIONS};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

const QUEUE: usize = 256;

/// Derived: its pool reaches the thread's cache through the type's own
/// thread-local slot. `HAND_BUILT` pools the same type through the engine's
/// generic per-thread table; both paths are counted.
#[derive(Default, Poolable)]
#[pool(name = "alloc_free")]
struct Request {
    path: String,
    headers: Vec<String>,
    body: Vec<u8>,
    id: u64,
    trace: Option<String>,
}

static HAND_BUILT: Pool<Request> =
    Pool::with_config(Request::default, PoolConfig::new("alloc_free_hand_built"));

fn cycle(take: fn() -> Pooled<Request>, i: u64) {
    let mut request = take();
    request.body.extend_from_slice(&[1; 256]);
    request.id = i;
    std::hint::black_box(&request.body[255]);
}

fn main() {
    // Single thread, both paths: warm up, then count.
    for (path, take) in
        [("derived", Request::pooled as fn() -> Pooled<Request>), ("hand-built", || HAND_BUILT.get())]
    {
        for i in 0..1_000 {
            cycle(take, i);
        }
        let before = ALLOCATIONS.load(Relaxed);
        for i in 0..100_000 {
            cycle(take, i);
        }
        let during = ALLOCATIONS.load(Relaxed) - before;
        assert_eq!(during, 0, "allocations in 100,000 single-thread cycles ({path})");
    }
    const TAKE: fn() -> Pooled<Request> = Request::pooled;

    // Bursts: 64 out at once, returned in a batch, spilling to the shared store.
    let mut burst: Vec<Pooled<Request>> = Vec::with_capacity(64);
    for _ in 0..3 {
        burst.extend((0..64).map(|_| TAKE()));
        burst.clear();
    }
    let before = ALLOCATIONS.load(Relaxed);
    for _ in 0..1_000 {
        burst.extend((0..64).map(|_| TAKE()));
        burst.clear();
    }
    assert_eq!(ALLOCATIONS.load(Relaxed) - before, 0, "allocations in 64,000 burst cycles");

    // Producer/consumer: taken on one thread, returned on another. The
    // hand-off is a preallocated queue under a mutex with yielding waits, and
    // the phases are driven by atomics: unlike std's channels, whose waker
    // lists grow the first time a thread blocks, none of it allocates.
    // Steady state: the pool already holds more objects than can be in flight
    // at once (queue 256 + both threads' caches), so no take ever misses,
    // however the two threads happen to be scheduled.
    drop((0..512).map(|_| TAKE()).collect::<Vec<_>>());
    let queue: &'static Mutex<VecDeque<Pooled<Request>>> =
        Box::leak(Box::new(Mutex::new(VecDeque::with_capacity(QUEUE))));
    static PHASE: AtomicU64 = AtomicU64::new(0); // 0 warm-up, 1 measured, 2 done
    static PRODUCED: AtomicU64 = AtomicU64::new(0);
    static STOP: AtomicBool = AtomicBool::new(false);
    let consumer = thread::spawn(move || loop {
        let next = queue.lock().unwrap().pop_front();
        match next {
            Some(request) => drop(request),
            None if STOP.load(SeqCst) => break,
            None => thread::yield_now(),
        }
    });
    let producer = thread::spawn(move || {
        for rounds in [20_000, 100_000] {
            for i in 0..rounds {
                let mut request = TAKE();
                request.id = i;
                let mut request = Some(request);
                while let Some(r) = request.take() {
                    let mut q = queue.lock().unwrap();
                    if q.len() < QUEUE {
                        q.push_back(r);
                    } else {
                        drop(q);
                        request = Some(r);
                        thread::yield_now();
                    }
                }
            }
            PRODUCED.fetch_add(1, SeqCst);
            while PRODUCED.load(SeqCst) == 1 && PHASE.load(SeqCst) == 0 {
                thread::yield_now();
            }
        }
        // Alive until the count is read: a thread's exit hands its cache and
        // tally back, which may allocate, and is not steady state.
        while PHASE.load(SeqCst) < 2 {
            thread::yield_now();
        }
    });
    while PRODUCED.load(SeqCst) < 1 {
        thread::yield_now();
    }
    let before = ALLOCATIONS.load(Relaxed);
    PHASE.store(1, SeqCst);
    while PRODUCED.load(SeqCst) < 2 {
        thread::yield_now();
    }
    let during = ALLOCATIONS.load(Relaxed) - before;
    PHASE.store(2, SeqCst);
    STOP.store(true, SeqCst);
    producer.join().unwrap();
    consumer.join().unwrap();
    assert_eq!(during, 0, "allocations in 100,000 producer/consumer cycles");
    println!(
        "steady state: 0 allocations in 2 x 100,000 single-thread (derived, hand-built), 64,000 burst and 100,000 producer/consumer cycles"
    );
}
