use poolable::Poolable;

#[derive(Poolable, Default)]
#[pool(enabled = "no")]
struct Request {
    path: String,
}

fn main() {}
