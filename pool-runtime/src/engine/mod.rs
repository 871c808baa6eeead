//! Take and return: [`Pool<T>`](crate::Pool) and its [`Pooled<T>`](crate::Pooled)
//! guards, which cache serves a pool on the calling thread (`route`, decided
//! once), and one pool per instantiation of a generic derived type
//! (`generic`).

pub(crate) mod generic;
pub(crate) mod guard;
pub(crate) mod pool;
pub(crate) mod route;
