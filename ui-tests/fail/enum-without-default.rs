use poolable::Reset;

#[derive(Reset)]
enum Body {
    Empty,
    Text(String),
}

fn main() {}
