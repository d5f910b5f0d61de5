//! Every mutation and import, with the state before and after. Append-only.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor: String,
    pub action: String,
    pub tenant_id: Option<String>,
    pub target: Option<String>,
    pub request_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The actor's role when it acted (DEVOPS, MANAGER, ADMIN); NULL for command-line imports.
    pub actor_role: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
