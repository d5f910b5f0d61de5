//! The daily cost rollup by tenant, account, tag key and value, and currency.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_daily_tags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Option<String>,
    pub usage_date: Date,
    pub billing_period_start: Date,
    pub provider: String,
    pub billing_account_id: String,
    pub account_id: String,
    pub tag_key: String,
    pub tag_value: String,
    pub currency: String,
    pub billed_cost: i64,
    pub effective_cost: i64,
    pub list_cost: i64,
    /// The import batch whose lines this row sums (rows are partial sums; queries add them up).
    pub import_batch_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
