use poolable::{Poolable, Pooled};

#[derive(Poolable, Default, Clone)]
struct Request {
    path: String,
}

fn main() {
    let request = Request::pooled();
    let twice: Pooled<Request> = Clone::clone(&request);
    drop((request, twice));
}
