//! Tenant isolation in the data layer.
//!
//! Data access never takes a bare tenant id. It takes a [`CostOwner`] or a [`TenantRef`], and the
//! only way to get one is to ask a [`TenantScope`] (built from the caller's token) for it. So a
//! query of a tenant the caller may not see cannot be written by accident: the compiler refuses it.
//! Asking for an invisible tenant answers `None`, exactly as for one that does not exist.
pub mod directory;
pub mod row_security;
mod scope;

pub use scope::{CostOwner, TenantRef, TenantScope};
