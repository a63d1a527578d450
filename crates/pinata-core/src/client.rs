//! Clients that drive endpoints over a transport: [`AsyncClient`] and [`BlockingClient`].
//!
//! Both are the same three steps, [`prepare_request`] → transport → [`interpret_response`]; only the
//! transport call differs. The endpoint methods (`test_authentication`, …) are declared once, in
//! `client_methods!`, and expanded for both clients.

use std::sync::Arc;
use std::time::SystemTime;

use crate::api::Network;
use crate::api::files::{
    DeleteFile, FileItem, FilePage, GetFile, GroupFile, ListFiles, UpdateFile,
};
use crate::api::gateways::{GatewayPage, ListGateways};
use crate::api::groups::{
    CreateGroup, DeleteGroup, GetGroup, Group, GroupPage, ListGroups, UpdateGroup,
};
use crate::api::keys::{ApiKeyPage, CreateApiKey, CreatedApiKey, ListApiKeys, RevokeApiKey};
use crate::api::pin_by_cid::{CancelPinByCid, ListPinQueue, PinByCid, PinByCidJob, PinQueuePage};
use crate::api::pinning::{
    CreateLegacyGroup, DeleteLegacyGroup, GetLegacyGroup, LegacyGroup, LegacyGroupCids,
    ListLegacyGroups, RenameLegacyGroup,
};
use crate::api::pinning::{
    ListPinJobs, ListPins, PinByHash, PinByHashJob, PinFile, PinJobPage, PinJson, PinPage,
    PinResponse, PinnedDataTotal, UnpinCid, UpdatePinMetadata, UserPinnedDataTotal,
};
use crate::api::psa::{
    AddPsaPin, GetPsaPin, ListPsaPins, PsaPin, PsaPinResults, PsaPinStatus, RemovePsaPin,
    ReplacePsaPin,
};
use crate::api::signed::{CreateDownloadLink, CreateSignedUploadUrl, SignedUrl};
use crate::api::swaps::{CidSignature, Signature, SwapAnswer, SwapCid};
use crate::api::{AuthenticationOk, TestAuthentication};
use crate::config::Config;
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::{Error, RequestTarget, TransportError};
use crate::exchange::{interpret_response, prepare_request};
use crate::retry::{Attempts, Next};
use crate::transport::{AsyncTransport, BlockingTransport, TransportFactory};

/// A Pinata client over an asynchronous transport. `pinata_hyper::Client` is this type with hyper.
///
/// Cloning is cheap (one reference count): clones share the transport, and with it the connection
/// pool, the credentials and the configuration.
pub struct AsyncClient<T> {
    shared: Arc<Shared<T>>,
}

/// A Pinata client over a blocking transport. `pinata_ureq::Client` is this type with ureq.
///
/// Cloning is cheap (one reference count): clones share the transport, and with it the connection
/// pool, the credentials and the configuration.
pub struct BlockingClient<T> {
    shared: Arc<Shared<T>>,
}

/// What a client's clones share.
struct Shared<T> {
    transport: T,
    credentials: Credentials,
    config: Config,
}

/// Constructors and accessors, identical for both clients.
macro_rules! common_impl {
    ($client:ident) => {
        /// Shows the credentials (redacted) and the configuration, not the transport.
        impl<T> std::fmt::Debug for $client<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($client))
                    .field("credentials", &self.shared.credentials)
                    .field("config", &self.shared.config)
                    .finish_non_exhaustive()
            }
        }

        /// Another handle on the same client: one reference count, no copy.
        impl<T> Clone for $client<T> {
            fn clone(&self) -> Self {
                Self {
                    shared: Arc::clone(&self.shared),
                }
            }
        }

        impl<T> $client<T> {
            /// A client that sends through `transport`. The transport should apply
            /// `config.transport_options()`; [`TransportFactory`] transports get it in the other constructors.
            pub fn with_transport(transport: T, credentials: Credentials, config: Config) -> Self {
                Self {
                    shared: Arc::new(Shared {
                        transport,
                        credentials,
                        config,
                    }),
                }
            }

            /// The credentials every request carries.
            pub fn credentials(&self) -> &Credentials {
                &self.shared.credentials
            }

            /// The configuration.
            pub fn config(&self) -> &Config {
                &self.shared.config
            }

            /// The transport.
            pub fn transport(&self) -> &T {
                &self.shared.transport
            }

            /// The same client (sharing the transport's connection pool where it has one) with other
            /// credentials.
            pub fn with_credentials(&self, credentials: Credentials) -> Self
            where
                T: Clone,
            {
                Self::with_transport(self.transport().clone(), credentials, self.config().clone())
            }
        }

        impl<T: TransportFactory> $client<T> {
            /// A client for `https://api.pinata.cloud` with default settings.
            pub fn new(credentials: Credentials) -> Result<Self, Error> {
                Self::with_config(credentials, Config::default())
            }

            /// A client with `config` (base URL, timeouts, limits…).
            pub fn with_config(credentials: Credentials, config: Config) -> Result<Self, Error> {
                let transport = T::from_config(&config)?;
                Ok(Self::with_transport(transport, credentials, config))
            }

            /// A client configured from the environment: `PINATA_JWT` (or `PINATA_API_KEY` and
            /// `PINATA_API_SECRET`) and the origins ([`Config::from_env`]: `PINATA_EMULATOR_URL`
            /// for all three at once, `PINATA_API_URL`, `PINATA_UPLOADS_URL`, `PINATA_GATEWAY`).
            pub fn from_env() -> Result<Self, Error> {
                Self::with_config(Credentials::from_env()?, Config::from_env()?)
            }
        }
    };
}

common_impl!(AsyncClient);
common_impl!(BlockingClient);

impl<T: AsyncTransport> AsyncClient<T> {
    /// Calls any endpoint, retrying as the config's [`crate::retry::RetryPolicy`] allows.
    pub async fn execute<E: Endpoint + Sync + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, Error> {
        let mut attempts = Attempts::new(self.config().retry_policy(), endpoint);
        loop {
            attempts.begin();
            match attempts.after(self.attempt(endpoint).await) {
                Next::Done(result) => return result,
                Next::Wait(wait) => self.transport().sleep(wait).await,
            }
        }
    }

    /// One send of `endpoint`: build, send, read.
    pub(crate) async fn attempt<E: Endpoint + Sync + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<E::Output, Error> {
        let Shared {
            transport,
            credentials,
            config,
        } = &*self.shared;
        let request = prepare_request(endpoint, credentials, config, SystemTime::now())?;
        let sent = request.body().clone();
        let sending = Sending::of(endpoint, &request);
        let response = transport
            .send(request)
            .await
            .map_err(|e| local_failure(&sent, sending.failed(e)))?;
        interpret_response(endpoint, &sent, response).map_err(|e| {
            let e = e.redact_client_secrets(credentials, config);
            redact_signed(endpoint, sending.answered(e))
        })
    }
}

impl<T: BlockingTransport> BlockingClient<T> {
    /// Calls any endpoint, retrying as the config's [`crate::retry::RetryPolicy`] allows.
    pub fn execute<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let mut attempts = Attempts::new(self.config().retry_policy(), endpoint);
        loop {
            attempts.begin();
            match attempts.after(self.attempt(endpoint)) {
                Next::Done(result) => return result,
                Next::Wait(wait) => self.transport().sleep(wait),
            }
        }
    }

    /// One send of `endpoint`: build, send, read.
    pub(crate) fn attempt<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, Error> {
        let Shared {
            transport,
            credentials,
            config,
        } = &*self.shared;
        let request = prepare_request(endpoint, credentials, config, SystemTime::now())?;
        let sent = request.body().clone();
        let sending = Sending::of(endpoint, &request);
        let response = transport
            .send(request)
            .map_err(|e| local_failure(&sent, sending.failed(e)))?;
        interpret_response(endpoint, &sent, response).map_err(|e| {
            let e = e.redact_client_secrets(credentials, config);
            redact_signed(endpoint, sending.answered(e))
        })
    }
}

impl Error {
    /// As [`Error::redact_secrets`], with the config's gateway key and its proxy's password (and
    /// `Basic` token) too: what the clients apply. It reads the config, so it sits here, beside the
    /// clients, rather than with the errors.
    pub(crate) fn redact_client_secrets(self, credentials: &Credentials, config: &Config) -> Self {
        let mut secrets = credentials.secrets();
        if let Some(key) = config.gateway_key() {
            secrets.push(zeroize::Zeroizing::new(key.expose_secret().to_owned()));
        }
        secrets.extend(config.proxy_secrets());
        self.redact_listed(secrets.iter().map(|s| s.as_str()))
    }
}

/// Removes the secret parts of a signed URL the request went to from its error.
pub(crate) fn redact_signed<E: Endpoint + ?Sized>(endpoint: &E, e: Error) -> Error {
    match (endpoint.origin(), endpoint.path_and_query()) {
        (crate::config::Origin::Signed, Ok(url)) => e.redact_url_secrets(&url),
        _ => e,
    }
}

/// What a transport error names of the request it failed: kept before the request is handed over
/// (the URI and method are cheap to keep), made into a [`RequestTarget`] only on a failure.
pub(crate) struct Sending {
    origin: crate::config::Origin,
    method: http::Method,
    uri: http::Uri,
    endpoint: Option<&'static str>,
}

impl Sending {
    /// What `request`, prepared for `endpoint`, will be named by its errors.
    pub(crate) fn of<E: Endpoint + ?Sized, B>(endpoint: &E, request: &http::Request<B>) -> Self {
        Self {
            origin: endpoint.origin(),
            method: request.method().clone(),
            uri: request.uri().clone(),
            endpoint: crate::api::metadata::of_endpoint(endpoint).map(|m| m.name),
        }
    }

    /// `e`, naming where the request went: the one place transport errors learn their target.
    pub(crate) fn failed(&self, e: TransportError) -> TransportError {
        e.with_target(self.target())
    }

    /// `e`, an API error naming the request it answers; any other error as it is.
    pub(crate) fn answered(&self, e: Error) -> Error {
        match e {
            Error::Api(api) => Error::Api(Box::new(api.with_target(self.target()))),
            other => other,
        }
    }

    fn target(&self) -> RequestTarget {
        RequestTarget::new(self.origin, &self.method, &self.uri).for_endpoint(self.endpoint)
    }
}

/// A transport failure during an upload that the upload itself caused (a file that changed or could
/// not be read) is reported as that local failure, not as a network problem.
fn local_failure(sent: &crate::endpoint::Body, e: TransportError) -> Error {
    match sent.upload().and_then(|u| u.watch().take_failure()) {
        Some(local) => Error::Local(local),
        None => Error::Transport(e),
    }
}

/// Declares the endpoint methods once and expands them for both clients. Each entry is
/// `doc, name(args) -> Output = endpoint expression`.
macro_rules! client_methods {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty = $endpoint:expr;
    )*) => {
        impl<T: AsyncTransport> AsyncClient<T> {
            $(
                $(#[doc = $doc])*
                pub async fn $name(&self, $($arg: $ty),*) -> Result<$out, Error> {
                    self.execute(&$endpoint).await
                }
            )*
        }

        impl<T: BlockingTransport> BlockingClient<T> {
            $(
                $(#[doc = $doc])*
                pub fn $name(&self, $($arg: $ty),*) -> Result<$out, Error> {
                    self.execute(&$endpoint)
                }
            )*
        }
    };
}

client_methods! {
    /// `GET /data/testAuthentication`: checks that the API accepts these credentials.
    ///
    /// Any valid, non-revoked key passes, even one without permissions.
    fn test_authentication() -> AuthenticationOk = TestAuthentication;

    /// Creates an API key (admin keys only). The answer holds the secret and JWT, shown only once.
    fn create_api_key(request: &CreateApiKey) -> CreatedApiKey = request;

    /// One page of API keys (admin keys only); see `paginate` to walk them all.
    fn list_api_keys(request: &ListApiKeys) -> ApiKeyPage = request;

    /// Revokes the key whose public key is `api_key` through the legacy path (admin keys only); use
    /// `execute(&RevokeApiKey::new(key).via(KeyApi::V3))` for the v3 path.
    fn revoke_api_key(api_key: &str) -> () = RevokeApiKey::new(api_key);

    /// `POST /pinning/pinFileToIPFS`: uploads a file or folder, streamed from disk, or bytes in
    /// memory (`PinFile::bytes`).
    fn pin_file(request: &PinFile) -> PinResponse = request;

    /// `POST /pinning/pinJSONToIPFS`: pins a JSON document.
    fn pin_json(request: &PinJson) -> PinResponse = request;

    /// `POST /pinning/pinByHash`: queues a pin of a CID already on the network.
    fn pin_by_hash(request: &PinByHash) -> PinByHashJob = request;

    /// `GET /pinning/pinJobs`: one page of pin-by-hash jobs; see `paginate` for all.
    fn pin_jobs(request: &ListPinJobs) -> PinJobPage = request;

    /// `PUT /pinning/hashMetadata`: renames a pin and merges its key-values.
    fn update_pin_metadata(request: &UpdatePinMetadata) -> () = request;

    /// `DELETE /pinning/unpin/{cid}`: removes the account's pin of `cid`.
    fn unpin(cid: &str) -> () = UnpinCid::new(cid);

    /// `GET /data/pinList`: one page of pins; see `paginate` for all.
    fn list_pins(request: &ListPins) -> PinPage = request;

    /// `GET /data/userPinnedDataTotal`: how many pins, how many bytes.
    fn pinned_data_total() -> PinnedDataTotal = UserPinnedDataTotal;

    /// `POST /v3/groups/{network}`: creates a v3 group (needs `org:groups:write`).
    fn create_group(request: &CreateGroup) -> Group = request;

    /// `GET /v3/groups/{network}`: one page of v3 groups; see `paginate` for all.
    fn list_groups(request: &ListGroups) -> GroupPage = request;

    /// `GET /v3/groups/{network}/{id}`: one v3 group.
    fn get_group(request: &GetGroup) -> Group = request;

    /// `PUT /v3/groups/{network}/{id}`: renames a v3 group or changes whether it is public.
    fn update_group(request: &UpdateGroup) -> Group = request;

    /// `DELETE /v3/groups/{network}/{id}`: deletes a v3 group.
    fn delete_group(request: &DeleteGroup) -> () = request;

    /// `POST /groups`: creates a legacy group of pins (admin keys).
    fn create_legacy_group(request: &CreateLegacyGroup) -> LegacyGroup = request;

    /// `GET /groups`: one page of legacy groups; see `paginate` for all.
    fn list_legacy_groups(request: &ListLegacyGroups) -> Vec<LegacyGroup> = request;

    /// `GET /groups/{id}`: one legacy group.
    fn get_legacy_group(id: &str) -> LegacyGroup = GetLegacyGroup::new(id);

    /// `PUT /groups/{id}`: renames a legacy group.
    fn rename_legacy_group(request: &RenameLegacyGroup) -> LegacyGroup = request;

    /// `DELETE /groups/{id}`: deletes a legacy group (its pins stay).
    fn delete_legacy_group(id: &str) -> () = DeleteLegacyGroup::new(id);

    /// `PUT` or `DELETE /groups/{id}/cids`: adds pins to a legacy group or removes them.
    fn legacy_group_cids(request: &LegacyGroupCids) -> () = request;

    /// `POST /v3/files/public/pin_by_cid`: queues a v3 pin of a CID already on IPFS.
    fn pin_by_cid(request: &PinByCid) -> PinByCidJob = request;

    /// `GET /v3/files/public/pin_by_cid`: one page of the v3 pin queue; see `paginate` for all.
    fn pin_queue(request: &ListPinQueue) -> PinQueuePage = request;

    /// `DELETE /v3/files/public/pin_by_cid/{id}`: cancels a queued v3 pin by CID.
    fn cancel_pin_by_cid(id: &str) -> () = CancelPinByCid::new(id);

    /// `GET /v3/files/{network}`: one page of files; see `paginate` for all (needs
    /// `org:files:read`).
    fn list_files(request: &ListFiles) -> FilePage = request;

    /// `GET /v3/files/{network}/{id}`: one file (needs `org:files:read`).
    fn get_file(network: Network, id: &str) -> FileItem = GetFile::new(network, id);

    /// `PUT /v3/files/{network}/{id}`: renames a file, replaces its key-values or sets its expiry
    /// (needs `org:files:write`).
    fn update_file(request: &UpdateFile) -> FileItem = request;

    /// `DELETE /v3/files/{network}/{id}`: deletes a file (needs `org:files:write`).
    fn delete_file(network: Network, id: &str) -> () = DeleteFile::new(network, id);

    /// `PUT /v3/groups/{network}/{group}/ids/{file}`: puts a file into a group (needs
    /// `org:groups:write`).
    fn add_file_to_group(network: Network, group: &str, file: &str) -> () =
        GroupFile::add(network, group, file);

    /// `DELETE /v3/groups/{network}/{group}/ids/{file}`: takes a file out of a group (needs
    /// `org:groups:write`).
    fn remove_file_from_group(network: Network, group: &str, file: &str) -> () =
        GroupFile::remove(network, group, file);

    /// `GET /v3/ipfs/gateways`: the account's dedicated gateways (needs `org:gateways:read`); a
    /// row's `host()` is the domain to set as the gateway.
    fn list_gateways(request: &ListGateways) -> GatewayPage = request;

    /// `POST {uploads}/v3/files/sign`: signs an upload URL for a client without credentials
    /// (needs `org:files:write`).
    fn create_signed_upload_url(request: &CreateSignedUploadUrl) -> SignedUrl = request;

    /// `POST /v3/files/private/download_link`: signs a link to a private file (needs
    /// `org:files:read`); see `private_download_link` for the configured gateway.
    fn create_download_link(request: &CreateDownloadLink) -> SignedUrl = request;

    /// `PUT|GET|DELETE /v3/files/{network}/swap/{cid}`: hot swaps (needs `org:files:write`;
    /// history `org:files:read`).
    fn swap_cid(request: &SwapCid) -> SwapAnswer = request;

    /// `POST|GET|DELETE /v3/files/{network}/signature/{cid}`: a CID's signature (needs
    /// `org:files:write`; reading `org:files:read`).
    fn cid_signature(request: &CidSignature) -> Option<Signature> = request;

    /// `GET /psa/pins`: one page of Pinning Service API requests; see `paginate` for all.
    fn psa_list(request: &ListPsaPins) -> PsaPinResults = request;

    /// `POST /psa/pins`: asks the Pinning Service API to pin a CID.
    fn psa_add(pin: &PsaPin) -> PsaPinStatus = AddPsaPin(pin.clone());

    /// `GET /psa/pins/{requestid}`: one Pinning Service API request.
    fn psa_get(requestid: &str) -> PsaPinStatus = GetPsaPin(requestid.to_owned());

    /// `POST /psa/pins/{requestid}`: replaces a request with another pin (a new request id).
    fn psa_replace(requestid: &str, pin: &PsaPin) -> PsaPinStatus = ReplacePsaPin {
        requestid: requestid.to_owned(),
        pin: pin.clone(),
    };

    /// `DELETE /psa/pins/{requestid}`: removes a Pinning Service API request.
    fn psa_remove(requestid: &str) -> () = RemovePsaPin(requestid.to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn clones_share_one_transport_credentials_and_config() {
        // A transport that is not `Clone` (it owns its counter): the client clones anyway, and
        // every clone sends through this one instance.
        let sent = AtomicUsize::new(0);
        let transport = move |_request: http::Request<crate::Body>| {
            let n = sent.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(http::Response::new(Bytes::from(format!(
                r#"{{"message":"call {n}"}}"#
            ))))
        };
        let credentials = Credentials::key_pair("0123456789abcdef0123", "c0ffee".repeat(10))
            .expect("valid credentials");
        let client = BlockingClient::with_transport(transport, credentials, Config::default());
        let clone = client.clone();
        assert!(std::ptr::eq(client.config(), clone.config()));
        assert!(std::ptr::eq(client.credentials(), clone.credentials()));
        assert_eq!(client.test_authentication().unwrap().message, "call 1");
        assert_eq!(clone.test_authentication().unwrap().message, "call 2");
    }
}
