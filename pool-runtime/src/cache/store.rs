//! The shared store: idle objects every thread can take, bounded by `max_idle`.
//!
//! Two generations, as Go's `sync.Pool` keeps a victim cache: `fresh` holds
//! what came back since the last [`trim`](Store::trim), `victim` what was
//! already idle then. A trim drops the victims (idle for a whole period) and
//! makes the fresh generation the next victims. Takes prefer fresh objects.
//!
//! Thread caches exchange whole batches with the store, Bonwick's
//! magazines: a cache that spills hands over its own `Vec` (holding the
//! batch) and continues in an empty one from the store's spares; a cache that
//! refills swaps its empty `Vec` for a stored batch. Under the lock that is a
//! few pointer moves, whatever the batch size, and the batch's pointers are
//! read once, by the thread that takes it, instead of being copied into the
//! store and out again. Objects that come one at a time (threads without a
//! cache, `cache_size = 0`) or that do not fit whole wait as loose objects.
//!
//! The store never drops an object itself: whatever leaves it is handed to
//! the caller, who drops it after releasing the lock, so a user's `Drop`
//! never runs under the lock.

/// How many loose slots a generation reserves up front at most (32 KiB of
/// pointers); larger bounds grow their storage as they fill.
const PREALLOCATED: usize = 4096;

/// A batch of idle objects, as a thread cache holds them.
type Batch<T> = Vec<Box<T>>;

/// Idle objects, boxed so moving them costs a pointer.
#[derive(Debug)]
pub(crate) struct Store<T> {
    fresh: Generation<T>,
    victim: Generation<T>,
    /// Empty batch `Vec`s, with a thread cache's capacity, for caches that
    /// spill or wake; refills give theirs back, so at steady state none is
    /// allocated. At most `spare_limit`: as many as batches fit in the store,
    /// and one more.
    spares: Vec<Batch<T>>,
    spare_limit: usize,
    /// Objects in both generations.
    len: usize,
    max_idle: usize,
}

#[derive(Debug)]
struct Generation<T> {
    /// Whole batches, the most recent last. Never empty `Vec`s.
    batches: Vec<Batch<T>>,
    loose: Batch<T>,
}

impl<T> Generation<T> {
    const fn new() -> Self {
        Self { batches: Vec::new(), loose: Vec::new() }
    }

    fn len(&self) -> usize {
        self.loose.len() + self.batches.iter().map(Vec::len).sum::<usize>()
    }

    /// Takes one object: a loose one first (they are few), else from the
    /// most recent batch, whose `Vec` is returned once empty.
    fn pop(&mut self) -> Option<(Box<T>, Option<Batch<T>>)> {
        if let Some(object) = self.loose.pop() {
            return Some((object, None));
        }
        let batch = self.batches.last_mut()?;
        let object = batch.pop()?;
        let emptied = if batch.is_empty() { self.batches.pop() } else { None };
        Some((object, emptied))
    }
}

impl<T> Store<T> {
    /// A store for `max_idle` objects, exchanging batches of `batch`.
    pub(crate) const fn new(max_idle: usize, batch: usize) -> Self {
        let bounded = if max_idle < PREALLOCATED { max_idle } else { PREALLOCATED };
        Self {
            fresh: Generation::new(),
            victim: Generation::new(),
            spares: Vec::new(),
            spare_limit: bounded / if batch == 0 { 1 } else { batch } + 1,
            len: 0,
            max_idle,
        }
    }

    /// Keeps an empty batch `Vec` for a later spill, unless enough are kept.
    fn keep_spare(&mut self, spare: Batch<T>) {
        debug_assert!(spare.is_empty());
        if self.spares.len() < self.spare_limit {
            self.spares.push(spare);
        }
    }

    /// Storage for a waking thread cache: a spare, if one is left.
    pub(crate) fn take_spare(&mut self) -> Option<Batch<T>> {
        self.spares.pop()
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn room(&self) -> usize {
        self.max_idle.saturating_sub(self.len)
    }

    /// Reserves the whole bound (up to [`PREALLOCATED`] slots) on the first
    /// loose insertion of a generation, so a new peak of idle objects never
    /// reallocates on a return path: steady state allocates nothing.
    fn reserve_loose(&mut self) {
        if self.fresh.loose.capacity() == 0 {
            self.fresh.loose.reserve_exact(self.max_idle.min(PREALLOCATED));
        }
    }

    /// Takes one object, a fresh one first.
    pub(crate) fn pop(&mut self) -> Option<Box<T>> {
        let (object, emptied) = self.fresh.pop().or_else(|| self.victim.pop())?;
        if let Some(emptied) = emptied {
            self.keep_spare(emptied);
        }
        self.len -= 1;
        Some(object)
    }

    /// Keeps `object` if there is room, or gives it back.
    pub(crate) fn push(&mut self, object: Box<T>) -> Result<(), Box<T>> {
        if self.room() == 0 {
            return Err(object);
        }
        self.reserve_loose();
        self.fresh.loose.push(object);
        self.len += 1;
        Ok(())
    }

    /// Refills an empty thread cache: swaps it for a stored batch, or moves
    /// up to `n` loose objects into it. Returns how many it now holds.
    pub(crate) fn refill(&mut self, cache: &mut Batch<T>, n: usize) -> usize {
        debug_assert!(cache.is_empty(), "only an empty cache refills");
        let batch = match self.fresh.batches.pop() {
            Some(batch) => Some(batch),
            None if self.fresh.loose.is_empty() => self.victim.batches.pop(),
            None => None,
        };
        if let Some(batch) = batch {
            let empty = std::mem::replace(cache, batch);
            self.keep_spare(empty);
        } else {
            for generation in [&mut self.fresh, &mut self.victim] {
                let from = (n - cache.len()).min(generation.loose.len());
                cache.extend(generation.loose.drain(generation.loose.len() - from..));
            }
        }
        self.len -= cache.len();
        cache.len()
    }

    /// Takes the `n` oldest objects (the front) of a full thread cache, as
    /// many as there is room for; returns how many moved.
    ///
    /// With room for all `n`, the cache's own `Vec` becomes a stored batch
    /// and the cache continues in a spare holding the objects it keeps (a
    /// spare is allocated, once, if none is left).
    pub(crate) fn spill(&mut self, cache: &mut Batch<T>, n: usize) -> usize {
        let moved = n.min(cache.len()).min(self.room());
        if moved == 0 {
            return 0;
        }
        if moved == cache.len() || moved == n {
            let mut spare = self.spares.pop().unwrap_or_else(|| Vec::with_capacity(cache.capacity()));
            spare.extend(cache.drain(moved..));
            let batch = std::mem::replace(cache, spare);
            self.fresh.batches.push(batch);
            self.len += moved;
        } else {
            self.add_loose(cache, moved);
        }
        moved
    }

    /// Takes every object of an exiting thread's cache it has room for;
    /// the cache keeps the rest, for the caller to drop.
    pub(crate) fn hand_back(&mut self, cache: &mut Batch<T>) {
        if cache.is_empty() {
            return;
        }
        if cache.len() <= self.room() {
            self.len += cache.len();
            self.fresh.batches.push(std::mem::take(cache));
        } else {
            self.add_loose(cache, self.room());
        }
    }

    /// Moves the `n` oldest objects of `cache` in as loose objects.
    fn add_loose(&mut self, cache: &mut Batch<T>, n: usize) {
        if n > 0 {
            self.reserve_loose();
            self.fresh.loose.extend(cache.drain(..n));
            self.len += n;
        }
    }

    /// Takes every object out, and frees the spare batch storage.
    pub(crate) fn take_all(&mut self) -> Vec<Box<T>> {
        let mut all = self.evict(Generation::new());
        all.extend(self.evict(Generation::new()));
        self.spares = Vec::new();
        all
    }

    /// Ends a period: returns the victims (not taken since the previous trim)
    /// and makes the current generation the next victims.
    pub(crate) fn trim(&mut self) -> Vec<Box<T>> {
        self.evict(Generation::new())
    }

    /// Makes `next` the fresh generation, the fresh one the victims, and
    /// takes the objects of the old victims out; their batch `Vec`s become
    /// spares.
    fn evict(&mut self, next: Generation<T>) -> Vec<Box<T>> {
        let fresh = std::mem::replace(&mut self.fresh, next);
        let victims = std::mem::replace(&mut self.victim, fresh);
        let mut evicted = Vec::with_capacity(victims.len());
        evicted.extend(victims.loose);
        for mut batch in victims.batches {
            evicted.append(&mut batch);
            self.keep_spare(batch);
        }
        self.len -= evicted.len();
        evicted
    }
}

#[cfg(test)]
mod tests {
    use super::Store;

    fn store_with(max_idle: usize, values: &[u32]) -> Store<u32> {
        let mut store = Store::new(max_idle, 3);
        for &v in values {
            store.push(Box::new(v)).unwrap();
        }
        store
    }

    #[allow(clippy::vec_box)] // a thread cache holds boxes
    fn cache_with(capacity: usize, values: &[u32]) -> Vec<Box<u32>> {
        let mut cache = Vec::with_capacity(capacity);
        cache.extend(values.iter().map(|&v| Box::new(v)));
        cache
    }

    fn values(objects: &[Box<u32>]) -> Vec<u32> {
        objects.iter().map(|b| **b).collect()
    }

    #[test]
    fn push_stops_at_max_idle_and_gives_the_object_back() {
        let mut store = store_with(2, &[1, 2]);
        assert_eq!(store.push(Box::new(3)).map_err(|b| *b), Err(3));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn pop_takes_the_most_recent_first() {
        let mut store = store_with(4, &[1, 2, 3]);
        assert_eq!(store.pop().map(|b| *b), Some(3));
    }

    #[test]
    fn a_spill_hands_over_the_oldest_as_a_batch_and_a_refill_swaps_it_in() {
        let mut store = Store::new(16, 3);
        let mut full = cache_with(4, &[1, 2, 3, 4]);
        assert_eq!(store.spill(&mut full, 3), 3);
        assert_eq!(values(&full), [4], "the newest stays");
        assert_eq!(full.capacity(), 4, "the cache continues at its capacity");
        assert_eq!(store.len(), 3);

        let mut empty = cache_with(4, &[]);
        assert_eq!(store.refill(&mut empty, 3), 3);
        assert_eq!(values(&empty), [1, 2, 3]);
        assert_eq!((empty.capacity(), store.len()), (4, 0));

        // The refill's empty `Vec` is the next spill's: nothing allocated.
        assert_eq!(store.spares.len(), 1);
        let mut full = cache_with(4, &[5, 6, 7, 8]);
        assert_eq!(store.spill(&mut full, 3), 3);
        assert_eq!((store.spares.len(), full.capacity(), store.len()), (0, 4, 3));
    }

    #[test]
    fn spills_respect_room_and_fall_back_to_loose_objects() {
        let mut store = store_with(4, &[1, 2, 3]);
        let mut cache = cache_with(3, &[10, 11, 12]);
        assert_eq!(store.spill(&mut cache, 3), 1, "only one slot left");
        assert_eq!(values(&cache), [11, 12], "oldest moved");
        assert_eq!(store.spill(&mut cache, 3), 0, "full");
        let mut into = cache_with(8, &[]);
        assert_eq!(store.refill(&mut into, 8), 4, "loose objects move one by one");
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn an_exiting_cache_is_kept_whole_or_as_far_as_it_fits() {
        let mut store = Store::new(5, 3);
        let mut first = cache_with(4, &[1, 2, 3]);
        store.hand_back(&mut first);
        assert!(first.is_empty());
        let mut second = cache_with(4, &[4, 5, 6]);
        store.hand_back(&mut second);
        assert_eq!(values(&second), [6], "what does not fit stays for the caller to drop");
        assert_eq!(store.len(), 5);
        assert_eq!(store.take_all().len(), 5);
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn trim_evicts_what_was_idle_for_a_whole_period() {
        let mut store = store_with(8, &[1, 2]);
        assert!(store.trim().is_empty(), "first trim only ages");
        store.push(Box::new(3)).unwrap();
        let _taken = store.pop(); // 3: fresh objects are taken first
        let _taken = store.pop(); // 2: a victim taken again is no longer idle
        let evicted: Vec<u32> = store.trim().into_iter().map(|b| *b).collect();
        assert_eq!(evicted, [1]);
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn spares_stay_bounded_under_thread_churn() {
        // Each short-lived thread wakes with a new `Vec` (the worst case: no
        // spare taken), refills by swapping a batch in, which leaves its `Vec`
        // as a spare, and hands its cache back at exit.
        let mut store = Store::new(64, 3);
        let mut first = cache_with(4, &[1, 2, 3]);
        store.hand_back(&mut first);
        for _ in 0..1000 {
            let mut cache = Vec::with_capacity(4);
            assert_eq!(store.refill(&mut cache, 3), 3);
            store.hand_back(&mut cache);
        }
        assert!(store.spares.len() <= 64 / 3 + 1, "{} spares", store.spares.len());
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn trimmed_batches_leave_their_storage_as_spares() {
        let mut store = Store::new(16, 3);
        let mut cache = cache_with(4, &[1, 2, 3, 4]);
        store.spill(&mut cache, 3);
        let spares = store.spares.len();
        store.trim();
        assert_eq!(store.trim().len(), 3);
        assert_eq!(store.spares.len(), spares + 1);
    }

    #[test]
    fn batches_age_with_their_generation() {
        let mut store = Store::new(16, 3);
        let mut cache = cache_with(4, &[1, 2, 3, 4]);
        store.spill(&mut cache, 3);
        assert!(store.trim().is_empty());
        assert_eq!(store.len(), 3, "a victim batch is still idle");
        assert_eq!(values(&store.trim()), [1, 2, 3]);
        assert_eq!(store.len(), 0);
    }
}
