//! Who looked at which tenant's cost, through which view. Append-only.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cost_views_audit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub viewed_at: DateTimeUtc,
    pub subject: String,
    pub role: String,
    /// `None`: the unallocated cost.
    pub tenant_id: Option<String>,
    /// The field read, e.g. `Tenant.cost`.
    pub view: String,
    pub operation_name: Option<String>,
    pub request_id: Option<String>,
    pub period: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
