use poolable::{Poolable, Reset};

#[derive(Reset, Default)]
struct Headers {
    names: Vec<String>,
    count: u32,
}

#[derive(Reset, Default)]
struct Envelope {
    headers: Headers,
    boxed: Box<Headers>,
    all: [Headers; 2],
}

/// `#[derive(Reset)]` on a generic type: bounds come from the fields.
#[derive(Reset, Default)]
struct Batch<T> {
    items: Vec<T>,
    last: Option<T>,
    marker: T,
}

#[derive(Poolable, Default)]
struct Request {
    envelope: Envelope,
    batch: Batch<u64>,
}

fn main() {
    let mut request = Request::pooled();
    request.envelope.headers.names.push("a".to_owned());
    request.envelope.headers.count = 1;
    request.envelope.boxed.count = 2;
    request.envelope.all[1].names.push("b".to_owned());
    request.batch.items.push(1);
    request.batch.last = Some(2);
    request.batch.marker = 3;
    drop(request);
    let request = Request::pooled();
    assert!(request.envelope.headers.names.is_empty());
    assert_eq!(request.envelope.headers.count + request.envelope.boxed.count, 0);
    assert!(request.envelope.all[1].names.is_empty());
    assert_eq!((request.batch.items.len(), request.batch.last, request.batch.marker), (0, None, 0));
}
