//! Cost analytics: forecasts and anomalies, as pure functions over daily cost series (no
//! database, no GraphQL; callers read the rollups and pass plain values in).
//!
//! * [`forecast`] — [`forecast_daily`] forecasts a tenant's daily spend with a prediction
//!   interval: a Theil–Sen linear trend through the weekly means of the last (up to) eight
//!   weeks, times multiplicative weekday factors (median ratio of each weekday to the trend),
//!   with a relative error scale from the robust spread of the in-sample residuals that widens
//!   with the horizon. Under two weeks of history it falls back to a flat mean; without spend it
//!   forecasts zeros. [`forecast_total`] sums a range of days (rest of the month, next month)
//!   into one figure whose bounds assume the days' errors are perfectly correlated.
//! * [`anomaly`] — [`detect`] flags days whose total spend rises far above the median of the
//!   same weekday in the previous four weeks, measured in robust standard deviations (1.4826 ×
//!   MAD, floored at 2 % of expected) and subject to minimum amount and percentage rises, and
//!   names the services, accounts and regions whose own rise explains it.
//!
//! Money is `rust_decimal::Decimal` at the boundaries, rounded to cents on the way out;
//! statistics are computed in `f64`. The methods are stated precisely in each module's
//! documentation.

pub mod anomaly;
pub mod forecast;
mod stats;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use anomaly::{detect, Anomaly, Cause, CostCell, Dimension, Settings};
pub use forecast::{forecast_daily, forecast_total, DailyForecast, ForecastPoint};

/// One day's amount of a daily series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyAmount {
    pub date: NaiveDate,
    pub amount: Decimal,
}
