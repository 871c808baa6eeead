//! Iceberg REST's `CommitTableRequest`
//! (`POST /v1/{prefix}/namespaces/{ns}/tables/{table}`), decoded into a
//! pooled request, checked against a table and applied to a copy of its
//! metadata, and answered with a pooled `CommitTableResponse`.
//!
//! The request is decoded in place (`PooledJson`): its lists are
//! `RecycleVec`s and its maps `RecycleMap`s, so a commit of a familiar
//! shape reuses the strings of an earlier one. Iceberg tags requirements by
//! `type` and updates by `action`; serde decodes a Rust enum only as a whole
//! (no in place), so each is one struct with the tag and the fields any kind
//! may carry, checked per kind here.

use poolable::{Poolable, Pooled, RecycleMap, RecycleOption, RecycleVec, Reset};
use serde::{Deserialize, Serialize};

use super::table::{
    check_sort_order, check_spec, current_schema, default_location, field_ids, new_uuid, now_ms,
};
use super::{
    echo, CatalogError, Fill, PartitionSpec, Schema, Snapshot, SnapshotLogEntry, SnapshotRef, SortOrder,
    TableDef, TableIdentifier, TableMetadata,
};

/// The body of a commit: which table, what must hold, what to change.
#[derive(Poolable, Default, Deserialize, Debug, PartialEq)]
#[pool(name = "commit_table_request", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct CommitTableRequest {
    /// The table, if the client names it (it must be the one of the path).
    #[serde(default)]
    pub identifier: RecycleOption<TableIdentifier>,
    pub requirements: RecycleVec<TableRequirement>,
    pub updates: RecycleVec<TableUpdate>,
}

/// An assertion the table must pass for the commit to apply.
#[derive(Reset, Default, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct TableRequirement {
    /// `assert-create`, `assert-table-uuid`, `assert-ref-snapshot-id`,
    /// `assert-last-assigned-field-id`, `assert-current-schema-id`,
    /// `assert-last-assigned-partition-id`, `assert-default-spec-id`,
    /// `assert-default-sort-order-id`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub uuid: RecycleOption<String>,
    #[serde(default, rename = "ref")]
    pub reference: RecycleOption<String>,
    /// For `assert-ref-snapshot-id`: `null` asserts that the ref does not exist.
    #[serde(default)]
    pub snapshot_id: Option<i64>,
    #[serde(default)]
    pub last_assigned_field_id: Option<i64>,
    #[serde(default)]
    pub current_schema_id: Option<i64>,
    #[serde(default)]
    pub last_assigned_partition_id: Option<i64>,
    #[serde(default)]
    pub default_spec_id: Option<i64>,
    #[serde(default)]
    pub default_sort_order_id: Option<i64>,
}

/// A change to the table: the `action`, and what it carries.
#[derive(Reset, Default, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct TableUpdate {
    pub action: String,
    #[serde(default)]
    pub uuid: RecycleOption<String>,
    #[serde(default)]
    pub format_version: Option<i64>,
    #[serde(default)]
    pub location: RecycleOption<String>,
    /// `set-properties`.
    #[serde(default)]
    pub updates: RecycleMap<String>,
    /// `remove-properties`.
    #[serde(default)]
    pub removals: RecycleVec<String>,
    /// `add-schema`, and the last column id some clients send with it.
    #[serde(default)]
    pub schema: RecycleOption<Schema>,
    #[serde(default)]
    pub last_column_id: Option<i64>,
    /// `set-current-schema` (-1: the schema this commit added).
    #[serde(default)]
    pub schema_id: Option<i64>,
    /// `add-spec`.
    #[serde(default)]
    pub spec: RecycleOption<PartitionSpec>,
    /// `set-default-spec` (-1: the spec this commit added).
    #[serde(default)]
    pub spec_id: Option<i64>,
    /// `add-sort-order`.
    #[serde(default)]
    pub sort_order: RecycleOption<SortOrder>,
    /// `set-default-sort-order` (-1: the order this commit added).
    #[serde(default)]
    pub sort_order_id: Option<i64>,
    /// `add-snapshot`.
    #[serde(default)]
    pub snapshot: RecycleOption<SnapshotUpdate>,
    /// `set-snapshot-ref`, `remove-snapshot-ref`.
    #[serde(default)]
    pub ref_name: RecycleOption<String>,
    /// `set-snapshot-ref`: `branch` or `tag`.
    #[serde(default, rename = "type")]
    pub ref_type: RecycleOption<String>,
    #[serde(default)]
    pub snapshot_id: Option<i64>,
    #[serde(default)]
    pub max_ref_age_ms: Option<i64>,
    #[serde(default)]
    pub max_snapshot_age_ms: Option<i64>,
    #[serde(default)]
    pub min_snapshots_to_keep: Option<i64>,
    /// `remove-snapshots`.
    #[serde(default)]
    pub snapshot_ids: RecycleVec<i64>,
}

/// A snapshot as `add-snapshot` carries it.
pub type SnapshotUpdate = Snapshot;

/// The answer of a commit: the table's new metadata and where it is.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "commit_table_response", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct CommitTableResponse {
    pub metadata_location: String,
    pub metadata: TableMetadata,
}

impl TableDef {
    /// The answer of a successful commit, built in a pooled response.
    pub fn commit_answer(&self) -> Pooled<CommitTableResponse> {
        let mut response = CommitTableResponse::pooled();
        response.metadata_location.push_str(&self.metadata_location);
        response.metadata.fill_from(&self.metadata);
        response
    }
}

fn bad(message: String) -> CatalogError {
    CatalogError::bad_request(message)
}

fn failed(message: String) -> CatalogError {
    CatalogError::commit_failed(message)
}

/// `value`, or a 400 naming the update's missing `field`.
fn required<'a, T: ?Sized>(value: Option<&'a T>, action: &str, field: &str) -> Result<&'a T, CatalogError> {
    value.ok_or_else(|| bad(format!("{} needs \"{field}\"", echo(action))))
}

fn id32(value: i64, what: &str) -> Result<i32, CatalogError> {
    i32::try_from(value).map_err(|_| bad(format!("{what} is out of range: {value}")))
}

/// The next version of `table` with `request` applied, or why not; `table`
/// itself never changes (a failed commit applies nothing).
pub fn apply(
    table: &TableDef,
    request: &CommitTableRequest,
    spare: Option<TableDef>,
) -> Result<TableDef, CatalogError> {
    for requirement in request.requirements.iter() {
        check(&table.metadata, requirement)?;
    }
    let mut next = match spare {
        Some(mut spare) => {
            table.copy_into(&mut spare);
            spare
        }
        None => table.clone(),
    };
    let mut added = Added::default();
    for update in request.updates.iter() {
        update_one(&mut next.metadata, update, &mut added)?;
    }
    if !request.updates.is_empty() {
        next.advance();
    }
    Ok(next)
}

/// A new table from a commit that asserts its creation (the commit of a
/// create transaction, after a staged create): its updates applied to empty
/// metadata, which must then have a current schema, a default spec and a
/// default sort order. A table created without a location goes under
/// `warehouse`. Any requirement but `assert-create` fails: there is no table
/// to check it against.
pub fn apply_create(
    namespace: &str,
    name: &str,
    request: &CommitTableRequest,
    warehouse: &str,
) -> Result<TableDef, CatalogError> {
    let mut asserted = false;
    for requirement in request.requirements.iter() {
        match requirement.kind.as_str() {
            "assert-create" => asserted = true,
            other => {
                return Err(failed(format!(
                    "Requirement failed: {} on a table that does not exist",
                    echo(other)
                )))
            }
        }
    }
    if !asserted {
        return Err(CatalogError::no_such_table(namespace, name));
    }
    let mut m = TableMetadata { format_version: 2, last_partition_id: 999, ..TableMetadata::default() };
    let mut added = Added::default();
    for update in request.updates.iter() {
        update_one(&mut m, update, &mut added)?;
    }
    schema_of(&m)?;
    if m.partition_specs.is_empty() {
        m.partition_specs.push(PartitionSpec::default());
    }
    if !m.partition_specs.iter().any(|spec| spec.spec_id == m.default_spec_id) {
        return Err(bad(format!("no partition spec {}", m.default_spec_id)));
    }
    if m.sort_orders.is_empty() {
        m.sort_orders.push(SortOrder::default());
    }
    if !m.sort_orders.iter().any(|order| order.order_id == m.default_sort_order_id) {
        return Err(bad(format!("no sort order {}", m.default_sort_order_id)));
    }
    if m.table_uuid.is_empty() {
        m.table_uuid = new_uuid(&format!("{namespace}.{name}"));
    }
    if m.location.is_empty() {
        m.location = default_location(warehouse, namespace, name);
    }
    m.location.truncate(m.location.trim_end_matches('/').len());
    let newest = m.snapshots.iter().map(|s| s.timestamp_ms).max().unwrap_or(0);
    m.last_updated_ms = now_ms().max(newest);
    let mut table = TableDef::stored(namespace, name, "", m);
    table.metadata_location = table.metadata_file(0);
    Ok(table)
}

fn check(m: &TableMetadata, requirement: &TableRequirement) -> Result<(), CatalogError> {
    let kind = requirement.kind.as_str();
    let expect = |what: &str, expected: Option<i64>, actual: Option<i64>| match (expected, actual) {
        (expected, actual) if expected == actual => Ok(()),
        (expected, actual) => Err(failed(format!(
            "Requirement failed: {what} is {}, not {}",
            actual.map_or("none".to_owned(), |a| a.to_string()),
            expected.map_or("none".to_owned(), |e| e.to_string())
        ))),
    };
    match kind {
        "assert-create" => Err(failed("Requirement failed: the table already exists".to_owned())),
        "assert-table-uuid" => {
            let uuid = required(requirement.uuid.as_ref(), kind, "uuid")?;
            match *uuid == m.table_uuid {
                true => Ok(()),
                false => Err(failed(format!(
                    "Requirement failed: the table's UUID is {}, not {}",
                    m.table_uuid,
                    echo(uuid)
                ))),
            }
        }
        "assert-ref-snapshot-id" => {
            let reference = required(requirement.reference.as_ref(), kind, "ref")?;
            let actual = m.refs.get(reference).map(|r| r.snapshot_id);
            expect(&format!("ref {}", echo(reference)), requirement.snapshot_id, actual)
        }
        "assert-last-assigned-field-id" => expect(
            "last-assigned-field-id",
            requirement.last_assigned_field_id,
            Some(i64::from(m.last_column_id)),
        ),
        "assert-current-schema-id" => {
            expect("current-schema-id", requirement.current_schema_id, Some(i64::from(m.current_schema_id)))
        }
        "assert-last-assigned-partition-id" => expect(
            "last-assigned-partition-id",
            requirement.last_assigned_partition_id,
            Some(i64::from(m.last_partition_id)),
        ),
        "assert-default-spec-id" => {
            expect("default-spec-id", requirement.default_spec_id, Some(i64::from(m.default_spec_id)))
        }
        "assert-default-sort-order-id" => expect(
            "default-sort-order-id",
            requirement.default_sort_order_id,
            Some(i64::from(m.default_sort_order_id)),
        ),
        other => Err(bad(format!("unknown requirement type {}", echo(other)))),
    }
}

/// What this commit added so far: what `-1` stands for.
#[derive(Default)]
struct Added {
    schema: Option<i32>,
    spec: Option<i32>,
    sort_order: Option<i32>,
}

fn update_one(m: &mut TableMetadata, update: &TableUpdate, added: &mut Added) -> Result<(), CatalogError> {
    let action = update.action.as_str();
    match action {
        "assign-uuid" => {
            let uuid = required(update.uuid.as_ref(), action, "uuid")?;
            if m.table_uuid.is_empty() {
                // A table being created by its commit takes the staged UUID.
                m.table_uuid.fill_from(uuid);
            } else if *uuid != m.table_uuid {
                return Err(bad(format!(
                    "the table's UUID is {}; it cannot become {}",
                    m.table_uuid,
                    echo(uuid)
                )));
            }
        }
        "upgrade-format-version" => {
            match *required(update.format_version.as_ref(), action, "format-version")? {
                2 => m.format_version = 2,
                version if version < 2 => {
                    return Err(bad(format!("cannot downgrade format version 2 to {version}")))
                }
                version => return Err(bad(format!("format version {version} is not supported"))),
            }
        }
        "set-location" => {
            let location = required(update.location.as_ref(), action, "location")?;
            if location.is_empty() {
                return Err(bad("a table's location cannot be empty".to_owned()));
            }
            m.location.fill_from(location);
        }
        "set-properties" => {
            for (key, value) in update.updates.iter() {
                m.properties.entry(key).fill_from(value);
            }
        }
        "remove-properties" => {
            for key in update.removals.iter() {
                m.properties.remove(key);
            }
        }
        "add-schema" => {
            let schema = required(update.schema.as_ref(), action, "schema")?;
            for field in schema.fields.iter() {
                field.kind.check().map_err(bad)?;
            }
            let ids = field_ids(schema);
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|pair| pair[0] == pair[1]) || sorted.first().is_some_and(|&id| id < 1) {
                return Err(bad("a schema's field ids must be distinct and positive".to_owned()));
            }
            let highest = sorted.last().copied().unwrap_or(0);
            // The same fields as a schema the table has: that one is meant.
            if let Some(same) = m.schemas.iter().find(|known| known.fields[..] == schema.fields[..]) {
                added.schema = Some(same.schema_id);
            } else {
                let id = m.schemas.iter().map(|s| s.schema_id).max().map_or(0, |max| max + 1);
                let mut stored = schema.clone();
                stored.schema_id = id;
                stored.kind.clear();
                stored.kind.push_str("struct");
                m.schemas.push(stored);
                added.schema = Some(id);
            }
            let claimed =
                update.last_column_id.map(|id| id32(id, "last-column-id")).transpose()?.unwrap_or(0);
            m.last_column_id = m.last_column_id.max(highest).max(claimed);
        }
        "set-current-schema" => {
            let id =
                pick(*required(update.schema_id.as_ref(), action, "schema-id")?, added.schema, "schema")?;
            if !m.schemas.iter().any(|s| s.schema_id == id) {
                return Err(bad(format!("no schema {id}")));
            }
            m.current_schema_id = id;
            // The default spec and sort order must still fit the schema.
            check_defaults(m)?;
        }
        "add-spec" => {
            let spec = required(update.spec.as_ref(), action, "spec")?;
            let mut stored = spec.clone();
            for field in stored.fields.iter_mut() {
                if field.field_id == 0 {
                    m.last_partition_id += 1;
                    field.field_id = m.last_partition_id;
                }
            }
            check_spec(&stored, schema_of(m)?)?;
            if let Some(same) = m.partition_specs.iter().find(|known| known.fields[..] == stored.fields[..]) {
                added.spec = Some(same.spec_id);
            } else {
                let id = m.partition_specs.iter().map(|s| s.spec_id).max().map_or(0, |max| max + 1);
                stored.spec_id = id;
                let highest = stored.fields.iter().map(|f| f.field_id).max().unwrap_or(999);
                m.last_partition_id = m.last_partition_id.max(highest);
                m.partition_specs.push(stored);
                added.spec = Some(id);
            }
        }
        "set-default-spec" => {
            let id = pick(*required(update.spec_id.as_ref(), action, "spec-id")?, added.spec, "spec")?;
            if !m.partition_specs.iter().any(|s| s.spec_id == id) {
                return Err(bad(format!("no partition spec {id}")));
            }
            m.default_spec_id = id;
        }
        "add-sort-order" => {
            let order = required(update.sort_order.as_ref(), action, "sort-order")?;
            check_sort_order(order, schema_of(m)?)?;
            if let Some(same) = m.sort_orders.iter().find(|known| known.fields[..] == order.fields[..]) {
                added.sort_order = Some(same.order_id);
            } else if order.fields.is_empty() {
                // Iceberg reserves order id 0 for the unsorted order.
                m.sort_orders.push(SortOrder::default());
                added.sort_order = Some(0);
            } else {
                let id = m.sort_orders.iter().map(|s| s.order_id).max().map_or(1, |max| max + 1).max(1);
                let mut stored = order.clone();
                stored.order_id = id;
                m.sort_orders.push(stored);
                added.sort_order = Some(id);
            }
        }
        "set-default-sort-order" => {
            let id = pick(
                *required(update.sort_order_id.as_ref(), action, "sort-order-id")?,
                added.sort_order,
                "sort order",
            )?;
            if !m.sort_orders.iter().any(|s| s.order_id == id) {
                return Err(bad(format!("no sort order {id}")));
            }
            m.default_sort_order_id = id;
        }
        "add-snapshot" => {
            let snapshot = required(update.snapshot.as_ref(), action, "snapshot")?;
            if m.snapshots.iter().any(|s| s.snapshot_id == snapshot.snapshot_id) {
                return Err(failed(format!("snapshot {} already exists", snapshot.snapshot_id)));
            }
            if snapshot.snapshot_id < 0 || snapshot.timestamp_ms < 0 || snapshot.manifest_list.is_empty() {
                return Err(bad(
                    "a snapshot needs a positive id and timestamp and a manifest-list".to_owned()
                ));
            }
            if snapshot.sequence_number <= m.last_sequence_number {
                return Err(failed(format!(
                    "snapshot sequence number {} is not after the table's last, {}",
                    snapshot.sequence_number, m.last_sequence_number
                )));
            }
            if let Some(schema_id) = snapshot.schema_id {
                if !m.schemas.iter().any(|s| s.schema_id == schema_id) {
                    return Err(bad(format!(
                        "a snapshot names schema {schema_id}, which the table does not have"
                    )));
                }
            }
            m.last_sequence_number = m.last_sequence_number.max(snapshot.sequence_number);
            m.snapshots.push(snapshot.clone());
        }
        "set-snapshot-ref" => {
            let name = required(update.ref_name.as_ref(), action, "ref-name")?;
            let id = *required(update.snapshot_id.as_ref(), action, "snapshot-id")?;
            let kind = required(update.ref_type.as_ref(), action, "type")?;
            if kind != "branch" && kind != "tag" {
                return Err(bad(format!("a ref is a branch or a tag, not {}", echo(kind))));
            }
            let Some(snapshot) = m.snapshots.iter().find(|s| s.snapshot_id == id) else {
                return Err(bad(format!("no snapshot {id}")));
            };
            let timestamp_ms = snapshot.timestamp_ms;
            for (value, what) in [
                (update.max_ref_age_ms, "max-ref-age-ms"),
                (update.max_snapshot_age_ms, "max-snapshot-age-ms"),
                (update.min_snapshots_to_keep, "min-snapshots-to-keep"),
            ] {
                if value.is_some_and(|value| value <= 0) {
                    return Err(bad(format!("{what} must be positive")));
                }
            }
            *m.refs.entry(name) = SnapshotRef {
                snapshot_id: id,
                kind: kind.clone(),
                max_ref_age_ms: update.max_ref_age_ms,
                max_snapshot_age_ms: update.max_snapshot_age_ms,
                min_snapshots_to_keep: update
                    .min_snapshots_to_keep
                    .map(|n| id32(n, "min-snapshots-to-keep"))
                    .transpose()?,
            };
            if name == "main" {
                m.current_snapshot_id = Some(id);
                m.snapshot_log.push(SnapshotLogEntry { snapshot_id: id, timestamp_ms });
            }
        }
        "remove-snapshot-ref" => {
            let name = required(update.ref_name.as_ref(), action, "ref-name")?;
            m.refs.remove(name);
            if name == "main" {
                m.current_snapshot_id = None;
            }
        }
        "remove-snapshots" => {
            let removed = |id: &i64| update.snapshot_ids.iter().any(|r| r == id);
            m.snapshots = m.snapshots.iter().filter(|s| !removed(&s.snapshot_id)).cloned().collect();
            let dangling: Vec<String> = m
                .refs
                .iter()
                .filter(|(_, r)| removed(&r.snapshot_id))
                .map(|(name, _)| name.to_owned())
                .collect();
            for name in dangling {
                m.refs.remove(&name);
            }
            if m.current_snapshot_id.as_ref().is_some_and(removed) {
                m.current_snapshot_id = None;
            }
            m.snapshot_log =
                m.snapshot_log.iter().filter(|entry| !removed(&entry.snapshot_id)).cloned().collect();
        }
        other => return Err(bad(format!("unknown or unsupported update action {}", echo(other)))),
    }
    Ok(())
}

/// `id`, or for -1 the one this commit added.
fn pick(id: i64, added: Option<i32>, what: &str) -> Result<i32, CatalogError> {
    match id {
        -1 => {
            added.ok_or_else(|| bad(format!("-1 stands for the {what} this commit added, and it added none")))
        }
        id => id32(id, what),
    }
}

/// The current schema, or a 400 when there is none (a table being created
/// by a commit that adds a spec before its schema).
fn schema_of(m: &TableMetadata) -> Result<&Schema, CatalogError> {
    match m.schemas.iter().any(|schema| schema.schema_id == m.current_schema_id) {
        true => Ok(current_schema(m)),
        false => Err(bad(
            "the table has no current schema yet: add-schema and set-current-schema first".to_owned()
        )),
    }
}

/// The default spec and sort order fit the current schema.
fn check_defaults(m: &TableMetadata) -> Result<(), CatalogError> {
    let schema = schema_of(m)?;
    if let Some(spec) = m.partition_specs.iter().find(|s| s.spec_id == m.default_spec_id) {
        check_spec(spec, schema)?;
    }
    if let Some(order) = m.sort_orders.iter().find(|s| s.order_id == m.default_sort_order_id) {
        check_sort_order(order, schema)?;
    }
    Ok(())
}
