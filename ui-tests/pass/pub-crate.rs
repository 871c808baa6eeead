mod api {
    use poolable::Poolable;

    #[derive(Poolable, Default)]
    pub(crate) struct Request {
        pub(crate) path: String,
    }

    #[derive(Poolable, Default)]
    pub struct Response {
        pub body: Vec<u8>,
        pub(super) status: u16,
    }
}

use poolable::Poolable;

fn main() {
    let mut request = api::Request::pooled();
    request.path.push('/');
    let mut response = api::Response::pooled();
    response.status = 200;
}
