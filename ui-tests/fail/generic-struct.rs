use poolable::Poolable;

#[derive(Poolable, Default)]
struct Response<T> {
    items: Vec<T>,
}

fn main() {}
