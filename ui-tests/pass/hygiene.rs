//! Generated code names nothing through the caller's scope.
#![allow(non_camel_case_types)]

mod core {}
mod std {}

struct Option;
struct Result;
struct Box;
struct Vec;
struct String;
trait Default {}
trait Send {}
trait Sync {}
trait Drop {}
struct usize;
struct Pool;
struct PoolConfig;
trait Reset {}
struct __CHECK;
struct __Gated;
struct __POOL;

#[derive(::poolable::Poolable)]
#[pool(name = "hygiene", max_idle = 2)]
struct Request {
    path: ::std::string::String,
    body: ::std::vec::Vec<u8>,
    #[pool(default)]
    retries: u32,
    #[pool(reset = clear)]
    query: ::std::string::String,
}

fn clear(text: &mut ::std::string::String) {
    text.clear();
}

impl ::core::default::Default for Request {
    fn default() -> Self {
        Request {
            path: ::std::string::String::new(),
            body: ::std::vec::Vec::new(),
            retries: 0,
            query: ::std::string::String::new(),
        }
    }
}

#[derive(::poolable::Reset)]
struct Inner(::std::vec::Vec<u8>);

// The shadows are used, so that only the derive's own code could be unused.
impl Default for Request {}
impl Send for Request {}
impl Sync for Request {}
impl Drop for Request {}
impl Reset for Request {}

fn shadowed_traits<T: Default + Send + Sync + Drop + Reset>() {}

fn main() {
    let _shadows = (Option, Result, Box, Vec, String, usize, Pool, PoolConfig, __CHECK, __Gated, __POOL);
    let _inner = Inner(::std::vec::Vec::new());
    shadowed_traits::<Request>();
    let mut request = <Request as ::poolable::Poolable>::pooled();
    request.path.push('/');
    ::core::mem::drop(request);
    ::std::assert!(<Request as ::poolable::Poolable>::pooled().path.is_empty());
}
