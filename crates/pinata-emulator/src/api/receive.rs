//! The one streaming receiver behind every upload (legacy `pinFileToIPFS`, v3 `POST /v3/files`,
//! uploads to signed URLs): the multipart body is parsed as it arrives, each file part written to
//! `incoming/` while both CIDs (v0 and v1: the version may be named by a field after the file) are
//! computed on the same pass, and the text fields the upload reads are kept. Then the parts are
//! addressed (a file, or a folder under one root, as `pinFileToIPFS` does) and committed to the
//! content store.
//!
//! A file part's `Content-Type` is its MIME type ([`Received::mime_type`]: parameters dropped,
//! lower-cased), unless it has none, `application/octet-stream` (what a client sends when it does
//! not know) or one that is not a `type/subtype` (emulator's choice: not refused, as a part's
//! header is the HTTP stack's, not a field the caller chose); then the type is guessed from the
//! file name, as pinata-core's `mime_type_of` guesses it.
//!
//! Bounded whatever the body: the parts, the text fields and the file names and types have caps
//! ([`MAX_PARTS`], [`MAX_FIELDS`], [`MAX_FILE_NAMES`]), and an upload may be given a cap on its
//! file bytes (a signed URL's `max_file_size`), past which nothing more is written.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use http::HeaderMap;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use pinata_core::api::signed::is_mime_pattern;
use pinata_core::api::uploads::mime_type_of;
use pinata_core::cid::{
    Cid, CidVersion, DirectoryBuilder, FileImporter, ImportOptions, ImportedFile,
};
use tokio::io::AsyncWriteExt;

use crate::multipart::{Event, Parser};
use crate::reply::Closed;
use crate::state::State;
use crate::store::content::ContentStore;

/// Largest total size of the text fields of an upload (the ones read and the ones dropped), their
/// names included.
pub(crate) const MAX_FIELDS: usize = 1024 * 1024;
/// Largest total size of the file names and MIME types of an upload's file parts (emulator's
/// choice).
pub(crate) const MAX_FILE_NAMES: usize = 16 * 1024 * 1024;
/// Most parts in one upload (emulator's choice: each file part is a file on disk while it is
/// received).
pub(crate) const MAX_PARTS: usize = 100_000;

/// A file's MIME type as a client names it (a part's `Content-Type`, a resumable upload's
/// `filetype`): `type/subtype` shaped as pinata-core's `is_mime_pattern` shapes a pattern (visible
/// ASCII, at most `MAX_MIME_PATTERN_LEN` bytes) but without a wildcard, parameters dropped,
/// lower-cased; `None` if it is not one.
pub(crate) fn media_type(text: &str) -> Option<String> {
    let t = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    (t.contains('/') && !t.contains('*') && is_mime_pattern(&t)).then_some(t)
}

/// A file part as received: stored in `incoming`, with its CID in both versions.
pub(crate) struct Received {
    /// The part's file name as sent (`<folder>/<relative>` for a folder's files).
    pub(crate) filename: String,
    /// Its `Content-Type` as a [`media_type`], unless absent, not one, or
    /// `application/octet-stream`.
    content_type: Option<String>,
    incoming: PathBuf,
    v0: ImportedFile,
    v1: ImportedFile,
}

impl Received {
    /// The file as imported with CID version `v`.
    pub(crate) fn imported(&self, v: CidVersion) -> ImportedFile {
        match v {
            CidVersion::V0 => self.v0,
            CidVersion::V1 => self.v1,
        }
    }

    /// Its length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.v1.size
    }

    /// Its MIME type: the part's `Content-Type`, or (without a usable one) the type of its file
    /// name.
    pub(crate) fn mime_type(&self) -> String {
        match &self.content_type {
            Some(t) => t.clone(),
            None => mime_type_of(&self.filename).to_owned(),
        }
    }
}

/// A file part being received.
struct Receiving {
    filename: String,
    content_type: Option<String>,
    incoming: PathBuf,
    out: tokio::fs::File,
    v0: FileImporter,
    v1: FileImporter,
}

/// The part being read.
enum Current {
    File(Box<Receiving>),
    /// A text part: kept only when it is one the upload reads (`buf` is `None` otherwise, and
    /// its bytes are counted against the cap but dropped).
    Field {
        name: String,
        buf: Option<Vec<u8>>,
    },
}

/// What an upload's parts have used of the caps so far, kept as running totals so each part is
/// counted once (the cost of checking is constant per event, whatever the number of parts).
#[derive(Debug, Default)]
struct Tally {
    parts: usize,
    field_bytes: usize,
    file_name_bytes: usize,
    file_bytes: u64,
}

/// Counts `n` more against `used`, refusing to pass `cap`.
fn take(used: &mut usize, n: usize, cap: usize) -> Result<(), ()> {
    match used.checked_add(n) {
        Some(total) if total <= cap => {
            *used = total;
            Ok(())
        }
        _ => Err(()),
    }
}

/// What a receive is told to keep and to refuse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// The text fields the upload reads; any other text part is counted and dropped, as the real
    /// API ignores it.
    pub(crate) read_fields: &'static [&'static str],
    /// The most file bytes (all file parts together) the upload may carry.
    pub(crate) max_file_bytes: Option<u64>,
}

/// Why a body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not well-formed multipart, a file part without a file name, past a part, field or name
    /// cap, or the body broke off.
    Malformed,
    /// The file parts passed [`Rules::max_file_bytes`].
    TooLarge,
}

/// A received form: its files (on disk until committed) and the text fields it reads. Dropping
/// it removes whatever of its files was not committed.
pub(crate) struct Form {
    /// The file parts, in the order sent.
    pub(crate) files: Vec<Received>,
    /// The text fields read, by name (the last of a repeated name wins).
    pub(crate) fields: HashMap<String, Vec<u8>>,
    /// The file part being received, until it ends: removed with the form if it never does (a
    /// failure, or the upload dropped mid-way).
    partial: Option<PathBuf>,
}

impl Form {
    /// The text field `name`, if sent.
    pub(crate) fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields.get(name).map(Vec::as_slice)
    }
}

impl Drop for Form {
    fn drop(&mut self) {
        // A committed file was moved away: removing it again fails, harmlessly.
        for r in &self.files {
            let _ = std::fs::remove_file(&r.incoming);
        }
        if let Some(p) = &self.partial {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The `boundary` of a multipart `Content-Type` in `headers`, or the content type that was sent
/// instead.
pub(crate) fn boundary(headers: &HeaderMap) -> Result<String, &str> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    crate::multipart::boundary_of(content_type).ok_or(content_type)
}

/// Reads a multipart `body` delimited by `boundary`, streaming its files to disk.
///
/// The whole body is read even after a refusal (nothing more is parsed or written), so a client
/// still sending gets the answer rather than a reset. `Err(Closed)` only for an injected stall
/// (`stall`: after that many bytes, wait, then drop the connection).
pub(crate) async fn receive(
    content: &ContentStore,
    boundary: &str,
    mut body: Incoming,
    rules: Rules,
    stall: Option<(u64, std::time::Duration)>,
) -> Result<Result<Form, Refused>, Closed> {
    let mut read: u64 = 0;
    let mut parser = Parser::new(boundary);
    let mut form = Form {
        files: Vec::new(),
        fields: HashMap::new(),
        partial: None,
    };
    let mut tally = Tally::default();
    let mut current: Option<Current> = None;
    let mut refused = None;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            refused.get_or_insert(Refused::Malformed);
            break;
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        read += data.len() as u64;
        if let Some((after, wait)) = stall
            && read >= after
        {
            // An injected stall: stop reading, wait, then drop the connection.
            tokio::time::sleep(wait).await;
            return Err(Closed);
        }
        if refused.is_some() {
            continue;
        }
        let events = match parser.push(&data) {
            Ok(e) => e,
            Err(_) => {
                refused = Some(Refused::Malformed);
                continue;
            }
        };
        for event in events {
            if let Err(why) =
                handle_event(content, event, &mut current, &mut form, &mut tally, rules).await
            {
                refused = Some(why);
                break;
            }
        }
    }
    // The part in progress (if any) is closed here; the form removes its file.
    drop(current);
    if let Some(why) = refused {
        return Ok(Err(why));
    }
    if parser.finish().is_err() {
        return Ok(Err(Refused::Malformed));
    }
    Ok(Ok(form))
}

async fn handle_event(
    content: &ContentStore,
    event: Event,
    current: &mut Option<Current>,
    form: &mut Form,
    tally: &mut Tally,
    rules: Rules,
) -> Result<(), Refused> {
    let malformed = |()| Refused::Malformed;
    match event {
        Event::PartStart(h) => {
            take(&mut tally.parts, 1, MAX_PARTS).map_err(malformed)?;
            *current = Some(match (h.name.as_str(), h.filename) {
                ("file", Some(filename)) => {
                    let content_type = h
                        .content_type
                        .as_deref()
                        .and_then(media_type)
                        .filter(|t| t != "application/octet-stream");
                    let named = filename.len() + content_type.as_ref().map_or(0, String::len);
                    take(&mut tally.file_name_bytes, named, MAX_FILE_NAMES).map_err(malformed)?;
                    let incoming = content.incoming_path();
                    form.partial = Some(incoming.clone());
                    let out = crate::disk::create_private_file_async(&incoming)
                        .await
                        .map_err(|_| Refused::Malformed)?;
                    let importer = |v| FileImporter::new(ImportOptions::new(v));
                    Current::File(Box::new(Receiving {
                        filename,
                        content_type,
                        incoming,
                        out,
                        v0: importer(CidVersion::V0).map_err(|_| Refused::Malformed)?,
                        v1: importer(CidVersion::V1).map_err(|_| Refused::Malformed)?,
                    }))
                }
                ("file", None) => return Err(Refused::Malformed),
                (name, _) => {
                    take(&mut tally.field_bytes, name.len(), MAX_FIELDS).map_err(malformed)?;
                    Current::Field {
                        name: name.to_owned(),
                        buf: rules.read_fields.contains(&name).then(Vec::new),
                    }
                }
            });
        }
        Event::Data(data) => match current {
            Some(Current::File(r)) => {
                // Past the cap nothing more is written: the bytes stored never exceed it.
                let cap = rules.max_file_bytes.unwrap_or(u64::MAX);
                match tally.file_bytes.checked_add(data.len() as u64) {
                    Some(total) if total <= cap => tally.file_bytes = total,
                    _ => return Err(Refused::TooLarge),
                }
                r.v0.update(&data);
                r.v1.update(&data);
                r.out
                    .write_all(&data)
                    .await
                    .map_err(|_| Refused::Malformed)?;
            }
            Some(Current::Field { buf, .. }) => {
                take(&mut tally.field_bytes, data.len(), MAX_FIELDS).map_err(malformed)?;
                if let Some(buf) = buf {
                    buf.extend_from_slice(&data);
                }
            }
            None => {}
        },
        Event::PartEnd => match current.take() {
            Some(Current::File(r)) => {
                let Receiving {
                    filename,
                    content_type,
                    incoming,
                    mut out,
                    v0,
                    v1,
                } = *r;
                // Owned by the form's files from here, so a failure below still removes it.
                form.partial = None;
                form.files.push(Received {
                    filename,
                    content_type,
                    incoming,
                    v0: v0.finish(),
                    v1: v1.finish(),
                });
                out.flush().await.map_err(|_| Refused::Malformed)?;
            }
            Some(Current::Field {
                name,
                buf: Some(buf),
            }) => {
                form.fields.insert(name, buf);
            }
            Some(Current::Field { buf: None, .. }) => {}
            None => {}
        },
        Event::Done => {}
    }
    Ok(())
}

/// Why the parts cannot be addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AddressError {
    /// No file part.
    NoFiles,
    /// Several parts that do not share one root folder (or one without a folder).
    SeveralRoots,
    /// A path the directory builder refuses.
    BadPath,
    /// The directory could not be built.
    Directory(String),
}

impl std::fmt::Display for AddressError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AddressError::NoFiles => f.write_str("a file part is required"),
            AddressError::SeveralRoots => f.write_str(
                "the file parts of a folder must all be named <folder>/<path>, in one folder",
            ),
            AddressError::BadPath => f.write_str("a file name is not a path inside a folder"),
            AddressError::Directory(e) => f.write_str(e),
        }
    }
}

/// The parts of an upload, addressed: a file, or a folder.
#[derive(Debug)]
pub(crate) struct Addressed {
    /// The root CID.
    pub(crate) cid: Cid,
    /// The DAG size.
    pub(crate) dag_size: u64,
    /// For a folder, its root name (the first segment of every part's file name).
    pub(crate) root_name: Option<String>,
    /// For a folder (or a wrapped file): each file's CID by its path inside.
    pub(crate) manifest: BTreeMap<String, String>,
    /// Whether the CID is a file's (not a directory's).
    pub(crate) is_file: bool,
}

/// Addresses `files` as `pinFileToIPFS` does: one part without a `/` in its name is a file (its
/// own CID, or wrapped in a directory when `wrap`); otherwise every part must sit under one root
/// folder, and the CID is that folder's contents (with the root folder itself too when `wrap`).
pub(crate) fn address(
    files: &[Received],
    v: CidVersion,
    wrap: bool,
) -> Result<Addressed, AddressError> {
    let Some(first) = files.first() else {
        return Err(AddressError::NoFiles);
    };
    let single = files.len() == 1 && !first.filename.contains('/');
    let root_name = if single {
        None
    } else {
        fn root(r: &Received) -> &str {
            r.filename.split_once('/').map_or("", |(root, _)| root)
        }
        let first_root = root(first);
        if first_root.is_empty() || files.iter().any(|r| root(r) != first_root) {
            return Err(AddressError::SeveralRoots);
        }
        Some(first_root.to_owned())
    };
    if single && !wrap {
        let f = first.imported(v);
        return Ok(Addressed {
            cid: f.cid,
            dag_size: f.dag_size,
            root_name,
            manifest: BTreeMap::new(),
            is_file: true,
        });
    }
    let mut manifest = BTreeMap::new();
    let mut dir = DirectoryBuilder::new();
    for r in files {
        let path = match (&root_name, wrap) {
            (None, _) | (Some(_), true) => r.filename.clone(),
            (Some(_), false) => r
                .filename
                .split_once('/')
                .map_or(String::new(), |(_, rest)| rest.to_owned()),
        };
        dir.add_file(&path, r.imported(v))
            .map_err(|_| AddressError::BadPath)?;
        manifest.insert(path, r.imported(v).cid.to_string());
    }
    let d = dir
        .finish(v)
        .map_err(|e| AddressError::Directory(e.to_string()))?;
    Ok(Addressed {
        cid: d.cid,
        dag_size: d.dag_size,
        root_name,
        manifest,
        is_file: false,
    })
}

/// Moves the received files into the content store and records the folder, if it is one.
/// `public`: the content may be served on `/ipfs/` (legacy pins, public files); otherwise content
/// the store did not hold yet is kept private (see [`ContentStore::commit_file`]).
pub(crate) fn commit(
    state: &State,
    form: &Form,
    addressed: &Addressed,
    v: CidVersion,
    public: bool,
) -> std::io::Result<()> {
    for r in &form.files {
        state
            .content
            .commit_file(&r.incoming, &r.imported(v).cid.to_string(), public)?;
    }
    let cid = addressed.cid.to_string();
    if !addressed.manifest.is_empty() {
        state
            .content
            .add_folder(&cid, addressed.manifest.clone(), public);
    }
    state
        .content
        .remember(&cid, addressed.dag_size, form.files.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(
            media_type(" Text/Plain; charset=UTF-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(
            media_type("application/vnd.ipld.car").as_deref(),
            Some("application/vnd.ipld.car")
        );
        let long = format!("a/{}", "b".repeat(300));
        for not in [
            "",
            "text",
            "a/b/c",
            "/x",
            "a/",
            "a b/c",
            "image/*",
            "*/*",
            "*",
            "directory",
            &long,
        ] {
            assert_eq!(media_type(not), None, "{not:?}");
        }
    }
}
