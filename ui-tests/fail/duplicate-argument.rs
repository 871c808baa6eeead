use poolable::Poolable;

#[derive(Poolable, Default)]
#[pool(max_idle = 16)]
#[pool(name = "requests", max_idle = 32)]
struct Request {
    #[pool(skip, skip)]
    path: String,
}

fn main() {}
