//! Per-tenant workflow settings: the approval threshold above which an ADMIN must also approve,
//! and the monthly budget. Money columns are fixed-point at scale 10^-12.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    pub approval_threshold: Option<i64>,
    pub monthly_budget: Option<i64>,
    pub currency: String,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
