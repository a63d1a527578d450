//! The table holds together, and every client endpoint sends what its entry says.

use std::collections::HashSet;
use std::time::Duration;

use super::*;
use crate::Endpoint;
use crate::api::Network;
use crate::api::TestAuthentication;
use crate::api::files::{DeleteFile, GetFile, GroupFile, ListFiles, UpdateFile};
use crate::api::gateways::ListGateways;
use crate::api::groups::{CreateGroup, DeleteGroup, GetGroup, ListGroups, UpdateGroup};
use crate::api::keys::{CreateApiKey, KeyApi, ListApiKeys, RevokeApiKey};
use crate::api::pin_by_cid::{CancelPinByCid, ListPinQueue, PinByCid};
use crate::api::pinning::{
    CreateLegacyGroup, DeleteLegacyGroup, GetLegacyGroup, LegacyGroupCids, ListLegacyGroups,
    ListPinJobs, ListPins, PinByHash, PinJson, RenameLegacyGroup, UnpinCid, UpdatePinMetadata,
    UserPinnedDataTotal,
};
use crate::api::psa::{AddPsaPin, GetPsaPin, ListPsaPins, PsaPin, RemovePsaPin, ReplacePsaPin};
use crate::api::signed::{CreateDownloadLink, CreateSignedUploadUrl, DownloadLinkPath};
use crate::api::swaps::{CidSignature, SwapCid};

const CID: &str = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

#[test]
fn names_are_unique_and_every_template_is_well_formed() {
    let mut names = HashSet::new();
    for meta in ENDPOINTS {
        assert!(names.insert(meta.name), "{} twice", meta.name);
        assert!(!meta.paths.is_empty(), "{}", meta.name);
        for path in meta.paths {
            assert!(path.starts_with('/'), "{}: {path}", meta.name);
            assert!(!path.contains('?') && !path.ends_with('/'), "{path}");
        }
        // Bearer-only families and credentials agree; a public entry takes none.
        match meta.access {
            Access::Public => assert_eq!(meta.auth, AuthSchemes::None, "{}", meta.name),
            _ => assert_ne!(meta.auth, AuthSchemes::None, "{}", meta.name),
        }
        if matches!(meta.family, Family::V3 | Family::Psa) {
            assert_eq!(meta.auth, AuthSchemes::Bearer, "{}", meta.name);
        }
    }
}

/// Two entries share a method and template only where the API tells them apart by something
/// else: a header (`Upload-Length`) or what a segment is (a network, or a file id).
#[test]
fn only_the_documented_pairs_share_a_route() {
    let shared: HashSet<(&str, &str)> = [
        ("files.upload", "files.tusCreate"),
        ("files.signedUpload", "files.tusSignedCreate"),
        ("files.delete", "tus.terminate"),
    ]
    .into_iter()
    .collect();
    for (i, a) in ENDPOINTS.iter().enumerate() {
        for b in &ENDPOINTS[i + 1..] {
            if a.method != b.method {
                continue;
            }
            for pa in a.paths {
                for pb in b.paths {
                    if shape(pa) == shape(pb) {
                        assert!(
                            shared.contains(&(a.name, b.name)),
                            "{} and {} share {} {pa}",
                            a.name,
                            b.name,
                            a.method
                        );
                    }
                }
            }
        }
    }
}

/// A template with its parameter names erased.
fn shape(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn templates_match_paths_segment_by_segment() {
    assert!(matches("/pinning/unpin/{cid}", "/pinning/unpin/bafy"));
    assert!(!matches("/pinning/unpin/{cid}", "/pinning/unpin/"));
    assert!(!matches("/pinning/unpin/{cid}", "/pinning/unpin/a/b"));
    assert!(matches("/ipfs/{*path}", "/ipfs/bafy/a/b.txt"));
    assert!(!matches("/ipfs/{*path}", "/ipfs/"));
    assert_eq!(find(&Method::POST, "/v3/files/sign"), Some(&SIGN));
    assert_eq!(find(&Method::POST, "/v3/files/abc"), Some(&SIGNED_UPLOAD));
    assert_eq!(
        find(&Method::GET, "/v3/files/public/pin_by_cid"),
        Some(&LIST_PIN_QUEUE)
    );
    assert_eq!(find(&Method::GET, "/nowhere"), None);
}

/// `endpoint` is `meta`: its method, a path of one of its templates, its origin and its retry
/// class.
fn check<E: Endpoint>(endpoint: E, meta: &EndpointMetadata) {
    let path_and_query = endpoint.path_and_query().unwrap();
    // A signed URL is absolute: its path is what a server routes.
    let uri: http::Uri = path_and_query.parse().unwrap();
    let path = uri.path();
    assert_eq!(endpoint.method(), meta.method, "{}: {path}", meta.name);
    assert!(
        meta.paths.iter().any(|t| matches(t, path)),
        "{}: {path} fits none of {:?}",
        meta.name,
        meta.paths
    );
    assert_eq!(endpoint.origin(), meta.origin, "{}", meta.name);
    assert_eq!(endpoint.repeatable(), meta.repeatable, "{}", meta.name);
}

#[test]
fn the_legacy_endpoints_send_what_their_entries_say() {
    use crate::api::keys::Permissions;
    check(TestAuthentication, &TEST_AUTHENTICATION);
    check(ListPins::new(), &LIST_PINS);
    check(UserPinnedDataTotal, &USER_PINNED_DATA_TOTAL);
    check(
        CreateApiKey::new("k", Permissions::admin()).unwrap(),
        &CREATE_KEY,
    );
    check(ListApiKeys::new(), &LIST_KEYS);
    check(RevokeApiKey::new("key"), &REVOKE_KEY);
    check(
        crate::api::pinning::PinFile::file("report.pdf", 10).unwrap(),
        &PIN_FILE,
    );
    check(
        PinJson::new(&serde_json::json!({"a": 1})).unwrap(),
        &PIN_JSON,
    );
    check(PinByHash::new(CID).unwrap(), &PIN_BY_HASH);
    check(ListPinJobs::new(), &LIST_PIN_JOBS);
    check(UpdatePinMetadata::new(CID).name("n"), &UPDATE_PIN_METADATA);
    check(UnpinCid::new(CID), &UNPIN);
    check(CreateLegacyGroup::new("g").unwrap(), &CREATE_LEGACY_GROUP);
    check(ListLegacyGroups::new(), &LIST_LEGACY_GROUPS);
    check(GetLegacyGroup::new("id"), &GET_LEGACY_GROUP);
    check(
        RenameLegacyGroup::new("id", "n").unwrap(),
        &RENAME_LEGACY_GROUP,
    );
    check(DeleteLegacyGroup::new("id"), &DELETE_LEGACY_GROUP);
    check(
        LegacyGroupCids::add("id", [CID]).unwrap(),
        &ADD_TO_LEGACY_GROUP,
    );
    check(
        LegacyGroupCids::remove("id", [CID]).unwrap(),
        &REMOVE_FROM_LEGACY_GROUP,
    );
}

#[test]
fn the_v3_endpoints_send_what_their_entries_say() {
    use crate::api::keys::Permissions;
    let net = Network::Public;
    check(
        CreateApiKey::new("k", Permissions::admin())
            .unwrap()
            .via(KeyApi::V3),
        &CREATE_KEY_V3,
    );
    check(ListApiKeys::new().via(KeyApi::V3), &LIST_KEYS_V3);
    check(RevokeApiKey::new("key").via(KeyApi::V3), &REVOKE_KEY_V3);
    check(CreateGroup::new(net, "g").unwrap(), &CREATE_GROUP);
    check(ListGroups::new(net), &LIST_GROUPS);
    check(GetGroup::new(net, "id"), &GET_GROUP);
    check(
        UpdateGroup::new(net, "id").name("n").unwrap(),
        &UPDATE_GROUP,
    );
    check(DeleteGroup::new(net, "id"), &DELETE_GROUP);
    check(GroupFile::add(net, "g", "f"), &ADD_FILE_TO_GROUP);
    check(GroupFile::remove(net, "g", "f"), &REMOVE_FILE_FROM_GROUP);
    check(PinByCid::new(CID).unwrap(), &PIN_BY_CID);
    check(ListPinQueue::new(), &LIST_PIN_QUEUE);
    check(CancelPinByCid::new("id"), &CANCEL_PIN_BY_CID);
    check(ListFiles::new(Network::Private), &LIST_FILES);
    check(GetFile::new(net, "id"), &GET_FILE);
    check(UpdateFile::new(net, "id").name("n"), &UPDATE_FILE);
    check(DeleteFile::new(net, "id"), &DELETE_FILE);
    check(SwapCid::add(net, CID, CID), &ADD_SWAP);
    check(
        SwapCid::history(net, CID, "d.mypinata.cloud"),
        &SWAP_HISTORY,
    );
    check(SwapCid::delete(net, CID), &DELETE_SWAP);
    check(SwapCid::add(net, CID, CID).legacy_path(), &ADD_SWAP_IPFS);
    check(
        SwapCid::history(net, CID, "d.mypinata.cloud").legacy_path(),
        &SWAP_HISTORY_IPFS,
    );
    check(SwapCid::delete(net, CID).legacy_path(), &DELETE_SWAP_IPFS);
    check(
        CidSignature::add(net, CID, "0xsig", "0xaddr"),
        &ADD_SIGNATURE,
    );
    check(CidSignature::get(net, CID), &GET_SIGNATURE);
    check(CidSignature::delete(net, CID), &DELETE_SIGNATURE);
    check(
        CidSignature::add(net, CID, "0xsig", "0xaddr").legacy_path(),
        &ADD_SIGNATURE_IPFS,
    );
    check(
        CidSignature::get(net, CID).legacy_path(),
        &GET_SIGNATURE_IPFS,
    );
    check(
        CidSignature::delete(net, CID).legacy_path(),
        &DELETE_SIGNATURE_IPFS,
    );
    check(ListGateways::new(), &LIST_GATEWAYS);
    let upload = crate::api::uploads::UploadFile::path("report.pdf", 10).unwrap();
    check(upload.clone(), &UPLOAD_FILE);
    check(
        upload.to_signed_url(crate::api::signed::SignedUrl::new(
            "https://uploads.pinata.cloud/v3/files/abc?X-Algorithm=v1",
        )),
        &SIGNED_UPLOAD,
    );
    check(
        CreateSignedUploadUrl::new(net, Duration::from_secs(60)).unwrap(),
        &SIGN,
    );
    let gateway = crate::BaseUrl::parse("https://example.mypinata.cloud").unwrap();
    let link = CreateDownloadLink::new(&gateway, CID, "", Duration::from_secs(60)).unwrap();
    check(link.clone(), &CREATE_DOWNLOAD_LINK);
    check(
        link.clone().via(DownloadLinkPath::DownloadLink),
        &CREATE_DOWNLOAD_LINK,
    );
    // Through `/v3/files/sign` on the API origin (the SDK's `gateways.private.get`): the path of
    // the signing entry, on another origin.
    let via_sign = link.via(DownloadLinkPath::Sign);
    assert!(matches(SIGN.paths[0], &via_sign.path_and_query().unwrap()));
}

#[test]
fn the_psa_endpoints_send_what_their_entries_say() {
    check(ListPsaPins::new(), &LIST_PSA_PINS);
    check(AddPsaPin(PsaPin::new(CID).unwrap()), &ADD_PSA_PIN);
    check(GetPsaPin("r".into()), &GET_PSA_PIN);
    check(
        ReplacePsaPin {
            requestid: "r".into(),
            pin: PsaPin::new(CID).unwrap(),
        },
        &REPLACE_PSA_PIN,
    );
    check(RemovePsaPin("r".into()), &REMOVE_PSA_PIN);
}

#[test]
fn access_says_what_a_key_needs() {
    assert_eq!(
        PIN_FILE.access.needs().as_deref(),
        Some("the pinning.pinFileToIPFS permission")
    );
    assert_eq!(
        LIST_FILES.access.needs().as_deref(),
        Some("the org:files:read scope")
    );
    assert_eq!(CREATE_KEY.access.needs().as_deref(), Some("an admin key"));
    assert_eq!(TEST_AUTHENTICATION.access.needs(), None);
    let files_read = Permissions::none().allow_resource(ResourceScope::FilesRead);
    assert!(LIST_FILES.access.is_met_by(&files_read));
    assert!(!UPDATE_FILE.access.is_met_by(&files_read));
    assert!(!PIN_FILE.access.is_met_by(&files_read));
    assert!(PIN_FILE.access.is_met_by(&Permissions::admin()));
}
