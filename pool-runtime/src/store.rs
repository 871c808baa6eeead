//! The shared store: idle objects every thread can take, bounded by `max_idle`.
//!
//! Two generations, as Go's `sync.Pool` keeps a victim cache: `fresh` holds
//! what came back since the last [`trim`](Store::trim), `victim` what was
//! already idle then. A trim drops the victims (idle for a whole period) and
//! makes the fresh generation the next victims. Takes prefer fresh objects.
//!
//! The store never drops an object itself: whatever leaves it is handed to
//! the caller, who drops it after releasing the lock, so a user's `Drop`
//! never runs under the lock.

/// How many slots a store reserves up front at most (32 KiB of pointers);
/// larger bounds grow their storage as they fill.
const PREALLOCATED: usize = 4096;

/// Idle objects, boxed so moving them costs a pointer.
#[derive(Debug)]
pub(crate) struct Store<T> {
    fresh: Vec<Box<T>>,
    victim: Vec<Box<T>>,
    max_idle: usize,
}

impl<T> Store<T> {
    pub(crate) const fn new(max_idle: usize) -> Self {
        Self { fresh: Vec::new(), victim: Vec::new(), max_idle }
    }

    pub(crate) fn len(&self) -> usize {
        self.fresh.len() + self.victim.len()
    }

    fn room(&self) -> usize {
        self.max_idle.saturating_sub(self.len())
    }

    /// Reserves the whole bound (up to [`PREALLOCATED`] slots) on the first
    /// insertion of a generation, so a new peak of idle objects never
    /// reallocates on a return path: steady state allocates nothing.
    fn reserve_for_bound(&mut self) {
        if self.fresh.capacity() == 0 {
            self.fresh.reserve_exact(self.max_idle.min(PREALLOCATED));
        }
    }

    /// Takes one object, the most recently returned first.
    pub(crate) fn pop(&mut self) -> Option<Box<T>> {
        self.fresh.pop().or_else(|| self.victim.pop())
    }

    /// Keeps `object` if there is room, or gives it back.
    pub(crate) fn push(&mut self, object: Box<T>) -> Result<(), Box<T>> {
        if self.room() == 0 {
            return Err(object);
        }
        self.reserve_for_bound();
        self.fresh.push(object);
        Ok(())
    }

    /// Moves up to `n` objects into `into`; returns how many moved.
    pub(crate) fn take_batch(&mut self, into: &mut Vec<Box<T>>, n: usize) -> usize {
        let from_fresh = n.min(self.fresh.len());
        into.extend(self.fresh.drain(self.fresh.len() - from_fresh..));
        let from_victim = (n - from_fresh).min(self.victim.len());
        into.extend(self.victim.drain(self.victim.len() - from_victim..));
        from_fresh + from_victim
    }

    /// Moves up to `n` objects out of the front of `from` (the ones a cache
    /// used least recently), as many as there is room for; returns how many.
    pub(crate) fn give_batch(&mut self, from: &mut Vec<Box<T>>, n: usize) -> usize {
        let moved = n.min(from.len()).min(self.room());
        if moved > 0 {
            self.reserve_for_bound();
        }
        self.fresh.extend(from.drain(..moved));
        moved
    }

    /// Takes every object out.
    pub(crate) fn take_all(&mut self) -> Vec<Box<T>> {
        let mut all = std::mem::take(&mut self.victim);
        all.append(&mut self.fresh);
        all
    }

    /// Ends a period: returns the victims (not taken since the previous trim)
    /// and makes the current generation the next victims.
    pub(crate) fn trim(&mut self) -> Vec<Box<T>> {
        let evicted = std::mem::take(&mut self.victim);
        self.victim = std::mem::take(&mut self.fresh);
        evicted
    }
}

#[cfg(test)]
mod tests {
    use super::Store;

    fn store_with(max_idle: usize, values: &[u32]) -> Store<u32> {
        let mut store = Store::new(max_idle);
        for &v in values {
            store.push(Box::new(v)).unwrap();
        }
        store
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
    fn batches_respect_room_and_availability() {
        let mut store = store_with(4, &[1, 2, 3]);
        let mut cache = vec![Box::new(10), Box::new(11), Box::new(12)];
        assert_eq!(store.give_batch(&mut cache, 3), 1, "only one slot left");
        assert_eq!(cache.iter().map(|b| **b).collect::<Vec<_>>(), [11, 12], "oldest moved");
        let mut into = Vec::new();
        assert_eq!(store.take_batch(&mut into, 10), 4);
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
}
