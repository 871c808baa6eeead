//! [`Fill`]: a stored value written into a builder as `Default` makes it
//! (fresh, or reset by its pool), into the strings and elements the builder
//! kept, so that a pooled answer allocates nothing.

use poolable::{RecycleMap, RecycleOption, RecycleVec, Reset};

use super::{
    FieldType, MetadataLogEntry, NestedField, PartitionField, PartitionSpec, Schema, Snapshot,
    SnapshotLogEntry, SnapshotRef, SortField, SortOrder, TableMetadata,
};

/// Writes `from` into `self`, which is as `Default` makes it.
pub trait Fill {
    fn fill_from(&mut self, from: &Self);
}

impl Fill for String {
    fn fill_from(&mut self, from: &Self) {
        self.clear();
        self.push_str(from);
    }
}

impl Fill for Vec<i32> {
    fn fill_from(&mut self, from: &Self) {
        self.clear();
        self.extend_from_slice(from);
    }
}

macro_rules! fill_by_copy {
    ($($t:ty),*) => {$(
        impl Fill for $t {
            fn fill_from(&mut self, from: &Self) {
                *self = *from;
            }
        }
    )*};
}

fill_by_copy!(u8, bool, i32, i64, Option<i32>, Option<i64>);

impl<T: Fill + Reset + Default> Fill for RecycleVec<T> {
    fn fill_from(&mut self, from: &Self) {
        self.truncate(0);
        for element in from.iter() {
            self.add().fill_from(element);
        }
    }
}

impl<T: Fill + Reset + Default> Fill for RecycleOption<T> {
    fn fill_from(&mut self, from: &Self) {
        match from.as_ref() {
            Some(value) => self.get_or_insert_default().fill_from(value),
            None => self.clear(),
        }
    }
}

impl<V: Fill + Reset + Default> Fill for RecycleMap<V> {
    fn fill_from(&mut self, from: &Self) {
        self.reset();
        for (key, value) in from.iter() {
            self.entry(key).fill_from(value);
        }
    }
}

impl Fill for FieldType {
    fn fill_from(&mut self, from: &Self) {
        FieldType::fill_from(self, from);
    }
}

/// `Fill` for a struct, field by field.
macro_rules! fill_fields {
    ($($t:ty { $($field:ident),* $(,)? })*) => {$(
        impl Fill for $t {
            fn fill_from(&mut self, from: &Self) {
                $(self.$field.fill_from(&from.$field);)*
            }
        }
    )*};
}

fill_fields! {
    TableMetadata {
        format_version, table_uuid, location, last_sequence_number, last_updated_ms, last_column_id,
        current_schema_id, schemas, default_spec_id, partition_specs, last_partition_id,
        default_sort_order_id, sort_orders, properties, current_snapshot_id, refs, snapshots,
        snapshot_log, metadata_log,
    }
    Schema { kind, schema_id, identifier_field_ids, fields }
    NestedField { id, name, required, kind, doc }
    PartitionSpec { spec_id, fields }
    PartitionField { source_id, field_id, transform, name }
    SortOrder { order_id, fields }
    SortField { source_id, transform, direction, null_order }
    Snapshot { snapshot_id, parent_snapshot_id, sequence_number, timestamp_ms, manifest_list, summary, schema_id }
    SnapshotRef { snapshot_id, kind, max_ref_age_ms, max_snapshot_age_ms, min_snapshots_to_keep }
    SnapshotLogEntry { snapshot_id, timestamp_ms }
    MetadataLogEntry { metadata_file, timestamp_ms }
}
