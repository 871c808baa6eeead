use poolable::Poolable;

#[derive(Poolable, Default)]
#[pool(max_idle = -1, cache_size = 99999999999999999999999, max_retained_bytes = 64u8)]
struct Request {
    path: String,
}

fn main() {}
