use poolable::Poolable;

#[derive(Poolable)]
enum Message {
    Ping,
    Text(String),
}

fn main() {}
