//! The catalog: namespaces and their tables, in memory; and the answers
//! both it and the SQL store (`crate::store`) build from what they hold.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use poolable::{Poolable, Pooled};

use super::commit::{apply, apply_create};
use super::table::seeded;
use super::{
    valid_name, valid_namespace, CatalogConfig, CatalogError, CommitTableRequest, CreateTableRequest,
    ListNamespacesResponse, ListTablesResponse, NamespaceBody, RenameTableRequest, TableDef, TableIdentifier,
    UpdateNamespaceProperties, UpdateNamespacePropertiesResponse, ENDPOINTS, NAMESPACE_SEPARATOR, PREFIX,
};

/// An in-memory catalog. Each table is one `Arc` of its current metadata:
/// a load clones the `Arc` and builds its answer without a lock; a commit
/// checks and applies under the catalog's write lock, so that of two
/// commits from the same metadata, the second sees the first's result.
pub struct Catalog {
    namespaces: RwLock<BTreeMap<String, Namespace>>,
    /// Table versions a commit replaced and no request reads any more: the
    /// next commits write their new version into one of these, keeping its
    /// strings and lists, instead of cloning the table afresh (hundreds of
    /// allocations a commit). Taken and given back under the write lock.
    spares: Mutex<Vec<TableDef>>,
    /// Where tables created without a location go.
    warehouse: String,
}

/// The warehouse of the in-memory catalog (of the `catalog` run and the
/// allocator matrix): tables there have no files.
pub const MEMORY_WAREHOUSE: &str = "s3://warehouse";

/// Replaced versions kept for the next commits: commits are serialised by
/// the write lock, so a couple cover them; each is one table's metadata.
const MAX_SPARES: usize = 2;

#[derive(Default)]
struct Namespace {
    properties: BTreeMap<String, String>,
    tables: BTreeMap<String, Arc<TableDef>>,
}

/// The spec's paging of lists: `pageToken` (where the previous page ended:
/// the last name it held) and `pageSize`.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub token: Option<String>,
    pub size: Option<usize>,
}

impl Page {
    /// From the query's values; a size that is not a positive number is a 400.
    pub fn parse(token: Option<String>, size: Option<&str>) -> Result<Page, CatalogError> {
        let size = match size {
            None => None,
            Some(size) => match size.parse::<usize>() {
                Ok(size) if size > 0 => Some(size),
                _ => {
                    return Err(CatalogError::bad_request(format!(
                        "pageSize must be a positive integer, not {}",
                        super::echo(size)
                    )))
                }
            },
        };
        // An empty token asks for the first page.
        Ok(Page { token: token.filter(|token| !token.is_empty()), size })
    }

    /// The names of this page from `names` (sorted), and the token of the
    /// next page if there is one.
    pub(crate) fn select<'a>(&self, names: impl Iterator<Item = &'a str>) -> (Vec<&'a str>, Option<&'a str>) {
        let after = self.token.as_deref();
        let mut page: Vec<&str> = names.filter(|name| after.is_none_or(|after| *name > after)).collect();
        match self.size {
            Some(size) if page.len() > size => {
                page.truncate(size);
                let next = page.last().copied();
                (page, next)
            }
            _ => (page, None),
        }
    }
}

const SEEDED: [(&str, [&str; 4]); 3] = [
    ("analytics", ["orders", "customers", "line_items", "page_views"]),
    ("sales", ["invoices", "refunds", "quotes", "accounts"]),
    ("ops", ["deployments", "incidents", "alerts", "audit_log"]),
];

impl Catalog {
    /// Twelve tables in three namespaces; their schemas hold on average
    /// `columns` columns (half, once or one and a half times as many).
    pub fn generate(columns: u32) -> Catalog {
        Self::generate_in(columns, MEMORY_WAREHOUSE)
    }

    /// The same, the tables' locations under `warehouse`, where tables
    /// created without a location go too.
    pub fn generate_in(columns: u32, warehouse: &str) -> Catalog {
        let mut namespaces = BTreeMap::new();
        for (namespace, properties, tables) in seeded_tables(columns, warehouse) {
            let tables = tables.into_iter().map(|table| (table.name.clone(), Arc::new(table))).collect();
            namespaces.insert(namespace, Namespace { properties, tables });
        }
        Catalog {
            namespaces: RwLock::new(namespaces),
            spares: Mutex::default(),
            warehouse: warehouse.to_owned(),
        }
    }

    /// A catalog with no namespace, whose tables created without a
    /// location go under `warehouse` (the service's, when a store holds
    /// the catalog).
    pub fn empty(warehouse: &str) -> Catalog {
        Catalog { namespaces: RwLock::default(), spares: Mutex::default(), warehouse: warehouse.to_owned() }
    }

    /// Where tables created without a location go.
    pub fn warehouse(&self) -> &str {
        &self.warehouse
    }

    // A panic while the catalog was locked left it as it was: every change
    // is checked before it is made.
    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, Namespace>> {
        self.namespaces.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Namespace>> {
        self.namespaces.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer of `GET /v1/config`, in a pooled builder.
    pub fn config(&self) -> Pooled<CatalogConfig> {
        let mut config = CatalogConfig::pooled();
        config.defaults.entry("client.region").push_str("eu-west-1");
        config.overrides.entry("prefix").push_str(PREFIX);
        config.endpoints.extend_from_slice(&ENDPOINTS);
        config
    }

    /// The table `namespace.table`, or why not.
    pub fn table(&self, namespace: &str, table: &str) -> Result<Arc<TableDef>, CatalogError> {
        check_names(namespace, table)?;
        let namespaces = self.read();
        let entry = namespaces.get(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        entry.tables.get(table).cloned().ok_or_else(|| CatalogError::no_such_table(namespace, table))
    }

    /// Every table, sorted by namespace and name.
    pub fn tables(&self) -> Vec<Arc<TableDef>> {
        self.read().values().flat_map(|namespace| namespace.tables.values().cloned()).collect()
    }

    /// Every table's `namespace.name`, sorted.
    pub fn table_names(&self) -> Vec<(String, String)> {
        self.tables().iter().map(|t| (t.namespace.clone(), t.name.clone())).collect()
    }

    /// `GET /v1/{prefix}/namespaces[?parent=...]`: the namespaces one level
    /// under `parent` (the top level without one), a page of them.
    pub fn namespace_list(
        &self,
        parent: Option<&str>,
        page: &Page,
    ) -> Result<Pooled<ListNamespacesResponse>, CatalogError> {
        let namespaces = self.read();
        namespace_list(namespaces.keys().map(String::as_str), parent, page)
    }

    /// `GET /v1/{prefix}/namespaces/{ns}/tables`: a page of its tables.
    pub fn table_list(
        &self,
        namespace: &str,
        page: &Page,
    ) -> Result<Pooled<ListTablesResponse>, CatalogError> {
        check_namespace(namespace)?;
        let namespaces = self.read();
        let entry = namespaces.get(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        Ok(table_list(namespace, entry.tables.keys().map(String::as_str), page))
    }

    /// `POST /v1/{prefix}/namespaces`: the new namespace, as the answer
    /// gives it (the request is answered as it came).
    pub fn create_namespace(&self, request: &NamespaceBody) -> Result<(), CatalogError> {
        let key = request.namespace.join(&NAMESPACE_SEPARATOR.to_string());
        check_namespace(&key)?;
        let mut namespaces = self.write();
        if namespaces.contains_key(&key) {
            return Err(CatalogError::namespace_exists(&key));
        }
        // A level is created under an existing parent, so that listing from
        // the top reaches every namespace.
        if let Some((parent, _)) = key.rsplit_once(NAMESPACE_SEPARATOR) {
            if !namespaces.contains_key(parent) {
                return Err(CatalogError::no_such_namespace(parent));
            }
        }
        let properties = request.properties.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect();
        namespaces.insert(key, Namespace { properties, tables: BTreeMap::new() });
        Ok(())
    }

    /// `GET /v1/{prefix}/namespaces/{ns}`: its levels and properties.
    pub fn namespace(&self, namespace: &str) -> Result<Pooled<NamespaceBody>, CatalogError> {
        check_namespace(namespace)?;
        let namespaces = self.read();
        let entry = namespaces.get(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        Ok(namespace_body(namespace, &entry.properties))
    }

    /// `HEAD /v1/{prefix}/namespaces/{ns}`.
    pub fn namespace_exists(&self, namespace: &str) -> Result<(), CatalogError> {
        check_namespace(namespace)?;
        match self.read().contains_key(namespace) {
            true => Ok(()),
            false => Err(CatalogError::no_such_namespace(namespace)),
        }
    }

    /// `DELETE /v1/{prefix}/namespaces/{ns}`: only an empty one (nor a
    /// parent of another).
    pub fn drop_namespace(&self, namespace: &str) -> Result<(), CatalogError> {
        check_namespace(namespace)?;
        let mut namespaces = self.write();
        let entry = namespaces.get(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        if !entry.tables.is_empty() {
            return Err(CatalogError::namespace_not_empty(namespace, entry.tables.len()));
        }
        let prefix = format!("{namespace}{NAMESPACE_SEPARATOR}");
        if namespaces.keys().any(|key| key.starts_with(&prefix)) {
            return Err(CatalogError::namespace_not_empty(namespace, 0));
        }
        namespaces.remove(namespace);
        Ok(())
    }

    /// `POST /v1/{prefix}/namespaces/{ns}/properties`.
    pub fn update_namespace(
        &self,
        namespace: &str,
        request: &UpdateNamespaceProperties,
    ) -> Result<Pooled<UpdateNamespacePropertiesResponse>, CatalogError> {
        check_namespace_update(namespace, request)?;
        let mut namespaces = self.write();
        let entry =
            namespaces.get_mut(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        Ok(update_properties(&mut entry.properties, request))
    }

    /// `POST /v1/{prefix}/namespaces/{ns}/tables`: the new table.
    pub fn create_table(
        &self,
        namespace: &str,
        request: &CreateTableRequest,
    ) -> Result<Arc<TableDef>, CatalogError> {
        let table = new_table(namespace, request, &self.warehouse)?;
        if request.stage_create {
            // Staged: answered, not kept (a create transaction commits it).
            self.namespace_exists(namespace)?;
            return Ok(Arc::new(table));
        }
        self.insert(table, CatalogError::table_exists)
    }

    /// `POST /v1/{prefix}/namespaces/{ns}/tables/{table}` to a table that
    /// does not exist, asserting its creation (a create transaction's
    /// commit): the table, its updates applied; 409 `CommitFailedException`
    /// if it appeared meanwhile.
    pub fn create_by_commit(
        &self,
        namespace: &str,
        table: &str,
        request: &CommitTableRequest,
    ) -> Result<Arc<TableDef>, CatalogError> {
        check_commit(namespace, table, request)?;
        let created = apply_create(namespace, table, request, &self.warehouse)?;
        self.insert(created, |namespace, table| {
            CatalogError::commit_failed(format!(
                "Requirement failed: table {}.{table} was created meanwhile",
                super::shown(namespace)
            ))
        })
    }

    /// Adds `table` (a new one, or one registered from its metadata file);
    /// `exists` is the error if its name is taken.
    pub fn insert(
        &self,
        table: TableDef,
        exists: fn(&str, &str) -> CatalogError,
    ) -> Result<Arc<TableDef>, CatalogError> {
        check_names(&table.namespace, &table.name)?;
        let mut namespaces = self.write();
        let entry = namespaces
            .get_mut(&table.namespace)
            .ok_or_else(|| CatalogError::no_such_namespace(&table.namespace))?;
        if entry.tables.contains_key(&table.name) {
            return Err(exists(&table.namespace, &table.name));
        }
        let table = Arc::new(table);
        entry.tables.insert(table.name.clone(), Arc::clone(&table));
        Ok(table)
    }

    /// `HEAD /v1/{prefix}/namespaces/{ns}/tables/{table}`.
    pub fn table_exists(&self, namespace: &str, table: &str) -> Result<(), CatalogError> {
        self.table(namespace, table).map(drop)
    }

    /// `DELETE /v1/{prefix}/namespaces/{ns}/tables/{table}`.
    pub fn drop_table(&self, namespace: &str, table: &str) -> Result<(), CatalogError> {
        check_names(namespace, table)?;
        let mut namespaces = self.write();
        let entry =
            namespaces.get_mut(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        entry.tables.remove(table).map(drop).ok_or_else(|| CatalogError::no_such_table(namespace, table))
    }

    /// `POST /v1/{prefix}/tables/rename`.
    pub fn rename_table(&self, request: &RenameTableRequest) -> Result<(), CatalogError> {
        let (from, to) = (key(&request.source), key(&request.destination));
        check_names(&from, &request.source.name)?;
        check_names(&to, &request.destination.name)?;
        let mut namespaces = self.write();
        if !namespaces.contains_key(&to) {
            return Err(CatalogError::no_such_namespace(&to));
        }
        let source = namespaces.get(&from).ok_or_else(|| CatalogError::no_such_namespace(&from))?;
        let Some(table) = source.tables.get(&request.source.name).cloned() else {
            return Err(CatalogError::no_such_table(&from, &request.source.name));
        };
        if namespaces[&to].tables.contains_key(&request.destination.name) {
            return Err(CatalogError::table_exists(&to, &request.destination.name));
        }
        let mut renamed = TableDef::clone(&table);
        renamed.namespace.clone_from(&to);
        renamed.name.clone_from(&request.destination.name);
        namespaces.get_mut(&from).expect("checked").tables.remove(&request.source.name);
        namespaces
            .get_mut(&to)
            .expect("checked")
            .tables
            .insert(request.destination.name.clone(), Arc::new(renamed));
        Ok(())
    }

    /// `POST /v1/{prefix}/namespaces/{ns}/tables/{table}`: every requirement
    /// checked and every update applied to a copy of the metadata, which
    /// replaces the table's only if all of them passed; the new version.
    pub fn commit(
        &self,
        namespace: &str,
        table: &str,
        request: &CommitTableRequest,
    ) -> Result<Arc<TableDef>, CatalogError> {
        check_commit(namespace, table, request)?;
        let mut namespaces = self.write();
        let entry =
            namespaces.get_mut(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        let current =
            entry.tables.get_mut(table).ok_or_else(|| CatalogError::no_such_table(namespace, table))?;
        let mut spares = self.spares.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = Arc::new(apply(current, request, spares.pop())?);
        let previous = std::mem::replace(current, Arc::clone(&next));
        // A request still answering from the previous version drops it
        // later, as any other; otherwise it is the next commit's spare.
        if let Some(previous) = Arc::into_inner(previous) {
            if spares.len() < MAX_SPARES {
                spares.push(previous);
            }
        }
        Ok(next)
    }
}

/// A namespace's key: its levels joined by U+001F.
pub fn key(identifier: &TableIdentifier) -> String {
    identifier.namespace.join(&NAMESPACE_SEPARATOR.to_string())
}

/// The seeded namespaces, each with its properties and its tables (their
/// locations under `warehouse`), as [`Catalog::generate_in`] and the SQL
/// store's first start create them.
#[allow(clippy::type_complexity)]
pub fn seeded_tables(
    columns: u32,
    warehouse: &str,
) -> Vec<(String, BTreeMap<String, String>, Vec<TableDef>)> {
    let mut index = 0u64;
    let mut out = Vec::new();
    for (namespace, names) in SEEDED {
        let properties = BTreeMap::from([("owner".to_owned(), "data-platform".to_owned())]);
        let mut tables = Vec::new();
        for name in names {
            let width = (columns as u64 * (index % 3 + 1) / 2).max(1) as u32;
            tables.push(seeded(namespace, name, width, index, warehouse));
            index += 1;
        }
        out.push((namespace.to_owned(), properties, tables));
    }
    out
}

/// A new table from a `CreateTableRequest`, its names checked.
pub fn new_table(
    namespace: &str,
    request: &CreateTableRequest,
    warehouse: &str,
) -> Result<TableDef, CatalogError> {
    check_names(namespace, &request.name)?;
    let mut table = TableDef::create(namespace, request, warehouse)?;
    if request.stage_create {
        // A staged table has no metadata file until its transaction commits.
        table.metadata_location.clear();
    }
    Ok(table)
}

/// A commit's names, and its identifier (if any) the table of the path.
pub fn check_commit(namespace: &str, table: &str, request: &CommitTableRequest) -> Result<(), CatalogError> {
    check_names(namespace, table)?;
    if let Some(id) = request.identifier.as_ref() {
        if key(id) != namespace || id.name != table {
            return Err(CatalogError::bad_request(format!(
                "the identifier {}.{} is not the table of the path",
                super::echo(&id.namespace.join(".")),
                super::echo(&id.name)
            )));
        }
    }
    Ok(())
}

/// `GET /v1/{prefix}/namespaces[?parent=...]` over every namespace's key
/// (`keys`, sorted).
pub fn namespace_list<'a>(
    keys: impl Iterator<Item = &'a str> + Clone,
    parent: Option<&str>,
    page: &Page,
) -> Result<Pooled<ListNamespacesResponse>, CatalogError> {
    let parent = parent.filter(|parent| !parent.is_empty());
    if let Some(parent) = parent {
        check_namespace(parent)?;
        if !keys.clone().any(|key| key == parent) {
            return Err(CatalogError::no_such_namespace(parent));
        }
    }
    let depth = parent.map_or(0, |parent| parent.split(NAMESPACE_SEPARATOR).count());
    let children = keys.filter(|key| match parent {
        Some(parent) => {
            key.strip_prefix(parent).and_then(|rest| rest.strip_prefix(NAMESPACE_SEPARATOR)).is_some()
                && key.split(NAMESPACE_SEPARATOR).count() == depth + 1
        }
        None => !key.contains(NAMESPACE_SEPARATOR),
    });
    let (names, next) = page.select(children);
    let mut list = ListNamespacesResponse::pooled();
    for name in names {
        let levels = list.namespaces.add();
        for level in name.split(NAMESPACE_SEPARATOR) {
            levels.add().push_str(level);
        }
    }
    if let Some(next) = next {
        list.next_page_token.get_or_insert_default().push_str(next);
    }
    Ok(list)
}

/// `GET /v1/{prefix}/namespaces/{ns}/tables` over the namespace's tables' names (sorted).
pub fn table_list<'a>(
    namespace: &str,
    names: impl Iterator<Item = &'a str>,
    page: &Page,
) -> Pooled<ListTablesResponse> {
    let (names, next) = page.select(names);
    let mut list = ListTablesResponse::pooled();
    for name in names {
        let id = list.identifiers.add();
        for level in namespace.split(NAMESPACE_SEPARATOR) {
            id.namespace.add().push_str(level);
        }
        id.name.push_str(name);
    }
    if let Some(next) = next {
        list.next_page_token.get_or_insert_default().push_str(next);
    }
    list
}

/// `GET /v1/{prefix}/namespaces/{ns}`: its levels and properties.
pub fn namespace_body(namespace: &str, properties: &BTreeMap<String, String>) -> Pooled<NamespaceBody> {
    let mut body = NamespaceBody::pooled();
    for level in namespace.split(NAMESPACE_SEPARATOR) {
        body.namespace.add().push_str(level);
    }
    for (key, value) in properties {
        body.properties.entry(key).push_str(value);
    }
    body
}

/// A properties update's namespace, and no key both set and removed.
pub fn check_namespace_update(
    namespace: &str,
    request: &UpdateNamespaceProperties,
) -> Result<(), CatalogError> {
    check_namespace(namespace)?;
    if let Some(both) = request.removals.iter().find(|key| request.updates.contains_key(key)) {
        return Err(CatalogError {
            status: 422,
            kind: "UnprocessableEntityException",
            message: format!("{} is both set and removed", super::echo(both)),
        });
    }
    Ok(())
}

/// Applies a properties update to `properties`; the answer.
pub fn update_properties(
    properties: &mut BTreeMap<String, String>,
    request: &UpdateNamespaceProperties,
) -> Pooled<UpdateNamespacePropertiesResponse> {
    let mut answer = UpdateNamespacePropertiesResponse::pooled();
    for key in request.removals.iter() {
        match properties.remove(key.as_str()) {
            Some(_) => answer.removed.add().push_str(key),
            None => answer.missing.add().push_str(key),
        }
    }
    for (key, value) in request.updates.iter() {
        properties.insert(key.to_owned(), value.clone());
        answer.updated.add().push_str(key);
    }
    answer
}

pub fn check_namespace(namespace: &str) -> Result<(), CatalogError> {
    match valid_namespace(namespace) {
        true => Ok(()),
        false => Err(CatalogError::bad_name(namespace, "")),
    }
}

pub fn check_names(namespace: &str, table: &str) -> Result<(), CatalogError> {
    match valid_namespace(namespace) && valid_name(table) {
        true => Ok(()),
        false => Err(CatalogError::bad_name(namespace, table)),
    }
}
