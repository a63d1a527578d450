//! Decode fixtures: response bodies in the shapes the real API is documented to send
//! (`pinata-api.md` for v1 pinning, keys, groups, errors and the PSA; `pinata-v3-api.md` for v3
//! files, groups, signed URLs, swaps and signatures), in `tests/fixtures/*.json`, each read
//! through the endpoint that receives it (`Endpoint::parse` of a 2xx answer, or
//! `interpret_response` of an error), with a few field values checked.
//!
//! The documents give shapes, quirks included, more often than whole bodies: every field name,
//! nesting and quirk here is theirs (PascalCase legacy upload answers, `isDuplicate`, microsecond
//! timestamps, `null` key-values, the spec example's `hose_nodes` typo, `public` in the group
//! creation example, the JSON string `"Revoked"`, `{"data":null}`, camel case on `/v3/ipfs/swap`,
//! PSA answers as Pinata was observed to give them), and so are the concrete values they give
//! (the UUIDv7 id `01919976-955f-7d06-bd59-72e80743fb95` and its base64 page token, timestamps,
//! error reasons and texts); the rest (CIDs, other ids, sizes) is filled in with values of the
//! documented kind.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use pinata_core::api::files::{DeleteFile, GetFile, GroupFile, ListFiles};
use pinata_core::api::groups::{CreateGroup, DeleteGroup, ListGroups};
use pinata_core::api::keys::{CreateApiKey, ListApiKeys, Permissions, RevokeApiKey};
use pinata_core::api::pin_by_cid::{ListPinQueue, PinByCid};
use pinata_core::api::pinning::{
    ListLegacyGroups, ListPinJobs, ListPins, PinByHash, PinFile, PinJobStatus, UserPinnedDataTotal,
};
use pinata_core::api::psa::{AddPsaPin, ListPsaPins, PsaPin, PsaStatus};
use pinata_core::api::signed::{CreateDownloadLink, CreateSignedUploadUrl};
use pinata_core::api::swaps::{CidSignature, SwapAnswer, SwapCid};
use pinata_core::api::uploads::{FolderEndpoint, UploadFile};
use pinata_core::api::{Network, TestAuthentication};
use pinata_core::http::{HeaderMap, Response, StatusCode};
use pinata_core::transport::local::{Folder, LocalFile};
use pinata_core::{ApiErrorBody, BaseUrl, Body, Endpoint, Error, Paginated, interpret_response};

/// The spec's UUIDv7 example (`pinata-v3-api.md` §1.1) and its page token, base64 of the id.
const ID7: &str = "01919976-955f-7d06-bd59-72e80743fb95";
const TOKEN: &str = "MDE5MTk5NzYtOTU1Zi03ZDA2LWJkNTktNzJlODA3NDNmYjk1";
const CID_FILE: &str = "bafkreihcrdfsqlegvg45eb4vidzl6immn2caemeq2l5gwwgqpq4pcsddsm";
const CID_DIR: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const CID_V0: &str = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";

/// A fixture's bytes.
fn fixture(name: &str) -> Bytes {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Bytes::from(bytes)
}

/// `endpoint`'s decoding of fixture `name` as a 200 answer.
fn decode<E: Endpoint>(endpoint: &E, name: &str) -> E::Output {
    endpoint
        .parse(StatusCode::OK, &HeaderMap::new(), &fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `SystemTime` of an RFC 3339 date in UTC, as `YYYY-MM-DDTHH:MM:SS` plus `micros`.
fn at(date: &str, micros: u64) -> SystemTime {
    let n = |range: std::ops::Range<usize>| -> u64 { date[range].parse().unwrap() };
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days since the epoch (Howard Hinnant's days_from_civil).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros)
}

// ---- legacy v1 ---------------------------------------------------------------------------

#[test]
fn v1_test_authentication() {
    let ok = decode(&TestAuthentication, "v1_test_authentication");
    assert_eq!(
        ok.message,
        "Congratulations! You are communicating with the Pinata API!"
    );
}

#[test]
fn v1_pin_file_to_ipfs_with_is_duplicate() {
    let pin = decode(
        &PinFile::bytes("hello.txt", &b"hey\n"[..]).unwrap(),
        "v1_pin_file_to_ipfs",
    );
    assert_eq!(pin.ipfs_hash, CID_V0);
    assert_eq!(pin.pin_size, 4);
    assert_eq!(pin.timestamp, at("2024-07-11T23:33:27", 665_000));
    assert_eq!(pin.is_duplicate, Some(true));
}

#[test]
fn v1_pin_file_to_ipfs_newer_fields_as_the_sdk_maps_them() {
    // A folder through the legacy endpoint: the answer with the PascalCase fields newer servers
    // add, which the official SDK (and this core) map to the v3 shape.
    let folder = Folder {
        name: "site".into(),
        files: vec![LocalFile {
            path: "site/index.html".into(),
            relative: "index.html".into(),
            len: 1,
        }],
        empty_dirs: vec![],
    };
    let upload = UploadFile::folder(folder)
        .unwrap()
        .folder_endpoint(FolderEndpoint::Legacy);
    let file = decode(&upload, "v1_pin_file_to_ipfs_folder");
    assert_eq!(file.id, "5e8e7b5c-8d1e-4c53-9a43-3b0a1f0c7d21");
    assert_eq!(file.name.as_deref(), Some("site"));
    assert_eq!(file.cid, CID_DIR);
    assert_eq!(file.size, 4096);
    assert_eq!(file.number_of_files, 2);
    assert_eq!(file.mime_type.as_deref(), Some("directory"));
    assert_eq!(
        file.group_id.as_deref(),
        Some("6f1f1c47-9c8e-4a8f-8f3e-0e1f5c2b7a90")
    );
    assert_eq!(file.network, Some(Network::Public));
    // The plain legacy type reads the same answer too, ignoring what it does not know.
    let pin = decode(
        &PinFile::bytes("x", &b"x"[..]).unwrap(),
        "v1_pin_file_to_ipfs_folder",
    );
    assert_eq!((pin.ipfs_hash.as_str(), pin.pin_size), (CID_DIR, 4096));
}

#[test]
fn v1_pin_by_hash() {
    let job = decode(&PinByHash::new(CID_FILE).unwrap(), "v1_pin_by_hash");
    assert_eq!(job.id, "3c6a5f3e-7d2b-4f6a-9b1e-2a4c8d0e6f11");
    assert_eq!(job.ipfs_hash, CID_FILE);
    assert_eq!(job.status, PinJobStatus::Prechecking);
    assert_eq!(job.name.as_deref(), Some("pinned by hash"));
}

#[test]
fn v1_pin_jobs() {
    let page = decode(&ListPinJobs::new(), "v1_pin_jobs");
    assert_eq!(page.count, 1);
    let job = &page.rows[0];
    assert_eq!(job.ipfs_pin_hash, CID_FILE);
    assert_eq!(job.status, PinJobStatus::Searching);
    assert_eq!(job.date_queued, at("2024-07-11T23:33:27", 665_000));
    assert_eq!(job.keyvalues, None);
    assert_eq!(job.host_nodes.as_ref().map(Vec::len), Some(1));
}

#[test]
fn v1_pin_list_pinned_and_unpinned() {
    let page = decode(&ListPins::new(), "v1_pin_list");
    assert_eq!(page.count, Some(2));
    let [pinned, unpinned] = &page.rows[..] else {
        panic!("two rows: {:?}", page.rows);
    };
    assert_eq!(pinned.ipfs_pin_hash, CID_FILE);
    assert_eq!(pinned.size, 1271);
    assert_eq!(pinned.date_unpinned, None);
    assert_eq!(pinned.metadata.name.as_deref(), Some("report.pdf"));
    let keyvalues = pinned.metadata.keyvalues.as_ref().unwrap();
    assert_eq!(keyvalues["env"], "prod");
    // Legacy key-values may be numbers.
    assert_eq!(keyvalues["version"], 3);
    assert_eq!(pinned.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        unpinned.date_unpinned,
        Some(at("2024-06-02T09:30:00", 0)),
        "date_unpinned"
    );
    assert_eq!(unpinned.metadata.name, None);
    assert_eq!(unpinned.metadata.keyvalues, None);
}

#[test]
fn v1_user_pinned_data_total() {
    let total = decode(&UserPinnedDataTotal, "v1_user_pinned_data_total");
    assert_eq!(total.pin_count, 2);
    assert_eq!(total.pin_size_total, 1275);
    assert_eq!(total.pin_size_with_replications_total, 2550);
}

#[test]
fn v1_groups_camel_case_dates() {
    let groups = decode(&ListLegacyGroups::new(), "v1_groups");
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "invoices");
    assert_eq!(groups[0].created_at, at("2024-07-11T23:33:27", 665_000));
    assert_eq!(groups[0].updated_at, Some(at("2024-07-12T10:00:00", 0)));
}

// ---- keys --------------------------------------------------------------------------------

#[test]
fn keys_create() {
    let create = CreateApiKey::new("ci", Permissions::admin()).unwrap();
    let key = decode(&create, "keys_create");
    assert_eq!(key.api_key(), "868b1355c64b7af4a704");
    assert_eq!(key.api_secret().expose_secret().len(), 64);
    assert_eq!(key.jwt().expose_secret().split('.').count(), 3);
}

#[test]
fn keys_list_with_legacy_scopes_and_a_spent_key() {
    let page = decode(&ListApiKeys::new(), "keys_list");
    assert_eq!(page.count, 2);
    let [live, spent] = &page.keys[..] else {
        panic!("two keys: {:?}", page.keys);
    };
    assert_eq!(live.key, "868b1355c64b7af4a704");
    assert_eq!(live.max_uses, None);
    assert_eq!(live.uses, 17);
    assert!(!live.revoked);
    assert!(!live.scopes.is_admin());
    assert_eq!(live.scopes.endpoint_permissions().len(), 2);
    assert_eq!(live.created_at, Some(at("2024-07-11T23:33:27", 665_000)));
    assert!(spent.revoked);
    assert!(spent.scopes.is_admin());
    assert_eq!((spent.max_uses, spent.uses), (Some(10), 10));
    assert!(spent.is_exhausted());
}

#[test]
fn keys_revoke_is_the_json_string_revoked() {
    decode(&RevokeApiKey::new("868b1355c64b7af4a704"), "keys_revoke");
}

// ---- v3 files ----------------------------------------------------------------------------

#[test]
fn v3_upload_with_the_uploads_specs_extra_fields() {
    let upload = UploadFile::bytes("hello.txt", &b"hello world\n"[..]).unwrap();
    let file = decode(&upload, "v3_upload");
    assert_eq!(file.id, ID7);
    assert_eq!(file.cid, CID_FILE);
    assert_eq!(file.size, 12);
    assert_eq!(file.mime_type.as_deref(), Some("text/plain"));
    assert_eq!(file.group_id, None);
    assert_eq!(file.keyvalues["env"], "prod");
    // Microseconds kept.
    assert_eq!(file.created_at, at("2024-08-27T14:57:51", 485_934));
    assert_eq!(file.network, Some(Network::Public));
    assert_eq!(file.is_duplicate, Some(false));
}

#[test]
fn v3_file() {
    let file = decode(&GetFile::new(Network::Public, ID7), "v3_file");
    assert_eq!(file.id, ID7);
    assert_eq!(file.name.as_deref(), Some("hello.txt"));
    assert_eq!(file.number_of_files, 1);
    assert_eq!(file.created_at, at("2024-08-27T14:57:51", 485_934));
    assert_eq!(file.expires_at, None);
}

#[test]
fn v3_files_list_with_a_pending_car_and_the_next_page() {
    let list = ListFiles::new(Network::Public);
    let page = decode(&list, "v3_files_list");
    assert_eq!(page.files.len(), 2);
    assert!(page.files[0].is_pending(), "{:?}", page.files[0]);
    assert_eq!(page.files[1].id, ID7);
    assert_eq!(page.next_page_token.as_deref(), Some(TOKEN));
    // The next request carries the token.
    let next = list.next_page(&page).expect("a next page");
    assert!(
        next.path_and_query()
            .unwrap()
            .contains(&format!("pageToken={TOKEN}")),
        "{:?}",
        next.path_and_query()
    );
}

#[test]
fn v3_data_null_answers() {
    decode(&DeleteFile::new(Network::Public, ID7), "v3_data_null");
    decode(
        &GroupFile::add(Network::Public, "6f1f1c47-9c8e-4a8f-8f3e-0e1f5c2b7a90", ID7),
        "v3_data_null",
    );
    decode(
        &DeleteGroup::new(Network::Public, "6f1f1c47-9c8e-4a8f-8f3e-0e1f5c2b7a90"),
        "v3_data_null",
    );
}

// ---- v3 groups ---------------------------------------------------------------------------

#[test]
fn v3_group_create_as_the_spec_example_spells_it() {
    // The spec's creation example says `public`, the list `is_public`.
    let create = CreateGroup::new(Network::Public, "invoices").unwrap();
    let group = decode(&create, "v3_group_create");
    assert_eq!(group.id, "6f1f1c47-9c8e-4a8f-8f3e-0e1f5c2b7a90");
    assert_eq!(group.name, "invoices");
    assert!(!group.is_public);
    assert_eq!(group.created_at, at("2024-08-27T14:57:51", 485_934));
}

#[test]
fn v3_groups_list_last_page() {
    let list = ListGroups::new(Network::Public);
    let page = decode(&list, "v3_groups_list");
    assert_eq!(page.groups.len(), 2);
    assert!(page.groups[1].is_public);
    assert_eq!(
        page.groups[1].created_at,
        at("2024-08-28T09:00:00", 123_456)
    );
    // An empty token ends the paging.
    assert_eq!(list.next_page(&page), None);
}

// ---- v3 pin by CID -----------------------------------------------------------------------

#[test]
fn v3_pin_by_cid_with_the_spec_examples_hose_nodes() {
    let job = decode(&PinByCid::new(CID_FILE).unwrap(), "v3_pin_by_cid");
    assert_eq!(job.cid, CID_FILE);
    assert_eq!(job.status, PinJobStatus::Prechecking);
    assert_eq!(job.name.as_deref(), Some("pinned by cid"));
    assert_eq!(job.keyvalues, None);
    assert_eq!(job.host_nodes.as_ref().map(Vec::len), Some(1));
    assert_eq!(job.date_queued, at("2024-08-27T14:57:51", 485_934));
}

#[test]
fn v3_pin_queue_with_ipfs_pin_hash() {
    let list = ListPinQueue::new();
    let page = decode(&list, "v3_pin_queue");
    assert_eq!(page.jobs.len(), 1);
    assert_eq!(page.jobs[0].cid, CID_FILE);
    assert_eq!(page.jobs[0].status, PinJobStatus::Searching);
    assert_eq!(list.next_page(&page), None);
}

// ---- v3 signed URLs, swaps, signatures, gateways -----------------------------------------

#[test]
fn v3_signed_upload_url() {
    let sign = CreateSignedUploadUrl::new(Network::Public, Duration::from_secs(60)).unwrap();
    let url = decode(&sign, "v3_signed_upload_url");
    assert!(
        url.as_str()
            .starts_with("https://uploads.pinata.cloud/v3/files/0193e1c1-"),
        "{}",
        url.as_str()
    );
    assert!(url.as_str().contains("X-Algorithm=PINATA2"));
    assert!(url.as_str().contains("X-Upload-Option-Network=public"));
}

#[test]
fn v3_download_link() {
    let gateway = BaseUrl::parse("https://example.mypinata.cloud").unwrap();
    let link = CreateDownloadLink::new(&gateway, CID_FILE, "", Duration::from_secs(60)).unwrap();
    let url = decode(&link, "v3_download_link");
    assert!(url.as_str().starts_with(&format!(
        "https://example.mypinata.cloud/files/{CID_FILE}?X-Algorithm=PINATA1"
    )));
    assert!(url.as_str().contains("X-Method=GET"));
}

#[test]
fn v3_swaps_snake_and_camel_case() {
    let SwapAnswer::Added(swap) =
        decode(&SwapCid::add(Network::Public, CID_V0, CID_DIR), "v3_swap")
    else {
        panic!("not an added swap");
    };
    assert_eq!(swap.mapped_cid, CID_DIR);
    assert_eq!(swap.created_at, at("2024-08-27T14:57:51", 485_934));
    let SwapAnswer::History(history) = decode(
        &SwapCid::history(Network::Public, CID_V0, "example.mypinata.cloud"),
        "v3_swap_history",
    ) else {
        panic!("not a history");
    };
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].mapped_cid, CID_FILE);
    // The older `/v3/ipfs/swap` path answers in camel case.
    let legacy = SwapCid::add(Network::Public, CID_V0, CID_DIR).legacy_path();
    let SwapAnswer::Added(swap) = decode(&legacy, "v3_ipfs_swap") else {
        panic!("not an added swap");
    };
    assert_eq!(swap.mapped_cid, CID_DIR);
    assert_eq!(swap.created_at, at("2024-08-27T14:57:51", 485_934));
}

#[test]
fn v3_signature() {
    let signature = decode(
        &CidSignature::get(Network::Public, CID_FILE),
        "v3_signature",
    )
    .expect("a signature");
    assert_eq!(signature.cid, CID_FILE);
    assert!(signature.signature.starts_with("0x1b54"));
}

#[test]
fn v3_gateways() {
    let page = decode(
        &pinata_core::api::gateways::ListGateways::new(),
        "v3_gateways",
    );
    // What the Go CLI reads of it (`data.rows[].domain`, `pinata-v3-api.md` §4.1).
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].domain, "example");
    assert_eq!(
        page.rows[0].host().as_deref(),
        Some("example.mypinata.cloud")
    );
}

// ---- PSA ---------------------------------------------------------------------------------

#[test]
fn psa_pin_status_as_pinata_answers_it() {
    let add = AddPsaPin(PsaPin::new(CID_FILE).unwrap());
    let status = decode(&add, "psa_pin_status");
    assert_eq!(status.requestid, "4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c");
    assert_eq!(status.status, PsaStatus::Queued);
    assert_eq!(status.created, at("2022-08-18T17:25:33", 321_000));
    assert_eq!(status.pin.cid, CID_FILE);
    assert_eq!(status.pin.name.as_deref(), Some("nightly"));
    assert_eq!(status.pin.meta["app"], "backup");
    assert_eq!(status.info["pinata_pinjob_status"], "prechecking");
    assert_eq!(status.delegates.len(), 1);
}

#[test]
fn psa_pin_results() {
    let results = decode(&ListPsaPins::new(), "psa_pin_results");
    assert_eq!(results.count, 1);
    assert_eq!(results.results[0].pin.cid, CID_FILE);
}

// ---- errors ------------------------------------------------------------------------------

/// The error a client gets for fixture `name` answered with `status` to a `testAuthentication`.
fn api_error(status: u16, name: &str) -> pinata_core::ApiError {
    let response = Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .body(fixture(name))
        .unwrap();
    match interpret_response(&TestAuthentication, &Body::Empty, response) {
        Err(Error::Api(e)) => *e,
        other => panic!("{name}: not an API error: {other:?}"),
    }
}

#[test]
fn errors_with_a_reason() {
    for (status, name, reason, details) in [
        (
            401,
            "error_invalid_credentials",
            "INVALID_CREDENTIALS",
            "Invalid/expired credentials",
        ),
        (
            401,
            "error_malformed_jwt",
            "INVALID_CREDENTIALS",
            "token is malformed: could not base64 decode header: illegal base64 data at input byte 6",
        ),
        (
            401,
            "error_no_authentication",
            "INVALID_CREDENTIALS",
            "No Authentication method provided",
        ),
        (
            400,
            "error_keys_must_be_strings",
            "KEYS_MUST_BE_STRINGS",
            "pinata_api_key and pinata_secret_api_key must both be strings",
        ),
        (
            403,
            "error_api_key_revoked",
            "API_KEY_REVOKED",
            "This API Key has been revoked",
        ),
        (
            403,
            "error_no_scopes_found",
            "NO_SCOPES_FOUND",
            "This key does not have the required scopes associated with it",
        ),
        (
            400,
            "error_unknown_reason",
            "UNKNOWN_REASON",
            "Unexpected token - in JSON at position 0",
        ),
        (
            400,
            "error_not_pinned",
            "CURRENT_USER_HAS_NOT_PINNED_CID",
            "The current user has not pinned the cid: QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn",
        ),
        (
            404,
            "error_psa_not_found",
            "OBJECT_NOT_FOUND",
            "Your account does not currently have any record associated with this ID",
        ),
    ] {
        let error = api_error(status, name);
        assert_eq!(error.status().as_u16(), status, "{name}");
        assert_eq!(error.reason(), Some(reason), "{name}");
        assert_eq!(error.details(), Some(details), "{name}");
    }
    assert!(api_error(401, "error_invalid_credentials").is_auth_error());
    assert!(api_error(403, "error_api_key_revoked").is_auth_error());
}

#[test]
fn errors_v3_coded() {
    for (name, message) in [
        (
            "error_v3_no_authorization_header",
            "no Authorization header found",
        ),
        ("error_v3_not_authorized", "Not Authorized"),
    ] {
        let error = api_error(401, name);
        assert_eq!(
            error.body(),
            &ApiErrorBody::Coded {
                code: 401,
                message: message.into()
            },
            "{name}"
        );
        assert_eq!(error.message(), message, "{name}");
        assert!(error.is_auth_error(), "{name}");
    }
}

#[test]
fn errors_as_a_plain_string() {
    for (status, name, message) in [
        (
            400,
            "error_invalid_request_format",
            "Invalid request format.",
        ),
        (
            400,
            "error_more_than_one_file",
            "More than one file and/or directory was provided for pinning.",
        ),
        (401, "error_not_authenticated", "not authenticated"),
    ] {
        let error = api_error(status, name);
        assert_eq!(
            error.body(),
            &ApiErrorBody::Message(message.into()),
            "{name}"
        );
        assert_eq!(error.message(), message, "{name}");
        assert_eq!(error.reason(), None, "{name}");
    }
}

#[test]
fn every_fixture_is_read_by_a_test() {
    let source = std::fs::read_to_string(format!(
        "{}/tests/it/fixtures.rs",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut unread = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = name.strip_suffix(".json").unwrap_or(&name).to_owned();
        assert!(name.ends_with(".json"), "{name} is not JSON");
        serde_json::from_slice::<serde_json::Value>(
            &std::fs::read(format!("{dir}/{name}")).unwrap(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        if !source.contains(&format!("\"{stem}\"")) {
            unread.push(name);
        }
    }
    assert!(unread.is_empty(), "fixtures no test reads: {unread:?}");
}
