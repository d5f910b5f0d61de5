//! Reading the two logs, newest first, always through the caller's tenant scope: a MANAGER's scope
//! never reaches another tenant's rows nor the rows of no tenant (ADMIN only).
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::db::{newest_first, Page};

use crate::tenancy::TenantScope;
use entity::{audit_event, cost_view_audit};

/// What to keep. Every part is optional; together they narrow (AND).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub tenant_id: Option<String>,
    /// `actor` of an event, `subject` of a cost view.
    pub who: Option<String>,
    /// `action` of an event (a prefix: `workflow.` matches every workflow action), `view` of a
    /// cost view (exact).
    pub what: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn events(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<audit_event::Model>, DbErr> {
    use audit_event::Column as C;
    let mut query = audit_event::Entity::find().filter(scope.condition(C::TenantId));
    if let Some(t) = &filter.tenant_id {
        query = query.filter(C::TenantId.eq(t.clone()));
    }
    if let Some(who) = &filter.who {
        query = query.filter(C::Actor.eq(who.clone()));
    }
    if let Some(what) = &filter.what {
        query = query.filter(C::Action.starts_with(what.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(C::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(C::OccurredAt.lt(to));
    }
    newest_first(db, query, C::Id, after, limit).await
}

pub async fn cost_views(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<cost_view_audit::Model>, DbErr> {
    use cost_view_audit::Column as C;
    let mut query = cost_view_audit::Entity::find().filter(scope.condition(C::TenantId));
    if let Some(t) = &filter.tenant_id {
        query = query.filter(C::TenantId.eq(t.clone()));
    }
    if let Some(who) = &filter.who {
        query = query.filter(C::Subject.eq(who.clone()));
    }
    if let Some(what) = &filter.what {
        query = query.filter(C::View.eq(what.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(C::ViewedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(C::ViewedAt.lt(to));
    }
    newest_first(db, query, C::Id, after, limit).await
}
