//! Pinned content on disk: each file under `objects/<cid>`, and for each uploaded folder a manifest
//! of its files, so the gateway can serve `/ipfs/<cid>/<path>`.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

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
    next_temp: AtomicU64,
}

impl ContentStore {
    /// A store in `dir` (kept), or in a new temporary directory (removed when the store is dropped).
    pub fn open(dir: Option<PathBuf>) -> io::Result<Self> {
        let (root, remove_on_drop) = match dir {
            Some(d) => (d, false),
            None => {
                let id = crate::ids::random_hex(16)?;
                (
                    std::env::temp_dir().join(format!("pinata-emulator-{id}")),
                    true,
                )
            }
        };
        std::fs::create_dir_all(root.join("objects"))?;
        std::fs::create_dir_all(root.join("incoming"))?;
        let store = Self {
            root,
            remove_on_drop,
            folders: Mutex::new(HashMap::new()),
            roots: Mutex::new(HashMap::new()),
            next_temp: AtomicU64::new(0),
        };
        // A previous run that was killed mid-upload left partial files.
        store.clear_incoming()?;
        Ok(store)
    }

    /// Removes every partial upload in `incoming/`. Nothing there is ever needed again: an upload
    /// either moves its file to `objects/` or fails.
    pub fn clear_incoming(&self) -> io::Result<()> {
        for entry in std::fs::read_dir(self.root.join("incoming"))? {
            let path = entry?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
        Ok(())
    }

    /// Where the store keeps its data.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh path for an upload being received.
    pub fn incoming_path(&self) -> PathBuf {
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        self.root
            .join("incoming")
            .join(format!("{}-{n}", std::process::id()))
    }

    fn object_path(&self, cid: &str) -> PathBuf {
        self.root.join("objects").join(cid)
    }

    /// Moves a received file into the store under `cid`.
    pub fn commit_file(&self, incoming: &Path, cid: &str) -> io::Result<()> {
        let target = self.object_path(cid);
        if target.exists() {
            return std::fs::remove_file(incoming);
        }
        std::fs::rename(incoming, target)
    }

    /// Stores `bytes` under `cid`.
    pub fn put_bytes(&self, bytes: &[u8], cid: &str) -> io::Result<()> {
        let target = self.object_path(cid);
        if target.exists() {
            return Ok(());
        }
        let incoming = self.incoming_path();
        std::fs::write(&incoming, bytes)?;
        std::fs::rename(incoming, target)
    }

    /// Records a folder: its root CID and the CID of each file by relative path.
    pub fn add_folder(&self, root_cid: &str, files: BTreeMap<String, String>) {
        self.folders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(root_cid.to_owned(), files);
    }

    /// Remembers the DAG size and file count of a stored root.
    pub fn remember(&self, cid: &str, dag_size: u64, files: u64) {
        self.roots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(cid.to_owned(), (dag_size, files));
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
        self.object_path(cid).is_file()
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
        (path.is_empty() && object.is_file()).then_some(Resolved::File(object))
    }
}

impl Drop for ContentStore {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_dir_all(&self.root);
        } else {
            // Uploads cut short by the shutdown leave partial files behind.
            let _ = self.clear_incoming();
        }
    }
}
