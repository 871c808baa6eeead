//! One plan per field: what the derive asserts about it, what bound a
//! generic field adds, and the pieces of each generated method. Both the
//! real expansion and the error stubs are built from it, so they cannot
//! disagree about what a field needs.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{GenericParam, Ident};

use crate::ast::{Field, Input};
use crate::attr::{Derive, FieldMode};

/// Tokens that read as generated code (lints skip them) but point at `span`
/// in errors.
pub fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}

/// `#krate::__private01`, the only way generated code names the runtime
/// (versioned: see `__private01` in pool-runtime).
pub fn private(input: &Input<'_>) -> TokenStream {
    match &input.attrs.krate {
        Some(krate) => quote!(#krate::__private01),
        None => quote!(::poolable::__private01),
    }
}

/// What the derive writes for one field.
#[derive(Default)]
pub struct FieldPlan {
    /// Statements of `__CHECK`: assertions on a concrete field type,
    /// spanned on the field.
    pub checks: Vec<TokenStream>,
    /// `where` predicates of a field whose type names a generic parameter
    /// (those cannot be asserted in a constant).
    pub bounds: Vec<TokenStream>,
    /// A statement of `reset`.
    pub reset: TokenStream,
    /// A `+ ...` term of `retained_bytes`.
    pub retained: TokenStream,
    /// A `&& ...` term of `__small_reset`: whether the field likely resets
    /// in a few stores (a speed hint for the engine's return path).
    pub small: TokenStream,
    /// A `&& ...` term of `is_reset`.
    pub is_reset: TokenStream,
    /// The statement of `__unlike` (the reset check of debug builds) that
    /// names the field if it differs from the fresh object's.
    pub unlike: TokenStream,
    /// A statement of `reset_to`, which clears `__ok` if the field could not
    /// be restored in place from `__fresh`.
    pub reset_to: TokenStream,
    /// A statement of `reset_from`: restores the field in place from
    /// `__fresh`, or takes `__fresh`'s value of it.
    pub reset_from: TokenStream,
}

/// Where a field's plan finds the field: `self.field` and `__fresh.field` in
/// a struct, or the bindings of a variant's pattern (`__this_0`, `__fresh_0`:
/// references, so the places are `(*__this_0)`).
pub enum Place<'a> {
    Struct,
    Bound { this: &'a Ident, fresh: &'a Ident },
}

/// The plans of every field of a struct, in order.
pub fn fields(input: &Input<'_>, fields: &[Field<'_>], private: &TokenStream) -> Vec<FieldPlan> {
    let params = type_params(input);
    fields.iter().map(|field| plan(input.derive, field, &params, private, &Place::Struct)).collect()
}

/// The plan of one field of a variant, bound as `place` says.
pub fn variant_field(
    input: &Input<'_>,
    field: &Field<'_>,
    private: &TokenStream,
    place: &Place<'_>,
) -> FieldPlan {
    plan(input.derive, field, &type_params(input), private, place)
}

fn plan(
    derive: Derive,
    field: &Field<'_>,
    params: &[Ident],
    private: &TokenStream,
    place: &Place<'_>,
) -> FieldPlan {
    let span = at(field.span());
    let ty = field.ty;
    let member = &field.member;
    // Spanned where errors about the field's use should point.
    let places = |span: Span| match place {
        Place::Struct => (quote_spanned!(span=> self.#member), quote_spanned!(span=> __fresh.#member)),
        Place::Bound { this, fresh } => (quote_spanned!(span=> (*#this)), quote_spanned!(span=> (*#fresh))),
    };
    let (this, fresh) = places(span);
    let generic = mentions(ty.to_token_stream(), params);
    // `F` itself once `__CHECK` has evaluated; an error type (and no further
    // errors) when one of its assertions failed.
    let gated = if generic {
        quote_spanned!(span=> #ty)
    } else {
        quote_spanned!(span=> <[(); __CHECK] as #private::Gate<#ty>>::Out)
    };
    let mut plan = FieldPlan::default();
    // Restores from `__fresh` by `Clone::clone_from` where the type has it.
    let clone_from = quote_spanned!(span=> (&#private::Probe(&#fresh)).__clone_into(&mut #this));
    match &field.attrs.mode {
        FieldMode::Reset => {
            let reset = quote_spanned!(span=> <#gated as #private::Reset>);
            if generic {
                plan.bounds.push(quote_spanned!(span=> #ty: #private::Reset));
            } else {
                plan.checks.push(quote_spanned!(span=> #private::assert_reset::<#ty>();));
            }
            plan.reset = quote_spanned!(span=> #reset::reset(&mut #this););
            plan.retained = quote_spanned!(span=> + #reset::retained_bytes(&#this));
            plan.small = quote_spanned!(span=> && #reset::__small_reset());
            plan.is_reset = quote_spanned!(span=> && #reset::is_reset(&#this));
            plan.restore(
                quote_spanned!(span=> #reset::reset_to(&mut #this, &#fresh) || #clone_from),
                &this,
                &fresh,
                span,
            );
        }
        FieldMode::Default => {
            if generic {
                plan.bounds.push(quote_spanned!(span=> #ty: ::core::default::Default));
            } else {
                plan.checks.push(quote_spanned!(span=> #private::assert_field_default::<#ty>();));
            }
            let default = quote_spanned!(span=> <#gated as ::core::default::Default>::default());
            plan.reset = quote_spanned!(span=> #this = #default;);
            plan.small = quote_spanned!(span=> && !::core::mem::needs_drop::<#gated>());
            // A type without `PartialEq` (or a generic one, which the probes
            // cannot see into) cannot tell whether the constructor's value
            // is its `Default`: taken as not, so that the pool restores it,
            // by `clone_from` or from a new value.
            let is_default = |value: TokenStream| quote_spanned!(span=> (&#private::Probe(&#value)).__is_default().unwrap_or(false));
            let self_is_default = is_default(quote!(#this));
            let fresh_is_default = is_default(quote!(#fresh));
            plan.is_reset = quote_spanned!(span=> && #self_is_default);
            plan.restore(
                quote_spanned!(span=> #clone_from || {
                    #this = #default;
                    #fresh_is_default
                }),
                &this,
                &fresh,
                span,
            );
        }
        FieldMode::With(path) => {
            // The function restores the field as the constructor makes it.
            let span = at(path.span());
            let (this, fresh) = places(span);
            plan.reset = quote_spanned!(span=> #path(&mut #this););
            plan.small = quote!(&&false);
            plan.restore(quote_spanned!(span=> { #path(&mut #this); true }), &this, &fresh, span);
        }
        FieldMode::Skip | FieldMode::Invalid => {}
    }
    if !matches!(field.attrs.mode, FieldMode::Skip | FieldMode::Invalid) {
        let name = match member {
            syn::Member::Named(ident) => ident.unraw().to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        plan.unlike = quote_spanned!(span=>
            if !(&#private::Probe(&#this)).__equals(&#fresh) {
                return ::core::option::Option::Some(#name);
            }
        );
    }
    if derive == Derive::Poolable && !matches!(field.attrs.mode, FieldMode::Invalid) {
        // A generic field's `Send` is the `Poolable` impl's `Self: Send`.
        if !generic {
            plan.checks.push(quote_spanned!(span=> #private::assert_send::<#ty>();));
        }
    }
    plan
}

impl FieldPlan {
    /// Sets `reset_to` and `reset_from` from `restored`, a `bool` expression
    /// that restores the field in place from `__fresh` and tells whether it
    /// could.
    fn restore(&mut self, restored: TokenStream, this: &TokenStream, fresh: &TokenStream, span: Span) {
        self.reset_to = quote_spanned!(span=> __ok &= #restored;);
        self.reset_from = quote_spanned!(span=>
            if !(#restored) {
                ::core::mem::swap(&mut #this, &mut #fresh);
            }
        );
    }
}

/// The struct's type and const parameters.
fn type_params(input: &Input<'_>) -> Vec<Ident> {
    input
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(def) => Some(def.ident.clone()),
            GenericParam::Const(def) => Some(def.ident.clone()),
            GenericParam::Lifetime(_) => None,
        })
        .collect()
}

/// Whether a field type names one of the struct's type or const parameters.
fn mentions(tokens: TokenStream, params: &[Ident]) -> bool {
    !params.is_empty()
        && tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => params.contains(&ident),
            TokenTree::Group(group) => mentions(group.stream(), params),
            _ => false,
        })
}
