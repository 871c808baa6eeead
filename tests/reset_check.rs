//! The reset check of debug builds: a `Reset` that forgets part of an
//! object is reported at its pool's first return, naming the type and the
//! field, before the next user sees the last one's data.
#![cfg(debug_assertions)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use poolable::{Pool, PoolConfig, Poolable, Reset};

/// A hand-written `Reset` that forgets `retries`.
#[derive(Debug, Default, PartialEq)]
struct Policy {
    timeout_ms: u64,
    retries: u32,
}

impl Reset for Policy {
    fn reset(&mut self) {
        self.timeout_ms = 0;
    }
}

#[derive(Poolable, Default)]
#[pool(name = "checked_request")]
struct Request {
    path: String,
    policy: Policy,
}

fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn an_incomplete_hand_written_reset_of_a_field_is_reported_at_the_first_return() {
    let mut request = Request::pooled();
    request.path.push_str("/v1/config");
    request.policy.retries = 3;
    let panic = catch_unwind(AssertUnwindSafe(|| drop(request))).expect_err("the check panics");
    let message = message(panic);
    assert!(message.contains("reset_check::Request"), "{message}");
    assert!(message.contains("pool \"checked_request\""), "{message}");
    assert!(message.contains("field `policy` differs"), "{message}");
    assert!(message.contains("#[pool(skip)]"), "the fix is named: {message}");
    // The object was dropped, not kept: the next user gets a new one.
    assert_eq!(Request::pool().discards().panic, 1);
    assert_eq!(Request::pooled().policy.retries, 0);
    // Once per pool: later returns are not checked.
    let mut again = Request::pooled();
    again.policy.retries = 5;
    drop(again);
    assert_eq!(Request::pool().discards().panic, 1);
}

fn reset_limit(limit: &mut u32) {
    let _ = limit; // forgets to reset
}

#[derive(Poolable, Default)]
#[pool(name = "checked_limit")]
struct Limited {
    #[pool(reset = reset_limit)]
    limit: u32,
    #[pool(skip)]
    tenant: u32,
}

#[test]
fn an_incomplete_reset_function_is_reported_and_skip_fields_are_not() {
    let mut kept = Limited::pooled();
    kept.tenant = 7; // `skip`: meant to survive, never reported
    drop(kept);
    let mut limited = Limited::pooled();
    assert_eq!(limited.tenant, 7);
    limited.limit = 9;
    // The first return was clean, so the check is spent: a pool is checked
    // at its first return only.
    drop(limited);
    assert_eq!(Limited::pool().discards().panic, 0);

    static FRESH: Pool<Limited> = Pool::with_config(Limited::default, PoolConfig::new("checked_limit_2"));
    let mut limited = FRESH.get();
    limited.limit = 9;
    let message = message(catch_unwind(AssertUnwindSafe(|| drop(limited))).expect_err("the check panics"));
    assert!(message.contains("field `limit` differs"), "{message}");
}

/// A whole type written by hand, with an `is_reset` that tells.
#[derive(Default)]
struct Counter {
    hits: u64,
    name: String,
}

impl Reset for Counter {
    fn reset(&mut self) {
        self.name.clear(); // forgets `hits`
    }
    fn is_reset(&self) -> bool {
        self.hits == 0 && self.name.is_empty()
    }
}

#[test]
fn a_hand_written_type_is_checked_through_its_is_reset() {
    let pool: &'static Pool<Counter> = Box::leak(Box::new(Pool::new(Counter::default)));
    let mut counter = pool.get();
    counter.hits = 1;
    let message = message(catch_unwind(AssertUnwindSafe(|| drop(counter))).expect_err("the check panics"));
    assert!(message.contains("reset_check::Counter"), "{message}");
    assert!(message.contains("`Reset::is_reset` says it is not reset"), "{message}");
    assert_eq!(pool.discards().panic, 1);
}

/// A NaN is not equal to itself: restored exactly, it is not a reset bug.
#[derive(Poolable)]
#[pool(name = "checked_nan", new = Self::new)]
struct Summary {
    min: f64,
    samples: Vec<f64>,
}

impl Summary {
    fn new() -> Self {
        Summary { min: f64::NAN, samples: Vec::new() }
    }
}

#[test]
fn a_field_unequal_to_itself_is_not_reported() {
    let mut summary = Summary::pooled();
    summary.min = 1.0;
    summary.samples.push(1.0);
    drop(summary);
    let summary = Summary::pooled();
    assert!(summary.min.is_nan() && summary.samples.is_empty());
    assert_eq!(Summary::pool().discards().panic, 0);
}

/// A derived `Reset`: restores every field.
#[derive(Debug, PartialEq, Reset)]
struct GoodPolicy {
    timeout_ms: u64,
    retries: u32,
}

/// Restoring pools are checked after the restore, against the template.
#[derive(Poolable)]
#[pool(name = "checked_restoring", new = Self::new)]
struct Response {
    status: u16,
    policy: GoodPolicy,
}

impl Response {
    fn new() -> Self {
        Response { status: 200, policy: GoodPolicy { timeout_ms: 100, retries: 2 } }
    }
}

/// The same with `Policy`, whose hand-written `Reset` keeps the default
/// `is_reset` (`true`) although its constructor's values are not zero: its
/// default `reset_to` then claims a restore that only reset.
#[derive(Poolable)]
#[pool(name = "checked_restoring_bad", new = Self::new)]
struct BadResponse {
    status: u16,
    policy: Policy,
}

impl BadResponse {
    fn new() -> Self {
        BadResponse { status: 200, policy: Policy { timeout_ms: 100, retries: 2 } }
    }
}

#[test]
fn a_restoring_pool_is_checked_after_its_restore() {
    let mut response = Response::pooled();
    response.status = 404;
    response.policy.retries = 9;
    drop(response);
    let response = Response::pooled();
    assert_eq!((response.status, response.policy.retries), (200, 2), "restored, so nothing to report");
    assert_eq!(Response::pool().discards().panic, 0);

    let mut bad = BadResponse::pooled();
    bad.status = 404;
    let message = message(catch_unwind(AssertUnwindSafe(|| drop(bad))).expect_err("the check panics"));
    assert!(message.contains("reset_check::BadResponse") && message.contains("field `policy`"), "{message}");
}
