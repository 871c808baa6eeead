use poolable::Poolable;

fn clear_path(path: &mut String) {
    path.clear();
}

#[derive(Poolable, Default)]
struct Request {
    #[pool(skip, default)]
    path: String,
    #[pool(default)]
    #[pool(reset = clear_path)]
    host: String,
}

fn main() {}
