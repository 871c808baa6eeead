//! Where idle objects wait: each thread's cache of a pool, in front of the
//! shared store all its threads fill and drain in batches, and `Shared<T>`,
//! the state of a pool its threads share (bounds, store, counters, what its
//! constructor makes).
//!
//! Nothing here resets an object or knows the `Reset` trait: the thread
//! slots are declared here so that the trait's hidden hooks can name them,
//! and the engine above decides which cache serves a pool.

pub(crate) mod fresh;
pub(crate) mod local;
pub(crate) mod shared;
pub(crate) mod store;
