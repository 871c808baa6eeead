use poolable::Poolable;

#[derive(Poolable, Default)]
#[pool(max_idel = 16, capacity = 4)]
struct Request {
    #[pool(skipp)]
    path: String,
}

fn main() {}
