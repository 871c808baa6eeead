//! A reused object equals a fresh one, whatever its constructor sets: a
//! hand-written `Default` with non-zero scalars and non-empty strings, a
//! `new = f` constructor, nested derived types, `#[pool(default)]` fields,
//! a hand-built pool. `skip` fields are left as they are. Restoring keeps
//! allocations: no allocation when capacity suffices (counted per thread).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use poolable::{Pool, Poolable, RecycleOption, RecycleVec, Reset};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// A per-thread allocation count (tests run on several threads at once)
// ---------------------------------------------------------------------------

use poolable_test_support::counting as counting_alloc;

use counting_alloc::CountingAlloc;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc(std::alloc::System);

// ---------------------------------------------------------------------------
// The example, and more of what builders set in `Default`
// ---------------------------------------------------------------------------

#[derive(Reset, Debug, PartialEq, Clone)]
struct Paging {
    page_size: u32,
    cursor: String,
    descending: bool,
}

impl Default for Paging {
    fn default() -> Self {
        Paging { page_size: 50, cursor: String::new(), descending: false }
    }
}

#[derive(Poolable, Debug, PartialEq)]
#[pool(name = "exact_resp")]
struct Resp {
    status: u16,
    format_version: u8,
    enabled: bool,
    ratio: f64,
    content_type: String,
    body: Vec<u8>,
    page_size: Option<u32>,
    warnings: Vec<String>,
    headers: HashMap<String, String>,
    paging: Paging,
    boxed: Box<Paging>,
    #[pool(default)]
    kind: &'static str,
    #[pool(skip)]
    region: &'static str,
}

impl Default for Resp {
    fn default() -> Self {
        Resp {
            status: 200,
            format_version: 2,
            enabled: true,
            ratio: 1.5,
            content_type: "application/json".to_owned(),
            body: Vec::new(),
            page_size: Some(100),
            warnings: vec!["deprecated".to_owned()],
            headers: HashMap::new(),
            // Not `Paging::default()`: the parent's constructor decides.
            paging: Paging { page_size: 25, cursor: "start".to_owned(), descending: true },
            boxed: Box::new(Paging::default()),
            kind: "table",
            region: "eu-west-1",
        }
    }
}

/// Writes something other than the fresh value into every field.
fn scribble(resp: &mut Resp, n: u32) {
    resp.status = 500 + n as u16;
    resp.format_version = 9;
    resp.enabled = false;
    resp.ratio = -0.0;
    resp.content_type.clear();
    resp.content_type.push_str("text/plain; charset=utf-8");
    resp.body.extend_from_slice(b"{\"secret\":true}");
    resp.page_size = None;
    resp.warnings.clear();
    resp.warnings.push(format!("user {n}"));
    resp.warnings.push("second".to_owned());
    resp.headers.insert("x-user".to_owned(), n.to_string());
    resp.paging.page_size = n;
    resp.paging.cursor.push_str("user cursor");
    resp.paging.descending = false;
    resp.boxed.page_size = 7;
    resp.boxed.cursor.push_str("boxed cursor");
    resp.kind = "view";
}

#[test]
fn a_reused_object_equals_a_fresh_one() {
    let first = Resp::pooled();
    assert_eq!(*first, Resp::default(), "a miss is a fresh object");
    drop(first);
    for n in 0..3 {
        let mut resp = Resp::pooled();
        assert_eq!(*resp, Resp::default(), "reuse {n}");
        scribble(&mut resp, n);
    }
    let stats = Resp::pool().stats();
    assert!(stats.hits >= 3, "{stats:?}");
}

#[test]
fn skip_fields_are_left_as_they_are() {
    #[derive(Poolable, Debug)]
    #[pool(name = "exact_skip")]
    struct Sticky {
        status: u16,
        #[pool(skip)]
        uses: u32,
    }
    impl Default for Sticky {
        fn default() -> Self {
            Sticky { status: 200, uses: 0 }
        }
    }
    for n in 0..5 {
        let mut sticky = Sticky::pooled();
        assert_eq!(sticky.status, 200);
        assert_eq!(sticky.uses, n, "a skipped field keeps what the previous user left");
        sticky.uses += 1;
        sticky.status = 404;
    }
}

#[test]
fn restoring_keeps_allocations() {
    let mut resp = Resp::pooled();
    scribble(&mut resp, 1);
    let content_type = resp.content_type.as_ptr();
    let body = resp.body.as_ptr();
    let cursor = resp.paging.cursor.as_ptr();
    drop(resp);
    let resp = Resp::pooled();
    assert_eq!(resp.content_type.as_ptr(), content_type, "the string's own buffer");
    assert_eq!(resp.body.as_ptr(), body);
    assert_eq!(resp.paging.cursor.as_ptr(), cursor);
    assert_eq!(*resp, Resp::default());
}

#[test]
fn a_return_restores_without_allocating_when_capacity_suffices() {
    #[derive(Poolable, Debug, PartialEq)]
    #[pool(name = "exact_alloc_free")]
    struct Builder {
        status: u16,
        content_type: String,
        page_size: Option<u32>,
        paging: Paging,
        boxed: Box<Paging>,
        // Non-empty defaults of elements with heap: the recycling
        // collections restore them in place (a plain `Vec<String>` or
        // `Option<String>` would be reset on return, freeing the strings,
        // then copied anew from the template).
        tags: RecycleVec<String>,
        owner: RecycleOption<String>,
        body: Vec<u8>,
    }
    impl Default for Builder {
        fn default() -> Self {
            Builder {
                status: 200,
                content_type: "application/json".to_owned(),
                page_size: Some(100),
                paging: Paging { page_size: 25, cursor: "start".to_owned(), descending: true },
                boxed: Box::new(Paging { page_size: 5, cursor: "boxed".to_owned(), descending: false }),
                tags: RecycleVec::from(vec!["default".to_owned()]),
                owner: RecycleOption::some("nobody".to_owned()),
                body: Vec::new(),
            }
        }
    }
    let fill = |builder: &mut Builder| {
        builder.status = 201;
        builder.content_type.clear();
        builder.content_type.push_str("application/x-ndjson");
        builder.page_size = Some(7);
        builder.paging.cursor.push_str("-next-page");
        builder.boxed.cursor.push_str("-next");
        builder.tags[0].push_str("-changed");
        builder.owner.as_mut().expect("as made").push_str("-else");
        builder.tags.add().push_str("added");
        builder.body.extend_from_slice(&[7; 300]);
    };
    // Warm this thread: its cache, its template, the strings' capacity.
    for _ in 0..3 {
        fill(&mut Builder::pooled());
    }
    let count = counting_alloc::on_this_thread(|| {
        for _ in 0..100 {
            let mut builder = Builder::pooled();
            // Field by field: a `Builder::default()` to compare with would allocate.
            assert_eq!((builder.status, builder.content_type.as_str()), (200, "application/json"));
            assert_eq!((builder.page_size, builder.paging.page_size), (Some(100), 25));
            assert_eq!((builder.paging.cursor.as_str(), builder.paging.descending), ("start", true));
            assert_eq!((builder.boxed.page_size, builder.boxed.cursor.as_str()), (5, "boxed"));
            assert_eq!((builder.tags.len(), builder.tags[0].as_str()), (1, "default"));
            assert_eq!(builder.owner.as_ref().map(String::as_str), Some("nobody"));
            assert!(builder.body.is_empty() && builder.body.capacity() >= 300, "capacity kept");
            fill(&mut builder);
        }
    });
    assert_eq!(count, 0, "a restore writes into the object's own allocations");
}

#[test]
fn new_constructor_values_come_back() {
    fn open_orders() -> Orders {
        Orders { state: "open", limit: 20, owner: "nobody".to_owned(), ids: Vec::new() }
    }
    #[derive(Poolable, Debug, PartialEq)]
    #[pool(name = "exact_new", new = open_orders)]
    struct Orders {
        #[pool(default)]
        state: &'static str,
        limit: u32,
        owner: String,
        ids: Vec<u64>,
    }
    for n in 0..4 {
        let mut orders = Orders::pooled();
        assert_eq!(*orders, open_orders(), "use {n}");
        orders.state = "closed";
        orders.limit = 0;
        orders.owner.clear();
        orders.owner.push_str("someone else");
        orders.ids.extend([1, 2, 3]);
    }
}

#[test]
fn a_hand_built_pool_restores_its_constructor_values() {
    static GREETINGS: Pool<String> = Pool::new(|| "hello".to_owned());
    for _ in 0..3 {
        let mut greeting = GREETINGS.get();
        assert_eq!(*greeting, "hello");
        greeting.push_str(", world");
    }
    static COUNTS: Pool<(u32, bool)> = Pool::new(|| (7, true));
    for _ in 0..3 {
        let mut count = COUNTS.get();
        assert_eq!(*count, (7, true));
        *count = (0, false);
    }
}

/// How often the constructor runs: once per miss for a type whose fresh
/// state is its reset state; once more per thread (the template) otherwise.
#[test]
fn the_constructor_runs_once_per_miss_and_once_per_thread_for_the_template() {
    static ZERO_MADE: AtomicUsize = AtomicUsize::new(0);
    static SET_MADE: AtomicUsize = AtomicUsize::new(0);
    fn zero() -> Zero {
        ZERO_MADE.fetch_add(1, Relaxed);
        Zero { n: 0, text: String::new() }
    }
    fn set() -> Set {
        SET_MADE.fetch_add(1, Relaxed);
        Set { n: 3, text: String::new() }
    }
    #[derive(Poolable)]
    #[pool(name = "exact_zero_made", new = zero)]
    struct Zero {
        n: u32,
        text: String,
    }
    #[derive(Poolable)]
    #[pool(name = "exact_set_made", new = set)]
    struct Set {
        n: u32,
        text: String,
    }
    for _ in 0..100 {
        Zero::pooled().n = 1;
        Set::pooled().n = 1;
    }
    // A debug build's reset check makes one more, to compare a return with.
    let checked = usize::from(cfg!(debug_assertions));
    assert_eq!(ZERO_MADE.load(Relaxed), 1 + checked, "one miss, then reset alone");
    assert_eq!(SET_MADE.load(Relaxed), 2, "one miss and this thread's template");
    std::thread::spawn(|| {
        for _ in 0..10 {
            assert_eq!(Set::pooled().n, 3);
        }
    })
    .join()
    .unwrap();
    // The other thread missed once (its cache was empty) and made its own
    // template.
    assert_eq!(SET_MADE.load(Relaxed), 4);
}

/// A non-empty default collection of elements that are not `Clone` cannot
/// be restored in place: the object is replaced by a new one, still equal.
#[test]
fn a_field_that_cannot_be_restored_in_place_is_replaced() {
    #[derive(Debug, PartialEq)]
    struct Token(u32); // neither `Clone` nor `Reset`
    #[derive(Poolable, Debug, PartialEq)]
    #[pool(name = "exact_replaced")]
    struct Holder {
        tokens: Vec<Token>,
        status: u16,
    }
    impl Default for Holder {
        fn default() -> Self {
            Holder { tokens: vec![Token(1)], status: 200 }
        }
    }
    for _ in 0..3 {
        let mut holder = Holder::pooled();
        assert_eq!(*holder, Holder::default());
        holder.tokens.push(Token(2));
        holder.status = 0;
    }
}

/// A `#[pool(default)]` field of a type that is `Clone` but not `PartialEq`
/// (the pool cannot compare it with its `Default`, so it restores it).
#[test]
fn a_default_field_without_partial_eq_comes_back_as_constructed() {
    #[derive(Clone, Default, Debug)]
    struct Config {
        retries: u8,
        region: String,
    }
    #[derive(Poolable, Debug)]
    #[pool(name = "exact_clone_only")]
    struct Client {
        #[pool(default)]
        config: Config,
        calls: u32,
    }
    impl Default for Client {
        fn default() -> Self {
            Client { config: Config { retries: 3, region: "eu".to_owned() }, calls: 0 }
        }
    }
    for _ in 0..3 {
        let mut client = Client::pooled();
        assert_eq!((client.config.retries, client.config.region.as_str(), client.calls), (3, "eu", 0));
        client.config.retries = 0;
        client.config.region.clear();
        client.calls = 9;
    }
}

/// A generic `#[derive(Reset)]` type's `#[pool(default)]` field (the probes
/// cannot see into a generic type) in a hand-built pool.
#[test]
fn a_generic_default_field_comes_back_as_constructed() {
    #[derive(Reset, Debug)]
    struct Limits<T: Default> {
        #[pool(default)]
        page_size: T,
        seen: u32,
    }
    static LIMITS: Pool<Limits<u32>> = Pool::new(|| Limits { page_size: 100, seen: 0 });
    for _ in 0..3 {
        let mut limits = LIMITS.get();
        assert_eq!((limits.page_size, limits.seen), (100, 0));
        limits.page_size = 1;
        limits.seen = 5;
    }
}

/// Where a field cannot be restored in place, that field alone is taken
/// from a new object: `skip` fields stay, and the others keep their
/// allocations.
#[test]
fn a_field_taken_from_a_new_object_leaves_skip_fields_and_allocations_alone() {
    #[derive(Debug, PartialEq)]
    struct Token(u32); // neither `Clone` nor `Reset`
    #[derive(Poolable, Debug)]
    #[pool(name = "exact_replaced_field")]
    struct Holder {
        tokens: Vec<Token>,
        body: Vec<u8>,
        #[pool(skip)]
        uses: u32,
    }
    impl Default for Holder {
        fn default() -> Self {
            Holder { tokens: vec![Token(1)], body: Vec::new(), uses: 0 }
        }
    }
    for n in 0..4 {
        let mut holder = Holder::pooled();
        assert_eq!(holder.tokens, [Token(1)]);
        assert_eq!(holder.uses, n, "skip: as the previous user left it");
        if n > 0 {
            assert!(holder.body.capacity() >= 100, "the body's buffer kept");
        }
        assert!(holder.body.is_empty());
        holder.uses += 1;
        holder.tokens.push(Token(2));
        holder.body.extend_from_slice(&[1; 100]);
    }
}

/// A constructor that panics while the template is made: the returned
/// object is discarded (`panic`), the pool stays consistent and usable.
#[test]
fn a_panicking_template_constructor_discards_the_object() {
    static MADE: AtomicUsize = AtomicUsize::new(0);
    fn fragile() -> Fragile {
        if MADE.fetch_add(1, Relaxed) == 1 {
            panic!("the template's constructor fails once");
        }
        Fragile { status: 200 }
    }
    #[derive(Poolable, Debug)]
    #[pool(name = "exact_fragile", new = fragile)]
    struct Fragile {
        status: u16,
    }
    let mut fragile = Fragile::pooled();
    fragile.status = 500;
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(fragile)));
    assert!(dropped.is_err(), "the constructor's panic reaches the guard's drop");
    assert_eq!(Fragile::pool().discards().panic, 1);
    let stats = Fragile::pool().stats();
    assert_eq!(stats.hits + stats.misses, stats.returns + stats.discards + stats.in_use);
    for _ in 0..3 {
        let mut fragile = Fragile::pooled();
        assert_eq!(fragile.status, 200);
        fragile.status = 404;
    }
}

/// `Reset::reset` on its own resets to the reset state (zeros); the pool's
/// return path is what restores the constructor's values.
#[test]
fn reset_alone_is_the_reset_state_and_reset_to_the_fresh_one() {
    let mut resp = Resp::default();
    scribble(&mut resp, 3);
    resp.reset();
    assert_eq!((resp.status, resp.enabled, resp.content_type.as_str()), (0, false, ""));
    assert!(resp.is_reset());
    assert!(!Resp::default().is_reset());
    scribble(&mut resp, 4);
    assert!(resp.reset_to(&Resp::default()));
    assert_eq!(resp, Resp { region: resp.region, ..Resp::default() });
}

// ---------------------------------------------------------------------------
// Random fills
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Write {
    Status(u16),
    Flag(bool),
    Text(String),
    Body(Vec<u8>),
    PageSize(Option<u32>),
    Warning(String),
    Header(String, String),
    Cursor(String),
    Kind(bool),
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        any::<u16>().prop_map(Write::Status),
        any::<bool>().prop_map(Write::Flag),
        ".{0,40}".prop_map(Write::Text),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Write::Body),
        any::<Option<u32>>().prop_map(Write::PageSize),
        ".{0,20}".prop_map(Write::Warning),
        (".{0,8}", ".{0,8}").prop_map(|(k, v)| Write::Header(k, v)),
        ".{0,30}".prop_map(Write::Cursor),
        any::<bool>().prop_map(Write::Kind),
    ]
}

fn apply(resp: &mut Resp, write: Write) {
    match write {
        Write::Status(status) => resp.status = status,
        Write::Flag(flag) => resp.enabled = flag,
        Write::Text(text) => resp.content_type = text,
        Write::Body(body) => resp.body.extend(body),
        Write::PageSize(size) => resp.page_size = size,
        Write::Warning(warning) => resp.warnings.push(warning),
        Write::Header(key, value) => drop(resp.headers.insert(key, value)),
        Write::Cursor(cursor) => resp.paging.cursor.push_str(&cursor),
        Write::Kind(view) => resp.kind = if view { "view" } else { "" },
    }
}

proptest! {
    #[test]
    fn random_fills_come_back_fresh(users in proptest::collection::vec(proptest::collection::vec(write(), 0..12), 1..6)) {
        for writes in users {
            let mut resp = Resp::pooled();
            prop_assert_eq!(&*resp, &Resp::default());
            for write in writes {
                apply(&mut resp, write);
            }
        }
    }
}
