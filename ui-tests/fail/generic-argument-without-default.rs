use poolable::{Poolable, Reset};

struct Table;

impl Reset for Table {
    fn reset(&mut self) {}
}

#[derive(Poolable)]
struct Envelope<T> {
    data: T,
    errors: Vec<String>,
}

impl<T: Default> Default for Envelope<T> {
    fn default() -> Self {
        Envelope { data: T::default(), errors: Vec::new() }
    }
}

fn main() {
    let _envelope = Envelope::<Table>::pooled();
}
