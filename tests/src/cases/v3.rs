//! The v3 API: groups on both networks (the whole lifecycle, paging, the v3 error shape,
//! Bearer-only authentication, the `org:groups:*` scopes), the account's gateways, and pin by CID
//! with its queue.

use super::*;
use pinata_core::ApiErrorBody;
use pinata_core::api::Network;
use pinata_core::api::gateways::ListGateways;
use pinata_core::api::groups::{CreateGroup, DeleteGroup, GetGroup, ListGroups, UpdateGroup};

fn admin_jwt(emu: &EmulatorSide) -> Credentials {
    Credentials::jwt(&emu.admin_jwt).unwrap()
}

/// Calls `endpoint` with the admin's JWT.
fn as_admin<D: Driver, E>(d: &D, emu: &EmulatorSide, endpoint: &E) -> Result<E::Output, Error>
where
    E: pinata_core::Endpoint + Sync,
    E::Output: Send,
{
    d.execute(admin_jwt(emu), target().config(), endpoint)
}

/// Create, get, update, list (filtered, and paged two at a time), delete; on each network, which
/// do not see each other's groups.
pub fn v3_groups_lifecycle<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_groups_lifecycle") else {
        return;
    };
    let config = target().config();
    for network in [Network::Public, Network::Private] {
        let prefix = unique_name(&format!("group-{network}"));
        let mut made = Vec::new();
        for i in 0..5 {
            let g = as_admin(
                d,
                emu,
                &CreateGroup::new(network, format!("{prefix}-{i}")).unwrap(),
            )
            .unwrap();
            assert_eq!(g.name, format!("{prefix}-{i}"));
            assert!(!g.is_public);
            made.push(g);
        }
        let got = as_admin(d, emu, &GetGroup::new(network, &made[0].id)).unwrap();
        assert_eq!(got, made[0]);

        let renamed = as_admin(
            d,
            emu,
            &UpdateGroup::new(network, &made[1].id)
                .name(format!("{prefix}-renamed"))
                .unwrap()
                .public(true),
        )
        .unwrap();
        assert_eq!(
            (renamed.name.as_str(), renamed.is_public),
            (&*format!("{prefix}-renamed"), true)
        );

        // Every page of two, newest first: all five, each once.
        let listed = d
            .paginate(
                admin_jwt(emu),
                config.clone(),
                ListGroups::new(network).name(&prefix).limit(2).unwrap(),
            )
            .unwrap();
        let ids: Vec<&str> = listed.iter().map(|g| g.id.as_str()).collect();
        let expected: Vec<&str> = made.iter().rev().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, expected, "{network}");
        let public = d
            .paginate(
                admin_jwt(emu),
                config.clone(),
                ListGroups::new(network).name(&prefix).public(true),
            )
            .unwrap();
        assert_eq!(public.len(), 1);

        as_admin(d, emu, &DeleteGroup::new(network, &made[2].id)).unwrap();
        let gone = api_error(as_admin(d, emu, &GetGroup::new(network, &made[2].id)));
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        assert!(
            matches!(gone.body(), ApiErrorBody::Coded { code: 404, .. }),
            "{gone}"
        );

        // The other network does not hold this one's groups.
        let other = match network {
            Network::Public => Network::Private,
            _ => Network::Public,
        };
        let elsewhere = api_error(as_admin(d, emu, &GetGroup::new(other, &made[0].id)));
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    }
}

/// v3 takes Bearer authentication only, and the groups scopes: read lists, write changes.
pub fn v3_groups_scopes_and_schemes<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_groups_scopes_and_schemes") else {
        return;
    };
    let config = target().config();
    let list = ListGroups::new(Network::Public).limit(1).unwrap();
    let pair = api_error(d.execute(admin(emu), config.clone(), &list));
    assert_eq!(pair.status(), StatusCode::UNAUTHORIZED, "{pair}");

    let reader = create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::GroupsRead),
    );
    let reader = reader.jwt_credentials().unwrap();
    d.execute(reader.clone(), config.clone(), &list).unwrap();
    let refused = api_error(d.execute(
        reader,
        config.clone(),
        &CreateGroup::new(Network::Public, unique_name("refused")).unwrap(),
    ));
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{refused}");

    let writer = create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::GroupsWrite),
    );
    let created = d
        .execute(
            writer.jwt_credentials().unwrap(),
            config,
            &CreateGroup::new(Network::Private, unique_name("written")).unwrap(),
        )
        .unwrap();
    assert!(!created.id.is_empty());
}

/// The account's gateways (`GET /v3/ipfs/gateways`): the emulator lists one, whose host is built
/// as the Go CLI builds it (`<domain>.mypinata.cloud`), while the emulator's own URL stays the
/// gateway downloads go to; the spec's paging; `org:gateways:read`, Bearer only.
pub fn v3_gateways_are_listed<D: Driver>(d: &D) {
    let Some(emu) = target().emulator("v3_gateways_are_listed") else {
        return;
    };
    let config = target().config();
    let page = as_admin(d, emu, &ListGateways::new()).unwrap();
    assert_eq!(page.count, Some(1), "{page:?}");
    assert_eq!(page.rows.len(), 1, "{page:?}");
    let row = &page.rows[0];
    assert!(!row.id.is_empty() && !row.domain.is_empty(), "{row:?}");
    let expected = if row.domain.contains('.') {
        row.domain.clone()
    } else {
        format!("{}.mypinata.cloud", row.domain)
    };
    assert_eq!(row.host(), Some(expected));
    // The row names the account's gateway; the client of an emulator downloads from the emulator.
    assert_eq!(
        config.gateway().map(|g| g.origin()),
        Some(config.base_url().origin())
    );
    let second = as_admin(d, emu, &ListGateways::new().page_size(1).unwrap().page(2)).unwrap();
    assert!(second.rows.is_empty(), "{second:?}");

    let pair = api_error(d.execute(admin(emu), config.clone(), &ListGateways::new()));
    assert_eq!(pair.status(), StatusCode::UNAUTHORIZED, "{pair}");
    let reader = create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::GatewaysRead),
    );
    let listed = d
        .execute(
            reader.jwt_credentials().unwrap(),
            config.clone(),
            &ListGateways::new(),
        )
        .unwrap();
    assert_eq!(listed, page);
    let files = create_key(
        d,
        emu,
        Permissions::none().allow_resource(ResourceScope::FilesRead),
    );
    let refused = api_error(d.execute(
        files.jwt_credentials().unwrap(),
        config,
        &ListGateways::new(),
    ));
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused.reason(), Some("NO_SCOPES_FOUND"), "{refused}");
}

/// v3 pin by CID: held content is queued as `retrieving` and pinned after the delay; unknown
/// content waits as `searching` in the queue (filtered and paged), and can be cancelled, once.
pub fn v3_pin_by_cid_queue_and_cancel<D: Driver>(d: &D) {
    use pinata_core::api::pin_by_cid::{CancelPinByCid, ListPinQueue, PinByCid};
    use pinata_core::api::pinning::{ListPins, PinJobStatus, PinJson, UnpinCid};
    let Some(emu) = target().emulator("v3_pin_by_cid_queue_and_cancel") else {
        return;
    };
    let config = target().config();
    // Held content (pinned, then unpinned): retrieving, then pinned after the delay.
    let held = as_admin(
        d,
        emu,
        &PinJson::new(&serde_json::json!({ "v3": unique_name("by-cid") })).unwrap(),
    )
    .unwrap();
    as_admin(d, emu, &UnpinCid::new(&held.ipfs_hash)).unwrap();
    let name = unique_name("by-cid-name");
    let job = as_admin(
        d,
        emu,
        &PinByCid::new(&held.ipfs_hash)
            .unwrap()
            .name(&name)
            .keyvalue("env", "test"),
    )
    .unwrap();
    assert_eq!(job.status, PinJobStatus::Retrieving);
    assert_eq!(
        (job.cid.as_str(), job.name.as_deref()),
        (held.ipfs_hash.as_str(), Some(&*name))
    );
    std::thread::sleep(crate::target::PIN_DELAY * 2);
    let pinned = d
        .paginate(
            admin_jwt(emu),
            config.clone(),
            ListPins::new().cid(&held.ipfs_hash),
        )
        .unwrap();
    assert!(
        pinned.iter().any(|p| p.date_unpinned.is_none()),
        "pinned after the delay"
    );

    // Unknown content: searching, listed in the queue (one per page), then cancelled.
    let unknown = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    let queued: Vec<_> = (0..3)
        .map(|_| as_admin(d, emu, &PinByCid::new(unknown).unwrap()).unwrap())
        .collect();
    assert!(queued.iter().all(|j| j.status == PinJobStatus::Searching));
    let listed = d
        .paginate(
            admin_jwt(emu),
            config.clone(),
            ListPinQueue::new().cid(unknown).limit(1).unwrap(),
        )
        .unwrap();
    for job in &queued {
        assert!(
            listed.iter().any(|l| l.id == job.id),
            "{} is queued",
            job.id
        );
    }
    as_admin(d, emu, &CancelPinByCid::new(&queued[0].id)).unwrap();
    let again = api_error(as_admin(d, emu, &CancelPinByCid::new(&queued[0].id)));
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let left = d
        .paginate(admin_jwt(emu), config, ListPinQueue::new().cid(unknown))
        .unwrap();
    assert!(!left.iter().any(|l| l.id == queued[0].id), "cancelled");
}

/// The legacy `/groups`: create, get, rename, list (filtered, paged by offset), add and remove
/// pins (seen through `pinList`'s group filter), delete; admin keys only.
pub fn legacy_groups_lifecycle<D: Driver>(d: &D) {
    use pinata_core::api::pinning::{
        CreateLegacyGroup, DeleteLegacyGroup, GetLegacyGroup, LegacyGroupCids, ListLegacyGroups,
        ListPins, PinJson, RenameLegacyGroup,
    };
    let Some(emu) = target().emulator("legacy_groups_lifecycle") else {
        return;
    };
    let config = target().config();
    let prefix = unique_name("legacy-group");
    let made: Vec<_> = (0..3)
        .map(|i| {
            as_admin(
                d,
                emu,
                &CreateLegacyGroup::new(format!("{prefix}-{i}")).unwrap(),
            )
            .unwrap()
        })
        .collect();
    let got = as_admin(d, emu, &GetLegacyGroup::new(&made[0].id)).unwrap();
    assert_eq!(got, made[0]);
    let renamed = as_admin(
        d,
        emu,
        &RenameLegacyGroup::new(&made[0].id, format!("{prefix}-renamed")).unwrap(),
    )
    .unwrap();
    assert_eq!(renamed.name, format!("{prefix}-renamed"));
    let listed = d
        .paginate(
            admin_jwt(emu),
            config.clone(),
            ListLegacyGroups::new()
                .name_contains(&prefix)
                .limit(1)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(listed.len(), 3, "every group, one page at a time");

    let pin = as_admin(
        d,
        emu,
        &PinJson::new(&serde_json::json!({ "grouped": prefix })).unwrap(),
    )
    .unwrap();
    let in_group = |d: &D| {
        d.paginate(
            admin_jwt(emu),
            target().config(),
            ListPins::new().group(&made[1].id),
        )
        .unwrap()
        .into_iter()
        .filter(|p| p.ipfs_pin_hash == pin.ipfs_hash)
        .count()
    };
    as_admin(
        d,
        emu,
        &LegacyGroupCids::add(&made[1].id, [&pin.ipfs_hash]).unwrap(),
    )
    .unwrap();
    assert_eq!(in_group(d), 1);
    as_admin(
        d,
        emu,
        &LegacyGroupCids::remove(&made[1].id, [&pin.ipfs_hash]).unwrap(),
    )
    .unwrap();
    assert_eq!(in_group(d), 0);

    as_admin(d, emu, &DeleteLegacyGroup::new(&made[2].id)).unwrap();
    let gone = api_error(as_admin(d, emu, &GetLegacyGroup::new(&made[2].id)));
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    let scoped = create_key(
        d,
        emu,
        Permissions::endpoints([EndpointPermission::PinList]),
    );
    let refused = api_error(d.execute(
        scoped.jwt_credentials().unwrap(),
        config,
        &ListLegacyGroups::new(),
    ));
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{refused}");
}
