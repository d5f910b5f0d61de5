//! One line of a cost file (FOCUS-shaped), as imported.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub import_batch_id: String,
    pub tenant_id: Option<String>,
    pub provider: String,
    pub billing_account_id: String,
    pub account_id: String,
    pub account_name: Option<String>,
    pub billing_period_start: Date,
    pub charge_period_start: DateTimeUtc,
    pub charge_period_end: DateTimeUtc,
    pub usage_date: Date,
    pub service_name: Option<String>,
    pub service_category: Option<String>,
    pub region: Option<String>,
    pub availability_zone: Option<String>,
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
    pub charge_category: String,
    pub charge_frequency: Option<String>,
    pub sku_id: Option<String>,
    pub pricing_unit: Option<String>,
    /// Decimal text, kept verbatim.
    pub pricing_quantity: Option<String>,
    /// Decimal text, kept verbatim.
    pub list_unit_price: Option<String>,
    pub billed_cost: i64,
    pub effective_cost: i64,
    pub list_cost: i64,
    pub currency: String,
    /// Tags as a JSON object text.
    pub tags: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
