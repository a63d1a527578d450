//! Authentication against the server: both schemes, and every refusal the API distinguishes.

use super::*;

// ---- the happy paths -------------------------------------------------------------------------

/// The server's credentials (a JWT for the emulator's admin, or the live environment's) authenticate.
pub fn good_credentials_authenticate<D: Driver>(d: &D) {
    let t = target();
    let ok = d.test_authentication(t.good.clone(), t.config()).unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A key pair authenticates.
pub fn key_pair_authenticates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("key_pair_authenticates") else {
        return;
    };
    let creds = Credentials::key_pair(&emu.admin_key, &emu.admin_secret).unwrap();
    let ok = d.test_authentication(creds, target().config()).unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A JWT authenticates.
pub fn jwt_authenticates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("jwt_authenticates") else {
        return;
    };
    let creds = Credentials::jwt(&emu.admin_jwt).unwrap();
    let ok = d.test_authentication(creds, target().config()).unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A JWT minted with the server's signing secret authenticates (the harness holds the right secret,
/// so the refusals below are about the token, not the harness).
pub fn minted_jwt_authenticates<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("minted_jwt_authenticates") else {
        return;
    };
    let token = emu.mint_jwt(&emu.admin_key, &emu.admin_secret, now_secs() + 600);
    let ok = d
        .test_authentication(Credentials::jwt(token).unwrap(), target().config())
        .unwrap();
    assert_eq!(ok.message, WELCOME);
}

/// A new key with no permissions at all still passes testAuthentication, in both schemes.
pub fn new_key_authenticates_with_both_schemes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("new_key_authenticates_with_both_schemes") else {
        return;
    };
    let key = create_key(
        d,
        emu,
        Permissions::endpoints([EndpointPermission::PinList]),
    );
    let pair = key.key_pair_credentials().unwrap();
    let jwt = key.jwt_credentials().unwrap();
    assert_eq!(jwt.api_key(), Some(key.api_key()));
    assert_eq!(
        d.test_authentication(pair, target().config())
            .unwrap()
            .message,
        WELCOME
    );
    assert_eq!(
        d.test_authentication(jwt, target().config())
            .unwrap()
            .message,
        WELCOME
    );
}

/// Clients built with a `…/v3` base (as the official SDK's `endpointUrl`) reach `/v3/data/*`.
pub fn v3_prefixed_base_url_works<D: Driver>(d: &D) {
    let Some(_) = target().emulator("v3_prefixed_base_url_works") else {
        return;
    };
    let t = target();
    let config = Config::default()
        .with_base_url(&format!("{}/v3", t.url))
        .unwrap();
    assert_eq!(
        d.test_authentication(t.good.clone(), config)
            .unwrap()
            .message,
        WELCOME
    );
}

// ---- what the API refuses --------------------------------------------------------------------

/// A wrong secret: 401 INVALID_CREDENTIALS.
pub fn wrong_secret_is_invalid_credentials<D: Driver>(d: &D) {
    let t = target();
    let key = t.good.api_key().unwrap_or("0123456789abcdef0123");
    let creds = Credentials::key_pair(key, "0".repeat(64)).unwrap();
    let e = api_error(d.test_authentication(creds, t.config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
    assert!(e.is_auth_error());
}

/// An unknown key: 401 INVALID_CREDENTIALS.
pub fn unknown_key_is_invalid_credentials<D: Driver>(d: &D) {
    let creds = Credentials::key_pair("ffffffffffffffffffff", "f".repeat(64)).unwrap();
    let e = api_error(d.test_authentication(creds, target().config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// A well-formed JWT signed by someone else: 401 INVALID_CREDENTIALS.
pub fn forged_jwt_is_invalid_credentials<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("forged_jwt_is_invalid_credentials") else {
        return;
    };
    let claims = pinata_emulator::token::Claims::new(
        &emu.user_id,
        &emu.admin_key,
        &emu.admin_secret,
        now_secs() + 3600,
    );
    let forged = pinata_emulator::token::sign(&claims, b"not the emulator's secret");
    let e = api_error(d.test_authentication(Credentials::jwt(forged).unwrap(), target().config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// A JWT whose payload was changed after signing: 401 INVALID_CREDENTIALS.
pub fn tampered_jwt_is_invalid_credentials<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("tampered_jwt_is_invalid_credentials") else {
        return;
    };
    let parts: Vec<&str> = emu.admin_jwt.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&pinata_core::jwt::base64url_decode(parts[1]).unwrap()).unwrap();
    claims["exp"] = serde_json::json!(now_secs() + 10 * 365 * 24 * 3600);
    let payload = pinata_core::jwt::base64url_encode(claims.to_string().as_bytes());
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
    let e =
        api_error(d.test_authentication(Credentials::jwt(tampered).unwrap(), target().config()));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// An expired JWT: the client refuses it before sending; with the check off, the API says 401.
pub fn expired_jwt_is_refused<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("expired_jwt_is_refused") else {
        return;
    };
    let exp = now_secs() - 3600;
    let expired = Credentials::jwt(emu.mint_jwt(&emu.admin_key, &emu.admin_secret, exp)).unwrap();

    // Refused locally: pointed at a closed port, a send would fail with a transport error instead.
    let closed = Config::default().with_base_url(&closed_port_url()).unwrap();
    match d.test_authentication(expired.clone(), closed) {
        Err(Error::Build(BuildError::ExpiredJwt { expired_at })) => assert_eq!(expired_at, exp),
        other => panic!("expected ExpiredJwt, got {other:?}"),
    }

    let e = api_error(d.test_authentication(expired, target().config().refuse_expired_jwt(false)));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "Invalid/expired credentials",
    );
}

/// No credentials at all: 401 INVALID_CREDENTIALS, "No Authentication method provided".
pub fn missing_credentials_is_401<D: Driver>(d: &D) {
    let e = api_error(raw_test_authentication(d, &target().good, |h| {
        h.remove(http::header::AUTHORIZATION);
        h.remove(pinata_core::server::API_KEY_HEADER);
        h.remove(pinata_core::server::API_SECRET_HEADER);
    }));
    assert_reason(
        &e,
        401,
        "INVALID_CREDENTIALS",
        "No Authentication method provided",
    );
}

/// Only one header of the pair: 400 KEYS_MUST_BE_STRINGS.
pub fn half_a_key_pair_is_400<D: Driver>(d: &D) {
    let creds = Credentials::key_pair("0123456789abcdef0123", "0".repeat(64)).unwrap();
    for header in [
        pinata_core::server::API_SECRET_HEADER,
        pinata_core::server::API_KEY_HEADER,
    ] {
        let e = api_error(raw_test_authentication(d, &creds, |h| {
            h.remove(&header);
        }));
        assert_reason(
            &e,
            400,
            "KEYS_MUST_BE_STRINGS",
            "pinata_api_key and pinata_secret_api_key must both be strings",
        );
    }
}

/// A bearer token that is not a JWT: 401 INVALID_CREDENTIALS with the parser's complaint.
pub fn malformed_bearer_is_401<D: Driver>(d: &D) {
    let e = api_error(raw_test_authentication(d, &target().good, |h| {
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer not-a-jwt"),
        );
    }));
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(e.reason(), Some("INVALID_CREDENTIALS"));
    assert!(e.details().unwrap_or_default().contains("malformed"), "{e}");
}

/// Revoking a key stops its pair and its JWT at once: 403 API_KEY_REVOKED.
pub fn revoked_key_is_403_for_both_schemes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("revoked_key_is_403_for_both_schemes") else {
        return;
    };
    let key = create_key(d, emu, Permissions::admin());
    let pair = key.key_pair_credentials().unwrap();
    let jwt = key.jwt_credentials().unwrap();
    d.test_authentication(pair.clone(), target().config())
        .unwrap();
    d.test_authentication(jwt.clone(), target().config())
        .unwrap();

    d.execute(
        admin(emu),
        target().config(),
        &RevokeApiKey::new(key.api_key()),
    )
    .unwrap();

    for creds in [pair, jwt] {
        let e = api_error(d.test_authentication(creds, target().config()));
        assert_reason(&e, 403, "API_KEY_REVOKED", "This API Key has been revoked");
    }
}

/// Key management needs an admin key: others get 403 NO_SCOPES_FOUND.
pub fn non_admin_key_cannot_manage_keys<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("non_admin_key_cannot_manage_keys") else {
        return;
    };
    let key = create_key(
        d,
        emu,
        Permissions::endpoints([EndpointPermission::PinList]),
    );
    let creds = key.jwt_credentials().unwrap();
    let e = api_error(d.execute(
        creds,
        target().config(),
        &CreateApiKey::new("sneaky", Permissions::admin()).unwrap(),
    ));
    assert_reason(
        &e,
        403,
        "NO_SCOPES_FOUND",
        "This key does not have the required scopes associated with it",
    );
}

/// An unknown path: a JSON 404 the client decodes.
pub fn unknown_path_is_json_404<D: Driver>(d: &D) {
    let Some(_) = target().emulator("unknown_path_is_json_404") else {
        return;
    };
    let config = target().config();
    let mut request = prepare_request(
        &TestAuthentication,
        &target().good,
        &config,
        SystemTime::now(),
    )
    .unwrap();
    *request.uri_mut() = format!("{}/data/noSuchThing", target().url)
        .parse()
        .unwrap();
    let response = d.send_raw(&config, request).unwrap();
    let e = api_error(interpret_response(
        &TestAuthentication,
        &pinata_core::Body::Empty,
        response,
    ));
    assert_eq!(e.status(), StatusCode::NOT_FOUND);
    assert_eq!(e.reason(), Some("NOT_FOUND"));
}
