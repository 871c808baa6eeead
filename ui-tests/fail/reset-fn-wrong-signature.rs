use poolable::Poolable;

fn clear(path: String) -> String {
    path
}

#[derive(Poolable, Default)]
struct Request {
    #[pool(reset = clear)]
    path: String,
}

fn main() {}
