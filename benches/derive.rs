//! `T::pooled()` + drop of a derived type against the same type through a
//! hand-built `Pool<T>`: the derive must add no cost.
//!
//! `cargo bench --bench derive`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use poolable::{Pool, PoolConfig, Poolable, Reset};

/// The derived type.
#[derive(Poolable, Default)]
#[pool(name = "bench_derived", max_idle = 256)]
struct Derived {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    status: u16,
    trace: Option<u64>,
}

/// The same type, reset and pooled by hand.
#[derive(Default)]
struct Manual {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    status: u16,
    trace: Option<u64>,
}

impl Reset for Manual {
    #[inline]
    fn reset(&mut self) {
        self.path.reset();
        self.headers.reset();
        self.body.reset();
        self.status.reset();
        self.trace.reset();
    }
    #[inline]
    fn retained_bytes(&self) -> usize {
        self.path.retained_bytes() + self.headers.retained_bytes() + self.body.retained_bytes()
    }
}

static MANUAL: Pool<Manual> =
    Pool::with_config(Manual::default, PoolConfig::new("bench_manual").max_idle(256));

fn derive(c: &mut Criterion) {
    let mut group = c.benchmark_group("pooled_then_drop");
    group.bench_function("derived", |b| {
        b.iter(|| {
            let mut object = Derived::pooled();
            object.status = black_box(200);
            drop(black_box(object));
        })
    });
    group.bench_function("hand_built", |b| {
        b.iter(|| {
            let mut object = MANUAL.get();
            object.status = black_box(200);
            drop(black_box(object));
        })
    });
    group.finish();
}

criterion_group!(benches, derive);
criterion_main!(benches);
