//! What an API key may do: admin, or a set of legacy endpoint permissions and v3 resource scopes.

use std::collections::BTreeSet;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// A legacy endpoint permission, with its exact place in the API's permission tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndpointPermission {
    /// `data.pinList`: `GET /data/pinList`.
    PinList,
    /// `data.userPinnedDataTotal`: `GET /data/userPinnedDataTotal`.
    UserPinnedDataTotal,
    /// `pinning.hashMetadata`: `PUT /pinning/hashMetadata`.
    HashMetadata,
    /// `pinning.hashPinPolicy` (the endpoint was removed; the permission name survives).
    HashPinPolicy,
    /// `pinning.pinByHash`: `POST /pinning/pinByHash`.
    PinByHash,
    /// `pinning.pinFileToIPFS`: `POST /pinning/pinFileToIPFS`.
    PinFileToIpfs,
    /// `pinning.pinJSONToIPFS`: `POST /pinning/pinJSONToIPFS`.
    PinJsonToIpfs,
    /// `pinning.pinJobs`: `GET /pinning/pinJobs`.
    PinJobs,
    /// `pinning.unpin`: `DELETE /pinning/unpin/{cid}`.
    Unpin,
    /// `pinning.userPinPolicy` (the endpoint was removed; the permission name survives).
    UserPinPolicy,
}

impl EndpointPermission {
    /// Every endpoint permission, in the order of the API's tree.
    pub const ALL: [EndpointPermission; 10] = [
        EndpointPermission::PinList,
        EndpointPermission::UserPinnedDataTotal,
        EndpointPermission::HashMetadata,
        EndpointPermission::HashPinPolicy,
        EndpointPermission::PinByHash,
        EndpointPermission::PinFileToIpfs,
        EndpointPermission::PinJsonToIpfs,
        EndpointPermission::PinJobs,
        EndpointPermission::Unpin,
        EndpointPermission::UserPinPolicy,
    ];

    /// The group in the tree: `"data"` or `"pinning"`.
    pub fn group(self) -> &'static str {
        match self {
            EndpointPermission::PinList | EndpointPermission::UserPinnedDataTotal => "data",
            _ => "pinning",
        }
    }

    /// The leaf name in the tree, e.g. `"pinFileToIPFS"`.
    pub fn leaf(self) -> &'static str {
        match self {
            EndpointPermission::PinList => "pinList",
            EndpointPermission::UserPinnedDataTotal => "userPinnedDataTotal",
            EndpointPermission::HashMetadata => "hashMetadata",
            EndpointPermission::HashPinPolicy => "hashPinPolicy",
            EndpointPermission::PinByHash => "pinByHash",
            EndpointPermission::PinFileToIpfs => "pinFileToIPFS",
            EndpointPermission::PinJsonToIpfs => "pinJSONToIPFS",
            EndpointPermission::PinJobs => "pinJobs",
            EndpointPermission::Unpin => "unpin",
            EndpointPermission::UserPinPolicy => "userPinPolicy",
        }
    }

    /// The permission at `group.leaf`, if there is one.
    pub fn from_path(group: &str, leaf: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.group() == group && p.leaf() == leaf)
    }
}

impl fmt::Display for EndpointPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.group(), self.leaf())
    }
}

/// A v3 `resources` scope. A `write` scope implies the matching `read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceScope {
    /// `org:read`.
    OrgRead,
    /// `org:write`.
    OrgWrite,
    /// `org:files:read`.
    FilesRead,
    /// `org:files:write`.
    FilesWrite,
    /// `org:groups:read`.
    GroupsRead,
    /// `org:groups:write`.
    GroupsWrite,
    /// `org:gateways:read`.
    GatewaysRead,
    /// `org:gateways:write`.
    GatewaysWrite,
    /// `org:analytics:read`.
    AnalyticsRead,
    /// `org:analytics:write`.
    AnalyticsWrite,
}

impl ResourceScope {
    /// Every resource scope.
    pub const ALL: [ResourceScope; 10] = [
        ResourceScope::OrgRead,
        ResourceScope::OrgWrite,
        ResourceScope::FilesRead,
        ResourceScope::FilesWrite,
        ResourceScope::GroupsRead,
        ResourceScope::GroupsWrite,
        ResourceScope::GatewaysRead,
        ResourceScope::GatewaysWrite,
        ResourceScope::AnalyticsRead,
        ResourceScope::AnalyticsWrite,
    ];

    /// The wire name, e.g. `"org:files:write"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceScope::OrgRead => "org:read",
            ResourceScope::OrgWrite => "org:write",
            ResourceScope::FilesRead => "org:files:read",
            ResourceScope::FilesWrite => "org:files:write",
            ResourceScope::GroupsRead => "org:groups:read",
            ResourceScope::GroupsWrite => "org:groups:write",
            ResourceScope::GatewaysRead => "org:gateways:read",
            ResourceScope::GatewaysWrite => "org:gateways:write",
            ResourceScope::AnalyticsRead => "org:analytics:read",
            ResourceScope::AnalyticsWrite => "org:analytics:write",
        }
    }

    /// The scope with wire name `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether holding `self` grants `wanted` (equal, or the write scope of the same resource).
    pub fn grants(self, wanted: ResourceScope) -> bool {
        use ResourceScope::*;
        self == wanted
            || matches!(
                (self, wanted),
                (OrgWrite, OrgRead)
                    | (FilesWrite, FilesRead)
                    | (GroupsWrite, GroupsRead)
                    | (GatewaysWrite, GatewaysRead)
                    | (AnalyticsWrite, AnalyticsRead)
            )
    }
}

impl fmt::Display for ResourceScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The permissions of an API key.
///
/// Build with [`Permissions::admin`], or with [`Permissions::none`] and `allow…` calls. Serialises as the
/// API expects: `{"admin":true}`, or `{"endpoints":{…every leaf…},"resources":[…]}` without `admin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    admin: bool,
    endpoints: BTreeSet<EndpointPermission>,
    resources: BTreeSet<ResourceScope>,
}

impl Permissions {
    /// Full rights, including key management.
    pub fn admin() -> Self {
        Self {
            admin: true,
            ..Self::default()
        }
    }

    /// Nothing granted yet (a key needs at least one grant to be created).
    pub fn none() -> Self {
        Self::default()
    }

    /// These endpoint permissions.
    pub fn endpoints(permissions: impl IntoIterator<Item = EndpointPermission>) -> Self {
        Self {
            endpoints: permissions.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Adds an endpoint permission.
    pub fn allow(mut self, permission: EndpointPermission) -> Self {
        self.endpoints.insert(permission);
        self
    }

    /// Adds a v3 resource scope.
    pub fn allow_resource(mut self, scope: ResourceScope) -> Self {
        self.resources.insert(scope);
        self
    }

    /// Whether these are admin rights.
    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// The endpoint permissions granted.
    pub fn endpoint_permissions(&self) -> &BTreeSet<EndpointPermission> {
        &self.endpoints
    }

    /// The resource scopes granted.
    pub fn resource_scopes(&self) -> &BTreeSet<ResourceScope> {
        &self.resources
    }

    /// Whether nothing at all is granted.
    pub fn is_empty(&self) -> bool {
        !self.admin && self.endpoints.is_empty() && self.resources.is_empty()
    }

    /// Whether a key with these permissions may call an endpoint that needs `permission`.
    pub fn permits_endpoint(&self, permission: EndpointPermission) -> bool {
        self.admin || self.endpoints.contains(&permission)
    }

    /// Whether a key with these permissions holds `scope` (directly or through its write scope).
    pub fn permits_resource(&self, scope: ResourceScope) -> bool {
        self.admin || self.resources.iter().any(|held| held.grants(scope))
    }

    /// The problem with these permissions as a key's grant, if any: nothing granted, or admin
    /// combined with other grants (the API wants one or the other).
    pub fn validate(&self) -> Result<(), PermissionsError> {
        if self.is_empty() {
            Err(PermissionsError::NothingGranted)
        } else if self.admin && (!self.endpoints.is_empty() || !self.resources.is_empty()) {
            Err(PermissionsError::AdminWithScopes)
        } else {
            Ok(())
        }
    }

    /// Reads a permission tree as a key-creation request carries it, strictly: unknown groups, leaves
    /// or scopes and non-boolean leaves are errors. Missing leaves count as `false`. (Used by servers
    /// such as the emulator.)
    pub fn from_request_json(value: &serde_json::Value) -> Result<Self, PermissionsError> {
        parse_tree(value, true)
    }

    /// Reads a `scopes` tree as key listings return it, leniently: only `true` leaves count, and
    /// names this version does not know are skipped.
    pub fn from_listing_json(value: &serde_json::Value) -> Self {
        parse_tree(value, false).unwrap_or_default()
    }
}

fn parse_tree(value: &serde_json::Value, strict: bool) -> Result<Permissions, PermissionsError> {
    let bad = |what: String| PermissionsError::Malformed(what);
    let object = value
        .as_object()
        .ok_or_else(|| bad("permissions must be an object".into()))?;
    let mut out = Permissions::default();
    for (name, item) in object {
        match name.as_str() {
            "admin" => match item {
                serde_json::Value::Bool(b) => out.admin = *b,
                serde_json::Value::Null if !strict => {}
                _ => return Err(bad("`admin` must be a boolean".into())),
            },
            "endpoints" => {
                let Some(groups) = item.as_object() else {
                    if strict {
                        return Err(bad("`endpoints` must be an object".into()));
                    }
                    continue;
                };
                for (group, leaves) in groups {
                    let Some(leaves) = leaves.as_object() else {
                        if strict {
                            return Err(bad(format!("`endpoints.{group}` must be an object")));
                        }
                        continue;
                    };
                    for (leaf, granted) in leaves {
                        let permission = EndpointPermission::from_path(group, leaf);
                        match (permission, granted) {
                            (Some(p), serde_json::Value::Bool(true)) => {
                                out.endpoints.insert(p);
                            }
                            (Some(_), serde_json::Value::Bool(false)) => {}
                            (None, _) if strict => {
                                return Err(bad(format!("unknown permission `{group}.{leaf}`")));
                            }
                            (Some(_), _) if strict => {
                                return Err(bad(format!("`{group}.{leaf}` must be a boolean")));
                            }
                            _ => {}
                        }
                    }
                }
            }
            "resources" => {
                let Some(list) = item.as_array() else {
                    if strict {
                        return Err(bad("`resources` must be an array of strings".into()));
                    }
                    continue;
                };
                for scope in list {
                    match scope.as_str().map(ResourceScope::parse) {
                        Some(Some(s)) => {
                            out.resources.insert(s);
                        }
                        _ if strict => {
                            return Err(bad(format!("unknown resource scope {scope}")));
                        }
                        _ => {}
                    }
                }
            }
            other if strict => return Err(bad(format!("unknown permission field `{other}`"))),
            _ => {}
        }
    }
    Ok(out)
}

impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Faithful to what is held: a valid grant (see `validate`) never has admin beside scopes.
        let mut map = serializer.serialize_map(None)?;
        if self.admin {
            map.serialize_entry("admin", &true)?;
        }
        if !self.endpoints.is_empty() {
            map.serialize_entry("endpoints", &EndpointTree(&self.endpoints))?;
        }
        if !self.resources.is_empty() {
            let names: Vec<&str> = self.resources.iter().map(|s| s.as_str()).collect();
            map.serialize_entry("resources", &names)?;
        }
        map.end()
    }
}

/// The endpoint tree with every leaf present, as the API requires.
struct EndpointTree<'a>(&'a BTreeSet<EndpointPermission>);

impl Serialize for EndpointTree<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut groups = serializer.serialize_map(Some(2))?;
        for group in ["data", "pinning"] {
            let leaves: serde_json::Map<String, serde_json::Value> = EndpointPermission::ALL
                .into_iter()
                .filter(|p| p.group() == group)
                .map(|p| (p.leaf().to_owned(), self.0.contains(&p).into()))
                .collect();
            groups.serialize_entry(group, &leaves)?;
        }
        groups.end()
    }
}

impl<'de> Deserialize<'de> for Permissions {
    /// Lenient, as for listings: see [`Permissions::from_listing_json`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Permissions::from_listing_json(&value))
    }
}

/// Why a set of permissions cannot be a key's grant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PermissionsError {
    /// Nothing is granted: neither admin nor any endpoint permission or resource scope.
    NothingGranted,
    /// Admin together with endpoint permissions or scopes; the API takes one or the other.
    AdminWithScopes,
    /// The permission tree is not in the API's format.
    Malformed(String),
}

impl fmt::Display for PermissionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermissionsError::NothingGranted => f.write_str(
                "the key grants nothing: give it admin, or at least one endpoint permission or resource scope",
            ),
            PermissionsError::AdminWithScopes => f.write_str(
                "admin cannot be combined with endpoint permissions or resource scopes",
            ),
            PermissionsError::Malformed(what) => write!(f, "malformed permissions: {what}"),
        }
    }
}

impl std::error::Error for PermissionsError {}

#[cfg(test)]
mod tests;
