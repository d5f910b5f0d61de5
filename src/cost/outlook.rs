//! A tenant's outlook: where its spend is heading (forecast), and the days it left the expected
//! (anomalies). Computed from the per-dimension daily rollup for many tenants in one statement,
//! and cached like every cost answer (keyed by tenant, data version and day); the causes of a
//! tenant's anomalies are worked out from its full daily cells only when they are asked for.
//!
//! Amounts are USD: budgets are set in USD, and currencies are never summed together (a
//! tenant billed in another currency has no forecast or anomalies in this version).
//!
//! Forecasts and anomalies look at usage only (charge category `Usage`), as AWS Cost Anomaly
//! Detection does: a month's tax, a credit or a fee landing on one day is neither a trend nor an
//! anomaly. The month-end forecast is what the month has cost so far (every charge) plus the
//! forecast usage of the days left; charges not yet billed for the month (tax, fees) are not in
//! it.
use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use super::dimension::CostMetric;
use super::money;
use super::period::{DateRange, Month};
use super::query;
use crate::analytics::anomaly::{self, Anomaly, CostCell};
use crate::analytics::forecast::{self, DailyForecast, ForecastPoint};
use crate::analytics::DailyAmount;
use crate::error::AppResult;
use crate::tenancy::TenantRef;

/// Days of history read: eight weeks for the forecast, and the anomaly window plus the four
/// weeks its baselines look back.
pub const HISTORY_DAYS: u64 = 63;
/// Anomalies are reported over this many days up to today.
pub const ANOMALY_DAYS: u64 = 30;
/// The currency forecasts, budgets and anomalies are in.
pub const CURRENCY: &str = "USD";

/// One tenant's outlook on `today`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outlook {
    pub today: NaiveDate,
    /// Billed cost of the month up to and including today.
    pub actual_month_to_date: Decimal,
    /// Every day from tomorrow to the end of next month, at 80 % and at 95 %.
    pub forecast_80: DailyForecast,
    pub forecast_95: DailyForecast,
    /// Anomalous days of the last 30, newest first.
    pub anomalies: Vec<Anomaly>,
}

impl Outlook {
    pub fn daily(&self, level: u8) -> &DailyForecast {
        if level >= 95 {
            &self.forecast_95
        } else {
            &self.forecast_80
        }
    }

    /// The whole current month: what was spent so far plus the forecast of the rest.
    pub fn month_end(&self, level: u8) -> ForecastPoint {
        let month = Month::containing(self.today);
        let rest = rest(
            self.daily(level),
            self.today + Days::new(1),
            month.last_day(),
        );
        ForecastPoint {
            date: month.first_day(),
            mean: self.actual_month_to_date + rest.mean,
            lower: self.actual_month_to_date + rest.lower,
            upper: self.actual_month_to_date + rest.upper,
        }
    }

    /// The next calendar month.
    pub fn next_month(&self, level: u8) -> ForecastPoint {
        let next = Month::containing(Month::containing(self.today).end());
        let mut point = rest(self.daily(level), next.first_day(), next.last_day());
        point.date = next.first_day();
        point
    }
}

/// The forecast total of `from..=to`, or zero when the range is empty.
fn rest(forecast: &DailyForecast, from: NaiveDate, to: NaiveDate) -> ForecastPoint {
    if from > to {
        return ForecastPoint {
            date: from,
            mean: Decimal::ZERO,
            lower: Decimal::ZERO,
            upper: Decimal::ZERO,
        };
    }
    forecast::forecast_total(forecast, from, to)
}

/// The outlooks of `tenants` on `today`, from one statement over the per-dimension rollup (each
/// tenant's daily cost by charge category): forecasts, and the anomalous days judged on the daily
/// totals — without their causes, which need every (service, account, region) cell of the
/// history; [`explained`] adds them.
pub async fn outlooks(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    today: NaiveDate,
) -> AppResult<BTreeMap<String, Outlook>> {
    let mut by_category = query::daily_by_tenant(
        db,
        tenants,
        history(today),
        "charge_category",
        CostMetric::Billed,
    )
    .await?;
    let mut out = BTreeMap::new();
    for tenant in tenants {
        let cells = by_category
            .remove(tenant.id())
            .unwrap_or_default()
            .into_iter()
            .map(|d| Charge {
                date: d.date,
                charge_category: d.key.unwrap_or_default(),
                currency: d.currency,
                picos: d.picos,
                // One cell per day: the day's total is all an anomaly's detection looks at.
                service: None,
                account: String::new(),
                region: None,
            });
        out.insert(tenant.id().to_string(), outlook(today, cells, false));
    }
    Ok(out)
}

/// The outlooks of `tenants` with the causes of their anomalies, from their daily cost by service,
/// account, region and charge category (one statement; a page asks for one tenant's).
pub async fn explained(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    today: NaiveDate,
) -> AppResult<BTreeMap<String, Outlook>> {
    let mut cells = query::cells_by_tenant(db, tenants, history(today), CostMetric::Billed).await?;
    Ok(tenants
        .iter()
        .map(|t| {
            let cells = cells.remove(t.id()).unwrap_or_default();
            (t.id().to_string(), outlook(today, cells.into_iter(), true))
        })
        .collect())
}

fn history(today: NaiveDate) -> DateRange {
    DateRange {
        start: today - Days::new(HISTORY_DAYS - 1),
        end: today + Days::new(1),
    }
}

/// One day's cost of a cell, as the outlook reads it.
type Charge = query::CellSum;

/// The outlook from `cells`; anomalies keep their causes when `with_causes` (the cells are the
/// real service × account × region ones).
fn outlook(today: NaiveDate, cells: impl Iterator<Item = Charge>, with_causes: bool) -> Outlook {
    let first = history(today).start;
    let month_start = Month::containing(today).first_day();
    let next_month_end = Month::containing(Month::containing(today).end()).last_day();
    let mut daily: BTreeMap<NaiveDate, Decimal> = first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| (d, Decimal::ZERO))
        .collect();
    let mut usage: Vec<CostCell> = Vec::new();
    let mut month_to_date = Decimal::ZERO;
    for c in cells {
        if c.currency != CURRENCY {
            continue;
        }
        let amount = money::from_fixed(c.picos);
        if c.date >= month_start {
            month_to_date += amount;
        }
        if c.charge_category == "Usage" {
            *daily.entry(c.date).or_default() += amount;
            usage.push(CostCell {
                date: c.date,
                service: c.service.unwrap_or_else(|| "(no service)".into()),
                account: c.account,
                region: c.region.unwrap_or_else(|| "(global)".into()),
                amount,
            });
        }
    }
    let history: Vec<DailyAmount> = daily
        .into_iter()
        .map(|(date, amount)| DailyAmount { date, amount })
        .collect();
    let tomorrow = today + Days::new(1);
    let mut anomalies = anomaly::detect(
        &usage,
        today - Days::new(ANOMALY_DAYS - 1),
        today,
        &anomaly::Settings::default(),
    );
    if !with_causes {
        // Causes of the one-cell-per-day series would name only the placeholder cell.
        anomalies.iter_mut().for_each(|a| a.causes.clear());
    }
    anomalies.sort_by_key(|a| std::cmp::Reverse(a.date));
    Outlook {
        today,
        actual_month_to_date: month_to_date,
        forecast_80: forecast::forecast_daily(&history, tomorrow, next_month_end, 80),
        forecast_95: forecast::forecast_daily(&history, tomorrow, next_month_end, 95),
        anomalies,
    }
}
