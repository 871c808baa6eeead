//! Every public name of `poolable`, at the path a user writes.
//!
//! Each item is named by its full path and pinned to its signature (a
//! function coerced to a `fn` pointer type, a type ascribed), so moving an
//! item inside the runtime without keeping its public path, or changing a
//! signature, breaks this file before it breaks a user. A few behaviours
//! are checked along the way, so that each name is also known to work.
//! Items behind a feature are checked when the feature is on.

use std::time::Duration;

use poolable::{Poolable, Reset};

#[derive(Poolable, Default, Debug, PartialEq)]
#[pool(name = "public_api_row", max_idle = 8, max_retained_bytes = 4096)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Row {
    name: String,
    tags: Vec<String>,
}

#[derive(Reset, Default, Debug, PartialEq)]
struct Nested {
    count: u32,
}

#[test]
fn traits_and_the_derives() {
    fn is_poolable<T: poolable::Poolable>() {}
    fn is_reset<T: poolable::Reset>() {}
    is_poolable::<Row>();
    is_reset::<Row>();
    is_reset::<Nested>();

    let _: fn() -> &'static poolable::Pool<Row> = <Row as poolable::Poolable>::pool;
    let _: fn() -> poolable::Pooled<Row> = <Row as poolable::Poolable>::pooled;
    let _: fn(&mut Nested) = <Nested as poolable::Reset>::reset;
    let _: fn(&Nested) -> usize = <Nested as poolable::Reset>::retained_bytes;

    let mut nested = Nested { count: 3 };
    nested.reset();
    assert_eq!(nested, Nested::default());

    let mut row = Row::pooled();
    row.name.push_str("orders");
    drop(row);
    let row = Row::pooled();
    assert_eq!(*row, Row::default(), "a reused object equals a fresh one");
    assert_eq!(Row::pool().name(), "public_api_row");
    assert_eq!(Row::pool().config().get_max_idle(), 8);
}

#[test]
fn pool_guard_config_and_stats() {
    static LINES: poolable::Pool<String> =
        poolable::Pool::with_config(String::new, poolable::PoolConfig::new("public_api_lines").max_idle(4));
    static PLAIN: poolable::Pool<Vec<u8>> = poolable::Pool::new(Vec::new);

    let _: fn(fn() -> String) -> poolable::Pool<String> = poolable::Pool::new;
    let _: fn(fn() -> String, poolable::PoolConfig) -> poolable::Pool<String> = poolable::Pool::with_config;
    let _: fn(&'static poolable::Pool<String>) -> poolable::Pooled<String> = poolable::Pool::get;
    let _: fn(&poolable::Pool<String>) -> poolable::PoolStats = poolable::Pool::stats;
    let _: fn(&poolable::Pool<String>) -> poolable::Discards = poolable::Pool::discards;
    let _: fn(&'static poolable::Pool<String>) = poolable::Pool::clear;
    let _: fn(&poolable::Pool<String>) = poolable::Pool::trim;
    let _: fn(&poolable::Pool<String>, usize) -> usize = poolable::Pool::prefill;
    let _: fn(&poolable::Pool<String>) -> u64 = poolable::Pool::idle_bytes;
    let _: fn(&'static poolable::Pool<String>) -> usize = poolable::Pool::local_idle;
    let _: fn(&poolable::Pool<String>) -> usize = poolable::Pool::shared_idle;
    let _: fn(&'static poolable::Pool<String>) -> Vec<poolable::diagnostics::Outstanding> =
        poolable::Pool::outstanding;
    let _: fn(poolable::Pooled<String>) -> String = poolable::Pooled::detach;
    let _: fn(&poolable::Pooled<String>) -> &'static poolable::Pool<String> = poolable::Pooled::pool;

    let mut line = LINES.get();
    line.push_str("GET /v1/config");
    drop(line);
    let line = LINES.get();
    assert!(line.is_empty() && line.capacity() >= 14);
    assert!(std::ptr::eq(poolable::Pooled::pool(&line), &LINES));
    let kept: String = poolable::Pooled::detach(line);
    assert!(kept.is_empty());
    drop(PLAIN.get());
    assert_eq!(PLAIN.name(), poolable::PoolConfig::DEFAULT_NAME);

    let stats: poolable::PoolStats = LINES.stats();
    let poolable::PoolStats { hits, misses, returns, discards, evictions, idle, in_use } = stats;
    assert_eq!((hits, misses, returns, discards, evictions, in_use), (1, 1, 1, 1, 0, 0));
    assert_eq!(idle, 0, "the one return was the detached object's: nothing idle");
    let why: poolable::Discards = LINES.discards();
    let poolable::Discards { full, oversized, panic, detached, disabled, chaos } = why;
    assert_eq!((full, oversized, panic, detached, disabled, chaos), (0, 0, 0, 1, 0, 0));
    assert_eq!(why.total(), stats.discards);
    assert_eq!(poolable::Discards::REASONS.len(), why.by_reason().len());

    let config: poolable::PoolConfig = poolable::PoolConfig::named(String::from("public_api_config"))
        .max_idle(3)
        .max_retained_bytes(100)
        .cache_size(0)
        .enabled(false)
        .chaos(0.5);
    assert_eq!(config.name(), "public_api_config");
    assert_eq!(
        (config.get_max_idle(), config.get_max_retained_bytes(), config.get_cache_size()),
        (3, 100, 0)
    );
    assert!(!config.get_enabled());
    assert_eq!(config.get_chaos(), Some(0.5));
    let _: poolable::PoolConfig = poolable::PoolConfig::default();
}

#[test]
fn every_pool_read_at_once_and_the_trimmer_handle() {
    let _: fn() -> Vec<poolable::PoolSnapshot> = poolable::pools;
    // One type under both names.
    let _: fn() -> Vec<poolable::PoolSnapshot> = poolable::metrics::snapshot;
    let _: fn() -> Vec<poolable::metrics::PoolSnapshot> = poolable::pools;
    let _: fn(Duration) -> poolable::TrimHandle = poolable::trim_every;
    let _: fn(&poolable::TrimHandle) -> u64 = poolable::TrimHandle::passes;

    drop(Row::pooled());
    let snapshot =
        poolable::pools().into_iter().find(|pool| pool.name == "public_api_row").expect("registered");
    let poolable::PoolSnapshot { name, stats, discards, idle_bytes } = snapshot;
    assert_eq!(name, "public_api_row");
    assert!(stats.misses >= 1 && stats.returns >= 1, "{stats:?}");
    assert_eq!(discards.total(), stats.discards);
    let _: u64 = idle_bytes;
    assert!(poolable::metrics::snapshot().iter().any(|pool| pool.name == "public_api_row"));

    // A trimmer that does not pass while this binary's other tests run (a
    // pass would evict their idle objects): its handle, not its passes.
    let trimmer = poolable::trim_every(Duration::from_secs(3600));
    assert_eq!(trimmer.passes(), 0);
    drop(trimmer);
}

#[test]
fn diagnostics_names_and_fields() {
    let _: fn(bool) = poolable::diagnostics::track;
    let _: fn() -> bool = poolable::diagnostics::is_tracking;
    let _: fn() -> Vec<poolable::diagnostics::Outstanding> = poolable::diagnostics::outstanding;
    let fields =
        |o: poolable::diagnostics::Outstanding| -> (String, &'static str, u32, u32, usize, Duration) {
            (o.pool, o.file, o.line, o.column, o.guards, o.oldest)
        };
    let _ = fields;
    let _ = poolable::diagnostics::is_tracking();
}

#[test]
fn recycling_collections() {
    let mut rows: poolable::RecycleVec<String> = poolable::RecycleVec::new();
    rows.add().push_str("kept");
    rows.push("pushed".to_owned());
    assert_eq!(rows.len(), 2);
    rows.reset();
    assert!(rows.is_empty() && rows.spare_len() == 2);
    assert!(rows.add().is_empty(), "a kept element, reset");

    let mut map: poolable::RecycleMap<String> = poolable::RecycleMap::new();
    map.entry("owner").push_str("payments");
    assert_eq!(map.get("owner").map(String::as_str), Some("payments"));
    map.reset();
    assert!(map.is_empty() && map.spare_len() == 1);
    assert!(map.entry("region").is_empty());

    let mut token: poolable::RecycleOption<String> = poolable::RecycleOption::none();
    token.get_or_insert_default().push_str("page-2");
    assert!(token.is_some());
    token.reset();
    assert!(token.is_none() && token.has_value());
    assert_eq!(poolable::RecycleOption::some(1).into_option(), Some(1));
}

#[test]
fn byte_buffers() {
    let _: fn() -> poolable::PooledBuffer = poolable::buffer;
    let _: fn(usize) -> poolable::PooledBuffer = poolable::buffer_with_capacity;
    let _: fn(poolable::PooledBuffer) -> Vec<u8> = poolable::PooledBuffer::detach;
    let _: fn(usize) -> Option<poolable::PoolStats> = poolable::PooledBuffer::class_stats;
    let _: fn(usize) -> Option<poolable::Discards> = poolable::PooledBuffer::class_discards;
    let _: fn() = poolable::PooledBuffer::trim_classes;
    let _: fn() = poolable::PooledBuffer::clear_classes;
    let sizes: [usize; 5] = poolable::PooledBuffer::CLASS_SIZES;
    let cap: usize = poolable::PooledBuffer::MAX_POOLED_CAPACITY;
    assert_eq!((sizes[0], cap), (4096, 64 * 1024));

    let mut out = poolable::buffer_with_capacity(5000);
    out.extend_from_slice(b"{}");
    assert_eq!((out.class_size(), out.strikes()), (Some(8192), 0));
    assert_eq!(poolable::PooledBuffer::detach(out), b"{}");
    assert_eq!(poolable::buffer().class_size(), Some(4096));
}

#[cfg(feature = "bytes")]
#[test]
fn byte_buffers_as_bytes() {
    let _: fn(poolable::PooledBuffer) -> bytes::Bytes = poolable::PooledBuffer::into_bytes;
    let mut out = poolable::buffer();
    out.extend_from_slice(b"ok");
    let body: bytes::Bytes = out.into();
    assert_eq!(&body[..], b"ok");
}

#[cfg(feature = "json")]
#[test]
fn json() {
    use poolable::PooledBuffer;

    let _: fn(&Row) -> Result<PooledBuffer, serde_json::Error> = poolable::json::to_vec::<Row>;
    let _: fn(&Row) -> Result<PooledBuffer, serde_json::Error> = poolable::json::to_vec_pretty::<Row>;
    let _: fn(&Row, usize) -> Result<PooledBuffer, serde_json::Error> =
        poolable::json::to_vec_with_capacity::<Row>;
    let _: fn(&mut PooledBuffer, &Row) -> Result<(), serde_json::Error> = poolable::json::to_writer::<Row>;
    let _: fn(&[u8]) -> Result<poolable::Pooled<Row>, serde_json::Error> = poolable::json::from_slice::<Row>;
    let _: fn(&str) -> Result<poolable::Pooled<Row>, serde_json::Error> = poolable::json::from_str::<Row>;
    let _: fn(&[u8], &mut Row) -> Result<(), serde_json::Error> = poolable::json::from_slice_into::<Row>;
    let _: fn(&str, &mut Row) -> Result<(), serde_json::Error> = poolable::json::from_str_into::<Row>;

    let row = poolable::json::from_str::<Row>(r#"{"name":"orders","tags":["eu"]}"#).unwrap();
    let encoded = poolable::json::to_vec(&*row).unwrap();
    assert_eq!(&encoded[..], br#"{"name":"orders","tags":["eu"]}"#);
    let mut into = Row::default();
    poolable::json::from_slice_into(&encoded, &mut into).unwrap();
    assert_eq!(into, *row);
    assert_eq!(
        serde_json::to_string(&row).unwrap(),
        r#"{"name":"orders","tags":["eu"]}"#,
        "Pooled<T>: Serialize"
    );
}

#[cfg(feature = "serde")]
#[test]
fn statistics_serialize() {
    fn is_serialize<T: serde::Serialize>() {}
    is_serialize::<poolable::PoolStats>();
    is_serialize::<poolable::Discards>();
    is_serialize::<poolable::PoolSnapshot>();
    is_serialize::<poolable::Pooled<Row>>();
}

#[cfg(feature = "prometheus")]
#[test]
fn prometheus() {
    use poolable::metrics::prometheus;

    let _: fn(&prometheus::Registry) -> prometheus::Result<()> = poolable::metrics::register;
    let _: fn(&prometheus::Registry, &str) -> prometheus::Result<()> =
        poolable::metrics::register_with_namespace;
    let _: fn() -> poolable::metrics::PoolCollector = poolable::metrics::PoolCollector::new;
    let _: fn(&str) -> prometheus::Result<poolable::metrics::PoolCollector> =
        poolable::metrics::PoolCollector::with_namespace;

    drop(Row::pooled());
    let registry = prometheus::Registry::new();
    poolable::metrics::register_with_namespace(&registry, "public_api").unwrap();
    let families = registry.gather();
    assert!(families.iter().any(|family| family.name() == "public_api_pool_hits_total"));
}

#[cfg(feature = "prometheus-client")]
#[test]
fn prometheus_client() {
    let _: fn(&mut prometheus_client::registry::Registry) = poolable::metrics::prometheus_client::register;
    let _: fn() -> poolable::metrics::prometheus_client::PoolCollector =
        poolable::metrics::prometheus_client::PoolCollector::new;
}

#[cfg(feature = "metrics")]
#[test]
fn metrics_rs() {
    let _: fn() = poolable::metrics::metrics_rs::describe;
    let _: fn() = poolable::metrics::metrics_rs::report;
    let _: fn(Duration) -> poolable::metrics::metrics_rs::ReporterHandle =
        poolable::metrics::metrics_rs::spawn_reporter;
    let _: fn(&poolable::metrics::metrics_rs::ReporterHandle) -> u64 =
        poolable::metrics::metrics_rs::ReporterHandle::reports;
}

#[cfg(feature = "opentelemetry")]
#[test]
fn opentelemetry() {
    let _: fn(&opentelemetry::metrics::Meter) = poolable::metrics::opentelemetry::register;
}

#[cfg(feature = "axum")]
#[test]
fn axum() {
    use poolable::axum::{JsonRejection, JsonRejectionKind, PooledJson};

    let excerpt: usize = poolable::axum::MAX_EXCERPT;
    assert!(excerpt > 0);
    let _: fn(&JsonRejection) -> JsonRejectionKind = JsonRejection::kind;
    let _: fn(&JsonRejection) -> String = JsonRejection::body_text;
    let _: fn(&JsonRejection) -> Option<&serde_json::Error> = JsonRejection::json_error;
    let statuses = [
        JsonRejectionKind::ContentType,
        JsonRejectionKind::TooLarge,
        JsonRejectionKind::Syntax,
        JsonRejectionKind::Data,
        JsonRejectionKind::BodyRead,
    ]
    .map(|kind| kind.status().as_u16());
    assert_eq!(statuses, [415, 413, 400, 422, 400]);

    let PooledJson(row): PooledJson<Row> = PooledJson(Row::pooled());
    let wrapped = PooledJson(row);
    assert!(wrapped.name.is_empty(), "Deref to the object");
}
