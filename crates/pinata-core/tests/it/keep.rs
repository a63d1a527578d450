//! Answers a user keeps: every response type serialises to the shape it is decoded from (so a
//! value written to disk reads back the same), shows its dates as dates in `Debug`, and the ones a
//! test would fake have constructors.

use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pinata_core::api::AuthenticationOk;
use pinata_core::api::files::{FileItem, FilePage};
use pinata_core::api::groups::{Group, GroupPage};
use pinata_core::api::keys::{ApiKeyInfo, ApiKeyPage, CreatedApiKey};
use pinata_core::api::pin_by_cid::{PinByCidJob, PinQueuePage};
use pinata_core::api::pinning::{
    LegacyGroup, PinByHashJob, PinJobPage, PinJobStatus, PinPage, PinResponse, PinRow,
    PinnedDataTotal,
};
use pinata_core::api::psa::PsaPinResults;
use pinata_core::api::signed::SignedUrl;
use pinata_core::api::swaps::{Signature, Swap};
use pinata_core::api::uploads::UploadedFile;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `json` as the API sent it, writes it with `Serialize`, reads that back: the same value,
/// and the same JSON when written again.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(json: &str) -> T {
    let decoded: T = serde_json::from_str(json).unwrap();
    let written = serde_json::to_string(&decoded).unwrap();
    let again: T = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("{written} does not read back: {e}"));
    assert_eq!(again, decoded, "{written}");
    assert_eq!(serde_json::to_string(&again).unwrap(), written);
    decoded
}

const CREATED: &str = "2024-07-11T23:33:27.665Z";

fn created() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_720_740_807_665)
}

#[test]
fn v3_answers_round_trip_and_show_dates() {
    let file: FileItem = round_trip(&format!(
        r#"{{"id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","name":"a.txt","cid":"bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy","size":5,"number_of_files":1,"mime_type":"text/plain","keyvalues":{{"n":7,"k":"v","gone":null}},"group_id":null,"created_at":"{CREATED}","expires_at":1900000000}}"#
    ));
    assert_eq!(file.created_at, created());
    assert_eq!(file.keyvalues["n"], "7");
    assert!(
        format!("{file:?}").contains("created_at: 2024-07-11T23:33:27.665Z"),
        "{file:?}"
    );
    let page: FilePage = round_trip(&format!(
        r#"{{"files":[{}],"next_page_token":"abc"}}"#,
        serde_json::to_string(&file).unwrap()
    ));
    assert_eq!(page, FilePage::new(vec![file], Some("abc".into())));
    let up: UploadedFile = round_trip(&format!(
        r#"{{"id":"f1","name":"a.txt","cid":"bafkqaaa","size":0,"number_of_files":1,"mime_type":"text/plain","group_id":"g1","keyvalues":{{}},"created_at":"{CREATED}","network":"public","is_duplicate":true}}"#
    ));
    assert!(format!("{up:?}").contains("created_at: 2024-07-11T23:33:27.665Z"));
    // The SDK's spelling (`createdAt`, `public`) is read; the spec's is written, and read back.
    let group: Group = round_trip(&format!(
        r#"{{"id":"g1","name":"photos","public":true,"createdAt":"{CREATED}"}}"#
    ));
    assert!(group.is_public);
    assert_eq!(
        serde_json::to_value(&group).unwrap(),
        serde_json::json!({"id": "g1", "name": "photos", "is_public": true, "created_at": CREATED})
    );
    round_trip::<GroupPage>(r#"{"groups":null}"#);
    let job: PinByCidJob = round_trip(&format!(
        r#"{{"id":"j1","ipfs_pin_hash":"bafkqaaa","date_queued":"{CREATED}","status":"prechecking","hose_nodes":["/ip4/1.2.3.4/tcp/4001"],"keyvalues":{{"a":1}}}}"#
    ));
    assert_eq!(job.host_nodes.as_deref().map(<[_]>::len), Some(1));
    round_trip::<PinQueuePage>(&format!(
        r#"{{"jobs":[{}],"next_page_token":null}}"#,
        serde_json::to_string(&job).unwrap()
    ));
    round_trip::<Swap>(&format!(
        r#"{{"mappedCid":"bafkqaaa","createdAt":"{CREATED}"}}"#
    ));
    round_trip::<Signature>(r#"{"cid":"bafkqaaa","signature":"0xabc"}"#);
    let link: SignedUrl = round_trip(r#""https://gw.example/files/bafkqaaa?X-Signature=00ff""#);
    assert!(link.as_str().ends_with("X-Signature=00ff"));
}

#[test]
fn legacy_answers_round_trip_and_show_dates() {
    let pinned: PinResponse = round_trip(&format!(
        r#"{{"IpfsHash":"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o","PinSize":20,"Timestamp":"{CREATED}","isDuplicate":true}}"#
    ));
    assert!(
        format!("{pinned:?}").contains("timestamp: 2024-07-11T23:33:27.665Z"),
        "{pinned:?}"
    );
    let page: PinPage = round_trip(&format!(
        r#"{{"count":1,"rows":[{{"id":"r1","ipfs_pin_hash":"bafkqaaa","size":3,"user_id":"u1","date_pinned":"{CREATED}","date_unpinned":null,"metadata":{{"name":"n","keyvalues":{{"a":1}}}},"mime_type":null,"number_of_files":1}}]}}"#
    ));
    assert!(format!("{page:?}").contains("date_unpinned: None"));
    let jobs: PinJobPage = round_trip(&format!(
        r#"{{"count":2,"rows":[{{"id":"j1","ipfs_pin_hash":"bafkqaaa","date_queued":"{CREATED}","status":"retrieving"}},{{"id":"j2","ipfs_pin_hash":"bafkqaaa","date_queued":"{CREATED}","status":"a_status_added_later"}}]}}"#
    ));
    assert_eq!(jobs.rows[1].status.as_str(), "a_status_added_later");
    let group: LegacyGroup = round_trip(&format!(
        r#"{{"id":"g1","user_id":"u1","name":"n","createdAt":"{CREATED}","updatedAt":"2024-07-12T00:00:00.000Z"}}"#
    ));
    assert!(
        format!("{group:?}").contains("updated_at: Some(2024-07-12T00:00:00.000Z)"),
        "{group:?}"
    );
    round_trip::<PinByHashJob>(
        r#"{"id":"j1","ipfsHash":"bafkqaaa","status":"prechecking","name":"n"}"#,
    );
    round_trip::<PinnedDataTotal>(
        r#"{"pin_count":1,"pin_size_total":2,"pin_size_with_replications_total":3}"#,
    );
    round_trip::<AuthenticationOk>(r#"{"message":"Congratulations!"}"#);
    round_trip::<PsaPinResults>(&format!(
        r#"{{"count":1,"results":[{{"requestid":"r1","status":"pinned","created":"{CREATED}","pin":{{"cid":"bafkqaaa","name":"n","meta":{{"a":"b"}}}},"delegates":["/dnsaddr/x"],"info":{{"k":"v"}}}}]}}"#
    ));
}

#[test]
fn keys_round_trip_without_a_listed_secret_and_hide_it_in_debug() {
    // A listing keeps its shape but never writes a secret back out (listings get logged).
    let page: ApiKeyPage = serde_json::from_str(&format!(
        r#"{{"count":1,"keys":[{{"id":"k1","name":"ci","key":"0123456789abcdef0123","secret":"s3cr3t-s3cr3t","max_uses":10,"uses":2,"user_id":"u1","scopes":{{"admin":true}},"revoked":false,"createdAt":"{CREATED}","updatedAt":null}}]}}"#
    ))
    .unwrap();
    assert_eq!(
        page.keys[0].secret.as_ref().map(|s| s.expose_secret()),
        Some("s3cr3t-s3cr3t")
    );
    let written = serde_json::to_string(&page).unwrap();
    assert!(!written.contains("s3cr3t"), "{written}");
    let without: ApiKeyPage = round_trip(&written);
    assert_eq!(without.keys[0].secret, None);
    assert_eq!(without.keys[0].key, page.keys[0].key);
    let shown = format!("{page:?}");
    assert!(!shown.contains("s3cr3t") && shown.contains("2024-07-11T23:33:27.665Z"));
    let created: CreatedApiKey = serde_json::from_str(
        r#"{"pinata_api_key":"0123456789abcdef0123","pinata_api_secret":"s3cr3t","JWT":"a.b.c"}"#,
    )
    .unwrap();
    let kept = serde_json::to_value(&created).unwrap();
    assert_eq!(
        kept,
        serde_json::json!({"pinata_api_key": "0123456789abcdef0123", "pinata_api_secret": "s3cr3t", "JWT": "a.b.c"})
    );
    let back: CreatedApiKey = serde_json::from_value(kept).unwrap();
    assert_eq!(back.jwt().expose_secret(), "a.b.c");
    assert!(!format!("{back:?}").contains("s3cr3t"));
}

#[test]
fn a_test_can_fake_the_common_answers() {
    let mut up = UploadedFile::new("f1", "bafkqaaa");
    up.size = 3;
    assert_eq!(
        (up.id.as_str(), up.cid.as_str(), up.size),
        ("f1", "bafkqaaa", 3)
    );
    assert_eq!(up.created_at, UNIX_EPOCH);
    let file = FileItem::new("f1", "pending");
    assert!(file.is_pending());
    assert_eq!(PinResponse::new("bafkqaaa", 3).pin_size, 3);
    let job = PinByHashJob::new("j1", "bafkqaaa", PinJobStatus::Prechecking);
    assert_eq!(job.status, PinJobStatus::Prechecking);
    assert_eq!(
        PinByCidJob::new("j1", "bafkqaaa", PinJobStatus::Prechecking).cid,
        "bafkqaaa"
    );
    let row = PinRow::new("r1", "bafkqaaa", 3);
    assert_eq!(PinPage::new(vec![row], Some(1)).count, Some(1));
    assert_eq!(Group::new("g1", "photos").name, "photos");
    assert_eq!(GroupPage::new(vec![], None).groups, vec![]);
    assert_eq!(LegacyGroup::new("g1", "photos").id, "g1");
    let mut info = ApiKeyInfo::new("k1", "ci", "0123456789abcdef0123");
    info.uses = 2;
    assert_eq!(ApiKeyPage::new(vec![info], 1).keys[0].uses, 2);
    let key = CreatedApiKey::new("0123456789abcdef0123", "s3cr3t", "a.b.c");
    assert_eq!(key.api_secret().expose_secret(), "s3cr3t");
    assert_eq!(AuthenticationOk::new("hi").message, "hi");
    // What a fake makes serialises like what the API sends.
    for fake in [
        serde_json::to_string(&UploadedFile::new("f1", "bafkqaaa")).unwrap(),
        serde_json::to_string(&FileItem::new("f1", "bafkqaaa")).unwrap(),
    ] {
        assert!(
            fake.contains(r#""created_at":"1970-01-01T00:00:00.000Z""#),
            "{fake}"
        );
    }
}

fn any_time() -> impl Strategy<Value = SystemTime> {
    (0u64..253_402_300_799, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| UNIX_EPOCH + Duration::new(secs, nanos))
}

proptest! {
    /// Whatever a file holds, what is written reads back the same: names, key-values and
    /// timestamps to the nanosecond.
    #[test]
    fn a_file_reads_back_as_it_was_written(
        id in "\\PC{0,20}",
        cid in "[a-z0-9]{1,60}",
        name in proptest::option::of("\\PC{0,20}"),
        size in any::<u64>(),
        keyvalues in proptest::collection::btree_map("\\PC{0,8}", "\\PC{0,8}", 0..4),
        created_at in any_time(),
        expires_at in proptest::option::of(any::<u64>()),
        is_duplicate in proptest::option::of(any::<bool>()),
    ) {
        let mut file = FileItem::new(id.clone(), cid.clone());
        file.name = name.clone();
        file.size = size;
        file.keyvalues = keyvalues.clone();
        file.created_at = created_at;
        file.expires_at = expires_at;
        let back: FileItem = serde_json::from_str(&serde_json::to_string(&file).unwrap()).unwrap();
        prop_assert_eq!(back, file);
        let mut up = UploadedFile::new(id, cid);
        up.name = name;
        up.keyvalues = keyvalues;
        up.created_at = created_at;
        up.is_duplicate = is_duplicate;
        let back: UploadedFile = serde_json::from_str(&serde_json::to_string(&up).unwrap()).unwrap();
        prop_assert_eq!(back, up);
    }
}
