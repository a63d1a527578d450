//! The sans-IO heart of every call: [`prepare_request`] turns an endpoint into an `http::Request`, and
//! [`interpret_response`] turns an `http::Response` into the endpoint's output or an [`Error`].

use std::time::SystemTime;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LOCATION, USER_AGENT};
use http::{Request, Response};

use crate::config::{Config, Origin};
use crate::credentials::Credentials;
use crate::endpoint::{Body, Endpoint};
use crate::error::{ApiError, BuildError, Error, RedirectError};
use crate::loopback::LoopbackOnly;

/// Builds the complete request for `endpoint`: absolute URI, headers, credentials and body.
///
/// Refuses, before anything is sent: plain `http://` to a host that is not loopback (unless the config
/// allows it) and, when the config says so, a JWT whose `exp` is past at `now`.
///
/// A plain-http request to a loopback host (without the opt-in) is marked
/// [`LoopbackOnly`](crate::transport::LoopbackOnly) in its extensions: the transport must connect
/// only to loopback addresses (see [`crate::Config::allow_insecure_http`]).
pub fn prepare_request<E: Endpoint + ?Sized>(
    endpoint: &E,
    credentials: &Credentials,
    config: &Config,
    now: SystemTime,
) -> Result<Request<Body>, BuildError> {
    let origin = endpoint.origin();
    let mut path_and_query = endpoint.path_and_query()?;
    let signed;
    let base = if origin == Origin::Signed {
        let (base, rest) = crate::config::BaseUrl::split_absolute(&path_and_query)
            .map_err(|e| BuildError::InvalidInput(format!("a signed URL is not usable: {e}")))?;
        path_and_query = rest;
        signed = base;
        &signed
    } else {
        config.origin_url(origin).ok_or_else(|| {
            BuildError::InvalidInput(
                "no gateway is configured: set PINATA_GATEWAY or Config::with_gateway".into(),
            )
        })?
    };
    // Plain http without the opt-in: loopback by the URL's text, and (the mark) by every address
    // the transport resolves the host to.
    let loopback_only = !base.is_https() && !config.allows_insecure_http();
    if loopback_only && !base.is_loopback() {
        return Err(BuildError::InsecureHttp {
            host: base.host().to_owned(),
        });
    }
    if config.refuses_expired_jwt()
        && let Some(claims) = credentials.unverified_claims()
        && claims.is_expired_at(now, config.jwt_expiry_leeway())
    {
        return Err(BuildError::ExpiredJwt {
            expired_at: claims.expires_at().unwrap_or_default(),
        });
    }

    if origin == Origin::Gateway
        && let Some(key) = config.gateway_key()
    {
        // As the official SDK sends it; the key was checked to be visible ASCII, and is
        // percent-encoded like any query value.
        let separator = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        path_and_query = format!(
            "{path_and_query}{separator}pinataGatewayToken={}",
            crate::query::encode_segment(key.expose_secret())
        );
    }
    let uri = base.join(&path_and_query).map_err(BuildError::Http)?;
    let body = endpoint.body()?;
    let user_agent = config.user_agent_header().cloned().ok_or_else(|| {
        BuildError::InvalidInput("the User-Agent is not a valid header value".into())
    })?;

    let mut builder = Request::builder()
        .method(endpoint.method())
        .uri(uri)
        .header(ACCEPT, HeaderValue::from_static(endpoint.accept()))
        .header(USER_AGENT, user_agent);
    if let Some(content_type) = body.content_type() {
        builder = builder
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, body.content_length());
    }
    let mut request = builder.body(body).map_err(BuildError::Http)?;
    for (name, value) in endpoint.headers()? {
        if let Some(name) = name
            && !matches!(
                name.as_str(),
                "authorization" | "pinata_api_key" | "pinata_secret_api_key"
            )
        {
            request.headers_mut().insert(name, value);
        }
    }
    if origin.takes_credentials() {
        credentials.apply_to(request.headers_mut());
    }
    if loopback_only {
        request.extensions_mut().insert(LoopbackOnly);
    }
    Ok(request)
}

/// Reads a response: 2xx goes to [`Endpoint::parse`] and then [`Endpoint::verify`] against `sent`
/// (the body of the request this is the answer to), 3xx becomes [`Error::Redirect`] (never
/// followed), anything else [`Error::Api`] with the body decoded in whichever shape Pinata used.
///
/// Keep a clone of the request's body before sending it (cheap: bytes and uploads are shared).
///
/// The errors hold the server's text as it came; this function does not know the credentials, so
/// pass an error through [`Error::redact_secrets`] before logging it (the clients do) in case the
/// server echoed them.
pub fn interpret_response<E: Endpoint + ?Sized>(
    endpoint: &E,
    sent: &Body,
    response: Response<Bytes>,
) -> Result<E::Output, Error> {
    let (parts, body) = response.into_parts();
    let status = parts.status;
    if status.is_success() {
        let output = endpoint
            .parse(status, &parts.headers, &body)
            .map_err(|e| Error::Decode(Box::new(e)))?;
        endpoint.verify(sent, &output).map_err(Error::Verify)?;
        Ok(output)
    } else {
        Err(error_response(status, &parts.headers, &body))
    }
}

/// The error a response that is not 2xx means: 3xx [`Error::Redirect`] (never followed), anything
/// else [`Error::Api`] with the body decoded in whichever shape Pinata used.
pub(crate) fn error_response(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body: &Bytes,
) -> Error {
    if status.is_redirection() {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Error::Redirect(RedirectError::new(status, location))
    } else {
        Error::Api(Box::new(ApiError::from_response(status, headers, body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TestAuthentication;

    fn request(url: &str, insecure: bool) -> Result<Request<Body>, BuildError> {
        let config = Config::default()
            .with_base_url(url)
            .unwrap()
            .allow_insecure_http(insecure);
        let creds = Credentials::key_pair("0123456789abcdef0123", "s3cr3t").unwrap();
        prepare_request(&TestAuthentication, &creds, &config, SystemTime::now())
    }

    #[test]
    fn plain_http_to_loopback_is_marked_loopback_only() {
        for url in [
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            "http://[::1]:1",
        ] {
            let r = request(url, false).unwrap();
            assert!(LoopbackOnly::is_required(&r), "{url}");
        }
        // The opt-out removes the mark, and https never needs it.
        assert!(!LoopbackOnly::is_required(
            &request("http://localhost:3000", true).unwrap()
        ));
        assert!(!LoopbackOnly::is_required(
            &request("http://10.0.0.1", true).unwrap()
        ));
        let tls = request("https://localhost", false).unwrap();
        assert!(tls.extensions().get::<LoopbackOnly>().is_none());
        assert!(matches!(
            request("http://10.0.0.1", false),
            Err(BuildError::InsecureHttp { .. })
        ));
    }

    /// A GET of `path` on `origin`.
    struct OnOrigin(Origin, &'static str);

    impl Endpoint for OnOrigin {
        type Output = ();
        fn method(&self) -> http::Method {
            http::Method::GET
        }
        fn origin(&self) -> Origin {
            self.0
        }
        fn path_and_query(&self) -> Result<String, BuildError> {
            Ok(self.1.to_owned())
        }
        fn parse(
            &self,
            _: http::StatusCode,
            _: &http::HeaderMap,
            _: &Bytes,
        ) -> Result<(), crate::error::DecodeError> {
            Ok(())
        }
    }

    #[test]
    fn each_origin_gets_only_what_belongs_to_it() {
        let creds = Credentials::key_pair("0123456789abcdef0123", "s3cr3t").unwrap();
        let config = Config::default()
            .with_gateway("example.mypinata.cloud")
            .unwrap()
            .with_gateway_key("gw key?&=")
            .unwrap_err();
        assert_eq!(config, crate::ConfigError::InvalidGatewayKey);
        let config = Config::default()
            .with_gateway("example.mypinata.cloud")
            .unwrap()
            .with_gateway_key("gw-k3y/+")
            .unwrap();
        let now = SystemTime::now();

        let upload = prepare_request(
            &OnOrigin(Origin::Uploads, "/v3/files"),
            &creds,
            &config,
            now,
        )
        .unwrap();
        assert_eq!(upload.uri(), "https://uploads.pinata.cloud/v3/files");
        assert_eq!(upload.headers()["pinata_secret_api_key"], "s3cr3t");

        let gateway = prepare_request(
            &OnOrigin(Origin::Gateway, "/ipfs/Qm?img-width=10"),
            &creds,
            &config,
            now,
        )
        .unwrap();
        assert_eq!(
            gateway.uri(),
            "https://example.mypinata.cloud/ipfs/Qm?img-width=10&pinataGatewayToken=gw-k3y%2F%2B"
        );
        for name in ["pinata_api_key", "pinata_secret_api_key", "authorization"] {
            assert!(
                !gateway.headers().contains_key(name),
                "{name} sent to the gateway"
            );
        }
        // The gateway key goes to the gateway only.
        let api = prepare_request(&OnOrigin(Origin::Api, "/data/x"), &creds, &config, now).unwrap();
        assert!(!api.uri().to_string().contains("gw-k3y"));

        let unconfigured = prepare_request(
            &OnOrigin(Origin::Gateway, "/ipfs/Qm"),
            &creds,
            &Config::default(),
            now,
        );
        assert!(matches!(unconfigured, Err(BuildError::InvalidInput(_))));
    }

    #[test]
    fn a_signed_url_gets_no_credential_and_no_gateway_key() {
        let creds = Credentials::key_pair("0123456789abcdef0123", "s3cr3t").unwrap();
        let config = Config::default()
            .with_gateway("example.mypinata.cloud")
            .unwrap()
            .with_gateway_key("gw-k3y")
            .unwrap();
        let now = SystemTime::now();
        let signed = prepare_request(
            &OnOrigin(
                Origin::Signed,
                "https://uploads.example/v3/files/u?X-Signature=abc&X-Date=1",
            ),
            &creds,
            &config,
            now,
        )
        .unwrap();
        assert_eq!(
            signed.uri(),
            "https://uploads.example/v3/files/u?X-Signature=abc&X-Date=1"
        );
        for name in ["pinata_api_key", "pinata_secret_api_key", "authorization"] {
            assert!(!signed.headers().contains_key(name), "{name} sent");
        }
        assert!(!signed.uri().to_string().contains("gw-k3y"));
        // Plain http to a remote host is refused for signed URLs too; loopback is marked.
        let remote = prepare_request(
            &OnOrigin(Origin::Signed, "http://10.0.0.1/files/c?X-Signature=a"),
            &creds,
            &config,
            now,
        );
        assert!(matches!(remote, Err(BuildError::InsecureHttp { .. })));
        let local = prepare_request(
            &OnOrigin(Origin::Signed, "http://127.0.0.1:9/files/c"),
            &creds,
            &config,
            now,
        )
        .unwrap();
        assert!(LoopbackOnly::is_required(&local));
        for bad in [
            "/relative",
            "https://user@host/x",
            "https://h/x#frag",
            "not a url",
        ] {
            assert!(
                prepare_request(&OnOrigin(Origin::Signed, bad), &creds, &config, now).is_err(),
                "{bad}"
            );
        }
    }
}
