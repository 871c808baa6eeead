use std::rc::Rc;

use poolable::Poolable;

#[derive(Poolable, Default)]
struct Request {
    path: String,
    #[pool(skip)]
    shared: Rc<str>,
    body: Vec<u8>,
}

fn main() {}
