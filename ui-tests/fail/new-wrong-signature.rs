use poolable::Poolable;

#[derive(Poolable)]
#[pool(new = Request::with_capacity)]
struct Request {
    path: String,
}

impl Request {
    fn with_capacity(capacity: usize) -> Self {
        Request { path: String::with_capacity(capacity) }
    }
}

fn main() {}
