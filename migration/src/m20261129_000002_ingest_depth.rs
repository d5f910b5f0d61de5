//! Import batches that survive a crash and say what they did; the delivery each billing scope
//! currently holds, so an older delivery never replaces a newer one; data versions that key caches.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_null("format"),
            string_null("file_hash"),
            big_integer_null("pid"),
            string_null("host"),
            text_null("error"),
            text_null("totals"),
            big_integer_null("duration_ms"),
        ] {
            m.alter_table(
                Table::alter()
                    .table("import_batches")
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        // Rollup rows belong to the batch whose lines they sum (see `ingest::rollup`).
        for table in ["cost_daily", "cost_daily_tags"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(string_null("import_batch_id"))
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("import_batches_hash")
                .table("import_batches")
                .col("file_hash")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("billing_scopes")
                .col(string("provider"))
                .col(string("billing_account_id"))
                .col(date("billing_period_start"))
                .col(string("import_batch_id"))
                // The latest charge-period end the delivery covers: a later delivery covers more.
                .col(timestamp_with_time_zone("covered_until"))
                .col(big_integer("rows"))
                .col(timestamp_with_time_zone("loaded_at"))
                .primary_key(
                    Index::create()
                        .col("provider")
                        .col("billing_account_id")
                        .col("billing_period_start"),
                )
                .to_owned(),
        )
        .await?;

        // A version per cost owner (a tenant id, or `*unallocated*`), bumped by every import or
        // organisation change that touches its cost. Cached answers are keyed by it, so a change
        // made through any process invalidates them on every replica.
        m.create_table(
            Table::create()
                .table("data_versions")
                .col(string("owner").primary_key())
                .col(big_integer("version"))
                .to_owned(),
        )
        .await
    }
}
