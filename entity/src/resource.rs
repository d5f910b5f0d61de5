//! An EC2 instance, EBS volume or RDS instance, as its latest describe output showed it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Option<String>,
    pub account_id: String,
    pub region: String,
    pub resource_id: String,
    pub arn: Option<String>,
    /// EC2_INSTANCE, EBS_VOLUME or RDS_INSTANCE.
    pub kind: String,
    pub resource_type: String,
    pub size_gib: Option<i64>,
    pub iops: Option<i64>,
    pub state: String,
    pub name: Option<String>,
    /// JSON object text.
    pub tags: Option<String>,
    pub launched_at: Option<DateTimeUtc>,
    pub state_changed_at: Option<DateTimeUtc>,
    /// JSON list text.
    pub attached_to: Option<String>,
    pub engine: Option<String>,
    pub storage_type: Option<String>,
    pub multi_az: Option<bool>,
    pub first_seen_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
