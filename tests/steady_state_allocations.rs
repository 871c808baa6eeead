//! At steady state a take/return cycle allocates nothing: counted by a global
//! allocator that tallies every allocation this test binary makes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;

use poolable::{Pool, PoolConfig, Pooled, Reset};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call unchanged to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Default)]
struct Request {
    path: String,
    headers: Vec<String>,
    body: Vec<u8>,
    id: u64,
    trace: Option<String>,
}

impl Reset for Request {
    fn reset(&mut self) {
        self.path.reset();
        self.headers.reset();
        self.body.reset();
        self.id.reset();
        self.trace.reset();
    }
    fn retained_bytes(&self) -> usize {
        self.path.retained_bytes() + self.headers.retained_bytes() + self.body.retained_bytes()
    }
}

fn cycle(pool: &'static Pool<Request>, i: u64) {
    let mut request = pool.get();
    request.body.extend_from_slice(&[1; 256]);
    request.id = i;
    std::hint::black_box(&request.body[255]);
}

// One test function: the counter is process-wide, so phases run one after another.
#[test]
fn steady_state_cycles_allocate_nothing() {
    static POOL: Pool<Request> = Pool::with_config(Request::default, PoolConfig::new("alloc_free"));

    // Single thread: warm up, then count.
    for i in 0..1_000 {
        cycle(&POOL, i);
    }
    let before = ALLOCATIONS.load(Relaxed);
    for i in 0..100_000 {
        cycle(&POOL, i);
    }
    assert_eq!(ALLOCATIONS.load(Relaxed) - before, 0, "allocations in 100,000 single-thread cycles");

    // Bursts: 64 out at once, returned in a batch, spilling to the shared store.
    let mut burst: Vec<Pooled<Request>> = Vec::with_capacity(64);
    for _ in 0..3 {
        burst.extend((0..64).map(|_| POOL.get()));
        burst.clear();
    }
    let before = ALLOCATIONS.load(Relaxed);
    for _ in 0..1_000 {
        burst.extend((0..64).map(|_| POOL.get()));
        burst.clear();
    }
    assert_eq!(ALLOCATIONS.load(Relaxed) - before, 0, "allocations in 64,000 burst cycles");

    // Producer/consumer: taken on one thread, returned on another; the
    // channel is preallocated (sync_channel) and the threads exist already.
    let (to_consumer, from_producer) = mpsc::sync_channel::<Pooled<Request>>(256);
    let (start_tx, start_rx) = mpsc::sync_channel::<u64>(4);
    let (done_tx, done_rx) = mpsc::sync_channel::<()>(4);
    let consumer = thread::spawn(move || {
        for request in from_producer {
            drop(request);
        }
    });
    let producer = thread::spawn(move || {
        for rounds in start_rx {
            for i in 0..rounds {
                let mut request = POOL.get();
                request.id = i;
                to_consumer.send(request).unwrap();
            }
            done_tx.send(()).unwrap();
        }
    });
    start_tx.send(20_000).unwrap();
    done_rx.recv().unwrap();
    let before = ALLOCATIONS.load(Relaxed);
    start_tx.send(100_000).unwrap();
    done_rx.recv().unwrap();
    let during = ALLOCATIONS.load(Relaxed) - before;
    drop(start_tx);
    producer.join().unwrap();
    consumer.join().unwrap();
    assert_eq!(during, 0, "allocations in 100,000 producer/consumer cycles");
}
