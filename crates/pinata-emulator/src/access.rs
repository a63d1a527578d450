//! What each endpoint requires of the calling key: the one table every route is checked against.

use pinata_core::api::keys::{EndpointPermission, Permissions, ResourceScope};

/// What a key must hold to call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
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
            Requirement::Authenticated => true,
            Requirement::Endpoint(p) => permissions.permits_endpoint(p),
            Requirement::Admin => permissions.is_admin(),
            Requirement::AdminOrResource(scope) => permissions.permits_resource(scope),
        }
    }
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
}
