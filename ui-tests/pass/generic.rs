//! `#[derive(Poolable)]` on generic types: one pool per instantiation.
use poolable::{Poolable, Reset};

#[derive(Reset, Default, Debug, PartialEq)]
struct Table {
    name: String,
}

/// A generic envelope, with a bound of its own.
#[derive(Poolable, Default)]
#[pool(name = "page", max_idle = 16)]
struct Page<T: Clone> {
    items: Vec<T>,
    next_page_token: Option<String>,
}

/// A type parameter in a field reset through `Reset`, and a `where` clause.
#[derive(Poolable, Default)]
struct ApiResponse<T>
where
    T: Default,
{
    data: T,
    errors: Vec<String>,
    #[pool(default)]
    status: u16,
}

/// A const parameter, built by `new`.
#[derive(Poolable)]
#[pool(new = Self::new)]
struct Ring<const N: usize> {
    slots: [u64; N],
    #[pool(skip)]
    capacity: usize,
}

impl<const N: usize> Ring<N> {
    fn new() -> Self {
        Ring { slots: [0; N], capacity: N }
    }
}

fn main() {
    let mut page = Page::<u32>::pooled();
    page.items.push(1);
    page.next_page_token = Some("next".to_owned());
    drop(page);
    let page = Page::<u32>::pooled();
    assert!(page.items.is_empty() && page.next_page_token.is_none());
    assert_eq!(Page::<u32>::pool().name(), "page<u32>");
    assert_eq!(Page::<Vec<String>>::pool().name(), "page<Vec<String>>");

    let mut response = ApiResponse::<Table>::pooled();
    response.data.name.push_str("orders");
    response.status = 500;
    drop(response);
    let response = ApiResponse::<Table>::pooled();
    assert_eq!((response.data.name.as_str(), response.status), ("", 0));
    assert_eq!(ApiResponse::<Table>::pool().name(), "ApiResponse<Table>");

    let mut ring = Ring::<4>::pooled();
    ring.slots[3] = 9;
    drop(ring);
    assert_eq!(Ring::<4>::pooled().slots, [0; 4]);
    assert_eq!(Ring::<8>::pooled().capacity, 8);
    assert_eq!(Ring::<8>::pool().name(), "Ring<8>");
}
