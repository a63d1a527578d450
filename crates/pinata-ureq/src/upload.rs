//! Streams a multipart upload from disk as a `Read` for ureq, doing the I/O pinata-core's
//! [`UploadCursor`] asks for.

use std::io::{self, Read, Seek, SeekFrom};

use bytes::Bytes;
use pinata_core::transport::upload::{MultipartUpload, UploadCursor, UploadStep};

/// The body of a multipart upload, read in order: memory stays at one read buffer.
pub(crate) struct UploadReader {
    cursor: UploadCursor,
    pending: Bytes,
    file: Option<Box<dyn Read + Send>>,
}

/// What [`reader`] wraps: the type a ureq upload takes back out of a
/// [`ReaderSource`](pinata_core::transport::upload::ReaderSource).
type BoxedReader = Box<dyn Read + Send>;

/// A reader of `len` bytes for `UploadFile::reader`, read (once) when a ureq client sends the
/// upload. Nothing is buffered beyond one read.
pub fn reader(reader: impl Read + Send + 'static) -> pinata_core::transport::upload::ReaderSource {
    let boxed: BoxedReader = Box::new(reader);
    pinata_core::transport::upload::ReaderSource::new(Box::new(boxed))
}

impl UploadReader {
    pub(crate) fn new(upload: MultipartUpload) -> Self {
        Self {
            cursor: UploadCursor::new(upload),
            pending: Bytes::new(),
            file: None,
        }
    }
}

/// A local failure as the I/O error that aborts ureq's request (the client reports the local
/// failure itself, from the upload watch).
fn abort(e: pinata_core::LocalError) -> io::Error {
    io::Error::other(e)
}

impl Read for UploadReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.pending.is_empty() {
                let n = buf.len().min(self.pending.len());
                buf[..n].copy_from_slice(&self.pending.split_to(n));
                return Ok(n);
            }
            match self.cursor.next_step() {
                UploadStep::Send(bytes) => self.pending = bytes,
                UploadStep::OpenFile(path) => match crate::local::open(&path) {
                    Ok((f, kind)) => {
                        // A FIFO or device in the file's place is refused before any read.
                        self.cursor.file_opened(kind).map_err(abort)?;
                        self.file = Some(Box::new(f));
                    }
                    Err(e) => return Err(abort(self.cursor.open_failed(e))),
                },
                UploadStep::OpenFileAt { path, offset } => match crate::local::open(&path) {
                    Ok((mut f, kind)) => {
                        self.cursor.file_opened(kind).map_err(abort)?;
                        if let Err(e) = f.seek(SeekFrom::Start(offset)) {
                            return Err(abort(self.cursor.open_failed(e)));
                        }
                        self.file = Some(Box::new(f));
                    }
                    Err(e) => return Err(abort(self.cursor.open_failed(e))),
                },
                UploadStep::Cancelled => return Err(abort(pinata_core::LocalError::Cancelled)),
                UploadStep::OpenReader(source) => match source.take() {
                    Some(any) => match any.downcast::<BoxedReader>() {
                        Ok(r) => self.file = Some(*r),
                        Err(_) => return Err(abort(self.cursor.reader_unavailable(false))),
                    },
                    None => return Err(abort(self.cursor.reader_unavailable(true))),
                },
                UploadStep::ReadFile { max } => {
                    let Some(file) = self.file.as_mut() else {
                        return Err(io::Error::other("upload cursor: read before open"));
                    };
                    let want = max.min(buf.len());
                    let n = match file.read(&mut buf[..want]) {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(abort(self.cursor.open_failed(e))),
                    };
                    self.cursor.file_read(&buf[..n]).map_err(abort)?;
                    return Ok(n);
                }
                UploadStep::CheckEnd => {
                    let mut probe = [0u8; 1];
                    let more = match self.file.take() {
                        Some(mut f) => f.read(&mut probe)? > 0,
                        None => false,
                    };
                    self.cursor.file_end(more).map_err(abort)?;
                }
                UploadStep::Finished => return Ok(0),
                _ => {
                    return Err(io::Error::other(
                        "upload cursor: a step this transport does not know",
                    ));
                }
            }
        }
    }
}
