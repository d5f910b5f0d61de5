//! `cost_daily_by`: one row per tenant, day, dimension value and currency (partial sums of one
//! billing scope), so that a breakdown by service, account or region, a total or a daily trend
//! reads a few rows per day instead of every (account, service, region, charge) cell of
//! `cost_daily`. Importers sum it while the lines stream (like `cost_daily`); an organisation
//! change that moves accounts derives the moved scopes again from `cost_daily` with [`derive_sql`],
//! and this migration builds it for the data already stored.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20261129_000001_foundation::{index, money_columns, scope_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `cost_daily`'s columns a breakdown can group by, as the `dimension` values; `*` is the total.
pub const DIMENSIONS: [&str; 7] = [
    "*",
    "service_name",
    "service_category",
    "account_id",
    "region",
    "charge_category",
    "provider",
];

/// The statement filling `cost_daily_by` from the `cost_daily` rows matching `filter`.
pub fn derive_sql(filter: &str) -> String {
    let selects: Vec<String> = DIMENSIONS
        .iter()
        .map(|dimension| {
            let key = if *dimension == "*" {
                "CAST(NULL AS TEXT)".to_string()
            } else {
                (*dimension).to_owned()
            };
            let group = if *dimension == "*" {
                String::new()
            } else {
                format!(", {dimension}")
            };
            format!(
                "SELECT import_batch_id, tenant_id, usage_date, billing_period_start, provider, billing_account_id, \
                 '{dimension}', {key}, currency, SUM(billed_cost), SUM(effective_cost), SUM(list_cost) \
                 FROM cost_daily WHERE {filter} \
                 GROUP BY import_batch_id, tenant_id, usage_date, billing_period_start, provider, billing_account_id, currency{group}"
            )
        })
        .collect();
    format!(
        "INSERT INTO cost_daily_by (import_batch_id, tenant_id, usage_date, billing_period_start, provider, \
         billing_account_id, dimension, dimension_key, currency, billed_cost, effective_cost, list_cost) {}",
        selects.join(" UNION ALL ")
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table("cost_daily_by")
            .col(big_pk_auto("id"))
            .col(string_null("import_batch_id"))
            .col(string_null("tenant_id"))
            .col(date("usage_date"))
            .col(date("billing_period_start"))
            .col(string("provider"))
            .col(string("billing_account_id"))
            .col(string("dimension"))
            .col(string_null("dimension_key"))
            .col(string("currency"));
        money_columns(&mut table);
        m.create_table(table.to_owned()).await?;
        m.create_index(index(
            "cost_daily_by_tenant_dimension_date",
            "cost_daily_by",
            &["tenant_id", "dimension", "usage_date"],
        ))
        .await?;
        scope_index(m, "cost_daily_by_scope", "cost_daily_by").await?;
        let db = m.get_connection();
        db.execute_unprepared(&derive_sql("1 = 1")).await?;
        if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE cost_daily_by ENABLE ROW LEVEL SECURITY; \
                 CREATE POLICY tenant_scope ON cost_daily_by \
                 USING (consoleai_visible(tenant_id)) WITH CHECK (consoleai_visible(tenant_id))",
            )
            .await?;
        }
        Ok(())
    }
}
