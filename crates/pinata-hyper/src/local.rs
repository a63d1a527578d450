//! Local files for the async client: tokio::fs answers pinata-core's questions (which directory to
//! list, which file to read); the rules are the core's.

use std::path::Path;

use pinata_core::Error;
use pinata_core::api::pinning::PinFile;
use pinata_core::cid::{Cid, FileImporter, ImportOptions};
use pinata_core::transport::local::{
    EntryKind, Folder, FolderImport, FolderScan, ListedEntry, LocalError,
};
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
    let mut importer = FileImporter::new(options)?;
    let read = read_file(path, |bytes| importer.update(bytes)).await?;
    if read != meta.len() {
        return Err(LocalError::Changed {
            path: path.to_owned(),
            expected: meta.len(),
            actual: read,
        });
    }
    Ok(importer.finish().cid)
}

/// An upload of the file or folder at `path` (stat'ed or scanned now; streamed when sent). Add
/// metadata, options, CID verification or progress to it, then pass it to `client.pin_file`.
pub async fn pin_request(path: impl AsRef<Path>) -> Result<PinFile, Error> {
    let path = path.as_ref();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
    if meta.is_dir() {
        Ok(PinFile::folder(scan_folder(path).await?)?)
    } else {
        Ok(PinFile::file(path, meta.len())?)
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

/// Streams the file at `path` to `sink`; returns the bytes read.
async fn read_file(path: &Path, mut sink: impl FnMut(&[u8])) -> Result<u64, LocalError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| LocalError::io(path, e))?;
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
