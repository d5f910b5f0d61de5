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
    /// `loading`, `loaded`, `skipped` (nothing newer to load) or `failed`.
    pub status: String,
    pub rows: i64,
    /// JSON list of the billing scopes (provider, billing account, period) the batch replaced.
    pub scopes: Option<String>,
    pub imported_by: Option<String>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// `focus` or `cur` for cost files.
    pub format: Option<String>,
    /// SHA-256 of the files' bytes, in order: the same files again are a no-op.
    pub file_hash: Option<String>,
    /// The importing process, so a crashed import is recognised as failed on the next start.
    pub pid: Option<i64>,
    pub host: Option<String>,
    pub error: Option<String>,
    /// JSON object: currency → billed total (decimal text).
    pub totals: Option<String>,
    pub duration_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
