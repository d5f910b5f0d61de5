//! Replacing billing scopes and rebuilding the daily rollups that every cost view reads.
use chrono::NaiveDate;
use sea_orm::{DbBackend, DbErr};

use super::store::{Arg, Txn};

/// What one import replaces: a billing period of one billing account of one provider. Cloud bills
/// are restated until they close, so a newer file for the same scope replaces the older one whole.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct BillingScope {
    pub provider: String,
    pub billing_account_id: String,
    pub billing_period_start: NaiveDate,
}

impl BillingScope {
    /// `$1, $2, $3` of [`SCOPE`].
    pub fn args(&self) -> Vec<Arg> {
        vec![
            self.provider.clone().into(),
            self.billing_account_id.clone().into(),
            self.billing_period_start.into(),
        ]
    }
}

/// The condition selecting one scope's rows, with [`BillingScope::args`] as `$1…$3`.
pub const SCOPE: &str = "provider = $1 AND billing_account_id = $2 AND billing_period_start = $3";

/// Within the caller's transaction: drops the scope's lines from earlier batches, then rebuilds the
/// scope's rollups from the lines now stored.
pub async fn replace_scope(
    db: &mut Txn,
    batch_id: &str,
    scope: &BillingScope,
) -> Result<(), DbErr> {
    let key = || scope.args();
    let mut values = key();
    values.push(batch_id.into());
    db.exec(
        &format!("DELETE FROM cost_lines WHERE {SCOPE} AND import_batch_id <> $4"),
        values,
    )
    .await?;
    db.exec(&format!("DELETE FROM cost_daily WHERE {SCOPE}"), key())
        .await?;
    db.exec(&format!("DELETE FROM cost_daily_tags WHERE {SCOPE}"), key())
        .await?;

    let dims =
        "tenant_id, usage_date, billing_period_start, provider, billing_account_id, account_id";
    db.exec(
        &format!(
            "INSERT INTO cost_daily ({dims}, service_name, service_category, region, charge_category, currency, \
               billed_cost, effective_cost, list_cost, line_count) \
             SELECT {dims}, service_name, service_category, region, charge_category, currency, \
               SUM(billed_cost), SUM(effective_cost), SUM(list_cost), COUNT(*) \
             FROM cost_lines WHERE {SCOPE} \
             GROUP BY {dims}, service_name, service_category, region, charge_category, currency"
        ),
        key(),
    )
    .await?;

    // Tags are a JSON object per line; each (key, value) pair becomes a rollup row. The JSON
    // functions are the one place the two databases need different SQL.
    let each_tag = match db.backend() {
        DbBackend::Postgres => "CROSS JOIN LATERAL jsonb_each_text(l.tags::jsonb) AS t(key, value)",
        _ => "CROSS JOIN json_each(l.tags) AS t",
    };
    let value = match db.backend() {
        DbBackend::Postgres => "COALESCE(t.value, '')",
        _ => "COALESCE(CAST(t.value AS TEXT), '')",
    };
    let l_dims = "l.tenant_id, l.usage_date, l.billing_period_start, l.provider, l.billing_account_id, l.account_id";
    db.exec(
        &format!(
            "INSERT INTO cost_daily_tags ({dims}, tag_key, tag_value, currency, billed_cost, effective_cost, list_cost) \
             SELECT {l_dims}, t.key, {value}, l.currency, \
               SUM(l.billed_cost), SUM(l.effective_cost), SUM(l.list_cost) \
             FROM cost_lines l {each_tag} \
             WHERE l.tags IS NOT NULL AND l.provider = $1 AND l.billing_account_id = $2 AND l.billing_period_start = $3 \
             GROUP BY {l_dims}, t.key, {value}, l.currency"
        ),
        key(),
    )
    .await?;
    Ok(())
}
