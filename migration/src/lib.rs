//! Database migrations. They run unchanged on SQLite (the embedded default) and PostgreSQL.
//!
//! Money columns are `BIGINT` holding fixed-point amounts at scale 10^-12 (see
//! `consoleai::cost::money`): SQLite has no decimal type, and integers are the only way to
//! store and sum amounts exactly on both databases.
pub use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
mod m20261129_000002_ingest_depth;
mod m20261129_000003_inventory;
mod m20261129_000004_workflow;
mod m20261129_000005_billing_scope_backfill;
mod m20261129_000006_budget_alerts;
mod m20261129_000007_row_security;
pub mod m20261129_000008_daily_by_dimension;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_ingest_depth::Migration),
            Box::new(m20261129_000003_inventory::Migration),
            Box::new(m20261129_000004_workflow::Migration),
            Box::new(m20261129_000005_billing_scope_backfill::Migration),
            Box::new(m20261129_000006_budget_alerts::Migration),
            Box::new(m20261129_000007_row_security::Migration),
            Box::new(m20261129_000008_daily_by_dimension::Migration),
        ]
    }
}
