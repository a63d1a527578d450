//! The route table: every endpoint the emulator serves, as one list of (path, method, route),
//! matched by `matchit` (axum's router) with the real API's Express semantics laid over it: paths
//! match case-insensitively and with or without one trailing slash, parameters keep the case they
//! were sent in, and `/v3/data/*` is `/data/*` (clients configured with a `…/v3` base send it).
//!
//! Every path, and what each route requires of the caller, which credentials it takes and how its
//! body is read, come from the core's endpoint metadata (`pinata_core::api::metadata`): one
//! exhaustive match ([`Route::metadata`]) names each route's entry, and the pipeline in
//! `routes.rs` reads the entry, written once for all of them. The emulator's own control surface
//! (`/emulator/*`) is the one exception, listed here.

use std::sync::OnceLock;

use http::Method;
use pinata_core::api::Network;
#[cfg(test)]
use pinata_core::api::metadata::AuthSchemes;
use pinata_core::api::metadata::{self as m, Access, BodyKind, EndpointMetadata, Family};
use pinata_core::server::Query;

use crate::access::Requirement;

/// Largest JSON body accepted by the JSON endpoints.
pub(crate) const MAX_JSON_BODY: usize = m::JSON_LIMIT;

/// Which generation of the key paths a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyPaths {
    /// `/users/*`.
    Legacy,
    /// `/v3/pinata/keys` (the SDKs) or `/v3/api_keys` (the 2025 docs).
    V3,
}

/// Which of the two paths a swap or signature request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SwapPaths {
    /// `/v3/files/{network}/…`.
    Files,
    /// `/v3/ipfs/…` (public network, camel-case answers).
    Ipfs,
}

/// The endpoints the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    TestAuthentication,
    CreateKey(KeyPaths),
    ListKeys(KeyPaths),
    RevokeKeyInBody,
    RevokeKeyInPath(String),
    PinFile,
    PinJson,
    PinByHash,
    PinJobs,
    HashMetadata,
    Unpin(String),
    PinList,
    Usage,
    /// `/ipfs/{cid}[/path]`, with what follows `/ipfs/`.
    Gateway(String),
    /// `/emulator/faults` (POST a rule, GET counters, DELETE to clear): the emulator's own control
    /// endpoint, admin only.
    Faults,
    /// `/emulator/rate_limit` (PUT a limit, DELETE to clear), admin only.
    RateLimit,
    /// `GET /emulator/health`: public, 200 (503 once the database failed a write), for wait-scripts.
    Health,
    /// `POST /emulator/reset`: back to the state at start-up, admin only.
    Reset,
    /// `/emulator/requests` (GET the journal, DELETE to clear), admin only.
    Requests,
    CreateGroup(Network),
    ListGroups(Network),
    GetGroup(Network, String),
    UpdateGroup(Network, String),
    DeleteGroup(Network, String),
    PinByCid,
    PinQueue,
    CancelPinByCid(String),
    LegacyCreateGroup,
    LegacyListGroups,
    LegacyGetGroup(String),
    LegacyRenameGroup(String),
    LegacyDeleteGroup(String),
    /// Add (`true`) or remove pins.
    LegacyGroupCids(String, bool),
    /// `POST /v3/files`: a v3 upload.
    UploadFiles,
    /// `POST /v3/files/{id}?X-…`: an upload to a signed URL (no credentials), with its id.
    SignedUpload(String),
    /// `POST /v3/files` with `Upload-Length`: a resumable upload's creation.
    TusCreate,
    /// `POST /v3/files/{id}?X-…` with `Upload-Length`: a resumable upload created through a signed
    /// URL, with its id.
    TusSignedCreate(String),
    /// `OPTIONS /v3/files` (or a signed URL's or an upload's path): what TUS is served.
    TusOptions,
    /// `HEAD /v3/files/{file}/{token}`: a resumable upload's offset.
    TusHead(String, String),
    /// `PATCH /v3/files/{file}/{token}`: more bytes of a resumable upload.
    TusPatch(String, String),
    /// `DELETE /v3/files/{file}/{token}` whose first segment is not a network: termination.
    TusTerminate(String, String),
    ListFiles(Network),
    GetFile(Network, String),
    UpdateFile(Network, String),
    DeleteFile(Network, String),
    /// `PUT` (add, `true`) or `DELETE /v3/groups/{network}/{group}/ids/{file}`.
    GroupFile {
        network: Network,
        group: String,
        file: String,
        add: bool,
    },
    /// `POST /v3/files/sign`: an upload URL, or a download link when the body holds `url`.
    SignFiles,
    /// `POST /v3/files/private/download_link` or `/v3/files/download_link`.
    DownloadLink,
    /// `/files/{cid}[/path]?X-…` on the gateway, with what follows `/files/`.
    PrivateGateway(String),
    AddSwap(Network, String, SwapPaths),
    SwapHistory(Network, String, SwapPaths),
    DeleteSwap(Network, String, SwapPaths),
    AddSignature(Network, String),
    GetSignature(Network, String),
    DeleteSignature(Network, String),
    /// `GET /v3/ipfs/gateways` (the Go CLI's path) or `GET /v3/gateways` (the spec's): the
    /// account's gateways.
    ListGateways,
    /// `GET /psa/pins`: the IPFS Pinning Service API's list.
    PsaList,
    /// `POST /psa/pins`: a new pin request.
    PsaAdd,
    /// `GET /psa/pins/{requestid}`.
    PsaGet(String),
    /// `POST /psa/pins/{requestid}`: replace a pin request with a new one.
    PsaReplace(String),
    /// `DELETE /psa/pins/{requestid}`.
    PsaRemove(String),
}

/// Makes the route from a match: `param(i)` is the `i`-th parameter of the path (from 0), in the
/// case it was sent in; `None` when a parameter names nothing (an unknown network, say).
type Make = fn(&dyn Fn(usize) -> String) -> Option<Route>;

/// One row of the table: an endpoint of the core's [`metadata`](m) served by a `Make`, or one whose
/// method and path another row serves (told apart there, by a header or by what a segment is).
enum Row {
    /// Served: the endpoint's paths and method, with how to make the route.
    Serve(&'static EndpointMetadata, Make),
    /// Served by the row of the second endpoint (a declaration the tests hold true).
    #[cfg_attr(not(test), allow(dead_code))]
    Via(&'static EndpointMetadata, &'static EndpointMetadata),
}

use Row::{Serve, Via};

/// The API's table: every path and method comes from the core's endpoint metadata, so a route's
/// path, permission, credentials and body are written once, in the core.
// One row per route: keep the table readable rather than rustfmt's one field per line.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    Serve(&m::TEST_AUTHENTICATION, |_| Some(Route::TestAuthentication)),
    Serve(&m::LIST_PINS, |_| Some(Route::PinList)),
    Serve(&m::USER_PINNED_DATA_TOTAL, |_| Some(Route::Usage)),
    Serve(&m::CREATE_KEY, |_| Some(Route::CreateKey(KeyPaths::Legacy))),
    Serve(&m::LIST_KEYS, |_| Some(Route::ListKeys(KeyPaths::Legacy))),
    Serve(&m::REVOKE_KEY, |_| Some(Route::RevokeKeyInBody)),
    Serve(&m::CREATE_KEY_V3, |_| Some(Route::CreateKey(KeyPaths::V3))),
    Serve(&m::LIST_KEYS_V3, |_| Some(Route::ListKeys(KeyPaths::V3))),
    Serve(&m::REVOKE_KEY_V3, |p| Some(Route::RevokeKeyInPath(decoded(&p(0))))),
    Serve(&m::DELETE_KEY_V3, |p| Some(Route::RevokeKeyInPath(decoded(&p(0))))),
    Serve(&m::CREATE_GROUP, |p| Some(Route::CreateGroup(network(&p(0))?))),
    Serve(&m::LIST_GROUPS, |p| Some(Route::ListGroups(network(&p(0))?))),
    Serve(&m::GET_GROUP, |p| Some(Route::GetGroup(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::UPDATE_GROUP, |p| Some(Route::UpdateGroup(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::DELETE_GROUP, |p| Some(Route::DeleteGroup(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::ADD_FILE_TO_GROUP, |p| Some(Route::GroupFile { network: network(&p(0))?, group: decoded(&p(1)), file: decoded(&p(2)), add: true })),
    Serve(&m::REMOVE_FILE_FROM_GROUP, |p| Some(Route::GroupFile { network: network(&p(0))?, group: decoded(&p(1)), file: decoded(&p(2)), add: false })),
    Serve(&m::PIN_BY_CID, |_| Some(Route::PinByCid)),
    Serve(&m::LIST_PIN_QUEUE, |_| Some(Route::PinQueue)),
    Serve(&m::CANCEL_PIN_BY_CID, |p| Some(Route::CancelPinByCid(decoded(&p(0))))),
    Serve(&m::CREATE_LEGACY_GROUP, |_| Some(Route::LegacyCreateGroup)),
    Serve(&m::LIST_LEGACY_GROUPS, |_| Some(Route::LegacyListGroups)),
    Serve(&m::GET_LEGACY_GROUP, |p| Some(Route::LegacyGetGroup(decoded(&p(0))))),
    Serve(&m::RENAME_LEGACY_GROUP, |p| Some(Route::LegacyRenameGroup(decoded(&p(0))))),
    Serve(&m::DELETE_LEGACY_GROUP, |p| Some(Route::LegacyDeleteGroup(decoded(&p(0))))),
    Serve(&m::ADD_TO_LEGACY_GROUP, |p| Some(Route::LegacyGroupCids(decoded(&p(0)), true))),
    Serve(&m::REMOVE_FROM_LEGACY_GROUP, |p| Some(Route::LegacyGroupCids(decoded(&p(0)), false))),
    Serve(&m::PIN_FILE, |_| Some(Route::PinFile)),
    Serve(&m::PIN_JSON, |_| Some(Route::PinJson)),
    Serve(&m::PIN_BY_HASH, |_| Some(Route::PinByHash)),
    Serve(&m::LIST_PIN_JOBS, |_| Some(Route::PinJobs)),
    Serve(&m::UPDATE_PIN_METADATA, |_| Some(Route::HashMetadata)),
    Serve(&m::UNPIN, |p| Some(Route::Unpin(decoded(&p(0))))),
    Serve(&m::GATEWAY_IPFS, |p| Some(Route::Gateway(p(0)))),
    Serve(&m::GATEWAY_FILES, |p| Some(Route::PrivateGateway(p(0)))),
    // `POST /v3/files`: a multipart upload, or with `Upload-Length` a resumable upload's
    // creation (`Route::for_request` looks at the header).
    Serve(&m::UPLOAD_FILE, |_| Some(Route::UploadFiles)),
    Via(&m::TUS_CREATE, &m::UPLOAD_FILE),
    Serve(&m::SIGN, |_| Some(Route::SignFiles)),
    Serve(&m::CREATE_DOWNLOAD_LINK, |_| Some(Route::DownloadLink)),
    Serve(&m::TUS_OPTIONS, |_| Some(Route::TusOptions)),
    // One segment after `/v3/files`: a network to list, or the id of a signed upload URL.
    Serve(&m::LIST_FILES, |p| Some(Route::ListFiles(network(&p(0))?))),
    Serve(&m::SIGNED_UPLOAD, |p| Some(Route::SignedUpload(decoded(&p(0))))),
    Via(&m::TUS_SIGNED_CREATE, &m::SIGNED_UPLOAD),
    // Two segments after `/v3/files`: a network and a file id, or a resumable upload's file id and
    // token (a UUID is never `public` or `private`, so a DELETE tells them apart).
    Serve(&m::GET_FILE, |p| Some(Route::GetFile(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::UPDATE_FILE, |p| Some(Route::UpdateFile(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::DELETE_FILE, |p| Some(match network(&p(0)) {
        Some(n) => Route::DeleteFile(n, decoded(&p(1))),
        None => Route::TusTerminate(decoded(&p(0)), decoded(&p(1))),
    })),
    Via(&m::TUS_TERMINATE, &m::DELETE_FILE),
    Serve(&m::TUS_HEAD, |p| Some(Route::TusHead(decoded(&p(0)), decoded(&p(1))))),
    Serve(&m::TUS_PATCH, |p| Some(Route::TusPatch(decoded(&p(0)), decoded(&p(1))))),
    Serve(&m::ADD_SWAP, |p| Some(Route::AddSwap(network(&p(0))?, decoded(&p(1)), SwapPaths::Files))),
    Serve(&m::SWAP_HISTORY, |p| Some(Route::SwapHistory(network(&p(0))?, decoded(&p(1)), SwapPaths::Files))),
    Serve(&m::DELETE_SWAP, |p| Some(Route::DeleteSwap(network(&p(0))?, decoded(&p(1)), SwapPaths::Files))),
    Serve(&m::ADD_SIGNATURE, |p| Some(Route::AddSignature(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::GET_SIGNATURE, |p| Some(Route::GetSignature(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::DELETE_SIGNATURE, |p| Some(Route::DeleteSignature(network(&p(0))?, decoded(&p(1))))),
    Serve(&m::ADD_SWAP_IPFS, |p| Some(Route::AddSwap(Network::Public, decoded(&p(0)), SwapPaths::Ipfs))),
    Serve(&m::SWAP_HISTORY_IPFS, |p| Some(Route::SwapHistory(Network::Public, decoded(&p(0)), SwapPaths::Ipfs))),
    Serve(&m::DELETE_SWAP_IPFS, |p| Some(Route::DeleteSwap(Network::Public, decoded(&p(0)), SwapPaths::Ipfs))),
    Serve(&m::ADD_SIGNATURE_IPFS, |p| Some(Route::AddSignature(Network::Public, decoded(&p(0))))),
    Serve(&m::GET_SIGNATURE_IPFS, |p| Some(Route::GetSignature(Network::Public, decoded(&p(0))))),
    Serve(&m::DELETE_SIGNATURE_IPFS, |p| Some(Route::DeleteSignature(Network::Public, decoded(&p(0))))),
    Serve(&m::LIST_GATEWAYS, |_| Some(Route::ListGateways)),
    Serve(&m::LIST_PSA_PINS, |_| Some(Route::PsaList)),
    Serve(&m::ADD_PSA_PIN, |_| Some(Route::PsaAdd)),
    Serve(&m::GET_PSA_PIN, |p| Some(Route::PsaGet(decoded(&p(0))))),
    Serve(&m::REPLACE_PSA_PIN, |p| Some(Route::PsaReplace(decoded(&p(0))))),
    Serve(&m::REMOVE_PSA_PIN, |p| Some(Route::PsaRemove(decoded(&p(0))))),
];

/// The emulator's own control surface (`/emulator/*`), which is not Pinata's API: its rows are
/// written here (the one deliberate exception to the core's metadata).
#[rustfmt::skip]
const CONTROL: &[(&str, Method, Make)] = &[
    ("/emulator/faults", Method::POST, |_| Some(Route::Faults)),
    ("/emulator/faults", Method::GET, |_| Some(Route::Faults)),
    ("/emulator/faults", Method::DELETE, |_| Some(Route::Faults)),
    ("/emulator/rate_limit", Method::PUT, |_| Some(Route::RateLimit)),
    ("/emulator/rate_limit", Method::DELETE, |_| Some(Route::RateLimit)),
    ("/emulator/health", Method::GET, |_| Some(Route::Health)),
    ("/emulator/reset", Method::POST, |_| Some(Route::Reset)),
    ("/emulator/requests", Method::GET, |_| Some(Route::Requests)),
    ("/emulator/requests", Method::DELETE, |_| Some(Route::Requests)),
];

/// A template as the router matches it: lower-cased (the API matches paths without regard to
/// case), each `{name}` replaced by its position (`{p0}`, `{p1}`…: templates of different
/// endpoints name the same segment differently, which matchit refuses), `{*name}` likewise.
fn router_template(template: &str) -> String {
    let mut position = 0;
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with("{*") {
                format!("{{*p{position}}}")
            } else if segment.starts_with('{') {
                position += 1;
                format!("{{p{}}}", position - 1)
            } else {
                segment.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every `(template, method, make)` the router serves: the API's from the core's metadata, then
/// the control surface's.
fn rows() -> impl Iterator<Item = (String, Method, Make)> {
    let api = TABLE.iter().filter_map(|row| match row {
        Serve(meta, make) => Some((meta, *make)),
        Via(..) => None,
    });
    api.flat_map(|(meta, make)| {
        meta.paths
            .iter()
            .map(move |path| (router_template(path), meta.method.clone(), make))
    })
    .chain(
        CONTROL
            .iter()
            .map(|(path, method, make)| (router_template(path), method.clone(), *make)),
    )
}

/// The table as a router: each path with the routes of its methods.
fn router() -> &'static matchit::Router<Vec<(Method, Make)>> {
    static ROUTER: OnceLock<matchit::Router<Vec<(Method, Make)>>> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let mut paths: Vec<(String, Vec<(Method, Make)>)> = Vec::new();
        for (path, method, make) in rows() {
            match paths.iter_mut().find(|(p, _)| *p == path) {
                Some((_, methods)) => methods.push((method, make)),
                None => paths.push((path, vec![(method, make)])),
            }
        }
        let mut router = matchit::Router::new();
        for (path, methods) in paths {
            // Invariant: the table is a constant whose paths do not conflict; a unit test builds it.
            #[allow(clippy::expect_used)]
            router
                .insert(path, methods)
                .expect("the route table has no conflicting paths");
        }
        router
    })
}

impl Route {
    /// The route for `method` and `path`, or `None` (a JSON 404).
    pub(crate) fn find(method: &Method, path: &str) -> Option<Route> {
        // Express's defaults: routes match case-insensitively, with or without one trailing slash.
        let trimmed = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        // ASCII lower-casing keeps every byte where it was, so a parameter found in `lower` is at
        // the same offsets in `trimmed`.
        let mut lower = trimmed.to_ascii_lowercase();
        // Clients configured with a `…/v3` base (the official `pinata` SDK's `endpointUrl`) send the
        // legacy `/data/*` paths under `/v3`; accept both.
        let trimmed = if lower.starts_with("/v3/data/") {
            lower.drain(..3);
            &trimmed[3..]
        } else {
            trimmed
        };
        let matched = router().at(&lower).ok()?;
        let (_, make) = matched.value.iter().find(|(m, _)| m == method)?;
        let param = |position: usize| {
            let name = format!("p{position}");
            matched
                .params
                .get(name.as_str())
                .map(|value| {
                    let start = value.as_ptr() as usize - lower.as_ptr() as usize;
                    trimmed[start..start + value.len()].to_owned()
                })
                .unwrap_or_default()
        };
        let route = make(&param)?;
        // A path parameter is one whole segment, never empty.
        match &route {
            Route::Unpin(v)
            | Route::RevokeKeyInPath(v)
            | Route::Gateway(v)
            | Route::PrivateGateway(v)
            | Route::SignedUpload(v)
                if v.is_empty() =>
            {
                None
            }
            _ => Some(route),
        }
    }

    /// The route for a request: [`Route::find`], with what the headers add. A `POST` with
    /// `Upload-Length` (or `Upload-Defer-Length`, refused later) to `/v3/files` or a signed URL is
    /// a resumable upload's creation, any other stays a multipart upload; and a `POST` with
    /// `X-HTTP-Method-Override` (which TUS servers honour, for clients behind proxies that pass
    /// only GET and POST) to an upload's URL is the method it names.
    pub(crate) fn for_request(
        method: &Method,
        path: &str,
        headers: &http::HeaderMap,
    ) -> Option<Route> {
        if method == Method::POST
            && let Some(named) = headers
                .get("x-http-method-override")
                .and_then(|v| Method::from_bytes(v.as_bytes()).ok())
            && let Some(
                route @ (Route::TusHead(..) | Route::TusPatch(..) | Route::TusTerminate(..)),
            ) = Route::find(&named, path)
        {
            return Some(route);
        }
        let tus =
            headers.contains_key("upload-length") || headers.contains_key("upload-defer-length");
        Some(match Route::find(method, path)? {
            Route::UploadFiles if tus => Route::TusCreate,
            Route::SignedUpload(id) if tus => Route::TusSignedCreate(id),
            other => other,
        })
    }

    /// The route's entry in the core's endpoint metadata; `None` for the emulator's own control
    /// surface. One arm per route: a new route does not compile until it is given one.
    pub(crate) fn metadata(&self) -> Option<&'static EndpointMetadata> {
        Some(match self {
            Route::TestAuthentication => &m::TEST_AUTHENTICATION,
            Route::CreateKey(KeyPaths::Legacy) => &m::CREATE_KEY,
            Route::CreateKey(KeyPaths::V3) => &m::CREATE_KEY_V3,
            Route::ListKeys(KeyPaths::Legacy) => &m::LIST_KEYS,
            Route::ListKeys(KeyPaths::V3) => &m::LIST_KEYS_V3,
            Route::RevokeKeyInBody => &m::REVOKE_KEY,
            // Both v3 revocations (`PUT /v3/pinata/keys/{key}`, `DELETE /v3/api_keys/{key}`) have
            // the same facts.
            Route::RevokeKeyInPath(_) => &m::REVOKE_KEY_V3,
            Route::PinFile => &m::PIN_FILE,
            Route::PinJson => &m::PIN_JSON,
            Route::PinByHash => &m::PIN_BY_HASH,
            Route::PinJobs => &m::LIST_PIN_JOBS,
            Route::HashMetadata => &m::UPDATE_PIN_METADATA,
            Route::Unpin(_) => &m::UNPIN,
            Route::PinList => &m::LIST_PINS,
            Route::Usage => &m::USER_PINNED_DATA_TOTAL,
            Route::Gateway(_) => &m::GATEWAY_IPFS,
            Route::PrivateGateway(_) => &m::GATEWAY_FILES,
            Route::Faults | Route::RateLimit | Route::Health | Route::Reset | Route::Requests => {
                return None;
            }
            Route::CreateGroup(_) => &m::CREATE_GROUP,
            Route::ListGroups(_) => &m::LIST_GROUPS,
            Route::GetGroup(..) => &m::GET_GROUP,
            Route::UpdateGroup(..) => &m::UPDATE_GROUP,
            Route::DeleteGroup(..) => &m::DELETE_GROUP,
            Route::PinByCid => &m::PIN_BY_CID,
            Route::PinQueue => &m::LIST_PIN_QUEUE,
            Route::CancelPinByCid(_) => &m::CANCEL_PIN_BY_CID,
            Route::LegacyCreateGroup => &m::CREATE_LEGACY_GROUP,
            Route::LegacyListGroups => &m::LIST_LEGACY_GROUPS,
            Route::LegacyGetGroup(_) => &m::GET_LEGACY_GROUP,
            Route::LegacyRenameGroup(_) => &m::RENAME_LEGACY_GROUP,
            Route::LegacyDeleteGroup(_) => &m::DELETE_LEGACY_GROUP,
            Route::LegacyGroupCids(_, true) => &m::ADD_TO_LEGACY_GROUP,
            Route::LegacyGroupCids(_, false) => &m::REMOVE_FROM_LEGACY_GROUP,
            Route::UploadFiles => &m::UPLOAD_FILE,
            Route::SignedUpload(_) => &m::SIGNED_UPLOAD,
            Route::TusCreate => &m::TUS_CREATE,
            Route::TusSignedCreate(_) => &m::TUS_SIGNED_CREATE,
            Route::TusOptions => &m::TUS_OPTIONS,
            Route::TusHead(..) => &m::TUS_HEAD,
            Route::TusPatch(..) => &m::TUS_PATCH,
            Route::TusTerminate(..) => &m::TUS_TERMINATE,
            Route::ListFiles(_) => &m::LIST_FILES,
            Route::GetFile(..) => &m::GET_FILE,
            Route::UpdateFile(..) => &m::UPDATE_FILE,
            Route::DeleteFile(..) => &m::DELETE_FILE,
            Route::GroupFile { add: true, .. } => &m::ADD_FILE_TO_GROUP,
            Route::GroupFile { add: false, .. } => &m::REMOVE_FILE_FROM_GROUP,
            Route::SignFiles => &m::SIGN,
            Route::DownloadLink => &m::CREATE_DOWNLOAD_LINK,
            Route::AddSwap(_, _, SwapPaths::Files) => &m::ADD_SWAP,
            Route::AddSwap(_, _, SwapPaths::Ipfs) => &m::ADD_SWAP_IPFS,
            Route::SwapHistory(_, _, SwapPaths::Files) => &m::SWAP_HISTORY,
            Route::SwapHistory(_, _, SwapPaths::Ipfs) => &m::SWAP_HISTORY_IPFS,
            Route::DeleteSwap(_, _, SwapPaths::Files) => &m::DELETE_SWAP,
            Route::DeleteSwap(_, _, SwapPaths::Ipfs) => &m::DELETE_SWAP_IPFS,
            // The `/v3/ipfs` signature paths hold the same facts as the `/v3/files` ones.
            Route::AddSignature(..) => &m::ADD_SIGNATURE,
            Route::GetSignature(..) => &m::GET_SIGNATURE,
            Route::DeleteSignature(..) => &m::DELETE_SIGNATURE,
            Route::ListGateways => &m::LIST_GATEWAYS,
            Route::PsaList => &m::LIST_PSA_PINS,
            Route::PsaAdd => &m::ADD_PSA_PIN,
            Route::PsaGet(_) => &m::GET_PSA_PIN,
            Route::PsaReplace(_) => &m::REPLACE_PSA_PIN,
            Route::PsaRemove(_) => &m::REMOVE_PSA_PIN,
        })
    }

    /// What the calling key must hold: the core's entry says; the control surface is admin only,
    /// but for its health check, which is public (as MinIO's and LocalStack's).
    pub(crate) fn requirement(&self) -> Requirement {
        match (self.metadata(), self) {
            (Some(meta), _) => meta.access,
            (None, Route::Health) => Access::Public,
            (None, _) => Access::Admin,
        }
    }

    /// The emulator's own control surface (`/emulator/*`): answered in `api/control.rs`, never
    /// faulted, rate-limited or journaled.
    pub(crate) fn is_control(&self) -> bool {
        self.metadata().is_none()
    }

    /// A resumable upload's request after its creation, whose path ends with its token (its
    /// capability).
    pub(crate) fn has_token(&self) -> bool {
        self.metadata()
            .is_some_and(|meta| meta.paths.iter().any(|p| p.ends_with("{token}")))
    }

    /// Routes whose body is streamed to disk rather than read into memory: uploads, and a
    /// resumable upload's creation (whose first bytes may ride along).
    pub(crate) fn streams_body(&self) -> bool {
        self.metadata().is_some_and(|meta| {
            matches!(meta.body, BodyKind::Upload)
                || meta.family == Family::V3 && meta.body == BodyKind::TusChunk
        })
    }

    /// The v3 API, documented with Bearer authentication only (the core's metadata test holds
    /// every v3 entry to `AuthSchemes::Bearer`; the Pinning Service API is Bearer only too, and
    /// answers its own way, [`Route::is_psa`]).
    pub(crate) fn is_v3(&self) -> bool {
        self.metadata()
            .is_some_and(|meta| meta.family == Family::V3)
    }

    /// Whether the route's body is JSON (parsed before the handler; a malformed one is a 400).
    pub(crate) fn takes_json(&self) -> bool {
        self.metadata()
            .is_some_and(|meta| matches!(meta.body, BodyKind::Json { .. }))
    }

    /// The Pinning Service API (`/psa/pins…`): Bearer only, answered as `--psa-mode` says.
    pub(crate) fn is_psa(&self) -> bool {
        self.metadata()
            .is_some_and(|meta| meta.family == Family::Psa)
    }

    /// The largest body the route reads into memory.
    pub(crate) fn body_limit(&self) -> usize {
        match self.metadata().map(|meta| meta.body) {
            Some(BodyKind::Json { limit }) => limit,
            _ => MAX_JSON_BODY,
        }
    }
}

/// A `{network}` segment: `public` or `private`, in any case.
fn network(segment: &str) -> Option<Network> {
    Network::parse(&segment.to_ascii_lowercase())
}

/// A path parameter, percent-decoded.
fn decoded(text: &str) -> String {
    Query::parse(&format!("k={text}"))
        .pop()
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pinata_core::api::keys::ResourceScope;

    /// `template` with each parameter filled: a network where it says so, else a sample value.
    fn filled(template: &str) -> String {
        template
            .split('/')
            .map(|segment| match segment {
                "{network}" => "public",
                s if s.starts_with("{*") => "bafy/x.txt",
                s if s.starts_with('{') => "x1",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The facts a route is served by.
    fn facts(meta: &EndpointMetadata) -> (Access, AuthSchemes, BodyKind, Family) {
        (meta.access, meta.auth, meta.body, meta.family)
    }

    /// Every endpoint of the core is in the table exactly once, served by a row of its own or
    /// through another's; every path of every row reaches a route served by the row's facts.
    #[test]
    fn the_table_and_the_core_s_endpoints_are_one_to_one() {
        for meta in m::ENDPOINTS.iter() {
            let rows = TABLE
                .iter()
                .filter(|row| match row {
                    Serve(m, _) | Via(m, _) => std::ptr::eq(*m, *meta),
                })
                .count();
            assert_eq!(rows, 1, "{} is in {rows} rows", meta.name);
        }
        for row in TABLE {
            let meta = match row {
                Serve(meta, _) => meta,
                Via(meta, by) => {
                    assert!(
                        TABLE
                            .iter()
                            .any(|r| matches!(r, Serve(m, _) if std::ptr::eq(*m, *by))),
                        "{} is served through {}, which has no row",
                        meta.name,
                        by.name
                    );
                    assert_eq!(meta.method, by.method, "{}", meta.name);
                    continue;
                }
            };
            assert!(
                m::ENDPOINTS.iter().any(|e| std::ptr::eq(*e, *meta)),
                "{} is not among the core's endpoints",
                meta.name
            );
            for template in meta.paths {
                let path = filled(template);
                let route = Route::find(&meta.method, &path).unwrap_or_else(|| {
                    panic!("{} {path} ({}) is not served", meta.method, meta.name)
                });
                let served = route.metadata().expect("an API route");
                assert_eq!(facts(served), facts(meta), "{} {path}", meta.method);
            }
        }
        // The header-told routes: `Upload-Length` makes the creation of a resumable upload.
        let mut tus = http::HeaderMap::new();
        tus.insert("upload-length", http::HeaderValue::from_static("10"));
        let create = Route::for_request(&Method::POST, "/v3/files", &tus).unwrap();
        assert!(std::ptr::eq(create.metadata().unwrap(), &m::TUS_CREATE));
        let signed = Route::for_request(&Method::POST, "/v3/files/abc", &tus).unwrap();
        assert!(std::ptr::eq(
            signed.metadata().unwrap(),
            &m::TUS_SIGNED_CREATE
        ));
        let terminate = Route::find(&Method::DELETE, "/v3/files/9f1c/0a1b").unwrap();
        assert!(std::ptr::eq(
            terminate.metadata().unwrap(),
            &m::TUS_TERMINATE
        ));
    }

    #[test]
    fn control_routes_are_the_only_ones_without_metadata() {
        for (path, method, _) in CONTROL {
            let route = Route::find(method, path).unwrap();
            assert!(route.is_control(), "{path}");
            let expected = if *path == "/emulator/health" {
                Access::Public
            } else {
                Access::Admin
            };
            assert_eq!(route.requirement(), expected, "{path}");
        }
    }

    #[test]
    fn routes_match_like_express() {
        let t = Some(Route::TestAuthentication);
        assert_eq!(Route::find(&Method::GET, "/data/testAuthentication"), t);
        assert_eq!(Route::find(&Method::GET, "/data/testauthentication/"), t);
        assert_eq!(Route::find(&Method::GET, "/v3/data/testAuthentication"), t);
        assert_eq!(Route::find(&Method::POST, "/data/testAuthentication"), None);
        assert_eq!(
            Route::find(&Method::GET, "/data/testAuthentication//"),
            None
        );
        assert_eq!(
            Route::find(&Method::PUT, "/v3/pinata/keys/AbC%20d"),
            Some(Route::RevokeKeyInPath("AbC d".into()))
        );
        assert_eq!(
            Route::find(&Method::DELETE, "/V3/API_KEYS/Key1/"),
            Some(Route::RevokeKeyInPath("Key1".into()))
        );
        assert_eq!(Route::find(&Method::DELETE, "/v3/pinata/keys/k"), None);
        // The gateway list on the Go CLI's path and the spec's, read with the gateways scope.
        for path in ["/v3/ipfs/gateways", "/v3/gateways/", "/V3/Gateways"] {
            let route = Route::find(&Method::GET, path);
            assert_eq!(route, Some(Route::ListGateways), "{path}");
        }
        assert_eq!(
            Route::ListGateways.requirement(),
            Requirement::AdminOr(ResourceScope::GatewaysRead)
        );
        assert!(Route::ListGateways.is_v3());
        assert_eq!(Route::find(&Method::POST, "/v3/ipfs/gateways"), None);
    }

    #[test]
    fn the_table_builds_and_params_keep_their_case() {
        assert_eq!(
            Route::find(&Method::GET, "/IPFS/QmAbC/Dir/File.txt"),
            Some(Route::Gateway("QmAbC/Dir/File.txt".into()))
        );
        assert_eq!(
            Route::find(&Method::DELETE, "/pinning/unpin/QmAbC%2Fx"),
            Some(Route::Unpin("QmAbC/x".into()))
        );
        assert_eq!(Route::find(&Method::DELETE, "/pinning/unpin/a/b"), None);
        assert_eq!(Route::find(&Method::DELETE, "/pinning/unpin/"), None);
        assert_eq!(Route::find(&Method::GET, "/ipfs/"), None);
        assert_eq!(
            Route::find(&Method::DELETE, "/emulator/faults"),
            Some(Route::Faults)
        );
        assert_eq!(Route::find(&Method::PATCH, "/emulator/faults"), None);
        assert_eq!(
            Route::find(&Method::GET, "/Emulator/Health/"),
            Some(Route::Health)
        );
        assert_eq!(Route::Health.requirement(), Requirement::Public);
        for (m, route) in [
            (Method::POST, Route::Reset),
            (Method::GET, Route::Requests),
            (Method::DELETE, Route::Requests),
        ] {
            let path = match route {
                Route::Reset => "/emulator/reset",
                _ => "/emulator/requests",
            };
            assert_eq!(Route::find(&m, path), Some(route.clone()));
            assert_eq!(route.requirement(), Requirement::Admin);
            assert!(route.is_control());
        }
        assert_eq!(Route::find(&Method::GET, "/emulator/reset"), None);
        assert!(!Route::TestAuthentication.is_control());
        assert_eq!(Route::find(&Method::GET, "/nowhere"), None);
        assert_eq!(
            Route::find(&Method::PUT, "/v3/groups/Private/AbC"),
            Some(Route::UpdateGroup(Network::Private, "AbC".into()))
        );
        assert_eq!(Route::find(&Method::GET, "/v3/groups/elsewhere"), None);
    }

    #[test]
    fn v3_file_rows_match_and_static_segments_win() {
        use Network::{Private, Public};
        let find = |m: Method, p: &str| Route::find(&m, p);
        assert_eq!(find(Method::POST, "/v3/files"), Some(Route::UploadFiles));
        assert_eq!(find(Method::POST, "/V3/Files/"), Some(Route::UploadFiles));
        assert_eq!(find(Method::POST, "/v3/files/sign"), Some(Route::SignFiles));
        assert_eq!(find(Method::POST, "/v3/files/SIGN"), Some(Route::SignFiles));
        assert_eq!(
            find(Method::POST, "/v3/files/0190-AbC"),
            Some(Route::SignedUpload("0190-AbC".into())),
            "any other segment is a signed upload's id"
        );
        assert_eq!(
            find(Method::POST, "/v3/files/download_link"),
            Some(Route::DownloadLink)
        );
        assert_eq!(
            find(Method::POST, "/v3/files/private/download_link"),
            Some(Route::DownloadLink)
        );
        assert_eq!(
            find(Method::GET, "/v3/files/public"),
            Some(Route::ListFiles(Public))
        );
        assert_eq!(
            find(Method::GET, "/v3/files/Private/"),
            Some(Route::ListFiles(Private))
        );
        assert_eq!(find(Method::GET, "/v3/files/elsewhere"), None);
        assert_eq!(find(Method::GET, "/v3/files/sign"), None);
        assert_eq!(
            find(Method::GET, "/v3/files/private/Id1"),
            Some(Route::GetFile(Private, "Id1".into()))
        );
        assert_eq!(
            find(Method::PUT, "/v3/files/public/id"),
            Some(Route::UpdateFile(Public, "id".into()))
        );
        assert_eq!(
            find(Method::DELETE, "/v3/files/public/id"),
            Some(Route::DeleteFile(Public, "id".into()))
        );
        // The pin-by-CID queue keeps its static path; another id on the public network is a file.
        assert_eq!(
            find(Method::GET, "/v3/files/public/pin_by_cid"),
            Some(Route::PinQueue)
        );
        assert_eq!(
            find(Method::POST, "/v3/files/public/pin_by_cid"),
            Some(Route::PinByCid)
        );
        assert_eq!(
            find(Method::GET, "/v3/files/public/pin_by_cid_not"),
            Some(Route::GetFile(Public, "pin_by_cid_not".into()))
        );
        assert_eq!(
            find(Method::DELETE, "/v3/files/public/pin_by_cid/j"),
            Some(Route::CancelPinByCid("j".into()))
        );
        for (m, route) in [
            (
                Method::PUT,
                Route::AddSwap(Private, "bafyX".into(), SwapPaths::Files),
            ),
            (
                Method::GET,
                Route::SwapHistory(Private, "bafyX".into(), SwapPaths::Files),
            ),
            (
                Method::DELETE,
                Route::DeleteSwap(Private, "bafyX".into(), SwapPaths::Files),
            ),
        ] {
            assert_eq!(find(m, "/v3/files/private/swap/bafyX"), Some(route));
        }
        for (m, route) in [
            (
                Method::PUT,
                Route::AddSwap(Public, "Qm".into(), SwapPaths::Ipfs),
            ),
            (
                Method::GET,
                Route::SwapHistory(Public, "Qm".into(), SwapPaths::Ipfs),
            ),
            (
                Method::DELETE,
                Route::DeleteSwap(Public, "Qm".into(), SwapPaths::Ipfs),
            ),
        ] {
            assert_eq!(find(m, "/v3/ipfs/swap/Qm"), Some(route));
        }
        for (m, route) in [
            (Method::POST, Route::AddSignature(Public, "c".into())),
            (Method::GET, Route::GetSignature(Public, "c".into())),
            (Method::DELETE, Route::DeleteSignature(Public, "c".into())),
        ] {
            assert_eq!(
                find(m.clone(), "/v3/files/public/signature/c"),
                Some(route.clone())
            );
            assert_eq!(find(m, "/V3/IPFS/Signature/c"), Some(route));
        }
        assert_eq!(
            find(Method::PUT, "/v3/groups/public/G/ids/F"),
            Some(Route::GroupFile {
                network: Public,
                group: "G".into(),
                file: "F".into(),
                add: true
            })
        );
        assert_eq!(
            find(Method::DELETE, "/v3/groups/private/g/ids/f/"),
            Some(Route::GroupFile {
                network: Private,
                group: "g".into(),
                file: "f".into(),
                add: false
            })
        );
        assert_eq!(
            find(Method::GET, "/Files/bafyAbC/Dir/a.txt"),
            Some(Route::PrivateGateway("bafyAbC/Dir/a.txt".into()))
        );
        assert_eq!(find(Method::GET, "/files/"), None);
        assert_eq!(find(Method::POST, "/files/x"), None);
    }

    #[test]
    fn what_the_new_routes_require() {
        let read = Requirement::AdminOr(ResourceScope::FilesRead);
        let write = Requirement::AdminOr(ResourceScope::FilesWrite);
        assert_eq!(Route::UploadFiles.requirement(), write);
        assert_eq!(Route::ListFiles(Network::Public).requirement(), read);
        assert_eq!(Route::DownloadLink.requirement(), read);
        assert_eq!(Route::SignFiles.requirement(), write);
        for public in [
            Route::SignedUpload("u".into()),
            Route::PrivateGateway("c".into()),
            Route::Gateway("c".into()),
        ] {
            assert_eq!(public.requirement(), Requirement::Public, "{public:?}");
            assert!(!public.is_v3());
        }
        assert!(Route::UploadFiles.is_v3() && Route::UploadFiles.streams_body());
        assert!(Route::SignedUpload("u".into()).streams_body());
        assert!(Route::SignFiles.takes_json() && !Route::ListFiles(Network::Public).takes_json());
        assert_eq!(Route::TusCreate.requirement(), write);
        assert!(Route::TusCreate.is_v3() && Route::TusCreate.streams_body());
        for public in [
            Route::TusSignedCreate("u".into()),
            Route::TusOptions,
            Route::TusHead("f".into(), "t".into()),
            Route::TusPatch("f".into(), "t".into()),
            Route::TusTerminate("f".into(), "t".into()),
        ] {
            assert_eq!(public.requirement(), Requirement::Public, "{public:?}");
            assert!(!public.is_v3() && !public.streams_body(), "{public:?}");
        }
    }

    #[test]
    fn psa_rows_match_and_keep_the_request_id() {
        let find = |m: Method, p: &str| Route::find(&m, p);
        assert_eq!(find(Method::GET, "/psa/pins"), Some(Route::PsaList));
        assert_eq!(find(Method::POST, "/PSA/Pins/"), Some(Route::PsaAdd));
        assert_eq!(
            find(Method::GET, "/psa/pins/AbC-1"),
            Some(Route::PsaGet("AbC-1".into()))
        );
        assert_eq!(
            find(Method::POST, "/psa/pins/r"),
            Some(Route::PsaReplace("r".into()))
        );
        assert_eq!(
            find(Method::DELETE, "/psa/pins/r"),
            Some(Route::PsaRemove("r".into()))
        );
        assert_eq!(find(Method::PUT, "/psa/pins/r"), None);
        let read = Requirement::AdminOr(ResourceScope::FilesRead);
        let write = Requirement::AdminOr(ResourceScope::FilesWrite);
        assert_eq!(Route::PsaList.requirement(), read);
        assert_eq!(Route::PsaGet("r".into()).requirement(), read);
        assert_eq!(Route::PsaAdd.requirement(), write);
        assert_eq!(Route::PsaRemove("r".into()).requirement(), write);
        assert!(Route::PsaAdd.takes_json() && Route::PsaAdd.is_psa() && !Route::PsaAdd.is_v3());
    }

    #[test]
    fn tus_requests_are_told_apart_by_their_headers() {
        let mut tus = http::HeaderMap::new();
        tus.insert("upload-length", "5".parse().unwrap());
        let plain = http::HeaderMap::new();
        let find = |m: Method, p: &str, h: &http::HeaderMap| Route::for_request(&m, p, h);
        assert_eq!(
            find(Method::POST, "/v3/files", &tus),
            Some(Route::TusCreate)
        );
        assert_eq!(
            find(Method::POST, "/v3/files", &plain),
            Some(Route::UploadFiles)
        );
        assert_eq!(
            find(Method::POST, "/v3/files/abc", &tus),
            Some(Route::TusSignedCreate("abc".into()))
        );
        assert_eq!(
            find(Method::PATCH, "/v3/files/F-1/tok", &plain),
            Some(Route::TusPatch("F-1".into(), "tok".into()))
        );
        assert_eq!(
            find(Method::HEAD, "/v3/files/F-1/tok/", &plain),
            Some(Route::TusHead("F-1".into(), "tok".into()))
        );
        assert_eq!(
            find(Method::DELETE, "/v3/files/F-1/tok", &plain),
            Some(Route::TusTerminate("F-1".into(), "tok".into()))
        );
        assert_eq!(
            find(Method::DELETE, "/v3/files/Public/id", &plain),
            Some(Route::DeleteFile(Network::Public, "id".into())),
            "a network's file is still deleted"
        );
        for path in ["/v3/files", "/v3/files/abc", "/v3/files/f/t"] {
            assert_eq!(find(Method::OPTIONS, path, &plain), Some(Route::TusOptions));
        }
        let mut overridden = http::HeaderMap::new();
        overridden.insert("x-http-method-override", "PATCH".parse().unwrap());
        assert_eq!(
            find(Method::POST, "/v3/files/f/t", &overridden),
            Some(Route::TusPatch("f".into(), "t".into()))
        );
        overridden.insert("x-http-method-override", "GET".parse().unwrap());
        assert_eq!(
            find(Method::POST, "/v3/files/public", &overridden),
            Some(Route::SignedUpload("public".into())),
            "only TUS methods are overridden"
        );
    }
}
