//! Code generation: the `Reset` impl, the `Poolable` impl with its static
//! pool, and the assertions that turn a wrong field into one spanned error.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{GenericParam, Ident, Path};

use crate::ast::{Derive, Input};
use crate::attr::FieldMode;

/// Tokens that read as generated code (lints skip them) but point at `span`
/// in errors.
fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}

/// `#krate::__private`, the only way generated code names the runtime.
fn private(input: &Input<'_>) -> TokenStream {
    match &input.attrs.krate {
        Some(krate) => quote!(#krate::__private),
        None => quote!(::poolable::__private),
    }
}

/// The impls of a valid input.
pub fn expand(input: &Input<'_>) -> TokenStream {
    let private = private(input);
    let ident = input.ident;
    let params: Vec<Ident> = input
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(def) => Some(def.ident.clone()),
            GenericParam::Const(def) => Some(def.ident.clone()),
            GenericParam::Lifetime(_) => None,
        })
        .collect();

    // Assertions evaluated by `__CHECK`, bounds of generic fields, and the
    // statements of `reset` and `retained_bytes`.
    let mut checks = Vec::new();
    let mut bounds = Vec::new();
    let mut resets = Vec::new();
    let mut retained = Vec::new();
    // `&& ...` terms of `Reset::__small_reset`: whether every field likely
    // resets in a few stores (a speed hint for the engine's return path).
    let mut small = Vec::new();
    for field in &input.fields {
        let span = at(field.span());
        let ty = field.ty;
        let member = &field.member;
        let generic = mentions(ty.to_token_stream(), &params);
        // `F` itself once `__CHECK` has evaluated; an error type (and no
        // further errors) when one of its assertions failed.
        let gated = if generic {
            quote_spanned!(span=> #ty)
        } else {
            quote_spanned!(span=> <[(); __CHECK] as #private::Gate<#ty>>::Out)
        };
        match &field.attrs.mode {
            FieldMode::Reset => {
                if generic {
                    bounds.push(quote_spanned!(span=> #ty: #private::Reset));
                } else {
                    checks.push(quote_spanned!(span=> #private::assert_reset::<#ty>();));
                }
                resets.push(quote_spanned!(span=> <#gated as #private::Reset>::reset(&mut self.#member);));
                retained.push(
                    quote_spanned!(span=> + <#gated as #private::Reset>::retained_bytes(&self.#member)),
                );
                small.push(quote_spanned!(span=> && <#gated as #private::Reset>::__small_reset()));
            }
            FieldMode::Default => {
                if generic {
                    bounds.push(quote_spanned!(span=> #ty: ::core::default::Default));
                } else {
                    checks.push(quote_spanned!(span=> #private::assert_field_default::<#ty>();));
                }
                resets.push(
                    quote_spanned!(span=> self.#member = <#gated as ::core::default::Default>::default();),
                );
                small.push(quote_spanned!(span=> && !::core::mem::needs_drop::<#gated>()));
            }
            FieldMode::With(path) => {
                let span = at(path.span());
                resets.push(quote_spanned!(span=> #path(&mut self.#member);));
                small.push(quote!(&&false));
            }
            FieldMode::Skip => {}
        }
        if input.derive == Derive::Poolable {
            checks.push(quote_spanned!(span=> #private::assert_send::<#ty>();));
        }
    }

    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = match where_clause {
        Some(clause) => clause.predicates.iter().map(|p| quote!(#p)).collect(),
        None => Vec::new(),
    };
    predicates.extend(bounds);
    let where_clause =
        if predicates.is_empty() { TokenStream::new() } else { quote!(where #(#predicates,)*) };
    // A pooled type's own thread-local cache, declared next to its pool, is
    // how the engine's hit path reaches it without a table lookup.
    let thread_slot = match input.derive {
        Derive::Reset => TokenStream::new(),
        Derive::Poolable => quote! {
            #[inline]
            fn __thread_slot() -> ::core::option::Option<#private::TypedSlot<Self>>
            where
                for<'__a> Self: ::core::marker::Send,
            {
                ::core::option::Option::Some(#private::TypedSlot::new(&__LOCAL, &__POOL))
            }
        },
    };
    let reset_impl = quote! {
        #[automatically_derived]
        impl #impl_generics #private::Reset for #ident #ty_generics #where_clause {
            #[inline(always)]
            fn __small_reset() -> ::core::primitive::bool {
                true #(#small)*
            }
            #[inline]
            fn reset(&mut self) {
                #(#resets)*
            }
            #[inline]
            fn retained_bytes(&self) -> ::core::primitive::usize {
                0 #(#retained)*
            }
            #thread_slot
        }
    };

    let pool_impl = match input.derive {
        Derive::Reset => TokenStream::new(),
        Derive::Poolable => {
            let ident_span = at(ident.span());
            let create = match &input.attrs.new {
                Some(path) => replace_self(path, ident),
                None => {
                    checks.push(quote_spanned!(ident_span=> #private::assert_default::<#ident>();));
                    quote_spanned!(ident_span=> <__Gated as ::core::default::Default>::default)
                }
            };
            let label = match &input.attrs.name {
                Some(name) => quote!(#name),
                None => {
                    let name = syn::LitStr::new(&ident.to_string(), ident.span());
                    quote!(#name)
                }
            };
            let max_idle = input.attrs.max_idle.iter();
            let max_retained_bytes = input.attrs.max_retained_bytes.iter();
            let drop_guard = format_ident!(
                "__PoolableTypeMustNotImplementDrop_MoveTheCleanupIntoPoolResetOnAField",
                span = ident_span
            );
            let drop_impl = quote_spanned!(ident_span=> impl #drop_guard for #ident {});
            quote! {
                // Rule 1, as pin-project does it: a type that implements
                // `Drop` gets two impls of this trait, and rustc rejects them.
                #[allow(non_camel_case_types, dead_code)]
                trait #drop_guard {}
                #[allow(drop_bounds, clippy::drop_bounds)]
                impl<__T: ::core::ops::Drop> #drop_guard for __T {}
                #drop_impl

                type __Gated = <[(); __CHECK] as #private::Gate<#ident>>::Out;

                static __POOL: #private::Pool<__Gated> = #private::Pool::<__Gated>::with_config(
                    #create,
                    #private::PoolConfig::new(#label)
                        #(.max_idle(#max_idle))*
                        #(.max_retained_bytes(#max_retained_bytes))*,
                );
                #private::thread_local! {
                    static __LOCAL: #private::ThreadSlot<__Gated> = const { #private::ThreadSlot::new() };
                }

                #[automatically_derived]
                impl #private::Poolable for #ident where for<'__a> #ident: ::core::marker::Send {
                    #[inline]
                    fn pool() -> &'static #private::Pool<Self> {
                        &__POOL
                    }
                }
            }
        }
    };

    quote! {
        const _: () = {
            // Every bound the derive relies on, asserted at the field (or
            // the struct) it comes from.
            #[allow(dead_code)]
            const __CHECK: ::core::primitive::usize = {
                #(#checks)*
                0
            };
            #reset_impl
            #pool_impl
        };
    }
}

/// What is emitted next to `compile_error!`: the impls with stub bodies, so
/// that code using the type reports nothing more.
pub fn stubs(input: &Input<'_>) -> TokenStream {
    let private = private(input);
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let pool_impl = if input.derive == Derive::Poolable && input.generics.params.is_empty() {
        quote! {
            #[automatically_derived]
            impl #private::Poolable for #ident where for<'__a> #ident: ::core::marker::Send {
                fn pool() -> &'static #private::Pool<Self> {
                    ::core::unreachable!()
                }
            }
        }
    } else {
        TokenStream::new()
    };
    // The field assertions still run: one pass reports attribute mistakes
    // and field types together.
    let checks = if input.generics.params.is_empty() { field_checks(input, &private) } else { Vec::new() };
    quote! {
        const _: () = {
            #[allow(dead_code)]
            const __CHECK: ::core::primitive::usize = {
                #(#checks)*
                0
            };
            #[automatically_derived]
            impl #impl_generics #private::Reset for #ident #ty_generics #where_clause {
                fn reset(&mut self) {}
            }
            #pool_impl
        };
    }
}

/// The assertions on concrete field types, spanned on each field.
fn field_checks(input: &Input<'_>, private: &TokenStream) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    for field in &input.fields {
        let span = at(field.span());
        let ty = field.ty;
        match &field.attrs.mode {
            FieldMode::Reset => checks.push(quote_spanned!(span=> #private::assert_reset::<#ty>();)),
            FieldMode::Default => {
                checks.push(quote_spanned!(span=> #private::assert_field_default::<#ty>();))
            }
            FieldMode::With(_) | FieldMode::Skip => {}
        }
        if input.derive == Derive::Poolable {
            checks.push(quote_spanned!(span=> #private::assert_send::<#ty>();));
        }
    }
    checks
}

/// `Self::new` cannot be named from the `static` inside `pool()`: spell the type.
fn replace_self(path: &Path, ident: &Ident) -> TokenStream {
    let mut path = path.clone();
    if let Some(first) = path.segments.first_mut() {
        if first.ident == "Self" {
            first.ident = Ident::new(&ident.to_string(), first.ident.span());
        }
    }
    quote!(#path)
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
