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
    pub shape: Shape,
    pub attrs: StructAttrs,
    pub fields: Vec<Field<'a>>,
}

/// What kind of item the derive is on.
pub enum Shape {
    /// A struct with named, tuple or no fields.
    Struct,
    /// An enum, spanned on `enum`.
    Enum(Span),
    /// A union, spanned on `union`.
    Union(Span),
}

/// One field of the struct.
pub struct Field<'a> {
    /// `self.#member`.
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
        let (shape, fields) = match &input.data {
            Data::Struct(data) => (Shape::Struct, fields(&data.fields, errors)),
            Data::Enum(data) => (Shape::Enum(data.enum_token.span), Vec::new()),
            Data::Union(data) => (Shape::Union(data.union_token.span), Vec::new()),
        };
        Input { derive, ident: &input.ident, generics: &input.generics, shape, attrs, fields }
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
