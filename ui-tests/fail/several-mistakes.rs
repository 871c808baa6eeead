use std::rc::Rc;

use poolable::Poolable;

struct Opaque;

#[derive(Poolable)]
#[pool(max_idel = 8, name = "")]
struct Request {
    path: String,
    #[pool(skip, default)]
    host: String,
    opaque: Opaque,
    cache: Rc<Vec<u8>>,
}

fn main() {}
