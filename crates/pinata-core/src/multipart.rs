//! `multipart/form-data` bodies as a *plan*: byte segments the core renders, and file segments the
//! transport streams from disk. The exact `Content-Length` is known before anything is read.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::error::BuildError;

/// A reader a caller hands to an upload: any source of a known number of bytes, streamed, never
/// buffered whole. The core does not know the reader's type; each transport makes its own kind
/// (`pinata_ureq::reader` takes a `std::io::Read`, `pinata_hyper::reader` a tokio `AsyncRead`) and
/// takes it back when it sends the body.
///
/// A reader can be read once: the first send takes it, and a second send of the same body (a
/// retry after the reader was consumed) fails with [`LocalError::ReaderUsed`](crate::LocalError::ReaderUsed). Uploads from a
/// reader are therefore never retried once their body may have started.
#[derive(Clone)]
pub struct ReaderSource {
    slot: Arc<Mutex<Option<Box<dyn std::any::Any + Send>>>>,
}

impl ReaderSource {
    /// Wraps a transport's reader (for transport crates; users call their transport's function).
    pub fn new(reader: Box<dyn std::any::Any + Send>) -> Self {
        Self {
            slot: Arc::new(Mutex::new(Some(reader))),
        }
    }

    /// Takes the reader out (`None` once it has been taken).
    pub fn take(&self) -> Option<Box<dyn std::any::Any + Send>> {
        // Only ever a take or a put of the whole value: consistent after any panic.
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

impl fmt::Debug for ReaderSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReaderSource")
    }
}

impl PartialEq for ReaderSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.slot, &other.slot)
    }
}

impl Eq for ReaderSource {}

/// One piece of a multipart body. New kinds may come: a transport fails the body on one it does
/// not know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment {
    /// Bytes to send as they are (boundaries, part headers, JSON fields).
    Bytes(Bytes),
    /// The contents of a file: exactly `len` bytes, read by the transport when it sends them.
    File {
        /// Where to read.
        path: PathBuf,
        /// How many bytes (its length when planned; reading another length is an error).
        len: u64,
    },
    /// A range of a file: `len` bytes from `offset` (a TUS chunk). Reading fewer is an error; the
    /// file may go on after the range.
    FileRange {
        /// Where to read.
        path: PathBuf,
        /// The first byte.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
    /// The contents of a file part read from a caller's reader: exactly `len` bytes, read once by
    /// the transport (see [`ReaderSource`]).
    Reader {
        /// The reader, taken by the first send.
        source: ReaderSource,
        /// How many bytes it must yield.
        len: u64,
    },
}

impl Segment {
    /// Bytes this segment sends.
    pub fn len(&self) -> u64 {
        match self {
            Segment::Bytes(b) => b.len() as u64,
            Segment::File { len, .. }
            | Segment::FileRange { len, .. }
            | Segment::Reader { len, .. } => *len,
        }
    }

    /// Whether the segment sends nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A planned `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq)]
pub struct MultipartPlan {
    boundary: String,
    /// A body that is not multipart (a TUS chunk) has its own content type.
    content_type: Option<String>,
    segments: Vec<Segment>,
    /// The segment index of each file part's content, in order.
    file_parts: Vec<usize>,
}

impl fmt::Debug for MultipartPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultipartPlan")
            .field("boundary", &self.boundary)
            .field("segments", &self.segments.len())
            .field("content_length", &self.content_length())
            .finish()
    }
}

impl MultipartPlan {
    /// The boundary between parts.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The segments, in sending order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The segment index of each file part's content (from a path, bytes or a reader), in order.
    pub fn file_parts(&self) -> &[usize] {
        &self.file_parts
    }

    /// The exact body length.
    pub fn content_length(&self) -> u64 {
        self.segments.iter().map(Segment::len).sum()
    }

    /// `multipart/form-data; boundary=…`, or a raw body's own type.
    pub fn content_type(&self) -> String {
        match &self.content_type {
            Some(t) => t.clone(),
            None => format!("multipart/form-data; boundary={}", self.boundary),
        }
    }

    /// A body of one segment sent as it is, with `content_type` (a TUS chunk).
    pub(crate) fn raw(content_type: &str, segment: Segment) -> Self {
        Self {
            boundary: String::new(),
            content_type: Some(content_type.to_owned()),
            file_parts: vec![0],
            segments: vec![segment],
        }
    }
}

/// Builds a [`MultipartPlan`] part by part.
#[derive(Debug)]
pub struct MultipartBuilder {
    boundary: String,
    segments: Vec<Segment>,
    pending: Vec<u8>,
    file_parts: Vec<usize>,
}

/// A boundary that will not occur in the content: 32 hex digits of a hash of the time, the process
/// and a counter. (Not a secret: it only has to be unlikely inside the files.)
pub fn fresh_boundary() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = Sha256::new();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.update(now.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let digest = h.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("----pinata-rs-{hex}")
}

/// The UTF-8 file name of `path`'s last component, as an upload's part is named.
pub(crate) fn file_name_of(path: &std::path::Path) -> Result<String, BuildError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            BuildError::InvalidInput(format!("{} has no UTF-8 file name", path.display()))
        })
}

/// Checks a form field or file name. Browsers escape `"`, CR and LF as `%22`, `%0D`, `%0A`, but
/// Express's multipart parser (busboy) does not decode them, so the stored name would differ from
/// the one the CID is computed for: such names, and NUL, are refused.
pub fn check_name(name: &str) -> Result<&str, BuildError> {
    if let Some(c) = name.chars().find(|c| matches!(c, '"' | '\r' | '\n' | '\0')) {
        return Err(BuildError::InvalidInput(format!(
            "the name {} contains {}, which an upload cannot carry unchanged",
            name.escape_debug(),
            c.escape_debug()
        )));
    }
    Ok(name)
}

impl MultipartBuilder {
    /// A body with `boundary` (see [`fresh_boundary`]).
    pub fn new(boundary: impl Into<String>) -> Self {
        Self {
            boundary: boundary.into(),
            segments: Vec::new(),
            pending: Vec::new(),
            file_parts: Vec::new(),
        }
    }

    fn header(
        &mut self,
        name: &str,
        filename: Option<&str>,
        content_type: Option<&str>,
    ) -> Result<(), BuildError> {
        let name = check_name(name)?;
        self.pending.extend_from_slice(b"--");
        self.pending.extend_from_slice(self.boundary.as_bytes());
        self.pending
            .extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        self.pending.extend_from_slice(name.as_bytes());
        self.pending.push(b'"');
        if let Some(filename) = filename {
            let filename = check_name(filename)?;
            self.pending.extend_from_slice(b"; filename=\"");
            self.pending.extend_from_slice(filename.as_bytes());
            self.pending.push(b'"');
        }
        self.pending.extend_from_slice(b"\r\n");
        if let Some(ct) = content_type {
            self.pending.extend_from_slice(b"Content-Type: ");
            self.pending.extend_from_slice(ct.as_bytes());
            self.pending.extend_from_slice(b"\r\n");
        }
        self.pending.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// A text field.
    pub fn text(mut self, name: &str, value: &str) -> Result<Self, BuildError> {
        self.header(name, None, None)?;
        self.pending.extend_from_slice(value.as_bytes());
        self.pending.extend_from_slice(b"\r\n");
        Ok(self)
    }

    /// A file field whose `len` bytes are read from `path` when sent, as
    /// `application/octet-stream` (what the legacy uploads send).
    pub fn file(
        self,
        name: &str,
        filename: &str,
        path: PathBuf,
        len: u64,
    ) -> Result<Self, BuildError> {
        self.file_typed(name, filename, "application/octet-stream", path, len)
    }

    /// A file field of `content_type` whose `len` bytes are read from `path` when sent.
    pub fn file_typed(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        path: PathBuf,
        len: u64,
    ) -> Result<Self, BuildError> {
        self.header(name, Some(filename), Some(content_type))?;
        self.flush();
        self.file_parts.push(self.segments.len());
        self.segments.push(Segment::File { path, len });
        self.pending.extend_from_slice(b"\r\n");
        Ok(self)
    }

    /// A file field whose content is `content`, in memory.
    pub fn file_bytes(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        content: Bytes,
    ) -> Result<Self, BuildError> {
        self.header(name, Some(filename), Some(content_type))?;
        self.flush();
        self.file_parts.push(self.segments.len());
        self.segments.push(Segment::Bytes(content));
        self.pending.extend_from_slice(b"\r\n");
        Ok(self)
    }

    /// A file field whose `len` bytes are read from `source` when sent (once).
    pub fn file_reader(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        source: ReaderSource,
        len: u64,
    ) -> Result<Self, BuildError> {
        self.header(name, Some(filename), Some(content_type))?;
        self.flush();
        self.file_parts.push(self.segments.len());
        self.segments.push(Segment::Reader { source, len });
        self.pending.extend_from_slice(b"\r\n");
        Ok(self)
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.segments
                .push(Segment::Bytes(Bytes::from(std::mem::take(
                    &mut self.pending,
                ))));
        }
    }

    /// Closes the body.
    pub fn finish(mut self) -> MultipartPlan {
        self.pending.extend_from_slice(b"--");
        self.pending.extend_from_slice(self.boundary.as_bytes());
        self.pending.extend_from_slice(b"--\r\n");
        self.flush();
        MultipartPlan {
            boundary: self.boundary,
            content_type: None,
            segments: self.segments,
            file_parts: self.file_parts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fields_and_files_with_exact_length() {
        let plan = MultipartBuilder::new("XYZ")
            .text("pinataMetadata", r#"{"name":"a"}"#)
            .unwrap()
            .file("file", "dir/a b;c%22.txt", PathBuf::from("/tmp/a"), 5)
            .unwrap()
            .finish();
        let rendered: Vec<u8> = plan
            .segments()
            .iter()
            .flat_map(|s| match s {
                Segment::Bytes(b) => b.to_vec(),
                other => vec![b'#'; other.len() as usize],
            })
            .collect();
        assert_eq!(
            String::from_utf8(rendered.clone()).unwrap(),
            "--XYZ\r\nContent-Disposition: form-data; name=\"pinataMetadata\"\r\n\r\n{\"name\":\"a\"}\r\n\
             --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/a b;c%22.txt\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n#####\r\n--XYZ--\r\n"
        );
        assert_eq!(plan.content_length(), rendered.len() as u64);
        assert_eq!(plan.segments().len(), 3);
        assert_eq!(plan.content_type(), "multipart/form-data; boundary=XYZ");
    }

    #[test]
    fn names_that_cannot_travel_unchanged_are_refused() {
        assert_eq!(
            check_name("ünïcode; 100%22 ok").unwrap(),
            "ünïcode; 100%22 ok"
        );
        for bad in ["a\"b", "a\rb", "a\nb", "a\0b"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn boundaries_differ() {
        let a = fresh_boundary();
        assert_ne!(a, fresh_boundary());
        assert!(a.len() > 40);
    }
}
