//! Object types: tenants, accounts, the viewer, and the `Node` interface.
use async_graphql::{Context, Interface, Object, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::context::parts;
use super::ids;
use super::inventory;
use super::loaders::{
    MonthToDate, MonthlyTrend, PendingRequests, SavingsAvailable, TenantSettingsOf,
};
use super::pagination::{page_args, page_connection, KeyConnection};
use crate::auth::Role;
use crate::cost::period::Month;
use crate::cost::report::{
    self, CostReport, CostSeries, CostSnapshot, CostTrend, Granularity, Money, TrendQuery,
};
use crate::cost::{CostDimension, CostMetric};
use crate::error::AppError;
use crate::tenancy::{directory, CostOwner, TenantRef};
use crate::workflow::{Kind, Status};
use entity::{account, tenant};

/// Anything with a global ID, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Tenant(Tenant),
    Account(Account),
    Resource(inventory::Resource),
    WorkflowRequest(super::workflow::WorkflowRequest),
}

/// A tenant: an AWS Organizational Unit whose people see its cost.
pub struct Tenant {
    pub reference: TenantRef,
    pub model: tenant::Model,
}

impl Tenant {
    /// The tenant's workflow settings, batched across the tenants of the request.
    async fn settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::workflow::settings::TenantSettings> {
        let (request, _) = parts(ctx)?;
        request
            .summary
            .load_one(TenantSettingsOf(self.reference.clone()))
            .await?
            .ok_or_else(|| AppError::internal("no settings for a tenant").into())
    }

    /// The tenant's resource views, shared by every field of the request that needs them.
    async fn views(
        &self,
        request: &super::RequestContext,
    ) -> async_graphql::Result<Vec<crate::inventory::view::ResourceView>> {
        let views = request
            .summary
            .load_one(super::loaders::TenantViews(self.reference.clone()))
            .await?;
        Ok(views.map(|v| v.as_ref().clone()).unwrap_or_default())
    }
}

/// Checks a trend's month count.
fn months_arg(months: i32) -> Result<u32, AppError> {
    if (1..=24).contains(&months) {
        Ok(months as u32)
    } else {
        Err(AppError::bad_input(format!(
            "months must be between 1 and 24, got {months}"
        )))
    }
}

/// The month asked for, or the current one.
pub fn month_arg(period: Option<String>, today: NaiveDate) -> Result<Month, AppError> {
    match period {
        Some(p) => Month::parse(&p),
        None => Ok(Month::containing(today)),
    }
}

/// Records one read of cost, then returns it.
pub async fn audited<T>(
    ctx: &Context<'_>,
    owner: &CostOwner,
    view: &str,
    period: String,
    value: T,
) -> async_graphql::Result<T> {
    let (request, _) = parts(ctx)?;
    request.audit.push(owner.tenant_id(), view, period);
    Ok(value)
}

/// Cost of an owner for a month (shared by `Tenant.cost` and `unallocatedCost`).
pub async fn cost_of(
    ctx: &Context<'_>,
    owner: CostOwner,
    view: &str,
    period: Option<String>,
    group_by: Option<CostDimension>,
    tag_key: Option<String>,
    metric: CostMetric,
) -> async_graphql::Result<CostReport> {
    let (request, db) = parts(ctx)?;
    let month = month_arg(period, request.today)?;
    let shape = format!(
        "report|{month}|{}|{group_by:?}|{tag_key:?}|{metric:?}",
        request.today
    );
    let version = request.version_of(&owner).await?;
    let report = request
        .cache
        .get_or_compute_at(version, &owner, shape, || {
            report::cost_report(db, &owner, month, request.today, group_by, tag_key, metric)
        })
        .await?;
    audited(ctx, &owner, view, month.to_string(), report).await
}

/// A trend's arguments as the API takes them.
pub struct TrendArgs {
    pub months: i32,
    pub to: Option<NaiveDate>,
    pub granularity: Granularity,
    pub group_by: Option<CostDimension>,
    pub tag_key: Option<String>,
    pub metric: CostMetric,
}

/// Trend of an owner (shared by `Tenant.costTrend` and `unallocatedCostTrend`).
pub async fn trend_of(
    ctx: &Context<'_>,
    owner: CostOwner,
    view: &str,
    args: TrendArgs,
) -> async_graphql::Result<CostTrend> {
    let (request, db) = parts(ctx)?;
    let query = TrendQuery {
        months: months_arg(args.months)?,
        to: args.to.unwrap_or(request.today),
        granularity: args.granularity,
        group_by: args.group_by,
        tag_key: args.tag_key,
        metric: args.metric,
    };
    let shape = format!("trend|{query:?}");
    let trend = request
        .cache
        .get_or_compute_at(request.version_of(&owner).await?, &owner, shape, || {
            report::cost_trend(db, &owner, query)
        })
        .await?;
    let period = format!("{}..{}", trend.from, trend.to);
    audited(ctx, &owner, view, period, trend).await
}

#[Object]
impl Tenant {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ids::encode("Tenant", &self.model.id)
    }

    /// The AWS Organizational Unit id, e.g. `ou-ab12-cd34ef56`.
    async fn ou_id(&self) -> &str {
        &self.model.id
    }

    /// The OU's name.
    async fn name(&self) -> &str {
        &self.model.name
    }

    /// Change requests of this tenant, newest first, optionally of some statuses and one kind.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn workflow_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these statuses (default: all).")] status: Option<Vec<Status>>,
        kind: Option<Kind>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<KeyConnection<super::workflow::WorkflowRequest>> {
        super::workflow::tenant_requests(ctx, &self.reference, status, kind, first, after).await
    }

    /// Requests waiting for a decision (PENDING or AWAITING_ADMIN). Batched across tenants.
    async fn pending_request_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let (request, _) = parts(ctx)?;
        let count = request
            .summary
            .load_one(PendingRequests(self.reference.clone()))
            .await?;
        Ok(count.unwrap_or(0))
    }

    /// Monthly cost increase above which a request also needs an ADMIN approval.
    async fn approval_threshold(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        Ok(inventory::usd(self.settings(ctx).await?.approval_threshold))
    }

    /// The monthly budget, if one was set (through an approved BUDGET_CHANGE).
    async fn monthly_budget(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Money>> {
        Ok(self.settings(ctx).await?.monthly_budget.map(inventory::usd))
    }

    /// Where the tenant's spend is heading: the rest of this month and next month, with a
    /// prediction interval (see the README for the method).
    async fn forecast(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] granularity: super::outlook::ForecastGranularity,
        #[graphql(default)] horizon: super::outlook::ForecastHorizon,
        #[graphql(default = 80, desc = "Interval coverage in percent: 80 or 95.")] level: i32,
    ) -> async_graphql::Result<super::outlook::CostForecast> {
        if level != 80 && level != 95 {
            return Err(AppError::bad_input(format!("level must be 80 or 95, got {level}")).into());
        }
        let outlook = super::outlook::outlook(ctx, &self.reference).await?;
        Ok(super::outlook::forecast_of(
            &outlook,
            granularity,
            horizon,
            level as u8,
        ))
    }

    /// This month's spend against the monthly budget; null when no budget is set.
    async fn budget(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::outlook::Budget>> {
        Ok(super::outlook::budget_of(ctx, &self.reference)
            .await?
            .map(super::outlook::Budget))
    }

    /// OK, AT_RISK or EXCEEDED; null when no budget is set. Batched across tenants.
    async fn budget_status(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::budget::BudgetStatus>> {
        Ok(super::outlook::budget_of(ctx, &self.reference)
            .await?
            .map(|b| b.status))
    }

    /// Days of the last `days` (at most 30) whose spend left the expected, newest first.
    async fn anomalies(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 30)] days: i32,
    ) -> async_graphql::Result<Vec<super::outlook::CostAnomaly>> {
        super::outlook::anomalies_of(ctx, &self.reference, days).await
    }

    /// How many anomalies the last `days` (at most 30) had. Batched across tenants.
    async fn anomaly_count(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 30)] days: i32,
    ) -> async_graphql::Result<usize> {
        super::outlook::anomaly_count(ctx, &self.reference, days).await
    }

    /// The monthly report as a PDF: `GET` it with the same Bearer token.
    async fn report_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM` (default: the current month).")] month: Option<
            String,
        >,
    ) -> async_graphql::Result<String> {
        let (request, _) = parts(ctx)?;
        let month = month_arg(month, request.today)?;
        Ok(format!("/reports/{}/{month}.pdf", self.model.id))
    }

    /// MANAGER of the tenant or ADMIN: the tenant's audit log, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<super::audit::AuditEventFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<KeyConnection<super::audit::AuditEvent>> {
        let (request, _) = parts(ctx)?;
        request.principal.require(Role::Manager)?;
        let mut filter = filter.unwrap_or_default();
        filter.tenant_id = Some(ID(self.reference.id().to_string()));
        super::audit::events(ctx, filter, first, after).await
    }

    /// The AWS accounts under this tenant (nearest tenant OU above them).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<KeyConnection<Account>> {
        let (_, db) = parts(ctx)?;
        let (limit, after) = page_args(first, after)?;
        let page = directory::accounts(db, &self.reference, after.as_deref(), limit)
            .await
            .map_err(AppError::from)?;
        Ok(page_connection(page, after.is_some(), |a| {
            (a.id.clone(), Account { model: a })
        }))
    }

    /// Cost of a month: totals, the previous period and the change, and an optional breakdown.
    async fn cost(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM` (default: the current month, to date).")]
        period: Option<String>,
        #[graphql(desc = "Break the cost down by this dimension.")] group_by: Option<CostDimension>,
        #[graphql(desc = "The tag key, with `groupBy: TAG`.")] tag_key: Option<String>,
        #[graphql(desc = "Which cost (default BILLED).", default)] metric: CostMetric,
    ) -> async_graphql::Result<CostReport> {
        cost_of(
            ctx,
            CostOwner::Tenant(self.reference.clone()),
            "Tenant.cost",
            period,
            group_by,
            tag_key,
            metric,
        )
        .await
    }

    /// Cost over the last `months` calendar months (the current one included), as chart series.
    #[allow(clippy::too_many_arguments)]
    async fn cost_trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar months, 1 to 24.", default = 3)] months: i32,
        #[graphql(desc = "Last day included (default: today).")] to: Option<NaiveDate>,
        #[graphql(default)] granularity: Granularity,
        group_by: Option<CostDimension>,
        tag_key: Option<String>,
        #[graphql(default)] metric: CostMetric,
    ) -> async_graphql::Result<CostTrend> {
        let owner = CostOwner::Tenant(self.reference.clone());
        trend_of(
            ctx,
            owner,
            "Tenant.costTrend",
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

    /// The resources of the tenant (EC2, EBS, RDS), each with its cost of the last 30 days,
    /// utilisation and recommendation. Terminated resources only when filtered by state.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn inventory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        after: Option<String>,
        filter: Option<inventory::InventoryFilter>,
        #[graphql(desc = "Default: cost of the last 30 days, highest first.")] order_by: Option<
            inventory::InventoryOrder,
        >,
    ) -> async_graphql::Result<inventory::ResourceConnection> {
        let (request, _) = parts(ctx)?;
        let views = self.views(request).await?;
        let mut views = inventory::filter(views, &filter.unwrap_or_default());
        inventory::sort(&mut views, &order_by.unwrap_or_default());
        let totals = super::pagination::Totals {
            total_count: views.len() as u64,
        };
        let connection = inventory::page(views, first, after, totals, |v| {
            inventory::Resource(Box::new(v))
        })?;
        let owner = CostOwner::Tenant(self.reference.clone());
        audited(
            ctx,
            &owner,
            "Tenant.inventory",
            format!("last 30 days to {}", request.today),
            connection,
        )
        .await
    }

    /// Rightsizing recommendations, largest savings first, with the total of the whole list.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, child_complexity)")]
    async fn rightsizing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 50).")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only this finding.")] finding: Option<crate::rightsizing::Finding>,
    ) -> async_graphql::Result<inventory::RecommendationConnection> {
        let (request, _) = parts(ctx)?;
        let views = self.views(request).await?;
        let mut views: Vec<_> = views
            .into_iter()
            .filter(|v| v.model.state != "terminated")
            .filter(|v| {
                v.recommendation
                    .as_ref()
                    .is_some_and(|r| finding.is_none_or(|f| r.finding == f))
            })
            .collect();
        views.sort_by(|a, b| {
            let saving = |v: &crate::inventory::view::ResourceView| {
                v.recommendation
                    .as_ref()
                    .map(|r| r.savings_monthly)
                    .unwrap_or_default()
            };
            saving(b)
                .cmp(&saving(a))
                .then_with(|| a.model.resource_id.cmp(&b.model.resource_id))
        });
        let totals = inventory::RightsizingTotals {
            total_count: views.len() as u64,
            total_estimated_monthly_savings: inventory::usd(inventory::savings(&views)),
        };
        let connection = inventory::page(views, first, after, totals, |v| {
            inventory::Recommendation(Box::new(v))
        })?;
        let owner = CostOwner::Tenant(self.reference.clone());
        audited(
            ctx,
            &owner,
            "Tenant.rightsizing",
            format!("last 30 days to {}", request.today),
            connection,
        )
        .await
    }

    /// Monthly savings available from rightsizing (USD). Batched across tenants (Summary).
    async fn savings_available(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        let (request, _) = parts(ctx)?;
        let amount = request
            .summary
            .load_one(SavingsAvailable(self.reference.clone()))
            .await?;
        Ok(inventory::usd(amount.unwrap_or_default()))
    }

    /// Month-to-date cost against the same days of last month. Batched across tenants (Summary).
    async fn month_to_date(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] metric: CostMetric,
    ) -> async_graphql::Result<CostSnapshot> {
        let (request, _) = parts(ctx)?;
        let snapshot = request
            .summary
            .load_one(MonthToDate(self.reference.clone(), metric))
            .await?;
        snapshot.ok_or_else(|| AppError::internal("month-to-date missing from its batch").into())
    }

    /// Monthly totals over the last `months` months, one series per currency. Batched across tenants.
    async fn monthly_trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar months, 1 to 24.", default = 3)] months: i32,
        #[graphql(default)] metric: CostMetric,
    ) -> async_graphql::Result<Vec<CostSeries>> {
        let (request, _) = parts(ctx)?;
        let key = MonthlyTrend(self.reference.clone(), months_arg(months)?, metric);
        Ok(request.summary.load_one(key).await?.unwrap_or_default())
    }
}

/// An AWS account.
pub struct Account {
    pub model: account::Model,
}

#[Object]
impl Account {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ids::encode("Account", &self.model.id)
    }

    /// The 12-digit AWS account id.
    async fn account_id(&self) -> &str {
        &self.model.id
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    async fn email(&self) -> Option<&str> {
        self.model.email.as_deref()
    }

    /// ACTIVE, SUSPENDED, …
    async fn status(&self) -> Option<&str> {
        self.model.status.as_deref()
    }

    /// The OU (or root) directly above the account.
    async fn parent_id(&self) -> Option<&str> {
        self.model.parent_id.as_deref()
    }

    /// The tenant's OU id; null when the account's cost is unallocated.
    async fn tenant_ou_id(&self) -> Option<&str> {
        self.model.tenant_id.as_deref()
    }

    async fn joined_at(&self) -> Option<DateTime<Utc>> {
        self.model.joined_at
    }
}

/// The caller, as its token describes it.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The token's subject.
    pub subject: String,
    pub role: Role,
    /// The tenant (OU) ids the token names. An ADMIN sees all tenants whatever this lists.
    pub tenant_ou_ids: Vec<String>,
}

/// A page of tenants.
pub type TenantConnection = KeyConnection<Tenant>;
