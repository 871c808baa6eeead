use std::collections::HashMap;

use poolable::Poolable;

#[derive(Poolable, Default)]
struct Response {
    location: String,
    schemas: Vec<String>,
    properties: HashMap<String, String>,
    snapshot: Option<u64>,
}

fn main() {
    let mut response = Response::pooled();
    response.location.push_str("s3://bucket/table");
    response.schemas.push("schema".to_owned());
    response.properties.insert("k".to_owned(), "v".to_owned());
    response.snapshot = Some(7);
    drop(response);

    let response = Response::pooled();
    assert!(response.location.is_empty() && response.location.capacity() >= 17);
    assert!(response.schemas.is_empty() && response.properties.is_empty());
    assert_eq!(response.snapshot, None);
    assert_eq!(Response::pool().name(), "Response");
    assert_eq!(Response::pool().stats().hits, 1);
}
