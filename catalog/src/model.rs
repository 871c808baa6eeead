//! The table catalog that the `catalog` and `server` binaries and their tests
//! share: an Apache Iceberg REST catalog (format version 2), in memory
//! ([`Catalog`]) or, for the server, in a store (`crate::store`) that
//! answers through the same builders, and the pooled builders it answers
//! with and decodes requests into.
//!
//! A table is stored as its current metadata ([`TableMetadata`], the very
//! type the answers are built in), replaced whole by each commit; an answer
//! is built by writing the stored metadata into `LoadTableResult::pooled()`
//! (a builder that comes back with all its strings and vectors allocated
//! from an earlier request), or into a fresh `LoadTableResult::default()`,
//! which is what a service does without pooling: the code does not change,
//! only where the builder comes from. Its lists are `RecycleVec`s and its
//! string maps `RecycleMap`s, whose elements survive a reset with their
//! strings allocated, so a pooled request allocates next to nothing.

mod catalog;
mod commit;
mod fill;
mod requests;
mod table;
mod types;

use std::fmt;

#[allow(unused_imports)] // each user uses part
pub use catalog::{
    check_commit, check_names, check_namespace, check_namespace_update, key, namespace_body, namespace_list,
    new_table, seeded_tables, table_list, update_properties, Catalog, Page, MEMORY_WAREHOUSE,
};
#[allow(unused_imports)]
pub use commit::{
    apply, apply_create, CommitTableRequest, CommitTableResponse, SnapshotUpdate, TableRequirement,
    TableUpdate,
};
pub use fill::Fill;
#[allow(unused_imports)]
pub use requests::{
    CreateTableRequest, NamespaceBody, RegisterTableRequest, RenameTableRequest, TableIdentifier,
    UpdateNamespaceProperties, UpdateNamespacePropertiesResponse,
};
pub use table::{default_location, TableDef};
#[allow(unused_imports)]
pub use types::{FieldType, NestedType};

use poolable::{Poolable, Pooled, RecycleMap, RecycleOption, RecycleVec, Reset};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Iceberg REST's shapes: built in pooled builders, decoded in place
// ---------------------------------------------------------------------------

/// The answer of `GET /v1/{prefix}/namespaces/{ns}/tables/{table}` in the
/// Iceberg REST catalog API: where the metadata file is, the table
/// metadata, and client config.
///
/// A wide table's builder holds more than the default 64 KiB cap of
/// retained bytes (hundreds of fields, each with a name and a doc), so the
/// cap is raised to 1 MiB: keeping those allocations is the point.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "load_table_result", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct LoadTableResult {
    /// Empty (and then not serialised) for a staged create: the table has
    /// no metadata file yet.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata_location: String,
    pub metadata: TableMetadata,
    pub config: RecycleMap<String>,
}

/// Iceberg table metadata, format version 2: what the catalog stores for a
/// table, and what its answers carry.
#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct TableMetadata {
    pub format_version: u8,
    pub table_uuid: String,
    pub location: String,
    pub last_sequence_number: i64,
    pub last_updated_ms: i64,
    pub last_column_id: i32,
    pub current_schema_id: i32,
    pub schemas: RecycleVec<Schema>,
    pub default_spec_id: i32,
    pub partition_specs: RecycleVec<PartitionSpec>,
    pub last_partition_id: i32,
    pub default_sort_order_id: i32,
    pub sort_orders: RecycleVec<SortOrder>,
    pub properties: RecycleMap<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_snapshot_id: Option<i64>,
    #[serde(default)]
    pub refs: RecycleMap<SnapshotRef>,
    #[serde(default)]
    pub snapshots: RecycleVec<Snapshot>,
    #[serde(default)]
    pub snapshot_log: RecycleVec<SnapshotLogEntry>,
    #[serde(default)]
    pub metadata_log: RecycleVec<MetadataLogEntry>,
}

/// A schema: `{"type": "struct", "schema-id": 0, "fields": [...]}`.
#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Schema {
    /// Always `"struct"`.
    #[serde(rename = "type", default = "struct_type")]
    pub kind: String,
    #[serde(default)]
    pub schema_id: i32,
    #[serde(default)]
    pub identifier_field_ids: Vec<i32>,
    pub fields: RecycleVec<NestedField>,
}

fn struct_type() -> String {
    "struct".to_owned()
}

/// A column of a schema (or a field of a nested struct).
#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
pub struct NestedField {
    pub id: i32,
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// `None` when the column has no doc (then not serialised). A
    /// `RecycleOption` rather than an `Option<String>`, whose reset would
    /// drop the string: here the string stays, empty, while the field reads
    /// as `None`.
    #[serde(default, skip_serializing_if = "RecycleOption::is_none")]
    pub doc: RecycleOption<String>,
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct PartitionSpec {
    #[serde(default)]
    pub spec_id: i32,
    pub fields: RecycleVec<PartitionField>,
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct PartitionField {
    pub source_id: i32,
    /// 0 in a request that leaves it to the catalog (ids start at 1000).
    #[serde(default)]
    pub field_id: i32,
    pub transform: String,
    pub name: String,
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct SortOrder {
    #[serde(default)]
    pub order_id: i32,
    pub fields: RecycleVec<SortField>,
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct SortField {
    pub source_id: i32,
    #[serde(default = "identity")]
    pub transform: String,
    pub direction: String,
    pub null_order: String,
}

fn identity() -> String {
    "identity".to_owned()
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Snapshot {
    pub snapshot_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_snapshot_id: Option<i64>,
    #[serde(default)]
    pub sequence_number: i64,
    pub timestamp_ms: i64,
    pub manifest_list: String,
    #[serde(default)]
    pub summary: RecycleMap<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<i32>,
}

/// A branch or tag: `{"snapshot-id": 1, "type": "branch"}`.
#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct SnapshotRef {
    pub snapshot_id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ref_age_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_snapshot_age_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_snapshots_to_keep: Option<i32>,
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct SnapshotLogEntry {
    pub snapshot_id: i64,
    pub timestamp_ms: i64,
}

#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct MetadataLogEntry {
    pub metadata_file: String,
    pub timestamp_ms: i64,
}

/// `GET /v1/config`: Iceberg REST's `CatalogConfig`, what a client needs
/// before its first request.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "catalog_config")]
pub struct CatalogConfig {
    pub defaults: RecycleMap<String>,
    pub overrides: RecycleMap<String>,
    /// The routes this catalog serves, as Iceberg spells them.
    pub endpoints: Vec<&'static str>,
}

/// `GET /v1/{prefix}/namespaces`: Iceberg REST's `ListNamespacesResponse`.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "list_namespaces_response")]
#[serde(rename_all = "kebab-case")]
pub struct ListNamespacesResponse {
    /// Each namespace as its list of levels.
    pub namespaces: RecycleVec<RecycleVec<String>>,
    #[serde(skip_serializing_if = "RecycleOption::is_none")]
    pub next_page_token: RecycleOption<String>,
}

/// `GET /v1/{prefix}/namespaces/{ns}/tables`: Iceberg REST's `ListTablesResponse`.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "list_tables_response")]
#[serde(rename_all = "kebab-case")]
pub struct ListTablesResponse {
    pub identifiers: RecycleVec<TableIdentifier>,
    #[serde(skip_serializing_if = "RecycleOption::is_none")]
    pub next_page_token: RecycleOption<String>,
}

/// The prefix `/v1/config` gives clients (`/v1/{prefix}/namespaces`...);
/// the routes without it are served too.
pub const PREFIX: &str = "iceberg";

/// The routes `CatalogConfig` lists, in the spec's form.
pub const ENDPOINTS: [&str; 14] = [
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/tables/rename",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
];

// ---------------------------------------------------------------------------
// Errors: Iceberg REST's `ErrorModel`
// ---------------------------------------------------------------------------

/// The body of every error answer, Iceberg REST's `ErrorModel`:
/// `{"error": {"message": "...", "type": "NoSuchTableException", "code": 404}}`.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "error_response")]
pub struct ErrorResponse {
    pub error: ErrorModel,
}

#[derive(Reset, Default, Serialize, Debug)]
pub struct ErrorModel {
    pub message: String,
    #[pool(default)]
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub code: u16,
}

/// Why the catalog refused a request, with the status and exception type
/// Iceberg's clients map to their own exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
}

impl CatalogError {
    fn new(status: u16, kind: &'static str, message: String) -> Self {
        CatalogError { status, kind, message }
    }

    /// 400: a request no table could accept.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequestException", message.into())
    }

    /// 400: a name this catalog does not accept.
    pub fn bad_name(namespace: &str, table: &str) -> Self {
        Self::bad_request(format!(
            "Invalid namespace or table name ({}, {}): names are 1 to 128 ASCII letters, digits or '_'",
            echo(namespace),
            echo(table)
        ))
    }

    /// 404
    pub fn no_such_namespace(namespace: &str) -> Self {
        Self::new(404, "NoSuchNamespaceException", format!("Namespace does not exist: {}", shown(namespace)))
    }

    /// 404
    pub fn no_such_table(namespace: &str, table: &str) -> Self {
        Self::new(404, "NoSuchTableException", format!("Table does not exist: {}.{table}", shown(namespace)))
    }

    /// 409
    pub fn namespace_exists(namespace: &str) -> Self {
        Self::new(409, "AlreadyExistsException", format!("Namespace already exists: {}", shown(namespace)))
    }

    /// 409
    pub fn table_exists(namespace: &str, table: &str) -> Self {
        Self::new(
            409,
            "AlreadyExistsException",
            format!("Table already exists: {}.{table}", shown(namespace)),
        )
    }

    /// 409
    pub fn namespace_not_empty(namespace: &str, tables: usize) -> Self {
        Self::new(
            409,
            "NamespaceNotEmptyException",
            format!("Namespace {} is not empty: {tables} tables", shown(namespace)),
        )
    }

    /// 409: a requirement the table does not meet; the client retries on
    /// fresh metadata.
    pub fn commit_failed(message: impl Into<String>) -> Self {
        Self::new(409, "CommitFailedException", message.into())
    }

    /// 500: the store or the file system failed; nothing was acknowledged.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerError", message.into())
    }

    /// The error answer's body, built in a pooled builder.
    pub fn answer(&self) -> Pooled<ErrorResponse> {
        let mut response = ErrorResponse::pooled();
        response.error.code = self.status;
        response.error.kind = self.kind;
        response.error.message.push_str(&self.message);
        response
    }
}

impl std::error::Error for CatalogError {}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.kind, self.message)
    }
}

/// A namespace key (levels joined by U+001F, as the REST paths carry them)
/// as a reader expects it: `a.b`.
fn shown(namespace: &str) -> String {
    namespace.replace(NAMESPACE_SEPARATOR, ".")
}

/// `namespace.table` as a reader expects it.
pub fn shown_name(namespace: &str, table: &str) -> String {
    format!("{}.{table}", shown(namespace))
}

/// Between the levels of a namespace in a path (`a%1Fb`).
pub const NAMESPACE_SEPARATOR: char = '\u{1f}';

/// How much of a client's input an error message quotes.
pub const MAX_ECHO: usize = 64;

/// A client's input as an error message quotes it: escaped (`{:?}`), and
/// cut after [`MAX_ECHO`] bytes, so that a 60 KB name is not sent back whole.
pub fn echo(input: &str) -> Echo<'_> {
    Echo(input)
}

/// See [`echo`].
pub struct Echo<'a>(&'a str);

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = self.0;
        if input.len() <= MAX_ECHO {
            return write!(f, "{input:?}");
        }
        let end = (0..=MAX_ECHO).rev().find(|&i| input.is_char_boundary(i)).unwrap_or(0);
        write!(f, "{:?}... ({} bytes)", &input[..end], input.len())
    }
}

/// Whether `name` is a namespace level or table name this catalog accepts.
pub fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `namespace` (levels joined by U+001F) is one this catalog accepts.
pub fn valid_namespace(namespace: &str) -> bool {
    namespace.split(NAMESPACE_SEPARATOR).all(valid_name)
}
