//! A commit writes the table's next version into a replaced one
//! (`TableDef::copy_into`) instead of cloning it: the copy must equal a
//! clone whatever table the spare held before, and reuse its allocations.

use catalog::model;
use poolable_test_support::counting as counting_alloc;

use model::{Catalog, TableDef};

#[global_allocator]
static GLOBAL: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc(std::alloc::System);

fn assert_same(copy: &TableDef, original: &TableDef) {
    assert_eq!(copy.namespace, original.namespace);
    assert_eq!(copy.name, original.name);
    assert_eq!(copy.metadata_location, original.metadata_location);
    assert_eq!(copy.metadata_version, original.metadata_version);
    assert_eq!(copy.metadata, original.metadata, "{}.{}", original.namespace, original.name);
    assert!(std::sync::Arc::ptr_eq(&copy.answer_len, &original.answer_len));
}

#[test]
fn a_copy_into_any_spare_equals_a_clone() {
    let catalog = Catalog::generate(60);
    let tables = catalog.tables();
    for from in &tables {
        for spare in &tables {
            let mut copy = TableDef::clone(spare);
            from.copy_into(&mut copy);
            assert_same(&copy, from);
        }
    }
}

#[test]
fn copying_into_a_spare_of_the_same_table_allocates_nothing() {
    let catalog = Catalog::generate(60);
    for table in catalog.tables() {
        let mut spare = TableDef::clone(&table);
        let cloning = counting_alloc::on_this_thread(|| drop(TableDef::clone(&table)));
        assert!(cloning > 100, "a clone of {}.{} allocates anew ({cloning})", table.namespace, table.name);
        println!(
            "{}.{}: a clone makes {cloning} allocations, a copy into a spare 0",
            table.namespace, table.name
        );
        table.copy_into(&mut spare);
        let allocations = counting_alloc::on_this_thread(|| table.copy_into(&mut spare));
        assert_eq!(allocations, 0, "{}.{}", table.namespace, table.name);
        assert_same(&spare, &table);
    }
}
