//! The IPFS Pinning Service API at `/psa`: the compliance suite's checks in spec mode, Pinata's
//! deviations in its mode, the pin-job mapping, and bounds. Answers are decoded with pinata-core's
//! own endpoint types, so the client and the emulator are held to one contract.

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{Answer, bearer, call, json, spawn};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use pinata_core::Endpoint;
use pinata_core::api::keys::{Permissions, ResourceScope};
use pinata_core::api::psa::{
    AddPsaPin, ListPsaPins, PsaPin, PsaPinResults, PsaPinStatus, PsaStatus,
};
use pinata_core::cid::{ImportOptions, import_bytes};
use pinata_core::endpoint::Paginated;
use pinata_core::time::format_iso8601;
use pinata_emulator::{EmulatorConfig, EmulatorHandle, PsaMode};

const ALL: &str = "status=queued,pinning,pinned,failed";

fn emulator(mode: PsaMode) -> EmulatorHandle {
    spawn(EmulatorConfig {
        psa_mode: mode,
        ..Default::default()
    })
}

/// A distinct, valid CID the emulator does not hold.
fn cid(n: usize) -> String {
    import_bytes(format!("psa {n}").as_bytes(), ImportOptions::default())
        .unwrap()
        .cid
        .to_string()
}

fn psa(emu: &EmulatorHandle, method: &str, path: &str, body: &str) -> Answer {
    call(
        emu.url(),
        method,
        path,
        &[
            ("authorization", &bearer(&emu.admin().jwt)),
            ("content-type", "application/json"),
        ],
        body.as_bytes(),
    )
}

fn status_of(answer: &Answer) -> PsaPinStatus {
    let code = StatusCode::from_u16(answer.status).unwrap();
    let bytes = Bytes::from(answer.body.clone());
    AddPsaPin(PsaPin::new("x").unwrap())
        .parse(code, &HeaderMap::new(), &bytes)
        .unwrap_or_else(|e| panic!("not a PinStatus ({e}): {}", answer.body))
}

fn list(emu: &EmulatorHandle, query: &str) -> PsaPinResults {
    let answer = psa(emu, "GET", &format!("/psa/pins?{query}"), "");
    assert_eq!(answer.status, 200, "{}", answer.body);
    ListPsaPins::new()
        .parse(
            StatusCode::OK,
            &HeaderMap::new(),
            &Bytes::from(answer.body.clone()),
        )
        .unwrap_or_else(|e| panic!("not PinResults ({e}): {}", answer.body))
}

fn add(emu: &EmulatorHandle, body: &str) -> PsaPinStatus {
    let answer = psa(emu, "POST", "/psa/pins", body);
    assert!(
        answer.status == 200 || answer.status == 202,
        "{}",
        answer.body
    );
    status_of(&answer)
}

fn reason(answer: &Answer) -> String {
    json(&answer.body)["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn wait_for(emu: &EmulatorHandle, id: &str, want: PsaStatus) -> PsaPinStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = status_of(&psa(emu, "GET", &format!("/psa/pins/{id}"), ""));
        if got.status == want || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn spec_mode_passes_the_compliance_checks() {
    let emu = emulator(PsaMode::Spec);
    // No token, and an invalid one: 401.
    let none = call(emu.url(), "GET", "/psa/pins", &[], b"");
    assert_eq!((none.status, reason(&none).as_str()), (401, "UNAUTHORIZED"));
    let forged = call(
        emu.url(),
        "GET",
        "/psa/pins",
        &[("authorization", "Bearer not-a-valid-token")],
        b"",
    );
    assert_eq!(forged.status, 401, "{}", forged.body);
    let initial = list(&emu, ALL).count;

    // Add: 202, queued/pinning/pinned, the delegate and the job's state.
    let answer = psa(
        &emu,
        "POST",
        "/psa/pins",
        &format!(r#"{{"cid":"{}"}}"#, cid(0)),
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let added = status_of(&answer);
    assert!(matches!(
        added.status,
        PsaStatus::Queued | PsaStatus::Pinning | PsaStatus::Pinned
    ));
    assert_eq!(added.pin.cid, cid(0));
    assert_eq!(added.delegates.len(), 1);
    assert!(added.delegates[0].starts_with("/ip4/127.0.0.1/tcp/4001/p2p/"));
    assert_eq!(added.info["pinata_pinjob_status"], "searching");
    let got = status_of(&psa(
        &emu,
        "GET",
        &format!("/psa/pins/{}", added.requestid),
        "",
    ));
    assert_eq!(got, added);

    // Create then delete: both 202, the removal with no body.
    let doomed = psa(
        &emu,
        "POST",
        "/psa/pins",
        &format!(r#"{{"cid":"{}"}}"#, cid(1)),
    );
    assert_eq!(doomed.status, 202);
    let doomed = status_of(&doomed);
    let removed = psa(
        &emu,
        "DELETE",
        &format!("/psa/pins/{}", doomed.requestid),
        "",
    );
    assert_eq!((removed.status, removed.body.as_str()), (202, ""));

    // List all statuses: 200.
    assert!(list(&emu, ALL).count > initial);

    // Replace: a new CID and request id; the old one is 404, the new one 200.
    let replaced = psa(
        &emu,
        "POST",
        &format!("/psa/pins/{}", added.requestid),
        &format!(r#"{{"cid":"{}","name":"replacement"}}"#, cid(2)),
    );
    assert_eq!(replaced.status, 202, "{}", replaced.body);
    let replaced = status_of(&replaced);
    assert_eq!(replaced.pin.cid, cid(2));
    assert_ne!(replaced.requestid, added.requestid);
    assert!(replaced.created > added.created);
    let old = psa(&emu, "GET", &format!("/psa/pins/{}", added.requestid), "");
    assert_eq!((old.status, reason(&old).as_str()), (404, "NOT_FOUND"));
    let new = psa(
        &emu,
        "GET",
        &format!("/psa/pins/{}", replaced.requestid),
        "",
    );
    assert_eq!(new.status, 200);

    // Name matching, each mode finding exactly one.
    let named = add(
        &emu,
        &format!(r#"{{"cid":"{}","name":"PSA-Check-Name"}}"#, cid(3)),
    );
    for (name, how) in [
        ("PSA-Check-Name", "exact"),
        ("psa-check-name", "iexact"),
        ("Check-Na", "partial"),
        ("check-na", "ipartial"),
    ] {
        let found = list(&emu, &format!("{ALL}&name={name}&match={how}"));
        assert_eq!(found.count, 1, "{how}");
        assert_eq!(found.results[0].requestid, named.requestid);
    }
    assert_eq!(list(&emu, &format!("{ALL}&name=psa-check-name")).count, 0);

    // Pagination: 10 by default, count beyond the page, newest first, page 2 disjoint.
    let mut created = vec![replaced.clone(), named.clone()];
    for n in 10..22 {
        created.push(add(&emu, &format!(r#"{{"cid":"{}"}}"#, cid(n))));
    }
    let stamps: HashSet<SystemTime> = created.iter().map(|p| p.created).collect();
    assert_eq!(stamps.len(), created.len(), "created is unique per request");
    let first = list(&emu, ALL);
    assert_eq!(first.results.len(), 10);
    assert!(first.count > first.results.len() as u64);
    assert!(
        first
            .results
            .windows(2)
            .all(|w| w[0].created > w[1].created)
    );
    let oldest = first.results.last().unwrap().created;
    let second = list(&emu, &format!("{ALL}&before={}", format_iso8601(oldest)));
    let seen: HashSet<&str> = first.results.iter().map(|p| p.requestid.as_str()).collect();
    assert!(!second.results.is_empty());
    assert!(
        second
            .results
            .iter()
            .all(|p| !seen.contains(p.requestid.as_str()))
    );
    // The client's own paging walks every one of them.
    let mut walked = 0;
    let mut page = ListPsaPins::new().status(PsaStatus::Queued);
    loop {
        let answer = list(
            &emu,
            page.path_and_query().unwrap().split_once('?').unwrap().1,
        );
        walked += answer.results.len();
        match page.next_page(&answer) {
            Some(next) => page = next,
            None => break,
        }
    }
    assert_eq!(walked, created.len());

    // Delete them all: the count is back where it was.
    for p in &created {
        let r = psa(&emu, "DELETE", &format!("/psa/pins/{}", p.requestid), "");
        assert_eq!(r.status, 202);
    }
    assert_eq!(list(&emu, ALL).count, initial);
}

#[test]
fn pinata_mode_answers_as_observed() {
    let emu = emulator(PsaMode::Pinata);
    let none = call(emu.url(), "GET", "/psa/pins", &[], b"");
    assert_eq!(
        (none.status, reason(&none).as_str()),
        (401, "INVALID_CREDENTIALS")
    );
    assert!(none.body.contains("No Authentication method provided"));
    let answer = psa(
        &emu,
        "POST",
        "/psa/pins",
        &format!(r#"{{"cid":"{}"}}"#, cid(0)),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let first = status_of(&answer);
    assert_eq!(first.status, PsaStatus::Queued);
    let replaced = psa(
        &emu,
        "POST",
        &format!("/psa/pins/{}", first.requestid),
        &format!(r#"{{"cid":"{}"}}"#, cid(1)),
    );
    assert_eq!(replaced.status, 200);
    let replaced = status_of(&replaced);
    let removed = psa(
        &emu,
        "DELETE",
        &format!("/psa/pins/{}", replaced.requestid),
        "",
    );
    assert_eq!((removed.status, removed.body.as_str()), (200, "OK"));
    assert!(
        removed
            .head
            .to_ascii_lowercase()
            .contains("content-type: text/plain")
    );

    // Oldest first, yet the page is the newest ten and `before` pages back.
    let mut created = Vec::new();
    for n in 10..22 {
        created.push(add(&emu, &format!(r#"{{"cid":"{}"}}"#, cid(n))));
    }
    let page = list(&emu, ALL);
    assert_eq!((page.count, page.results.len()), (12, 10));
    assert!(page.results.windows(2).all(|w| w[0].created < w[1].created));
    assert_eq!(page.results[0].requestid, created[2].requestid);
    let oldest = page.results[0].created;
    let back = list(&emu, &format!("{ALL}&before={}", format_iso8601(oldest)));
    let ids: Vec<&str> = back.results.iter().map(|p| p.requestid.as_str()).collect();
    assert_eq!(ids, [&created[0].requestid, &created[1].requestid]);
    let next = ListPsaPins::new().next_page(&page);
    assert!(next.is_some(), "the client pages on");
}

/// A list without `status`: every status in spec mode (the spec gives `status` no default, and the
/// compliance suite's `matchPin` finds its just-added, queued request by `name` alone), pinned
/// requests only in Pinata's mode, as Pinata answers.
#[test]
fn a_list_without_status_follows_the_mode() {
    for mode in [PsaMode::Spec, PsaMode::Pinata] {
        let emu = emulator(mode);
        let named = add(
            &emu,
            &format!(r#"{{"cid":"{}","name":"c0ffee-4e80-48ab"}}"#, cid(0)),
        );
        assert_eq!(named.status, PsaStatus::Queued, "{mode:?}");
        let by_name: Vec<(u64, Vec<String>)> = [
            "name=c0ffee-4e80-48ab",
            "name=C0FFEE-4E80-48AB&match=iexact",
            "name=4e80&match=partial",
            "name=4E80&match=ipartial",
            "",
        ]
        .iter()
        .map(|query| {
            let found = list(&emu, query);
            let ids = found.results.into_iter().map(|p| p.requestid).collect();
            (found.count, ids)
        })
        .collect();
        let expected = match mode {
            PsaMode::Spec => (1, vec![named.requestid.clone()]),
            _ => (0, Vec::new()),
        };
        assert!(
            by_name.iter().all(|found| *found == expected),
            "{mode:?}: {by_name:?}"
        );
        // With a status, both modes find it.
        let queued = list(&emu, "name=c0ffee-4e80-48ab&status=queued");
        assert_eq!(queued.count, 1, "{mode:?}");
        assert_eq!(list(&emu, "status=pinned").count, 0, "{mode:?}");
    }
}

#[test]
fn held_content_is_pinned_after_the_delay() {
    let emu = spawn(EmulatorConfig {
        pin_by_hash_delay: Duration::from_millis(300),
        ..Default::default()
    });
    let pinned = psa(
        &emu,
        "POST",
        "/pinning/pinJSONToIPFS",
        r#"{"pinataContent":{"psa":"held"}}"#,
    );
    assert_eq!(pinned.status, 200, "{}", pinned.body);
    let held = json(&pinned.body)["IpfsHash"].as_str().unwrap().to_owned();
    let before = list(&emu, "").count;
    let request = add(
        &emu,
        &format!(
            r#"{{"cid":"{held}","name":"held","origins":["/ip4/10.0.0.1/tcp/4001"],"meta":{{"app":"x"}}}}"#
        ),
    );
    assert_eq!(request.status, PsaStatus::Queued);
    assert_eq!(request.info["pinata_pinjob_status"], "retrieving");
    assert_eq!(request.pin.origins, ["/ip4/10.0.0.1/tcp/4001"]);
    assert_eq!(request.pin.meta["app"], "x");
    let done = wait_for(&emu, &request.requestid, PsaStatus::Pinned);
    assert_eq!(done.status, PsaStatus::Pinned);
    assert_eq!(done.info["pinata_pinjob_status"], "pinned");
    assert_eq!(done.created, request.created, "created never changes");
    // Pinned ones are what a listing without a status shows; filters by CID and meta find it.
    assert_eq!(list(&emu, "").count, before + 1);
    assert_eq!(list(&emu, &format!("cid={held},{}", cid(9))).count, 1);
    assert_eq!(list(&emu, "meta=%7B%22app%22%3A%22x%22%7D").count, 1);
    assert_eq!(list(&emu, "meta=%7B%22app%22%3A%22y%22%7D").count, 0);
    assert_eq!(list(&emu, &format!("cid={}", cid(9))).count, 0);
    let after = format_iso8601(done.created);
    assert_eq!(list(&emu, &format!("after={after}")).count, 0);
}

#[test]
fn unknown_content_fails_after_the_expiry() {
    let emu = spawn(EmulatorConfig {
        pin_by_hash_expiry: Duration::from_millis(300),
        ..Default::default()
    });
    let request = add(&emu, &format!(r#"{{"cid":"{}"}}"#, cid(0)));
    assert_eq!(request.status, PsaStatus::Queued);
    assert_eq!(request.info["pinata_pinjob_status"], "searching");
    assert_eq!(list(&emu, "status=queued").count, 1);
    let failed = wait_for(&emu, &request.requestid, PsaStatus::Failed);
    assert_eq!(failed.status, PsaStatus::Failed);
    assert_eq!(failed.info["pinata_pinjob_status"], "expired");
    assert_eq!(list(&emu, "status=failed").count, 1);
    assert_eq!(list(&emu, "").count, 0, "not pinned");
}

#[test]
fn bad_parameters_and_bounds_are_400s() {
    let emu = emulator(PsaMode::Spec);
    for query in [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "status=done",
        "status=",
        "match=fuzzy",
        "before=yesterday",
        "after=2024-01-01",
        "meta=%7B%22a%22%3A1%7D",
        "meta=not-json",
        "cid=",
    ] {
        let answer = psa(&emu, "GET", &format!("/psa/pins?{query}"), "");
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        assert_eq!(reason(&answer), "BAD_REQUEST", "{query}");
    }
    let eleven: Vec<String> = (0..11).map(cid).collect();
    let answer = psa(
        &emu,
        "GET",
        &format!("/psa/pins?cid={}", eleven.join(",")),
        "",
    );
    assert_eq!(answer.status, 400);
    let ten = list(&emu, &format!("cid={}", eleven[..10].join(",")));
    assert_eq!(ten.count, 0);
    let long = psa(
        &emu,
        "GET",
        &format!("/psa/pins?name={}", "n".repeat(256)),
        "",
    );
    assert_eq!(long.status, 400);
    assert_eq!(list(&emu, "limit=1000").results.len(), 0);
    for body in [
        "{}".to_owned(),
        r#"{"cid":"not-a-cid"}"#.to_owned(),
        format!(r#"{{"cid":"{}","origins":["not a multiaddr"]}}"#, cid(0)),
        format!(r#"{{"cid":"{}","name":"{}"}}"#, cid(0), "n".repeat(256)),
        format!(r#"{{"cid":"{}","meta":{{"k":1}}}}"#, cid(0)),
        format!(
            r#"{{"cid":"{}","meta":{{"k":"{}"}}}}"#,
            cid(0),
            "v".repeat(17_000)
        ),
    ] {
        let answer = psa(&emu, "POST", "/psa/pins", &body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(reason(&answer), "BAD_REQUEST");
    }
    for (method, body) in [("GET", ""), ("DELETE", ""), ("POST", r#"{"cid":"x"}"#)] {
        let answer = psa(&emu, method, "/psa/pins/no-such-request", body);
        assert!(answer.status == 404 || answer.status == 400, "{method}");
    }
    let missing = psa(
        &emu,
        "POST",
        "/psa/pins/no-such-request",
        &format!(r#"{{"cid":"{}"}}"#, cid(0)),
    );
    assert_eq!(
        (missing.status, reason(&missing).as_str()),
        (404, "NOT_FOUND")
    );
    assert_eq!(
        list(&emu, ALL).count,
        0,
        "a refused replacement leaves nothing"
    );

    // Permissions: org:files:read lists, but cannot add.
    let reader = emu
        .create_key(
            "reader",
            Permissions::none().allow_resource(ResourceScope::FilesRead),
        )
        .unwrap();
    let auth = bearer(&reader.jwt);
    let listed = call(
        emu.url(),
        "GET",
        "/psa/pins",
        &[("authorization", &auth)],
        b"",
    );
    assert_eq!(listed.status, 200);
    let refused = call(
        emu.url(),
        "POST",
        "/psa/pins",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        format!(r#"{{"cid":"{}"}}"#, cid(0)).as_bytes(),
    );
    assert_eq!(refused.status, 403);
}
