use poolable::Poolable;

struct Handle(u32);

#[derive(Poolable, Default)]
struct Request {
    path: String,
    #[pool(default)]
    handle: Option<Handle>,
    #[pool(default)]
    raw: Handle,
}


fn main() {}
