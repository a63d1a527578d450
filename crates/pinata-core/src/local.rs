//! Local files and folders, *described* to the core rather than read by it.
//!
//! The core never touches the file system. A transport adapter walks a folder by answering
//! [`FolderScan`]'s questions (which directory to list next) with what it found, and streams each
//! file's bytes where the core asks for them ([`FolderImport`], and the upload body plans). The rules
//! (what is included, in which order, what is refused) live here, once.
//!
//! Rules: files are taken in byte order of their relative paths; symbolic links to files are followed,
//! symbolic links to directories are refused (they can form cycles); other special files are refused;
//! names must be valid UTF-8 (UnixFS names and multipart filenames are text).
//!
//! Only regular files are ever read: a FIFO, a socket or a device can block a read (or an open)
//! forever. A single path given to upload or hash is judged with [`EntryKind::regular_file`]
//! before anything is sent, and so is every file handle an adapter opens to read, from its own
//! metadata (fstat), since the path may have been replaced since it was judged. Adapters open
//! files without blocking on them (`O_NONBLOCK` on Unix, which regular files ignore), so the open
//! of a FIFO returns at once and the handle check refuses it.
//!
//! A file's [`FileFingerprint`] (canonical path, length, modification time) is what a resumable
//! upload checks before it continues after a crash.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::cid::{CidError, DirectoryBuilder, FileImporter, ImportOptions, ImportedDirectory};

/// What an adapter found at a directory entry (after following a symbolic link, if it is one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file (or a symbolic link to one) of this many bytes.
    File {
        /// Length in bytes, from its metadata.
        len: u64,
    },
    /// A directory (not reached through a symbolic link).
    Directory,
    /// A symbolic link to a directory.
    SymlinkToDirectory,
    /// Anything else: a socket, a FIFO, a device, a dangling link.
    Other,
}

impl EntryKind {
    /// Sorts metadata as the rules want it: `is_symlink` from the link itself (`symlink_metadata`),
    /// `target` (is_dir, is_file, len) from what it points to (`metadata`), `None` when that cannot
    /// be read (a dangling link).
    pub fn classify(is_symlink: bool, target: Option<(bool, bool, u64)>) -> Self {
        match (is_symlink, target) {
            (_, Some((false, true, len))) => EntryKind::File { len },
            (false, Some((true, _, _))) => EntryKind::Directory,
            (true, Some((true, _, _))) => EntryKind::SymlinkToDirectory,
            _ => EntryKind::Other,
        }
    }

    /// What a path is once links are followed (`metadata`), or what an open file handle is
    /// (`File::metadata`, an fstat): from its `is_dir`, `is_file` and `len`.
    pub fn of_target(is_dir: bool, is_file: bool, len: u64) -> Self {
        Self::classify(false, Some((is_dir, is_file, len)))
    }

    /// The length of a regular file, the only kind that is read; anything else (a FIFO, a socket,
    /// a device, a directory where a file was expected) is [`LocalError::UnsupportedFileType`] at
    /// `path`. Adapters ask this of a single path before they plan an upload or a hash, and of
    /// every handle they open before its first read.
    pub fn regular_file(self, path: &Path) -> Result<u64, LocalError> {
        match self {
            EntryKind::File { len } => Ok(len),
            EntryKind::Directory | EntryKind::SymlinkToDirectory | EntryKind::Other => {
                Err(LocalError::UnsupportedFileType(path.to_owned()))
            }
        }
    }
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntry {
    /// The entry's file name.
    pub name: OsString,
    /// What it is.
    pub kind: EntryKind,
}

/// A file inside a scanned folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Its path relative to the folder, `/`-separated (`css/site.css`).
    pub relative: String,
    /// Its length when scanned; reading a different length is an error.
    pub len: u64,
}

/// A scanned folder: its files in order, and the directories that have no files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// The folder's own name (the last component of its path).
    pub name: String,
    /// Every file, in byte order of `relative`.
    pub files: Vec<LocalFile>,
    /// Relative paths of directories with nothing in them.
    pub empty_dirs: Vec<String>,
}

impl Folder {
    /// Total bytes of all files.
    pub fn total_len(&self) -> u64 {
        self.files.iter().map(|f| f.len).sum()
    }
}

/// Why a local file or folder cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum LocalError {
    /// Reading (or, for a download, writing) the file system failed.
    ///
    /// `Display` shows the path and the I/O error's own text (`a.bin: No such file or directory
    /// (os error 2)`); `source()` continues with what the I/O error wraps, if anything, so a chain
    /// printer shows the text once. The `std::io::Error` itself is the `source` field (so
    /// `find_cause::<std::io::Error>` on the chain does not reach it: match the variant).
    Io {
        /// Where.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// A name is not valid UTF-8.
    NonUtf8Name(PathBuf),
    /// A symbolic link to a directory (refused: links can form cycles).
    SymlinkedDirectory(PathBuf),
    /// Not a regular file or directory.
    UnsupportedFileType(PathBuf),
    /// The folder's path has no last component (`/`, `..`).
    NoFolderName(PathBuf),
    /// A file's length changed between scanning and reading.
    Changed {
        /// The file.
        path: PathBuf,
        /// Its length when scanned.
        expected: u64,
        /// The bytes actually read.
        actual: u64,
    },
    /// The content cannot be addressed (see [`CidError`]).
    Cid(CidError),
    /// The scan was driven out of order (a listing nobody asked for).
    UnexpectedListing(PathBuf),
    /// An upload's reader was read by an earlier send of the same body: a reader can be sent once.
    ReaderUsed,
    /// The upload was cancelled (see `CancelToken`).
    Cancelled,
    /// An upload's reader was made for another transport (`pinata_ureq::reader` for a ureq
    /// client, `pinata_hyper::reader` for a hyper client).
    ReaderKind,
}

impl LocalError {
    /// An I/O error at `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LocalError::Io {
            path: path.into(),
            source,
        }
    }
}

/// A path as an error shows it: lossy UTF-8, control and invisible characters escaped (a file name
/// can hold anything, a terminal escape included).
fn shown(path: &Path) -> String {
    crate::error::shown::Shown(&path.to_string_lossy()).to_string()
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalError::Io { path, source } => write!(
                f,
                "{}: {}",
                shown(path),
                crate::error::shown::Shown(&source.to_string())
            ),
            LocalError::NonUtf8Name(p) => write!(f, "{}: the name is not valid UTF-8", shown(p)),
            LocalError::SymlinkedDirectory(p) => write!(
                f,
                "{}: symbolic links to directories are not followed",
                shown(p)
            ),
            LocalError::UnsupportedFileType(p) => {
                write!(f, "{}: not a regular file or directory", shown(p))
            }
            LocalError::NoFolderName(p) => write!(f, "{}: the folder has no name", shown(p)),
            LocalError::Changed {
                path,
                expected,
                actual,
            } => write!(
                f,
                "{}: the file changed while it was read ({expected} bytes expected, {actual} read)",
                shown(path)
            ),
            LocalError::Cid(_) => f.write_str("could not compute the CID"),
            LocalError::UnexpectedListing(p) => {
                write!(f, "{}: a listing that was not asked for", shown(p))
            }
            LocalError::ReaderUsed => {
                f.write_str("the upload's reader was already read by an earlier send")
            }
            LocalError::Cancelled => f.write_str("the upload was cancelled"),
            LocalError::ReaderKind => {
                f.write_str("the upload's reader was made for another transport")
            }
        }
    }
}

impl std::error::Error for LocalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The I/O error's text is this error's own (see `Display`); what it wraps comes next.
            LocalError::Io { source, .. } => source.source(),
            LocalError::Cid(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CidError> for LocalError {
    fn from(e: CidError) -> Self {
        LocalError::Cid(e)
    }
}

/// A folder walk, driven by an adapter: ask [`FolderScan::next_directory`] which directory to list,
/// give the listing to [`FolderScan::add_listing`], repeat, then [`FolderScan::finish`].
#[derive(Debug)]
pub struct FolderScan {
    root: PathBuf,
    /// Directories still to list: (path, relative path).
    pending: Vec<(PathBuf, String)>,
    /// The directory handed out and not yet listed.
    asked: Option<(PathBuf, String)>,
    files: Vec<LocalFile>,
    empty_dirs: Vec<String>,
}

impl FolderScan {
    /// A scan of the folder at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Self {
            pending: vec![(root.clone(), String::new())],
            root,
            asked: None,
            files: Vec::new(),
            empty_dirs: Vec::new(),
        }
    }

    /// The next directory to list, or `None` when the walk is complete.
    pub fn next_directory(&mut self) -> Option<&Path> {
        if self.asked.is_none() {
            self.asked = self.pending.pop();
        }
        self.asked.as_ref().map(|(path, _)| path.as_path())
    }

    /// The listing of the directory [`FolderScan::next_directory`] returned.
    pub fn add_listing(&mut self, entries: Vec<ListedEntry>) -> Result<(), LocalError> {
        let Some((dir, relative)) = self.asked.take() else {
            return Err(LocalError::UnexpectedListing(self.root.clone()));
        };
        if entries.is_empty() && !relative.is_empty() {
            self.empty_dirs.push(relative.clone());
        }
        for entry in entries {
            let path = dir.join(&entry.name);
            let Some(name) = entry.name.to_str() else {
                return Err(LocalError::NonUtf8Name(path));
            };
            let child = if relative.is_empty() {
                name.to_owned()
            } else {
                format!("{relative}/{name}")
            };
            match entry.kind {
                EntryKind::File { len } => self.files.push(LocalFile {
                    path,
                    relative: child,
                    len,
                }),
                EntryKind::Directory => self.pending.push((path, child)),
                EntryKind::SymlinkToDirectory => return Err(LocalError::SymlinkedDirectory(path)),
                EntryKind::Other => return Err(LocalError::UnsupportedFileType(path)),
            }
        }
        Ok(())
    }

    /// The scanned folder, files in byte order of their relative paths.
    pub fn finish(mut self) -> Result<Folder, LocalError> {
        let name = self
            .root
            .file_name()
            .ok_or_else(|| LocalError::NoFolderName(self.root.clone()))?
            .to_str()
            .ok_or_else(|| LocalError::NonUtf8Name(self.root.clone()))?
            .to_owned();
        self.files.sort_by(|a, b| a.relative.cmp(&b.relative));
        self.empty_dirs.sort();
        Ok(Folder {
            name,
            files: self.files,
            empty_dirs: self.empty_dirs,
        })
    }
}

/// Computes a folder's CID as its files are streamed in, one after the other: ask
/// [`FolderImport::next_file`] which file to read, [`FolderImport::update`] with its bytes, then
/// [`FolderImport::end_file`]; finally [`FolderImport::finish`].
#[derive(Debug)]
pub struct FolderImport<'f> {
    folder: &'f Folder,
    options: ImportOptions,
    next: usize,
    current: Option<(&'f LocalFile, FileImporter)>,
    dir: DirectoryBuilder,
}

impl<'f> FolderImport<'f> {
    /// An import of `folder` with `options`, as `ipfs add` does it (empty directories included).
    pub fn new(folder: &'f Folder, options: ImportOptions) -> Result<Self, LocalError> {
        let mut import = Self::of_files(folder, options)?;
        for empty in &folder.empty_dirs {
            import.dir.add_directory(empty)?;
        }
        Ok(import)
    }

    /// An import of `folder`'s files only: the CID an upload of the folder gets, since a multipart
    /// body cannot carry empty directories.
    pub fn of_files(folder: &'f Folder, options: ImportOptions) -> Result<Self, LocalError> {
        options.validate()?;
        let dir = DirectoryBuilder::new();
        Ok(Self {
            folder,
            options,
            next: 0,
            current: None,
            dir,
        })
    }

    /// Starts the next file and says which; `None` when all are done.
    pub fn next_file(&mut self) -> Result<Option<&'f LocalFile>, LocalError> {
        let Some(file) = self.folder.files.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        self.current = Some((file, FileImporter::new(self.options)?));
        Ok(Some(file))
    }

    /// The next bytes of the current file.
    pub fn update(&mut self, bytes: &[u8]) {
        if let Some((_, importer)) = &mut self.current {
            importer.update(bytes);
        }
    }

    /// Ends the current file; refuses it if its length differs from the scan's.
    pub fn end_file(&mut self) -> Result<(), LocalError> {
        let Some((file, importer)) = self.current.take() else {
            return Ok(());
        };
        let imported = importer.finish();
        if imported.size != file.len {
            return Err(LocalError::Changed {
                path: file.path.clone(),
                expected: file.len,
                actual: imported.size,
            });
        }
        self.dir.add_file(&file.relative, imported)?;
        Ok(())
    }

    /// The folder's CID, once every file has been streamed.
    pub fn finish(self) -> Result<ImportedDirectory, LocalError> {
        Ok(self.dir.finish(self.options.version)?)
    }
}

/// What identifies a file on disk between a crash and a resume: its canonical path, length and
/// modification time. A resume refuses a file whose fingerprint changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFingerprint {
    /// The canonical path.
    pub path: PathBuf,
    /// Its length.
    pub len: u64,
    /// Its modification time (seconds, nanoseconds since the Unix epoch), where the file system
    /// has one.
    pub modified: Option<(u64, u32)>,
}

impl FileFingerprint {
    /// The fingerprint of a file of `len` bytes at canonical `path`, modified at `modified`.
    pub fn new(path: impl Into<PathBuf>, len: u64, modified: Option<SystemTime>) -> Self {
        let modified = modified
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        Self {
            path: path.into(),
            len,
            modified,
        }
    }
}

#[cfg(test)]
mod tests;
