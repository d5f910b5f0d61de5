//! Change requests in the API: the request type, its mutations and the live subscription.
//! Resolvers decode arguments and call [`crate::workflow`]; the rules live there.
use async_graphql::futures_util::Stream;
use async_graphql::{
    Context, Enum, InputObject, Object, OneofObject, SimpleObject, Subscription, ID,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use tokio::sync::broadcast::error::RecvError;

use super::context::parts;
use super::ids;
use super::inventory::{usd, Resource};
use super::loaders::TenantViews;
use super::pagination::{id_page_args, page_connection, KeyConnection};
use super::types::Tenant;
use crate::auth::Role;
use crate::cost::money;
use crate::cost::report::Money;
use crate::error::AppError;
use crate::rightsizing::{Finding, PriceSource};
use crate::tenancy::{directory, TenantRef};
use crate::workflow::rules::{self, Step};
use crate::workflow::{self, kind_of, status_of, Action, Change, Kind, NewRequest, Status};
use entity::workflow_request::Model;

/// A change request with its cost impact. Decide it with the `version` you read.
pub struct WorkflowRequest(pub Box<Model>);

/// What a decision was.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionOutcome {
    Approved,
    Rejected,
}

/// One approval or rejection.
#[derive(SimpleObject)]
pub struct Decision {
    pub step: Step,
    pub outcome: DecisionOutcome,
    /// The decider's subject.
    pub decider: String,
    pub comment: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// Monthly cost before and after the change, computed by the server.
#[derive(SimpleObject)]
pub struct CostImpact {
    pub current_monthly_cost: Money,
    pub proposed_monthly_cost: Money,
    /// `proposed − current`: positive when the change costs more.
    pub monthly_delta: Money,
    /// Where the deciding price came from (null for a budget change).
    pub price_source: Option<PriceSource>,
}

fn money_of(picos: i64) -> Money {
    usd(money::from_fixed(picos as i128))
}

#[Object]
impl WorkflowRequest {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode("WorkflowRequest", &self.0.id.to_string())
    }
    async fn kind(&self) -> Kind {
        kind_of(&self.0)
    }
    async fn status(&self) -> Status {
        status_of(&self.0)
    }
    /// Bumped by every state change; send it as `expectedVersion` when deciding or cancelling.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The tenant's OU id.
    async fn tenant_ou_id(&self) -> &str {
        &self.0.tenant_id
    }
    /// Who asked (the token's subject).
    async fn requester(&self) -> &str {
        &self.0.requester
    }
    async fn requester_role(&self) -> Option<Role> {
        Role::from_claim(&self.0.requester_role)
    }
    async fn justification(&self) -> Option<&str> {
        self.0.justification.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// PROVISION: the type to run. RESIZE: the type to move to.
    async fn instance_type(&self) -> Option<&str> {
        self.0.instance_type.as_deref()
    }
    /// PROVISION: how many.
    async fn instance_count(&self) -> Option<i32> {
        self.0.instance_count
    }
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// RESIZE and TERMINATE: the resource's type when the request was opened.
    async fn current_type(&self) -> Option<&str> {
        self.0.current_type.as_deref()
    }
    /// RESIZE and TERMINATE: the AWS id of the resource (`i-…`, `vol-…`, a DB identifier).
    async fn resource_ref(&self) -> Option<&str> {
        self.0.resource_ref.as_deref()
    }
    /// RESIZE and TERMINATE: the resource as the inventory shows it now.
    async fn resource(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Resource>> {
        let Some(id) = self.0.resource_id else {
            return Ok(None);
        };
        let (request, _) = parts(ctx)?;
        let Some(tenant) = request.scope.tenant(&self.0.tenant_id) else {
            return Ok(None);
        };
        let views = request.summary.load_one(TenantViews(tenant)).await?;
        Ok(views
            .and_then(|v| v.iter().find(|v| v.model.id == id).cloned())
            .map(|v| Resource(Box::new(v))))
    }
    /// BUDGET_CHANGE: the monthly budget asked for.
    async fn budget(&self) -> Option<Money> {
        self.0.budget.map(money_of)
    }
    async fn cost_impact(&self) -> CostImpact {
        CostImpact {
            current_monthly_cost: money_of(self.0.current_monthly),
            proposed_monthly_cost: money_of(self.0.proposed_monthly),
            monthly_delta: money_of(self.0.delta_monthly),
            price_source: match self.0.price_source.as_deref() {
                Some("OBSERVED") => Some(PriceSource::Observed),
                Some("CATALOG") => Some(PriceSource::Catalog),
                _ => None,
            },
        }
    }
    /// The tenant's threshold when the request was opened.
    async fn approval_threshold(&self) -> Money {
        money_of(self.0.admin_threshold)
    }
    /// The monthly delta exceeds the threshold: an ADMIN approves after the MANAGER.
    async fn needs_admin_approval(&self) -> bool {
        self.0.needs_admin
    }
    /// The approvals and rejections so far, in order.
    async fn decisions(&self) -> Vec<Decision> {
        let m = &self.0;
        [
            (
                Step::Manager,
                &m.manager_decider,
                &m.manager_decision,
                &m.manager_comment,
                m.manager_decided_at,
            ),
            (
                Step::Admin,
                &m.admin_decider,
                &m.admin_decision,
                &m.admin_comment,
                m.admin_decided_at,
            ),
        ]
        .into_iter()
        .filter_map(|(step, decider, decision, comment, at)| {
            Some(Decision {
                step,
                outcome: match decision.as_deref()? {
                    "APPROVED" => DecisionOutcome::Approved,
                    _ => DecisionOutcome::Rejected,
                },
                decider: decider.clone()?,
                comment: comment.clone(),
                decided_at: at?,
            })
        })
        .collect()
    }
    /// The recommendation this request was opened from.
    async fn recommendation_id(&self) -> Option<ID> {
        self.0
            .recommendation_resource_id
            .map(|id| ids::encode("Recommendation", &id.to_string()))
    }
    /// Whether the caller may approve or reject it now.
    async fn viewer_can_decide(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let (request, _) = parts(ctx)?;
        Ok(rules::check(&request.principal, &self.0, Action::Approve).is_ok())
    }
    /// Whether the caller may cancel it now.
    async fn viewer_can_cancel(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let (request, _) = parts(ctx)?;
        Ok(rules::check(&request.principal, &self.0, Action::Cancel).is_ok())
    }
}

/// What to change: exactly one of the fields.
#[derive(OneofObject)]
pub enum WorkflowChangeInput {
    Provision(ProvisionInput),
    Resize(ResizeInput),
    Terminate(TerminateInput),
    BudgetChange(BudgetChangeInput),
}

/// New instances (`m5.large`) or DB instances (`db.r6g.large`).
#[derive(InputObject)]
pub struct ProvisionInput {
    pub instance_type: String,
    #[graphql(default = 1)]
    pub count: i32,
    pub region: String,
}

/// An instance or DB instance of the tenant moved to another type.
#[derive(InputObject)]
pub struct ResizeInput {
    /// A `Resource` ID.
    pub resource_id: ID,
    pub target_type: String,
}

/// An instance, DB instance or volume of the tenant terminated.
#[derive(InputObject)]
pub struct TerminateInput {
    /// A `Resource` ID.
    pub resource_id: ID,
}

/// A new monthly budget for the tenant (USD).
#[derive(InputObject)]
pub struct BudgetChangeInput {
    pub amount: Decimal,
}

/// The request a mutation touched.
#[derive(SimpleObject)]
pub struct WorkflowRequestPayload {
    pub request: WorkflowRequest,
    /// True when an idempotency key matched an earlier request, which is returned unchanged.
    pub replayed: bool,
}

/// A tenant the caller may see, by global ID or OU id; NOT_FOUND otherwise.
pub async fn visible_tenant(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Tenant> {
    let (request, db) = parts(ctx)?;
    let found = match ids::tenant_ou(id) {
        Some(ou) => directory::tenant(db, &request.scope, &ou)
            .await
            .map_err(AppError::from)?,
        None => None,
    };
    found
        .map(|(reference, model)| Tenant { reference, model })
        .ok_or_else(|| AppError::NotFound("no such tenant".into()).into())
}

/// The row id inside a global ID of `kind`.
fn row_id(id: &ID, kind: &str, field: &str) -> Result<i64, AppError> {
    match ids::decode(id) {
        Some((k, key)) if k == kind => key
            .parse()
            .map_err(|_| AppError::bad_input(format!("{field} is not a {kind} ID"))),
        _ => Err(AppError::bad_input(format!("{field} is not a {kind} ID"))),
    }
}

fn change_of(input: WorkflowChangeInput) -> Result<Change, AppError> {
    Ok(match input {
        WorkflowChangeInput::Provision(p) => Change::Provision {
            instance_type: p.instance_type.trim().to_string(),
            count: p.count,
            region: p.region.trim().to_string(),
        },
        WorkflowChangeInput::Resize(r) => Change::Resize {
            resource_id: row_id(&r.resource_id, "Resource", "resize.resourceId")?,
            target_type: r.target_type.trim().to_string(),
        },
        WorkflowChangeInput::Terminate(t) => Change::Terminate {
            resource_id: row_id(&t.resource_id, "Resource", "terminate.resourceId")?,
        },
        WorkflowChangeInput::BudgetChange(b) => Change::BudgetChange { amount: b.amount },
    })
}

async fn decide(
    ctx: &Context<'_>,
    id: ID,
    expected_version: i32,
    action: Action,
    comment: Option<String>,
) -> async_graphql::Result<WorkflowRequestPayload> {
    let (request, _) = parts(ctx)?;
    // An ID that is not a request's is answered like a request that does not exist.
    let id = row_id(&id, "WorkflowRequest", "id")
        .map_err(|_| AppError::NotFound("no such workflow request".into()))?;
    let model = workflow::decide(
        &request.workflow_env(),
        &request.principal,
        &request.scope,
        id,
        expected_version,
        action,
        comment,
    )
    .await?;
    super::loaders::forget(&request.summary);
    Ok(WorkflowRequestPayload {
        request: WorkflowRequest(Box::new(model)),
        replayed: false,
    })
}

#[derive(Default)]
pub struct WorkflowMutation;

#[Object]
impl WorkflowMutation {
    /// Opens a change request in a tenant the caller belongs to. The server computes its cost
    /// impact and whether it needs an ADMIN; the requester is the caller. With an
    /// `idempotencyKey`, repeating the same call returns the first request (`replayed: true`);
    /// reusing the key for another request is BAD_USER_INPUT.
    async fn create_workflow_request(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        change: WorkflowChangeInput,
        justification: Option<String>,
        idempotency_key: Option<String>,
    ) -> async_graphql::Result<WorkflowRequestPayload> {
        let (request, _) = parts(ctx)?;
        let tenant = visible_tenant(ctx, &tenant_id).await?;
        let new = NewRequest {
            tenant: tenant.reference,
            change: change_of(change)?,
            justification,
            idempotency_key,
            recommendation_resource_id: None,
        };
        let (model, replayed) =
            workflow::create(&request.workflow_env(), &request.principal, new).await?;
        super::loaders::forget(&request.summary);
        Ok(WorkflowRequestPayload {
            request: WorkflowRequest(Box::new(model)),
            replayed,
        })
    }

    /// Opens the RESIZE (or, for an idle resource with no smaller type, TERMINATE) that a
    /// rightsizing recommendation advises.
    async fn request_from_recommendation(
        &self,
        ctx: &Context<'_>,
        recommendation_id: ID,
        justification: Option<String>,
        idempotency_key: Option<String>,
    ) -> async_graphql::Result<WorkflowRequestPayload> {
        let (request, db) = parts(ctx)?;
        let not_found = || AppError::NotFound("no such recommendation".into());
        let id = row_id(&recommendation_id, "Recommendation", "recommendationId")
            .map_err(|_| not_found())?;
        let view = crate::inventory::view::resource_in_scope(
            db,
            &request.scope,
            id,
            &request.cache,
            request.today,
            &request.thresholds,
        )
        .await?
        .ok_or_else(not_found)?;
        let rec = view.recommendation.as_ref().ok_or_else(not_found)?;
        let tenant: TenantRef = view
            .model
            .tenant_id
            .as_deref()
            .and_then(|t| request.scope.tenant(t))
            .ok_or_else(not_found)?;
        let change = match (&rec.recommended_type, rec.finding) {
            (Some(target), _) if *target != rec.current_type => Change::Resize {
                resource_id: id,
                target_type: target.clone(),
            },
            (_, Finding::Idle) => Change::Terminate { resource_id: id },
            _ => {
                return Err(AppError::bad_input(format!(
                    "recommendationId: the finding is {:?}; there is nothing to change",
                    rec.finding
                ))
                .into())
            }
        };
        let new = NewRequest {
            tenant,
            change,
            justification: justification.or_else(|| Some(rec.reason.clone())),
            idempotency_key,
            recommendation_resource_id: Some(id),
        };
        let (model, replayed) =
            workflow::create(&request.workflow_env(), &request.principal, new).await?;
        super::loaders::forget(&request.summary);
        Ok(WorkflowRequestPayload {
            request: WorkflowRequest(Box::new(model)),
            replayed,
        })
    }

    /// A MANAGER of the tenant (then, above the threshold, an ADMIN) approves. Not one's own
    /// request; `expectedVersion` must be the version read, else CONFLICT.
    async fn approve_workflow_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        comment: Option<String>,
    ) -> async_graphql::Result<WorkflowRequestPayload> {
        decide(ctx, id, expected_version, Action::Approve, comment).await
    }

    /// As `approveWorkflowRequest`, with the reason required.
    async fn reject_workflow_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        comment: String,
    ) -> async_graphql::Result<WorkflowRequestPayload> {
        decide(ctx, id, expected_version, Action::Reject, Some(comment)).await
    }

    /// The requester withdraws a request that is still open.
    async fn cancel_workflow_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
    ) -> async_graphql::Result<WorkflowRequestPayload> {
        decide(ctx, id, expected_version, Action::Cancel, None).await
    }

    /// ADMIN: the monthly cost increase above which a tenant's requests also need an ADMIN
    /// approval; null resets it to the configured default. Applies to requests opened after.
    async fn set_approval_threshold(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        amount: Option<Decimal>,
    ) -> async_graphql::Result<Tenant> {
        let (request, db) = parts(ctx)?;
        request.principal.require(Role::Admin)?;
        let tenant = visible_tenant(ctx, &tenant_id).await?;
        workflow::settings::set_approval_threshold(
            db,
            &request.principal,
            &tenant.reference,
            amount,
            request.services.approval_threshold,
        )
        .await?;
        super::loaders::forget(&request.summary);
        Ok(tenant)
    }
}

/// Arguments of `Tenant.workflowRequests`.
pub async fn tenant_requests(
    ctx: &Context<'_>,
    tenant: &TenantRef,
    status: Option<Vec<Status>>,
    kind: Option<Kind>,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<KeyConnection<WorkflowRequest>> {
    let (_, db) = parts(ctx)?;
    let (limit, after) = id_page_args(first, after)?;
    let page =
        workflow::list::of_tenant(db, tenant, &status.unwrap_or_default(), kind, after, limit)
            .await
            .map_err(AppError::from)?;
    Ok(page_connection(page, after.is_some(), |m| {
        (m.id.to_string(), WorkflowRequest(Box::new(m)))
    }))
}

#[derive(Default)]
pub struct WorkflowSubscription;

#[Subscription]
impl WorkflowSubscription {
    /// Every change to the tenant's requests — opened, decided, cancelled — as it happens, on
    /// whichever replica it was made. Only tenants the caller may see.
    async fn workflow_request_updated(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = WorkflowRequest>> {
        let (request, db) = parts(ctx)?;
        let tenant = visible_tenant(ctx, &tenant_id).await?.reference;
        let receiver = request.services.events.subscribe();
        let (db, scope) = (db.clone(), request.scope.clone());
        Ok(async_graphql::futures_util::stream::unfold(
            receiver,
            move |mut receiver| {
                let (db, scope, tenant) = (db.clone(), scope.clone(), tenant.clone());
                async move {
                    loop {
                        let event = match receiver.recv().await {
                            Ok(event) => event,
                            Err(RecvError::Lagged(missed)) => {
                                tracing::warn!(missed, "a subscriber fell behind");
                                continue;
                            }
                            Err(RecvError::Closed) => return None,
                        };
                        if event.tenant_id != tenant.id() {
                            continue;
                        }
                        // Read through the scope: the event only says which row changed.
                        match workflow::service::find_in_scope(&db, &scope, event.request_id).await
                        {
                            Ok(Some(model)) => {
                                return Some((WorkflowRequest(Box::new(model)), receiver))
                            }
                            Ok(None) => continue,
                            Err(e) => {
                                tracing::error!(error = %e, "cannot read a changed request");
                                continue;
                            }
                        }
                    }
                }
            },
        ))
    }
}
