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
    ("/emulator/faults", Method::POST, |_| Some(Route::Faults)),
    ("/emulator/faults", Method::GET, |_| Some(Route::Faults)),
    ("/emulator/faults", Method::DELETE, |_| Some(Route::Faults)),
    ("/emulator/rate_limit", Method::PUT, |_| Some(Route::RateLimit)),
    ("/emulator/rate_limit", Method::DELETE, |_| Some(Route::RateLimit)),
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
            Route::Unpin(v) | Route::RevokeKeyInPath(v) | Route::Gateway(v) if v.is_empty() => None,
            _ => Some(route),
        }
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
            // The gateway is public: it is not an API endpoint and takes no credentials.
            Route::Gateway(_) => Requirement::Authenticated,
            // Legacy groups have no endpoint permission of their own, and keys scoped with v3
            // resources cannot use the legacy API: admin keys only (emulator's choice).
            Route::Faults
            | Route::RateLimit
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
            Route::PinQueue => Requirement::AdminOrResource(ResourceScope::FilesRead),
            Route::PinByCid | Route::CancelPinByCid(_) => {
                Requirement::AdminOrResource(ResourceScope::FilesWrite)
            }
        }
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
        )
    }

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
        assert_eq!(Route::find(&Method::GET, "/nowhere"), None);
        assert_eq!(
            Route::find(&Method::PUT, "/v3/groups/Private/AbC"),
            Some(Route::UpdateGroup(Network::Private, "AbC".into()))
        );
        assert_eq!(Route::find(&Method::GET, "/v3/groups/elsewhere"), None);
    }
}
