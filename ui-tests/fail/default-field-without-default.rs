use poolable::Poolable;

struct Handle(u32);

#[derive(Poolable)]
#[pool(new = Request::new)]
struct Request {
    path: String,
    #[pool(default)]
    handle: Option<Handle>,
    #[pool(default)]
    raw: Handle,
}

impl Request {
    fn new() -> Self {
        Request { path: String::new(), handle: None, raw: Handle(0) }
    }
}

fn main() {}
