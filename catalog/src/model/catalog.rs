//! The catalog: namespaces and their tables, in memory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use poolable::{Poolable, Pooled};

use super::commit::apply;
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
}

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
    fn select<'a>(&self, names: impl Iterator<Item = &'a str>) -> (Vec<&'a str>, Option<&'a str>) {
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
        let mut namespaces = BTreeMap::new();
        let mut index = 0u64;
        for (namespace, tables) in SEEDED {
            let mut entry = Namespace::default();
            entry.properties.insert("owner".to_owned(), "data-platform".to_owned());
            for name in tables {
                let width = (columns as u64 * (index % 3 + 1) / 2).max(1) as u32;
                entry.tables.insert(name.to_owned(), Arc::new(seeded(namespace, name, width, index)));
                index += 1;
            }
            namespaces.insert(namespace.to_owned(), entry);
        }
        Catalog { namespaces: RwLock::new(namespaces), spares: Mutex::default() }
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
        let parent = parent.filter(|parent| !parent.is_empty());
        if let Some(parent) = parent {
            check_namespace(parent)?;
            if !namespaces.contains_key(parent) {
                return Err(CatalogError::no_such_namespace(parent));
            }
        }
        let depth = parent.map_or(0, |parent| parent.split(NAMESPACE_SEPARATOR).count());
        let children = namespaces.keys().map(String::as_str).filter(|key| match parent {
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

    /// `GET /v1/{prefix}/namespaces/{ns}/tables`: a page of its tables.
    pub fn table_list(
        &self,
        namespace: &str,
        page: &Page,
    ) -> Result<Pooled<ListTablesResponse>, CatalogError> {
        check_namespace(namespace)?;
        let namespaces = self.read();
        let entry = namespaces.get(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        let (names, next) = page.select(entry.tables.keys().map(String::as_str));
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
        Ok(list)
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
        let mut body = NamespaceBody::pooled();
        for level in namespace.split(NAMESPACE_SEPARATOR) {
            body.namespace.add().push_str(level);
        }
        for (key, value) in &entry.properties {
            body.properties.entry(key).push_str(value);
        }
        Ok(body)
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
        check_namespace(namespace)?;
        if let Some(both) = request.removals.iter().find(|key| request.updates.contains_key(key)) {
            return Err(CatalogError {
                status: 422,
                kind: "UnprocessableEntityException",
                message: format!("{} is both set and removed", super::echo(both)),
            });
        }
        let mut namespaces = self.write();
        let entry =
            namespaces.get_mut(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        let mut answer = UpdateNamespacePropertiesResponse::pooled();
        for key in request.removals.iter() {
            match entry.properties.remove(key.as_str()) {
                Some(_) => answer.removed.add().push_str(key),
                None => answer.missing.add().push_str(key),
            }
        }
        for (key, value) in request.updates.iter() {
            entry.properties.insert(key.to_owned(), value.clone());
            answer.updated.add().push_str(key);
        }
        Ok(answer)
    }

    /// `POST /v1/{prefix}/namespaces/{ns}/tables`: the new table.
    pub fn create_table(
        &self,
        namespace: &str,
        request: &CreateTableRequest,
    ) -> Result<Arc<TableDef>, CatalogError> {
        check_names(namespace, &request.name)?;
        let table = Arc::new(TableDef::create(namespace, request)?);
        if request.stage_create {
            // Staged: answered, not kept (a create transaction commits it).
            return Ok(table);
        }
        let mut namespaces = self.write();
        let entry =
            namespaces.get_mut(namespace).ok_or_else(|| CatalogError::no_such_namespace(namespace))?;
        if entry.tables.contains_key(&request.name) {
            return Err(CatalogError::table_exists(namespace, &request.name));
        }
        entry.tables.insert(request.name.clone(), Arc::clone(&table));
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
fn key(identifier: &TableIdentifier) -> String {
    identifier.namespace.join(&NAMESPACE_SEPARATOR.to_string())
}

fn check_namespace(namespace: &str) -> Result<(), CatalogError> {
    match valid_namespace(namespace) {
        true => Ok(()),
        false => Err(CatalogError::bad_name(namespace, "")),
    }
}

fn check_names(namespace: &str, table: &str) -> Result<(), CatalogError> {
    match valid_namespace(namespace) && valid_name(table) {
        true => Ok(()),
        false => Err(CatalogError::bad_name(namespace, table)),
    }
}
