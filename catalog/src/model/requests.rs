//! The bodies of namespace and table requests (decoded in place into
//! pooled objects) and of their answers (built in pooled builders).

use poolable::{Poolable, RecycleMap, RecycleOption, RecycleVec, Reset};
use serde::{Deserialize, Serialize};

use super::{PartitionSpec, Schema, SortOrder};

/// `{"namespace": ["a", "b"], "properties": {"owner": "x"}}`: the body of
/// `POST /v1/{prefix}/namespaces`, its answer, and the answer of
/// `GET /v1/{prefix}/namespaces/{ns}`.
#[derive(Poolable, Default, Serialize, Deserialize, Debug, PartialEq)]
#[pool(name = "namespace_body")]
pub struct NamespaceBody {
    pub namespace: RecycleVec<String>,
    #[serde(default)]
    pub properties: RecycleMap<String>,
}

/// `POST /v1/{prefix}/namespaces/{ns}/properties`.
#[derive(Poolable, Default, Deserialize, Debug, PartialEq)]
#[pool(name = "update_namespace_properties")]
pub struct UpdateNamespaceProperties {
    #[serde(default)]
    pub removals: RecycleVec<String>,
    #[serde(default)]
    pub updates: RecycleMap<String>,
}

/// Its answer: which keys were set, removed, or asked to be removed but absent.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "update_namespace_properties_response")]
pub struct UpdateNamespacePropertiesResponse {
    pub updated: RecycleVec<String>,
    pub removed: RecycleVec<String>,
    pub missing: RecycleVec<String>,
}

/// `{"namespace": ["analytics"], "name": "orders"}`.
#[derive(Reset, Default, Clone, Serialize, Deserialize, Debug, PartialEq)]
pub struct TableIdentifier {
    pub namespace: RecycleVec<String>,
    pub name: String,
}

/// `POST /v1/{prefix}/namespaces/{ns}/tables`.
#[derive(Poolable, Default, Deserialize, Debug, PartialEq)]
#[pool(name = "create_table_request", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct CreateTableRequest {
    pub name: String,
    #[serde(default)]
    pub location: RecycleOption<String>,
    pub schema: Schema,
    #[serde(default)]
    pub partition_spec: RecycleOption<PartitionSpec>,
    #[serde(default)]
    pub write_order: RecycleOption<SortOrder>,
    #[serde(default)]
    pub stage_create: bool,
    #[serde(default)]
    pub properties: RecycleMap<String>,
}

/// `POST /v1/{prefix}/tables/rename`.
#[derive(Poolable, Default, Deserialize, Debug, PartialEq)]
#[pool(name = "rename_table_request")]
pub struct RenameTableRequest {
    pub source: TableIdentifier,
    pub destination: TableIdentifier,
}

/// `POST /v1/{prefix}/namespaces/{ns}/register`: a table adopted from an
/// existing metadata file.
#[derive(Poolable, Default, Deserialize, Debug, PartialEq)]
#[pool(name = "register_table_request")]
#[serde(rename_all = "kebab-case")]
pub struct RegisterTableRequest {
    pub name: String,
    pub metadata_location: String,
    #[serde(default)]
    pub overwrite: bool,
}
