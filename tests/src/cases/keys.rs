//! Key management end to end: create, authenticate, scope, exhaust, revoke, list.

use super::*;

/// The whole life of a scoped key, through the legacy paths: created by the admin, authenticates
/// with its JWT and its pair, is refused outside its scope, then revoked.
pub fn key_lifecycle_legacy<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("key_lifecycle_legacy") else {
        return;
    };
    let name = unique_name("lifecycle");
    let key = create(
        d,
        emu,
        &CreateApiKey::new(
            &name,
            Permissions::endpoints([
                EndpointPermission::PinJsonToIpfs,
                EndpointPermission::PinList,
            ]),
        )
        .unwrap(),
    );
    assert_eq!(key.api_key().len(), 20);
    assert!(key.api_key().bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(key.api_secret().expose_secret().len(), 64);
    assert!(!format!("{key:?}").contains(key.api_secret().expose_secret()));
    assert!(!format!("{key:?}").contains(key.jwt().expose_secret()));

    let jwt = key.jwt_credentials().unwrap();
    let pair = key.key_pair_credentials().unwrap();
    for creds in [&jwt, &pair] {
        assert_eq!(
            d.test_authentication(creds.clone(), target().config())
                .unwrap()
                .message,
            WELCOME
        );
        // Outside its scope: key management (legacy and v3) is refused.
        for refused in [
            d.execute(creds.clone(), target().config(), &ListApiKeys::new()),
            d.execute(
                jwt.clone(),
                target().config(),
                &ListApiKeys::new().via(KeyApi::V3),
            ),
        ] {
            assert_reason(
                &api_error(refused),
                403,
                "NO_SCOPES_FOUND",
                "This key does not have the required scopes associated with it",
            );
        }
    }

    let listed = d
        .execute(
            admin(emu),
            target().config(),
            &ListApiKeys::new().name(&name),
        )
        .unwrap();
    assert_eq!(listed.count, 1);
    let info = &listed.keys[0];
    assert_eq!(info.name, name);
    assert_eq!(info.key, key.api_key());
    assert_eq!(
        info.scopes,
        Permissions::endpoints([
            EndpointPermission::PinJsonToIpfs,
            EndpointPermission::PinList
        ])
    );
    assert_eq!(info.max_uses, None);
    assert_eq!(info.uses, 2, "two successful testAuthentication calls");
    assert!(!info.revoked);
    // A time type, and a recent one: the key was created by this test.
    let created = info.created_at.expect("a creation time");
    let age = std::time::SystemTime::now()
        .duration_since(created)
        .unwrap_or_default();
    assert!(age < Duration::from_secs(600), "created {age:?} ago");

    d.execute(
        admin(emu),
        target().config(),
        &RevokeApiKey::new(key.api_key()),
    )
    .unwrap();
    for creds in [jwt, pair] {
        assert_reason(
            &api_error(d.test_authentication(creds, target().config())),
            403,
            "API_KEY_REVOKED",
            "This API Key has been revoked",
        );
    }
    let listed = d
        .execute(
            admin(emu),
            target().config(),
            &ListApiKeys::new().name(&name),
        )
        .unwrap();
    assert!(listed.keys[0].revoked);
    assert_eq!(listed.keys[0].uses, 2, "refused calls do not count as uses");
}

/// The same life through the v3 paths (`/v3/pinata/keys`), which take a JWT only.
pub fn key_lifecycle_v3<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("key_lifecycle_v3") else {
        return;
    };
    let admin_jwt = Credentials::jwt(&emu.admin_jwt).unwrap();
    let name = unique_name("v3");
    let request = CreateApiKey::new(
        &name,
        Permissions::none()
            .allow_resource(ResourceScope::FilesWrite)
            .allow_resource(ResourceScope::OrgWrite),
    )
    .unwrap()
    .via(KeyApi::V3);
    let key = d
        .execute(admin_jwt.clone(), target().config(), &request)
        .unwrap();
    let jwt = key.jwt_credentials().unwrap();
    d.test_authentication(jwt.clone(), target().config())
        .unwrap();

    // `org:write` may manage keys on the v3 paths, but not on the admin-only legacy ones.
    let listed = d
        .execute(
            jwt.clone(),
            target().config(),
            &ListApiKeys::new().name(&name).via(KeyApi::V3),
        )
        .unwrap();
    assert_eq!(listed.count, 1);
    assert_eq!(
        listed.keys[0].scopes,
        Permissions::none()
            .allow_resource(ResourceScope::FilesWrite)
            .allow_resource(ResourceScope::OrgWrite)
    );
    assert_reason(
        &api_error(d.execute(jwt.clone(), target().config(), &ListApiKeys::new())),
        403,
        "NO_SCOPES_FOUND",
        "This key does not have the required scopes associated with it",
    );

    // v3 paths are Bearer-only: the pair gets the v3 error shape.
    let e = api_error(d.execute(
        key.key_pair_credentials().unwrap(),
        target().config(),
        &ListApiKeys::new().via(KeyApi::V3),
    ));
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        e.body(),
        &pinata_core::ApiErrorBody::Coded {
            code: 401,
            message: "no Authorization header found".into()
        }
    );

    d.execute(
        admin_jwt,
        target().config(),
        &RevokeApiKey::new(key.api_key()).via(KeyApi::V3),
    )
    .unwrap();
    assert_reason(
        &api_error(d.test_authentication(jwt, target().config())),
        403,
        "API_KEY_REVOKED",
        "This API Key has been revoked",
    );
}

/// A key with a maximum number of uses works exactly that many times, for either scheme.
pub fn max_uses_key_is_exhausted_at_its_limit<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("max_uses_key_is_exhausted_at_its_limit") else {
        return;
    };
    let name = unique_name("limited");
    let key = create(
        d,
        emu,
        &CreateApiKey::new(&name, Permissions::endpoints([EndpointPermission::PinList]))
            .unwrap()
            .max_uses(3)
            .unwrap(),
    );
    let schemes = [
        key.jwt_credentials().unwrap(),
        key.key_pair_credentials().unwrap(),
    ];
    for creds in schemes.iter().cycle().take(3) {
        d.test_authentication(creds.clone(), target().config())
            .unwrap();
    }
    for creds in schemes {
        assert_reason(
            &api_error(d.test_authentication(creds, target().config())),
            403,
            "API_KEY_MAX_USES_REACHED",
            "This API Key has reached its maximum number of uses",
        );
    }
    let exhausted: Vec<ApiKeyInfo> = d
        .paginate(
            admin(emu),
            target().config(),
            ListApiKeys::new().name(&name).exhausted(true),
        )
        .unwrap();
    assert_eq!(exhausted.len(), 1);
    assert_eq!((exhausted[0].uses, exhausted[0].max_uses), (3, Some(3)));
    assert!(exhausted[0].is_exhausted());
}

/// Many clients racing on one limited key: exactly `max_uses` calls succeed, the rest are refused.
pub fn max_uses_is_exact_under_concurrency<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("max_uses_is_exact_under_concurrency") else {
        return;
    };
    const MAX: usize = 25;
    const CLIENTS: usize = 64;
    let name = unique_name("race");
    let key = create(
        d,
        emu,
        &CreateApiKey::new(&name, Permissions::admin())
            .unwrap()
            .max_uses(MAX as u32)
            .unwrap(),
    );
    let results = d.test_authentication_concurrently(
        &key.key_pair_credentials().unwrap(),
        &target().config(),
        CLIENTS,
    );
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, MAX, "exactly max_uses calls succeed");
    for refused in results.into_iter().filter(|r| r.is_err()) {
        assert_eq!(
            api_error(refused).reason(),
            Some("API_KEY_MAX_USES_REACHED")
        );
    }
    let listed = d
        .execute(
            admin(emu),
            target().config(),
            &ListApiKeys::new().name(&name),
        )
        .unwrap();
    assert_eq!(listed.keys[0].uses, MAX as u64);
}

/// Listing walks every page and applies every filter, on both path generations.
pub fn listing_pages_and_filters<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("listing_pages_and_filters") else {
        return;
    };
    let prefix = unique_name("paged");
    let mut made = Vec::new();
    for i in 0..23 {
        let mut request = CreateApiKey::new(
            format!("{prefix}-{i:02}"),
            Permissions::endpoints([EndpointPermission::PinList]),
        )
        .unwrap();
        if i % 4 == 0 {
            request = request.max_uses(1).unwrap();
        }
        made.push(create(d, emu, &request));
    }
    // Use up key 0 (limited to one use) and revoke keys 1 and 2.
    d.test_authentication(made[0].jwt_credentials().unwrap(), target().config())
        .unwrap();
    for key in &made[1..3] {
        d.execute(
            admin(emu),
            target().config(),
            &RevokeApiKey::new(key.api_key()),
        )
        .unwrap();
    }

    let admin_jwt = Credentials::jwt(&emu.admin_jwt).unwrap();
    for api in [KeyApi::Legacy, KeyApi::V3] {
        let all = |filter: ListApiKeys| {
            d.paginate(admin_jwt.clone(), target().config(), filter.via(api))
                .unwrap()
        };
        let every = all(ListApiKeys::new().name(&prefix));
        assert_eq!(every.len(), 23, "three pages of ten, walked without gaps");
        let mut names: Vec<&str> = every.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names[0], format!("{prefix}-22"), "newest first");
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 23, "no key twice");

        let first = d
            .execute(
                admin_jwt.clone(),
                target().config(),
                &ListApiKeys::new().name(&prefix).via(api),
            )
            .unwrap();
        assert_eq!((first.keys.len(), first.count), (10, 23));

        let upper = all(ListApiKeys::new().name(prefix.to_uppercase()));
        assert_eq!(upper.len(), 23, "name matching ignores case");
        assert_eq!(all(ListApiKeys::new().name(&prefix).revoked(true)).len(), 2);
        assert_eq!(
            all(ListApiKeys::new().name(&prefix).revoked(false)).len(),
            21
        );
        assert_eq!(
            all(ListApiKeys::new().name(&prefix).limited_use(true)).len(),
            6
        );
        assert_eq!(
            all(ListApiKeys::new().name(&prefix).limited_use(false)).len(),
            17
        );
        let exhausted = all(ListApiKeys::new().name(&prefix).exhausted(true));
        assert_eq!(exhausted.len(), 1);
        assert_eq!(exhausted[0].key, made[0].api_key());
        assert_eq!(
            all(ListApiKeys::new().name(&prefix).exhausted(false)).len(),
            5
        );
        assert_eq!(all(ListApiKeys::new().name(&prefix).offset(20)).len(), 3);
    }
}

/// The server validates key requests too (for clients that bypass the builder).
pub fn server_rejects_invalid_key_requests<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("server_rejects_invalid_key_requests") else {
        return;
    };
    let config = target().config();
    for (body, message) in [
        (r#"{"keyName":"x","permissions":{}}"#, "grants nothing"),
        (
            r#"{"keyName":"","permissions":{"admin":true}}"#,
            "keyName is required",
        ),
        (
            r#"{"keyName":"x","permissions":{"admin":true},"maxUses":0}"#,
            "maxUses",
        ),
        (
            r#"{"keyName":"x","permissions":{"endpoints":{"pinning":{"pinAll":true}}}}"#,
            "unknown permission",
        ),
    ] {
        let mut request = prepare_request(
            &CreateApiKey::new("placeholder", Permissions::admin()).unwrap(),
            &admin(emu),
            &config,
            SystemTime::now(),
        )
        .unwrap();
        let bytes = bytes::Bytes::from_static(body.as_bytes());
        request.headers_mut().insert(
            http::header::CONTENT_LENGTH,
            bytes.len().to_string().parse().unwrap(),
        );
        *request.body_mut() = pinata_core::Body::Json(bytes);
        let sent = request.body().clone();
        let response = d.send_raw(&config, request).unwrap();
        let e = api_error(interpret_response(
            &CreateApiKey::new("placeholder", Permissions::admin()).unwrap(),
            &sent,
            response,
        ));
        assert_eq!(e.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(e.message().contains(message), "{body}: {e}");
    }
}
