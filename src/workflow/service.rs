//! Opening, deciding and cancelling requests: each state change is one conditional UPDATE and
//! its audit event, in one transaction; subscribers hear of it after the commit.
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr,
    TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::impact::{self, Impact};
use super::rules::{self, Step};
use super::settings::{self, Setting};
use super::{kind_of, status_of, EventBus, Kind, Status, WorkflowEvent};
use crate::audit;
use crate::auth::Principal;
use crate::cost::cache::CostCache;
use crate::cost::money;
use crate::error::{AppError, AppResult};
use crate::inventory::view::{self, ResourceView};
use crate::rightsizing::Thresholds;
use crate::tenancy::{TenantRef, TenantScope};
use entity::workflow_request::{self, Column, Model};

use super::rules::Action;

/// Longest justification or comment accepted.
pub const MAX_TEXT: usize = 2000;
/// Longest idempotency key accepted.
pub const MAX_KEY: usize = 128;

/// What the workflow needs from the server around it.
pub struct Env<'a> {
    pub db: &'a DatabaseConnection,
    pub cache: &'a CostCache,
    pub thresholds: &'a Thresholds,
    pub today: NaiveDate,
    /// The approval threshold of tenants without their own.
    pub default_threshold: Decimal,
    pub events: &'a EventBus,
}

/// What a request asks for, as the caller gave it (already decoded, not yet checked).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Change {
    Provision {
        instance_type: String,
        count: i32,
        region: String,
    },
    Resize {
        resource_id: i64,
        target_type: String,
    },
    Terminate {
        resource_id: i64,
    },
    BudgetChange {
        amount: Decimal,
    },
}

/// A request to open. The tenant was checked against the caller's scope; nothing here says who
/// asks, what status it has or who decides: the server sets those.
#[derive(Debug, Clone, Serialize)]
pub struct NewRequest {
    #[serde(serialize_with = "tenant_id")]
    pub tenant: TenantRef,
    pub change: Change,
    pub justification: Option<String>,
    pub idempotency_key: Option<String>,
    /// The resource whose recommendation this request follows.
    pub recommendation_resource_id: Option<i64>,
}

fn tenant_id<S: serde::Serializer>(t: &TenantRef, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.id())
}

/// Opens a request; with an idempotency key already used by this caller, returns the request it
/// opened (`true`) if the payload is the same, and BAD_USER_INPUT if it is not.
pub async fn create(
    env: &Env<'_>,
    principal: &Principal,
    new: NewRequest,
) -> AppResult<(Model, bool)> {
    check_text("justification", new.justification.as_deref())?;
    if let Some(key) = &new.idempotency_key {
        if key.is_empty() || key.len() > MAX_KEY {
            return Err(AppError::bad_input(format!(
                "idempotencyKey must be 1 to {MAX_KEY} characters"
            )));
        }
    }
    let hash = payload_hash(&new);
    if let Some(existing) = replay(env.db, principal, &new, &hash).await? {
        return Ok((existing, true));
    }

    let views = view::of_tenant(env.cache, env.db, &new.tenant, env.today, env.thresholds).await?;
    let prices = view::price_book(&views);
    let tenant_settings = settings::of_tenant(env.db, &new.tenant, env.default_threshold).await?;
    let find = |id: i64, field: &str| -> AppResult<&ResourceView> {
        views
            .iter()
            .find(|v| v.model.id == id)
            .ok_or_else(|| AppError::NotFound(format!("{field}: no such resource in this tenant")))
    };
    let now = Utc::now();
    let mut row = workflow_request::ActiveModel {
        tenant_id: Set(new.tenant.id().to_string()),
        status: Set(Status::Pending.as_str().into()),
        version: Set(1),
        requester: Set(principal.subject.clone()),
        requester_role: Set(principal.role.as_str().into()),
        justification: Set(new.justification.clone()),
        currency: Set("USD".into()),
        recommendation_resource_id: Set(new.recommendation_resource_id),
        idempotency_key: Set(new.idempotency_key.clone()),
        payload_hash: Set(Some(hash.clone())),
        created_at: Set(now),
        updated_at: Set(now),
        resource_id: Set(None),
        resource_ref: Set(None),
        current_type: Set(None),
        instance_type: Set(None),
        instance_count: Set(None),
        region: Set(None),
        budget: Set(None),
        manager_decider: Set(None),
        manager_decision: Set(None),
        manager_comment: Set(None),
        manager_decided_at: Set(None),
        admin_decider: Set(None),
        admin_decision: Set(None),
        admin_comment: Set(None),
        admin_decided_at: Set(None),
        ..Default::default()
    };
    let (kind, impact) = match &new.change {
        Change::Provision {
            instance_type,
            count,
            region,
        } => {
            row.instance_type = Set(Some(instance_type.clone()));
            row.instance_count = Set(Some(*count));
            row.region = Set(Some(region.clone()));
            (
                Kind::Provision,
                impact::provision(&prices, instance_type, *count, region)?,
            )
        }
        Change::Resize {
            resource_id,
            target_type,
        } => {
            let resource = find(*resource_id, "resize.resourceId")?;
            on_resource(&mut row, resource);
            row.instance_type = Set(Some(target_type.clone()));
            (
                Kind::Resize,
                impact::resize(&prices, resource, target_type)?,
            )
        }
        Change::Terminate { resource_id } => {
            let resource = find(*resource_id, "terminate.resourceId")?;
            on_resource(&mut row, resource);
            (Kind::Terminate, impact::terminate(&prices, resource)?)
        }
        Change::BudgetChange { amount } => {
            row.budget = Set(Some(fixed(*amount)?));
            (
                Kind::BudgetChange,
                impact::budget(tenant_settings.monthly_budget, *amount)?,
            )
        }
    };
    let threshold = tenant_settings.approval_threshold;
    let needs_admin = impact.delta() > threshold;
    row.kind = Set(kind.as_str().into());
    row.current_monthly = Set(fixed(impact.current)?);
    row.proposed_monthly = Set(fixed(impact.proposed)?);
    row.delta_monthly = Set(fixed(impact.delta())?);
    row.price_source = Set(impact
        .price_source
        .map(|s| format!("{s:?}").to_ascii_uppercase()));
    row.admin_threshold = Set(fixed(threshold)?);
    row.needs_admin = Set(needs_admin);

    let txn = env.db.begin().await?;
    let inserted = match workflow_request::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
    {
        Ok(model) => model,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            // The same key, opened concurrently: the other one won.
            txn.rollback().await?;
            return match replay(env.db, principal, &new, &hash).await? {
                Some(existing) => Ok((existing, true)),
                None => Err(AppError::internal(err)),
            };
        }
        Err(err) => return Err(err.into()),
    };
    audit::record_event(
        &txn,
        audit::Event {
            actor: &principal.subject,
            role: Some(principal.role.as_str()),
            action: "workflow.request.create",
            tenant_id: Some(new.tenant.id()),
            target: Some(&target(inserted.id)),
            before: None,
            after: Some(snapshot(&inserted, &impact)),
        },
    )
    .await?;
    txn.commit().await?;
    env.events.publish(event(&inserted)).await;
    Ok((inserted, false))
}

/// Approves, rejects or cancels a request the caller can see, at the version the caller saw.
pub async fn decide(
    env: &Env<'_>,
    principal: &Principal,
    scope: &TenantScope,
    id: i64,
    expected_version: i32,
    action: Action,
    comment: Option<String>,
) -> AppResult<Model> {
    let Some(current) = find_in_scope(env.db, scope, id).await? else {
        return Err(AppError::NotFound("no such workflow request".into()));
    };
    let step = rules::check(principal, &current, action)?;
    let comment = comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    check_text("comment", comment.as_deref())?;
    if action == Action::Reject && comment.is_none() {
        return Err(AppError::bad_input("comment: a rejection needs a reason"));
    }
    if current.version != expected_version {
        return Err(AppError::Conflict(format!(
            "the request is at version {}, not {expected_version}; reload it",
            current.version
        )));
    }
    let before_status = status_of(&current);
    let status = rules::next_status(action, step, current.needs_admin);
    let now = Utc::now();
    let decision = match action {
        Action::Approve => Some("APPROVED"),
        Action::Reject => Some("REJECTED"),
        Action::Cancel => None,
    };

    let mut update = workflow_request::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now));
    let mut updated = current.clone();
    match step {
        Some(Step::Manager) => {
            update = update
                .col_expr(
                    Column::ManagerDecider,
                    Expr::value(principal.subject.clone()),
                )
                .col_expr(Column::ManagerDecision, Expr::value(decision))
                .col_expr(Column::ManagerComment, Expr::value(comment.clone()))
                .col_expr(Column::ManagerDecidedAt, Expr::value(now));
            updated.manager_decider = Some(principal.subject.clone());
            updated.manager_decision = decision.map(str::to_string);
            updated.manager_comment = comment.clone();
            updated.manager_decided_at = Some(now);
        }
        Some(Step::Admin) => {
            update = update
                .col_expr(Column::AdminDecider, Expr::value(principal.subject.clone()))
                .col_expr(Column::AdminDecision, Expr::value(decision))
                .col_expr(Column::AdminComment, Expr::value(comment.clone()))
                .col_expr(Column::AdminDecidedAt, Expr::value(now));
            updated.admin_decider = Some(principal.subject.clone());
            updated.admin_decision = decision.map(str::to_string);
            updated.admin_comment = comment.clone();
            updated.admin_decided_at = Some(now);
        }
        None => {}
    }
    updated.status = status.as_str().into();
    updated.version = current.version + 1;
    updated.updated_at = now;

    // The UPDATE is the transaction's first statement: on SQLite it takes the write lock (waiting
    // for it, not failing), on PostgreSQL it locks the row and re-checks the condition after a
    // concurrent writer commits. Either way, of many simultaneous decisions on one version
    // exactly one touches the row; the others touch none and get CONFLICT.
    let txn = env.db.begin().await?;
    let touched = update
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(expected_version))
        .filter(Column::Status.eq(before_status.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    if touched != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "the request changed while you were deciding; reload it".into(),
        ));
    }
    let tenant = scope
        .tenant(&current.tenant_id)
        .expect("found through the scope");
    if status == Status::Approved && kind_of(&current) == Kind::BudgetChange {
        let amount = money::from_fixed(current.budget.unwrap_or(0) as i128);
        let before = settings::of_tenant(&txn, &tenant, env.default_threshold).await?;
        settings::write(
            &txn,
            &tenant,
            Setting::MonthlyBudget(amount),
            principal,
            &before,
        )
        .await?;
    }
    audit::record_event(
        &txn,
        audit::Event {
            actor: &principal.subject,
            role: Some(principal.role.as_str()),
            action: match (action, step) {
                (Action::Cancel, _) => "workflow.request.cancel",
                (Action::Approve, Some(Step::Admin)) => "workflow.request.admin_approve",
                (Action::Reject, Some(Step::Admin)) => "workflow.request.admin_reject",
                (Action::Approve, _) => "workflow.request.approve",
                (Action::Reject, _) => "workflow.request.reject",
            },
            tenant_id: Some(&current.tenant_id),
            target: Some(&target(id)),
            before: Some(json!({ "status": before_status.as_str(), "version": current.version })),
            after: Some(json!({
                "status": status.as_str(),
                "version": updated.version,
                "comment": comment,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    env.events.publish(event(&updated)).await;
    Ok(updated)
}

/// A request by id, if its tenant is in `scope`.
pub async fn find_in_scope(
    db: &impl sea_orm::ConnectionTrait,
    scope: &TenantScope,
    id: i64,
) -> Result<Option<Model>, sea_orm::DbErr> {
    workflow_request::Entity::find_by_id(id)
        .filter(scope.condition(Column::TenantId))
        .one(db)
        .await
}

/// The request this caller already opened with this key, if the payload matches.
async fn replay(
    db: &DatabaseConnection,
    principal: &Principal,
    new: &NewRequest,
    hash: &str,
) -> AppResult<Option<Model>> {
    let Some(key) = &new.idempotency_key else {
        return Ok(None);
    };
    let existing = workflow_request::Entity::find()
        .filter(Column::Requester.eq(principal.subject.clone()))
        .filter(Column::IdempotencyKey.eq(key.clone()))
        .one(db)
        .await?;
    match existing {
        None => Ok(None),
        Some(model) if model.payload_hash.as_deref() == Some(hash) => Ok(Some(model)),
        Some(_) => Err(AppError::bad_input(
            "idempotencyKey was already used for a different request",
        )),
    }
}

fn payload_hash(new: &NewRequest) -> String {
    let canonical = serde_json::to_vec(&(
        new.tenant.id(),
        &new.change,
        &new.justification,
        new.recommendation_resource_id,
    ))
    .expect("request serialises");
    let digest = Sha256::digest(canonical);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn on_resource(row: &mut workflow_request::ActiveModel, resource: &ResourceView) {
    row.resource_id = Set(Some(resource.model.id));
    row.resource_ref = Set(Some(resource.model.resource_id.clone()));
    row.current_type = Set(Some(resource.model.resource_type.clone()));
    row.region = Set(Some(resource.model.region.clone()));
}

fn check_text(field: &str, text: Option<&str>) -> AppResult<()> {
    match text {
        Some(t) if t.chars().count() > MAX_TEXT => Err(AppError::bad_input(format!(
            "{field} is longer than {MAX_TEXT} characters"
        ))),
        _ => Ok(()),
    }
}

fn fixed(amount: Decimal) -> AppResult<i64> {
    money::to_fixed(amount).map_err(AppError::bad_input)
}

fn target(id: i64) -> String {
    format!("WorkflowRequest:{id}")
}

fn snapshot(model: &Model, impact: &Impact) -> serde_json::Value {
    json!({
        "kind": model.kind,
        "status": model.status,
        "version": model.version,
        "currentMonthly": impact.current.normalize().to_string(),
        "proposedMonthly": impact.proposed.normalize().to_string(),
        "deltaMonthly": impact.delta().normalize().to_string(),
        "needsAdmin": model.needs_admin,
    })
}

fn event(model: &Model) -> WorkflowEvent {
    WorkflowEvent {
        tenant_id: model.tenant_id.clone(),
        request_id: model.id,
        version: model.version,
        status: model.status.clone(),
    }
}
