//! Monthly budgets: the month's actual and forecast spend against the tenant's budget, its
//! status, and the thresholds crossed (announced once each per month by [`alerts`]).
pub mod alerts;

use rust_decimal::Decimal;

use crate::analytics::forecast::ForecastPoint;
use crate::cost::outlook::Outlook;

/// Where a tenant stands against its budget this month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum BudgetStatus {
    /// Below every alert threshold, and forecast within the budget.
    Ok,
    /// Spent past the first alert threshold (80 % by default), or forecast above the budget.
    AtRisk,
    /// Spent the whole budget.
    Exceeded,
}

/// The alert thresholds, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// Percentages of the budget whose crossing by the actual spend is announced, ascending
    /// (default 80 and 100).
    pub actual_percents: Vec<u32>,
    /// Percentage of the budget whose crossing by the month-end forecast is announced (100).
    pub forecast_percent: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            actual_percents: vec![80, 100],
            forecast_percent: 100,
        }
    }
}

/// A tenant's budget this month.
#[derive(Debug, Clone)]
pub struct BudgetView {
    pub amount: Decimal,
    pub actual: Decimal,
    /// The month-end forecast (80 % interval).
    pub forecast: ForecastPoint,
    /// `actual ÷ amount × 100`, two decimals (0 when the budget is 0 and nothing was spent).
    pub percent_used: Decimal,
    pub percent_forecast: Decimal,
    pub status: BudgetStatus,
    /// Thresholds crossed this month, e.g. `ACTUAL_80`, `FORECAST_100`.
    pub crossed: Vec<String>,
}

fn percent(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        if part > Decimal::ZERO {
            Decimal::from(100)
        } else {
            Decimal::ZERO
        }
    } else {
        (part / whole * Decimal::from(100)).round_dp(2)
    }
}

/// The budget's standing given the tenant's outlook.
pub fn view(amount: Decimal, outlook: &Outlook, thresholds: &Thresholds) -> BudgetView {
    let actual = outlook.actual_month_to_date;
    let forecast = outlook.month_end(80);
    let percent_used = percent(actual, amount);
    let percent_forecast = percent(forecast.mean, amount);
    let mut crossed: Vec<String> = thresholds
        .actual_percents
        .iter()
        .filter(|p| percent_used >= Decimal::from(**p))
        .map(|p| format!("ACTUAL_{p}"))
        .collect();
    let forecast_over = percent_forecast > Decimal::from(thresholds.forecast_percent);
    if forecast_over {
        crossed.push(format!("FORECAST_{}", thresholds.forecast_percent));
    }
    let first_alert = thresholds
        .actual_percents
        .iter()
        .copied()
        .filter(|p| *p < 100)
        .min()
        .unwrap_or(80);
    let status = if percent_used >= Decimal::from(100) {
        BudgetStatus::Exceeded
    } else if percent_used >= Decimal::from(first_alert) || forecast_over {
        BudgetStatus::AtRisk
    } else {
        BudgetStatus::Ok
    };
    BudgetView {
        amount,
        actual,
        forecast,
        percent_used,
        percent_forecast,
        status,
        crossed,
    }
}
