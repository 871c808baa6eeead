#![no_implicit_prelude]

#[derive(::poolable::Poolable, ::std::default::Default)]
#[pool(max_idle = 2)]
struct Request {
    path: ::std::string::String,
    #[pool(default)]
    count: u32,
    #[pool(skip)]
    region: &'static str,
}

#[derive(::poolable::Reset)]
struct Inner(::std::vec::Vec<u8>, u8);

fn main() {
    let mut request = <Request as ::poolable::Poolable>::pooled();
    request.path.push('/');
    ::std::mem::drop(request);
}
