use poolable::{Poolable, Pooled};

const CACHE: usize = 4;

#[derive(Poolable, Default)]
#[pool(name = "switched_off", cache_size = 2 * CACHE, enabled = false)]
struct Off {
    body: Vec<u8>,
}

#[derive(Poolable, Default)]
#[pool(cache_size = 0, enabled = true)]
struct Uncached {
    body: Vec<u8>,
}

fn main() {
    let config = Off::pool().config();
    assert_eq!((config.get_cache_size(), config.get_enabled()), (8, false));
    drop(Off::pooled());
    drop(Off::pooled());
    let (stats, discards) = (Off::pool().stats(), Off::pool().discards());
    assert_eq!((stats.misses, stats.hits, stats.idle, discards.disabled), (2, 0, 0, 2));

    let uncached: Pooled<Uncached> = Uncached::pooled();
    drop(uncached);
    assert_eq!((Uncached::pool().local_idle(), Uncached::pool().shared_idle()), (0, 1));
}
