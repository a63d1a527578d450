//! Downloads over ureq: [`download_to_path`] writes beside the destination and renames only once
//! pinata-core's checks passed.

use std::path::Path;

use pinata_core::download::{Download, Downloaded, partial_path};
use pinata_core::transport::BlockingTransport;
use pinata_core::{BlockingClient, Error, LocalError};

/// Downloads `download` to the file at `path`: streamed to a temporary file beside it (memory stays
/// at one read buffer), which replaces `path` only when the cap, length and CID checks passed; on
/// any failure the temporary file is removed and `path` is untouched.
pub fn download_to_path<T: BlockingTransport>(
    client: &BlockingClient<T>,
    download: &Download,
    path: impl AsRef<Path>,
) -> Result<Downloaded, Error> {
    let path = path.as_ref();
    let part = partial_path(path);
    let io = |p: &Path| {
        let p = p.to_owned();
        move |e| Error::Local(LocalError::io(p, e))
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .map_err(io(&part))?;
    let mut out = std::io::BufWriter::new(file);
    let finished = client.download_to(download, &mut out).and_then(|done| {
        let file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .map_err(io(&part))?;
        file.sync_all().map_err(io(&part))?;
        Ok(done)
    });
    match finished {
        Ok(done) => {
            std::fs::rename(&part, path).map_err(io(path))?;
            Ok(done)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}
