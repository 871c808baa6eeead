//! Features `serde` and `json`: transparent `Pooled<T>`, serialisable stats,
//! `poolable::json`, `Reset` for `serde_json` values.
#![cfg(feature = "serde")]

use poolable::{Pool, PoolConfig, PoolStats};

#[test]
fn pooled_serialises_as_the_object() {
    static ROWS: Pool<Vec<u32>> = Pool::with_config(Vec::new, PoolConfig::new("serde_rows"));
    let mut rows = ROWS.get();
    rows.extend([1, 2, 3]);
    let text = serde_json::to_string(&rows).unwrap();
    assert_eq!(text, serde_json::to_string(&*rows).unwrap());
    assert_eq!(text, "[1,2,3]");
}

#[test]
fn stats_serialise_with_their_field_names() {
    let stats = PoolStats { hits: 1, misses: 2, returns: 3, discards: 0, evictions: 0, idle: 0, in_use: 0 };
    let value = serde_json::to_value(stats).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"hits": 1, "misses": 2, "returns": 3, "discards": 0, "evictions": 0, "idle": 0, "in_use": 0})
    );
    let discards = serde_json::to_value(poolable::Discards { full: 1, ..Default::default() }).unwrap();
    assert_eq!(
        discards,
        serde_json::json!({"full": 1, "oversized": 0, "panic": 0, "detached": 0, "disabled": 0, "chaos": 0})
    );
}

#[cfg(feature = "json")]
mod json {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, MutexGuard};

    use poolable::{PooledBuffer, Reset};
    use serde::Serialize;
    use serde_json::{json, Map, Value};

    /// The buffer classes are process-wide: tests that read their counters
    /// do not run alongside others that use them.
    fn serial() -> MutexGuard<'static, ()> {
        static LOCK: Mutex<()> = Mutex::new(());
        LOCK.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[derive(Serialize)]
    struct Column {
        id: u32,
        name: String,
        doc: Option<String>,
    }

    fn schema(columns: u32) -> Vec<Column> {
        (0..columns)
            .map(|id| Column {
                id,
                name: format!("column_{id}"),
                doc: (id % 2 == 0).then(|| "a \"quoted\" doc\n".into()),
            })
            .collect()
    }

    #[test]
    fn to_vec_equals_serde_json_at_every_size() {
        let _serial = serial();
        for columns in [0, 1, 40, 600, 3_000] {
            let value = schema(columns);
            let expected = serde_json::to_vec(&value).unwrap();
            for _ in 0..3 {
                // The class follows the previous output: repeat to cover both.
                let pooled = poolable::json::to_vec(&value).unwrap();
                assert_eq!(&pooled[..], &expected[..], "{columns} columns");
            }
            let hinted = poolable::json::to_vec_with_capacity(&value, expected.len()).unwrap();
            assert_eq!(&hinted[..], &expected[..]);
            let pretty = poolable::json::to_vec_pretty(&value).unwrap();
            assert_eq!(&pretty[..], &serde_json::to_vec_pretty(&value).unwrap()[..]);
        }
    }

    #[test]
    fn to_vec_reuses_the_class_of_the_previous_output() {
        let _serial = serial();
        let big = schema(1_000); // > 16 KiB
        drop(poolable::json::to_vec(&big).unwrap());
        let again = poolable::json::to_vec(&big).unwrap();
        assert!(again.len() > 16 * 1024);
        assert_eq!(again.class_size(), Some(again.len().next_power_of_two().max(4096)));
    }

    #[test]
    fn to_writer_appends() {
        let _serial = serial();
        let mut out = poolable::buffer();
        poolable::json::to_writer(&mut out, &json!({"a": 1})).unwrap();
        out.push(b'\n');
        poolable::json::to_writer(&mut out, &[true]).unwrap();
        assert_eq!(&out[..], b"{\"a\":1}\n[true]");
    }

    #[test]
    fn an_error_returns_the_buffer() {
        let _serial = serial();
        let mut bad = BTreeMap::new();
        bad.insert(vec![1u8], 1); // a map key that is not a string
        let before = PooledBuffer::class_stats(4096).unwrap();
        assert!(poolable::json::to_vec_with_capacity(&bad, 100).is_err());
        let after = PooledBuffer::class_stats(4096).unwrap();
        assert_eq!(after.in_use, before.in_use);
    }

    #[test]
    fn values_reset_to_null_and_maps_clear() {
        let mut value = json!({"name": "orders", "columns": [1, 2]});
        value.reset();
        assert_eq!(value, Value::Null);
        assert_eq!(value.retained_bytes(), 0);

        let mut map = Map::new();
        map.insert("k".into(), json!(1));
        map.reset();
        assert!(map.is_empty());
    }
}
