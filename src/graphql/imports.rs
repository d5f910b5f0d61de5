//! ADMIN: the import batches, newest first.
use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::context::parts;
use super::ids;
use super::pagination::{connection, page_args, KeyConnection};
use crate::auth::Role;
use crate::cost::report::Money;
use crate::error::AppError;
use entity::import_batch;

/// One run of an importer.
pub struct ImportBatch(pub import_batch::Model);

#[Object]
impl ImportBatch {
    async fn id(&self) -> ID {
        ids::encode("ImportBatch", &self.0.id)
    }
    /// The files, comma-separated, as given to the importer.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// `focus` or `cur` for cost files; null for organisation imports.
    async fn format(&self) -> Option<&str> {
        self.0.format.as_deref()
    }
    /// SHA-256 of the files' bytes.
    async fn file_hash(&self) -> Option<&str> {
        self.0.file_hash.as_deref()
    }
    /// `loading`, `loaded`, `skipped` (nothing newer to load) or `failed`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn rows(&self) -> i64 {
        self.0.rows
    }
    /// Billed cost read, per currency.
    async fn totals(&self) -> Vec<Money> {
        let totals: std::collections::BTreeMap<String, Decimal> = self
            .0
            .totals
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        totals
            .into_iter()
            .map(|(currency, amount)| Money { amount, currency })
            .collect()
    }
    /// The billing periods (`YYYY-MM`) the batch covered.
    async fn billing_periods(&self) -> Vec<String> {
        let scopes: Vec<serde_json::Value> = self
            .0
            .scopes
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let mut periods: Vec<String> = scopes
            .iter()
            .filter_map(|s| {
                s["scope"]["billing_period_start"]
                    .as_str()
                    .map(|d| d.chars().take(7).collect())
            })
            .collect();
        periods.sort();
        periods.dedup();
        periods
    }
    async fn imported_by(&self) -> Option<&str> {
        self.0.imported_by.as_deref()
    }
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    async fn duration_ms(&self) -> Option<i64> {
        self.0.duration_ms
    }
    /// Why it failed, or what it declined to load.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    /// ADMIN: import batches, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn import_batches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only batches in this status.")] status: Option<String>,
    ) -> async_graphql::Result<KeyConnection<ImportBatch>> {
        let (request, db) = parts(ctx)?;
        request.principal.require(Role::Admin)?;
        let (limit, after) = page_args(first, after)?;
        let mut query = import_batch::Entity::find();
        if let Some(status) = status {
            query = query.filter(import_batch::Column::Status.eq(status));
        }
        let total_count = query.clone().count(db).await.map_err(AppError::from)?;
        if let Some(cursor) = &after {
            let (at, id) = cursor
                .split_once('|')
                .ok_or_else(|| AppError::bad_input("after is not a cursor from this list"))?;
            let at: DateTime<Utc> = at
                .parse()
                .map_err(|_| AppError::bad_input("after is not a cursor from this list"))?;
            query = query.filter(
                Condition::any()
                    .add(import_batch::Column::StartedAt.lt(at))
                    .add(
                        Condition::all()
                            .add(import_batch::Column::StartedAt.eq(at))
                            .add(import_batch::Column::Id.lt(id)),
                    ),
            );
        }
        let mut rows = query
            .order_by_desc(import_batch::Column::StartedAt)
            .order_by_desc(import_batch::Column::Id)
            .limit(limit + 1)
            .all(db)
            .await
            .map_err(AppError::from)?;
        let has_next = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let items = rows
            .into_iter()
            .map(|b| {
                (
                    format!("{}|{}", b.started_at.to_rfc3339(), b.id),
                    ImportBatch(b),
                )
            })
            .collect();
        Ok(connection(items, after.is_some(), has_next, total_count))
    }
}
