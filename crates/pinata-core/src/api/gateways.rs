//! The account's dedicated gateways: `GET /v3/ipfs/gateways`, the list Pinata's Go CLI reads for
//! its `gateways set` picker. Scope: `org:gateways:read` (or an admin key). The answer is
//! `{"data": {"rows": […], "count": n}}`.
//!
//! Which path: the v3 spec documents the list as `GET /v3/gateways` (with `pageSize` and `page`);
//! the official Go CLI calls `GET /v3/ipfs/gateways` with no query, and that is the path known to
//! answer in the field, so it is the one sent here. The spec's paging parameters are sent only
//! when asked for ([`ListGateways::page_size`], [`ListGateways::page`]).
//!
//! Which fields: the spec's example row is `{id, created_at, domain, restrict, custom_domains}`;
//! the Go CLI reads `domain` alone. So `domain` is the one field a row must have; every other is
//! optional (and `name`, which neither shows, is read if the service sends it). Unknown fields are
//! ignored.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::v3::{decode_data, null_as_empty};
use crate::endpoint::Endpoint;
use crate::error::{BuildError, DecodeError};
use crate::query::Query;

/// The parent domain of Pinata's dedicated gateways: a row's `domain` is the label before it.
pub const GATEWAY_PARENT_DOMAIN: &str = "mypinata.cloud";

/// One of the account's dedicated gateways. `Serialize` writes the shape it is read from; `Debug`
/// shows `created_at` as a date; [`Gateway::new`] makes one for a test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Gateway {
    /// Its id (a UUID on the real service; empty if the answer had none).
    #[serde(default)]
    pub id: String,
    /// Its name, if the service gives one (the spec's example has none).
    #[serde(default)]
    pub name: Option<String>,
    /// Its subdomain of [`GATEWAY_PARENT_DOMAIN`] (`aquamarine-casual-tarantula-177`); see
    /// [`Gateway::host`] for the host to reach it at.
    pub domain: String,
    /// Whether it is restricted (serves only the account's own content, or only with a key).
    #[serde(default)]
    pub restrict: Option<bool>,
    /// When it was made.
    #[serde(
        default,
        serialize_with = "crate::time::serialize_optional",
        deserialize_with = "crate::time::deserialize_optional"
    )]
    pub created_at: Option<SystemTime>,
    /// The custom domains that also reach it.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub custom_domains: Vec<CustomDomain>,
}

debug_with_dates!(Gateway {
    id,
    name,
    domain,
    restrict,
    created_at as maybe_date,
    custom_domains,
});

impl Gateway {
    /// The gateway `id` whose subdomain is `domain` (for a test's fake): no name, no custom
    /// domains, nothing else known. Set the public fields for the rest.
    ///
    /// ```
    /// let gateway = pinata_core::api::gateways::Gateway::new("gw-1", "example");
    /// assert_eq!(gateway.host().as_deref(), Some("example.mypinata.cloud"));
    /// ```
    pub fn new(id: impl Into<String>, domain: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            domain: domain.into(),
            restrict: None,
            created_at: None,
            custom_domains: Vec::new(),
        }
    }

    /// The host the gateway answers at, as Pinata's Go CLI builds it: `<domain>.mypinata.cloud`.
    /// A domain that already holds a dot is taken as a whole host and returned as it is (the
    /// service sends the bare label, so a dotted one is already qualified: adding the parent again
    /// would name a host that does not exist). `None` when the domain is empty.
    pub fn host(&self) -> Option<String> {
        let domain = self.domain.trim();
        if domain.is_empty() {
            None
        } else if domain.contains('.') {
            Some(domain.to_owned())
        } else {
            Some(format!("{domain}.{GATEWAY_PARENT_DOMAIN}"))
        }
    }
}

/// A custom domain of a gateway, as the spec's example shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomDomain {
    /// The domain (`ipfs.example.com`).
    pub domain: String,
    /// Its id.
    #[serde(default)]
    pub custom_domain_id: Option<String>,
    /// Where its DNS validation stands (`pending`, …).
    #[serde(default)]
    pub domain_validation_status: Option<String>,
    /// Where its certificate stands (`initializing`, …).
    #[serde(default)]
    pub ssl_validation_status: Option<String>,
}

impl CustomDomain {
    /// The custom domain `domain`, its statuses unknown (for a test's fake).
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            custom_domain_id: None,
            domain_validation_status: None,
            ssl_validation_status: None,
        }
    }
}

/// The account's gateways (one page of them, when paging is asked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GatewayPage {
    /// The gateways.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rows: Vec<Gateway>,
    /// How many gateways the account has in all, when the service says (more than `rows` holds
    /// when the list was cut into pages).
    #[serde(default)]
    pub count: Option<u64>,
}

impl GatewayPage {
    /// A page of `rows`, `count` in all if known (for a test's fake).
    pub fn new(rows: Vec<Gateway>, count: Option<u64>) -> Self {
        Self { rows, count }
    }
}

/// Lists the account's gateways. Needs `org:gateways:read`.
///
/// Sent with no query by default, as Pinata's Go CLI sends it. The spec's paging parameters
/// (`pageSize`, `page`) are for accounts with more gateways than one answer holds; the spec does
/// not say whether pages count from 0 or 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListGateways {
    page_size: Option<u32>,
    page: Option<u32>,
}

impl ListGateways {
    /// All of the account's gateways, as one answer gives them.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `size` gateways per answer (`pageSize`); refused when 0.
    pub fn page_size(mut self, size: u32) -> Result<Self, BuildError> {
        if size == 0 {
            return Err(BuildError::InvalidInput(
                "a page holds at least one gateway".into(),
            ));
        }
        self.page_size = Some(size);
        Ok(self)
    }

    /// The page to answer (`page`).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }
}

impl Endpoint for ListGateways {
    type Output = GatewayPage;

    fn method(&self) -> Method {
        Method::GET
    }

    fn path_and_query(&self) -> Result<String, BuildError> {
        let mut q = Query::new();
        q.push_opt("pageSize", self.page_size)
            .push_opt("page", self.page);
        Ok(q.append_to("/v3/ipfs/gateways"))
    }

    fn parse(
        &self,
        status: StatusCode,
        _: &HeaderMap,
        body: &Bytes,
    ) -> Result<GatewayPage, DecodeError> {
        decode_data(status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_the_go_clis_and_paging_is_the_specs() {
        assert_eq!(
            ListGateways::new().path_and_query().unwrap(),
            "/v3/ipfs/gateways"
        );
        assert_eq!(ListGateways::new().method(), Method::GET);
        assert_eq!(
            ListGateways::new()
                .page_size(5)
                .unwrap()
                .page(2)
                .path_and_query()
                .unwrap(),
            "/v3/ipfs/gateways?pageSize=5&page=2"
        );
        assert!(ListGateways::new().page_size(0).is_err());
    }

    #[test]
    fn the_specs_example_decodes_and_unknown_fields_are_ignored() {
        let body = Bytes::from_static(
            br#"{"data":{"count":2,"rows":[
                {"id":"01dae16b-699c-472a-a61e-975a7b9777bd","created_at":"2023-01-24T19:51:17.493Z",
                 "domain":"restricted-example","restrict":true,
                 "custom_domains":[{"domain":"ipfs.example.com","domain_validation_status":"pending",
                   "custom_domain_id":"87980e39","ssl_validation_status":"initializing"}],
                 "settings":{"restriction_policies":{}},"plan":"picnic"},
                {"domain":"open-example","custom_domains":null}
            ]}}"#,
        );
        let page = ListGateways::new()
            .parse(StatusCode::OK, &HeaderMap::new(), &body)
            .unwrap();
        assert_eq!(page.count, Some(2));
        assert_eq!(page.rows.len(), 2);
        let first = &page.rows[0];
        assert_eq!(first.id, "01dae16b-699c-472a-a61e-975a7b9777bd");
        assert_eq!(first.restrict, Some(true));
        assert_eq!(first.name, None);
        assert_eq!(
            first.created_at.map(crate::time::format_iso8601).as_deref(),
            Some("2023-01-24T19:51:17.493Z")
        );
        assert_eq!(first.custom_domains[0].domain, "ipfs.example.com");
        assert_eq!(
            first.custom_domains[0].ssl_validation_status.as_deref(),
            Some("initializing")
        );
        // The Go CLI's reading: a row with only a domain is a gateway.
        let second = &page.rows[1];
        assert_eq!(second.id, "");
        assert!(second.custom_domains.is_empty());
        assert_eq!(
            second.host().as_deref(),
            Some("open-example.mypinata.cloud")
        );
        // What it serialises to reads back the same.
        let again: GatewayPage =
            serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(again, page);
    }

    #[test]
    fn answers_without_rows_are_empty_and_rows_need_a_domain() {
        let parse = |body: &'static [u8]| {
            ListGateways::new().parse(StatusCode::OK, &HeaderMap::new(), &Bytes::from_static(body))
        };
        assert!(parse(br#"{"data":{"rows":null}}"#).unwrap().rows.is_empty());
        assert!(parse(br#"{"data":{}}"#).unwrap().rows.is_empty());
        let e = parse(br#"{"data":{"rows":[{"id":"x"}]}}"#).unwrap_err();
        assert!(e.to_string().contains("domain"), "{e}");
    }

    #[test]
    fn the_host_is_the_domain_under_mypinata_cloud_unless_it_is_already_a_host() {
        let host = |domain: &str| Gateway::new("g", domain).host();
        assert_eq!(
            host("aquamarine-casual-tarantula-177").as_deref(),
            Some("aquamarine-casual-tarantula-177.mypinata.cloud")
        );
        assert_eq!(
            host("example.mypinata.cloud").as_deref(),
            Some("example.mypinata.cloud")
        );
        assert_eq!(
            host("ipfs.example.com").as_deref(),
            Some("ipfs.example.com")
        );
        assert_eq!(host(" spaced ").as_deref(), Some("spaced.mypinata.cloud"));
        assert_eq!(host(""), None);
        assert_eq!(host("  "), None);
    }
}
