//! The route table: every endpoint the emulator serves, as one list of (path, method, route),
//! matched by `matchit` (axum's router) with the real API's Express semantics laid over it: paths
//! match case-insensitively and with or without one trailing slash, parameters keep the case they
//! were sent in, and `/v3/data/*` is `/data/*` (clients configured with a `…/v3` base send it).
//!
//! What each route requires of the caller, and how its body is read, is said here too, so the
//! pipeline in `routes.rs` is written once for all of them.

use std::sync::OnceLock;

use http::Method;
use pinata_core::api::Network;
use pinata_core::api::keys::{EndpointPermission, ResourceScope};
use pinata_core::server::Query;

use crate::access::Requirement;
use crate::api::swaps::SwapPaths;

/// Largest JSON body accepted by the JSON endpoints.
pub(crate) const MAX_JSON_BODY: usize = 1024 * 1024;

/// Which generation of the key paths a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyPaths {
    /// `/users/*`.
    Legacy,
    /// `/v3/pinata/keys` (the SDKs) or `/v3/api_keys` (the 2025 docs).
    V3,
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

/// Makes the route from a match: `param(name)` is the parameter in the case it was sent in;
/// `None` when a parameter names nothing (an unknown network, say).
type Make = fn(&dyn Fn(&str) -> String) -> Option<Route>;

/// The table. Parameters in `{}` match one segment; `{*rest}` the rest of the path.
// One row per route: keep the table readable rather than rustfmt's one field per line.
#[rustfmt::skip]
const TABLE: &[(&str, Method, Make)] = &[
    ("/data/testauthentication", Method::GET, |_| Some(Route::TestAuthentication)),
    ("/data/pinlist", Method::GET, |_| Some(Route::PinList)),
    ("/data/userpinneddatatotal", Method::GET, |_| Some(Route::Usage)),
    ("/users/generateapikey", Method::POST, |_| Some(Route::CreateKey(KeyPaths::Legacy))),
    ("/users/apikeys", Method::GET, |_| Some(Route::ListKeys(KeyPaths::Legacy))),
    ("/users/revokeapikey", Method::PUT, |_| Some(Route::RevokeKeyInBody)),
    ("/v3/pinata/keys", Method::POST, |_| Some(Route::CreateKey(KeyPaths::V3))),
    ("/v3/pinata/keys", Method::GET, |_| Some(Route::ListKeys(KeyPaths::V3))),
    ("/v3/pinata/keys/{key}", Method::PUT, |p| Some(Route::RevokeKeyInPath(decoded(&p("key"))))),
    ("/v3/api_keys", Method::POST, |_| Some(Route::CreateKey(KeyPaths::V3))),
    ("/v3/api_keys", Method::GET, |_| Some(Route::ListKeys(KeyPaths::V3))),
    ("/v3/api_keys/{key}", Method::DELETE, |p| Some(Route::RevokeKeyInPath(decoded(&p("key"))))),
    ("/v3/groups/{network}", Method::POST, |p| Some(Route::CreateGroup(network(p)?))),
    ("/v3/groups/{network}", Method::GET, |p| Some(Route::ListGroups(network(p)?))),
    ("/v3/groups/{network}/{id}", Method::GET, |p| Some(Route::GetGroup(network(p)?, decoded(&p("id"))))),
    ("/v3/groups/{network}/{id}", Method::PUT, |p| Some(Route::UpdateGroup(network(p)?, decoded(&p("id"))))),
    ("/v3/groups/{network}/{id}", Method::DELETE, |p| Some(Route::DeleteGroup(network(p)?, decoded(&p("id"))))),
    ("/v3/files/public/pin_by_cid", Method::POST, |_| Some(Route::PinByCid)),
    ("/v3/files/public/pin_by_cid", Method::GET, |_| Some(Route::PinQueue)),
    ("/v3/files/public/pin_by_cid/{id}", Method::DELETE, |p| Some(Route::CancelPinByCid(decoded(&p("id"))))),
    ("/groups", Method::POST, |_| Some(Route::LegacyCreateGroup)),
    ("/groups", Method::GET, |_| Some(Route::LegacyListGroups)),
    ("/groups/{id}", Method::GET, |p| Some(Route::LegacyGetGroup(decoded(&p("id"))))),
    ("/groups/{id}", Method::PUT, |p| Some(Route::LegacyRenameGroup(decoded(&p("id"))))),
    ("/groups/{id}", Method::DELETE, |p| Some(Route::LegacyDeleteGroup(decoded(&p("id"))))),
    ("/groups/{id}/cids", Method::PUT, |p| Some(Route::LegacyGroupCids(decoded(&p("id")), true))),
    ("/groups/{id}/cids", Method::DELETE, |p| Some(Route::LegacyGroupCids(decoded(&p("id")), false))),
    ("/pinning/pinfiletoipfs", Method::POST, |_| Some(Route::PinFile)),
    ("/pinning/pinjsontoipfs", Method::POST, |_| Some(Route::PinJson)),
    ("/pinning/pinbyhash", Method::POST, |_| Some(Route::PinByHash)),
    ("/pinning/pinjobs", Method::GET, |_| Some(Route::PinJobs)),
    ("/pinning/hashmetadata", Method::PUT, |_| Some(Route::HashMetadata)),
    ("/pinning/unpin/{cid}", Method::DELETE, |p| Some(Route::Unpin(decoded(&p("cid"))))),
    ("/ipfs/{*rest}", Method::GET, |p| Some(Route::Gateway(p("rest")))),
    ("/v3/files", Method::POST, |_| Some(Route::UploadFiles)),
    ("/v3/files", Method::OPTIONS, |_| Some(Route::TusOptions)),
    ("/v3/files/sign", Method::POST, |_| Some(Route::SignFiles)),
    ("/v3/files/download_link", Method::POST, |_| Some(Route::DownloadLink)),
    ("/v3/files/private/download_link", Method::POST, |_| Some(Route::DownloadLink)),
    // One segment after `/v3/files`: a network to list, or the id of a signed upload URL (one
    // parameter name, as matchit wants for one position).
    ("/v3/files/{network}", Method::GET, |p| Some(Route::ListFiles(network(p)?))),
    ("/v3/files/{network}", Method::POST, |p| Some(Route::SignedUpload(decoded(&p("network"))))),
    ("/v3/files/{network}", Method::OPTIONS, |_| Some(Route::TusOptions)),
    // Two segments after `/v3/files`: a network and a file id, or a resumable upload's file id and
    // token (a UUID is never `public` or `private`, so a DELETE tells them apart).
    ("/v3/files/{network}/{id}", Method::GET, |p| Some(Route::GetFile(network(p)?, decoded(&p("id"))))),
    ("/v3/files/{network}/{id}", Method::PUT, |p| Some(Route::UpdateFile(network(p)?, decoded(&p("id"))))),
    ("/v3/files/{network}/{id}", Method::DELETE, |p| Some(match network(p) {
        Some(n) => Route::DeleteFile(n, decoded(&p("id"))),
        None => Route::TusTerminate(decoded(&p("network")), decoded(&p("id"))),
    })),
    ("/v3/files/{network}/{id}", Method::HEAD, |p| Some(Route::TusHead(decoded(&p("network")), decoded(&p("id"))))),
    ("/v3/files/{network}/{id}", Method::PATCH, |p| Some(Route::TusPatch(decoded(&p("network")), decoded(&p("id"))))),
    ("/v3/files/{network}/{id}", Method::OPTIONS, |_| Some(Route::TusOptions)),
    ("/v3/files/{network}/swap/{cid}", Method::PUT, |p| Some(Route::AddSwap(network(p)?, decoded(&p("cid")), SwapPaths::Files))),
    ("/v3/files/{network}/swap/{cid}", Method::GET, |p| Some(Route::SwapHistory(network(p)?, decoded(&p("cid")), SwapPaths::Files))),
    ("/v3/files/{network}/swap/{cid}", Method::DELETE, |p| Some(Route::DeleteSwap(network(p)?, decoded(&p("cid")), SwapPaths::Files))),
    ("/v3/files/{network}/signature/{cid}", Method::POST, |p| Some(Route::AddSignature(network(p)?, decoded(&p("cid"))))),
    ("/v3/files/{network}/signature/{cid}", Method::GET, |p| Some(Route::GetSignature(network(p)?, decoded(&p("cid"))))),
    ("/v3/files/{network}/signature/{cid}", Method::DELETE, |p| Some(Route::DeleteSignature(network(p)?, decoded(&p("cid"))))),
    ("/v3/ipfs/swap/{cid}", Method::PUT, |p| Some(Route::AddSwap(Network::Public, decoded(&p("cid")), SwapPaths::Ipfs))),
    ("/v3/ipfs/swap/{cid}", Method::GET, |p| Some(Route::SwapHistory(Network::Public, decoded(&p("cid")), SwapPaths::Ipfs))),
    ("/v3/ipfs/swap/{cid}", Method::DELETE, |p| Some(Route::DeleteSwap(Network::Public, decoded(&p("cid")), SwapPaths::Ipfs))),
    ("/v3/ipfs/signature/{cid}", Method::POST, |p| Some(Route::AddSignature(Network::Public, decoded(&p("cid"))))),
    ("/v3/ipfs/signature/{cid}", Method::GET, |p| Some(Route::GetSignature(Network::Public, decoded(&p("cid"))))),
    ("/v3/ipfs/signature/{cid}", Method::DELETE, |p| Some(Route::DeleteSignature(Network::Public, decoded(&p("cid"))))),
    ("/v3/groups/{network}/{id}/ids/{file}", Method::PUT, |p| Some(Route::GroupFile { network: network(p)?, group: decoded(&p("id")), file: decoded(&p("file")), add: true })),
    ("/v3/groups/{network}/{id}/ids/{file}", Method::DELETE, |p| Some(Route::GroupFile { network: network(p)?, group: decoded(&p("id")), file: decoded(&p("file")), add: false })),
    ("/v3/ipfs/gateways", Method::GET, |_| Some(Route::ListGateways)),
    ("/v3/gateways", Method::GET, |_| Some(Route::ListGateways)),
    ("/psa/pins", Method::GET, |_| Some(Route::PsaList)),
    ("/psa/pins", Method::POST, |_| Some(Route::PsaAdd)),
    ("/psa/pins/{id}", Method::GET, |p| Some(Route::PsaGet(decoded(&p("id"))))),
    ("/psa/pins/{id}", Method::POST, |p| Some(Route::PsaReplace(decoded(&p("id"))))),
    ("/psa/pins/{id}", Method::DELETE, |p| Some(Route::PsaRemove(decoded(&p("id"))))),
    ("/files/{*rest}", Method::GET, |p| Some(Route::PrivateGateway(p("rest")))),
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

/// The table as a router: each path with the routes of its methods.
fn router() -> &'static matchit::Router<Vec<(Method, Make)>> {
    static ROUTER: OnceLock<matchit::Router<Vec<(Method, Make)>>> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let mut paths: Vec<(&str, Vec<(Method, Make)>)> = Vec::new();
        for (path, method, make) in TABLE {
            match paths.iter_mut().find(|(p, _)| p == path) {
                Some((_, methods)) => methods.push((method.clone(), *make)),
                None => paths.push((path, vec![(method.clone(), *make)])),
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
        let param = |name: &str| {
            matched
                .params
                .get(name)
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

    /// The permission table: what the calling key must hold.
    pub(crate) fn requirement(&self) -> Requirement {
        match self {
            Route::TestAuthentication => Requirement::Authenticated,
            Route::CreateKey(KeyPaths::Legacy)
            | Route::ListKeys(KeyPaths::Legacy)
            | Route::RevokeKeyInBody => Requirement::Admin,
            // The v3 spec annotates key management with `org:write` (listing: the read scope,
            // which `org:write` implies) — an inference from the spec's scope annotations.
            Route::ListKeys(KeyPaths::V3) => Requirement::AdminOrResource(ResourceScope::OrgRead),
            Route::CreateKey(KeyPaths::V3) | Route::RevokeKeyInPath(_) => {
                Requirement::AdminOrResource(ResourceScope::OrgWrite)
            }
            Route::PinFile => Requirement::Endpoint(EndpointPermission::PinFileToIpfs),
            Route::PinJson => Requirement::Endpoint(EndpointPermission::PinJsonToIpfs),
            Route::PinByHash => Requirement::Endpoint(EndpointPermission::PinByHash),
            Route::PinJobs => Requirement::Endpoint(EndpointPermission::PinJobs),
            Route::HashMetadata => Requirement::Endpoint(EndpointPermission::HashMetadata),
            Route::Unpin(_) => Requirement::Endpoint(EndpointPermission::Unpin),
            Route::PinList => Requirement::Endpoint(EndpointPermission::PinList),
            Route::Usage => Requirement::Endpoint(EndpointPermission::UserPinnedDataTotal),
            // The gateway is public: it is not an API endpoint and takes no credentials. A signed
            // URL's signature is its grant.
            Route::Gateway(_) | Route::PrivateGateway(_) | Route::SignedUpload(_) => {
                Requirement::Public
            }
            // After its creation, a resumable upload's URL (its token) is its capability; OPTIONS
            // says what is served, to anyone.
            Route::TusSignedCreate(_)
            | Route::TusOptions
            | Route::TusHead(..)
            | Route::TusPatch(..)
            | Route::TusTerminate(..) => Requirement::Public,
            // A liveness URL needs no credentials (as MinIO's and LocalStack's).
            Route::Health => Requirement::Public,
            // Legacy groups have no endpoint permission of their own, and keys scoped with v3
            // resources cannot use the legacy API: admin keys only (emulator's choice).
            Route::Faults
            | Route::RateLimit
            | Route::Reset
            | Route::Requests
            | Route::LegacyCreateGroup
            | Route::LegacyListGroups
            | Route::LegacyGetGroup(_)
            | Route::LegacyRenameGroup(_)
            | Route::LegacyDeleteGroup(_)
            | Route::LegacyGroupCids(..) => Requirement::Admin,
            Route::ListGroups(_) | Route::GetGroup(..) => {
                Requirement::AdminOrResource(ResourceScope::GroupsRead)
            }
            Route::CreateGroup(_) | Route::UpdateGroup(..) | Route::DeleteGroup(..) => {
                Requirement::AdminOrResource(ResourceScope::GroupsWrite)
            }
            Route::PinQueue
            | Route::ListFiles(_)
            | Route::GetFile(..)
            | Route::DownloadLink
            | Route::SwapHistory(..)
            | Route::GetSignature(..)
            | Route::PsaList
            | Route::PsaGet(_) => Requirement::AdminOrResource(ResourceScope::FilesRead),
            // `SignFiles` signs a download link (read) when its typed body holds a `url`: the
            // request decides (`api::signed::SignRequest::requirement`); this is the stricter
            // rule, which applies until the body is typed.
            Route::PinByCid
            | Route::CancelPinByCid(_)
            | Route::UploadFiles
            | Route::TusCreate
            | Route::UpdateFile(..)
            | Route::DeleteFile(..)
            | Route::SignFiles
            | Route::AddSwap(..)
            | Route::DeleteSwap(..)
            | Route::AddSignature(..)
            | Route::DeleteSignature(..)
            // `/psa` has no scope of its own; a pin request is a pin by CID (emulator's choice).
            | Route::PsaAdd
            | Route::PsaReplace(_)
            | Route::PsaRemove(_) => Requirement::AdminOrResource(ResourceScope::FilesWrite),
            Route::GroupFile { .. } => Requirement::AdminOrResource(ResourceScope::GroupsWrite),
            // The spec annotates the gateway list with `org:gateways:read`.
            Route::ListGateways => Requirement::AdminOrResource(ResourceScope::GatewaysRead),
        }
    }

    /// The emulator's own control surface (`/emulator/*`): answered in `api/control.rs`, never
    /// faulted, rate-limited or journaled.
    pub(crate) fn is_control(&self) -> bool {
        matches!(
            self,
            Route::Faults | Route::RateLimit | Route::Health | Route::Reset | Route::Requests
        )
    }

    /// A resumable upload's request after its creation, whose path ends with its token (its
    /// capability).
    pub(crate) fn has_token(&self) -> bool {
        matches!(
            self,
            Route::TusHead(..) | Route::TusPatch(..) | Route::TusTerminate(..)
        )
    }

    /// Routes whose body is streamed to disk rather than read into memory: uploads.
    pub(crate) fn streams_body(&self) -> bool {
        matches!(
            self,
            Route::PinFile | Route::UploadFiles | Route::SignedUpload(_) | Route::TusCreate
        )
    }

    /// v3 endpoints are documented with Bearer authentication only.
    pub(crate) fn is_v3(&self) -> bool {
        matches!(
            self,
            Route::CreateKey(KeyPaths::V3)
                | Route::ListKeys(KeyPaths::V3)
                | Route::RevokeKeyInPath(_)
                | Route::CreateGroup(_)
                | Route::ListGroups(_)
                | Route::GetGroup(..)
                | Route::UpdateGroup(..)
                | Route::DeleteGroup(..)
                | Route::PinByCid
                | Route::PinQueue
                | Route::CancelPinByCid(_)
                | Route::UploadFiles
                | Route::TusCreate
                | Route::ListFiles(_)
                | Route::GetFile(..)
                | Route::UpdateFile(..)
                | Route::DeleteFile(..)
                | Route::GroupFile { .. }
                | Route::SignFiles
                | Route::DownloadLink
                | Route::AddSwap(..)
                | Route::SwapHistory(..)
                | Route::DeleteSwap(..)
                | Route::AddSignature(..)
                | Route::GetSignature(..)
                | Route::DeleteSignature(..)
                | Route::ListGateways
        )
    }

    /// Whether the route's body is JSON (parsed before the handler; a malformed one is a 400).
    pub(crate) fn takes_json(&self) -> bool {
        matches!(
            self,
            Route::CreateKey(_)
                | Route::RevokeKeyInBody
                | Route::PinJson
                | Route::PinByHash
                | Route::HashMetadata
                | Route::CreateGroup(_)
                | Route::UpdateGroup(..)
                | Route::PinByCid
                | Route::LegacyCreateGroup
                | Route::LegacyRenameGroup(_)
                | Route::LegacyGroupCids(..)
                | Route::UpdateFile(..)
                | Route::SignFiles
                | Route::DownloadLink
                | Route::AddSwap(..)
                | Route::AddSignature(..)
                | Route::PsaAdd
                | Route::PsaReplace(_)
        )
    }

    /// The Pinning Service API (`/psa/pins…`): Bearer only, answered as `--psa-mode` says.
    pub(crate) fn is_psa(&self) -> bool {
        matches!(
            self,
            Route::PsaList
                | Route::PsaAdd
                | Route::PsaGet(_)
                | Route::PsaReplace(_)
                | Route::PsaRemove(_)
        )
    }

    /// The largest body the route reads into memory.
    pub(crate) fn body_limit(&self) -> usize {
        match self {
            Route::PinJson => pinata_core::api::pinning::MAX_JSON_BODY + 64 * 1024,
            _ => MAX_JSON_BODY,
        }
    }
}

/// The `{network}` parameter: `public` or `private` (lower-case, as the path was lower-cased).
fn network(param: &dyn Fn(&str) -> String) -> Option<Network> {
    Network::parse(&param("network").to_ascii_lowercase())
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
            Requirement::AdminOrResource(ResourceScope::GatewaysRead)
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
        let read = Requirement::AdminOrResource(ResourceScope::FilesRead);
        let write = Requirement::AdminOrResource(ResourceScope::FilesWrite);
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
        let read = Requirement::AdminOrResource(ResourceScope::FilesRead);
        let write = Requirement::AdminOrResource(ResourceScope::FilesWrite);
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
