//! The origins a request can go to, where each is by default, and the environment variables that
//! move them: what an endpoint, an error's target and the config all name, kept apart from
//! [`Config`](crate::Config) so that naming an origin needs nothing else.

/// The real service.
pub const DEFAULT_BASE_URL: &str = "https://api.pinata.cloud";
/// Environment variable that overrides the base URL (for the emulator, a proxy, or a staging host).
pub const ENV_BASE_URL: &str = "PINATA_API_URL";
/// Where v3 uploads go (`POST /v3/files`, `/v3/files/sign`).
pub const DEFAULT_UPLOADS_URL: &str = "https://uploads.pinata.cloud";
/// Environment variable that overrides the uploads origin.
pub const ENV_UPLOADS_URL: &str = "PINATA_UPLOADS_URL";
/// Environment variable that points every origin (API, uploads, gateway) at one server, as
/// [`Config::for_emulator`](crate::Config::for_emulator) does: the one switch for
/// `pinata-emulator`. A more specific variable set beside it (`PINATA_API_URL`,
/// `PINATA_UPLOADS_URL`, `PINATA_GATEWAY`) still wins for its own origin.
pub const ENV_EMULATOR_URL: &str = "PINATA_EMULATOR_URL";
/// Environment variable naming the account's gateway: a domain (`example.mypinata.cloud`, https is
/// assumed) or a URL.
pub const ENV_GATEWAY: &str = "PINATA_GATEWAY";
/// Environment variable holding the gateway key (a gateway access token).
pub const ENV_GATEWAY_KEY: &str = "PINATA_GATEWAY_KEY";

/// The places a request can go: v3 talks to three origins.
///
/// Credentials go to [`Origin::Api`] and [`Origin::Uploads`] only; a request to the account's
/// [`Origin::Gateway`] carries the gateway key (if one is configured) and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// The API, `https://api.pinata.cloud` (legacy `/data`, `/pinning`, `/users` and v3 `/v3/…`).
    Api,
    /// Uploads, `https://uploads.pinata.cloud` (`/v3/files`, signed upload URLs, TUS).
    Uploads,
    /// The account's gateway, `https://<name>.mypinata.cloud` (`/ipfs/<cid>`, `/files/<cid>`).
    Gateway,
    /// A URL the API signed (an upload URL or a private download link): the endpoint's
    /// [`path_and_query`](crate::Endpoint::path_and_query) is the whole URL, and the request
    /// carries no credential and no gateway key: the signature is its authority. Plain `http://`
    /// is refused unless the host is loopback, as for every origin.
    Signed,
}

impl Origin {
    /// Whether requests to this origin carry the client's credentials (only the API and uploads).
    pub fn takes_credentials(self) -> bool {
        matches!(self, Origin::Api | Origin::Uploads)
    }
}
