//! The order-list builder of `benches/nested.rs` and
//! `tests/nested_allocations.rs`: a response of 50 orders, each with 3 line
//! items, 2 tags and 3 metadata entries, and a next-page token, built as a
//! service builds it and serialised to JSON.
//!
//! The same shape in two spellings: [`PlainOrderList`], the natural struct
//! (`Vec`, `HashMap`, `Option`), and [`RecycledOrderList`], the recycling one
//! (`RecycleVec`, `RecycleMap`, `RecycleOption`). Both derive `Poolable`;
//! one [`fill!`](crate::fill) writes either.

use std::collections::HashMap;

use poolable::{Poolable, RecycleMap, RecycleOption, RecycleVec, Reset};
use serde::Serialize;

/// Orders per response.
pub const ORDERS: usize = 50;
/// Line items per order.
pub const LINE_ITEMS: usize = 3;
/// Tags per order.
pub const TAGS: usize = 2;
/// Metadata entries per order.
pub const METADATA: usize = 3;

// ---------------------------------------------------------------------------
// The natural struct
// ---------------------------------------------------------------------------

#[derive(Poolable, Default, Serialize, Debug, PartialEq)]
#[pool(name = "plain_order_list", max_retained_bytes = 1048576)]
pub struct PlainOrderList {
    pub orders: Vec<PlainOrder>,
    pub next_page_token: Option<String>,
    pub total: u64,
}

#[derive(Reset, Default, Serialize, Debug, PartialEq)]
pub struct PlainOrder {
    pub id: u64,
    pub customer: String,
    pub status: String,
    pub line_items: Vec<LineItem>,
    pub tags: Vec<String>,
    pub metadata: HashMap<String, String>,
}

// ---------------------------------------------------------------------------
// The recycling struct
// ---------------------------------------------------------------------------

#[derive(Poolable, Default, Serialize, Debug, PartialEq)]
#[pool(name = "recycled_order_list", max_retained_bytes = 1048576)]
pub struct RecycledOrderList {
    pub orders: RecycleVec<RecycledOrder>,
    pub next_page_token: RecycleOption<String>,
    pub total: u64,
}

#[derive(Reset, Default, Serialize, Debug, PartialEq)]
pub struct RecycledOrder {
    pub id: u64,
    pub customer: String,
    pub status: String,
    pub line_items: RecycleVec<LineItem>,
    pub tags: RecycleVec<String>,
    pub metadata: RecycleMap<String>,
}

#[derive(Reset, Default, Serialize, Debug, PartialEq)]
pub struct LineItem {
    pub sku: String,
    pub quantity: u32,
    pub price_cents: u64,
}

// ---------------------------------------------------------------------------
// One way to fill both
// ---------------------------------------------------------------------------

/// What both spellings of a collection offer the fill: an element to write
/// into, and a map value by key.
pub trait Collection {
    type Item;
    /// A new element at the end, as `Default` makes it (or a kept one, reset).
    fn next(&mut self) -> &mut Self::Item;
}

impl<T: Default> Collection for Vec<T> {
    type Item = T;
    fn next(&mut self) -> &mut T {
        self.push(T::default());
        self.last_mut().expect("just pushed")
    }
}

impl<T: Reset + Default> Collection for RecycleVec<T> {
    type Item = T;
    fn next(&mut self) -> &mut T {
        self.add()
    }
}

/// A string-keyed map of strings.
pub trait Map {
    /// The value of `key`, inserted empty if absent.
    fn value(&mut self, key: &str) -> &mut String;
}

impl Map for HashMap<String, String> {
    fn value(&mut self, key: &str) -> &mut String {
        self.entry(key.to_owned()).or_default()
    }
}

impl Map for RecycleMap<String> {
    fn value(&mut self, key: &str) -> &mut String {
        self.entry(key)
    }
}

/// An optional string.
pub trait OptionalString {
    /// The string, set to present (empty if it was absent).
    fn present(&mut self) -> &mut String;
}

impl OptionalString for Option<String> {
    fn present(&mut self) -> &mut String {
        self.get_or_insert_with(String::new)
    }
}

impl OptionalString for RecycleOption<String> {
    fn present(&mut self) -> &mut String {
        self.get_or_insert_default()
    }
}

/// A page of orders as a service's store holds them.
pub struct Source {
    pub orders: Vec<SourceOrder>,
    pub next_page_token: String,
}

pub struct SourceOrder {
    pub id: u64,
    pub customer: String,
    pub status: &'static str,
    pub line_items: Vec<(String, u32, u64)>,
    pub tags: [&'static str; TAGS],
    pub metadata: [(&'static str, String); METADATA],
}

const STATUSES: [&str; 4] = ["pending", "paid", "shipped", "delivered"];
const TAG_NAMES: [&str; 5] = ["priority", "gift", "wholesale", "returning", "eu"];

impl Source {
    /// A deterministic page: page `page` of a customer's order history.
    pub fn page(page: u64) -> Source {
        let orders = (0..ORDERS as u64)
            .map(|n| {
                let id = page * 1_000 + n;
                SourceOrder {
                    id,
                    customer: format!("customer-{:06}@example.com", id * 7 % 100_003),
                    status: STATUSES[(id % 4) as usize],
                    line_items: (0..LINE_ITEMS as u64)
                        .map(|i| {
                            (
                                format!("SKU-{:05}-{}", (id * 31 + i) % 99_991, i),
                                1 + (i as u32),
                                499 + i * 250,
                            )
                        })
                        .collect(),
                    tags: [TAG_NAMES[(id % 5) as usize], TAG_NAMES[((id + 2) % 5) as usize]],
                    metadata: [
                        ("channel", if id % 2 == 0 { "web" } else { "mobile" }.to_owned()),
                        ("warehouse", format!("wh-{}", id % 7)),
                        ("campaign", format!("spring-{}", id % 3)),
                    ],
                }
            })
            .collect();
        Source { orders, next_page_token: format!("eyJwYWdlIjo{page:08}fQ") }
    }
}

/// Builds the response for `$source` into `$list` (either spelling), which
/// must be as `Default` makes it: fresh, or taken from its pool.
#[macro_export]
macro_rules! fill {
    ($list:expr, $source:expr) => {{
        use $crate::order_list::{Collection as _, Map as _, OptionalString as _};
        let list = $list;
        let source: &$crate::order_list::Source = $source;
        for src in &source.orders {
            let order = list.orders.next();
            order.id = src.id;
            order.customer.push_str(&src.customer);
            order.status.push_str(src.status);
            for (sku, quantity, price_cents) in &src.line_items {
                let item = order.line_items.next();
                item.sku.push_str(sku);
                item.quantity = *quantity;
                item.price_cents = *price_cents;
            }
            for tag in src.tags {
                order.tags.next().push_str(tag);
            }
            for (key, value) in &src.metadata {
                order.metadata.value(key).push_str(value);
            }
        }
        list.next_page_token.present().push_str(&source.next_page_token);
        list.total = 1_000;
    }};
}
