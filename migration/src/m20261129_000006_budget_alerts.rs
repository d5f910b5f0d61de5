//! Budget alerts: one row per tenant, month and threshold, so each crossing is announced once
//! however many replicas or imports notice it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("budget_alerts")
                .col(big_pk_auto("id"))
                .col(string("tenant_id"))
                // YYYY-MM
                .col(string("month"))
                // ACTUAL_80, ACTUAL_100, FORECAST_100 …
                .col(string("threshold"))
                // PENDING (being delivered), SENT, FAILED (every attempt failed)
                .col(string("status"))
                .col(integer("attempts"))
                .col(text_null("last_error"))
                // What was announced, as sent (JSON).
                .col(text("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("budget_alerts_once")
                .table("budget_alerts")
                .col("tenant_id")
                .col("month")
                .col("threshold")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
