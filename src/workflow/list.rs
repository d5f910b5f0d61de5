//! Reading requests: a tenant's list, newest first, and the open count of many tenants at once.
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::{Kind, Status};
use crate::db::{newest_first, Page};
use crate::tenancy::TenantRef;
use entity::workflow_request::{self, Column, Model};

/// A tenant's requests with any of `statuses` (all when empty) and of `kind`, newest first,
/// starting after the request `after`.
pub async fn of_tenant(
    db: &impl ConnectionTrait,
    tenant: &TenantRef,
    statuses: &[Status],
    kind: Option<Kind>,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<Model>, DbErr> {
    let mut query = workflow_request::Entity::find().filter(Column::TenantId.eq(tenant.id()));
    if !statuses.is_empty() {
        query = query.filter(Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(kind) = kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    newest_first(db, query, Column::Id, after, limit).await
}

/// Open requests (PENDING or AWAITING_ADMIN) per tenant, in one statement.
pub async fn open_counts(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
) -> Result<HashMap<String, u64>, DbErr> {
    if tenants.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = workflow_request::Entity::find()
        .select_only()
        .column(Column::TenantId)
        .column_as(Expr::col(Column::Id).count(), "n")
        .filter(Column::TenantId.is_in(tenants.iter().map(|t| t.id().to_string())))
        .filter(Column::Status.is_in(Status::OPEN.iter().map(|s| s.as_str())))
        .group_by(Column::TenantId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(t, n)| (t, n as u64)).collect())
}
