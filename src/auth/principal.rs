//! The authenticated caller, as every resolver sees it.
use std::collections::BTreeSet;

use crate::error::AppError;

/// What a caller may do. Ordered: each role can do everything the one before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
pub enum Role {
    /// Sees cost, inventory and recommendations of their tenants; opens change requests.
    Devops,
    /// "Gestor": a DevOps who also decides requests, sets budgets and reads their tenants' audit log.
    Manager,
    /// Sees every tenant, the unallocated cost, the organisation mapping and the whole audit log.
    Admin,
}

impl Role {
    /// Reads a role name as identity providers spell groups: case-insensitive, `gestor` = MANAGER.
    pub fn from_claim(name: &str) -> Option<Role> {
        match name.trim().to_ascii_lowercase().as_str() {
            "devops" => Some(Role::Devops),
            "manager" | "gestor" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Devops => "DEVOPS",
            Role::Manager => "MANAGER",
            Role::Admin => "ADMIN",
        }
    }
}

/// A verified caller: the token's subject, its strongest role and the tenants (OU ids) it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    pub tenants: BTreeSet<String>,
}

impl Principal {
    /// FORBIDDEN unless the caller holds at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }
}
