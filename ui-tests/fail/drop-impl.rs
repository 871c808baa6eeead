use poolable::Poolable;

#[derive(Poolable, Default)]
struct Connection {
    buffer: Vec<u8>,
}

impl Drop for Connection {
    fn drop(&mut self) {}
}

fn main() {}
