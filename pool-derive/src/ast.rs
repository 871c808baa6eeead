//! A typed view of the derive input that keeps the syn nodes for spans.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Member, Type};

use crate::attr::{self, Derive, FieldAttrs, StructAttrs};
use crate::ctxt::Errors;

/// The derive input.
pub struct Input<'a> {
    pub derive: Derive,
    pub ident: &'a Ident,
    pub generics: &'a syn::Generics,
    pub shape: Shape<'a>,
    pub attrs: StructAttrs,
}

/// What kind of item the derive is on, with its fields.
pub enum Shape<'a> {
    /// A struct with named, tuple or no fields.
    Struct(Vec<Field<'a>>),
    /// An enum.
    Enum(Vec<Variant<'a>>),
    /// A union, spanned on `union`.
    Union(Span),
}

/// One variant of an enum.
pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub fields: Vec<Field<'a>>,
}

/// One field of the struct, or of a variant.
pub struct Field<'a> {
    /// `self.#member`, or the name in `V { #member: .. }`.
    pub member: Member,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
}

impl Field<'_> {
    /// Where errors about this field point: its type.
    pub fn span(&self) -> Span {
        self.ty.span()
    }
}

impl<'a> Input<'a> {
    /// Reads the input, collecting every attribute error into `errors`.
    pub fn from_syn(derive: Derive, input: &'a DeriveInput, errors: &mut Errors) -> Self {
        let attrs = attr::struct_attrs(derive, &input.attrs, errors);
        let shape = match &input.data {
            Data::Struct(data) => Shape::Struct(fields(&data.fields, errors)),
            Data::Enum(data) => Shape::Enum(
                data.variants
                    .iter()
                    .map(|variant| Variant { ident: &variant.ident, fields: fields(&variant.fields, errors) })
                    .collect(),
            ),
            Data::Union(data) => Shape::Union(data.union_token.span),
        };
        Input { derive, ident: &input.ident, generics: &input.generics, shape, attrs }
    }

    /// Whether the type has type or const parameters.
    pub fn is_generic(&self) -> bool {
        self.generics.type_params().next().is_some() || self.generics.const_params().next().is_some()
    }
}

fn fields<'a>(fields: &'a Fields, errors: &mut Errors) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| Field {
            member: match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(syn::Index { index: index as u32, span: field.ty.span() }),
            },
            ty: &field.ty,
            attrs: attr::field_attrs(&field.attrs, errors),
        })
        .collect()
}
