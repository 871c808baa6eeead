use poolable::{Poolable, Reset};

#[derive(Poolable, Default)]
struct Marker;

#[derive(Poolable, Default)]
struct Empty {}

#[derive(Reset)]
struct Nothing;

fn main() {
    drop(Marker::pooled());
    drop(Empty::pooled());
    let mut nothing = Nothing;
    nothing.reset();
    assert_eq!(nothing.retained_bytes(), 0);
    assert_eq!(Marker::pool().stats().returns, 1);
}
