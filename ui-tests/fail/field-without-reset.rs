use poolable::Poolable;

#[derive(Default)]
struct Config {
    retries: u32,
}

#[derive(Poolable, Default)]
struct Request {
    path: String,
    config: Config,
    body: Vec<u8>,
}

fn main() {}
