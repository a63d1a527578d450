//! Secrets stay secret: for random credentials, no `Debug`/`Display` of any public type, no error
//! and no request dump shows them; and no endpoint sends them over plain http to a remote host or
//! follows a redirect to another origin.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use http::{Request, Response};
use pinata_core::api::TestAuthentication;
use pinata_core::api::keys::{CreateApiKey, CreatedApiKey, ListApiKeys, Permissions, RevokeApiKey};
use pinata_core::api::pinning::{
    ListPinJobs, ListPins, PinByHash, PinJson, PinMetadata, UnpinCid, UpdatePinMetadata,
    UserPinnedDataTotal,
};
use pinata_core::jwt::base64url_encode;
use pinata_core::retry::RetryPolicy;
use pinata_core::{
    BlockingClient, Body, BuildError, Config, Credentials, Error, TransportError, prepare_request,
};
use proptest::prelude::*;

const CID: &str = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

fn jwt_for(key: &str, secret: &str) -> String {
    let payload = serde_json::json!({"scopedKeyKey": key, "scopedKeySecret": secret, "exp": 4_000_000_000u64});
    format!(
        "{}.{}.{}",
        base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url_encode(payload.to_string().as_bytes()),
        base64url_encode(secret.as_bytes())
    )
}

/// Sends every endpoint through `client`, returning a debug dump of every result.
fn call_everything<T: pinata_core::transport::BlockingTransport>(
    client: &BlockingClient<T>,
) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! call {
        ($($e:expr),* $(,)?) => {$( out.push(format!("{:?}", client.execute(&$e))); )*};
    }
    call!(
        TestAuthentication,
        CreateApiKey::new("k", Permissions::admin()).unwrap(),
        ListApiKeys::new(),
        RevokeApiKey::new("abc"),
        PinJson::new(&serde_json::json!({"a": 1}))
            .unwrap()
            .metadata(PinMetadata::new().name("n")),
        PinByHash::new(CID).unwrap(),
        ListPinJobs::new(),
        UpdatePinMetadata::new(CID).name("x"),
        UnpinCid::new(CID),
        ListPins::new(),
        UserPinnedDataTotal,
    );
    out
}

fn endpoints_requests(creds: &Credentials, config: &Config) -> Vec<String> {
    let now = SystemTime::now();
    let dump = |e: &dyn Fn() -> Result<Request<Body>, BuildError>| format!("{:?}", e());
    vec![
        dump(&|| prepare_request(&TestAuthentication, creds, config, now)),
        dump(&|| prepare_request(&ListApiKeys::new(), creds, config, now)),
        dump(&|| prepare_request(&PinJson::new(&1).unwrap(), creds, config, now)),
        dump(&|| prepare_request(&UnpinCid::new(CID), creds, config, now)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_secrets_never_show(key in "[a-f0-9]{20}", secret in "[!-~]{16,64}") {
        prop_assume!(!key.contains(&secret) && !secret.contains(&key));
        let pair = Credentials::key_pair(&key, &secret).unwrap();
        let jwt_text = jwt_for(&key, &secret);
        let jwt = Credentials::jwt(&jwt_text).unwrap();
        let mut shown = Vec::new();
        for creds in [&pair, &jwt] {
            shown.push(format!("{creds:?}"));
            shown.push(creds.to_string());
            let config = Config::default();
            shown.extend(endpoints_requests(creds, &config));
            // Every endpoint, answered with every error shape (and a success).
            for (status, body) in [
                (401, r#"{"error":{"reason":"INVALID_CREDENTIALS","details":"Invalid/expired credentials"}}"#),
                (403, r#"{"error":"no"}"#),
                (500, "<html>oops</html>"),
                (302, ""),
                (200, "{}"),
            ] {
                let transport = move |_req: Request<Body>| -> Result<Response<Bytes>, TransportError> {
                    Ok(Response::builder().status(status).header("location", "https://elsewhere.example/").body(Bytes::from_static(body.as_bytes())).unwrap())
                };
                let client = BlockingClient::with_transport(transport, creds.clone(), config.clone().with_retry_policy(RetryPolicy::never()));
                shown.push(format!("{client:?}"));
                shown.extend(call_everything(&client));
                for r in call_everything(&client) {
                    shown.push(r);
                }
            }
            // Errors for bad input and refused configuration.
            let insecure = Config::default().with_base_url("http://remote.example").unwrap();
            let e: Error = prepare_request(&TestAuthentication, creds, &insecure, SystemTime::now()).unwrap_err().into();
            shown.push(format!("{e:?}"));
            shown.push(e.to_string());
        }
        let created: CreatedApiKey = serde_json::from_value(serde_json::json!({
            "pinata_api_key": key, "pinata_api_secret": secret, "JWT": jwt_text
        })).unwrap();
        shown.push(format!("{created:?}"));
        shown.push(format!("{:?}", Credentials::key_pair(&key, format!("{secret} ")).unwrap_err()));
        shown.push(format!("{:?}", Credentials::jwt(format!("Bearer {jwt_text}")).unwrap_err()));
        for text in &shown {
            prop_assert!(!text.contains(&secret), "the secret shows in {}", text);
            for segment in jwt_text.split('.').skip(1) {
                prop_assert!(!text.contains(segment), "a JWT segment shows in {}", text);
            }
        }
    }
}

/// Every endpoint refuses plain http to a remote host before sending, and never follows a redirect.
#[test]
fn every_endpoint_keeps_credentials_at_the_configured_origin() {
    let creds = Credentials::key_pair("0123456789abcdef0123", "s3cr3t-s3cr3t-s3cr3t").unwrap();
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = sent.clone();
    let transport = move |req: Request<Body>| -> Result<Response<Bytes>, TransportError> {
        log.lock().unwrap().push(req.uri().to_string());
        Ok(Response::builder()
            .status(307)
            .header("location", "https://evil.example/steal")
            .body(Bytes::new())
            .unwrap())
    };
    let insecure = BlockingClient::with_transport(
        transport.clone(),
        creds.clone(),
        Config::default()
            .with_base_url("http://api.example.com")
            .unwrap(),
    );
    for result in call_everything(&insecure) {
        assert!(result.contains("InsecureHttp"), "{result}");
    }
    assert!(
        sent.lock().unwrap().is_empty(),
        "nothing was sent over plain http"
    );

    let client = BlockingClient::with_transport(transport, creds, Config::default());
    let results = call_everything(&client);
    for result in &results {
        assert!(result.contains("Redirect"), "{result}");
    }
    let sent = sent.lock().unwrap();
    assert_eq!(
        sent.len(),
        results.len(),
        "one send per call: no redirect followed, none retried"
    );
    assert!(
        sent.iter()
            .all(|u| u.starts_with("https://api.pinata.cloud/")),
        "{sent:?}"
    );
}
