// A field whose `#[pool(...)]` has a mistake gets that one error, not a
// second one about its type (`&str` is not `Reset`, which `skip` would fix).
use poolable::Poolable;

#[derive(Poolable, Default)]
struct Request {
    path: String,
    #[pool(skipp)]
    region: &'static str,
    #[pool(default = 1)]
    handler: Option<fn()>,
}

fn main() {}
