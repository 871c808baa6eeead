//! What decoding Iceberg's field types in place costs: a primitive type
//! (`"long"`) is written into the string a pooled request kept; a nested
//! one (`{"type": "list", ...}`), a JSON shape serde decodes only whole,
//! is built fresh. Counted by the counting allocator on this thread.

use catalog::model;
use poolable_test_support::counting as counting_alloc;

use model::{CreateTableRequest, FieldType};

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc(std::alloc::System);

/// A create-table body of `columns` primitive columns and `nested` columns
/// of each nested kind (a list, a map, a struct of two fields).
fn body(columns: usize, nested: usize) -> String {
    let mut fields = Vec::new();
    let mut id = 0;
    for n in 0..columns {
        id += 1;
        let kind = ["long", "string", "timestamptz", "decimal(10, 2)"][n % 4];
        fields.push(format!(r#"{{"id":{id},"name":"column_{id}","type":"{kind}","required":false}}"#));
    }
    for _ in 0..nested {
        id += 3;
        fields.push(format!(
            r#"{{"id":{},"name":"tags_{id}","type":{{"type":"list","element-id":{id},"element":"string","element-required":false}},"required":false}}"#,
            id - 1
        ));
        id += 3;
        fields.push(format!(
            r#"{{"id":{},"name":"attrs_{id}","type":{{"type":"map","key-id":{},"key":"string","value-id":{id},"value":"long","value-required":false}},"required":false}}"#,
            id - 2,
            id - 1
        ));
        id += 3;
        fields.push(format!(
            r#"{{"id":{},"name":"where_{id}","type":{{"type":"struct","fields":[{{"id":{},"name":"lat","type":"double","required":false}},{{"id":{id},"name":"lon","type":"double","required":false}}]}},"required":false}}"#,
            id - 2,
            id - 1
        ));
    }
    format!(r#"{{"name":"t","schema":{{"type":"struct","schema-id":0,"fields":[{}]}}}}"#, fields.join(","))
}

/// Allocations of the `times`-th decode of `input` into one reused request.
fn allocations_on_reuse(input: &str) -> u64 {
    let mut request = CreateTableRequest::default();
    for _ in 0..3 {
        poolable::json::from_str_into(input, &mut request).expect("a valid request");
    }
    counting_alloc::on_this_thread(|| {
        poolable::json::from_str_into(input, &mut request).expect("a valid request");
    })
}

#[test]
fn primitive_types_decode_into_kept_strings() {
    let allocations = allocations_on_reuse(&body(60, 0));
    assert_eq!(allocations, 0, "60 primitive columns, decoded again in place");
}

#[test]
fn a_nested_type_is_built_fresh_at_a_bounded_cost() {
    let one = allocations_on_reuse(&body(60, 1));
    let two = allocations_on_reuse(&body(60, 2));
    // Per list + map + struct(2 fields): the boxes, their kind strings,
    // element/key/value names and the struct's field vector and fields.
    let per_set = two - one;
    println!(
        "allocations per decode on reuse: 60 primitive columns 0; each list + map + struct(2) adds {per_set}"
    );
    assert_eq!(one, per_set, "nothing else allocates");
    assert!((8..=16).contains(&per_set), "{per_set}");
}

#[test]
fn both_shapes_read_back_as_written() {
    let request: CreateTableRequest = serde_json::from_str(&body(4, 1)).expect("valid");
    let kinds: Vec<&FieldType> = request.schema.fields.iter().map(|f| &f.kind).collect();
    assert_eq!(kinds[0].as_primitive(), Some("long"));
    assert_eq!(kinds[3].as_primitive(), Some("decimal(10, 2)"));
    for (kind, nested) in [(kinds[4], "list"), (kinds[5], "map"), (kinds[6], "struct")] {
        assert_eq!(kind.nested.as_ref().map(|n| n.kind.as_str()), Some(nested));
        assert!(kind.check().is_ok());
    }
    let written = serde_json::to_value(&request.schema).unwrap();
    let read = serde_json::from_str::<serde_json::Value>(&body(4, 1)).unwrap();
    assert_eq!(written["fields"], read["schema"]["fields"], "written back as read");
}
