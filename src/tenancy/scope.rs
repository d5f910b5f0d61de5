use std::collections::BTreeSet;

use sea_orm::sea_query::Condition;
use sea_orm::ColumnTrait;

use crate::auth::{Principal, Role};
use crate::error::AppError;

/// The tenants a caller may see: all of them (ADMIN) or those its token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantScope {
    All,
    Only(BTreeSet<String>),
}

/// A tenant id the caller's scope allows. Only [`TenantScope`] constructs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantRef(String);

/// Whose cost a query reads: one visible tenant, or the cost of accounts under no tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CostOwner {
    Tenant(TenantRef),
    /// Only an ADMIN's scope hands this out.
    Unallocated(UnallocatedToken),
}

/// Proof that the caller is allowed to read unallocated cost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnallocatedToken(());

impl TenantScope {
    pub fn of(principal: &Principal) -> TenantScope {
        if principal.role == Role::Admin {
            TenantScope::All
        } else {
            TenantScope::Only(principal.tenants.clone())
        }
    }

    /// The tenant, if the caller may see it. Existence is checked by the caller's query; this only
    /// decides visibility, so "not yours" and "does not exist" look the same.
    pub fn tenant(&self, id: &str) -> Option<TenantRef> {
        match self {
            TenantScope::All => Some(TenantRef(id.to_string())),
            TenantScope::Only(ids) if ids.contains(id) => Some(TenantRef(id.to_string())),
            TenantScope::Only(_) => None,
        }
    }

    /// Cost of accounts under no tenant: ADMIN only.
    pub fn unallocated(&self) -> Result<CostOwner, AppError> {
        match self {
            TenantScope::All => Ok(CostOwner::Unallocated(UnallocatedToken(()))),
            TenantScope::Only(_) => Err(AppError::Forbidden(
                "unallocated cost needs the ADMIN role".into(),
            )),
        }
    }

    /// The condition restricting a tenant id column to this scope.
    pub fn condition(&self, column: impl ColumnTrait) -> Condition {
        match self {
            TenantScope::All => Condition::all(),
            TenantScope::Only(ids) => Condition::all().add(column.is_in(ids.iter().cloned())),
        }
    }
}

impl TenantRef {
    pub fn id(&self) -> &str {
        &self.0
    }
}

impl CostOwner {
    pub fn tenant_id(&self) -> Option<&str> {
        match self {
            CostOwner::Tenant(t) => Some(t.id()),
            CostOwner::Unallocated(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, tenants: &[&str]) -> Principal {
        Principal {
            subject: "u".into(),
            role,
            tenants: tenants.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_devops_sees_only_their_tenants() {
        let scope = TenantScope::of(&principal(Role::Devops, &["ou-a"]));
        assert!(scope.tenant("ou-a").is_some());
        assert!(scope.tenant("ou-b").is_none());
        assert!(scope.unallocated().is_err());
    }

    #[test]
    fn an_admin_sees_everything() {
        let scope = TenantScope::of(&principal(Role::Admin, &[]));
        assert!(scope.tenant("ou-b").is_some());
        assert!(scope.unallocated().is_ok());
    }
}
