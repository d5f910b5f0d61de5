//! Organisation, tenants, cost lines with their daily rollups, import batches and the two audit logs.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The three cost metrics every cost table carries, as fixed-point integers (scale 10^-12).
pub(crate) fn money_columns(table: &mut TableCreateStatement) {
    table
        .col(big_integer("billed_cost"))
        .col(big_integer("effective_cost"))
        .col(big_integer("list_cost"));
}

pub(crate) fn index(name: &str, table: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

/// The index that finds a billing scope's rows when a delivery replaces it. On PostgreSQL a BRIN
/// index on the billing period: rows of one delivery are appended together, so block ranges find
/// them, and it costs next to nothing to maintain while millions of lines stream in (a b-tree on
/// three text columns cost more than the rows themselves). SQLite has only b-trees.
pub(crate) async fn scope_index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
) -> Result<(), DbErr> {
    if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
        m.get_connection()
            .execute_unprepared(&format!(
                "CREATE INDEX {name} ON {table} USING brin (billing_period_start)"
            ))
            .await
            .map(|_| ())
    } else {
        m.create_index(index(
            name,
            table,
            &["provider", "billing_account_id", "billing_period_start"],
        ))
        .await
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organizational_units")
                .col(string("id").primary_key())
                .col(string("name"))
                .col(string_null("parent_id"))
                // ROOT or OU
                .col(string("kind"))
                .col(boolean("is_tenant"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tenants")
                .col(string("id").primary_key())
                .col(string("name"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("accounts")
                .col(string("id").primary_key())
                .col(string("name"))
                .col(string_null("email"))
                .col(string_null("status"))
                .col(string_null("parent_id"))
                // The nearest tenant OU above the account; NULL means its cost is unallocated.
                .col(string_null("tenant_id"))
                .col(timestamp_with_time_zone_null("joined_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("accounts_tenant", "accounts", &["tenant_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("import_batches")
                .col(string("id").primary_key())
                .col(string("kind"))
                .col(string("source"))
                .col(string("status"))
                .col(big_integer("rows"))
                .col(text_null("scopes"))
                .col(string_null("imported_by"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;

        let mut cost_lines = Table::create();
        cost_lines
            .table("cost_lines")
            .col(big_pk_auto("id"))
            .col(string("import_batch_id"))
            .col(string_null("tenant_id"))
            .col(string("provider"))
            .col(string("billing_account_id"))
            .col(string("account_id"))
            .col(string_null("account_name"))
            .col(date("billing_period_start"))
            .col(timestamp_with_time_zone("charge_period_start"))
            .col(timestamp_with_time_zone("charge_period_end"))
            .col(date("usage_date"))
            .col(string_null("service_name"))
            .col(string_null("service_category"))
            .col(string_null("region"))
            .col(string_null("availability_zone"))
            .col(string_null("resource_id"))
            .col(string_null("resource_type"))
            .col(string("charge_category"))
            .col(string_null("charge_frequency"))
            .col(string_null("sku_id"))
            .col(string_null("pricing_unit"))
            .col(string_null("pricing_quantity"))
            .col(string_null("list_unit_price"));
        money_columns(&mut cost_lines);
        cost_lines.col(string("currency")).col(text_null("tags"));
        m.create_table(cost_lines.to_owned()).await?;
        scope_index(m, "cost_lines_scope", "cost_lines").await?;

        // The daily rollup every breakdown and trend reads.
        let mut daily = Table::create();
        daily
            .table("cost_daily")
            .col(big_pk_auto("id"))
            .col(string_null("tenant_id"))
            .col(date("usage_date"))
            .col(date("billing_period_start"))
            .col(string("provider"))
            .col(string("billing_account_id"))
            .col(string("account_id"))
            .col(string_null("service_name"))
            .col(string_null("service_category"))
            .col(string_null("region"))
            .col(string("charge_category"))
            .col(string("currency"));
        money_columns(&mut daily);
        daily.col(big_integer("line_count"));
        m.create_table(daily.to_owned()).await?;
        m.create_index(index(
            "cost_daily_tenant_date",
            "cost_daily",
            &["tenant_id", "usage_date"],
        ))
        .await?;
        scope_index(m, "cost_daily_scope", "cost_daily").await?;

        // The daily rollup by tag key and value, for breakdowns by TAG(key).
        let mut tags = Table::create();
        tags.table("cost_daily_tags")
            .col(big_pk_auto("id"))
            .col(string_null("tenant_id"))
            .col(date("usage_date"))
            .col(date("billing_period_start"))
            .col(string("provider"))
            .col(string("billing_account_id"))
            .col(string("account_id"))
            .col(string("tag_key"))
            .col(string("tag_value"))
            .col(string("currency"));
        money_columns(&mut tags);
        m.create_table(tags.to_owned()).await?;
        m.create_index(index(
            "cost_daily_tags_tenant_key_date",
            "cost_daily_tags",
            &["tenant_id", "tag_key", "usage_date"],
        ))
        .await?;
        scope_index(m, "cost_daily_tags_scope", "cost_daily_tags").await?;

        m.create_table(
            Table::create()
                .table("cost_views_audit")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("viewed_at"))
                .col(string("subject"))
                .col(string("role"))
                // NULL: the unallocated cost (ADMIN only).
                .col(string_null("tenant_id"))
                .col(string("view"))
                .col(string_null("operation_name"))
                .col(string_null("request_id"))
                .col(string_null("period"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "cost_views_audit_tenant",
            "cost_views_audit",
            &["tenant_id", "viewed_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(string("actor"))
                .col(string("action"))
                .col(string_null("tenant_id"))
                .col(string_null("target"))
                .col(string_null("request_id"))
                .col(text_null("before"))
                .col(text_null("after"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_events_tenant",
            "audit_events",
            &["tenant_id", "occurred_at"],
        ))
        .await?;
        Ok(())
    }
}
