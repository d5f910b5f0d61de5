//! The delivery a billing scope (provider, billing account, billing period) currently holds.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_scopes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub billing_account_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub billing_period_start: Date,
    pub import_batch_id: String,
    pub covered_until: DateTimeUtc,
    pub rows: i64,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
