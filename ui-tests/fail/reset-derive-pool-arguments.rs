use poolable::Reset;

#[derive(Reset, Default)]
#[pool(name = "headers", max_idle = 8)]
struct Headers {
    names: Vec<String>,
}

fn main() {}
