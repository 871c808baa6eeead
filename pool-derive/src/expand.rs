//! Code generation: the `Reset` impl, the `Poolable` impl with its pool,
//! and the assertions that turn a wrong field into one spanned error.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{GenericParam, Ident, Path};

use crate::ast::{Field, Input, Shape, Variant};
use crate::attr::Derive;
use crate::plan::{self, at, FieldPlan, Place};

/// The impls of a valid input.
pub fn expand(input: &Input<'_>) -> TokenStream {
    let private = plan::private(input);
    let ident = input.ident;
    let generic = input.is_generic();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let ident_span = at(ident.span());

    // `Self` once `__CHECK` has evaluated (see `Gate`), where `Self` names no
    // parameter; a generic type's bounds are `where` predicates instead.
    let gated_self = if generic {
        quote!(Self)
    } else {
        quote_spanned!(ident_span=> <[(); __CHECK] as #private::Gate<#ident>>::Out)
    };
    let mut checks: Vec<TokenStream> = Vec::new();
    let mut bounds: Vec<TokenStream> = match where_clause {
        Some(clause) => clause.predicates.iter().map(|p| quote!(#p)).collect(),
        None => Vec::new(),
    };
    let mut pool_bounds: Vec<TokenStream> = Vec::new();
    let mut collect = |plan: &FieldPlan, checks: &mut Vec<TokenStream>| {
        checks.extend(plan.checks.iter().cloned());
        bounds.extend(plan.bounds.iter().cloned());
    };

    let body = match &input.shape {
        Shape::Struct(fields) => {
            let fields = plan::fields(input, fields, &private);
            for field in &fields {
                collect(field, &mut checks);
            }
            struct_body(&fields)
        }
        Shape::Enum(variants) => {
            let plans: Vec<VariantPlan> =
                variants.iter().map(|variant| VariantPlan::new(input, variant, &private)).collect();
            for plan in &plans {
                for field in &plan.fields {
                    collect(field, &mut checks);
                }
            }
            // An enum's reset is its `Default`: required of `#[derive(Reset)]`
            // too, and asserted once (the pool's own assertion is left out).
            if generic {
                bounds.push(quote_spanned!(ident_span=> #ident #ty_generics: ::core::default::Default));
            } else {
                checks.push(quote_spanned!(ident_span=> #private::assert_enum_default::<#ident>();));
            }
            enum_body(&plans, &gated_self, &private)
        }
        Shape::Union(_) => unreachable!("rejected by `check`"),
    };

    let where_reset = where_of(&bounds);
    // A concrete pooled type's own thread-local cache, declared next to its
    // pool, is how the engine's hit path reaches it without a table lookup.
    // A generic type has no `static` per instantiation: one thread-local per
    // definition (`__LOCAL`, a `GenericSlot`) holds the caches of its
    // instantiations' pools, and the pool each thread last looked up.
    let thread_slot = match input.derive {
        Derive::Poolable if !generic => quote! {
            #[inline]
            fn __thread_slot() -> ::core::option::Option<#private::TypedSlot<Self>>
            where
                for<'__a> Self: ::core::marker::Send,
            {
                ::core::option::Option::Some(#private::thread_slot(&__LOCAL, &__POOL))
            }
        },
        Derive::Poolable => quote! {
            #[inline]
            fn __generic_slot() -> ::core::option::Option<&'static #private::LocalKey<#private::GenericSlot>> {
                ::core::option::Option::Some(&__LOCAL)
            }
        },
        _ => TokenStream::new(),
    };
    let reset_impl = quote! {
        #[automatically_derived]
        impl #impl_generics #private::Reset for #ident #ty_generics #where_reset {
            #body
            #thread_slot
        }
    };

    let pool_impl = match input.derive {
        Derive::Reset => TokenStream::new(),
        Derive::Poolable => {
            let is_enum = matches!(input.shape, Shape::Enum(..));
            let create = match &input.attrs.new {
                Some(path) if generic => quote!(#path),
                Some(path) => replace_self(path, ident),
                None if generic => {
                    if !is_enum {
                        pool_bounds
                            .push(quote_spanned!(ident_span=> #ident #ty_generics: ::core::default::Default));
                    }
                    quote_spanned!(ident_span=> <Self as ::core::default::Default>::default)
                }
                None => {
                    if !is_enum {
                        checks.push(quote_spanned!(ident_span=> #private::assert_default::<#ident>();));
                    }
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
            let options = quote! {
                #(.max_idle(#max_idle))*
                #(.cache_size(#cache_size))*
                #(.enabled(#enabled))*
                #(.max_retained_bytes(#max_retained_bytes))*
            };
            let drop_guard = format_ident!(
                "__PoolableTypeMustNotImplementDrop_MoveTheCleanupIntoPoolResetOnAField",
                span = ident_span
            );
            let drop_impl = quote_spanned!(ident_span=>
                impl #impl_generics #drop_guard for #ident #ty_generics #where_clause {}
            );
            let drop_rule = quote! {
                // Rule 1, as pin-project does it: a type that implements
                // `Drop` gets two impls of this trait, and rustc rejects them.
                #[allow(non_camel_case_types)]
                trait #drop_guard {}
                #[allow(drop_bounds, clippy::drop_bounds)]
                impl<__T: ::core::ops::Drop> #drop_guard for __T {}
                #drop_impl
            };
            if generic {
                generic_pool(input, &private, &bounds, &pool_bounds, &create, &label, &options, drop_rule)
            } else {
                quote! {
                    #drop_rule

                    type __Gated = <[(); __CHECK] as #private::Gate<#ident>>::Out;

                    static __POOL: #private::Pool<__Gated> = #private::Pool::<__Gated>::with_config(
                        #create,
                        #private::PoolConfig::new(#label) #options,
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
            // the type) it comes from.
            const __CHECK: ::core::primitive::usize = {
                #(#checks)*
                0
            };
            #reset_impl
            #pool_impl
        };
    }
}

/// `where` and the predicates, or nothing.
fn where_of(predicates: &[TokenStream]) -> TokenStream {
    if predicates.is_empty() {
        TokenStream::new()
    } else {
        quote!(where #(#predicates,)*)
    }
}

/// The `Poolable` impl of a generic type: one pool per instantiation, made
/// on its first use (see `generic_pool` in the runtime), labelled with its
/// arguments.
#[allow(clippy::too_many_arguments)]
fn generic_pool(
    input: &Input<'_>,
    private: &TokenStream,
    bounds: &[TokenStream],
    pool_bounds: &[TokenStream],
    create: &TokenStream,
    label: &TokenStream,
    options: &TokenStream,
    drop_rule: TokenStream,
) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let mut predicates = bounds.to_vec();
    let mut args = Vec::new();
    for param in &input.generics.params {
        match param {
            GenericParam::Type(def) => {
                let param = &def.ident;
                let span = at(param.span());
                // A pool and its objects live for `'static`, and may move
                // between threads: spanned at the parameter, where the
                // error of an instantiation that cannot be pooled points.
                predicates.push(quote_spanned!(span=> #param: #private::ParamIsSend + 'static));
                args.push(quote!(.ty::<#param>()));
            }
            GenericParam::Const(def) => {
                let param = &def.ident;
                args.push(quote!(.value(#param)));
            }
            GenericParam::Lifetime(_) => {}
        }
    }
    predicates.extend(pool_bounds.iter().cloned());
    quote! {
        #drop_rule

        #private::thread_local! {
            static __LOCAL: #private::GenericSlot = const { #private::GenericSlot::new() };
        }

        #[automatically_derived]
        impl #impl_generics #private::Poolable for #ident #ty_generics
        where
            #(#predicates,)*
            for<'__a> #ident #ty_generics: ::core::marker::Send,
        {
            #[inline]
            fn pool() -> &'static #private::Pool<Self> {
                #private::generic_pool::<Self>(&__LOCAL, || {
                    #private::Pool::with_config(
                        #create,
                        #private::PoolConfig::named(#private::Label::new(#label) #(#args)* .finish()) #options,
                    )
                })
            }
        }
    }
}

/// The methods of a struct's `Reset`.
fn struct_body(fields: &[FieldPlan]) -> TokenStream {
    let resets = fields.iter().map(|field| &field.reset);
    let retained = fields.iter().map(|field| &field.retained);
    let small = fields.iter().map(|field| &field.small);
    let is_reset = fields.iter().map(|field| &field.is_reset);
    let reset_to = fields.iter().map(|field| &field.reset_to);
    let reset_from = fields.iter().map(|field| &field.reset_from);
    let unlike = fields.iter().map(|field| &field.unlike);
    quote! {
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
    }
}

/// One variant: its patterns, binding each field to `__this_N` (the value
/// being reset) and `__fresh_N` (a fresh value), and its fields' plans.
struct VariantPlan {
    this: TokenStream,
    fresh: TokenStream,
    fields: Vec<FieldPlan>,
    /// The fields' `is_reset` terms on the fresh value's bindings.
    fresh_is_reset: Vec<TokenStream>,
}

impl VariantPlan {
    fn new(input: &Input<'_>, variant: &Variant<'_>, private: &TokenStream) -> Self {
        let name = variant.ident;
        let bindings = |prefix: &str| -> Vec<Ident> {
            (0..variant.fields.len()).map(|index| format_ident!("{prefix}{index}")).collect()
        };
        let (this, fresh) = (bindings("__this_"), bindings("__fresh_"));
        let members = variant.fields.iter().map(|field: &Field<'_>| &field.member);
        let pattern = |names: &[Ident]| {
            let members = members.clone();
            quote!(Self::#name { #(#members: #names),* })
        };
        let fields = variant
            .fields
            .iter()
            .zip(this.iter().zip(&fresh))
            .map(|(field, (this, fresh))| {
                plan::variant_field(input, field, private, &Place::Bound { this, fresh })
            })
            .collect();
        let fresh_is_reset = variant
            .fields
            .iter()
            .zip(&fresh)
            .map(|(field, fresh)| {
                plan::variant_field(input, field, private, &Place::Bound { this: fresh, fresh }).is_reset
            })
            .collect();
        VariantPlan { this: pattern(&this), fresh: pattern(&fresh), fields, fresh_is_reset }
    }
}

/// The methods of an enum's `Reset`: a reset gives what `Default` gives,
/// keeping the fields' allocations when the value already is the default
/// variant, and replacing it otherwise.
fn enum_body(variants: &[VariantPlan], gated_self: &TokenStream, private: &TokenStream) -> TokenStream {
    let this: Vec<&TokenStream> = variants.iter().map(|variant| &variant.this).collect();
    let fresh: Vec<&TokenStream> = variants.iter().map(|variant| &variant.fresh).collect();
    let retained = variants.iter().map(|variant| {
        let terms = variant.fields.iter().map(|field| &field.retained);
        quote!(0 #(#terms)*)
    });
    let is_reset = variants.iter().map(|variant| {
        let terms = variant.fields.iter().map(|field| &field.is_reset);
        let fresh_terms = &variant.fresh_is_reset;
        quote!(true #(#terms)* #(#fresh_terms)*)
    });
    let reset_to = variants.iter().map(|variant| variant.fields.iter().map(|field| &field.reset_to));
    let reset_to = reset_to.map(|terms| quote!(#(#terms)*));
    let reset_from = variants.iter().map(|variant| {
        let terms = variant.fields.iter().map(|field| &field.reset_from);
        quote!(#(#terms)*)
    });
    let unlike = variants.iter().map(|variant| {
        let terms = variant.fields.iter().map(|field| &field.unlike);
        quote!(#(#terms)*)
    });
    quote! {
        // Out of line: a reset makes a default value to compare with.
        #[inline(always)]
        fn __small_reset() -> ::core::primitive::bool {
            false
        }
        #[inline]
        fn reset(&mut self) {
            let __fresh = <#gated_self as ::core::default::Default>::default();
            <Self as #private::Reset>::reset_from(self, __fresh);
        }
        #[inline]
        fn retained_bytes(&self) -> ::core::primitive::usize {
            match self {
                #(#this => #retained,)*
            }
        }
        #[inline]
        fn is_reset(&self) -> ::core::primitive::bool {
            let __fresh = <#gated_self as ::core::default::Default>::default();
            #[allow(unreachable_patterns)]
            match (self, &__fresh) {
                #((#this, #fresh) => #is_reset,)*
                _ => false,
            }
        }
        #[inline]
        #[allow(unused_mut)]
        fn reset_to(&mut self, __fresh: &Self) -> ::core::primitive::bool {
            #[allow(unreachable_patterns)]
            match (self, __fresh) {
                #((#this, #fresh) => {
                    let mut __ok = true;
                    #reset_to
                    __ok
                })*
                _ => false,
            }
        }
        #[inline]
        #[allow(unused_mut)]
        fn reset_from(&mut self, mut __fresh: Self) {
            #[allow(unreachable_patterns)]
            match (&mut *self, &mut __fresh) {
                #((#this, #fresh) => {
                    #reset_from
                    return;
                })*
                _ => {}
            }
            *self = __fresh;
        }
        fn __unlike(&self, __fresh: &Self) -> ::core::option::Option<&'static ::core::primitive::str> {
            #[allow(unreachable_patterns)]
            match (self, __fresh) {
                #((#this, #fresh) => {
                    #unlike
                    ::core::option::Option::None
                })*
                _ => ::core::option::Option::Some("(its variant)"),
            }
        }
    }
}

/// What is emitted next to `compile_error!`: the impls with stub bodies, so
/// that code using the type reports nothing more. The fields' assertions
/// still run: one pass reports attribute mistakes and field types together.
pub fn stubs(input: &Input<'_>) -> TokenStream {
    let private = plan::private(input);
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let borrows = input.generics.lifetimes().next().is_some();
    let pool_impl = if input.derive == Derive::Poolable && !borrows {
        let params = input.generics.type_params().map(|param| &param.ident);
        let predicates = where_clause.iter().flat_map(|clause| &clause.predicates);
        quote! {
            #[automatically_derived]
            impl #impl_generics #private::Poolable for #ident #ty_generics
            where
                #(#predicates,)*
                #(#params: 'static,)*
                for<'__a> #ident #ty_generics: ::core::marker::Send,
            {
                fn pool() -> &'static #private::Pool<Self> {
                    ::core::unreachable!()
                }
            }
        }
    } else {
        TokenStream::new()
    };
    let fields: Vec<FieldPlan> = match &input.shape {
        Shape::Struct(fields) if !borrows => plan::fields(input, fields, &private),
        Shape::Enum(variants) if !borrows => {
            variants.iter().flat_map(|variant| VariantPlan::new(input, variant, &private).fields).collect()
        }
        _ => Vec::new(),
    };
    let checks = fields.iter().flat_map(|field| &field.checks);
    quote! {
        const _: () = {
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

/// `Self::new` cannot be named from the `static` of a concrete type's pool:
/// spell the type.
fn replace_self(path: &Path, ident: &Ident) -> TokenStream {
    let mut path = path.clone();
    if let Some(first) = path.segments.first_mut() {
        if first.ident == "Self" {
            first.ident = Ident::new(&ident.to_string(), first.ident.span());
        }
    }
    quote!(#path)
}
