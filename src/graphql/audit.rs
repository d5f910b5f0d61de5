//! The audit log and the cost-view log in the API. Read-only: no mutation edits or deletes them.
use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};

use super::context::parts;
use super::ids;
use super::pagination::{id_page_args, page_connection, KeyConnection};
use crate::audit::query::{self, Filter};
use crate::auth::Role;
use crate::error::AppError;
use entity::{audit_event, cost_view_audit};

/// A state change or an import, with who made it and the state before and after.
pub struct AuditEvent(pub audit_event::Model);

#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        ids::encode("AuditEvent", &self.0.id.to_string())
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The token's subject, or the operator of a command-line import.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The actor's role; null for command-line imports.
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor_role.as_deref()
    }
    /// E.g. `workflow.request.approve`, `import.cost`, `tenant.budget.set`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The tenant's OU id; null for organisation-wide events.
    async fn tenant_ou_id(&self) -> Option<&str> {
        self.0.tenant_id.as_deref()
    }
    /// What was acted on, e.g. `WorkflowRequest:42`.
    async fn target(&self) -> Option<&str> {
        self.0.target.as_deref()
    }
    /// The `x-request-id` of the HTTP request that made the change.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The state before, as JSON.
    async fn before(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(self.0.before.as_deref())
    }
    /// The state after, as JSON.
    async fn after(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        json(self.0.after.as_deref())
    }
}

fn json(text: Option<&str>) -> Option<async_graphql::Json<serde_json::Value>> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .map(async_graphql::Json)
}

/// One read of a tenant's cost: who looked, at what, through which page.
pub struct CostViewRecord(pub cost_view_audit::Model);

#[Object(name = "CostView")]
impl CostViewRecord {
    async fn id(&self) -> ID {
        ids::encode("CostView", &self.0.id.to_string())
    }
    async fn viewed_at(&self) -> DateTime<Utc> {
        self.0.viewed_at
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// Null: the unallocated cost.
    async fn tenant_ou_id(&self) -> Option<&str> {
        self.0.tenant_id.as_deref()
    }
    /// The field read, e.g. `Tenant.cost`.
    async fn view(&self) -> &str {
        &self.0.view
    }
    /// The GraphQL operation (the dashboard page) that read it.
    async fn operation_name(&self) -> Option<&str> {
        self.0.operation_name.as_deref()
    }
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The period read (`YYYY-MM` or a date range).
    async fn period(&self) -> Option<&str> {
        self.0.period.as_deref()
    }
}

/// Narrows the audit log; every part is optional.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// A tenant (global ID or OU id).
    pub tenant_id: Option<ID>,
    pub actor: Option<String>,
    /// Actions starting with this, e.g. `workflow.` or `workflow.request.approve`.
    pub action: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// Narrows the cost-view log; every part is optional.
#[derive(InputObject, Default)]
pub struct CostViewFilter {
    /// A tenant (global ID or OU id).
    pub tenant_id: Option<ID>,
    pub subject: Option<String>,
    /// The field read, e.g. `Tenant.cost`.
    pub view: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn tenant_filter(id: Option<ID>) -> Result<Option<String>, AppError> {
    id.map(|id| {
        ids::tenant_ou(&id).ok_or_else(|| AppError::bad_input("filter.tenantId is not a tenant ID"))
    })
    .transpose()
}

/// The audit log through the caller's scope.
pub async fn events(
    ctx: &Context<'_>,
    filter: AuditEventFilter,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<KeyConnection<AuditEvent>> {
    let (request, db) = parts(ctx)?;
    let (limit, after) = id_page_args(first, after)?;
    let filter = Filter {
        tenant_id: tenant_filter(filter.tenant_id)?,
        who: filter.actor,
        what: filter.action,
        from: filter.from,
        to: filter.to,
    };
    let page = query::events(db, &request.scope, &filter, after, limit)
        .await
        .map_err(AppError::from)?;
    Ok(page_connection(page, after.is_some(), |m| {
        (m.id.to_string(), AuditEvent(m))
    }))
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// ADMIN: the whole audit log, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditEventFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<KeyConnection<AuditEvent>> {
        let (request, _) = parts(ctx)?;
        request.principal.require(Role::Admin)?;
        events(ctx, filter.unwrap_or_default(), first, after).await
    }

    /// ADMIN: every read of cost, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn cost_views(
        &self,
        ctx: &Context<'_>,
        filter: Option<CostViewFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<KeyConnection<CostViewRecord>> {
        let (request, db) = parts(ctx)?;
        request.principal.require(Role::Admin)?;
        let (limit, after) = id_page_args(first, after)?;
        let filter = filter.unwrap_or_default();
        let filter = Filter {
            tenant_id: tenant_filter(filter.tenant_id)?,
            who: filter.subject,
            what: filter.view,
            from: filter.from,
            to: filter.to,
        };
        let page = query::cost_views(db, &request.scope, &filter, after, limit)
            .await
            .map_err(AppError::from)?;
        Ok(page_connection(page, after.is_some(), |m| {
            (m.id.to_string(), CostViewRecord(m))
        }))
    }
}
