//! Gathers what a tenant's monthly report shows (see [`crate::report`] for the PDF): the month's
//! total against the previous month and the budget, the breakdown by service and by account,
//! the daily trend of the three months up to it, the top rightsizing recommendations and the
//! change requests decided in the month. USD, as budgets are.
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::cache::CostCache;
use super::period::Month;
use super::report::{self, Granularity, TrendQuery};
use super::{CostDimension, CostMetric};
use crate::error::AppResult;
use crate::report::{MonthlyReport, ReportDecision, ReportRecommendation};
use crate::rightsizing::Thresholds;
use crate::tenancy::{CostOwner, TenantRef};
use entity::{account, tenant, workflow_request};

/// Recommendations listed, largest savings first.
const TOP_RECOMMENDATIONS: usize = 10;

/// The USD amount of a list of per-currency totals.
fn usd(totals: &[report::Money]) -> Decimal {
    totals
        .iter()
        .filter(|m| m.currency == super::outlook::CURRENCY)
        .map(|m| m.amount)
        .sum()
}

#[allow(clippy::too_many_arguments)]
pub async fn gather(
    db: &DatabaseConnection,
    cache: &CostCache,
    thresholds: &Thresholds,
    tenant: &TenantRef,
    model: &tenant::Model,
    month: Month,
    today: NaiveDate,
    budget: Option<Decimal>,
) -> AppResult<MonthlyReport> {
    let owner = CostOwner::Tenant(tenant.clone());
    let metric = CostMetric::Billed;
    let by_service = report::cost_report(
        db,
        &owner,
        month,
        today,
        Some(CostDimension::Service),
        None,
        metric,
    )
    .await?;
    let by_account = report::cost_report(
        db,
        &owner,
        month,
        today,
        Some(CostDimension::Account),
        None,
        metric,
    )
    .await?;
    let names: HashMap<String, String> = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant.id()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let groups = |r: &report::CostReport, label: &dyn Fn(&str) -> String| {
        r.breakdown
            .iter()
            .filter(|g| g.currency == super::outlook::CURRENCY)
            .map(|g| {
                let key = g.key.as_deref().unwrap_or("(none)");
                (label(key), g.amount)
            })
            .collect::<Vec<_>>()
    };
    let trend = report::cost_trend(
        db,
        &owner,
        TrendQuery {
            months: 3,
            to: month.last_day().min(today),
            granularity: Granularity::Daily,
            group_by: None,
            tag_key: None,
            metric,
        },
    )
    .await?;
    let trend = trend
        .series
        .iter()
        .find(|s| s.currency == super::outlook::CURRENCY)
        .map(|s| s.points.iter().map(|p| (p.date, p.amount)).collect())
        .unwrap_or_default();

    let mut recommendations: Vec<ReportRecommendation> =
        crate::inventory::view::of_tenant(cache, db, tenant, today, thresholds)
            .await?
            .into_iter()
            .filter_map(|v| {
                let rec = v.recommendation?;
                (rec.savings_monthly > Decimal::ZERO).then(|| ReportRecommendation {
                    resource: v.model.name.clone().map_or_else(
                        || v.model.resource_id.clone(),
                        |n| format!("{n} ({})", v.model.resource_id),
                    ),
                    finding: format!("{:?}", rec.finding).to_ascii_uppercase(),
                    current_type: rec.current_type,
                    recommended_type: rec.recommended_type,
                    monthly_savings: rec.savings_monthly,
                })
            })
            .collect();
    recommendations.sort_by_key(|r| std::cmp::Reverse(r.monthly_savings));
    recommendations.truncate(TOP_RECOMMENDATIONS);

    Ok(MonthlyReport {
        tenant_name: model.name.clone(),
        tenant_ou_id: model.id.clone(),
        month: month.to_string(),
        generated_at: Utc::now(),
        currency: super::outlook::CURRENCY.into(),
        total: usd(&by_service.totals),
        previous_total: usd(&by_service.previous_totals),
        budget,
        by_service: groups(&by_service, &|k| k.to_string()),
        by_account: groups(&by_account, &|k| match names.get(k) {
            Some(name) => format!("{name} ({k})"),
            None => k.to_string(),
        }),
        trend,
        recommendations,
        decisions: decisions(db, tenant, month).await?,
    })
}

/// Requests decided (approved or rejected) in the month, in order.
async fn decisions(
    db: &DatabaseConnection,
    tenant: &TenantRef,
    month: Month,
) -> AppResult<Vec<ReportDecision>> {
    let start = month
        .first_day()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let end = month
        .end()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let rows = workflow_request::Entity::find()
        .filter(workflow_request::Column::TenantId.eq(tenant.id()))
        .filter(workflow_request::Column::Status.is_in(["APPROVED", "REJECTED"]))
        .filter(workflow_request::Column::UpdatedAt.gte(start))
        .filter(workflow_request::Column::UpdatedAt.lt(end))
        .all(db)
        .await?;
    let mut out: Vec<(DateTime<Utc>, ReportDecision)> = rows
        .into_iter()
        .map(|r| {
            let decider = r
                .admin_decider
                .clone()
                .or_else(|| r.manager_decider.clone())
                .unwrap_or_default();
            let summary = match r.kind.as_str() {
                "PROVISION" => format!(
                    "{} × {} in {}",
                    r.instance_count.unwrap_or(1),
                    r.instance_type.clone().unwrap_or_default(),
                    r.region.clone().unwrap_or_default()
                ),
                "RESIZE" => format!(
                    "{} {} → {}",
                    r.resource_ref.clone().unwrap_or_default(),
                    r.current_type.clone().unwrap_or_default(),
                    r.instance_type.clone().unwrap_or_default()
                ),
                "TERMINATE" => format!("terminate {}", r.resource_ref.clone().unwrap_or_default()),
                _ => format!(
                    "budget {} USD",
                    super::money::from_fixed(r.budget.unwrap_or(0) as i128).normalize()
                ),
            };
            (
                r.updated_at,
                ReportDecision {
                    date: r.updated_at.date_naive(),
                    kind: r.kind.clone(),
                    summary,
                    status: r.status.clone(),
                    decider,
                    monthly_delta: super::money::from_fixed(r.delta_monthly as i128),
                },
            )
        })
        .collect();
    out.sort_by_key(|(at, _)| *at);
    Ok(out.into_iter().map(|(_, d)| d).collect())
}
