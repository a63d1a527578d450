//! The core's integration tests, in one binary: golden requests and client flows (a closure stands
//! in for the HTTP client, so every byte the core produces is asserted without a network), the
//! decode fixtures from the documented responses (`fixtures`) and the module layering
//! (`layering`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

mod fixtures;
mod keep;
mod layering;
mod secrets;
mod tracing;
mod vectors;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use pinata_core::api::TestAuthentication;
use pinata_core::jwt::base64url_encode;
use pinata_core::{
    BlockingClient, Body, BuildError, Config, Credentials, Error, TransportError,
    TransportErrorKind, prepare_request,
};

const KEY: &str = "0123456789abcdef0123";
const SECRET: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

fn jwt(exp: u64) -> String {
    let payload = serde_json::json!({
        "userInformation": {"id": "user-1"},
        "authenticationType": "scopedKey",
        "scopedKeyKey": KEY,
        "scopedKeySecret": SECRET,
        "exp": exp,
    });
    format!(
        "{}.{}.{}",
        base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url_encode(payload.to_string().as_bytes()),
        base64url_encode(b"signature")
    )
}

fn header_map(request: &Request<Body>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

const UA: &str = concat!("pinata-rs/", env!("CARGO_PKG_VERSION"));

#[test]
fn golden_request_with_key_pair() {
    let creds = Credentials::key_pair(KEY, SECRET).unwrap();
    let req = prepare_request(
        &TestAuthentication,
        &creds,
        &Config::default(),
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(req.method(), Method::GET);
    assert_eq!(
        req.uri().to_string(),
        "https://api.pinata.cloud/data/testAuthentication"
    );
    assert_eq!(
        header_map(&req),
        owned(&[
            ("accept", "application/json"),
            ("user-agent", UA),
            ("pinata_api_key", KEY),
            ("pinata_secret_api_key", SECRET),
        ])
    );
    assert_eq!(req.body(), &Body::Empty);
}

#[test]
fn golden_request_with_jwt() {
    let token = jwt(4_000_000_000);
    let creds = Credentials::jwt(token.clone()).unwrap();
    let config = Config::default()
        .with_base_url("http://127.0.0.1:4321/")
        .unwrap();
    let req = prepare_request(&TestAuthentication, &creds, &config, SystemTime::now()).unwrap();
    assert_eq!(
        req.uri().to_string(),
        "http://127.0.0.1:4321/data/testAuthentication"
    );
    assert_eq!(
        header_map(&req),
        owned(&[
            ("accept", "application/json"),
            ("user-agent", UA),
            ("authorization", &format!("Bearer {token}")),
        ])
    );
    assert!(req.headers()["authorization"].is_sensitive());
    assert_eq!(req.method(), Method::GET);
    assert_eq!(req.body(), &Body::Empty);
}

/// A transport that records requests and answers with a canned response.
fn recording(
    status: u16,
    headers: &[(&'static str, &'static str)],
    body: &'static str,
) -> (
    impl Fn(Request<Body>) -> Result<Response<Bytes>, TransportError> + Send + Sync,
    Arc<Mutex<Vec<Request<Body>>>>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let headers: Vec<_> = headers.to_vec();
    let transport = move |req: Request<Body>| {
        log.lock().unwrap().push(req);
        let mut b = Response::builder().status(status);
        for (k, v) in &headers {
            b = b.header(*k, *v);
        }
        Ok(b.body(Bytes::from_static(body.as_bytes())).unwrap())
    };
    (transport, seen)
}

fn client<T>(transport: T, creds: Credentials, base: &str) -> BlockingClient<T> {
    BlockingClient::with_transport(
        transport,
        creds,
        Config::default().with_base_url(base).unwrap(),
    )
}

#[test]
fn success_is_decoded() {
    let (t, seen) = recording(
        200,
        &[],
        r#"{"message":"Congratulations! You are communicating with the Pinata API!"}"#,
    );
    let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
    let ok = c.test_authentication().unwrap();
    assert_eq!(
        ok.message,
        "Congratulations! You are communicating with the Pinata API!"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn api_error_is_typed() {
    let (t, _) = recording(
        401,
        &[("content-type", "application/json")],
        r#"{"error":{"reason":"INVALID_CREDENTIALS","details":"Invalid/expired credentials"}}"#,
    );
    let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
    match c.test_authentication() {
        Err(Error::Api(e)) => {
            assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(e.reason(), Some("INVALID_CREDENTIALS"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn success_with_wrong_body_is_a_decode_error() {
    let (t, _) = recording(200, &[], r#"{"msg":1}"#);
    let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
    match c.test_authentication() {
        Err(Error::Decode(e)) => {
            assert_eq!(e.status(), StatusCode::OK);
            assert!(e.message().contains("message"), "{e}");
            assert_eq!(e.raw_body(), r#"{"msg":1}"#);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn redirect_is_not_followed() {
    let (t, seen) = recording(302, &[("location", "https://evil.example/steal")], "");
    let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
    match c.test_authentication() {
        Err(Error::Redirect(r)) => {
            assert_eq!(r.status(), StatusCode::FOUND);
            assert_eq!(r.location(), Some("https://evil.example/steal"));
        }
        other => panic!("expected a redirect error, got {other:?}"),
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "exactly one request, no follow-up"
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_sending() {
    let (t, seen) = recording(200, &[], "{}");
    let c = client(
        t,
        Credentials::key_pair(KEY, SECRET).unwrap(),
        "http://api.pinata.cloud",
    );
    match c.test_authentication() {
        Err(Error::Build(BuildError::InsecureHttp { host })) => {
            assert_eq!(host, "api.pinata.cloud")
        }
        other => panic!("expected InsecureHttp, got {other:?}"),
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");

    let (t, seen) = recording(200, &[], r#"{"message":"ok"}"#);
    let c = BlockingClient::with_transport(
        t,
        Credentials::key_pair(KEY, SECRET).unwrap(),
        Config::default()
            .with_base_url("http://10.1.2.3")
            .unwrap()
            .allow_insecure_http(true),
    );
    c.test_authentication().unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1, "explicit opt-in sends");
}

#[test]
fn expired_jwt_is_refused_before_sending() {
    let past = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600;
    let (t, seen) = recording(200, &[], r#"{"message":"ok"}"#);
    let creds = Credentials::jwt(jwt(past)).unwrap();
    let c = client(t, creds.clone(), "https://h");
    match c.test_authentication() {
        Err(Error::Build(BuildError::ExpiredJwt { expired_at })) => assert_eq!(expired_at, past),
        other => panic!("expected ExpiredJwt, got {other:?}"),
    }
    assert!(seen.lock().unwrap().is_empty());

    let (t, seen) = recording(200, &[], r#"{"message":"ok"}"#);
    let c = BlockingClient::with_transport(t, creds, Config::default().refuse_expired_jwt(false));
    c.test_authentication().unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1, "the check can be turned off");
}

#[test]
fn recently_expired_jwt_within_leeway_is_sent() {
    let just_now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 5;
    let (t, seen) = recording(200, &[], r#"{"message":"ok"}"#);
    let c = BlockingClient::with_transport(
        t,
        Credentials::jwt(jwt(just_now)).unwrap(),
        Config::default().with_jwt_expiry_leeway(Duration::from_secs(30)),
    );
    c.test_authentication().unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn transport_errors_pass_through_with_their_kind() {
    let t = |_req: Request<Body>| -> Result<Response<Bytes>, TransportError> {
        Err(TransportError::not_sent(
            TransportErrorKind::Connect,
            "connection refused",
        ))
    };
    let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
    match c.test_authentication() {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind(), TransportErrorKind::Connect);
            assert!(!e.may_have_been_sent());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn errors_never_show_the_secret() {
    let (t, _) = recording(
        403,
        &[],
        r#"{"error":{"reason":"API_KEY_REVOKED","details":"This API Key has been revoked"}}"#,
    );
    let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
    let err = c.test_authentication().unwrap_err();
    for text in [format!("{err}"), format!("{err:?}"), format!("{c:?}")] {
        assert!(!text.contains(SECRET), "{text}");
    }
}

mod keys {
    use super::*;
    use pinata_core::api::keys::{
        CreateApiKey, EndpointPermission, KeyApi, KeySpecError, ListApiKeys, Permissions,
        PermissionsError, ResourceScope, RevokeApiKey,
    };

    fn prepared<E: pinata_core::Endpoint>(e: &E) -> Request<Body> {
        let creds = Credentials::key_pair(KEY, SECRET).unwrap();
        prepare_request(e, &creds, &Config::default(), SystemTime::now()).unwrap()
    }

    fn json_body(req: &Request<Body>) -> serde_json::Value {
        match req.body() {
            Body::Json(b) => serde_json::from_slice(b).unwrap(),
            other => panic!("expected JSON, got {other:?}"),
        }
    }

    #[test]
    fn create_key_request_legacy_and_v3() {
        let create = CreateApiKey::new(
            "uploader",
            Permissions::endpoints([EndpointPermission::PinJsonToIpfs])
                .allow_resource(ResourceScope::FilesWrite),
        )
        .unwrap()
        .max_uses(3)
        .unwrap();
        let req = prepared(&create);
        assert_eq!(req.method(), Method::POST);
        assert_eq!(
            req.uri().to_string(),
            "https://api.pinata.cloud/users/generateApiKey"
        );
        assert_eq!(req.headers()["content-type"], "application/json");
        let body = json_body(&req);
        assert_eq!(body["keyName"], "uploader");
        assert_eq!(body["maxUses"], 3);
        assert_eq!(
            body["permissions"]["endpoints"]["pinning"]["pinJSONToIPFS"],
            true
        );
        assert_eq!(body["permissions"]["endpoints"]["pinning"]["unpin"], false);
        assert_eq!(
            body["permissions"]["resources"],
            serde_json::json!(["org:files:write"])
        );
        assert!(body["permissions"].get("admin").is_none());
        assert_eq!(
            req.headers()["content-length"],
            serde_json::to_vec(&body)
                .unwrap()
                .len()
                .to_string()
                .as_str(),
        );

        let v3 = prepared(&create.clone().via(KeyApi::V3));
        assert_eq!(
            v3.uri().to_string(),
            "https://api.pinata.cloud/v3/pinata/keys"
        );
        assert_eq!(json_body(&v3), body);

        let unlimited = CreateApiKey::new("admin", Permissions::admin()).unwrap();
        assert_eq!(
            json_body(&prepared(&unlimited)),
            serde_json::json!({"keyName": "admin", "permissions": {"admin": true}})
        );
    }

    #[test]
    fn invalid_key_requests_are_refused() {
        assert_eq!(
            CreateApiKey::new("  ", Permissions::admin()).unwrap_err(),
            KeySpecError::EmptyName
        );
        assert_eq!(
            CreateApiKey::new("k", Permissions::none()).unwrap_err(),
            KeySpecError::Permissions(PermissionsError::NothingGranted)
        );
        assert_eq!(
            CreateApiKey::new("k", Permissions::admin().allow(EndpointPermission::Unpin))
                .unwrap_err(),
            KeySpecError::Permissions(PermissionsError::AdminWithScopes)
        );
        assert_eq!(
            CreateApiKey::new("k", Permissions::admin())
                .unwrap()
                .max_uses(0)
                .unwrap_err(),
            KeySpecError::ZeroMaxUses
        );
        let e: Error = KeySpecError::ZeroMaxUses.into();
        assert!(matches!(e, Error::Build(BuildError::InvalidKey(_))));
    }

    #[test]
    fn list_and_revoke_requests() {
        let list = ListApiKeys::new()
            .name("ci key")
            .revoked(false)
            .exhausted(true)
            .offset(20);
        assert_eq!(
            prepared(&list).uri().to_string(),
            "https://api.pinata.cloud/users/apiKeys?name=ci%20key&revoked=false&limitedUse=true&exhausted=true&offset=20"
        );
        assert_eq!(
            prepared(&ListApiKeys::new().via(KeyApi::V3))
                .uri()
                .to_string(),
            "https://api.pinata.cloud/v3/pinata/keys"
        );
        let revoke = prepared(&RevokeApiKey::new("abc"));
        assert_eq!(revoke.method(), Method::PUT);
        assert_eq!(
            revoke.uri().to_string(),
            "https://api.pinata.cloud/users/revokeApiKey"
        );
        assert_eq!(json_body(&revoke), serde_json::json!({"apiKey": "abc"}));
        let v3 = prepared(&RevokeApiKey::new("a/b").via(KeyApi::V3));
        assert_eq!(
            v3.uri().to_string(),
            "https://api.pinata.cloud/v3/pinata/keys/a%2Fb"
        );
        assert_eq!(v3.body(), &Body::Empty);
    }

    #[test]
    fn revoke_answer_must_be_revoked() {
        let (t, _) = recording(200, &[], r#""Revoked""#);
        let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
        c.revoke_api_key("abc").unwrap();
        let (t, _) = recording(200, &[], r#""Nope""#);
        let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
        assert!(matches!(c.revoke_api_key("abc"), Err(Error::Decode(_))));
    }

    /// A fake key listing of `total` keys served `page` at a time by offset.
    fn paged_server(
        total: usize,
        page: usize,
    ) -> (
        impl Fn(Request<Body>) -> Result<Response<Bytes>, TransportError> + Send + Sync,
        Arc<Mutex<Vec<String>>>,
    ) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let t = move |req: Request<Body>| {
            let uri = req.uri().to_string();
            log.lock().unwrap().push(uri.clone());
            let offset: usize = uri
                .split("offset=")
                .nth(1)
                .map(|s| s.parse().unwrap())
                .unwrap_or(0);
            let keys: Vec<_> = (offset..(offset + page).min(total))
                .map(|i| {
                    serde_json::json!({
                        "id": format!("id-{i}"), "name": format!("key {i}"), "key": format!("k{i}"),
                        "secret": "s", "max_uses": null, "uses": 0, "user_id": "u",
                        "scopes": {"admin": false, "endpoints": {"data": {"pinList": true}}},
                        "revoked": false, "createdAt": "2026-01-01T00:00:00.000Z",
                        "updatedAt": "2026-01-01T00:00:00.000Z"
                    })
                })
                .collect();
            let body = serde_json::json!({"keys": keys, "count": total}).to_string();
            Ok(Response::builder()
                .status(200)
                .body(Bytes::from(body))
                .unwrap())
        };
        (t, seen)
    }

    #[test]
    fn paginate_walks_every_page_once() {
        let (t, seen) = paged_server(23, 10);
        let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
        let keys: Vec<_> = c
            .paginate(ListApiKeys::new().name("key"))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(keys.len(), 23);
        assert_eq!(keys[22].key, "k22");
        assert_eq!(
            keys[0].scopes,
            Permissions::endpoints([EndpointPermission::PinList])
        );
        assert!(!format!("{:?}", keys[0]).contains("\"s\""));
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                "https://h/users/apiKeys?name=key",
                "https://h/users/apiKeys?name=key&offset=10",
                "https://h/users/apiKeys?name=key&offset=20",
            ]
        );
    }

    #[test]
    fn paginate_stops_on_an_empty_page_and_on_errors() {
        let (t, seen) = paged_server(0, 10);
        let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
        assert_eq!(c.paginate(ListApiKeys::new()).count(), 0);
        assert_eq!(seen.lock().unwrap().len(), 1);

        let (t, seen) = recording(500, &[], "boom");
        let c = client(t, Credentials::key_pair(KEY, SECRET).unwrap(), "https://h");
        let mut items = c.paginate(ListApiKeys::new());
        assert!(matches!(items.next(), Some(Err(Error::Api(_)))));
        assert!(items.next().is_none());
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}
