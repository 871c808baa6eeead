//! Iceberg REST's `CommitTableRequest` (`POST /v1/namespaces/{ns}/tables/{table}`),
//! decoded into a pooled request, checked and applied to a [`TableDef`], and
//! answered with a pooled `CommitTableResponse`.
//!
//! The request is decoded in place (`poolable::json::from_slice`): its lists
//! are `RecycleVec`s and its maps `RecycleMap`s, so a commit of a familiar
//! shape reuses the strings of an earlier one. Iceberg tags requirements by
//! `type` and updates by `action`; serde decodes a Rust enum only as a whole
//! (no in place), so each is one struct with the tag and the fields any kind
//! may carry, checked per kind here.

use poolable::{Poolable, Pooled, RecycleMap, RecycleOption, RecycleVec, Reset};
use serde::{Deserialize, Serialize};

use super::{echo, SnapshotDef, TableDef, TableMetadata};

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

#[derive(Reset, Default, Serialize, Deserialize, Debug, PartialEq)]
pub struct TableIdentifier {
    pub namespace: RecycleVec<String>,
    pub name: String,
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

/// A change to the table.
#[derive(Reset, Default, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct TableUpdate {
    /// `assign-uuid`, `upgrade-format-version`, `set-location`,
    /// `set-properties`, `remove-properties`, `add-snapshot`,
    /// `set-snapshot-ref`, `remove-snapshots` (this catalog's subset).
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
    #[serde(default)]
    pub snapshot: RecycleOption<SnapshotUpdate>,
    #[serde(default)]
    pub ref_name: RecycleOption<String>,
    /// `set-snapshot-ref`: `branch` or `tag`.
    #[serde(default, rename = "type")]
    pub ref_type: RecycleOption<String>,
    #[serde(default)]
    pub snapshot_id: Option<i64>,
    #[serde(default)]
    pub snapshot_ids: RecycleVec<i64>,
}

/// A snapshot as `add-snapshot` carries it.
#[derive(Reset, Default, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct SnapshotUpdate {
    pub snapshot_id: i64,
    #[serde(default)]
    pub parent_snapshot_id: Option<i64>,
    #[serde(default)]
    pub sequence_number: i64,
    pub timestamp_ms: i64,
    pub manifest_list: String,
    pub summary: RecycleMap<String>,
    #[serde(default)]
    pub schema_id: Option<i64>,
}

/// The answer of a commit: the table's new metadata.
#[derive(Poolable, Default, Serialize, Debug)]
#[pool(name = "commit_table_response", max_retained_bytes = 1048576)]
#[serde(rename_all = "kebab-case")]
pub struct CommitTableResponse {
    pub metadata_location: String,
    pub metadata: TableMetadata,
}

/// Why a commit was refused, as Iceberg REST reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitError {
    /// A request that cannot apply to any table (an unknown action, a
    /// missing field, another table's identifier): 400.
    BadRequest(String),
    /// A requirement the table does not meet: 409, the client retries on
    /// fresh metadata.
    Failed(String),
}

impl CommitError {
    /// HTTP status code, Iceberg exception type, message.
    pub fn parts(&self) -> (u16, &'static str, &str) {
        match self {
            CommitError::BadRequest(message) => (400, "BadRequestException", message),
            CommitError::Failed(message) => (409, "CommitFailedException", message),
        }
    }
}

fn bad(message: String) -> CommitError {
    CommitError::BadRequest(message)
}

/// `value`, or a 400 naming the update's missing `field`.
fn required<'a, T: ?Sized>(value: Option<&'a T>, action: &str, field: &str) -> Result<&'a T, CommitError> {
    value.ok_or_else(|| bad(format!("{} needs \"{field}\"", echo(action))))
}

fn non_negative(value: i64, what: &str) -> Result<u64, CommitError> {
    u64::try_from(value).map_err(|_| bad(format!("{what} must not be negative: {value}")))
}

impl TableDef {
    /// Checks `request` against this table and applies it, or changes
    /// nothing: every requirement and every update is checked before the
    /// first update applies.
    pub fn commit(&mut self, namespace: &str, request: &CommitTableRequest) -> Result<(), CommitError> {
        if let Some(id) = request.identifier.as_ref() {
            if id.namespace[..] != [namespace] || id.name != self.name {
                return Err(bad(format!(
                    "the identifier {}.{} is not the table of the path, {namespace}.{}",
                    echo(&id.namespace.join(".")),
                    echo(&id.name),
                    self.name
                )));
            }
        }
        for requirement in &request.requirements {
            self.check(requirement)?;
        }
        self.check_updates(request)?;
        for update in &request.updates {
            self.apply(update);
        }
        self.metadata_version += 1;
        let previous = std::mem::replace(
            &mut self.metadata_location,
            format!("{}/metadata/{:05}-{}.metadata.json", self.location, self.metadata_version, self.uuid),
        );
        self.previous_metadata.push((previous, self.last_updated_ms));
        let newest = self.snapshots.last().map_or(0, |s| s.timestamp_ms);
        self.last_updated_ms = (self.last_updated_ms + 1).max(newest);
        Ok(())
    }

    fn check(&self, requirement: &TableRequirement) -> Result<(), CommitError> {
        let current = self.snapshots.last().map(|s| s.id as i64);
        let expect = |what: &str, expected: Option<i64>, actual: i64| match expected {
            Some(expected) if expected == actual => Ok(()),
            Some(expected) => Err(CommitError::Failed(format!("{what} is {actual}, not {expected}"))),
            None => Err(bad(format!("{} needs \"{what}\"", requirement.kind))),
        };
        match requirement.kind.as_str() {
            "assert-create" => Err(CommitError::Failed(format!("table {} already exists", self.name))),
            "assert-table-uuid" => {
                let uuid = required(requirement.uuid.as_ref(), &requirement.kind, "uuid")?;
                if *uuid == self.uuid {
                    Ok(())
                } else {
                    Err(CommitError::Failed(format!("the table's UUID is {}, not {}", self.uuid, echo(uuid))))
                }
            }
            "assert-ref-snapshot-id" => {
                let reference = required(requirement.reference.as_ref(), &requirement.kind, "ref")?;
                let actual = if reference == "main" { current } else { None };
                if actual == requirement.snapshot_id {
                    Ok(())
                } else {
                    Err(CommitError::Failed(format!(
                        "ref {} points at {actual:?}, not {:?}",
                        echo(reference),
                        requirement.snapshot_id
                    )))
                }
            }
            "assert-last-assigned-field-id" => expect(
                "last-assigned-field-id",
                requirement.last_assigned_field_id,
                self.columns.last().map_or(0, |c| i64::from(c.id)),
            ),
            "assert-current-schema-id" => {
                expect("current-schema-id", requirement.current_schema_id, i64::from(self.schema_count) - 1)
            }
            "assert-last-assigned-partition-id" => {
                expect("last-assigned-partition-id", requirement.last_assigned_partition_id, 1000)
            }
            "assert-default-spec-id" => expect("default-spec-id", requirement.default_spec_id, 0),
            "assert-default-sort-order-id" => {
                expect("default-sort-order-id", requirement.default_sort_order_id, 1)
            }
            other => Err(bad(format!("unknown requirement type {}", echo(other)))),
        }
    }

    /// Every update is well formed and applies to this table (snapshots
    /// added earlier in the request count).
    fn check_updates(&self, request: &CommitTableRequest) -> Result<(), CommitError> {
        let mut snapshots: Vec<u64> = self.snapshots.iter().map(|s| s.id).collect();
        for update in &request.updates {
            let action = update.action.as_str();
            match action {
                "assign-uuid" => {
                    required(update.uuid.as_ref(), action, "uuid")?;
                }
                "upgrade-format-version" => match update.format_version {
                    Some(2) => {}
                    Some(version) if version < 2 => {
                        return Err(bad(format!("cannot downgrade format version 2 to {version}")))
                    }
                    Some(version) => return Err(bad(format!("format version {version} is not supported"))),
                    None => return Err(bad(format!("{action} needs \"format-version\""))),
                },
                "set-location" => {
                    required(update.location.as_ref(), action, "location")?;
                }
                "set-properties" | "remove-properties" => {}
                "add-snapshot" => {
                    let snapshot = required(update.snapshot.as_ref(), action, "snapshot")?;
                    let id = non_negative(snapshot.snapshot_id, "snapshot-id")?;
                    non_negative(snapshot.timestamp_ms, "timestamp-ms")?;
                    non_negative(snapshot.sequence_number, "sequence-number")?;
                    if snapshots.contains(&id) {
                        return Err(CommitError::Failed(format!("snapshot {id} already exists")));
                    }
                    if snapshot.summary.get("operation").is_none() {
                        return Err(bad("a snapshot's summary needs \"operation\"".to_owned()));
                    }
                    snapshots.push(id);
                }
                "set-snapshot-ref" => {
                    let name = required(update.ref_name.as_ref(), action, "ref-name")?;
                    let id = non_negative(
                        *required(update.snapshot_id.as_ref(), action, "snapshot-id")?,
                        "snapshot-id",
                    )?;
                    if name != "main" || update.ref_type.as_ref().is_some_and(|kind| kind != "branch") {
                        return Err(bad(format!(
                            "this catalog keeps one ref, the branch main, not {}",
                            echo(name)
                        )));
                    }
                    if snapshots.last() != Some(&id) {
                        return Err(bad(format!("main can only move to the newest snapshot, not {id}")));
                    }
                }
                "remove-snapshots" => {
                    for &id in update.snapshot_ids.iter() {
                        let id = non_negative(id, "snapshot-ids")?;
                        if snapshots.last() == Some(&id) {
                            return Err(bad(format!("snapshot {id} is the current one")));
                        }
                        snapshots.retain(|&s| s != id);
                    }
                }
                other => return Err(bad(format!("unknown or unsupported update action {}", echo(other)))),
            }
        }
        Ok(())
    }

    /// Applies a checked update.
    fn apply(&mut self, update: &TableUpdate) {
        match update.action.as_str() {
            "assign-uuid" => self.uuid.clone_from(update.uuid.as_ref().expect("checked")),
            "set-location" => self.location.clone_from(update.location.as_ref().expect("checked")),
            "set-properties" => {
                for (key, value) in update.updates.iter() {
                    match self.properties.iter_mut().find(|(k, _)| k == key) {
                        Some((_, v)) => v.clone_from(value),
                        None => self.properties.push((key.to_owned(), value.clone())),
                    }
                }
            }
            "remove-properties" => {
                self.properties.retain(|(key, _)| !update.removals.iter().any(|r| r == key))
            }
            "add-snapshot" => {
                let snapshot = update.snapshot.as_ref().expect("checked");
                let schema_id = snapshot.schema_id.and_then(|id| u32::try_from(id).ok());
                self.snapshots.push(SnapshotDef {
                    id: snapshot.snapshot_id as u64,
                    parent: snapshot.parent_snapshot_id.and_then(|id| u64::try_from(id).ok()),
                    sequence_number: snapshot.sequence_number as u64,
                    timestamp_ms: snapshot.timestamp_ms as u64,
                    schema_id: schema_id.unwrap_or(self.schema_count - 1),
                    manifest_list: snapshot.manifest_list.clone(),
                    summary: snapshot.summary.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
                });
            }
            "remove-snapshots" => {
                self.snapshots.retain(|s| !update.snapshot_ids.iter().any(|&id| id as u64 == s.id))
            }
            // `upgrade-format-version` to 2 and `set-snapshot-ref` to the
            // newest snapshot leave this model as it is.
            _ => {}
        }
    }

    /// The answer of a successful commit, built in a pooled response.
    pub fn commit_answer(&self) -> Pooled<CommitTableResponse> {
        let mut response = CommitTableResponse::pooled();
        response.metadata_location.push_str(&self.metadata_location);
        self.fill_metadata(&mut response.metadata);
        response
    }
}
