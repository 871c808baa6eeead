//! What `#[derive(Poolable)]` and `#[derive(Reset)]` generate code against.
//!
//! Each generated impl first evaluates one constant that asserts, field by
//! field and spanned on the field, every bound the derive needs (`Reset`,
//! `Send`, `Default`). The field types the impls use are then written as
//! `<[(); CHECK] as Gate<F>>::Out`: that is `F` when every assertion holds,
//! and an error type when one failed, so rustc reports the failed assertion
//! once, at its field, and nothing about the pool built on top of it.

use crate::Reset;

/// `<[(); N] as Gate<T>>::Out` is `T` once the constant `N` evaluates.
pub trait Gate<T: ?Sized> {
    /// `T`.
    type Out: ?Sized;
}

impl<T: ?Sized, const N: usize> Gate<T> for [(); N] {
    type Out = T;
}

/// Asserts that a field resets through [`Reset`] (whose own
/// `on_unimplemented` names the three fixes).
pub const fn assert_reset<T: ?Sized + Reset>() {}

/// A field of a pooled type must be `Send`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Send`, so a pooled type cannot hold it",
    label = "this field is not `Send`",
    note = "a pooled object can be taken on one thread and returned on another: use `Arc` instead of `Rc`, `Mutex` or an atomic instead of `Cell`/`RefCell`, or pool the value with a hand-built thread-local cache"
)]
pub trait FieldIsSend {}

impl<T: ?Sized + Send> FieldIsSend for T {}

/// Asserts that a field of a pooled type is `Send`.
pub const fn assert_send<T: ?Sized + FieldIsSend>() {}

/// A `#[pool(default)]` field is reset to `Default::default()`.
#[diagnostic::on_unimplemented(
    message = "`#[pool(default)]` resets this field with `Default::default()`, but `{Self}` does not implement `Default`",
    label = "this field has no `Default`",
    note = "implement `Default` for `{Self}`, or reset the field with `#[pool(reset = path::to::fn)]` (a `fn(&mut {Self})`), or keep it with `#[pool(skip)]`"
)]
pub trait FieldHasDefault {}

impl<T: Default> FieldHasDefault for T {}

/// Asserts that a `#[pool(default)]` field implements `Default`.
pub const fn assert_field_default<T: FieldHasDefault>() {}

/// A pool makes objects on a miss, with `Default::default()` unless told otherwise.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Default`, so its pool cannot make one on a miss",
    label = "no `Default` and no `#[pool(new = ...)]`",
    note = "add `#[derive(Default)]`, or `#[pool(new = path::to::constructor)]` with a `fn() -> {Self}`"
)]
pub trait PoolCanCreate {}

impl<T: Default> PoolCanCreate for T {}

/// Asserts that a pooled type without `#[pool(new = ...)]` implements `Default`.
pub const fn assert_default<T: PoolCanCreate>() {}
