//! The emulator as a downstream test tool, through each transport: a client in one line from the
//! in-process handle, faults injected from Rust, the requests the app made inspected, keys and
//! groups and files seeded, a reset.

use super::*;
use pinata_core::api::Network;
use pinata_core::api::files::ListFiles;
use pinata_core::api::groups::GetGroup;
use pinata_emulator::faults::FaultRule;
use pinata_emulator::{Emulator, JournalFilter};

/// A test of a downstream app, as its author would write it: its own emulator, one line to a
/// client, a fault from Rust, the journal, seeding, reset.
pub fn emulator_is_a_test_tool<D: Driver>(d: &D) {
    let emu = Emulator::spawn(Default::default()).expect("an emulator of its own");
    // One line to a working client: every origin, the admin's JWT.
    d.test_authentication(emu.credentials(), emu.config())
        .unwrap();

    // A fault from Rust: the next three requests of the admin key are 503s, so a call with the
    // default three attempts fails with 503 after retrying.
    emu.add_fault(
        FaultRule::status(503)
            .count(3)
            .key(emu.admin().api_key.as_str()),
    )
    .unwrap();
    let e = api_error(d.test_authentication(emu.credentials(), emu.config()));
    assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(e.attempts(), 3);
    d.test_authentication(emu.credentials(), emu.config())
        .unwrap();

    // What the app sent, as the emulator saw it.
    let seen = emu.requests(&JournalFilter::new().path("/data/testAuthentication"));
    let statuses: Vec<Option<u16>> = seen.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Some(200), Some(503), Some(503), Some(503), Some(200)],
        "every attempt, in order"
    );
    assert!(
        seen.iter()
            .all(|r| r.method == "GET" && r.key.as_deref() == Some(emu.admin().api_key.as_str()))
    );

    // Seeding: a key with only read rights, a group.
    let reader = emu
        .create_key(
            "seeded reader",
            Permissions::none().allow_resource(ResourceScope::FilesRead),
        )
        .unwrap();
    let reader_creds = reader.jwt_credentials().unwrap();
    d.execute(
        reader_creds.clone(),
        emu.config(),
        &ListFiles::new(Network::Public),
    )
    .unwrap();
    let group = emu.create_group(Network::Private, "seeded group").unwrap();
    let got = d
        .execute(
            emu.credentials(),
            emu.config(),
            &GetGroup::new(Network::Private, &group),
        )
        .unwrap();
    assert_eq!(got.name, "seeded group");
    // A file, as if uploaded: listed, its bytes served on the gateway with its CID checked.
    let seeded = emu
        .create_file(Network::Public, "fixture.txt", "seeded bytes")
        .unwrap();
    let listed = d
        .execute(
            reader_creds.clone(),
            emu.config(),
            &ListFiles::new(Network::Public).cid(&seeded.cid),
        )
        .unwrap();
    assert_eq!(listed.files.len(), 1);
    assert_eq!(listed.files[0].id, seeded.id);
    assert_eq!(listed.files[0].name.as_deref(), Some("fixture.txt"));
    assert_eq!(listed.files[0].mime_type.as_deref(), Some("text/plain"));
    let download = pinata_core::download::Download::public(&seeded.cid, "")
        .unwrap()
        .verify()
        .unwrap();
    let (bytes, _, _) = d
        .download(emu.credentials(), emu.config(), &download)
        .unwrap();
    assert_eq!(bytes, b"seeded bytes");
    assert!(emu.create_file(Network::Public, "", "x").is_err());

    // Reset: back to the admin alone; the seeded key no longer works, the admin still does.
    emu.reset().unwrap();
    let refused =
        api_error(d.execute(reader_creds, emu.config(), &ListFiles::new(Network::Public)));
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{refused}");
    d.test_authentication(emu.credentials(), emu.config())
        .unwrap();
    assert!(
        emu.requests(&JournalFilter::new().path("/data/testAuthentication"))
            .len()
            == 1,
        "the journal starts again at the reset"
    );
}
