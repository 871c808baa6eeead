use poolable::{Poolable, Reset};

#[derive(Poolable, Default)]
struct First {
    text: String,
}

#[derive(Poolable, Default)]
struct Second {
    text: String,
}

#[derive(Reset, Default)]
struct Third {
    text: String,
}

#[derive(Reset, Default)]
struct Fourth(Vec<u8>);

fn main() {
    drop(First::pooled());
    assert_eq!((First::pool().name(), Second::pool().name()), ("First", "Second"));
    assert_eq!(Second::pool().stats().misses, 0);
    let mut third = Third::default();
    third.reset();
    Fourth::default().reset();
}
