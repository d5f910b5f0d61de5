//! Change requests with their cost impact, per-tenant workflow settings, and the role of the actor
//! in the audit log.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261129_000001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("workflow_requests")
                .col(big_pk_auto("id"))
                .col(string("tenant_id"))
                // PROVISION, RESIZE, TERMINATE or BUDGET_CHANGE
                .col(string("kind"))
                // PENDING, AWAITING_ADMIN, APPROVED, REJECTED or CANCELLED
                .col(string("status"))
                // Bumped by every state change; decisions name the version they saw.
                .col(integer("version"))
                .col(string("requester"))
                .col(string("requester_role"))
                .col(text_null("justification"))
                // What is asked. PROVISION: instance_type × count in region. RESIZE: resource →
                // instance_type. TERMINATE: resource. BUDGET_CHANGE: budget.
                .col(big_integer_null("resource_id"))
                .col(string_null("resource_ref"))
                .col(string_null("current_type"))
                .col(string_null("instance_type"))
                .col(integer_null("instance_count"))
                .col(string_null("region"))
                .col(big_integer_null("budget"))
                // The cost impact, computed by the server when the request is opened. Money is
                // fixed-point at scale 10^-12, as everywhere else.
                .col(string("currency"))
                .col(big_integer("current_monthly"))
                .col(big_integer("proposed_monthly"))
                .col(big_integer("delta_monthly"))
                .col(string_null("price_source"))
                // The tenant's threshold when the request was opened, and whether the delta
                // exceeded it (then an ADMIN approves after the MANAGER).
                .col(big_integer("admin_threshold"))
                .col(boolean("needs_admin"))
                .col(big_integer_null("recommendation_resource_id"))
                .col(string_null("manager_decider"))
                .col(string_null("manager_decision"))
                .col(text_null("manager_comment"))
                .col(timestamp_with_time_zone_null("manager_decided_at"))
                .col(string_null("admin_decider"))
                .col(string_null("admin_decision"))
                .col(text_null("admin_comment"))
                .col(timestamp_with_time_zone_null("admin_decided_at"))
                .col(string_null("idempotency_key"))
                .col(string_null("payload_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "workflow_requests_tenant_status",
            "workflow_requests",
            &["tenant_id", "status", "id"],
        ))
        .await?;
        // One request per (requester, key): the database settles two concurrent creations with
        // the same key. NULL keys never collide on either database.
        m.create_index(
            Index::create()
                .name("workflow_requests_idempotency")
                .table("workflow_requests")
                .col("requester")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tenant_settings")
                .col(string("tenant_id").primary_key())
                // NULL: the configured default.
                .col(big_integer_null("approval_threshold"))
                .col(big_integer_null("monthly_budget"))
                .col(string("currency"))
                .col(string("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table("audit_events")
                .add_column(string_null("actor_role"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_events_occurred",
            "audit_events",
            &["occurred_at"],
        ))
        .await?;
        Ok(())
    }
}
