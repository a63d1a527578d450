//! UnixFS directories: entries sorted by name, built bottom-up from imported files.

use std::collections::BTreeMap;

use super::pb::{self, DataType, Link};
use super::{Cid, CidError, CidVersion, ImportedFile, SHARDING_THRESHOLD};

/// A directory's DAG, once built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportedDirectory {
    /// The directory's CID.
    pub cid: Cid,
    /// The DAG's cumulative size.
    pub dag_size: u64,
}

#[derive(Debug, Clone, Default)]
struct Dir {
    /// Keyed by name; `String`'s order is UTF-8 byte order, which dag-pb requires for links.
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    File(ImportedFile),
    Dir(Dir),
}

/// Collects files (already imported) and empty directories at relative paths, then builds the
/// directory that contains them.
///
/// For a folder upload named `site` with `site/index.html` and `site/css/a.css`, add `index.html` and
/// `css/a.css`: the result is the CID of `site`, which is what Pinata returns. To wrap a single file
/// (`wrapWithDirectory`), add it under its name.
#[derive(Debug, Clone, Default)]
pub struct DirectoryBuilder {
    root: Dir,
}

impl DirectoryBuilder {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file at `path` (`a/b/c.txt`); missing parent directories are created.
    pub fn add_file(&mut self, path: &str, file: ImportedFile) -> Result<(), CidError> {
        let (parents, name) = split(path)?;
        let dir = self.dir_at(&parents, path)?;
        if dir.entries.contains_key(name) {
            return Err(CidError::DuplicatePath(path.to_owned()));
        }
        dir.entries.insert(name.to_owned(), Entry::File(file));
        Ok(())
    }

    /// Adds a directory at `path` (which may stay empty); adding one that exists does nothing.
    pub fn add_directory(&mut self, path: &str) -> Result<(), CidError> {
        let (parents, name) = split(path)?;
        let dir = self.dir_at(&parents, path)?;
        match dir.entries.get(name) {
            Some(Entry::Dir(_)) => Ok(()),
            Some(Entry::File(_)) => Err(CidError::DuplicatePath(path.to_owned())),
            None => {
                dir.entries
                    .insert(name.to_owned(), Entry::Dir(Dir::default()));
                Ok(())
            }
        }
    }

    /// Whether nothing has been added.
    pub fn is_empty(&self) -> bool {
        self.root.entries.is_empty()
    }

    /// Builds the directory (and every directory inside it) as `version` nodes.
    pub fn finish(&self, version: CidVersion) -> Result<ImportedDirectory, CidError> {
        build(&self.root, "", version)
    }

    /// The directory at `parents`, created as needed.
    fn dir_at(&mut self, parents: &[&str], path: &str) -> Result<&mut Dir, CidError> {
        let mut dir = &mut self.root;
        for part in parents {
            let entry = dir
                .entries
                .entry((*part).to_owned())
                .or_insert_with(|| Entry::Dir(Dir::default()));
            dir = match entry {
                Entry::Dir(d) => d,
                Entry::File(_) => return Err(CidError::DuplicatePath(path.to_owned())),
            };
        }
        Ok(dir)
    }
}

/// Splits a relative path into its parent components and its last component.
fn split(path: &str) -> Result<(Vec<&str>, &str), CidError> {
    let invalid = || CidError::InvalidPath(path.to_owned());
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(invalid());
    }
    let name = parts.pop().ok_or_else(invalid)?;
    Ok((parts, name))
}

fn build(dir: &Dir, path: &str, version: CidVersion) -> Result<ImportedDirectory, CidError> {
    let mut children = Vec::with_capacity(dir.entries.len());
    let mut estimate = 0;
    for (name, entry) in &dir.entries {
        let (cid, tsize) = match entry {
            Entry::File(f) => (f.cid, f.dag_size),
            Entry::Dir(d) => {
                let sub = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}/{name}")
                };
                let built = build(d, &sub, version)?;
                (built.cid, built.dag_size)
            }
        };
        let bytes = cid.to_bytes();
        estimate += name.len() + bytes.len();
        children.push((name, bytes, tsize));
    }
    // `ipfs add` estimates a directory's size as the sum of its link names and CIDs and shards it
    // above the threshold.
    if estimate > SHARDING_THRESHOLD {
        return Err(CidError::NeedsSharding {
            directory: path.to_owned(),
            estimated_bytes: estimate,
        });
    }
    let unixfs = pb::unixfs_data(DataType::Directory, &[], None, &[]);
    let block = pb::dag_pb_node(
        children.iter().map(|(name, cid, tsize)| Link {
            cid,
            name: name.as_bytes(),
            tsize: *tsize,
        }),
        &unixfs,
    );
    let cid = Cid::of_block(&block, version, false);
    let dag_size = block.len() as u64 + children.iter().map(|(_, _, t)| t).sum::<u64>();
    Ok(ImportedDirectory { cid, dag_size })
}

/// The directory `wrapWithDirectory` puts an upload in: one entry, `name` (the file's or the
/// folder's own name), linking to the upload's root, whose CID and cumulative DAG size are
/// `root` and `root_dag_size` (an [`ImportedFile`]'s for a file; for a folder, the
/// [`ImportedDirectory`] of its files, as the unwrapped upload's CID is computed).
///
/// Its CID is the one Pinata returns for a wrapped upload (`pinFileToIPFS` with
/// `wrapWithDirectory`), and `ipfs add -w`'s: the same as adding the file at `name`, or each of
/// the folder's files at `name/<relative path>`, to a [`DirectoryBuilder`], without holding the
/// folder's entries again. `name` is one path component: an empty one, `.`, `..`, or one holding
/// `/` or NUL is [`CidError::InvalidPath`].
///
/// ```
/// use pinata_core::cid::{CidVersion, ImportOptions, import_bytes, wrap_in_directory};
///
/// let file = import_bytes(b"hello world\n", ImportOptions::default())?;
/// let wrapped = wrap_in_directory("hello.txt", file.cid, file.dag_size, CidVersion::V0)?;
/// assert_eq!(wrapped.cid.to_string(), "QmfLiVjH2vujCVP2e75zyzBYmpcjktmDeU1YBz6Ct8BBsc");
/// # Ok::<(), pinata_core::cid::CidError>(())
/// ```
pub fn wrap_in_directory(
    name: &str,
    root: Cid,
    root_dag_size: u64,
    version: CidVersion,
) -> Result<ImportedDirectory, CidError> {
    let (parents, entry) = split(name)?;
    if !parents.is_empty() {
        return Err(CidError::InvalidPath(name.to_owned()));
    }
    let root_bytes = root.to_bytes();
    let unixfs = pb::unixfs_data(DataType::Directory, &[], None, &[]);
    let block = pb::dag_pb_node(
        [Link {
            cid: &root_bytes,
            name: entry.as_bytes(),
            tsize: root_dag_size,
        }],
        &unixfs,
    );
    Ok(ImportedDirectory {
        cid: Cid::of_block(&block, version, false),
        dag_size: block.len() as u64 + root_dag_size,
    })
}
