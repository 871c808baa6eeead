//! Generic pooled types (one pool per instantiation) and enums (a reset
//! gives `Default`).

use poolable::{Poolable, Reset};

#[derive(Debug, Default, Clone, PartialEq)]
struct Table {
    name: String,
}

impl Reset for Table {
    fn reset(&mut self) {
        self.name.clear();
    }
}

#[derive(Poolable, Default, Debug)]
#[pool(name = "page")]
struct Page<T: Send + 'static> {
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

#[derive(Reset, Default, Debug, PartialEq, Clone)]
enum Body {
    #[default]
    Empty,
    Json(Vec<u8>),
    Text(String),
}

#[derive(Poolable, Default, Debug, PartialEq)]
enum Message {
    #[default]
    Ping,
    Data { bytes: Vec<u8>, seq: u64 },
}

#[derive(Poolable, Default)]
struct Response {
    status: u16,
    body: Body,
}

#[test]
fn smoke() {
    let mut page = Page::<Table>::pooled();
    page.items.push(Table { name: "t".into() });
    drop(page);
    let page = Page::<u64>::pooled();
    drop(page);
    assert_eq!(Page::<Table>::pool().name(), "page<Table>");
    assert_eq!(Page::<u64>::pool().name(), "page<u64>");
    assert_eq!(Fixed::<4>::pool().name(), "Fixed<4>");
    let mut body = Body::Json(vec![1, 2, 3]);
    body.reset();
    assert_eq!(body, Body::Empty);
    let mut message = Message::pooled();
    *message = Message::Data { bytes: vec![1], seq: 3 };
    drop(message);
    assert_eq!(*Message::pooled(), Message::Ping);
    let mut response = Response::pooled();
    response.body = Body::Text("x".into());
    drop(response);
    assert_eq!(Response::pooled().body, Body::Empty);
}
