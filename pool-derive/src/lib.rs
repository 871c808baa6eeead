//! `#[derive(Poolable)]` and `#[derive(Reset)]` for
//! [poolable](https://docs.rs/poolable); use them through the `poolable` crate.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ast;
mod attr;
mod check;
mod expand;

use proc_macro2::TokenStream;

use crate::ast::{Derive, Errors, Input};

/// Derives `Reset` and `Poolable`: a field-wise reset and a static pool.
#[proc_macro_derive(Poolable, attributes(pool))]
pub fn derive_poolable(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(Derive::Poolable, input.into()).into()
}

/// Derives `Reset` alone, for types nested in pooled ones.
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
