use poolable::Poolable;

#[derive(Poolable, Default)]
#[pool(skip)]
struct Request {
    #[pool(max_idle = 4)]
    path: String,
}

fn main() {}
