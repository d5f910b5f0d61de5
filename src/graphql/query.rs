//! The root query.
use async_graphql::{Context, Object, ID};
use chrono::NaiveDate;

use super::context::parts;
use super::ids;
use super::pagination::{page_args, page_connection};
use super::types::{cost_of, trend_of, Account, Node, Tenant, TenantConnection, TrendArgs, Viewer};
use crate::cost::report::{CostReport, CostTrend, Granularity};
use crate::cost::{CostDimension, CostMetric};
use crate::error::AppError;
use crate::tenancy::directory;

#[derive(Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Who is calling.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let (request, _) = parts(ctx)?;
        let p = &request.principal;
        Ok(Viewer {
            subject: p.subject.clone(),
            role: p.role,
            tenant_ou_ids: p.tenants.iter().cloned().collect(),
        })
    }

    /// The tenants the caller may see (an ADMIN: all), in OU id order. The Summary page lists
    /// these with `monthToDate` and `monthlyTrend`, which are batched across the page.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<TenantConnection> {
        let (request, db) = parts(ctx)?;
        let (limit, after) = page_args(first, after)?;
        let page = directory::tenants(db, &request.scope, after.as_deref(), limit)
            .await
            .map_err(AppError::from)?;
        let tenants: Vec<_> = page.items.iter().map(|(r, _)| r.clone()).collect();
        super::loaders::prime(ctx, request, &tenants).await;
        Ok(page_connection(
            page,
            after.is_some(),
            |(reference, model)| (model.id.clone(), Tenant { reference, model }),
        ))
    }

    /// One tenant by its global ID or OU id; null if it does not exist or is not the caller's.
    async fn tenant(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Tenant>> {
        let (request, db) = parts(ctx)?;
        let Some(ou_id) = ids::tenant_ou(&id) else {
            return Ok(None);
        };
        let found = directory::tenant(db, &request.scope, &ou_id)
            .await
            .map_err(AppError::from)?;
        Ok(found.map(|(reference, model)| Tenant { reference, model }))
    }

    /// Any object by its global ID; null if it does not exist or is not the caller's.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let (request, db) = parts(ctx)?;
        let Some((kind, key)) = ids::decode(&id) else {
            return Ok(None);
        };
        Ok(match kind.as_str() {
            "Tenant" => directory::tenant(db, &request.scope, &key)
                .await
                .map_err(AppError::from)?
                .map(|(reference, model)| Node::Tenant(Tenant { reference, model })),
            "Account" => directory::account(db, &request.scope, &key)
                .await
                .map_err(AppError::from)?
                .map(|model| Node::Account(Account { model })),
            "Resource" => {
                let Ok(id) = key.parse::<i64>() else {
                    return Ok(None);
                };
                crate::inventory::view::resource_in_scope(
                    db,
                    &request.scope,
                    id,
                    &request.cache,
                    request.today,
                    &request.thresholds,
                )
                .await?
                .map(|v| Node::Resource(super::inventory::Resource(Box::new(v))))
            }
            "WorkflowRequest" => match key.parse::<i64>() {
                Ok(id) => crate::workflow::service::find_in_scope(db, &request.scope, id)
                    .await
                    .map_err(AppError::from)?
                    .map(|m| Node::WorkflowRequest(super::workflow::WorkflowRequest(Box::new(m)))),
                Err(_) => None,
            },
            _ => None,
        })
    }

    /// ADMIN: cost of accounts under no tenant OU. Σ tenants + unallocated = the whole bill.
    async fn unallocated_cost(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM` (default: the current month, to date).")]
        period: Option<String>,
        group_by: Option<CostDimension>,
        tag_key: Option<String>,
        #[graphql(default)] metric: CostMetric,
    ) -> async_graphql::Result<CostReport> {
        let (request, _) = parts(ctx)?;
        let owner = request.scope.unallocated()?;
        cost_of(
            ctx,
            owner,
            "Query.unallocatedCost",
            period,
            group_by,
            tag_key,
            metric,
        )
        .await
    }

    /// ADMIN: the unallocated cost over time.
    #[allow(clippy::too_many_arguments)]
    async fn unallocated_cost_trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 3)] months: i32,
        to: Option<NaiveDate>,
        #[graphql(default)] granularity: Granularity,
        group_by: Option<CostDimension>,
        tag_key: Option<String>,
        #[graphql(default)] metric: CostMetric,
    ) -> async_graphql::Result<CostTrend> {
        let (request, _) = parts(ctx)?;
        let owner = request.scope.unallocated()?;
        trend_of(
            ctx,
            owner,
            "Query.unallocatedCostTrend",
            TrendArgs {
                months,
                to,
                granularity,
                group_by,
                tag_key,
                metric,
            },
        )
        .await
    }
}
