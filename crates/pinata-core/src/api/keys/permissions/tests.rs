use super::*;
use serde_json::json;

#[test]
fn admin_serialises_alone() {
    assert_eq!(
        serde_json::to_value(Permissions::admin()).unwrap(),
        json!({"admin": true})
    );
}

#[test]
fn endpoints_serialise_with_every_leaf_and_no_admin() {
    let p = Permissions::endpoints([
        EndpointPermission::PinFileToIpfs,
        EndpointPermission::PinList,
    ]);
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"endpoints": {
            "data": {"pinList": true, "userPinnedDataTotal": false},
            "pinning": {
                "hashMetadata": false, "hashPinPolicy": false, "pinByHash": false,
                "pinFileToIPFS": true, "pinJSONToIPFS": false, "pinJobs": false,
                "unpin": false, "userPinPolicy": false
            }
        }})
    );
}

#[test]
fn resources_serialise_as_a_list() {
    let p = Permissions::none()
        .allow_resource(ResourceScope::FilesWrite)
        .allow_resource(ResourceScope::OrgRead);
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"resources": ["org:read", "org:files:write"]})
    );
    assert!(
        p.permits_resource(ResourceScope::FilesRead),
        "write implies read"
    );
    assert!(!p.permits_resource(ResourceScope::OrgWrite));
}

#[test]
fn validation() {
    assert_eq!(
        Permissions::none().validate(),
        Err(PermissionsError::NothingGranted)
    );
    assert_eq!(
        Permissions::admin()
            .allow(EndpointPermission::Unpin)
            .validate(),
        Err(PermissionsError::AdminWithScopes)
    );
    assert_eq!(Permissions::admin().validate(), Ok(()));
}

#[test]
fn listing_scopes_parse_leniently() {
    let listed = json!({"endpoints": {"pinning": {"pinFileToIPFS": true, "pinJSONToIPFS": true, "newThing": true}}, "admin": false});
    assert_eq!(
        Permissions::from_listing_json(&listed),
        Permissions::endpoints([
            EndpointPermission::PinFileToIpfs,
            EndpointPermission::PinJsonToIpfs
        ])
    );
    assert_eq!(
        Permissions::from_listing_json(&json!({"admin": true})),
        Permissions::admin()
    );
    assert_eq!(
        Permissions::from_listing_json(&json!("junk")),
        Permissions::none()
    );
}

#[test]
fn request_trees_parse_strictly() {
    for bad in [
        json!([]),
        json!({"admin": "yes"}),
        json!({"endpoints": {"pinning": {"pinEverything": true}}}),
        json!({"endpoints": {"pinning": {"unpin": 1}}}),
        json!({"resources": ["org:everything"]}),
        json!({"superuser": true}),
    ] {
        assert!(
            matches!(
                Permissions::from_request_json(&bad),
                Err(PermissionsError::Malformed(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(
        Permissions::from_request_json(&json!({"endpoints": {"data": {"pinList": true}}})),
        Ok(Permissions::endpoints([EndpointPermission::PinList]))
    );
}

#[test]
fn wire_names_round_trip() {
    for p in EndpointPermission::ALL {
        assert_eq!(EndpointPermission::from_path(p.group(), p.leaf()), Some(p));
    }
    for s in ResourceScope::ALL {
        assert_eq!(ResourceScope::parse(s.as_str()), Some(s));
    }
    assert_eq!(
        EndpointPermission::PinJsonToIpfs.to_string(),
        "pinning.pinJSONToIPFS"
    );
}
