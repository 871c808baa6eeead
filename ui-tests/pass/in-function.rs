use poolable::Poolable;

fn handle() -> usize {
    #[derive(Poolable, Default)]
    struct Scratch {
        buffer: Vec<u8>,
    }

    let mut scratch = Scratch::pooled();
    scratch.buffer.push(1);
    scratch.buffer.len()
}

fn main() {
    assert_eq!(handle(), 1);
    assert_eq!(handle(), 1);
}
