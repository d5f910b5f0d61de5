//! A change request (provision, resize, terminate, budget change) with its cost impact and the
//! decisions taken on it. Money columns are fixed-point at scale 10^-12.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub kind: String,
    pub status: String,
    pub version: i32,
    pub requester: String,
    pub requester_role: String,
    pub justification: Option<String>,
    /// `resources.id` of the resource a RESIZE or TERMINATE acts on.
    pub resource_id: Option<i64>,
    /// The AWS id of that resource (`i-…`, `vol-…`, a DB identifier).
    pub resource_ref: Option<String>,
    pub current_type: Option<String>,
    pub instance_type: Option<String>,
    pub instance_count: Option<i32>,
    pub region: Option<String>,
    pub budget: Option<i64>,
    pub currency: String,
    pub current_monthly: i64,
    pub proposed_monthly: i64,
    pub delta_monthly: i64,
    pub price_source: Option<String>,
    pub admin_threshold: i64,
    pub needs_admin: bool,
    pub recommendation_resource_id: Option<i64>,
    pub manager_decider: Option<String>,
    pub manager_decision: Option<String>,
    pub manager_comment: Option<String>,
    pub manager_decided_at: Option<DateTimeUtc>,
    pub admin_decider: Option<String>,
    pub admin_decision: Option<String>,
    pub admin_comment: Option<String>,
    pub admin_decided_at: Option<DateTimeUtc>,
    pub idempotency_key: Option<String>,
    pub payload_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
