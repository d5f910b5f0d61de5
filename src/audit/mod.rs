//! The two append-only logs: `audit_events` (every mutation and import) and `cost_views_audit`
//! (every read of a tenant's cost). Nothing in the API updates or deletes them.
pub mod query;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use entity::{audit_event, cost_view_audit};

/// One state change, written in the same transaction as the change itself.
pub struct Event<'a> {
    pub actor: &'a str,
    /// The actor's role (`None`: the command line, which has no role).
    pub role: Option<&'a str>,
    pub action: &'a str,
    pub tenant_id: Option<&'a str>,
    pub target: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record_event(db: &impl ConnectionTrait, event: Event<'_>) -> Result<(), DbErr> {
    audit_event::Entity::insert(audit_event::ActiveModel {
        occurred_at: Set(Utc::now()),
        actor: Set(event.actor.to_string()),
        actor_role: Set(event.role.map(str::to_string)),
        action: Set(event.action.to_string()),
        tenant_id: Set(event.tenant_id.map(str::to_string)),
        target: Set(event.target.map(str::to_string)),
        request_id: Set(crate::telemetry::current_request_id()),
        before: Set(event.before.map(|v| v.to_string())),
        after: Set(event.after.map(|v| v.to_string())),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Who is reading cost, and through what: the part of a cost-view record that is the same for
/// every tenant a request reads.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub subject: String,
    pub role: &'static str,
    pub operation_name: Option<String>,
    pub request_id: Option<String>,
}

/// One tenant's cost (`None`: unallocated) read through `view` for `period`.
pub struct CostView<'a> {
    pub tenant_id: Option<&'a str>,
    pub view: &'a str,
    pub period: String,
}

/// The reads of cost one GraphQL request made, written together when it has been answered (see
/// `graphql::audit_trail`): one insert per request instead of one per field.
#[derive(Default, Debug)]
pub struct CostViewBuffer(std::sync::Mutex<Vec<(Option<String>, String, String)>>);

impl CostViewBuffer {
    /// Notes that `tenant_id`'s cost (`None`: unallocated) was read through `view` for `period`.
    pub fn push(&self, tenant_id: Option<&str>, view: &str, period: String) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push((
            tenant_id.map(str::to_string),
            view.to_string(),
            period,
        ));
    }

    /// Writes what was noted so far, in one statement.
    pub async fn flush(&self, db: &impl ConnectionTrait, viewer: &Viewer) -> Result<(), DbErr> {
        let noted = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        let views: Vec<CostView> = noted
            .iter()
            .map(|(tenant_id, view, period)| CostView {
                tenant_id: tenant_id.as_deref(),
                view,
                period: period.clone(),
            })
            .collect();
        record_cost_views(db, viewer, &views).await
    }
}

/// Records reads of cost in one statement, however many tenants they cover, so that auditing a
/// Summary of 100 tenants costs one insert, not 100.
pub async fn record_cost_views(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    views: &[CostView<'_>],
) -> Result<(), DbErr> {
    if views.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = views.iter().map(|v| cost_view_audit::ActiveModel {
        viewed_at: Set(now),
        subject: Set(viewer.subject.clone()),
        role: Set(viewer.role.to_string()),
        tenant_id: Set(v.tenant_id.map(str::to_string)),
        view: Set(v.view.to_string()),
        operation_name: Set(viewer.operation_name.clone()),
        request_id: Set(viewer.request_id.clone()),
        period: Set(Some(v.period.clone())),
        ..Default::default()
    });
    cost_view_audit::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}
