//! Tenants and accounts, always read through the caller's scope.
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{TenantRef, TenantScope};
use entity::{account, tenant};

pub use crate::db::Page;

/// Active tenants the scope may see, `limit` at a time in id order.
pub async fn tenants(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    after: Option<&str>,
    limit: u64,
) -> Result<Page<(TenantRef, tenant::Model)>, DbErr> {
    let visible = tenant::Entity::find()
        .filter(tenant::Column::Active.eq(true))
        .filter(scope.condition(tenant::Column::Id));
    let total_count = visible.clone().count(db).await?;
    let mut query = visible.order_by_asc(tenant::Column::Id).limit(limit + 1);
    if let Some(after) = after {
        query = query.filter(tenant::Column::Id.gt(after));
    }
    let mut rows = query.all(db).await?;
    let has_next = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let items = rows
        .into_iter()
        .filter_map(|t| scope.tenant(&t.id).map(|r| (r, t)))
        .collect();
    Ok(Page {
        items,
        has_next,
        total_count,
    })
}

/// One tenant, if it exists, is active and is visible. Invisible and missing look the same.
pub async fn tenant(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: &str,
) -> Result<Option<(TenantRef, tenant::Model)>, DbErr> {
    let Some(reference) = scope.tenant(id) else {
        return Ok(None);
    };
    let found = tenant::Entity::find_by_id(reference.id().to_string())
        .filter(tenant::Column::Active.eq(true))
        .one(db)
        .await?;
    Ok(found.map(|t| (reference, t)))
}

/// The accounts of one visible tenant, `limit` at a time in id order.
pub async fn accounts(
    db: &impl ConnectionTrait,
    tenant: &TenantRef,
    after: Option<&str>,
    limit: u64,
) -> Result<Page<account::Model>, DbErr> {
    let of_tenant = account::Entity::find().filter(account::Column::TenantId.eq(tenant.id()));
    let total_count = of_tenant.clone().count(db).await?;
    let mut query = of_tenant.order_by_asc(account::Column::Id).limit(limit + 1);
    if let Some(after) = after {
        query = query.filter(account::Column::Id.gt(after));
    }
    let mut items = query.all(db).await?;
    let has_next = items.len() as u64 > limit;
    items.truncate(limit as usize);
    Ok(Page {
        items,
        has_next,
        total_count,
    })
}

/// One account, if the scope may see it (an account under no tenant: ADMIN only).
pub async fn account(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: &str,
) -> Result<Option<account::Model>, DbErr> {
    let found = account::Entity::find_by_id(id.to_string()).one(db).await?;
    Ok(found.filter(|a| match (&a.tenant_id, scope) {
        (_, TenantScope::All) => true,
        (Some(t), scope) => scope.tenant(t).is_some(),
        (None, _) => false,
    }))
}
