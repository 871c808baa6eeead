//! The rules the derive enforces itself; the ones that need types (`Reset`,
//! `Send`, `Default`, `Drop`) are assertions in the generated code.

use syn::spanned::Spanned;
use syn::GenericParam;

use crate::ast::{Input, Shape};
use crate::attr::Derive;
use crate::ctxt::Errors;

/// Checks the input; every violation goes into `errors`.
pub fn check(input: &Input<'_>, errors: &mut Errors) {
    let derive = input.derive.name();
    match input.shape {
        Shape::Struct => {}
        Shape::Enum(span) => errors.add(
            span,
            format!(
                "`#[derive({derive})]` works on structs, not enums: put the enum in a field of a \
                 pooled struct and reset it with `#[pool(default)]` or `#[pool(reset = path::to::fn)]`"
            ),
        ),
        Shape::Union(span) => errors.add(
            span,
            format!(
                "`#[derive({derive})]` works on structs, not unions: a union cannot say which \
                 field to reset; wrap it in a struct field with `#[pool(reset = path::to::fn)]`"
            ),
        ),
    }
    // A `Reset` alone may be generic; a static pool holds one concrete type.
    if input.derive == Derive::Poolable {
        for param in &input.generics.params {
            let message = match param {
                GenericParam::Lifetime(def) => format!(
                    "a pooled type cannot borrow: its static pool keeps objects for `'static`; \
                     remove `{}` and own the data (`String` for `&str`, `Vec<T>` for `&[T]`) \
                     or borrow `'static` data",
                    def.lifetime
                ),
                GenericParam::Type(def) => format!(
                    "a pooled type cannot be generic: each type has one static pool; remove `{}` \
                     and pool a concrete type, or derive `Reset` and build a `Pool<T>` per \
                     concrete type with `Pool::with_config`",
                    def.ident
                ),
                GenericParam::Const(def) => format!(
                    "a pooled type cannot be generic: each type has one static pool; remove `{}` \
                     and pool a concrete type, or derive `Reset` and build a `Pool<T>` per \
                     concrete type with `Pool::with_config`",
                    def.ident
                ),
            };
            errors.add(param.span(), message);
        }
    }
}
