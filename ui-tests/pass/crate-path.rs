//! The runtime reached through a re-export, as a facade crate would.

mod facade {
    pub use poolable as pooling;
}

use facade::pooling::Poolable;

#[derive(Poolable, Default)]
#[pool(crate = crate::facade::pooling)]
struct Request {
    path: String,
}

#[derive(facade::pooling::Reset, Default)]
#[pool(crate = facade::pooling)]
struct Headers {
    names: Vec<String>,
}

fn main() {
    let mut request = Request::pooled();
    request.path.push('/');
    drop(request);
    assert!(Request::pooled().path.is_empty());
    let mut headers = Headers::default();
    facade::pooling::Reset::reset(&mut headers);
}
