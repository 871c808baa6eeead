use poolable::Poolable;

#[derive(Poolable, Default)]
struct Request {
    path: String,
}

fn main() {
    let path: &String;
    {
        let request = Request::pooled();
        path = &request.path;
    }
    println!("{path}");
}
