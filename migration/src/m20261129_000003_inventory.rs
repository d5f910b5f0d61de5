//! Inventory (EC2, EBS, RDS), utilisation, and the per-resource daily cost rollup.
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261129_000001_foundation::{index, scope_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("resources")
                .col(big_pk_auto("id"))
                // The nearest tenant OU above the account; NULL: unallocated (ADMIN only).
                .col(string_null("tenant_id"))
                // '' when the describe output did not say and no --account was given.
                .col(string("account_id"))
                .col(string("region"))
                .col(string("resource_id"))
                .col(string_null("arn"))
                // EC2_INSTANCE, EBS_VOLUME or RDS_INSTANCE
                .col(string("kind"))
                .col(string("resource_type"))
                .col(big_integer_null("size_gib"))
                .col(big_integer_null("iops"))
                .col(string("state"))
                .col(string_null("name"))
                .col(text_null("tags"))
                .col(timestamp_with_time_zone_null("launched_at"))
                .col(timestamp_with_time_zone_null("state_changed_at"))
                // JSON list: EBS → instance ids; EC2 → volume ids.
                .col(text_null("attached_to"))
                .col(string_null("engine"))
                .col(string_null("storage_type"))
                .col(boolean_null("multi_az"))
                .col(timestamp_with_time_zone("first_seen_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("resources_identity")
                .table("resources")
                .col("account_id")
                .col("region")
                .col("resource_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "resources_tenant",
            "resources",
            &["tenant_id", "kind", "resource_id"],
        ))
        .await?;
        m.create_index(index(
            "resources_resource_id",
            "resources",
            &["resource_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("resource_utilization")
                .col(string("resource_id"))
                // cpu, memory, read_ops, write_ops
                .col(string("metric"))
                // Exact decimal text: percent, or operations per second.
                .col(string("p95"))
                .col(string("max"))
                .col(timestamp_with_time_zone("window_start"))
                .col(timestamp_with_time_zone("window_end"))
                .col(integer("samples"))
                .col(timestamp_with_time_zone("imported_at"))
                .primary_key(Index::create().col("resource_id").col("metric"))
                .to_owned(),
        )
        .await?;

        // Cost per resource and day, summed while cost files stream in (like cost_daily), so a
        // resource's last 30 days never scan cost lines. `hourly_unit_price` is the list unit
        // price of the resource's hourly usage lines: the price the tenant is actually billed.
        m.create_table(
            Table::create()
                .table("cost_resource_daily")
                .col(big_pk_auto("id"))
                .col(string_null("import_batch_id"))
                .col(string_null("tenant_id"))
                .col(date("usage_date"))
                .col(date("billing_period_start"))
                .col(string("provider"))
                .col(string("billing_account_id"))
                .col(string("account_id"))
                .col(string("resource_id"))
                .col(string("currency"))
                .col(big_integer("billed_cost"))
                .col(big_integer("effective_cost"))
                .col(big_integer("list_cost"))
                .col(string_null("hourly_unit_price"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "cost_resource_daily_resource",
            "cost_resource_daily",
            &["tenant_id", "resource_id", "usage_date"],
        ))
        .await?;
        scope_index(m, "cost_resource_daily_scope", "cost_resource_daily").await?;
        Ok(())
    }
}
