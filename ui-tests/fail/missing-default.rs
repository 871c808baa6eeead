use poolable::Poolable;

#[derive(Poolable)]
struct Request {
    path: String,
}

fn main() {}
