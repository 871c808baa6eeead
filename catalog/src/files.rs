//! Table metadata files: each create and commit writes the table's metadata
//! JSON at its new `metadata-location` when that is a `file:` URI (other
//! schemes, `s3://` say, get no file: this catalog writes no object store);
//! `register` reads one.
//!
//! A commit's file is written under a name no one wrote before (a fresh
//! UUID in it), whole and flushed to disk (`fsync`, and its directory's, and
//! those of every directory created for it) before the catalog points the
//! table at it: a crash leaves at worst a file no table names, never a table
//! whose metadata is missing or torn.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use poolable::PooledBuffer;

/// The local path of a `file:` URI (`file:///a/b`, or `file:/a/b` as Java
/// writes them), `None` for any other location.
pub fn local_path(location: &str) -> Option<PathBuf> {
    let rest = location.strip_prefix("file:")?;
    let path = rest.strip_prefix("//").unwrap_or(rest);
    path.starts_with('/').then(|| PathBuf::from(path))
}

/// Writes `contents` as a new file at `location` (nothing for a location
/// that is not a `file:` URI), durably: see the module's documentation.
///
/// The bytes go to a file of their own first, flushed, then linked under
/// the name (a link never replaces a file): a crash mid-write leaves that
/// scratch file, never a torn file under the name. A file already under the
/// name with the same bytes is this write done before (seeding replayed
/// after a crash that rolled its transaction back, or a commit that changed
/// nothing); with other bytes, an error.
pub fn write_new(location: &str, contents: &[u8]) -> io::Result<()> {
    static SCRATCH: AtomicU64 = AtomicU64::new(0);
    let Some(path) = local_path(location) else { return Ok(()) };
    let dir = path.parent().ok_or_else(|| io::Error::other(format!("{location} has no directory")))?;
    create_dirs(dir)?;
    let mut scratch = path.clone().into_os_string();
    scratch.push(format!(".partial-{}-{}", std::process::id(), SCRATCH.fetch_add(1, Ordering::Relaxed)));
    let scratch = PathBuf::from(scratch);
    let linked = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&scratch)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::hard_link(&scratch, &path)
    })();
    let _ = fs::remove_file(&scratch);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && fs::read(&path)? == contents => {}
        Err(e) => return Err(e),
    }
    sync_dir(dir)
}

/// The same, on a thread of tokio's blocking pool; the buffer comes back.
pub async fn write_new_async(location: String, contents: PooledBuffer) -> (io::Result<()>, PooledBuffer) {
    let written = tokio::task::spawn_blocking(move || {
        let written = write_new(&location, &contents);
        (written, contents)
    })
    .await;
    match written {
        Ok(written) => written,
        Err(e) => (Err(io::Error::other(e.to_string())), PooledBuffer::default()),
    }
}

/// Removes the file a commit wrote and then lost (best effort: an orphan
/// file is harmless).
pub fn remove(location: &str) {
    if let Some(path) = local_path(location) {
        let _ = fs::remove_file(path);
    }
}

/// The contents of the metadata file at `location` (a `file:` URI).
pub fn read(location: &str) -> Result<Vec<u8>, String> {
    let path = local_path(location).ok_or_else(|| {
        format!("{} is not a file: location this catalog can read", crate::model::echo(location))
    })?;
    fs::read(&path).map_err(|e| format!("cannot read {}: {e}", crate::model::echo(location)))
}

/// Creates `dir` and its missing parents, each made durable in its parent.
fn create_dirs(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    match dir.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
