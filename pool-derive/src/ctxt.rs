//! The error collector of one derive (serde's `Ctxt`): every mistake is
//! pushed here, spanned on its tokens, and all are reported together.

use proc_macro2::Span;

/// Every error of one derive, reported together.
#[derive(Default)]
pub struct Errors {
    errors: Option<syn::Error>,
    count: usize,
}

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.count += 1;
        match &mut self.errors {
            Some(errors) => errors.combine(error),
            None => self.errors = Some(error),
        }
    }

    pub fn add(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// How many errors were pushed so far: a parser compares two readings to
    /// tell whether its part of the input had a mistake.
    pub fn count(&self) -> usize {
        self.count
    }

    pub fn take(self) -> Option<syn::Error> {
        self.errors
    }
}
