//! The rules the derive enforces itself; the ones that need types (`Reset`,
//! `Send`, `Default`, `Drop`) are assertions in the generated code.

use syn::spanned::Spanned;
use syn::GenericParam;

use crate::ast::{Input, Shape};
use crate::attr::{Derive, FieldMode};
use crate::ctxt::Errors;

/// Checks the input; every violation goes into `errors`.
pub fn check(input: &Input<'_>, errors: &mut Errors) {
    let derive = input.derive.name();
    match &input.shape {
        Shape::Struct(_) => {}
        Shape::Enum(variants) => {
            for field in variants.iter().flat_map(|variant| &variant.fields) {
                if let (FieldMode::Skip, Some(key)) = (&field.attrs.mode, &field.attrs.key) {
                    errors.add(
                        key.span(),
                        "`#[pool(skip)]` has no meaning on a variant's field: a reset that changes \
                         the variant replaces the whole value, so nothing is kept; remove `skip`, or \
                         reset the field with `#[pool(default)]` or `#[pool(reset = path::to::fn)]`",
                    );
                }
            }
        }
        Shape::Union(span) => errors.add(
            *span,
            format!(
                "`#[derive({derive})]` works on structs and enums, not unions: a union cannot say \
                 which field to reset; wrap it in a struct field with `#[pool(reset = path::to::fn)]`"
            ),
        ),
    }
    // A `Reset` alone may borrow; a pool keeps its objects for `'static`.
    if input.derive == Derive::Poolable {
        for param in &input.generics.params {
            if let GenericParam::Lifetime(def) = param {
                errors.add(
                    param.span(),
                    format!(
                        "a pooled type cannot borrow: a pooled object outlives every borrow, as its \
                         pool keeps it for the next user after the guard is dropped; remove `{}` and \
                         own the data (`String` for `&str`, `Vec<T>` for `&[T]`) or borrow `'static` data",
                        def.lifetime
                    ),
                );
            }
        }
    }
}
