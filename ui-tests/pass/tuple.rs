use poolable::Poolable;

#[derive(Poolable, Default)]
struct Frame(Vec<u8>, u32, #[pool(skip)] &'static str);

fn main() {
    let mut frame = Frame::pooled();
    frame.0.extend_from_slice(b"abc");
    frame.1 = 9;
    frame.2 = "kept";
    drop(frame);
    let frame = Frame::pooled();
    assert_eq!((frame.0.len(), frame.1, frame.2), (0, 0, "kept"));
}
