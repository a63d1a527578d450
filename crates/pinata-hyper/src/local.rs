//! Local files for the async client: tokio::fs answers pinata-core's questions (which directory to
//! list, which file to read); the rules are the core's.

use std::fs::Metadata;
use std::io;
use std::path::Path;

use pinata_core::Error;
use pinata_core::api::pinning::PinFile;
use pinata_core::api::uploads::UploadFile;
use pinata_core::cid::{Cid, FileImporter, ImportOptions};
use pinata_core::transport::local::{
    EntryKind, Folder, FolderImport, FolderScan, ListedEntry, LocalError,
};
use pinata_core::tus::FileFingerprint;
use tokio::io::AsyncReadExt;

/// Read buffer size: one default chunk.
const BUFFER: usize = 256 * 1024;

/// The CID `ipfs add` (and Pinata) gives the file or folder at `path`, computed locally in one
/// streaming pass, without uploading anything.
pub async fn cid_of_path(
    path: impl AsRef<Path>,
    options: ImportOptions,
) -> Result<Cid, LocalError> {
    let path = path.as_ref();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    if meta.is_dir() {
        let folder = scan_folder(path).await?;
        return stream_folder(FolderImport::new(&folder, options)?).await;
    }
    let len = kind_of(&meta).regular_file(path)?;
    let mut importer = FileImporter::new(options)?;
    let read = read_file(path, |bytes| importer.update(bytes)).await?;
    if read != len {
        return Err(LocalError::Changed {
            path: path.to_owned(),
            expected: len,
            actual: read,
        });
    }
    Ok(importer.finish().cid)
}

/// An upload of the file or folder at `path` (stat'ed or scanned now; streamed when sent). Add
/// metadata, options, CID verification or progress to it, then pass it to `client.pin_file`.
///
/// Anything but a regular file or a directory (a FIFO, a socket, a device) is
/// [`LocalError::UnsupportedFileType`], here and again when the upload opens the file.
pub async fn pin_request(path: impl AsRef<Path>) -> Result<PinFile, Error> {
    let path = path.as_ref();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    if meta.is_dir() {
        Ok(PinFile::folder(scan_folder(path).await?)?)
    } else {
        Ok(PinFile::file(path, kind_of(&meta).regular_file(path)?)?)
    }
}

/// A v3 upload of the file or folder at `path` (stat'ed or scanned now; streamed when sent), as
/// [`pin_request`] makes a legacy one. Set the network, name, group or CID checking on it, then
/// pass it to `client.upload_file`.
pub async fn upload_request(path: impl AsRef<Path>) -> Result<UploadFile, Error> {
    let path = path.as_ref();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    if meta.is_dir() {
        Ok(UploadFile::folder(scan_folder(path).await?)?)
    } else {
        let len = kind_of(&meta).regular_file(path)?;
        let canonical = tokio::fs::canonicalize(path)
            .await
            .map_err(|e| LocalError::io(path, e))?;
        Ok(
            UploadFile::path(path, len)?.fingerprint(FileFingerprint::new(
                canonical,
                len,
                meta.modified().ok(),
            )),
        )
    }
}

/// The CID an upload of the file or folder at `path` gets from Pinata (unwrapped): as
/// [`cid_of_path`], except that a folder's empty directories are left out, since a multipart upload
/// cannot carry them. Use it to know a CID before uploading.
pub async fn upload_cid_of_path(
    path: impl AsRef<Path>,
    options: ImportOptions,
) -> Result<Cid, LocalError> {
    let path = path.as_ref();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    if !meta.is_dir() {
        return cid_of_path(path, options).await;
    }
    let folder = scan_folder(path).await?;
    stream_folder(FolderImport::of_files(&folder, options)?).await
}

/// Reads each file the import asks for, in order, and returns the folder's CID.
async fn stream_folder(mut import: FolderImport<'_>) -> Result<Cid, LocalError> {
    while let Some(file) = import.next_file()? {
        read_file(&file.path, |bytes| import.update(bytes)).await?;
        import.end_file()?;
    }
    Ok(import.finish()?.cid)
}

/// Walks the folder at `path` as pinata-core's [`FolderScan`] directs.
pub async fn scan_folder(path: impl AsRef<Path>) -> Result<Folder, LocalError> {
    let mut scan = FolderScan::new(path.as_ref());
    while let Some(dir) = scan.next_directory() {
        let listing = list(dir).await?;
        scan.add_listing(listing)?;
    }
    scan.finish()
}

async fn list(dir: &Path) -> Result<Vec<ListedEntry>, LocalError> {
    let mut entries = Vec::new();
    let mut read = tokio::fs::read_dir(dir)
        .await
        .map_err(|e| LocalError::io(dir, e))?;
    while let Some(entry) = read
        .next_entry()
        .await
        .map_err(|e| LocalError::io(dir, e))?
    {
        let path = entry.path();
        let link = tokio::fs::symlink_metadata(&path)
            .await
            .map_err(|e| LocalError::io(&path, e))?;
        let target = tokio::fs::metadata(&path)
            .await
            .ok()
            .map(|t| (t.is_dir(), t.is_file(), t.len()));
        let kind = EntryKind::classify(link.file_type().is_symlink(), target);
        entries.push(ListedEntry {
            name: entry.file_name(),
            kind,
        });
    }
    Ok(entries)
}

/// The fingerprint of the regular file at `path` (canonical path, length, modification time).
pub(crate) async fn fingerprint(path: &Path) -> Result<FileFingerprint, LocalError> {
    let canonical = tokio::fs::canonicalize(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    let meta = tokio::fs::metadata(&canonical)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    let len = kind_of(&meta).regular_file(path)?;
    Ok(FileFingerprint::new(canonical, len, meta.modified().ok()))
}

/// Reads `len` bytes of `path` from `offset` into `each`, one buffer at a time; a file shorter
/// than that is [`LocalError::Changed`].
pub(crate) async fn read_range<F: FnMut(&[u8]) + Send + ?Sized>(
    path: &Path,
    offset: u64,
    len: u64,
    each: &mut F,
) -> Result<(), LocalError> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let (mut file, kind) = open(path).await.map_err(|e| LocalError::io(path, e))?;
    kind.regular_file(path)?;
    file.seek(std::io::SeekFrom::Start(offset))
        .await
        .map_err(|e| LocalError::io(path, e))?;
    let mut buf = vec![0u8; BUFFER];
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(BUFFER).min(BUFFER);
        let n = file
            .read(&mut buf[..want])
            .await
            .map_err(|e| LocalError::io(path, e))?;
        if n == 0 {
            return Err(LocalError::Changed {
                path: path.to_owned(),
                expected: offset + len,
                actual: offset + len - left,
            });
        }
        each(&buf[..n]);
        left -= n as u64;
    }
    Ok(())
}

/// What the file system entry of `meta` is, for pinata-core's rules.
fn kind_of(meta: &Metadata) -> EntryKind {
    EntryKind::of_target(meta.is_dir(), meta.is_file(), meta.len())
}

/// Opens `path` for reading without blocking on it, and says what the opened handle is (fstat),
/// for pinata-core to judge before the first read. On Unix the file is opened `O_NONBLOCK`: the
/// open of a FIFO would otherwise hold a blocking-pool thread until a writer came, which keeps
/// the runtime from shutting down; regular files ignore the flag.
pub(crate) async fn open(path: &Path) -> io::Result<(tokio::fs::File, EntryKind)> {
    let mut options = tokio::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NONBLOCK);
    let file = options.open(path).await?;
    let kind = kind_of(&file.metadata().await?);
    Ok((file, kind))
}

/// Streams the regular file at `path` to `sink`; returns the bytes read.
async fn read_file(path: &Path, mut sink: impl FnMut(&[u8])) -> Result<u64, LocalError> {
    let (mut file, kind) = open(path).await.map_err(|e| LocalError::io(path, e))?;
    kind.regular_file(path)?;
    let mut buf = vec![0u8; BUFFER];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| LocalError::io(path, e))?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        sink(&buf[..n]);
    }
}
