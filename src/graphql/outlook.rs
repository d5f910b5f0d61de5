//! Forecast, budget and anomalies in the API. The numbers come from [`crate::cost::outlook`]
//! and [`crate::budget`]; these resolvers batch, audit and shape them.
use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::context::parts;
use super::inventory::usd;
use super::loaders::{ExplainedOutlookOf, OutlookOf, TenantSettingsOf};
use crate::analytics::anomaly::{self, Dimension};
use crate::analytics::forecast::ForecastPoint;
use crate::budget::{self, BudgetStatus};
use crate::cost::outlook::Outlook;
use crate::cost::period::Month;
use crate::cost::report::Money;
use crate::error::AppError;
use crate::tenancy::TenantRef;

/// Forecast points per day or per month.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForecastGranularity {
    #[default]
    Daily,
    Monthly,
}

/// How far a forecast reaches.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForecastHorizon {
    /// The rest of the current month.
    RestOfMonth,
    /// The rest of the current month and all of next month.
    #[default]
    ThroughNextMonth,
}

/// One forecast figure: its expected value and the prediction interval around it.
#[derive(SimpleObject, Debug, Clone)]
pub struct ForecastValue {
    /// The day, or the first day of the month.
    pub date: NaiveDate,
    pub mean: Money,
    pub lower: Money,
    pub upper: Money,
}

fn value(point: &ForecastPoint) -> ForecastValue {
    ForecastValue {
        date: point.date,
        mean: usd(point.mean),
        lower: usd(point.lower),
        upper: usd(point.upper),
    }
}

/// Where the tenant's spend is heading.
#[derive(SimpleObject)]
pub struct CostForecast {
    /// How it was computed.
    pub method: String,
    /// The prediction interval's coverage, in percent (80 or 95).
    pub level: i32,
    pub granularity: ForecastGranularity,
    /// Daily: every day from tomorrow. Monthly: the current month (spent so far plus the rest)
    /// and, with THROUGH_NEXT_MONTH, next month.
    pub points: Vec<ForecastValue>,
    /// Billed cost of the current month up to today.
    pub month_to_date: Money,
    /// The current month's total: spent so far plus the forecast of the rest.
    pub month_end: ForecastValue,
    pub next_month: ForecastValue,
}

pub fn forecast_of(
    outlook: &Outlook,
    granularity: ForecastGranularity,
    horizon: ForecastHorizon,
    level: u8,
) -> CostForecast {
    let daily = outlook.daily(level);
    let month_end = outlook.month_end(level);
    let next_month = outlook.next_month(level);
    let last = match horizon {
        ForecastHorizon::RestOfMonth => Month::containing(outlook.today).last_day(),
        ForecastHorizon::ThroughNextMonth => Month::containing(next_month.date).last_day(),
    };
    let points = match granularity {
        ForecastGranularity::Daily => daily
            .points
            .iter()
            .filter(|p| p.date <= last)
            .map(value)
            .collect(),
        ForecastGranularity::Monthly => {
            let mut points = vec![value(&month_end)];
            if horizon == ForecastHorizon::ThroughNextMonth {
                points.push(value(&next_month));
            }
            points
        }
    };
    CostForecast {
        method: daily.method.to_string(),
        level: daily.level as i32,
        granularity,
        points,
        month_to_date: usd(outlook.actual_month_to_date),
        month_end: value(&month_end),
        next_month: value(&next_month),
    }
}

/// The month's spend against the tenant's budget.
pub struct Budget(pub budget::BudgetView);

#[Object]
impl Budget {
    async fn amount(&self) -> Money {
        usd(self.0.amount)
    }
    /// Spent this month so far.
    async fn actual(&self) -> Money {
        usd(self.0.actual)
    }
    /// The month's forecast total (80 % interval).
    async fn forecast(&self) -> ForecastValue {
        value(&self.0.forecast)
    }
    async fn percent_used(&self) -> Decimal {
        self.0.percent_used
    }
    async fn percent_forecast(&self) -> Decimal {
        self.0.percent_forecast
    }
    async fn status(&self) -> BudgetStatus {
        self.0.status
    }
    /// Alert thresholds crossed this month (`ACTUAL_80`, `ACTUAL_100`, `FORECAST_100`…).
    async fn thresholds_crossed(&self) -> &[String] {
        &self.0.crossed
    }
}

/// What an anomaly's cause is a value of.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "AnomalyDimension")]
pub enum AnomalyDimension {
    Service,
    Account,
    Region,
}

/// One service, account or region that explains part of an anomaly.
#[derive(SimpleObject)]
pub struct AnomalyCause {
    pub dimension: AnomalyDimension,
    pub key: String,
    pub actual: Money,
    pub expected: Money,
    pub delta: Money,
}

/// A day whose spend left the expected, and why.
#[derive(SimpleObject)]
pub struct CostAnomaly {
    pub date: NaiveDate,
    pub actual: Money,
    /// The robust baseline: the same weekday of the previous weeks.
    pub expected: Money,
    /// `actual − expected`.
    pub impact: Money,
    /// `impact ÷ expected × 100`.
    pub impact_percent: Decimal,
    /// How far from the baseline, in robust standard deviations.
    pub score: f64,
    /// The biggest contributors, by service, account and region.
    pub root_causes: Vec<AnomalyCause>,
}

fn anomaly_of(a: &anomaly::Anomaly) -> CostAnomaly {
    CostAnomaly {
        date: a.date,
        actual: usd(a.actual),
        expected: usd(a.expected),
        impact: usd(a.delta),
        impact_percent: a.percent,
        score: a.score,
        root_causes: a
            .causes
            .iter()
            .map(|c| AnomalyCause {
                dimension: match c.dimension {
                    Dimension::Service => AnomalyDimension::Service,
                    Dimension::Account => AnomalyDimension::Account,
                    Dimension::Region => AnomalyDimension::Region,
                },
                key: c.key.clone(),
                actual: usd(c.actual),
                expected: usd(c.expected),
                delta: usd(c.delta),
            })
            .collect(),
    }
}

/// A tenant's outlook, batched across the tenants of the request.
pub async fn outlook(ctx: &Context<'_>, tenant: &TenantRef) -> async_graphql::Result<Outlook> {
    let (request, _) = parts(ctx)?;
    request
        .summary
        .load_one(OutlookOf(tenant.clone()))
        .await?
        .ok_or_else(|| AppError::internal("no outlook for a tenant").into())
}

/// A tenant's budget view, or `None` without a budget.
pub async fn budget_of(
    ctx: &Context<'_>,
    tenant: &TenantRef,
) -> async_graphql::Result<Option<budget::BudgetView>> {
    let (request, _) = parts(ctx)?;
    let settings = request
        .summary
        .load_one(TenantSettingsOf(tenant.clone()))
        .await?;
    let Some(amount) = settings.and_then(|s| s.monthly_budget) else {
        return Ok(None);
    };
    let outlook = outlook(ctx, tenant).await?;
    Ok(Some(budget::view(
        amount,
        &outlook,
        &request.services.budget_thresholds,
    )))
}

/// Anomalies of the last `days` days with their causes, newest first.
pub async fn anomalies_of(
    ctx: &Context<'_>,
    tenant: &TenantRef,
    days: i32,
) -> async_graphql::Result<Vec<CostAnomaly>> {
    let since = since(days)?;
    let (request, _) = parts(ctx)?;
    let outlook = request
        .summary
        .load_one(ExplainedOutlookOf(tenant.clone()))
        .await?
        .ok_or_else(|| AppError::internal("no outlook for a tenant"))?;
    let since = outlook.today - since;
    Ok(outlook
        .anomalies
        .iter()
        .filter(|a| a.date >= since)
        .map(anomaly_of)
        .collect())
}

/// How many anomalies the last `days` days had (the days are judged on daily totals, which the
/// Summary reads for every tenant at once; their causes are not needed to count them).
pub async fn anomaly_count(
    ctx: &Context<'_>,
    tenant: &TenantRef,
    days: i32,
) -> async_graphql::Result<usize> {
    let since = since(days)?;
    let outlook = outlook(ctx, tenant).await?;
    let since = outlook.today - since;
    Ok(outlook.anomalies.iter().filter(|a| a.date >= since).count())
}

/// `days` back as a span to subtract from today (the day itself counts).
fn since(days: i32) -> Result<Days, AppError> {
    if !(1..=crate::cost::outlook::ANOMALY_DAYS as i32).contains(&days) {
        return Err(AppError::bad_input(format!(
            "days must be between 1 and {}, got {days}",
            crate::cost::outlook::ANOMALY_DAYS
        )));
    }
    Ok(Days::new(days as u64 - 1))
}

#[derive(Default)]
pub struct BudgetMutation;

#[Object]
impl BudgetMutation {
    /// MANAGER of the tenant or ADMIN: sets the tenant's monthly budget (USD). Audited; a
    /// threshold it makes the month cross is announced by the budget webhook.
    async fn set_monthly_budget(
        &self,
        ctx: &Context<'_>,
        tenant_id: async_graphql::ID,
        amount: Decimal,
    ) -> async_graphql::Result<super::types::Tenant> {
        let (request, db) = parts(ctx)?;
        request.principal.require(crate::auth::Role::Manager)?;
        let tenant = super::workflow::visible_tenant(ctx, &tenant_id).await?;
        crate::workflow::settings::set_monthly_budget(
            db,
            &request.principal,
            &tenant.reference,
            amount,
            request.services.approval_threshold,
        )
        .await?;
        super::loaders::forget(&request.summary);
        if let Some(webhook) = request.services.webhook.clone() {
            // Announced in the background: the caller does not wait for the receiver.
            let (db, today) = (db.clone(), request.today);
            let only =
                crate::tenancy::TenantScope::Only([tenant.reference.id().to_string()].into());
            tokio::spawn(async move {
                if let Err(e) = budget::alerts::check(&db, &only, &webhook, today).await {
                    tracing::error!(error = %e.public_message(), "budget check failed");
                }
            });
        }
        Ok(tenant)
    }
}
