//! Cost per resource and day (partial sums, like `cost_daily`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_resource_daily")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub import_batch_id: Option<String>,
    pub tenant_id: Option<String>,
    pub usage_date: Date,
    pub billing_period_start: Date,
    pub provider: String,
    pub billing_account_id: String,
    pub account_id: String,
    pub resource_id: String,
    pub currency: String,
    pub billed_cost: i64,
    pub effective_cost: i64,
    pub list_cost: i64,
    pub hourly_unit_price: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
