//! Generic pooled types (one pool per instantiation, each with its own
//! counts, objects and metrics series) and enums (a reset gives what
//! `Default` gives, in place for the default variant).

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::Barrier;

use poolable::{Poolable, Reset};

use poolable_test_support::counting as counting_alloc;

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc(std::alloc::System);

#[derive(Reset, Debug, Default, Clone, PartialEq)]
struct Table {
    name: String,
}

#[derive(Reset, Debug, Default, Clone, PartialEq)]
struct ApiError {
    code: u16,
}

/// The envelope.
#[derive(Poolable, Default, Debug)]
#[pool(name = "page")]
struct Page<T> {
    items: Vec<T>,
    next_page_token: Option<String>,
}

#[derive(Poolable)]
#[pool(new = Self::new)]
struct Fixed<const N: usize> {
    slots: [u32; N],
}

impl<const N: usize> Fixed<N> {
    fn new() -> Self {
        Fixed { slots: [0; N] }
    }
}

// ---------------------------------------------------------------------------
// Generic types: one pool per instantiation
// ---------------------------------------------------------------------------

#[test]
fn instantiations_never_share_objects() {
    let mut tables = Page::<Table>::pooled();
    tables.items.reserve(64);
    let tables_at = tables.items.as_ptr() as usize;
    drop(tables);
    // Another instantiation misses: it cannot be handed the `Table` page.
    let errors = Page::<ApiError>::pooled();
    assert!(errors.items.capacity() < 64);
    drop(errors);
    let tables = Page::<Table>::pooled();
    assert_eq!((tables.items.as_ptr() as usize, tables.items.capacity() >= 64), (tables_at, true));
    assert!(!std::ptr::eq(
        Page::<Table>::pool() as *const _ as *const u8,
        Page::<ApiError>::pool() as *const _ as *const u8
    ));
}

/// After a thread's first use, a take and return of a generic type's
/// object allocate nothing (its pool is found in the thread's list).
#[test]
fn generic_hits_allocate_nothing() {
    let mut page = Page::<String>::pooled();
    page.items.reserve(8);
    drop(page);
    let allocations = counting_alloc::on_this_thread(|| {
        for _ in 0..100 {
            let mut page = Page::<String>::pooled();
            page.next_page_token = None;
            drop(page);
        }
    });
    assert_eq!(allocations, 0);
}

#[test]
fn instantiations_never_share_counts() {
    #[derive(Poolable, Default)]
    struct Counted<T> {
        value: Vec<T>,
    }
    for _ in 0..3 {
        drop(Counted::<u8>::pooled());
    }
    drop(Counted::<u16>::pooled());
    let (bytes, words) = (Counted::<u8>::pool().stats(), Counted::<u16>::pool().stats());
    assert_eq!((bytes.misses, bytes.hits, bytes.returns), (1, 2, 3));
    assert_eq!((words.misses, words.hits, words.returns), (1, 0, 1));
}

/// A stress test of the process-wide table: 8 threads race, from a
/// barrier, to the first use of 16 instantiations at once; each must end
/// with one pool, whichever thread made it, holding every thread's counts.
#[test]
fn each_instantiation_is_one_pool_across_threads() {
    #[derive(Poolable, Default)]
    struct Raced<const N: usize> {
        value: Vec<u8>,
    }
    fn race<const N: usize>() -> usize {
        let pool = Raced::<N>::pool() as *const _ as usize;
        drop(Raced::<N>::pooled());
        pool
    }
    macro_rules! all {
        ($($n:literal)*) => {
            vec![$(race::<$n>()),*]
        };
    }
    const THREADS: u64 = 8;
    let barrier = Barrier::new(THREADS as usize);
    let seen: HashSet<Vec<usize>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    all!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
                })
            })
            .collect();
        threads.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    assert_eq!(seen.len(), 1, "every thread finds the same pool of each instantiation");
    let pools = seen.into_iter().next().unwrap();
    assert_eq!(pools.iter().collect::<HashSet<_>>().len(), 16, "one pool per instantiation");
    let stats = Raced::<7>::pool().stats();
    assert_eq!((stats.hits + stats.misses, stats.returns), (THREADS, THREADS));
}

/// A thread that alternates between instantiations finds each pool and
/// cache in its own lists: still no allocation.
#[test]
fn alternating_instantiations_allocate_nothing() {
    drop(Page::<i32>::pooled());
    drop(Page::<i64>::pooled());
    let allocations = counting_alloc::on_this_thread(|| {
        for _ in 0..100 {
            drop(Page::<i32>::pooled());
            drop(Page::<i64>::pooled());
            let (a, b) = (Page::<i32>::pooled(), Page::<i64>::pooled());
            drop(a);
            drop(b);
        }
    });
    assert_eq!(allocations, 0);
    assert_eq!(Page::<i32>::pool().stats().misses, 1);
    assert_eq!(Page::<i64>::pool().stats().misses, 1);
}

/// A pool of an instantiation built by hand is a second pool of the type:
/// it shares no objects or counts with the type's own, on any path.
#[test]
fn a_hand_built_pool_of_an_instantiation_is_its_own() {
    static SECOND: poolable::Pool<Page<u64>> = poolable::Pool::new(Page::<u64>::default);
    let mut page = SECOND.get();
    page.items.reserve(32);
    let at = page.items.as_ptr() as usize;
    drop(page);
    let own = Page::<u64>::pooled();
    assert!(own.items.capacity() < 32, "the type's own pool has not seen it");
    drop(own);
    let again = SECOND.get();
    assert_eq!(again.items.as_ptr() as usize, at);
    drop(again);
    let (second, own) = (SECOND.stats(), Page::<u64>::pool().stats());
    assert_eq!((second.misses, second.hits, second.returns), (1, 1, 2));
    assert_eq!((own.misses, own.hits, own.returns), (1, 0, 1));
    assert_eq!((SECOND.local_idle(), Page::<u64>::pool().local_idle()), (1, 1));
}

static EXIT_LIVE: AtomicI64 = AtomicI64::new(0);

/// Counts the objects alive.
struct ExitToken;

impl Default for ExitToken {
    fn default() -> Self {
        EXIT_LIVE.fetch_add(1, SeqCst);
        ExitToken
    }
}

impl Drop for ExitToken {
    fn drop(&mut self) {
        EXIT_LIVE.fetch_sub(1, SeqCst);
    }
}

#[derive(Poolable, Default)]
#[pool(name = "exiting")]
struct Exiting<T> {
    items: Vec<T>,
    #[pool(skip)]
    _token: ExitToken,
}

thread_local! {
    /// Takes and returns objects of the type from its destructor.
    static USES_AT_EXIT: UsesAtExit = const { UsesAtExit };
}

struct UsesAtExit;

impl Drop for UsesAtExit {
    fn drop(&mut self) {
        for _ in 0..2 {
            let mut object = Exiting::<u16>::pooled();
            assert!(object.items.is_empty(), "a reused object arrives reset, even at exit");
            object.items.push(7);
        }
    }
}

/// A thread's caches of a generic type's instantiations are handed back
/// when it exits (by the exit hook of the type's thread-local), also those
/// of a type used by a thread-local destructor that runs after the hook.
#[test]
fn a_generic_types_caches_are_handed_back_at_thread_exit() {
    std::thread::spawn(|| {
        // Registered before the hook, so destroyed after it: its takes and
        // returns find the caches closed, and go to the shared stores.
        USES_AT_EXIT.with(|_| {});
        for _ in 0..3 {
            let (a, b, c) = (Exiting::<u8>::pooled(), Exiting::<u16>::pooled(), Exiting::<u8>::pooled());
            drop((a, b, c));
        }
        assert_eq!((Exiting::<u8>::pool().local_idle(), Exiting::<u16>::pool().local_idle()), (2, 1));
    })
    .join()
    .unwrap();
    let (bytes, words) = (Exiting::<u8>::pool(), Exiting::<u16>::pool());
    for pool in [bytes.stats(), words.stats()] {
        assert_eq!(pool.in_use, 0, "{pool:?}");
        assert_eq!(pool.hits + pool.misses, pool.returns + pool.discards, "{pool:?}");
    }
    assert_eq!(bytes.shared_idle() as u64, bytes.stats().idle, "every idle object is back in the store");
    assert_eq!(words.shared_idle() as u64, words.stats().idle, "every idle object is back in the store");
    assert_eq!(EXIT_LIVE.load(SeqCst), (bytes.stats().idle + words.stats().idle) as i64);
    assert!(words.stats().hits >= 4, "the uses at exit were served: {:?}", words.stats());
    bytes.clear();
    words.clear();
    assert_eq!(EXIT_LIVE.load(SeqCst), 0, "nothing stranded in the exited thread's caches");
}

#[test]
fn labels_tell_instantiations_apart() {
    assert_eq!(Page::<Table>::pool().name(), "page<Table>");
    assert_eq!(Page::<Vec<ApiError>>::pool().name(), "page<Vec<ApiError>>");
    assert_eq!(Fixed::<4>::pool().name(), "Fixed<4>");
    drop(Page::<Table>::pooled());
    drop(Page::<Vec<ApiError>>::pooled());
    drop(Fixed::<4>::pooled());
    drop(Fixed::<8>::pooled());
    let names: Vec<String> = poolable::pools().into_iter().map(|pool| pool.name).collect();
    for label in ["page<Table>", "page<Vec<ApiError>>", "Fixed<4>", "Fixed<8>"] {
        assert_eq!(names.iter().filter(|name| *name == label).count(), 1, "{label} in {names:?}");
    }
}

#[cfg(feature = "prometheus")]
#[test]
fn metrics_series_are_distinct_per_instantiation() {
    use poolable::metrics::prometheus::{Encoder, Registry, TextEncoder};

    #[derive(Poolable, Default)]
    #[pool(name = "scraped")]
    struct Scraped<T> {
        value: Vec<T>,
    }
    drop(Scraped::<u8>::pooled());
    drop(Scraped::<u8>::pooled());
    drop(Scraped::<Table>::pooled());
    let registry = Registry::new();
    poolable::metrics::register(&registry).unwrap();
    let mut text = Vec::new();
    TextEncoder::new().encode(&registry.gather(), &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("pool_hits_total{pool=\"scraped<u8>\"} 1"), "{text}");
    assert!(text.contains("pool_hits_total{pool=\"scraped<Table>\"} 0"), "{text}");
    assert!(text.contains("pool_misses_total{pool=\"scraped<Table>\"} 1"), "{text}");
}

// ---------------------------------------------------------------------------
// Enums: a reset gives `Default`
// ---------------------------------------------------------------------------

#[derive(Reset, Default, Debug, PartialEq, Clone)]
enum Body {
    #[default]
    Empty,
    Json(Vec<u8>),
    Text(String),
}

/// A default variant with fields, one of which the default sets.
#[derive(Reset, Debug, PartialEq, Clone)]
enum Status {
    Ok { code: u16, message: String, tags: Vec<String> },
    Failed(#[pool(default)] Option<u16>, String),
    Unknown,
}

impl Default for Status {
    fn default() -> Self {
        Status::Ok { code: 200, message: "OK".to_owned(), tags: Vec::new() }
    }
}

#[test]
fn every_variant_resets_to_default() {
    let bodies = [Body::Empty, Body::Json(b"{}".to_vec()), Body::Text("hello".to_owned())];
    for mut body in bodies {
        body.reset();
        assert_eq!(body, Body::default());
    }
    let statuses = [
        Status::Ok { code: 404, message: "Not Found".to_owned(), tags: vec!["a".to_owned()] },
        Status::Ok { code: 200, message: String::new(), tags: Vec::new() },
        Status::Failed(Some(3), "boom".to_owned()),
        Status::Unknown,
    ];
    for mut status in statuses {
        status.reset();
        assert_eq!(status, Status::default());
    }
}

#[test]
fn a_default_variant_keeps_its_allocations() {
    let mut status =
        Status::Ok { code: 500, message: String::with_capacity(256), tags: Vec::with_capacity(32) };
    if let Status::Ok { message, tags, .. } = &mut status {
        message.push_str("Internal Server Error");
        tags.push("retry".to_owned());
    }
    let (message_at, tags_at) = match &status {
        Status::Ok { message, tags, .. } => (message.as_ptr() as usize, tags.as_ptr() as usize),
        _ => unreachable!(),
    };
    status.reset();
    assert_eq!(status, Status::default());
    match &status {
        Status::Ok { message, tags, .. } => {
            assert_eq!((message.as_ptr() as usize, message.capacity() >= 256), (message_at, true));
            assert_eq!((tags.as_ptr() as usize, tags.capacity() >= 32), (tags_at, true));
        }
        _ => unreachable!(),
    }
}

#[test]
fn retained_bytes_count_the_current_variant() {
    assert_eq!(Body::Empty.retained_bytes(), 0);
    assert_eq!(Body::Json(Vec::with_capacity(100)).retained_bytes(), 100);
    assert_eq!(Body::Text(String::with_capacity(7)).retained_bytes(), 7);
}

#[derive(Poolable, Default)]
struct Response {
    status: u16,
    body: Body,
    outcome: Status,
}

#[derive(Poolable, Default, Debug, PartialEq)]
enum Message {
    #[default]
    Ping,
    Data {
        bytes: Vec<u8>,
        seq: u64,
    },
}

#[test]
fn pooled_enums_and_enum_fields_come_back_as_default() {
    let mut response = Response::pooled();
    response.status = 201;
    response.body = Body::Text("created".to_owned());
    response.outcome = Status::Failed(Some(1), "x".to_owned());
    drop(response);
    let response = Response::pooled();
    assert_eq!((response.status, &response.body, &response.outcome), (0, &Body::Empty, &Status::default()));
    drop(response);

    let mut message = Message::pooled();
    *message = Message::Data { bytes: vec![1, 2], seq: 3 };
    drop(message);
    assert_eq!(*Message::pooled(), Message::Ping);
    assert_eq!(Message::pool().stats().hits, 1);
}
