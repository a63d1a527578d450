//! Pinned content on disk: each file under `objects/<cid>`, and for each uploaded folder a manifest
//! of its files, so the gateway can serve `/ipfs/<cid>/<path>`. Uploads being received are in
//! `incoming/` (multipart) and `tus/<upload token>` (resumable uploads, between requests); both are
//! emptied at startup and shutdown, as nothing there is needed by another run — but for the
//! resumable uploads a database keeps (`--data-dir`), whose partial files stay for the next run.
//!
//! Everything here is for the owner only and reached without following a symbolic link: every
//! directory and file is made, opened and cleaned through [`crate::disk`] (directories `0700`,
//! files `0600`; `objects/`, `incoming/`, `tus/` or a kept file being a link refuses the start-up).
//! At start-up in a data directory of the user's, its three directories and the files kept in
//! `objects/` and `tus/` are narrowed to those modes if an earlier version left them wider (a walk
//! of `objects/` at every start: one directory read, and a file opened only if it is too wide).
//!
//! Content is public unless it was first stored by a private upload: such CIDs (a private file's,
//! a private folder's and each file's inside it) are marked private and are not served on `/ipfs/`
//! until a public upload or a legacy pin stores the same content (then it is public for good, as
//! content once announced on IPFS may be cached anywhere). Deleting a private file leaves its
//! content marked private (emulator's choice). The marks, folder manifests and roots live in
//! memory, and in the database with `--data-dir`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::db::{Persist, Table};
use crate::disk;

/// What a CID (and path) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A file, stored at this path.
    File(PathBuf),
    /// A directory: the names directly inside it (directories end with `/`).
    Directory(Vec<String>),
}

/// The content store.
#[derive(Debug)]
pub struct ContentStore {
    root: PathBuf,
    remove_on_drop: bool,
    /// Folder root CID → (relative path → file CID).
    folders: Mutex<HashMap<String, BTreeMap<String, String>>>,
    /// Root CID → (DAG size, number of files), for pins by hash of held content.
    roots: Mutex<HashMap<String, (u64, u64)>>,
    /// CIDs stored by private uploads only (at most one per stored object or folder). Its lock is
    /// held while an object or folder is added, so a mark and the store's contents agree.
    private: Mutex<HashSet<String>>,
    next_temp: AtomicU64,
    /// Where every change of the maps above is written (under their locks).
    db: Persist,
}

impl ContentStore {
    /// A store in `dir` (kept), or in a new temporary directory (removed when the store is dropped).
    /// In `dir`, refused (before anything is removed) if one of its directories or a file it keeps
    /// is a symbolic link; what an earlier version left readable by others is narrowed.
    pub fn open(dir: Option<PathBuf>) -> io::Result<Self> {
        let (root, remove_on_drop) = match dir {
            Some(d) => {
                disk::create_data_dir(&d)?;
                (d, false)
            }
            None => {
                let id = crate::ids::random_hex(16)?;
                let root = std::env::temp_dir().join(format!("pinata-emulator-{id}"));
                disk::create_new_dir(&root)?;
                (root, true)
            }
        };
        for dir in ["objects", "incoming", "tus"] {
            disk::private_dir(&root.join(dir))?;
        }
        if !remove_on_drop {
            disk::narrow_files(&root.join("objects"))?;
            disk::narrow_files(&root.join("tus"))?;
        }
        let store = Self {
            root,
            remove_on_drop,
            folders: Mutex::new(HashMap::new()),
            roots: Mutex::new(HashMap::new()),
            private: Mutex::new(HashSet::new()),
            next_temp: AtomicU64::new(0),
            db: Persist::default(),
        };
        // A previous run that was killed mid-upload left partial files.
        disk::empty_dir(&store.root.join("incoming"))?;
        Ok(store)
    }

    /// Reads the marks, manifests and roots `db` keeps and writes every change there from now on.
    pub(crate) fn restore(&mut self, db: Persist) -> io::Result<()> {
        let folders = self
            .folders
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        folders.extend(db.load::<BTreeMap<String, String>>(Table::Folders)?);
        let roots = self.roots.get_mut().unwrap_or_else(PoisonError::into_inner);
        roots.extend(db.load::<(u64, u64)>(Table::Roots)?);
        let private = self
            .private
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        private.extend(
            db.load::<()>(Table::Private)?
                .into_iter()
                .map(|(cid, ())| cid),
        );
        self.db = db;
        Ok(())
    }

    /// Removes every partial file in `tus/` but those of the resumable uploads named in `keep`
    /// (the ones a database brought back): another run knows none of the others.
    pub(crate) fn remove_orphan_partials(&self, keep: &HashSet<String>) -> io::Result<()> {
        let tus = self.root.join("tus");
        disk::refuse_link(&tus)?;
        for entry in std::fs::read_dir(tus)? {
            let entry = entry?;
            if entry.file_name().to_str().is_some_and(|t| keep.contains(t)) {
                continue;
            }
            disk::remove_entry(&entry)?;
        }
        Ok(())
    }

    /// Removes every partial upload in `incoming/`, and in `tus/` unless a database keeps the
    /// resumable uploads for the next run. Nothing else there is ever needed again: an upload
    /// either moves its file to `objects/` or fails.
    pub fn clear_incoming(&self) -> io::Result<()> {
        disk::empty_dir(&self.root.join("incoming"))?;
        // A data directory of the user's own keeps its resumable uploads' partial files for the
        // next run (its database keeps the uploads); this is known at open, so a start-up refused
        // later keeps them too.
        if self.remove_on_drop {
            disk::empty_dir(&self.root.join("tus"))?;
        }
        Ok(())
    }

    /// Updates the private marks after `cid` was stored: public content loses its mark; private
    /// content the store did not hold before gets one.
    fn mark(&self, private: &mut HashSet<String>, cid: &str, public: bool, existed: bool) {
        if public {
            if private.remove(cid) {
                self.db.delete(Table::Private, cid);
            }
        } else if !existed && private.insert(cid.to_owned()) {
            self.db.put(Table::Private, cid, &());
        }
    }

    /// Removes every object, folder, private mark and partial upload (a reset), keeping the
    /// directory itself. An upload being received when this runs fails (its file is gone).
    pub fn clear(&self) -> io::Result<()> {
        // Held throughout, as while content is added, so no object is half stored meanwhile.
        let mut private = self.private.lock().unwrap_or_else(PoisonError::into_inner);
        self.folders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.roots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        private.clear();
        for table in [Table::Folders, Table::Roots, Table::Private] {
            self.db.clear(table);
        }
        for dir in ["objects", "incoming", "tus"] {
            disk::empty_dir(&self.root.join(dir))?;
        }
        Ok(())
    }

    /// Where the resumable upload with `token` (32 hex digits, checked by the caller) keeps the
    /// bytes received so far (created with [`disk::create_private_file_async`], opened with
    /// [`disk::open_options_async`]).
    pub fn tus_path(&self, token: &str) -> PathBuf {
        self.root.join("tus").join(token)
    }

    /// Where the store keeps its data.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh path for an upload being received (to create with [`disk::create_private_file`] or
    /// its async twin: the name is predictable, so what is there already must not be used).
    pub fn incoming_path(&self) -> PathBuf {
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        self.root
            .join("incoming")
            .join(format!("{}-{n}", std::process::id()))
    }

    fn object_path(&self, cid: &str) -> PathBuf {
        self.root.join("objects").join(cid)
    }

    /// Moves a received file into the store under `cid`. `public`: the content is public from now
    /// on; otherwise it is marked private if the store did not hold it yet.
    pub fn commit_file(&self, incoming: &Path, cid: &str, public: bool) -> io::Result<()> {
        let mut private = self.private.lock().unwrap_or_else(PoisonError::into_inner);
        let target = self.object_path(cid);
        // A link there (never made by the store) is replaced by the file.
        let existed = disk::is_regular_file(&target);
        if existed {
            std::fs::remove_file(incoming)?;
        } else {
            std::fs::rename(incoming, target)?;
        }
        self.mark(&mut private, cid, public, existed);
        Ok(())
    }

    /// Stores `bytes` under `cid`, as public content (legacy JSON pins).
    pub fn put_bytes(&self, bytes: &[u8], cid: &str) -> io::Result<()> {
        let mut private = self.private.lock().unwrap_or_else(PoisonError::into_inner);
        let target = self.object_path(cid);
        if !disk::is_regular_file(&target) {
            let incoming = self.incoming_path();
            let written = disk::create_private_file(&incoming)
                .and_then(|mut f| f.write_all(bytes))
                .and_then(|()| std::fs::rename(&incoming, target));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&incoming);
                return Err(e);
            }
        }
        self.mark(&mut private, cid, true, true);
        Ok(())
    }

    /// Records a folder: its root CID and the CID of each file by relative path; `public` as for
    /// [`ContentStore::commit_file`].
    pub fn add_folder(&self, root_cid: &str, files: BTreeMap<String, String>, public: bool) {
        let mut private = self.private.lock().unwrap_or_else(PoisonError::into_inner);
        let mut folders = self.folders.lock().unwrap_or_else(PoisonError::into_inner);
        self.db.put(Table::Folders, root_cid, &files);
        let existed = folders.insert(root_cid.to_owned(), files).is_some();
        drop(folders);
        self.mark(&mut private, root_cid, public, existed);
    }

    /// Whether `cid` was stored by private uploads only (see the module's documentation).
    pub fn is_private(&self, cid: &str) -> bool {
        self.private
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(cid)
    }

    /// Remembers the DAG size and file count of a stored root.
    pub fn remember(&self, cid: &str, dag_size: u64, files: u64) {
        let mut roots = self.roots.lock().unwrap_or_else(PoisonError::into_inner);
        self.db.put(Table::Roots, cid, &(dag_size, files));
        roots.insert(cid.to_owned(), (dag_size, files));
    }

    /// DAG size and file count of a stored root.
    pub fn held(&self, cid: &str) -> Option<(u64, u64)> {
        self.roots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(cid)
            .copied()
    }

    /// Whether the store holds content for `cid`.
    pub fn has(&self, cid: &str) -> bool {
        disk::is_regular_file(&self.object_path(cid))
            || self
                .folders
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains_key(cid)
    }

    /// What `cid` followed by `path` (`a/b.txt`, or empty) names.
    pub fn resolve(&self, cid: &str, path: &str) -> Option<Resolved> {
        let path = path.trim_matches('/');
        if cid.contains(['/', '\\']) || cid.starts_with('.') {
            return None;
        }
        let folders = self.folders.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(files) = folders.get(cid) {
            if let Some(file_cid) = files.get(path) {
                return Some(Resolved::File(self.object_path(file_cid)));
            }
            let prefix = if path.is_empty() {
                String::new()
            } else {
                format!("{path}/")
            };
            let mut names: Vec<String> = files
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(|rest| match rest.split_once('/') {
                    Some((dir, _)) => format!("{dir}/"),
                    None => rest.to_owned(),
                })
                .collect();
            names.dedup();
            return (!names.is_empty()).then_some(Resolved::Directory(names));
        }
        drop(folders);
        let object = self.object_path(cid);
        (path.is_empty() && disk::is_regular_file(&object)).then_some(Resolved::File(object))
    }
}

impl Drop for ContentStore {
    fn drop(&mut self) {
        if self.remove_on_drop {
            // The temporary directory was made new by the store; `remove_dir_all` follows no link.
            let _ = std::fs::remove_dir_all(&self.root);
        } else {
            // Uploads cut short by the shutdown leave partial files behind.
            let _ = self.clear_incoming();
        }
    }
}
