use poolable::Poolable;

#[derive(Poolable, Default)]
struct Request {
    path: String,
}

fn main() {
    let request = Request::pooled();
    let path = &request.path;
    drop(request);
    println!("{path}");
}
