//! `#[derive(Poolable)]` and `#[derive(Reset)]` for
//! [poolable](https://docs.rs/poolable); use them through the `poolable` crate.
//!
//! ```
//! use poolable::{Poolable, Reset};
//!
//! #[derive(Reset, Default)]
//! struct Headers { names: Vec<String> }
//!
//! #[derive(Poolable, Default)]
//! #[pool(name = "requests", max_idle = 64)]
//! struct Request {
//!     path: String,                        // its own `Reset`: cleared, capacity kept
//!     headers: Headers,                    // a derived `Reset`
//!     #[pool(skip)] region: &'static str,  // kept between users
//!     #[pool(default)] retries: Option<u8>,
//! }
//!
//! let mut request = Request::pooled();
//! request.path.push_str("/v1/tables");
//! drop(request);                            // reset, back to the pool
//! assert!(Request::pooled().path.is_empty());
//! assert_eq!(Request::pool().name(), "requests");
//! ```
//!
//! Struct arguments: `name = "label"`, `max_idle = N`, `max_retained_bytes = N`,
//! `cache_size = N`, `enabled = false`, `new = path` (a `fn() -> Self`; `Self::new` works), `crate = path`. Field
//! arguments, at most one per field: `skip`, `default`, `reset = path` (a
//! `fn(&mut T)`). `retained_bytes` sums the fields reset through `Reset`.
//!
//! # A reused object equals a fresh one
//!
//! After a return and a hit, every field not marked `skip` equals what the
//! pool's constructor (`Default::default()` or `new = path`) gives it,
//! capacity aside: the rule, and how a pool keeps it, are on
//! [`Reset`](https://docs.rs/poolable/latest/poolable/trait.Reset.html#a-reused-object-equals-a-fresh-one).
//!
//! ```
//! use poolable::Poolable;
//!
//! #[derive(Poolable)]
//! struct Resp { status: u16, content_type: String, body: Vec<u8> }
//!
//! impl Default for Resp {
//!     fn default() -> Self {
//!         Resp { status: 200, content_type: "application/json".into(), body: Vec::new() }
//!     }
//! }
//!
//! let mut resp = Resp::pooled();
//! resp.status = 404;
//! resp.content_type.push_str("; charset=utf-8");
//! drop(resp);
//! let resp = Resp::pooled(); // the same object, as `Default` makes it
//! assert_eq!((resp.status, resp.content_type.as_str()), (200, "application/json"));
//! ```
//!
//! # What the derive writes
//!
//! For `#[derive(Poolable)] #[pool(max_idle = 64)] struct Request { path: String,
//! #[pool(skip)] region: &'static str }` (a test compares this with the real
//! expansion; `POOL_DERIVE_BLESS=1 cargo test -p pool-derive` regenerates it):
//!
//! ```ignore
#![doc = include_str!("../doc/expansion.rs")]
//! ```
//!
//! * The pool is a plain `static` (`Pool::with_config` and the `PoolConfig`
//!   builders are `const fn`, so there is no `OnceLock`), and next to it a
//!   `thread_local!` slot that `Reset::__thread_slot` hands to the engine: the
//!   pool reaches the calling thread's cache through that static directly,
//!   where a hand-built `Pool<T>` goes through the engine's per-thread table
//!   (an id lookup and a downcast), with fewer instructions per take and
//!   return (measured in the repository's BENCHMARKS.md). A generic
//!   type gets one `thread_local!` for its definition instead, which
//!   `Reset::__generic_slot` hands to the engine (see the derive's docs,
//!   *Generic types*).
//! * Everything lives in `const _: () = { ... }`, names the runtime through
//!   `::poolable::__private01` (versioned; or `#[pool(crate = path)]`) and the standard
//!   library through `::core`, so no name in the caller's scope interferes.
//!
//! # One mistake, one error
//!
//! Attribute mistakes are collected and reported together, each on its
//! argument, next to stub impls so that nothing else fails. A field whose
//! `#[pool(...)]` has a mistake gets no assertion about its type: the typo in
//! `#[pool(skipp)] region: &'static str` is the one error, not also "`&str`
//! is not `Reset`". One plan per field (`plan.rs`: its assertions, bounds,
//! and its part of each generated method) feeds both the expansion and the
//! stubs. Mistakes that need
//! types are assertions in `__CHECK`, each spanned on its field (or on the
//! struct's name for a missing `Default`), with `#[diagnostic::on_unimplemented]`
//! messages that name the fix. Everything else uses a field type `F` as
//! `<[(); __CHECK] as Gate<F>>::Out`: that is `F` once `__CHECK` evaluates, and an
//! error type when one of its assertions failed, and rustc reports nothing about
//! error types. A non-`Send` field therefore yields one error, at the field,
//! instead of a cascade about `Pool<T>: Sync` and the `Poolable: Send` supertrait
//! (the `Poolable` impl's `for<'__a> T: Send` bound is not checked at the impl,
//! only where it is used, which is after `__CHECK`). A `Drop` impl is rejected by a
//! conflicting-impl trait, as pin-project does; rustc owns that message, so the
//! trait's name says what to do.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod plan;

use proc_macro2::TokenStream;

use crate::ast::Input;
use crate::attr::Derive;
use crate::ctxt::Errors;

/// Derives `Reset` and `Poolable`: a field-wise reset and a static pool.
///
/// ```
/// use poolable::Poolable;
///
/// #[derive(Poolable, Default)]
/// #[pool(name = "load_table", max_idle = 256, max_retained_bytes = 1048576)]
/// struct LoadTable {
///     location: String,
///     schemas: Vec<String>,
///     #[pool(skip)]
///     region: &'static str,
/// }
///
/// let mut answer = LoadTable::pooled();
/// answer.location.push_str("s3://warehouse/orders");
/// drop(answer); // reset, back to the pool
/// assert_eq!(LoadTable::pool().name(), "load_table");
/// ```
///
/// # Struct arguments, `#[pool(...)]` on the struct
///
/// | argument | default | meaning |
/// |---|---|---|
/// | `name = "label"` | the struct's name | the `pool` label of its metrics; must not be empty |
/// | `max_idle = N` | 1024 | idle objects the shared store keeps (`PoolConfig::max_idle`) |
/// | `max_retained_bytes = N` | 65536 | objects keeping more heap after their reset are dropped (`oversized`) |
/// | `cache_size = N` | 32 | idle objects each thread's cache keeps (`PoolConfig::cache_size`); 0: none |
/// | `enabled = false` | `true` | the kill switch: every take creates, every return drops (`disabled`) (`PoolConfig::enabled`) |
/// | `new = path` | `Default::default` | the constructor on a miss, a `fn() -> Self` (`Self::new` works); what a reused object is restored to |
/// | `crate = path` | `::poolable` | where generated code finds `poolable` when it is renamed or re-exported |
///
/// `N` is an integer literal or a constant expression of type `usize`.
///
/// # Field arguments, `#[pool(...)]` on a field, at most one
///
/// | argument | the field is |
/// |---|---|
/// | (none) | reset through its own `Reset` (every std collection, scalar, `Option`, `Box`, array, tuple, derived type, recycling collection) |
/// | `skip` | left as it is between users (a `&'static str` set at construction, a counter the service keeps) |
/// | `default` | reset to `Default::default()`, for types without `Reset` (a foreign enum, `&'static str`) |
/// | `reset = path` | reset by `path(&mut field)`, a `fn(&mut T)`, which must leave it as the constructor makes it |
///
/// A reused object equals what the constructor makes, capacity aside (see
/// [`Reset`](https://docs.rs/poolable/latest/poolable/trait.Reset.html#a-reused-object-equals-a-fresh-one)).
///
/// # Generic types
///
/// A type with type or const parameters has one pool per instantiation,
/// made on its first use, with its own counters, configuration and metrics
/// series, labelled with its arguments (module paths left out):
///
/// ```
/// use poolable::{Poolable, Reset};
///
/// #[derive(Reset, Default)]
/// struct Table { name: String }
///
/// #[derive(Poolable, Default)]
/// #[pool(name = "page")]
/// struct Page<T> {
///     items: Vec<T>,
///     next_page_token: Option<String>,
/// }
///
/// let mut page = Page::<Table>::pooled();
/// page.items.push(Table { name: "orders".into() });
/// drop(page);
/// assert_eq!(Page::<Table>::pool().name(), "page<Table>");
/// assert_eq!(Page::<Table>::pool().stats().returns, 1);
/// assert_eq!(Page::<u64>::pool().stats().returns, 0); // another pool
/// ```
///
/// The derive adds the bounds its impls need, as serde does: each type
/// parameter `T: Send + 'static`, `F: Reset` for each field type `F` that
/// names a parameter (`F: Default` for a `#[pool(default)]` one), and
/// `Page<T>: Default` unless `new = path` is given. An instantiation that
/// cannot meet them is an error where it is used, listing the unmet bounds
/// (`Page::<Rc<u8>>::pooled()`: `Rc<u8>: ParamIsSend`, the bound added at
/// `T`, and `Page<Rc<u8>>: Send`).
/// Lifetime parameters are an error: a pooled object outlives every borrow.
///
/// A `static` cannot name a type parameter, so the derive generates one
/// `thread_local!` per generic type *definition*: in it each thread keeps
/// its caches of the instantiations it uses and the pool it last looked
/// up, each found by a downcast (one, for a thread that uses one
/// instantiation of the type; no lock, no allocation after the thread's
/// first use of an instantiation, and a thread that alternates between
/// instantiations still neither locks nor allocates). A take/return cycle
/// through an instantiation's pool costs more instructions than through the
/// pool of the same struct derived without a parameter: the lookup and the
/// downcast.
///
/// # Enums
///
/// A reset gives exactly what the enum's `Default` gives: when the value
/// already is the default variant, its fields are reset in place and keep
/// their allocations (then a field the default sets to something else is
/// restored, as in a struct); otherwise the value is replaced by
/// `Default::default()`. `retained_bytes` counts the current variant's
/// fields. `default` and `reset = path` work on variant fields; `skip` is an
/// error there, as a change of variant keeps nothing.
///
/// ```
/// use poolable::{Poolable, Reset};
///
/// #[derive(Reset, Default, Debug, PartialEq)]
/// enum Body {
///     #[default]
///     Empty,
///     Json(Vec<u8>),
///     Text(String),
/// }
///
/// #[derive(Poolable, Default)]
/// struct Response { status: u16, body: Body }
///
/// let mut response = Response::pooled();
/// response.body = Body::Json(b"{}".to_vec());
/// drop(response);
/// assert_eq!(Response::pooled().body, Body::Empty);
/// ```
///
/// # Compile errors
///
/// A type that implements `Drop`, a borrowing type (lifetime parameters), a
/// union, an enum without `Default`, `skip` on a variant's field, a field that
/// is not `Reset` (without an argument) or not `Send`, no `Default` and no
/// `new`, and unknown, duplicate, conflicting or malformed arguments
/// (`max_idle = -1` names the range of `usize`): each is one error at its
/// token, naming the fix.
#[proc_macro_derive(Poolable, attributes(pool))]
pub fn derive_poolable(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(Derive::Poolable, input.into()).into()
}

/// Derives `Reset` alone, for types nested in pooled ones (no pool, so it
/// may be generic or borrow), on structs and enums (an enum's reset gives its
/// `Default`: see [`Poolable`](derive@Poolable)).
///
/// ```
/// use poolable::{Poolable, Reset};
///
/// #[derive(Reset, Default)]
/// struct Schema { id: u32, fields: Vec<String> }
///
/// #[derive(Poolable, Default)]
/// struct Metadata { schemas: poolable::RecycleVec<Schema> }
/// ```
///
/// The field arguments are those of [`Poolable`](derive@Poolable): `skip`,
/// `default`, `reset = path`; the only struct argument is `crate = path`.
#[proc_macro_derive(Reset, attributes(pool))]
pub fn derive_reset(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(Derive::Reset, input.into()).into()
}

/// Parse, then validate, then expand; on errors, the errors and stub impls.
fn derive(derive: Derive, input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    let input = Input::from_syn(derive, &input, &mut errors);
    check::check(&input, &mut errors);
    match errors.take() {
        None => expand::expand(&input),
        Some(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(expand::stubs(&input));
            tokens
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use quote::quote;

    use super::*;

    /// The expansion shown in the crate docs is what the derive writes:
    /// `POOL_DERIVE_BLESS=1 cargo test -p pool-derive` regenerates it.
    #[test]
    fn documented_expansion_is_current() {
        let expansion = derive(
            Derive::Poolable,
            quote! {
                #[pool(max_idle = 64)]
                struct Request {
                    path: String,
                    #[pool(skip)]
                    region: &'static str,
                }
            },
        );
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/expansion.rs");
        if std::env::var_os("POOL_DERIVE_BLESS").is_some() {
            std::fs::write(&file, expansion.to_string()).unwrap();
            let formatted = std::process::Command::new("rustfmt")
                .args(["--edition", "2021", "--config", "max_width=180"])
                .arg(&file)
                .status();
            assert!(formatted.is_ok_and(|status| status.success()), "rustfmt failed");
        }
        let documented: TokenStream = std::fs::read_to_string(&file).unwrap().parse().unwrap();
        let squash = |tokens: TokenStream| {
            tokens
                .to_string()
                .replace(char::is_whitespace, "")
                .replace(",)", ")")
                .replace(",}", "}")
                .replace(",{", "{")
        };
        assert_eq!(squash(documented), squash(expansion), "run with POOL_DERIVE_BLESS=1");
    }
}
