//! The catalog's store: SQLite in the data directory (the default) or
//! PostgreSQL (`--database-url postgres://...`, several servers on one
//! catalog), through sqlx's `Any` driver and its connection pool.
//!
//! The schema follows Iceberg's JDBC catalog: a row per table holding the
//! location of its current metadata file (and, here, that file's contents,
//! so that tables outside `file:` locations have metadata too), a row per
//! namespace with its properties, and a row that says the seeded tables
//! were created:
//!
//! ```sql
//! catalog_namespaces (namespace PRIMARY KEY, properties)          -- properties: a JSON object
//! catalog_tables (namespace REFERENCES catalog_namespaces, name,
//!                 metadata_location, previous_metadata_location, metadata,
//!                 PRIMARY KEY (namespace, name))
//! catalog_state (name PRIMARY KEY, value)                         -- 'seeded'
//! ```
//!
//! A commit is a compare-and-swap of `metadata_location` (one `UPDATE ...
//! WHERE metadata_location = <the base's>`, a transaction of its own): of
//! two commits from the same base, on one server or two, exactly one
//! changes the row. A load reads the row's location and answers from this
//! process's cache only if it is the same (the metadata is read only when
//! it changed): no server answers metadata older than the last commit any
//! server acknowledged.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::error::ErrorKind;
use sqlx::{AnyPool, Row};

use crate::model::{shown_name, CatalogError, TableDef, TableMetadata};

/// The schema, created if missing (every statement is valid SQLite and PostgreSQL).
const SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS catalog_namespaces (
        namespace VARCHAR(2048) NOT NULL PRIMARY KEY,
        properties TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS catalog_tables (
        namespace VARCHAR(2048) NOT NULL REFERENCES catalog_namespaces (namespace),
        name VARCHAR(255) NOT NULL,
        metadata_location TEXT NOT NULL,
        previous_metadata_location TEXT,
        metadata TEXT NOT NULL,
        PRIMARY KEY (namespace, name))",
    "CREATE TABLE IF NOT EXISTS catalog_state (
        name VARCHAR(64) NOT NULL PRIMARY KEY,
        value TEXT NOT NULL)",
];

/// The store, and this process's cache of the tables it loaded (checked
/// against the store's metadata location at each load).
pub struct Store {
    pool: AnyPool,
    cache: Mutex<HashMap<(String, String), Arc<TableDef>>>,
    /// Commits to one table from this process take their turn here, so that
    /// they do not race each other's compare-and-swap (a lost swap is a
    /// retry, and enough of them a 409): the swap is for other servers.
    commit_turns: Box<[tokio::sync::Mutex<()>]>,
}

/// How many tables' commits can be under way at once in one process (a
/// table's commits always take the same turn; two tables may share one).
const COMMIT_TURNS: usize = 64;

/// A store failure, as a 500 (nothing was acknowledged).
fn internal(error: sqlx::Error) -> CatalogError {
    CatalogError::internal(format!("the catalog's store failed: {error}"))
}

fn kind(error: &sqlx::Error) -> Option<ErrorKind> {
    match error {
        sqlx::Error::Database(e) => Some(e.kind()),
        _ => None,
    }
}

impl Store {
    /// Waits for this process's turn to commit to `namespace.table`.
    pub async fn commit_turn(&self, namespace: &str, table: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one((namespace, table));
        self.commit_turns[(hash % COMMIT_TURNS as u64) as usize].lock().await
    }

    /// Connects to `url` (`sqlite:///path/catalog.db?mode=rwc` or
    /// `postgres://...`) and creates the schema if missing. SQLite runs in
    /// WAL mode with `synchronous = FULL`: a committed transaction survives
    /// a crash.
    pub async fn open(url: &str) -> Result<Store, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if sqlite {
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *connection).await?;
                        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *connection).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *connection).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        // Two servers starting at once on an empty PostgreSQL database may
        // both create a table (`IF NOT EXISTS` is not atomic there): the
        // loser tries again and finds it.
        for attempt in 1.. {
            match create_schema(&pool).await {
                Ok(()) => break,
                Err(_) if attempt < 3 => tokio::time::sleep(Duration::from_millis(100 * attempt)).await,
                Err(e) => return Err(e),
            }
        }
        let commit_turns = (0..COMMIT_TURNS).map(|_| tokio::sync::Mutex::new(())).collect();
        Ok(Store { pool, cache: Mutex::default(), commit_turns })
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<TableDef>>> {
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn remember(&self, table: &Arc<TableDef>) {
        self.cache().insert((table.namespace.clone(), table.name.clone()), Arc::clone(table));
    }

    fn forget(&self, namespace: &str, table: &str) {
        self.cache().remove(&(namespace.to_owned(), table.to_owned()));
    }

    /// Creates the seeded namespaces and tables, writing their metadata
    /// files, if no start did before: `false` if one did.
    pub async fn seed(
        &self,
        seeded: Vec<(String, BTreeMap<String, String>, Vec<TableDef>)>,
    ) -> Result<bool, CatalogError> {
        let mut tx = self.pool.begin().await.map_err(internal)?;
        let claimed = sqlx::query(
            "INSERT INTO catalog_state (name, value) VALUES ('seeded', 'true') ON CONFLICT (name) DO NOTHING",
        )
        .execute(&mut *tx)
        .await
        .map_err(internal)?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await.map_err(internal)?;
            return Ok(false);
        }
        for (namespace, properties, tables) in seeded {
            let properties =
                serde_json::to_string(&properties).map_err(|e| CatalogError::internal(e.to_string()))?;
            sqlx::query("INSERT INTO catalog_namespaces (namespace, properties) VALUES ($1, $2) ON CONFLICT (namespace) DO NOTHING")
                .bind(&namespace)
                .bind(&properties)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            for table in tables {
                let json = table.metadata_json().map_err(|e| CatalogError::internal(e.to_string()))?;
                let (written, json) =
                    crate::files::write_new_async(table.metadata_location.clone(), json).await;
                written.map_err(|e| CatalogError::internal(format!("cannot write a metadata file: {e}")))?;
                let json = std::str::from_utf8(&json).map_err(|e| CatalogError::internal(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO catalog_tables (namespace, name, metadata_location, metadata) VALUES ($1, $2, $3, $4)",
                )
                .bind(&table.namespace)
                .bind(&table.name)
                .bind(&table.metadata_location)
                .bind(json)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
            }
        }
        tx.commit().await.map_err(internal)?;
        Ok(true)
    }

    /// Every namespace's key, sorted.
    pub async fn namespaces(&self) -> Result<Vec<String>, CatalogError> {
        let rows = sqlx::query("SELECT namespace FROM catalog_namespaces")
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        let mut keys = rows
            .iter()
            .map(|row| row.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal)?;
        keys.sort_unstable();
        Ok(keys)
    }

    /// A namespace's properties; 404 if it does not exist.
    pub async fn namespace(&self, namespace: &str) -> Result<BTreeMap<String, String>, CatalogError> {
        let row = sqlx::query("SELECT properties FROM catalog_namespaces WHERE namespace = $1")
            .bind(namespace)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)?
            .ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        properties(&row.try_get::<String, _>(0).map_err(internal)?)
    }

    /// Creates a namespace under an existing parent; 409 if it exists.
    pub async fn create_namespace(
        &self,
        namespace: &str,
        properties: &BTreeMap<String, String>,
    ) -> Result<(), CatalogError> {
        let properties =
            serde_json::to_string(properties).map_err(|e| CatalogError::internal(e.to_string()))?;
        let mut tx = self.pool.begin().await.map_err(internal)?;
        let inserted = sqlx::query("INSERT INTO catalog_namespaces (namespace, properties) VALUES ($1, $2)")
            .bind(namespace)
            .bind(&properties)
            .execute(&mut *tx)
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if kind(&e) == Some(ErrorKind::UniqueViolation) => {
                return Err(CatalogError::namespace_exists(namespace))
            }
            Err(e) => return Err(internal(e)),
        }
        if let Some((parent, _)) = namespace.rsplit_once(crate::model::NAMESPACE_SEPARATOR) {
            let found = sqlx::query("SELECT 1 FROM catalog_namespaces WHERE namespace = $1")
                .bind(parent)
                .fetch_optional(&mut *tx)
                .await
                .map_err(internal)?;
            if found.is_none() {
                return Err(CatalogError::no_such_namespace(parent));
            }
        }
        tx.commit().await.map_err(internal)
    }

    /// Drops an empty namespace with no namespace under it.
    pub async fn drop_namespace(&self, namespace: &str) -> Result<(), CatalogError> {
        let mut tx = self.pool.begin().await.map_err(internal)?;
        let deleted = sqlx::query("DELETE FROM catalog_namespaces WHERE namespace = $1")
            .bind(namespace)
            .execute(&mut *tx)
            .await;
        match deleted {
            Ok(done) if done.rows_affected() == 0 => return Err(CatalogError::no_such_namespace(namespace)),
            Ok(_) => {}
            Err(e) if kind(&e) == Some(ErrorKind::ForeignKeyViolation) => {
                drop(tx);
                let tables = self.table_names(namespace).await.map(|names| names.len()).unwrap_or(1);
                return Err(CatalogError::namespace_not_empty(namespace, tables));
            }
            Err(e) => return Err(internal(e)),
        }
        let prefix = format!("{namespace}{}", crate::model::NAMESPACE_SEPARATOR);
        let rows = sqlx::query("SELECT namespace FROM catalog_namespaces")
            .fetch_all(&mut *tx)
            .await
            .map_err(internal)?;
        for row in rows {
            if row.try_get::<String, _>(0).map_err(internal)?.starts_with(&prefix) {
                return Err(CatalogError::namespace_not_empty(namespace, 0));
            }
        }
        tx.commit().await.map_err(internal)
    }

    /// Changes a namespace's properties in one transaction (its row
    /// written first, so the transaction holds the write lock throughout).
    pub async fn update_namespace<T>(
        &self,
        namespace: &str,
        update: impl FnOnce(&mut BTreeMap<String, String>) -> T,
    ) -> Result<T, CatalogError> {
        let mut tx = self.pool.begin().await.map_err(internal)?;
        let locked =
            sqlx::query("UPDATE catalog_namespaces SET properties = properties WHERE namespace = $1")
                .bind(namespace)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        if locked.rows_affected() == 0 {
            return Err(CatalogError::no_such_namespace(namespace));
        }
        let row = sqlx::query("SELECT properties FROM catalog_namespaces WHERE namespace = $1")
            .bind(namespace)
            .fetch_one(&mut *tx)
            .await
            .map_err(internal)?;
        let mut properties = properties(&row.try_get::<String, _>(0).map_err(internal)?)?;
        let answer = update(&mut properties);
        let json = serde_json::to_string(&properties).map_err(|e| CatalogError::internal(e.to_string()))?;
        sqlx::query("UPDATE catalog_namespaces SET properties = $2 WHERE namespace = $1")
            .bind(namespace)
            .bind(&json)
            .execute(&mut *tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(answer)
    }

    /// A namespace's tables' names, sorted; 404 if it does not exist.
    pub async fn table_names(&self, namespace: &str) -> Result<Vec<String>, CatalogError> {
        self.namespace(namespace).await?;
        let rows = sqlx::query("SELECT name FROM catalog_tables WHERE namespace = $1")
            .bind(namespace)
            .fetch_all(&self.pool)
            .await
            .map_err(internal)?;
        let mut names = rows
            .iter()
            .map(|row| row.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal)?;
        names.sort_unstable();
        Ok(names)
    }

    /// Why `namespace.table` is not there: its namespace, or it.
    async fn missing(&self, namespace: &str, table: &str) -> CatalogError {
        match self.namespace(namespace).await {
            Ok(_) => CatalogError::no_such_table(namespace, table),
            Err(e) => e,
        }
    }

    /// The table's current version: the store's metadata location, read at
    /// each call, and the metadata from this process's cache when it is at
    /// that location, else from the store.
    pub async fn load(&self, namespace: &str, table: &str) -> Result<Arc<TableDef>, CatalogError> {
        let cached = self.cache().get(&(namespace.to_owned(), table.to_owned())).cloned();
        let known = cached.as_ref().map_or("", |cached| cached.metadata_location.as_str());
        let row = sqlx::query(
            "SELECT metadata_location, CASE WHEN metadata_location = $3 THEN NULL ELSE metadata END
             FROM catalog_tables WHERE namespace = $1 AND name = $2",
        )
        .bind(namespace)
        .bind(table)
        .bind(known)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        let Some(row) = row else {
            self.forget(namespace, table);
            return Err(self.missing(namespace, table).await);
        };
        let location: String = row.try_get(0).map_err(internal)?;
        let metadata: Option<String> = row.try_get(1).map_err(internal)?;
        match (cached, metadata) {
            (Some(cached), None) if cached.metadata_location == location => Ok(cached),
            (_, Some(json)) => {
                let metadata: TableMetadata = serde_json::from_str(&json).map_err(|e| {
                    CatalogError::internal(format!(
                        "the stored metadata of {} does not decode: {e}",
                        shown_name(namespace, table)
                    ))
                })?;
                let loaded = Arc::new(TableDef::stored(namespace, table, &location, metadata));
                self.remember(&loaded);
                Ok(loaded)
            }
            _ => Err(CatalogError::internal("the store answered no metadata")),
        }
    }

    /// Adds a table whose metadata file is written; `exists` is the error
    /// if its name is taken.
    pub async fn insert(
        &self,
        table: TableDef,
        json: &str,
        exists: fn(&str, &str) -> CatalogError,
    ) -> Result<Arc<TableDef>, CatalogError> {
        let inserted = sqlx::query(
            "INSERT INTO catalog_tables (namespace, name, metadata_location, metadata) VALUES ($1, $2, $3, $4)",
        )
        .bind(&table.namespace)
        .bind(&table.name)
        .bind(&table.metadata_location)
        .bind(json)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => {
                let table = Arc::new(table);
                self.remember(&table);
                Ok(table)
            }
            Err(e) if kind(&e) == Some(ErrorKind::UniqueViolation) => {
                Err(exists(&table.namespace, &table.name))
            }
            Err(e) if kind(&e) == Some(ErrorKind::ForeignKeyViolation) => {
                Err(CatalogError::no_such_namespace(&table.namespace))
            }
            Err(e) => Err(internal(e)),
        }
    }

    /// The commit's compare-and-swap: `next` becomes the table's version if
    /// the store still points at `base`'s metadata location; `None` if
    /// another commit got there first (the store is unchanged).
    pub async fn swap(
        &self,
        base: &TableDef,
        next: TableDef,
        json: &str,
    ) -> Result<Option<Arc<TableDef>>, CatalogError> {
        let swapped = sqlx::query(
            "UPDATE catalog_tables SET metadata_location = $3, previous_metadata_location = $4, metadata = $5
             WHERE namespace = $1 AND name = $2 AND metadata_location = $4",
        )
        .bind(&base.namespace)
        .bind(&base.name)
        .bind(&next.metadata_location)
        .bind(&base.metadata_location)
        .bind(json)
        .execute(&self.pool)
        .await
        .map_err(internal)?;
        if swapped.rows_affected() != 1 {
            return Ok(None);
        }
        let next = Arc::new(next);
        self.remember(&next);
        Ok(Some(next))
    }

    /// Drops a table (its files stay).
    pub async fn drop_table(&self, namespace: &str, table: &str) -> Result<(), CatalogError> {
        let deleted = sqlx::query("DELETE FROM catalog_tables WHERE namespace = $1 AND name = $2")
            .bind(namespace)
            .bind(table)
            .execute(&self.pool)
            .await
            .map_err(internal)?;
        self.forget(namespace, table);
        match deleted.rows_affected() {
            0 => Err(self.missing(namespace, table).await),
            _ => Ok(()),
        }
    }

    /// Renames a table, across namespaces too.
    pub async fn rename_table(&self, from: (&str, &str), to: (&str, &str)) -> Result<(), CatalogError> {
        self.namespace(to.0).await?;
        let renamed = sqlx::query(
            "UPDATE catalog_tables SET namespace = $3, name = $4 WHERE namespace = $1 AND name = $2",
        )
        .bind(from.0)
        .bind(from.1)
        .bind(to.0)
        .bind(to.1)
        .execute(&self.pool)
        .await;
        self.forget(from.0, from.1);
        match renamed {
            Ok(done) if done.rows_affected() == 0 => Err(self.missing(from.0, from.1).await),
            Ok(_) => Ok(()),
            Err(e) if kind(&e) == Some(ErrorKind::UniqueViolation) => {
                Err(CatalogError::table_exists(to.0, to.1))
            }
            Err(e) if kind(&e) == Some(ErrorKind::ForeignKeyViolation) => {
                Err(CatalogError::no_such_namespace(to.0))
            }
            Err(e) => Err(internal(e)),
        }
    }
}

async fn create_schema(pool: &AnyPool) -> Result<(), sqlx::Error> {
    for statement in SCHEMA {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}

fn properties(json: &str) -> Result<BTreeMap<String, String>, CatalogError> {
    serde_json::from_str(json)
        .map_err(|e| CatalogError::internal(format!("stored namespace properties: {e}")))
}
