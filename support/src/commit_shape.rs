//! An Iceberg-commit-shaped request and its answer, as a service pools them
//! (recycling collections, so that decoding in place reuses every string),
//! and request bodies of a chosen size: for `tests/axum.rs` and
//! `benches/axum.rs`.

use poolable::{Poolable, RecycleMap, RecycleOption, RecycleVec, Reset};
use serde::{Deserialize, Serialize};

/// `POST /v1/{prefix}/namespaces/{ns}/tables/{table}`: which table, what
/// must hold, what to change.
#[derive(Poolable, Default, Deserialize, Serialize, Debug, PartialEq)]
#[pool(name = "axum_commit_request", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct CommitRequest {
    #[serde(default)]
    pub identifier: RecycleOption<Identifier>,
    pub requirements: RecycleVec<Requirement>,
    pub updates: RecycleVec<Update>,
}

#[derive(Reset, Default, Deserialize, Serialize, Debug, PartialEq)]
pub struct Identifier {
    pub namespace: RecycleVec<String>,
    pub name: String,
}

#[derive(Reset, Default, Deserialize, Serialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Requirement {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "RecycleOption::is_none")]
    pub uuid: RecycleOption<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_schema_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_assigned_field_id: Option<i64>,
}

#[derive(Reset, Default, Deserialize, Serialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Update {
    pub action: String,
    #[serde(default, skip_serializing_if = "RecycleOption::is_none")]
    pub schema: RecycleOption<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_id: Option<i64>,
    #[serde(default, skip_serializing_if = "RecycleMap::is_empty")]
    pub updates: RecycleMap<String>,
    #[serde(default, skip_serializing_if = "RecycleVec::is_empty")]
    pub removals: RecycleVec<String>,
}

#[derive(Reset, Default, Deserialize, Serialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Schema {
    #[serde(rename = "type")]
    pub kind: String,
    pub schema_id: i64,
    pub fields: RecycleVec<Field>,
}

#[derive(Reset, Default, Deserialize, Serialize, Debug, PartialEq)]
pub struct Field {
    pub id: i64,
    pub name: String,
    pub required: bool,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "RecycleOption::is_none")]
    pub doc: RecycleOption<String>,
}

/// The answer: where the new metadata is, and the table as it now is.
#[derive(Poolable, Default, Deserialize, Serialize, Debug, PartialEq)]
#[pool(name = "axum_commit_response", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct CommitResponse {
    pub metadata_location: String,
    pub metadata: Metadata,
}

#[derive(Reset, Default, Deserialize, Serialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Metadata {
    pub format_version: u8,
    pub table_uuid: String,
    pub location: String,
    pub last_column_id: i64,
    pub current_schema_id: i64,
    pub schemas: RecycleVec<Schema>,
    pub properties: RecycleMap<String>,
}

/// What a commit handler does with a request: the answer's metadata takes
/// the request's schemas and properties (so the answer is as large as the
/// request), written into `answer`.
pub fn apply(request: &CommitRequest, answer: &mut CommitResponse) {
    answer.metadata_location.push_str("s3://warehouse/analytics/orders/metadata/00002-");
    answer.metadata_location.push_str("0b8f2c1e-4d57-4c1a-9a7e-2f1b7c0d9e11.metadata.json");
    let metadata = &mut answer.metadata;
    metadata.format_version = 2;
    metadata.table_uuid.push_str("9c12d441-03fe-4693-9a96-a0705ddf69c1");
    metadata.location.push_str("s3://warehouse/analytics/orders");
    for update in request.updates.iter() {
        if let Some(schema) = update.schema.as_ref() {
            let kept = metadata.schemas.add();
            kept.kind.push_str(&schema.kind);
            kept.schema_id = schema.schema_id;
            for field in schema.fields.iter() {
                let out = kept.fields.add();
                out.id = field.id;
                out.name.push_str(&field.name);
                out.required = field.required;
                out.kind.push_str(&field.kind);
                if let Some(doc) = field.doc.as_ref() {
                    out.doc.get_or_insert_default().push_str(doc);
                }
                metadata.last_column_id = metadata.last_column_id.max(field.id);
            }
            metadata.current_schema_id = schema.schema_id;
        }
        for (key, value) in update.updates.iter() {
            metadata.properties.entry(key).push_str(value);
        }
    }
}

/// A commit body of about `bytes` bytes: an `add-schema` of as many fields
/// as it takes, a `set-current-schema`, a `set-properties`.
pub fn body(bytes: usize) -> Vec<u8> {
    let mut fields = String::new();
    let mut id = 0;
    while fields.len() + 700 < bytes {
        id += 1;
        if id > 1 {
            fields.push(',');
        }
        let kind = ["long", "string", "timestamptz", "decimal(12, 2)", "boolean"][id % 5];
        fields.push_str(&format!(
            r#"{{"id":{id},"name":"column_{id}_of_the_orders_table","required":{},"type":"{kind}","doc":"What column {id} holds, for the analysts"}}"#,
            id % 3 == 0
        ));
    }
    format!(
        r#"{{"identifier":{{"namespace":["analytics"],"name":"orders"}},"requirements":[{{"type":"assert-table-uuid","uuid":"9c12d441-03fe-4693-9a96-a0705ddf69c1"}},{{"type":"assert-current-schema-id","current-schema-id":1}},{{"type":"assert-last-assigned-field-id","last-assigned-field-id":{last}}}],"updates":[{{"action":"add-schema","schema":{{"type":"struct","schema-id":2,"fields":[{fields}]}}}},{{"action":"set-current-schema","schema-id":-1}},{{"action":"set-properties","updates":{{"owner":"payments","commit.retry.num-retries":"4","write.parquet.compression-codec":"zstd"}}}}]}}"#,
        last = id.max(1) - 1,
    )
    .into_bytes()
}
