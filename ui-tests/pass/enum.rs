//! `#[derive(Reset)]` and `#[derive(Poolable)]` on enums: a reset gives `Default`.
use poolable::{Poolable, Reset};

#[derive(Reset, Default, Debug, PartialEq)]
enum Body {
    #[default]
    Empty,
    Json(Vec<u8>),
    Text(String),
}

fn two(value: &mut u8) {
    *value = 2;
}

/// Field arguments on variant fields; a default variant with fields.
#[derive(Poolable, Debug, PartialEq)]
enum Status {
    Ok { code: u16, #[pool(default)] reason: Option<&'static str> },
    Retry(#[pool(reset = two)] u8, Vec<String>),
    Gone,
}

impl Default for Status {
    fn default() -> Self {
        Status::Ok { code: 200, reason: None }
    }
}

/// A generic enum.
#[derive(Reset, Default)]
enum Slot<T> {
    #[default]
    Empty,
    Full(T),
}

#[derive(Poolable, Default)]
struct Response {
    body: Body,
    status: Status,
    slot: Slot<String>,
}

fn main() {
    let mut response = Response::pooled();
    response.body = Body::Text("hello".to_owned());
    response.status = Status::Retry(5, vec!["a".to_owned()]);
    response.slot = Slot::Full("x".to_owned());
    drop(response);
    let response = Response::pooled();
    assert_eq!(response.body, Body::Empty);
    assert_eq!(response.status, Status::Ok { code: 200, reason: None });
    assert!(matches!(response.slot, Slot::Empty));

    let mut status = Status::pooled();
    *status = Status::Gone;
    drop(status);
    assert_eq!(*Status::pooled(), Status::default());
}
