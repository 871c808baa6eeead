use std::rc::Rc;

use poolable::Poolable;

#[derive(Poolable, Default)]
struct Page<T> {
    items: Vec<T>,
    next_page_token: Option<String>,
}

fn main() {
    let _page = Page::<Rc<u8>>::pooled();
}
