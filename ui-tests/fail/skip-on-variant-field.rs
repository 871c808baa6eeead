use poolable::Reset;

#[derive(Reset, Default)]
enum Body {
    #[default]
    Empty,
    Text(#[pool(skip)] String),
}

fn main() {}
