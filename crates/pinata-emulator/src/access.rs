//! Who may call what: the requirement type (the core's, from its endpoint metadata) and the
//! emulator's rule for managing keys.

use pinata_core::api::keys::Permissions;
#[cfg(test)]
use pinata_core::api::keys::{EndpointPermission, ResourceScope};

/// What a key must hold to call an endpoint: the core's `Access`, read from each route's
/// endpoint metadata (`Route::metadata`, in `router.rs`).
pub use pinata_core::api::metadata::Access as Requirement;

/// Whether a key holding `holder` may create, or revoke, a key holding `target`: only when every
/// right of `target` is one `holder` has, so no key can mint or remove a key above itself. An
/// admin may do anything; only an admin may touch an admin key. The real service's rule is not
/// documented; this is the least-privilege choice (emulator's choice).
pub fn may_manage(holder: &Permissions, target: &Permissions) -> bool {
    if holder.is_admin() {
        return true;
    }
    !target.is_admin()
        && target
            .endpoint_permissions()
            .iter()
            .all(|p| holder.permits_endpoint(*p))
        && target
            .resource_scopes()
            .iter()
            .all(|s| holder.permits_resource(*s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_semantics() {
        let pin_list = Permissions::endpoints([EndpointPermission::PinList]);
        let org_write = Permissions::none().allow_resource(ResourceScope::OrgWrite);
        assert!(Requirement::Authenticated.is_met_by(&Permissions::none()));
        assert!(Requirement::Endpoint(EndpointPermission::PinList).is_met_by(&pin_list));
        assert!(!Requirement::Endpoint(EndpointPermission::Unpin).is_met_by(&pin_list));
        assert!(Requirement::Endpoint(EndpointPermission::Unpin).is_met_by(&Permissions::admin()));
        assert!(!Requirement::Admin.is_met_by(&pin_list));
        assert!(!Requirement::Admin.is_met_by(&org_write));
        assert!(Requirement::AdminOr(ResourceScope::OrgWrite).is_met_by(&org_write));
        assert!(!Requirement::AdminOr(ResourceScope::OrgWrite).is_met_by(&pin_list));
        assert!(Requirement::AdminOr(ResourceScope::OrgWrite).is_met_by(&Permissions::admin()));
    }

    #[test]
    fn no_key_manages_a_key_above_it() {
        let admin = Permissions::admin();
        let org_write = Permissions::none().allow_resource(ResourceScope::OrgWrite);
        let pin_list = Permissions::endpoints([EndpointPermission::PinList]);
        assert!(may_manage(&admin, &admin));
        assert!(may_manage(&admin, &pin_list));
        assert!(
            !may_manage(&org_write, &admin),
            "org:write cannot mint an admin"
        );
        assert!(
            !may_manage(&org_write, &pin_list),
            "nor an endpoint it does not hold"
        );
        assert!(may_manage(&org_write, &org_write));
        assert!(
            may_manage(
                &org_write,
                &Permissions::none().allow_resource(ResourceScope::OrgRead)
            ),
            "org:write implies org:read"
        );
        assert!(!may_manage(
            &pin_list,
            &pin_list.clone().allow(EndpointPermission::Unpin)
        ));
    }
}
