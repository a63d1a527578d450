//! Each endpoint's facts as data, read by both sides (ruma's `METADATA` is the model): the method,
//! the path templates, the origin, who may call it ([`Access`]), which credentials it takes
//! ([`AuthSchemes`]), what its body is ([`BodyKind`]) and whether a repeat is safe
//! ([`Repeatable`]).
//!
//! - The clients' endpoints send what their entry says (`tests.rs` checks each against its entry).
//! - The emulator builds its route table and its access check from [`ENDPOINTS`]: the paths it
//!   serves, the permission each needs, the credentials each takes and how each body is read come
//!   from here and nowhere else.
//! - The CLI's "this key lacks scope X" hints read [`Access`].
//!
//! Path templates are the API's, in its case: `{name}` is one segment, `{*name}` the rest of the
//! path. The first template of an entry is the one the clients send; the others are aliases the
//! API serves too (the SDK's `/v3/pinata/keys` and the documented `/v3/api_keys`, say).
//!
//! Where the API does not document a requirement, the choice is written beside the entry
//! ("emulator's choice" / "inferred"), as everywhere in this project.

use http::Method;

use crate::api::keys::{EndpointPermission, Permissions, ResourceScope};
use crate::api::pinning::MAX_JSON_BODY as MAX_PIN_JSON;
use crate::config::Origin;
use crate::retry::Repeatable;

/// What a key must hold to call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// No credentials at all: the request is public (the gateway) or carries its own grant (a
    /// signature or a token in its URL). An `Authorization` header is not looked at.
    Public,
    /// Any valid key, even one with no permissions (`/data/testAuthentication`).
    Authenticated,
    /// An admin key, or one with this legacy endpoint permission.
    Endpoint(EndpointPermission),
    /// An admin key only.
    Admin,
    /// An admin key, or one with this v3 resource scope (or one that implies it).
    AdminOr(ResourceScope),
}

impl Access {
    /// Whether a key holding `permissions` may call the endpoint.
    pub fn is_met_by(self, permissions: &Permissions) -> bool {
        match self {
            Access::Public | Access::Authenticated => true,
            Access::Endpoint(p) => permissions.permits_endpoint(p),
            Access::Admin => permissions.is_admin(),
            Access::AdminOr(scope) => permissions.permits_resource(scope),
        }
    }

    /// What a key needs, in words: `the pinning.pinFileToIPFS permission`, `the org:files:write
    /// scope`, `an admin key`; `None` when any key (or none) will do.
    pub fn needs(self) -> Option<String> {
        match self {
            Access::Public | Access::Authenticated => None,
            Access::Endpoint(p) => Some(format!("the {p} permission")),
            Access::Admin => Some("an admin key".to_owned()),
            Access::AdminOr(scope) => Some(format!("the {} scope", scope.as_str())),
        }
    }
}

/// Which credentials an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthSchemes {
    /// None: the request is public or carries its grant in its URL.
    None,
    /// `Authorization: Bearer <JWT>` only (the v3 API and the Pinning Service API are documented
    /// so).
    Bearer,
    /// A JWT, or the legacy `pinata_api_key` / `pinata_secret_api_key` pair.
    BearerOrKeyPair,
}

/// What an endpoint's request body is, and so how a server reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// No body.
    Empty,
    /// A JSON document of at most `limit` bytes.
    Json {
        /// The largest body accepted.
        limit: usize,
    },
    /// `multipart/form-data` with files: streamed, not held in memory.
    Upload,
    /// Raw bytes of a resumable upload (`application/offset+octet-stream`).
    TusChunk,
}

/// Which part of Pinata's API an endpoint belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// The legacy v1 API (`/data`, `/pinning`, `/users`, `/groups`).
    Legacy,
    /// The v3 API (`/v3/…`).
    V3,
    /// The IPFS Pinning Service API (`/psa/pins`).
    Psa,
    /// Resumable uploads (TUS) after their creation, and through signed URLs.
    Tus,
    /// A gateway: content by CID, public or through a signed link.
    Gateway,
    /// A server's own surface, not Pinata's (the emulator's `/emulator/*`).
    Control,
}

/// One endpoint's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointMetadata {
    /// A stable name: the API's own where it has one (`pinning.pinFileToIPFS`), else
    /// `family.operation` (`files.list`).
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path templates, the one the clients send first (see the [module](self)).
    pub paths: &'static [&'static str],
    /// The origin it is served on.
    pub origin: Origin,
    /// Who may call it.
    pub access: Access,
    /// Which credentials it takes.
    pub auth: AuthSchemes,
    /// Its request body.
    pub body: BodyKind,
    /// Whether a repeat is safe.
    pub repeatable: Repeatable,
    /// Its part of the API.
    pub family: Family,
}

/// The JSON body limit of the endpoints that take small documents.
pub const JSON_LIMIT: usize = 1024 * 1024;

const JSON: BodyKind = BodyKind::Json { limit: JSON_LIMIT };

/// An entry of the legacy API: a JWT or a key pair, on the API origin.
const fn legacy(
    name: &'static str,
    method: Method,
    paths: &'static [&'static str],
    access: Access,
    body: BodyKind,
    repeatable: Repeatable,
) -> EndpointMetadata {
    EndpointMetadata {
        name,
        method,
        paths,
        origin: Origin::Api,
        access,
        auth: AuthSchemes::BearerOrKeyPair,
        body,
        repeatable,
        family: Family::Legacy,
    }
}

/// An entry of the v3 API: Bearer only, on the API origin.
const fn v3(
    name: &'static str,
    method: Method,
    paths: &'static [&'static str],
    access: Access,
    body: BodyKind,
    repeatable: Repeatable,
) -> EndpointMetadata {
    EndpointMetadata {
        name,
        method,
        paths,
        origin: Origin::Api,
        access,
        auth: AuthSchemes::Bearer,
        body,
        repeatable,
        family: Family::V3,
    }
}

/// An entry of the Pinning Service API: Bearer only.
const fn psa(
    name: &'static str,
    method: Method,
    paths: &'static [&'static str],
    access: Access,
    body: BodyKind,
    repeatable: Repeatable,
) -> EndpointMetadata {
    EndpointMetadata {
        name,
        method,
        paths,
        origin: Origin::Api,
        access,
        auth: AuthSchemes::Bearer,
        body,
        repeatable,
        family: Family::Psa,
    }
}

/// The same entry, served on the uploads origin.
const fn on_uploads(mut meta: EndpointMetadata) -> EndpointMetadata {
    meta.origin = Origin::Uploads;
    meta
}

/// A request whose URL is its grant (a TUS upload's token, a signature): public, no credentials.
const fn granted(
    name: &'static str,
    method: Method,
    paths: &'static [&'static str],
    origin: Origin,
    body: BodyKind,
    repeatable: Repeatable,
    family: Family,
) -> EndpointMetadata {
    EndpointMetadata {
        name,
        method,
        paths,
        origin,
        access: Access::Public,
        auth: AuthSchemes::None,
        body,
        repeatable,
        family,
    }
}

use Access::{AdminOr, Endpoint as Permission};
use EndpointPermission as P;
use Repeatable::{Safe, Unsafe};
use ResourceScope as S;

// The legacy API.

/// `GET /data/testAuthentication`.
pub static TEST_AUTHENTICATION: EndpointMetadata = legacy(
    "data.testAuthentication",
    Method::GET,
    &["/data/testAuthentication"],
    Access::Authenticated,
    BodyKind::Empty,
    Safe,
);
/// `GET /data/pinList`.
pub static LIST_PINS: EndpointMetadata = legacy(
    "data.pinList",
    Method::GET,
    &["/data/pinList"],
    Permission(P::PinList),
    BodyKind::Empty,
    Safe,
);
/// `GET /data/userPinnedDataTotal`.
pub static USER_PINNED_DATA_TOTAL: EndpointMetadata = legacy(
    "data.userPinnedDataTotal",
    Method::GET,
    &["/data/userPinnedDataTotal"],
    Permission(P::UserPinnedDataTotal),
    BodyKind::Empty,
    Safe,
);
/// `POST /users/generateApiKey`.
pub static CREATE_KEY: EndpointMetadata = legacy(
    "users.generateApiKey",
    Method::POST,
    &["/users/generateApiKey"],
    Access::Admin,
    JSON,
    Unsafe,
);
/// `GET /users/apiKeys`.
pub static LIST_KEYS: EndpointMetadata = legacy(
    "users.apiKeys",
    Method::GET,
    &["/users/apiKeys"],
    Access::Admin,
    BodyKind::Empty,
    Safe,
);
/// `PUT /users/revokeApiKey`.
pub static REVOKE_KEY: EndpointMetadata = legacy(
    "users.revokeApiKey",
    Method::PUT,
    &["/users/revokeApiKey"],
    Access::Admin,
    JSON,
    Safe,
);
/// `POST /pinning/pinFileToIPFS`.
pub static PIN_FILE: EndpointMetadata = legacy(
    "pinning.pinFileToIPFS",
    Method::POST,
    &["/pinning/pinFileToIPFS"],
    Permission(P::PinFileToIpfs),
    BodyKind::Upload,
    Repeatable::Upload,
);
/// `POST /pinning/pinJSONToIPFS`: the API's 10 MB cap on the content, plus room for the
/// metadata and options around it.
pub static PIN_JSON: EndpointMetadata = legacy(
    "pinning.pinJSONToIPFS",
    Method::POST,
    &["/pinning/pinJSONToIPFS"],
    Permission(P::PinJsonToIpfs),
    BodyKind::Json {
        limit: MAX_PIN_JSON + 64 * 1024,
    },
    Unsafe,
);
/// `POST /pinning/pinByHash`.
pub static PIN_BY_HASH: EndpointMetadata = legacy(
    "pinning.pinByHash",
    Method::POST,
    &["/pinning/pinByHash"],
    Permission(P::PinByHash),
    JSON,
    Unsafe,
);
/// `GET /pinning/pinJobs`.
pub static LIST_PIN_JOBS: EndpointMetadata = legacy(
    "pinning.pinJobs",
    Method::GET,
    &["/pinning/pinJobs"],
    Permission(P::PinJobs),
    BodyKind::Empty,
    Safe,
);
/// `PUT /pinning/hashMetadata`.
pub static UPDATE_PIN_METADATA: EndpointMetadata = legacy(
    "pinning.hashMetadata",
    Method::PUT,
    &["/pinning/hashMetadata"],
    Permission(P::HashMetadata),
    JSON,
    Safe,
);
/// `DELETE /pinning/unpin/{cid}`.
pub static UNPIN: EndpointMetadata = legacy(
    "pinning.unpin",
    Method::DELETE,
    &["/pinning/unpin/{cid}"],
    Permission(P::Unpin),
    BodyKind::Empty,
    Safe,
);
// Legacy groups have no endpoint permission of their own, and keys scoped with v3 resources
// cannot use the legacy API: admin keys only (emulator's choice, undocumented).
/// `POST /groups`.
pub static CREATE_LEGACY_GROUP: EndpointMetadata = legacy(
    "groups.create",
    Method::POST,
    &["/groups"],
    Access::Admin,
    JSON,
    Unsafe,
);
/// `GET /groups`.
pub static LIST_LEGACY_GROUPS: EndpointMetadata = legacy(
    "groups.list",
    Method::GET,
    &["/groups"],
    Access::Admin,
    BodyKind::Empty,
    Safe,
);
/// `GET /groups/{id}`.
pub static GET_LEGACY_GROUP: EndpointMetadata = legacy(
    "groups.get",
    Method::GET,
    &["/groups/{id}"],
    Access::Admin,
    BodyKind::Empty,
    Safe,
);
/// `PUT /groups/{id}`.
pub static RENAME_LEGACY_GROUP: EndpointMetadata = legacy(
    "groups.update",
    Method::PUT,
    &["/groups/{id}"],
    Access::Admin,
    JSON,
    Safe,
);
/// `DELETE /groups/{id}`.
pub static DELETE_LEGACY_GROUP: EndpointMetadata = legacy(
    "groups.delete",
    Method::DELETE,
    &["/groups/{id}"],
    Access::Admin,
    BodyKind::Empty,
    Safe,
);
/// `PUT /groups/{id}/cids`.
pub static ADD_TO_LEGACY_GROUP: EndpointMetadata = legacy(
    "groups.addCids",
    Method::PUT,
    &["/groups/{id}/cids"],
    Access::Admin,
    JSON,
    Safe,
);
/// `DELETE /groups/{id}/cids`.
pub static REMOVE_FROM_LEGACY_GROUP: EndpointMetadata = legacy(
    "groups.removeCids",
    Method::DELETE,
    &["/groups/{id}/cids"],
    Access::Admin,
    JSON,
    Safe,
);

// The v3 API. Key management: the spec annotates it with `org:write` (listing: the read scope,
// which `org:write` implies), inferred from its scope annotations.

/// `POST /v3/pinata/keys` (the SDKs), or `/v3/api_keys` (the 2025 docs).
pub static CREATE_KEY_V3: EndpointMetadata = v3(
    "keys.create",
    Method::POST,
    &["/v3/pinata/keys", "/v3/api_keys"],
    AdminOr(S::OrgWrite),
    JSON,
    Unsafe,
);
/// `GET /v3/pinata/keys`, or `/v3/api_keys`.
pub static LIST_KEYS_V3: EndpointMetadata = v3(
    "keys.list",
    Method::GET,
    &["/v3/pinata/keys", "/v3/api_keys"],
    AdminOr(S::OrgRead),
    BodyKind::Empty,
    Safe,
);
/// `PUT /v3/pinata/keys/{key}` (the SDKs' revoke).
pub static REVOKE_KEY_V3: EndpointMetadata = v3(
    "keys.revoke",
    Method::PUT,
    &["/v3/pinata/keys/{key}"],
    AdminOr(S::OrgWrite),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/api_keys/{key}` (the 2025 docs' revoke).
pub static DELETE_KEY_V3: EndpointMetadata = v3(
    "keys.delete",
    Method::DELETE,
    &["/v3/api_keys/{key}"],
    AdminOr(S::OrgWrite),
    BodyKind::Empty,
    Safe,
);
/// `POST /v3/groups/{network}`.
pub static CREATE_GROUP: EndpointMetadata = v3(
    "groups.v3.create",
    Method::POST,
    &["/v3/groups/{network}"],
    AdminOr(S::GroupsWrite),
    JSON,
    Unsafe,
);
/// `GET /v3/groups/{network}`.
pub static LIST_GROUPS: EndpointMetadata = v3(
    "groups.v3.list",
    Method::GET,
    &["/v3/groups/{network}"],
    AdminOr(S::GroupsRead),
    BodyKind::Empty,
    Safe,
);
/// `GET /v3/groups/{network}/{id}`.
pub static GET_GROUP: EndpointMetadata = v3(
    "groups.v3.get",
    Method::GET,
    &["/v3/groups/{network}/{id}"],
    AdminOr(S::GroupsRead),
    BodyKind::Empty,
    Safe,
);
/// `PUT /v3/groups/{network}/{id}`.
pub static UPDATE_GROUP: EndpointMetadata = v3(
    "groups.v3.update",
    Method::PUT,
    &["/v3/groups/{network}/{id}"],
    AdminOr(S::GroupsWrite),
    JSON,
    Safe,
);
/// `DELETE /v3/groups/{network}/{id}`.
pub static DELETE_GROUP: EndpointMetadata = v3(
    "groups.v3.delete",
    Method::DELETE,
    &["/v3/groups/{network}/{id}"],
    AdminOr(S::GroupsWrite),
    BodyKind::Empty,
    Safe,
);
/// `PUT /v3/groups/{network}/{id}/ids/{file}`.
pub static ADD_FILE_TO_GROUP: EndpointMetadata = v3(
    "groups.v3.addFile",
    Method::PUT,
    &["/v3/groups/{network}/{id}/ids/{file}"],
    AdminOr(S::GroupsWrite),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/groups/{network}/{id}/ids/{file}`.
pub static REMOVE_FILE_FROM_GROUP: EndpointMetadata = v3(
    "groups.v3.removeFile",
    Method::DELETE,
    &["/v3/groups/{network}/{id}/ids/{file}"],
    AdminOr(S::GroupsWrite),
    BodyKind::Empty,
    Safe,
);
/// `POST /v3/files/public/pin_by_cid`.
pub static PIN_BY_CID: EndpointMetadata = v3(
    "files.pinByCid",
    Method::POST,
    &["/v3/files/public/pin_by_cid"],
    AdminOr(S::FilesWrite),
    JSON,
    Unsafe,
);
/// `GET /v3/files/public/pin_by_cid`: the queue.
pub static LIST_PIN_QUEUE: EndpointMetadata = v3(
    "files.pinQueue",
    Method::GET,
    &["/v3/files/public/pin_by_cid"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/files/public/pin_by_cid/{id}`.
pub static CANCEL_PIN_BY_CID: EndpointMetadata = v3(
    "files.cancelPinByCid",
    Method::DELETE,
    &["/v3/files/public/pin_by_cid/{id}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);
/// `POST /v3/files` on the uploads origin: a multipart upload.
pub static UPLOAD_FILE: EndpointMetadata = on_uploads(v3(
    "files.upload",
    Method::POST,
    &["/v3/files"],
    AdminOr(S::FilesWrite),
    BodyKind::Upload,
    Repeatable::Upload,
));
/// `POST /v3/files` with `Upload-Length`: a resumable upload's creation (the same path as
/// [`UPLOAD_FILE`], told apart by the header).
pub static TUS_CREATE: EndpointMetadata = on_uploads(v3(
    "files.tusCreate",
    Method::POST,
    &["/v3/files"],
    AdminOr(S::FilesWrite),
    BodyKind::TusChunk,
    Unsafe,
));
/// `POST /v3/files/sign`: an upload URL, or a download link when the body holds `url` (then
/// `org:files:read` is enough: the request decides, `api::signed::SignRequest`). This entry
/// states the stricter rule.
pub static SIGN: EndpointMetadata = on_uploads(v3(
    "files.sign",
    Method::POST,
    &["/v3/files/sign"],
    AdminOr(S::FilesWrite),
    JSON,
    Safe,
));
/// `POST /v3/files/private/download_link` (or `/v3/files/download_link`).
pub static CREATE_DOWNLOAD_LINK: EndpointMetadata = v3(
    "files.downloadLink",
    Method::POST,
    &["/v3/files/private/download_link", "/v3/files/download_link"],
    AdminOr(S::FilesRead),
    JSON,
    Safe,
);
/// `GET /v3/files/{network}`.
pub static LIST_FILES: EndpointMetadata = v3(
    "files.list",
    Method::GET,
    &["/v3/files/{network}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `GET /v3/files/{network}/{id}`.
pub static GET_FILE: EndpointMetadata = v3(
    "files.get",
    Method::GET,
    &["/v3/files/{network}/{id}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `PUT /v3/files/{network}/{id}`.
pub static UPDATE_FILE: EndpointMetadata = v3(
    "files.update",
    Method::PUT,
    &["/v3/files/{network}/{id}"],
    AdminOr(S::FilesWrite),
    JSON,
    Safe,
);
/// `DELETE /v3/files/{network}/{id}`.
pub static DELETE_FILE: EndpointMetadata = v3(
    "files.delete",
    Method::DELETE,
    &["/v3/files/{network}/{id}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);
/// `PUT /v3/files/{network}/swap/{cid}`.
pub static ADD_SWAP: EndpointMetadata = v3(
    "files.swap",
    Method::PUT,
    &["/v3/files/{network}/swap/{cid}"],
    AdminOr(S::FilesWrite),
    JSON,
    Safe,
);
/// `GET /v3/files/{network}/swap/{cid}`.
pub static SWAP_HISTORY: EndpointMetadata = v3(
    "files.swapHistory",
    Method::GET,
    &["/v3/files/{network}/swap/{cid}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/files/{network}/swap/{cid}`.
pub static DELETE_SWAP: EndpointMetadata = v3(
    "files.deleteSwap",
    Method::DELETE,
    &["/v3/files/{network}/swap/{cid}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);
/// `PUT /v3/ipfs/swap/{cid}`: the older, public-network path.
pub static ADD_SWAP_IPFS: EndpointMetadata = v3(
    "ipfs.swap",
    Method::PUT,
    &["/v3/ipfs/swap/{cid}"],
    AdminOr(S::FilesWrite),
    JSON,
    Safe,
);
/// `GET /v3/ipfs/swap/{cid}`.
pub static SWAP_HISTORY_IPFS: EndpointMetadata = v3(
    "ipfs.swapHistory",
    Method::GET,
    &["/v3/ipfs/swap/{cid}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/ipfs/swap/{cid}`.
pub static DELETE_SWAP_IPFS: EndpointMetadata = v3(
    "ipfs.deleteSwap",
    Method::DELETE,
    &["/v3/ipfs/swap/{cid}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);
/// `POST /v3/files/{network}/signature/{cid}`.
pub static ADD_SIGNATURE: EndpointMetadata = v3(
    "files.addSignature",
    Method::POST,
    &["/v3/files/{network}/signature/{cid}"],
    AdminOr(S::FilesWrite),
    JSON,
    Unsafe,
);
/// `GET /v3/files/{network}/signature/{cid}`.
pub static GET_SIGNATURE: EndpointMetadata = v3(
    "files.getSignature",
    Method::GET,
    &["/v3/files/{network}/signature/{cid}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/files/{network}/signature/{cid}`.
pub static DELETE_SIGNATURE: EndpointMetadata = v3(
    "files.deleteSignature",
    Method::DELETE,
    &["/v3/files/{network}/signature/{cid}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);
/// `POST /v3/ipfs/signature/{cid}`.
pub static ADD_SIGNATURE_IPFS: EndpointMetadata = v3(
    "ipfs.addSignature",
    Method::POST,
    &["/v3/ipfs/signature/{cid}"],
    AdminOr(S::FilesWrite),
    JSON,
    Unsafe,
);
/// `GET /v3/ipfs/signature/{cid}`.
pub static GET_SIGNATURE_IPFS: EndpointMetadata = v3(
    "ipfs.getSignature",
    Method::GET,
    &["/v3/ipfs/signature/{cid}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `DELETE /v3/ipfs/signature/{cid}`.
pub static DELETE_SIGNATURE_IPFS: EndpointMetadata = v3(
    "ipfs.deleteSignature",
    Method::DELETE,
    &["/v3/ipfs/signature/{cid}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);
/// `GET /v3/ipfs/gateways` (the Go CLI's path) or `/v3/gateways` (the spec's): the spec annotates
/// it with `org:gateways:read`.
pub static LIST_GATEWAYS: EndpointMetadata = v3(
    "gateways.list",
    Method::GET,
    &["/v3/ipfs/gateways", "/v3/gateways"],
    AdminOr(S::GatewaysRead),
    BodyKind::Empty,
    Safe,
);

// The Pinning Service API. `/psa` has no scope of its own; a pin request is a pin by CID
// (emulator's choice).

/// `GET /psa/pins`.
pub static LIST_PSA_PINS: EndpointMetadata = psa(
    "psa.list",
    Method::GET,
    &["/psa/pins"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `POST /psa/pins`.
pub static ADD_PSA_PIN: EndpointMetadata = psa(
    "psa.add",
    Method::POST,
    &["/psa/pins"],
    AdminOr(S::FilesWrite),
    JSON,
    Unsafe,
);
/// `GET /psa/pins/{requestid}`.
pub static GET_PSA_PIN: EndpointMetadata = psa(
    "psa.get",
    Method::GET,
    &["/psa/pins/{requestid}"],
    AdminOr(S::FilesRead),
    BodyKind::Empty,
    Safe,
);
/// `POST /psa/pins/{requestid}`: replace a pin request.
pub static REPLACE_PSA_PIN: EndpointMetadata = psa(
    "psa.replace",
    Method::POST,
    &["/psa/pins/{requestid}"],
    AdminOr(S::FilesWrite),
    JSON,
    Unsafe,
);
/// `DELETE /psa/pins/{requestid}`.
pub static REMOVE_PSA_PIN: EndpointMetadata = psa(
    "psa.remove",
    Method::DELETE,
    &["/psa/pins/{requestid}"],
    AdminOr(S::FilesWrite),
    BodyKind::Empty,
    Safe,
);

// URLs that are their own grant: a signed upload URL, a resumable upload's URL (its token),
// a gateway.

/// `POST /v3/files/{id}?X-…`: an upload to a signed URL, which the server minted.
pub static SIGNED_UPLOAD: EndpointMetadata = granted(
    "files.signedUpload",
    Method::POST,
    &["/v3/files/{id}"],
    Origin::Signed,
    BodyKind::Upload,
    Repeatable::Upload,
    Family::Tus,
);
/// `POST /v3/files/{id}?X-…` with `Upload-Length`: a resumable upload created through a signed
/// URL (the same path as [`SIGNED_UPLOAD`], told apart by the header).
pub static TUS_SIGNED_CREATE: EndpointMetadata = granted(
    "files.tusSignedCreate",
    Method::POST,
    &["/v3/files/{id}"],
    Origin::Signed,
    BodyKind::Empty,
    Unsafe,
    Family::Tus,
);
/// `OPTIONS` on the upload paths: which TUS version and extensions are served.
pub static TUS_OPTIONS: EndpointMetadata = granted(
    "tus.options",
    Method::OPTIONS,
    &["/v3/files", "/v3/files/{id}", "/v3/files/{file}/{token}"],
    Origin::Uploads,
    BodyKind::Empty,
    Safe,
    Family::Tus,
);
/// `HEAD /v3/files/{file}/{token}`: a resumable upload's offset.
pub static TUS_HEAD: EndpointMetadata = granted(
    "tus.head",
    Method::HEAD,
    &["/v3/files/{file}/{token}"],
    Origin::Uploads,
    BodyKind::Empty,
    Safe,
    Family::Tus,
);
/// `PATCH /v3/files/{file}/{token}`: more bytes of a resumable upload. Repeating it at the same
/// offset is refused with a conflict, never applied twice.
pub static TUS_PATCH: EndpointMetadata = granted(
    "tus.patch",
    Method::PATCH,
    &["/v3/files/{file}/{token}"],
    Origin::Uploads,
    BodyKind::TusChunk,
    Unsafe,
    Family::Tus,
);
/// `DELETE /v3/files/{file}/{token}`: a resumable upload terminated (the same template as
/// [`DELETE_FILE`]: a file id and a token never read as a network).
pub static TUS_TERMINATE: EndpointMetadata = granted(
    "tus.terminate",
    Method::DELETE,
    &["/v3/files/{file}/{token}"],
    Origin::Uploads,
    BodyKind::Empty,
    Safe,
    Family::Tus,
);
/// `GET /ipfs/{cid}[/path]` on a gateway: public content.
pub static GATEWAY_IPFS: EndpointMetadata = granted(
    "gateway.ipfs",
    Method::GET,
    &["/ipfs/{*path}"],
    Origin::Gateway,
    BodyKind::Empty,
    Safe,
    Family::Gateway,
);
/// `GET /files/{cid}[/path]?X-…` on a gateway: private content through a signed link.
pub static GATEWAY_FILES: EndpointMetadata = granted(
    "gateway.files",
    Method::GET,
    &["/files/{*path}"],
    Origin::Signed,
    BodyKind::Empty,
    Safe,
    Family::Gateway,
);

/// Every endpoint of Pinata's API this library knows, once each.
pub static ENDPOINTS: &[&EndpointMetadata] = &[
    &TEST_AUTHENTICATION,
    &LIST_PINS,
    &USER_PINNED_DATA_TOTAL,
    &CREATE_KEY,
    &LIST_KEYS,
    &REVOKE_KEY,
    &PIN_FILE,
    &PIN_JSON,
    &PIN_BY_HASH,
    &LIST_PIN_JOBS,
    &UPDATE_PIN_METADATA,
    &UNPIN,
    &CREATE_LEGACY_GROUP,
    &LIST_LEGACY_GROUPS,
    &GET_LEGACY_GROUP,
    &RENAME_LEGACY_GROUP,
    &DELETE_LEGACY_GROUP,
    &ADD_TO_LEGACY_GROUP,
    &REMOVE_FROM_LEGACY_GROUP,
    &CREATE_KEY_V3,
    &LIST_KEYS_V3,
    &REVOKE_KEY_V3,
    &DELETE_KEY_V3,
    &CREATE_GROUP,
    &LIST_GROUPS,
    &GET_GROUP,
    &UPDATE_GROUP,
    &DELETE_GROUP,
    &ADD_FILE_TO_GROUP,
    &REMOVE_FILE_FROM_GROUP,
    &PIN_BY_CID,
    &LIST_PIN_QUEUE,
    &CANCEL_PIN_BY_CID,
    &UPLOAD_FILE,
    &TUS_CREATE,
    &SIGN,
    &CREATE_DOWNLOAD_LINK,
    &LIST_FILES,
    &GET_FILE,
    &UPDATE_FILE,
    &DELETE_FILE,
    &ADD_SWAP,
    &SWAP_HISTORY,
    &DELETE_SWAP,
    &ADD_SWAP_IPFS,
    &SWAP_HISTORY_IPFS,
    &DELETE_SWAP_IPFS,
    &ADD_SIGNATURE,
    &GET_SIGNATURE,
    &DELETE_SIGNATURE,
    &ADD_SIGNATURE_IPFS,
    &GET_SIGNATURE_IPFS,
    &DELETE_SIGNATURE_IPFS,
    &LIST_GATEWAYS,
    &LIST_PSA_PINS,
    &ADD_PSA_PIN,
    &GET_PSA_PIN,
    &REPLACE_PSA_PIN,
    &REMOVE_PSA_PIN,
    &SIGNED_UPLOAD,
    &TUS_SIGNED_CREATE,
    &TUS_OPTIONS,
    &TUS_HEAD,
    &TUS_PATCH,
    &TUS_TERMINATE,
    &GATEWAY_IPFS,
    &GATEWAY_FILES,
];

/// The entry of `method` and a path the clients send (a template's parameters filled in, without
/// the query), if one matches; for the checks that keep the clients and this table together.
/// The first template that matches wins, so a literal path (`/v3/files/sign`) must come before a
/// template it also matches (`/v3/files/{id}`): [`ENDPOINTS`] lists them so.
pub fn find(method: &Method, path: &str) -> Option<&'static EndpointMetadata> {
    ENDPOINTS.iter().copied().find(|meta| {
        meta.method == *method && meta.paths.iter().any(|template| matches(template, path))
    })
}

/// The entry named `name` ([`EndpointMetadata::name`]), as an error's
/// [`RequestTarget::endpoint`](crate::RequestTarget::endpoint) names it.
pub fn named(name: &str) -> Option<&'static EndpointMetadata> {
    ENDPOINTS.iter().copied().find(|meta| meta.name == name)
}

/// The entry `endpoint`'s request fits (its method and the path it sends), if any: how the
/// clients name the endpoint of a failed call (`RequestTarget::endpoint`), for an endpoint of
/// this library or one of your own that calls a path the table knows.
pub fn of_endpoint<E: crate::Endpoint + ?Sized>(endpoint: &E) -> Option<&'static EndpointMetadata> {
    let path_and_query = endpoint.path_and_query().ok()?;
    // A signed URL is absolute: its path is what the server routes.
    let uri: http::Uri = path_and_query.parse().ok()?;
    find(&endpoint.method(), uri.path())
}

/// Whether `path` fits `template` (`{x}` one non-empty segment, `{*x}` the rest).
pub fn matches(template: &str, path: &str) -> bool {
    let mut wanted = template.trim_start_matches('/').split('/');
    let mut given = path.trim_start_matches('/').split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with("{*") => return !g.is_empty(),
            (Some(w), Some(g)) if w.starts_with('{') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests;
