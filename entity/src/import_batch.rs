//! One run of an importer over one or more files.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `focus` or `org`.
    pub kind: String,
    pub source: String,
    /// `loaded` once committed (a failed import rolls back and leaves no batch behind).
    pub status: String,
    pub rows: i64,
    /// JSON list of the billing scopes (provider, billing account, period) the batch replaced.
    pub scopes: Option<String>,
    pub imported_by: Option<String>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
