//! Resumable uploads over TUS 1.0, as Pinata serves them (`pinata-v3-api.md` §1.3, §6): create
//! (`POST {uploads}/v3/files` with `Upload-Length` and `Upload-Metadata`, or the same to a signed
//! URL), then `PATCH` chunks streamed from disk, each with an exact `Content-Length`, until the
//! server holds every byte (its `Upload-Offset` equals `Upload-Length`: complete, as TUS says);
//! Pinata's final answer also carries `Upload-Cid`. Then the file's record is found: under the id
//! Pinata's upload URLs carry (`…/v3/files/{file_id}/{token}`), checked to hold the upload's CID,
//! else as the newest file with that CID (`GET /v3/files/{network}?cid=…`, as the SDK finds it),
//! so a server whose upload URLs have another shape (a stock TUS server) works too.
//!
//! Better than the official SDK on every point it is weak on:
//! - after a failure (a transport error, 409, 5xx) the session asks the server where it stands
//!   (`HEAD`) and continues from there, with the client's retry policy as the budget, instead of
//!   re-sending the same chunk blindly;
//! - the CID of the whole file is computed on the same pass as the chunks are sent, bytes re-sent
//!   after a failure are not hashed twice, and the server's `Upload-Cid` is checked against it;
//!   when the server names no CID (a final answer lost, then a `HEAD` that says only the offset, or
//!   a server without Pinata's header) the client's own CID is used;
//! - every session has a serialisable [`ResumeToken`] (upload URL, file fingerprint, fields) the
//!   caller may persist; `resume_upload(token)` in a new process refuses a file that changed,
//!   re-reads (never re-sends) the part the server holds to hash it, and continues;
//! - a [`CancelToken`](crate::CancelToken) stops it at the next step, keeping the upload for a later resume or ending
//!   it (`DELETE`), as the caller chooses.
//!
//! The session is a pure state machine ([`TusSession::next_request`] / [`TusSession::on_answer`]);
//! the clients drive it (`upload_resumable`, and `upload_file` above the configured threshold), and
//! the transports read the file.
//!
//! Its parts: `session.rs` (the state machine), `wire.rs` (each TUS request and how its answer
//! reads), `lookup.rs` (finding the complete upload's record), `token.rs` (the upload's fields,
//! the plan a session starts from, the resume token and a resume's hooks), `driver.rs` (the one
//! loop both clients run a session with: what to do next, decided without I/O) and `clients.rs`
//! (the clients' TUS calls, doing only the I/O the driver asks for). The limits
//! ([`DEFAULT_TUS_THRESHOLD`] and the chunk sizes) are the config's, and [`FileFingerprint`] the
//! local files'; both are published here too.

mod clients;
mod driver;
mod lookup;
mod session;
mod token;
mod wire;

pub use crate::config::limits::{
    DEFAULT_TUS_CHUNK, DEFAULT_TUS_THRESHOLD, MAX_TUS_CHUNK, MIN_TUS_CHUNK,
};
pub use crate::local::FileFingerprint;
pub use lookup::FileLookup;
pub use session::{TusNext, TusSession, TusStep, upload_is_gone};
pub use token::{ResumeToken, ResumeUpload, TokenFn};
pub(crate) use token::{TusFields, TusPlan};
pub use wire::{TusAnswer, TusRequest};

#[cfg(test)]
mod tests;
