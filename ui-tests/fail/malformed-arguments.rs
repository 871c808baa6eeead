use poolable::Poolable;

#[derive(Poolable, Default)]
#[pool(name = requests, max_idle = "512", max_retained_bytes = -)]
struct Request {
    #[pool(skip = true)]
    path: String,
    #[pool(reset)]
    host: String,
    #[pool(reset(String::clear))]
    body: String,
    #[pool]
    query: String,
}

fn main() {}
