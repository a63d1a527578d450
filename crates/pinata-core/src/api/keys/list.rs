//! Listing keys: `GET /users/apiKeys` or `GET /v3/pinata/keys`, one page at a time.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::{KeyApi, Permissions};
use crate::endpoint::{Endpoint, Paginated};
use crate::error::{BuildError, DecodeError};
use crate::query::Query;
use crate::secret::SecretString;

/// Lists keys, newest first, with optional filters. One call returns one page; walk them all with
/// `client.paginate(ListApiKeys::new())` (the next page's offset is computed for you).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListApiKeys {
    name: Option<String>,
    revoked: Option<bool>,
    limited_use: Option<bool>,
    exhausted: Option<bool>,
    offset: u64,
    api: KeyApi,
}

impl ListApiKeys {
    /// All keys, from the first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only keys whose name contains `name` (case-insensitive).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Only revoked (`true`) or only active (`false`) keys.
    pub fn revoked(mut self, revoked: bool) -> Self {
        self.revoked = Some(revoked);
        self
    }

    /// Only keys with (`true`) or without (`false`) a maximum number of uses.
    pub fn limited_use(mut self, limited: bool) -> Self {
        self.limited_use = Some(limited);
        self
    }

    /// Only limited keys that have (`true`) or have not (`false`) used up their uses. The API applies
    /// this filter only together with `limitedUse=true`, so this sets that too.
    pub fn exhausted(mut self, exhausted: bool) -> Self {
        self.exhausted = Some(exhausted);
        self.limited_use = Some(true);
        self
    }

    /// Starts at this offset.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Sends the request to the given generation of the key paths (legacy by default).
    pub fn via(mut self, api: KeyApi) -> Self {
        self.api = api;
        self
    }

    /// The offset this request starts at.
    pub fn start(&self) -> u64 {
        self.offset
    }
}

/// One page of keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiKeyPage {
    /// The keys on this page.
    pub keys: Vec<ApiKeyInfo>,
    /// How many keys match the filters in all.
    pub count: u64,
}

impl ApiKeyPage {
    /// A page of `keys` out of `count` in all (for a test's fake).
    pub fn new(keys: Vec<ApiKeyInfo>, count: u64) -> Self {
        Self { keys, count }
    }
}

/// A key as listed. The secret is held as a [`SecretString`] (redacted in `Debug`, where the dates
/// show as dates). `Serialize` writes the shape it is read from but never the secret (listings are
/// what gets logged and cached; read [`ApiKeyInfo::secret`] to have it); [`ApiKeyInfo::new`] makes
/// one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiKeyInfo {
    /// Row id.
    pub id: String,
    /// Name given at creation.
    pub name: String,
    /// Public key (`pinata_api_key`).
    pub key: String,
    /// The secret, when the API includes it (never serialised).
    #[serde(default, skip_serializing, deserialize_with = "optional_secret")]
    pub secret: Option<SecretString>,
    /// Maximum number of uses, if limited.
    #[serde(default)]
    pub max_uses: Option<u64>,
    /// Successful uses so far.
    #[serde(default)]
    pub uses: u64,
    /// The owning user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// What the key may do.
    #[serde(default)]
    pub scopes: Permissions,
    /// Whether the key is revoked.
    #[serde(default)]
    pub revoked: bool,
    /// When it was created.
    #[serde(
        rename = "createdAt",
        default,
        serialize_with = "crate::time::serialize_optional",
        deserialize_with = "crate::time::deserialize_optional"
    )]
    pub created_at: Option<std::time::SystemTime>,
    /// When it was last updated.
    #[serde(
        rename = "updatedAt",
        default,
        serialize_with = "crate::time::serialize_optional",
        deserialize_with = "crate::time::deserialize_optional"
    )]
    pub updated_at: Option<std::time::SystemTime>,
}

fn optional_secret<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(SecretString::new))
}

impl ApiKeyInfo {
    /// Key `id` called `name` with public key `key` (for a test's fake): no secret, unlimited and
    /// unused, no permissions, not revoked, no dates.
    pub fn new(id: impl Into<String>, name: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            key: key.into(),
            secret: None,
            max_uses: None,
            uses: 0,
            user_id: None,
            scopes: Permissions::default(),
            revoked: false,
            created_at: None,
            updated_at: None,
        }
    }

    /// Whether the key has used up its maximum number of uses.
    pub fn is_exhausted(&self) -> bool {
        self.max_uses.is_some_and(|max| self.uses >= max)
    }
}

impl fmt::Debug for ApiKeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyInfo")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("key", &self.key)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .field("max_uses", &self.max_uses)
            .field("uses", &self.uses)
            .field("user_id", &self.user_id)
            .field("scopes", &self.scopes)
            .field("revoked", &self.revoked)
            .field("created_at", &crate::time::MaybeDated(&self.created_at))
            .field("updated_at", &crate::time::MaybeDated(&self.updated_at))
            .finish()
    }
}

impl Endpoint for ListApiKeys {
    type Output = ApiKeyPage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("name", self.name.as_deref())
            .push_opt("revoked", self.revoked)
            .push_opt("limitedUse", self.limited_use)
            .push_opt("exhausted", self.exhausted);
        if self.offset > 0 {
            q.push("offset", self.offset);
        }
        Ok(q.append_to(match self.api {
            KeyApi::Legacy => "/users/apiKeys",
            KeyApi::V3 => "/v3/pinata/keys",
        }))
    }

    fn parse(
        &self,
        status: StatusCode,
        _headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<ApiKeyPage, DecodeError> {
        DecodeError::decode_json(status, body)
    }
}

impl Paginated for ListApiKeys {
    type Item = ApiKeyInfo;

    fn next_page(&self, page: &ApiKeyPage) -> Option<Self> {
        let next = self.offset + page.keys.len() as u64;
        (!page.keys.is_empty() && next < page.count).then(|| self.clone().offset(next))
    }

    fn into_items(page: ApiKeyPage) -> Vec<ApiKeyInfo> {
        page.keys
    }
}
