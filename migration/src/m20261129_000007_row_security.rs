//! Row-level security on PostgreSQL: every tenant-owned table shows and accepts only the rows of
//! the tenants in the session's `consoleai.tenants` (set per request by the server; `*` or unset:
//! every row). Owners and superusers bypass policies, so imports (which `COPY`, and run as the
//! owner) are unaffected; the server is meant to connect as a role that owns nothing. SQLite has
//! no row-level security: there the data layer's scoping is the only line.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each tenant-owned table and its tenant column.
const TABLES: [(&str, &str); 12] = [
    ("tenants", "id"),
    ("accounts", "tenant_id"),
    ("cost_lines", "tenant_id"),
    ("cost_daily", "tenant_id"),
    ("cost_daily_tags", "tenant_id"),
    ("cost_resource_daily", "tenant_id"),
    ("resources", "tenant_id"),
    ("workflow_requests", "tenant_id"),
    ("tenant_settings", "tenant_id"),
    ("audit_events", "tenant_id"),
    ("cost_views_audit", "tenant_id"),
    ("budget_alerts", "tenant_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        // A plain SQL function the planner inlines: the policy reads as
        // `tenant_id = ANY(string_to_array(setting, ','))` unless the setting is `*` or unset.
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION consoleai_visible(tenant text) RETURNS boolean \
             LANGUAGE sql STABLE AS $$ \
             SELECT CASE coalesce(current_setting('consoleai.tenants', true), '') \
             WHEN '' THEN true WHEN '*' THEN true \
             ELSE tenant = ANY (string_to_array(current_setting('consoleai.tenants', true), ',')) END $$",
        )
        .await?;
        for (table, column) in TABLES {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY; \
                 CREATE POLICY tenant_scope ON {table} \
                 USING (consoleai_visible({column})) WITH CHECK (consoleai_visible({column}))"
            ))
            .await?;
        }
        Ok(())
    }
}
