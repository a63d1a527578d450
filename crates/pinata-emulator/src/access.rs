//! What each endpoint requires of the calling key: the one table every route is checked against.

use pinata_core::api::keys::{EndpointPermission, Permissions, ResourceScope};

/// What a key must hold to call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// No credentials at all: the request is public (the gateway) or carries its own grant (a
    /// signature in its URL). An `Authorization` header is not looked at.
    Public,
    /// Any valid key, even one with no permissions (`/data/testAuthentication`).
    Authenticated,
    /// Admin, or this legacy endpoint permission.
    Endpoint(EndpointPermission),
    /// Admin only (legacy key management).
    Admin,
    /// Admin, or this v3 resource scope (v3 key management needs `org:write`).
    AdminOrResource(ResourceScope),
}

impl Requirement {
    /// Whether `permissions` meet this requirement.
    pub fn is_met_by(self, permissions: &Permissions) -> bool {
        match self {
            Requirement::Public | Requirement::Authenticated => true,
            Requirement::Endpoint(p) => permissions.permits_endpoint(p),
            Requirement::Admin => permissions.is_admin(),
            Requirement::AdminOrResource(scope) => permissions.permits_resource(scope),
        }
    }
}

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
        assert!(Requirement::AdminOrResource(ResourceScope::OrgWrite).is_met_by(&org_write));
        assert!(!Requirement::AdminOrResource(ResourceScope::OrgWrite).is_met_by(&pin_list));
        assert!(
            Requirement::AdminOrResource(ResourceScope::OrgWrite).is_met_by(&Permissions::admin())
        );
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
