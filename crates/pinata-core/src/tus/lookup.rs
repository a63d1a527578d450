//! Finding a complete upload's file record: the [`FileLookup`] call (by the file id Pinata's
//! upload URLs carry, or by CID), and the rules the session judges the answers by (which URLs
//! carry a file id, when two CIDs are the same).

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::api::Network;
use crate::api::files::{FileItem, GetFile, ListFiles};
use crate::api::uploads::UploadedFile;
use crate::cid::Cid;
use crate::endpoint::Endpoint;
use crate::error::{BuildError, DecodeError};

/// The look-up of a complete upload's record ([`TusStep::Lookup`](super::TusStep::Lookup)): `GET /v3/files/{network}/{id}`
/// or `GET /v3/files/{network}?cid=…` (needs `org:files:read`), answered as the files found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLookup {
    kind: LookupKind,
}

impl FileLookup {
    /// The look-up of file `id` on `network` (`GET /v3/files/{network}/{id}`).
    pub(super) fn by_id(network: Network, id: String) -> Self {
        Self {
            kind: LookupKind::Id(GetFile::new(network, id)),
        }
    }

    /// The look-up of the files with `cid` on `network` (`GET /v3/files/{network}?cid=…`).
    pub(super) fn by_cid(network: Network, cid: String) -> Self {
        Self {
            kind: LookupKind::Cid(ListFiles::new(network).cid(cid)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LookupKind {
    Id(GetFile),
    Cid(ListFiles),
}

impl Endpoint for FileLookup {
    type Output = Vec<FileItem>;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        match &self.kind {
            LookupKind::Id(get) => get.path_and_query(),
            LookupKind::Cid(list) => list.path_and_query(),
        }
    }

    fn parse(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Self::Output, DecodeError> {
        match &self.kind {
            LookupKind::Id(get) => get.parse(status, headers, body).map(|f| vec![f]),
            LookupKind::Cid(list) => list.parse(status, headers, body).map(|page| page.files),
        }
    }
}

/// Whether two CIDs name the same content address (the same CID however it is written).
pub(super) fn same_cid(a: &str, b: &str) -> bool {
    match (a.parse::<Cid>(), b.parse::<Cid>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The file id in an upload URL of Pinata's shape, `…/v3/files/{file_id}/{token}` (the emulator's
/// too): an id of letters, digits, `-`, `_` and `.`. Any other shape names no file id (a stock TUS
/// server's `…/files/{upload_id}` names its upload, not a file record).
pub(super) fn pinata_file_id(upload_url: &str) -> Option<String> {
    let uri = upload_url.parse::<http::Uri>().ok()?;
    let segments: Vec<&str> = uri.path().trim_end_matches('/').split('/').collect();
    let [.., v3, files, id, token] = segments.as_slice() else {
        return None;
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    (*v3 == "v3"
        && *files == "files"
        && plain(id)
        && !token.is_empty()
        && *id != "."
        && *id != "..")
        .then(|| (*id).to_owned())
}

/// A file record as an upload's answer (the network is the caller's to set).
impl From<FileItem> for UploadedFile {
    fn from(f: FileItem) -> Self {
        UploadedFile {
            id: f.id,
            name: f.name,
            cid: f.cid,
            size: f.size,
            number_of_files: f.number_of_files,
            mime_type: f.mime_type,
            group_id: f.group_id,
            keyvalues: f.keyvalues,
            created_at: f.created_at,
            network: None,
            is_duplicate: None,
        }
    }
}
