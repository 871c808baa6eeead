//! `#[pool(...)]` parsing: every argument is read, and every mistake becomes
//! an error spanned on the argument, so one pass reports them all.

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Lit, LitStr, Meta, Path, Token};

use crate::ctxt::Errors;

/// Which derive is running: both parse the same attributes, only `Poolable`
/// makes a pool.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    Poolable,
    Reset,
}

impl Derive {
    pub fn name(self) -> &'static str {
        match self {
            Derive::Poolable => "Poolable",
            Derive::Reset => "Reset",
        }
    }
}

/// The struct's `#[pool(...)]` arguments.
#[derive(Default)]
pub struct StructAttrs {
    pub name: Option<LitStr>,
    pub max_idle: Option<Expr>,
    pub max_retained_bytes: Option<Expr>,
    pub cache_size: Option<Expr>,
    pub enabled: Option<syn::LitBool>,
    pub new: Option<Path>,
    pub krate: Option<Path>,
}

/// How a field is reset.
#[derive(Default)]
pub enum FieldMode {
    /// Through its own `Reset` impl.
    #[default]
    Reset,
    /// `#[pool(skip)]`: kept as is.
    Skip,
    /// `#[pool(default)]`: `= Default::default()`.
    Default,
    /// `#[pool(reset = path)]`: `path(&mut self.field)`.
    With(Path),
    /// Its `#[pool(...)]` had a mistake, already reported: the field gets
    /// no assertion, so that the mistake stays one error.
    Invalid,
}

/// A field's `#[pool(...)]` arguments.
#[derive(Default)]
pub struct FieldAttrs {
    pub mode: FieldMode,
    /// The argument that set `mode`, for conflict messages.
    pub key: Option<Ident>,
}

const STRUCT_KEYS: &[&str] =
    &["name", "max_idle", "max_retained_bytes", "cache_size", "enabled", "new", "crate"];
const POOL_KEYS: &[&str] = &["name", "max_idle", "max_retained_bytes", "cache_size", "enabled", "new"];
const FIELD_KEYS: &[&str] = &["skip", "default", "reset"];

/// How each argument is written, for messages.
fn example(key: &str) -> &'static str {
    match key {
        "name" => "name = \"table_response\"",
        "max_idle" => "max_idle = 512",
        "max_retained_bytes" => "max_retained_bytes = 65536",
        "cache_size" => "cache_size = 64",
        "enabled" => "enabled = false",
        "new" => "new = path::to::constructor",
        "crate" => "crate = path::to::poolable",
        "skip" => "skip",
        "default" => "default",
        _ => "reset = path::to::fn",
    }
}

/// One `key`, `key = value` or `key(...)` as written.
struct RawArg {
    key: Ident,
    value: Value,
}

enum Value {
    None,
    Eq(Token![=], TokenStream),
    Group(proc_macro2::Group),
}

/// Reads the arguments of every `#[pool(...)]` among `attrs`.
fn raw_args(attrs: &[Attribute], errors: &mut Errors) -> Vec<RawArg> {
    let mut args = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("pool")) {
        let list = match &attr.meta {
            Meta::List(list) => list,
            Meta::Path(path) => {
                errors.add(path.span(), "expected arguments: write `#[pool(...)]`, such as `#[pool(skip)]`");
                continue;
            }
            Meta::NameValue(meta) => {
                errors.add(meta.eq_token.span, "expected `#[pool(...)]`, not `#[pool = ...]`");
                continue;
            }
        };
        let parsed = list.parse_args_with(|input: ParseStream| {
            while !input.is_empty() {
                let key = input.call(Ident::parse_any).map_err(|error| {
                    syn::Error::new(error.span(), "expected an argument, such as `skip` or `max_idle = 512`")
                })?;
                let value = if input.peek(Token![=]) {
                    let eq = input.parse()?;
                    let mut tokens = TokenStream::new();
                    while !input.is_empty() && !input.peek(Token![,]) {
                        tokens.extend([input.parse::<TokenTree>()?]);
                    }
                    Value::Eq(eq, tokens)
                } else if input.peek(syn::token::Paren)
                    || input.peek(syn::token::Bracket)
                    || input.peek(syn::token::Brace)
                {
                    Value::Group(input.parse()?)
                } else {
                    Value::None
                };
                args.push(RawArg { key, value });
                if !input.is_empty() {
                    input.parse::<Token![,]>().map_err(|error| {
                        syn::Error::new(error.span(), "expected `,` between `#[pool(...)]` arguments")
                    })?;
                }
            }
            Ok(())
        });
        if let Err(error) = parsed {
            errors.push(error);
        }
    }
    args
}

/// Parses the struct's `#[pool(...)]`.
pub fn struct_attrs(derive: Derive, attrs: &[Attribute], errors: &mut Errors) -> StructAttrs {
    let mut out = StructAttrs::default();
    for RawArg { key, value } in raw_args(attrs, errors) {
        let name = key.to_string();
        if !STRUCT_KEYS.contains(&name.as_str()) {
            if FIELD_KEYS.contains(&name.as_str()) {
                errors.add(key.span(), format!("`{name}` goes on a field, not on the struct"));
            } else {
                let expected = match derive {
                    Derive::Poolable => STRUCT_KEYS,
                    Derive::Reset => &["crate"],
                };
                unknown(&key, expected, errors);
            }
            continue;
        }
        if derive == Derive::Reset && POOL_KEYS.contains(&name.as_str()) {
            errors.add(
                key.span(),
                format!(
                    "`{name}` configures a pool, and `#[derive(Reset)]` makes none: \
                     derive `Poolable` instead, or remove `{name}`"
                ),
            );
            continue;
        }
        let Some(tokens) = expect_value(&key, value, errors) else { continue };
        match name.as_str() {
            "name" => {
                if let Some(lit) = parse_value::<LitStr>(&key, tokens, "a string literal", errors) {
                    if lit.value().is_empty() {
                        errors.add(
                            lit.span(),
                            "the metrics label must not be empty: `name = \"table_response\"`",
                        );
                    } else {
                        set(&mut out.name, lit, &key, errors);
                    }
                }
            }
            "max_idle" | "max_retained_bytes" | "cache_size" => {
                if let Some(expr) = parse_value::<Expr>(&key, tokens, "an integer", errors) {
                    if let Some(expr) = integer(&key, expr, errors) {
                        let slot = match name.as_str() {
                            "max_idle" => &mut out.max_idle,
                            "cache_size" => &mut out.cache_size,
                            _ => &mut out.max_retained_bytes,
                        };
                        set(slot, expr, &key, errors);
                    }
                }
            }
            "enabled" => {
                if let Some(lit) = parse_value::<syn::LitBool>(&key, tokens, "`true` or `false`", errors) {
                    set(&mut out.enabled, lit, &key, errors);
                }
            }
            "new" => {
                if let Some(path) = parse_value::<Path>(&key, tokens, "a path to a `fn() -> Self`", errors) {
                    set(&mut out.new, path, &key, errors);
                }
            }
            _ => {
                if let Some(path) =
                    parse_value::<Path>(&key, tokens, "a path to the `poolable` crate", errors)
                {
                    set(&mut out.krate, path, &key, errors);
                }
            }
        }
    }
    out
}

/// Parses a field's `#[pool(...)]`.
pub fn field_attrs(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let before = errors.count();
    let mut out = read_field_attrs(attrs, errors);
    if errors.count() != before {
        out.mode = FieldMode::Invalid;
    }
    out
}

fn read_field_attrs(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for RawArg { key, value } in raw_args(attrs, errors) {
        let name = key.to_string();
        let mode = match name.as_str() {
            "skip" | "default" => {
                if !matches!(value, Value::None) {
                    let span = match &value {
                        Value::Eq(eq, _) => eq.span,
                        Value::Group(group) => group.span(),
                        Value::None => key.span(),
                    };
                    errors.add(span, format!("`{name}` takes no value: write `#[pool({name})]`"));
                    continue;
                }
                if name == "skip" {
                    FieldMode::Skip
                } else {
                    FieldMode::Default
                }
            }
            "reset" => {
                let Some(tokens) = expect_value(&key, value, errors) else { continue };
                match parse_value::<Path>(&key, tokens, "a path to a `fn(&mut T)`", errors) {
                    Some(path) => FieldMode::With(path),
                    None => continue,
                }
            }
            _ if STRUCT_KEYS.contains(&name.as_str()) => {
                errors.add(key.span(), format!("`{name}` goes on the struct, not on a field"));
                continue;
            }
            _ => {
                unknown(&key, FIELD_KEYS, errors);
                continue;
            }
        };
        match &out.key {
            Some(first) if *first == key => {
                errors.add(key.span(), format!("duplicate `{name}`: give it once"));
            }
            Some(first) => errors.add(
                key.span(),
                format!(
                    "`{name}` conflicts with `{first}`: a field takes at most one of \
                     `skip`, `default` and `reset = ...`"
                ),
            ),
            None => {
                out.mode = mode;
                out.key = Some(key);
            }
        }
    }
    out
}

/// The tokens after `key =`, or an error saying how to write the argument.
fn expect_value(key: &Ident, value: Value, errors: &mut Errors) -> Option<TokenStream> {
    let name = key.to_string();
    match value {
        Value::Eq(eq, tokens) if tokens.is_empty() => {
            errors.add(eq.span, format!("`{name}` needs a value: write `{}`", example(&name)));
            None
        }
        Value::Eq(_, tokens) => Some(tokens),
        Value::None => {
            errors.add(key.span(), format!("`{name}` needs a value: write `{}`", example(&name)));
            None
        }
        Value::Group(group) => {
            errors.add(group.span(), format!("write `{}`, with `=` and without parentheses", example(&name)));
            None
        }
    }
}

fn parse_value<T: syn::parse::Parse>(
    key: &Ident,
    tokens: TokenStream,
    what: &str,
    errors: &mut Errors,
) -> Option<T> {
    let span = tokens.span();
    match syn::parse2::<T>(tokens) {
        Ok(value) => Some(value),
        Err(_) => {
            let name = key.to_string();
            errors.add(span, format!("`{name}` takes {what}: write `{}`", example(&name)));
            None
        }
    }
}

/// A bound: an integer literal that fits `usize`, or a constant expression.
/// A literal out of that range (negative, too large, a float, suffixed with
/// another type) is an error at the literal that names the range, not
/// rustc's `E0600` about negating a `usize`.
fn integer(key: &Ident, expr: Expr, errors: &mut Errors) -> Option<Expr> {
    let name = key.to_string();
    let range = |span: proc_macro2::Span, errors: &mut Errors| {
        errors.add(
            span,
            format!(
                "`{name}` takes an integer from 0 to {} (a `usize`): write `{}`",
                usize::MAX,
                example(&name)
            ),
        );
    };
    match &expr {
        Expr::Lit(syn::ExprLit { lit, .. }) => {
            let fits = match lit {
                Lit::Int(int) => matches!(int.suffix(), "" | "usize") && int.base10_parse::<usize>().is_ok(),
                _ => false,
            };
            if !fits {
                range(lit.span(), errors);
                return None;
            }
        }
        Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr: operand, .. })
            if matches!(&**operand, Expr::Lit(syn::ExprLit { lit: Lit::Int(_) | Lit::Float(_), .. })) =>
        {
            range(expr.span(), errors);
            return None;
        }
        _ => {}
    }
    Some(expr)
}

fn set<T>(slot: &mut Option<T>, value: T, key: &Ident, errors: &mut Errors) {
    if slot.is_some() {
        errors.add(key.span(), format!("duplicate `{key}`: give it once"));
    } else {
        *slot = Some(value);
    }
}

/// An unknown argument: suggests the closest known one, or lists them.
fn unknown(key: &Ident, expected: &[&str], errors: &mut Errors) {
    let name = key.to_string();
    let close = expected
        .iter()
        .map(|candidate| (distance(&name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min();
    let hint = match close {
        Some((_, candidate)) => format!("did you mean `{candidate}`?"),
        None => {
            let list: Vec<String> = expected.iter().map(|key| format!("`{}`", example(key))).collect();
            format!("expected {}", list.join(", "))
        }
    };
    errors.add(key.span(), format!("unknown argument `{name}` in `#[pool(...)]`: {hint}"));
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb)).min(row[j] + 1).min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}
