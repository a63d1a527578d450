//! The gateway list, `GET /v3/ipfs/gateways` (and the spec's `GET /v3/gateways`), over raw HTTP:
//! one row, the configured domain, the v3 scopes and error shapes. Answers are decoded with
//! pinata-core's own endpoint, so the wire shape is the one the clients read.

// Test helpers: a failed step is a failed test.
use crate::common::*;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use pinata_core::Endpoint;
use pinata_core::api::gateways::{GatewayPage, ListGateways};
use pinata_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// `GET path` with `authorization`.
fn get(emu: &EmulatorHandle, path: &str, authorization: &str) -> Answer {
    call(
        emu.url(),
        "GET",
        path,
        &[("authorization", authorization)],
        b"",
    )
}

/// A 200 answer decoded as the client decodes it.
fn page(answer: &Answer) -> GatewayPage {
    assert_eq!(answer.status, 200, "{}", answer.body);
    ListGateways::new()
        .parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(answer.body.clone()),
        )
        .unwrap()
}

/// The JWT of a new key with these v3 resource scopes.
fn key(emu: &EmulatorHandle, resources: &str) -> String {
    let a = create_key(
        emu.url(),
        &emu.admin().jwt,
        &format!(r#"{{"resources":[{resources}]}}"#),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    json(&a.body)["JWT"].as_str().unwrap().to_owned()
}

#[test]
fn one_gateway_on_both_paths_named_as_configured() {
    let emu = spawn(EmulatorConfig::default());
    let admin = bearer(&emu.admin().jwt);
    let listed = page(&get(&emu, "/v3/ipfs/gateways", &admin));
    assert_eq!(listed.count, Some(1));
    assert_eq!(listed.rows.len(), 1);
    let row = &listed.rows[0];
    assert_eq!(row.domain, "emulator");
    assert_eq!(row.host().as_deref(), Some("emulator.mypinata.cloud"));
    assert_eq!(row.id.len(), 36, "a UUID: {row:?}");
    assert_eq!(row.restrict, Some(false));
    assert!(row.created_at.is_some() && row.custom_domains.is_empty());
    // The spec's path answers the same, and so does the same account asked again.
    assert_eq!(page(&get(&emu, "/v3/gateways", &admin)), listed);
    assert_eq!(page(&get(&emu, "/V3/IPFS/Gateways/", &admin)), listed);

    let named = spawn(EmulatorConfig {
        gateway_domain: "my-gateway-7".into(),
        ..EmulatorConfig::default()
    });
    let listed = page(&get(
        &named,
        "/v3/ipfs/gateways",
        &bearer(&named.admin().jwt),
    ));
    assert_eq!(
        listed.rows[0].host().as_deref(),
        Some("my-gateway-7.mypinata.cloud")
    );
}

#[test]
fn a_domain_that_is_no_dns_name_stops_the_start_up() {
    let e = Emulator::spawn(EmulatorConfig {
        gateway_domain: "not a domain\u{1b}[2J".into(),
        ..EmulatorConfig::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("gateway domain"), "{e}");
}

#[test]
fn the_list_needs_the_gateways_read_scope_and_a_bearer_token() {
    let emu = spawn(EmulatorConfig::default());
    let reader = bearer(&key(&emu, r#""org:gateways:read""#));
    let writer = bearer(&key(&emu, r#""org:gateways:write""#));
    let files = bearer(&key(&emu, r#""org:files:read""#));
    assert_eq!(page(&get(&emu, "/v3/ipfs/gateways", &reader)).rows.len(), 1);
    assert_eq!(page(&get(&emu, "/v3/ipfs/gateways", &writer)).rows.len(), 1);
    let refused = get(&emu, "/v3/ipfs/gateways", &files);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("NO_SCOPES_FOUND"), "{}", refused.body);
    // v3 takes Bearer only: the admin's key pair is not looked at.
    let admin = emu.admin();
    let pair = call(
        emu.url(),
        "GET",
        "/v3/ipfs/gateways",
        &[
            ("pinata_api_key", &admin.api_key),
            ("pinata_secret_api_key", &admin.api_secret),
        ],
        b"",
    );
    assert_eq!(pair.status, 401, "{}", pair.body);
    // Not a read: the list is GET only.
    let post = call(
        emu.url(),
        "POST",
        "/v3/ipfs/gateways",
        &[("authorization", &reader)],
        b"",
    );
    assert_eq!(post.status, 404, "{}", post.body);
}

#[test]
fn paging_is_the_specs_and_bad_numbers_are_v3_errors() {
    let emu = spawn(EmulatorConfig::default());
    let admin = bearer(&emu.admin().jwt);
    let rows = |query: &str| {
        page(&get(&emu, &format!("/v3/ipfs/gateways?{query}"), &admin))
            .rows
            .len()
    };
    assert_eq!(rows("pageSize=1&page=1"), 1);
    assert_eq!(rows("pageSize=1&page=0"), 1, "page 0 is the first too");
    assert_eq!(rows("pageSize=1&page=2"), 0);
    assert_eq!(rows("page=2"), 1, "without a page size, one page holds all");
    for bad in ["pageSize=0", "pageSize=x", "page=-1"] {
        let a = get(&emu, &format!("/v3/ipfs/gateways?{bad}"), &admin);
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
        let body = json(&a.body);
        assert_eq!(body["error"]["code"], 400, "{}", a.body);
        assert!(body["error"]["message"].as_str().unwrap().contains("page"));
    }
}
