//! Property: what pinata-core's key builder accepts, the emulator parses back to the same permissions;
//! what the builder refuses, the emulator refuses too.

use pinata_core::api::keys::{CreateApiKey, EndpointPermission, Permissions, ResourceScope};
use proptest::prelude::*;

fn permissions() -> impl Strategy<Value = Permissions> {
    (
        any::<bool>(),
        proptest::collection::btree_set(0..EndpointPermission::ALL.len(), 0..=10),
        proptest::collection::btree_set(0..ResourceScope::ALL.len(), 0..=10),
    )
        .prop_map(|(admin, endpoints, resources)| {
            let mut p = if admin {
                Permissions::admin()
            } else {
                Permissions::none()
            };
            for i in endpoints {
                p = p.allow(EndpointPermission::ALL[i]);
            }
            for i in resources {
                p = p.allow_resource(ResourceScope::ALL[i]);
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn builder_and_emulator_agree(
        permissions in permissions(),
        name in "[ -~]{0,12}",
        max_uses in proptest::option::of(0u32..5),
    ) {
        let built = CreateApiKey::new(name.clone(), permissions.clone())
            .and_then(|r| match max_uses { Some(n) => r.max_uses(n), None => Ok(r) });
        // What a client that skips the builder would send for the same inputs.
        let mut raw = serde_json::json!({"keyName": name, "permissions": permissions});
        if let Some(n) = max_uses {
            raw["maxUses"] = n.into();
        }
        let parsed = pinata_emulator::parse_key_request(&raw);
        match built {
            Ok(request) => {
                let body = serde_json::to_value(&request).unwrap();
                prop_assert_eq!(&body, &raw, "the builder sends what it was given");
                prop_assert_eq!(parsed, Ok(permissions));
            }
            Err(e) => prop_assert!(parsed.is_err(), "builder refused ({}) but the emulator accepted", e),
        }
    }

    #[test]
    fn every_leaf_is_sent_when_endpoints_are(permissions in permissions()) {
        prop_assume!(permissions.validate().is_ok());
        let body = serde_json::to_value(&permissions).unwrap();
        if let Some(endpoints) = body.get("endpoints") {
            prop_assert!(body.get("admin").is_none(), "no admin alongside endpoints");
            for p in EndpointPermission::ALL {
                let leaf = &endpoints[p.group()][p.leaf()];
                prop_assert_eq!(leaf, &serde_json::Value::Bool(permissions.endpoint_permissions().contains(&p)));
            }
        }
    }
}
