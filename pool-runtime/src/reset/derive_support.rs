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

/// A type argument of a generic pooled type: its pool keeps objects for
/// `'static` and hands them to any thread.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Send`, so a generic pooled type cannot be pooled with it as a type argument",
    label = "`{Self}` is not `Send`",
    note = "a pooled object can be taken on one thread and returned on another: use `Arc` instead of `Rc`, `Mutex` or an atomic instead of `Cell`/`RefCell`"
)]
pub trait ParamIsSend {}

impl<T: ?Sized + Send> ParamIsSend for T {}

/// An enum's reset gives what its `Default` gives.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Default`, so a reset cannot tell which variant a fresh value is",
    label = "no `Default`",
    note = "add `#[derive(Default)]` and mark the variant a fresh value has with `#[default]`, or implement `Default` for `{Self}`"
)]
pub trait EnumHasDefault {}

impl<T: Default> EnumHasDefault for T {}

/// Asserts that an enum deriving `Reset` or `Poolable` implements `Default`.
pub const fn assert_enum_default<T: EnumHasDefault>() {}

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

/// `(&Probe(&value)).__clone_into(&mut field)`: the derive's way to ask
/// "is this field's type `Clone`?" of a concrete type without a bound
/// (autoref specialisation: [`CloneProbe`] is found before
/// [`NoCloneProbe`], which method lookup reaches only through one more
/// `&`). Both traits must be in scope, as `use ... as _`.
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// A `Clone` field is restored by `clone_from`, which keeps its allocations.
pub trait CloneProbe<T> {
    /// Copies the probed value into `to`; `true`.
    fn __clone_into(&self, to: &mut T) -> bool;
}

impl<T: Clone> CloneProbe<T> for Probe<'_, T> {
    #[inline]
    fn __clone_into(&self, to: &mut T) -> bool {
        to.clone_from(self.0);
        true
    }
}

/// Any other field cannot be copied: `false`.
pub trait NoCloneProbe<T> {
    /// `false`: nothing copied.
    fn __clone_into(&self, to: &mut T) -> bool;
}

impl<T> NoCloneProbe<T> for &Probe<'_, T> {
    #[inline]
    fn __clone_into(&self, _: &mut T) -> bool {
        false
    }
}

/// `self == other` where the field's type is `PartialEq`: for the reset
/// check of debug builds (`Reset::__unlike`).
pub trait PartialEqProbe<T> {
    /// Whether the two values are equal.
    fn __equals(&self, other: &T) -> bool;
}

impl<T: PartialEq> PartialEqProbe<T> for Probe<'_, T> {
    #[inline]
    fn __equals(&self, other: &T) -> bool {
        // A value unequal to itself (a NaN) says nothing: not a difference.
        #[allow(clippy::eq_op)]
        let unknowable = self.0 != self.0;
        self.0 == other || unknowable
    }
}

/// A type without `PartialEq` cannot tell: `true`, nothing to report.
pub trait NoPartialEqProbe<T> {
    /// `true`.
    fn __equals(&self, other: &T) -> bool;
}

impl<T> NoPartialEqProbe<T> for &Probe<'_, T> {
    #[inline]
    fn __equals(&self, _: &T) -> bool {
        true
    }
}

/// Whether a `#[pool(default)]` field equals `Default::default()`, for a
/// `PartialEq` type.
pub trait EqProbe {
    /// `Some(value == Default::default())`.
    fn __is_default(&self) -> Option<bool>;
}

impl<T: PartialEq + Default> EqProbe for Probe<'_, T> {
    #[inline]
    fn __is_default(&self) -> Option<bool> {
        Some(*self.0 == T::default())
    }
}

/// A type without `PartialEq` cannot tell: `None`.
pub trait NoEqProbe {
    /// `None`.
    fn __is_default(&self) -> Option<bool>;
}

impl<T> NoEqProbe for &Probe<'_, T> {
    #[inline]
    fn __is_default(&self) -> Option<bool> {
        None
    }
}
