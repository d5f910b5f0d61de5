//! Daily cost by one dimension (`*` for the total), derived from `cost_daily` per billing scope.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_daily_by")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The import batch whose lines this row sums (partial sums, like `cost_daily`).
    pub import_batch_id: Option<String>,
    pub tenant_id: Option<String>,
    pub usage_date: Date,
    pub billing_period_start: Date,
    pub provider: String,
    pub billing_account_id: String,
    /// `*` (the total) or the `cost_daily` column grouped by: `service_name`, `account_id`, …
    pub dimension: String,
    pub dimension_key: Option<String>,
    pub currency: String,
    pub billed_cost: i64,
    pub effective_cost: i64,
    pub list_cost: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
