//! The IPFS Pinning Service API at `/psa` through each transport, against the emulator: add, get,
//! list with the name-match modes and metadata, statuses following the pin-job store (held content
//! pinned after the delay, unknown content queued), replace, remove, and paging by `before`.

use super::*;
use pinata_core::api::psa::{ListPsaPins, NameMatch, PsaPin, PsaStatus};

fn admin_jwt(emu: &EmulatorSide) -> Credentials {
    Credentials::jwt(&emu.admin_jwt).unwrap()
}

/// A CID nobody holds: it waits in the queue.
const UNKNOWN: &str = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

fn every_status(list: ListPsaPins) -> ListPsaPins {
    list.status(PsaStatus::Queued)
        .status(PsaStatus::Pinning)
        .status(PsaStatus::Pinned)
        .status(PsaStatus::Failed)
}

/// Add, get, the statuses, the four name-match modes, replace and remove.
pub fn psa_lifecycle<D: Driver>(d: &D) {
    use pinata_core::api::psa::{AddPsaPin, GetPsaPin, RemovePsaPin, ReplacePsaPin};
    let Some(emu) = target().emulator("psa_lifecycle") else {
        return;
    };
    let config = target().config();
    let held = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &pinata_core::api::pinning::PinJson::new(
                &serde_json::json!({"psa": unique_name("psa")}),
            )
            .unwrap(),
        )
        .unwrap();
    let token = unique_name("x");
    let name = format!("PsaName[{token}]end");
    let run = unique_name("run");
    let added = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &AddPsaPin(
                PsaPin::new(&held.ipfs_hash)
                    .unwrap()
                    .name(&name)
                    .unwrap()
                    .meta("run", &run)
                    .unwrap(),
            ),
        )
        .unwrap();
    assert!(
        matches!(
            added.status,
            PsaStatus::Queued | PsaStatus::Pinning | PsaStatus::Pinned
        ),
        "{added:?}"
    );
    assert_eq!(added.pin.cid, held.ipfs_hash);
    assert!(!added.delegates.is_empty());
    let got = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &GetPsaPin(added.requestid.clone()),
        )
        .unwrap();
    assert_eq!(
        (got.requestid.as_str(), got.pin.name.as_deref()),
        (added.requestid.as_str(), Some(&*name))
    );
    std::thread::sleep(crate::target::PIN_DELAY * 2);
    let pinned = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &GetPsaPin(added.requestid.clone()),
        )
        .unwrap();
    assert_eq!(
        pinned.status,
        PsaStatus::Pinned,
        "held content is pinned after the delay"
    );

    // Each match mode finds exactly this one.
    // The bracketed token is in this name only (a bare suffix could be in another's).
    let middle = format!("[{token}]");
    for (text, how) in [
        (name.clone(), NameMatch::Exact),
        (name.to_lowercase(), NameMatch::IExact),
        (middle.clone(), NameMatch::Partial),
        (middle.to_uppercase(), NameMatch::IPartial),
    ] {
        let found = d
            .execute(
                admin_jwt(emu),
                config.clone(),
                &every_status(ListPsaPins::new()).name(&text, how).unwrap(),
            )
            .unwrap();
        assert_eq!(found.count, 1, "{how:?} {text}");
        assert_eq!(found.results[0].requestid, added.requestid);
    }
    // Without a status filter, pinned ones only; the metadata filter narrows to this run.
    let queued = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &AddPsaPin(PsaPin::new(UNKNOWN).unwrap().meta("run", &run).unwrap()),
        )
        .unwrap();
    assert_eq!(queued.status, PsaStatus::Queued);
    let pinned_only = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &ListPsaPins::new().meta("run", &run),
        )
        .unwrap();
    assert_eq!(pinned_only.count, 1);
    let all = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &every_status(ListPsaPins::new()).meta("run", &run),
        )
        .unwrap();
    assert_eq!(all.count, 2);

    // Replace: a new request for the new pin; the old one is gone.
    let replaced = d
        .execute(
            admin_jwt(emu),
            config.clone(),
            &ReplacePsaPin {
                requestid: queued.requestid.clone(),
                pin: PsaPin::new(&held.ipfs_hash).unwrap(),
            },
        )
        .unwrap();
    assert_ne!(replaced.requestid, queued.requestid);
    assert_eq!(replaced.pin.cid, held.ipfs_hash);
    let old = api_error(d.execute(
        admin_jwt(emu),
        config.clone(),
        &GetPsaPin(queued.requestid.clone()),
    ));
    assert_eq!(old.status(), StatusCode::NOT_FOUND, "{old}");

    for id in [&added.requestid, &replaced.requestid] {
        d.execute(admin_jwt(emu), config.clone(), &RemovePsaPin(id.clone()))
            .unwrap();
        let gone = api_error(d.execute(admin_jwt(emu), config.clone(), &GetPsaPin(id.clone())));
        assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{gone}");
    }
}

/// Twelve requests walked five at a time by `before`: each once, none missing.
pub fn psa_paging_by_before<D: Driver>(d: &D) {
    use pinata_core::api::psa::AddPsaPin;
    let Some(emu) = target().emulator("psa_paging_by_before") else {
        return;
    };
    let config = target().config();
    let run = unique_name("paging");
    let mut made = Vec::new();
    for _ in 0..12 {
        let pin = PsaPin::new(UNKNOWN).unwrap().meta("run", &run).unwrap();
        made.push(
            d.execute(admin_jwt(emu), config.clone(), &AddPsaPin(pin))
                .unwrap()
                .requestid,
        );
    }
    let listed = d
        .paginate(
            admin_jwt(emu),
            config,
            every_status(ListPsaPins::new())
                .meta("run", &run)
                .limit(5)
                .unwrap(),
        )
        .unwrap();
    let mut ids: Vec<String> = listed.into_iter().map(|p| p.requestid).collect();
    ids.sort();
    made.sort();
    assert_eq!(ids, made);
}

/// The spec's mode (for Kubo and compliance runs): newest first; paging by `before` walks the
/// same way; the client reads its 202s as it reads Pinata's 200s.
pub fn psa_spec_mode<D: Driver>(d: &D) {
    use pinata_core::api::psa::{AddPsaPin, RemovePsaPin};
    use pinata_emulator::{Emulator, EmulatorConfig, PsaMode};
    let emu = Emulator::spawn(EmulatorConfig {
        psa_mode: PsaMode::Spec,
        ..Default::default()
    })
    .expect("an emulator in spec mode");
    let mut made = Vec::new();
    for _ in 0..7 {
        let pin = PsaPin::new(UNKNOWN).unwrap();
        made.push(
            d.execute(emu.credentials(), emu.config(), &AddPsaPin(pin))
                .unwrap(),
        );
    }
    let first = d
        .execute(
            emu.credentials(),
            emu.config(),
            &every_status(ListPsaPins::new()).limit(3).unwrap(),
        )
        .unwrap();
    assert_eq!(first.count, 7);
    assert_eq!(
        first.results[0].requestid, made[6].requestid,
        "newest first"
    );
    let all = d
        .paginate(
            emu.credentials(),
            emu.config(),
            every_status(ListPsaPins::new()).limit(3).unwrap(),
        )
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|p| p.requestid.as_str()).collect();
    let expected: Vec<&str> = made.iter().rev().map(|p| p.requestid.as_str()).collect();
    assert_eq!(ids, expected);
    d.execute(
        emu.credentials(),
        emu.config(),
        &RemovePsaPin(made[0].requestid.clone()),
    )
    .unwrap();
}
