//! Code generation: the `Reset` impl, the `Poolable` impl with its static
//! pool, and the assertions that turn a wrong field into one spanned error.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, Path};

use crate::ast::Input;
use crate::attr::Derive;
use crate::plan::{self, at, FieldPlan};

/// The impls of a valid input.
pub fn expand(input: &Input<'_>) -> TokenStream {
    let private = plan::private(input);
    let ident = input.ident;
    let fields = plan::fields(input, &private);
    let mut checks: Vec<&TokenStream> = fields.iter().flat_map(|field| &field.checks).collect();
    let bounds = fields.iter().flat_map(|field| &field.bounds);
    let resets = fields.iter().map(|field| &field.reset);
    let retained = fields.iter().map(|field| &field.retained);
    let small = fields.iter().map(|field| &field.small);
    let is_reset = fields.iter().map(|field| &field.is_reset);
    let reset_to = fields.iter().map(|field| &field.reset_to);
    let reset_from = fields.iter().map(|field| &field.reset_from);
    let unlike = fields.iter().map(|field| &field.unlike);

    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = match where_clause {
        Some(clause) => clause.predicates.iter().map(|p| quote!(#p)).collect(),
        None => Vec::new(),
    };
    predicates.extend(bounds.cloned());
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
                ::core::option::Option::Some(#private::thread_slot(&__LOCAL, &__POOL))
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
            #[inline]
            fn is_reset(&self) -> ::core::primitive::bool {
                true #(#is_reset)*
            }
            #[inline]
            fn reset_to(&mut self, __fresh: &Self) -> ::core::primitive::bool {
                let mut __ok = true;
                #(#reset_to)*
                __ok
            }
            #[inline]
            #[allow(unused_mut)]
            fn reset_from(&mut self, mut __fresh: Self) {
                #(#reset_from)*
            }
            fn __unlike(&self, __fresh: &Self) -> ::core::option::Option<&'static ::core::primitive::str> {
                #(#unlike)*
                ::core::option::Option::None
            }
            #thread_slot
        }
    };

    let ident_span = at(ident.span());
    let assert_default = quote_spanned!(ident_span=> #private::assert_default::<#ident>(););
    let pool_impl = match input.derive {
        Derive::Reset => TokenStream::new(),
        Derive::Poolable => {
            let create = match &input.attrs.new {
                Some(path) => replace_self(path, ident),
                None => {
                    checks.push(&assert_default);
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
            let cache_size = input.attrs.cache_size.iter();
            let enabled = input.attrs.enabled.iter();
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
                        #(.cache_size(#cache_size))*
                        #(.enabled(#enabled))*
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
            // `reset_to` and `is_reset` ask of some fields whether their type
            // is `Clone` or `PartialEq` (see `Probe`).
            #[allow(unused_imports)]
            use #private::{
                CloneProbe as _, EqProbe as _, NoCloneProbe as _, NoEqProbe as _, NoPartialEqProbe as _,
                PartialEqProbe as _,
            };
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
/// that code using the type reports nothing more. The fields' assertions
/// still run: one pass reports attribute mistakes and field types together.
pub fn stubs(input: &Input<'_>) -> TokenStream {
    let private = plan::private(input);
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let concrete = input.generics.params.is_empty();
    let pool_impl = if input.derive == Derive::Poolable && concrete {
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
    let fields: Vec<FieldPlan> = if concrete { plan::fields(input, &private) } else { Vec::new() };
    let checks = fields.iter().flat_map(|field| &field.checks);
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
