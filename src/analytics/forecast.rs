//! Daily cost forecast with a prediction interval, weekly seasonality handled.
//!
//! # Method
//!
//! The history is first made a clean daily series: amounts of the same date are summed, missing
//! dates between the first and the last are zero, and *leading* zero days are dropped (a series
//! that starts with zeros is one whose data had not started yet; fitting a trend through them
//! would forecast a ramp that is not there). Only the last [`WINDOW_DAYS`] (8 weeks) are used:
//! older spend says little about next month's, and a short window adapts to level changes.
//! Let `n` be the days used and `h` a forecast day's distance in days from the last history day.
//!
//! * **`"none"`** — no history, or only zeros: every mean and bound is 0.
//! * **`"flat"`** — fewer than 14 days (too few for two of each weekday): the mean is the
//!   arithmetic mean `m` of the days; the relative scale `s` is their sample standard deviation
//!   divided by `m` (weekday swings are not modelled, so they belong in the interval), or 25 %
//!   when there is a single day.
//! * **`"seasonal_trend"`** — 14 days or more, trimmed to whole weeks counted back from the last
//!   day (`n = 7w`, `2 ≤ w ≤ 8`):
//!   1. *Trend*: the mean of each week `k` (one of every weekday, so free of the weekly pattern)
//!      is placed at its centre `t = 7k + 3`, and a Theil–Sen line (median of pairwise slopes,
//!      median intercept) through these `w` points gives a first trend.
//!   2. *Weekly seasonality*, multiplicative (cost moves in proportion to the workload): for
//!      every weekday the factor is the robust mean of `y(t) / trend(t)` over that weekday's
//!      days (the mean of the ratios within 3 × 1.4826 × MAD of their median: a spike is
//!      rejected, yet the estimate is nearly as precise as a mean), and the seven factors are
//!      scaled to average 1 so a week's fitted mean equals the trend.
//!      The trend is then refined as a Theil–Sen line through the deseasonalised days
//!      `(t, y(t) / factor)`, giving `T(t) = a + b·t`, and the factors are recomputed against
//!      it. Theil–Sen rather than least squares, and on days rather than only on weekly means,
//!      so that a spike of a day or two (2 points of 56) does not tilt or lift the line.
//!   3. *Fit*: `F(t) = max(T(t), 0) × factor(weekday(t))`.
//!   4. *Scale*: the relative in-sample residuals `e(t) = (y − F) / F` give
//!      `s = 1.4826 × median|e| × sqrt(n / (n − p))` with `p = 9` fitted parameters (2 for the
//!      trend, 7 factors): the median absolute residual (about 0, so a systematic misfit
//!      counts) made comparable to a σ, then corrected for in-sample residuals being smaller
//!      than the noise because the fit has adapted to them (as `RSS / (n − p)` is).
//!
//! For every model (`p = 1` for the flat mean) the forecast of a day is `mean = max(F, 0)` and
//! its noise interval is `mean × (1 ± z × s × sqrt(1 + (p + h) / n))` with the lower bound floored at
//! 0, where `z` is the two-sided standard-normal quantile of the level (1.2816 at 80 %, 1.9600
//! at 95 %) and `s` is never below 1 %. Under the square root, `1` is the day's own noise,
//! `p / n` approximates the variance the estimated parameters add to a prediction (each weekday
//! factor rests on only `n / 7` days, which alone adds `7 / n`; without this term a backtest on
//! normal noise covered 76 % at 80 %), and `h / n` is a heuristic for the level and trend
//! drifting away from what the window showed: the further out and the shorter the window, the
//! wider (it grows faster than a linear trend's extrapolation variance, on purpose, because
//! real spend drifts). On top of that, a random-walk term `d² × h / 7` joins the variance, where
//! `d` is how much the weekly level wandered around the trend in the window (the robust σ of
//! week-to-week changes of the weeks' relative deviations): resources started or stopped shift
//! the level for good, and the further out, the more such shifts a forecast can miss. So the
//! half-width is `mean × z × sqrt(s² × (1 + (p + h) / n) + d² × h / 7)`. Amounts are rounded to
//! cents after the computation in `f64`.
//!
//! [`forecast_total`] sums a range of the daily forecast. Its bounds are the sums of the daily
//! bounds, which is exact when the days' errors are perfectly positively correlated
//! (comonotone: quantiles of a sum of comonotone variables add up). That is the assumption,
//! chosen because cost forecasts mostly miss by level shifts — a resource left running, a
//! workload moved — that push every later day the same way. If the errors were independent
//! the total's interval would be narrower by about `sqrt(days)`, so this interval is
//! conservative for day-to-day noise.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;

use super::stats::{
    median, normal_quantile, robust_mean, theil_sen, to_f64, to_money, MAD_TO_SIGMA,
};
use super::DailyAmount;

/// Method of a forecast made from no spend at all.
pub const METHOD_NONE: &str = "none";
/// Method of a forecast made from under two weeks of history: a flat mean.
pub const METHOD_FLAT: &str = "flat";
/// Method of a forecast with a robust linear trend and weekday factors.
pub const METHOD_SEASONAL_TREND: &str = "seasonal_trend";

/// At most this many of the latest history days are used (8 weeks).
pub const WINDOW_DAYS: usize = 56;
/// Below this many days there are not two of every weekday, so no seasonality is fitted.
const MIN_SEASONAL_DAYS: usize = 14;
/// Parameters the seasonal model fits: intercept, slope and seven weekday factors.
const SEASONAL_PARAMETERS: usize = 9;
/// Relative scale never goes below this: a perfectly regular history is not a promise that the
/// future will be exactly as regular, and a zero-width interval would claim that.
const MIN_RELATIVE_SCALE: f64 = 0.01;
/// Relative scale when a single day is all there is: nothing is known about variability, so
/// the interval is wide on purpose.
const SINGLE_DAY_RELATIVE_SCALE: f64 = 0.25;

/// One forecast day, or a forecast total over a range of days (then `date` is the range's first
/// day). `lower ≤ mean ≤ upper`, all in cents and never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ForecastPoint {
    pub date: NaiveDate,
    pub mean: Decimal,
    pub lower: Decimal,
    pub upper: Decimal,
}

/// A daily forecast: `method` is one of [`METHOD_NONE`], [`METHOD_FLAT`] and
/// [`METHOD_SEASONAL_TREND`]; `level` is the interval's coverage in percent; `points` has one
/// entry per day, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DailyForecast {
    pub method: &'static str,
    pub level: u8,
    pub points: Vec<ForecastPoint>,
}

/// A [`DailyForecast`] as a shared cache stores it: the method by name.
#[derive(serde::Deserialize)]
struct StoredForecast {
    method: String,
    level: u8,
    points: Vec<ForecastPoint>,
}

impl<'de> serde::Deserialize<'de> for DailyForecast {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stored = StoredForecast::deserialize(d)?;
        let method = [METHOD_NONE, METHOD_FLAT, METHOD_SEASONAL_TREND]
            .into_iter()
            .find(|m| *m == stored.method)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("unknown forecast method {:?}", stored.method))
            })?;
        Ok(DailyForecast {
            method,
            level: stored.level,
            points: stored.points,
        })
    }
}

/// Forecasts every day from `from` to `to` inclusive (no points when `from > to`), with an
/// interval at `level` percent (80 and 95 are the levels in use; any level works and is clamped
/// to 1..=99).
///
/// `history` is a dense daily series (every date, zeros included), oldest first, ending the day
/// before `from`. Unsorted or repeated dates are tolerated (summed per date), and a gap between
/// the last history day and `from` widens the intervals as the horizon is counted from the last
/// history day. See the module documentation for the method.
pub fn forecast_daily(
    history: &[DailyAmount],
    from: NaiveDate,
    to: NaiveDate,
    level: u8,
) -> DailyForecast {
    let level = level.clamp(1, 99);
    let z = normal_quantile(0.5 + f64::from(level) / 200.0);
    let days = from.iter_days().take_while(|d| *d <= to);
    let Some(model) = Model::fit(history) else {
        let zero = |date| ForecastPoint {
            date,
            mean: Decimal::ZERO,
            lower: Decimal::ZERO,
            upper: Decimal::ZERO,
        };
        return DailyForecast {
            method: METHOD_NONE,
            level,
            points: days.map(zero).collect(),
        };
    };
    DailyForecast {
        method: model.method(),
        level,
        points: days.map(|date| model.point(date, z)).collect(),
    }
}

/// The forecast total of the days of `f` from `from` to `to` inclusive, as one figure dated
/// `from`: `mean` is the sum of the daily means, `lower` and `upper` the sums of the daily bounds
/// (errors assumed perfectly positively correlated — see the module documentation), so `lower`
/// is never below 0. Days of the range that `f` does not cover add nothing; an empty range gives
/// zeros.
pub fn forecast_total(f: &DailyForecast, from: NaiveDate, to: NaiveDate) -> ForecastPoint {
    let mut total = ForecastPoint {
        date: from,
        mean: Decimal::ZERO,
        lower: Decimal::ZERO,
        upper: Decimal::ZERO,
    };
    for p in f.points.iter().filter(|p| p.date >= from && p.date <= to) {
        total.mean += p.mean;
        total.lower += p.lower;
        total.upper += p.upper;
    }
    total
}

/// The fitted shape of the series.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Flat {
        level: f64,
    },
    Seasonal {
        intercept: f64,
        slope: f64,
        /// Multiplicative factors indexed by days from Monday, averaging 1.
        factors: [f64; 7],
    },
}

/// A model fitted on the window: `t` counts days from `start`.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    start: NaiveDate,
    /// Days in the window; the last one is `start + n − 1`, the last history day.
    n: usize,
    /// Parameters fitted on the window (widens the interval, see the module docs).
    parameters: usize,
    shape: Shape,
    /// Relative scale of a day's error (a σ as a fraction of the mean).
    scale: f64,
    /// Relative σ per week of the level's own wandering (resources started or stopped, a
    /// workload moved): the part of the error that grows with the horizon.
    drift: f64,
    /// Relative root-mean-square error of out-of-sample forecasts one and two weeks ahead.
    honest: f64,
}

impl Model {
    /// Fits the history, or `None` when there is no spend to forecast from.
    fn fit(history: &[DailyAmount]) -> Option<Model> {
        let (start, values) = window(history)?;
        Some(if values.len() < MIN_SEASONAL_DAYS {
            Model::flat(start, &values)
        } else {
            Model::seasonal(start, &values)
        })
    }

    fn flat(start: NaiveDate, values: &[f64]) -> Model {
        let n = values.len();
        let level = values.iter().sum::<f64>() / n as f64;
        let scale = if n < 2 || level <= 0.0 {
            SINGLE_DAY_RELATIVE_SCALE
        } else {
            let variance = values.iter().map(|v| (v - level).powi(2)).sum::<f64>() / (n - 1) as f64;
            variance.sqrt() / level
        };
        Model {
            start,
            n,
            parameters: 1,
            shape: Shape::Flat { level },
            scale: scale.max(MIN_RELATIVE_SCALE),
            drift: 0.0,
            honest: 0.0,
        }
    }

    /// Needs at least [`MIN_SEASONAL_DAYS`] values.
    fn seasonal(start: NaiveDate, values: &[f64]) -> Model {
        // Whole weeks counted back from the last day, so each weekly mean has every weekday once.
        let n = values.len() / 7 * 7;
        let skipped = values.len() - n;
        let values = &values[skipped..];
        let start = start + Days::new(skipped as u64);

        // First trend: Theil–Sen through the weekly means, which the weekly pattern cannot tilt.
        let weekly: Vec<(f64, f64)> = values
            .chunks_exact(7)
            .enumerate()
            .map(|(k, week)| ((7 * k + 3) as f64, week.iter().sum::<f64>() / 7.0))
            .collect();
        let first_trend = theil_sen(&weekly).unwrap_or((0.0, 0.0));
        let first_factors = weekday_factors(start, values, first_trend);
        // Refined trend: Theil–Sen through the deseasonalised days. A spike of a day or two is
        // then a couple of points among up to 56 instead of one week among at most 8, which
        // the median of pairwise slopes ignores far better.
        let deseasonalised: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(t, &y)| {
                let factor = first_factors[weekday_index(start, t)];
                (factor > 0.0).then(|| (t as f64, y / factor))
            })
            .collect();
        let (intercept, slope) = theil_sen(&deseasonalised).unwrap_or(first_trend);
        let factors = weekday_factors(start, values, (intercept, slope));
        let trend = |t: usize| intercept + slope * t as f64;

        let mut residuals: Vec<f64> = values
            .iter()
            .enumerate()
            .filter_map(|(t, &y)| {
                let fitted = trend(t).max(0.0) * factors[weekday_index(start, t)];
                (fitted > 0.0).then(|| ((y - fitted) / fitted).abs())
            })
            .collect();
        let scale = median(&mut residuals).map_or(MIN_RELATIVE_SCALE, |m| {
            MAD_TO_SIGMA * m * (n as f64 / (n - SEASONAL_PARAMETERS) as f64).sqrt()
        });
        // How much the weekly level wandered around the trend: the robust σ of week-to-week
        // changes of the weeks' relative deviations. Day-level noise averages out in a week's
        // mean, so what is left is mostly real shifts of the level.
        let deviations: Vec<f64> = values
            .chunks_exact(7)
            .enumerate()
            .filter_map(|(k, week)| {
                let level = (0..7).map(|d| trend(7 * k + d).max(0.0)).sum::<f64>() / 7.0;
                (level > 0.0).then(|| week.iter().sum::<f64>() / 7.0 / level - 1.0)
            })
            .collect();
        let mut changes: Vec<f64> = deviations.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let drift = median(&mut changes).map_or(0.0, |m| MAD_TO_SIGMA * m);
        // The in-sample residuals flatter the model (it was fitted on them). An honest check:
        // each day of the last four weeks predicted a week and two weeks ahead by the same
        // weekday before it (seasonal naive, corrected by the trend), out of sample. Its robust
        // error is a floor for the day's scale, so shifts the window saw widen the interval.
        let honest: Vec<f64> = (14..n)
            .rev()
            .take(28)
            .filter_map(|t| {
                let growth = |back: usize| {
                    let then = trend(t - back);
                    (then > 0.0).then(|| trend(t) / then)
                };
                let predicted = (values[t - 7] * growth(7)? + values[t - 14] * growth(14)?) / 2.0;
                (predicted > 0.0).then(|| ((values[t] - predicted) / predicted).abs())
            })
            .collect();
        // Root mean square, not the median: level shifts make these errors heavy-tailed, and
        // the tail is exactly what the interval must cover.
        let honest = if honest.is_empty() {
            0.0
        } else {
            // Under pure day-to-day noise σ, `y − (y₋₇ + y₋₁₄) / 2` has variance 1.5 σ²:
            // dividing by √1.5 makes the floor σ itself there, and only shifts raise it.
            (honest.iter().map(|e| e * e).sum::<f64>() / honest.len() as f64 / 1.5).sqrt()
        };
        Model {
            drift,
            honest,
            start,
            n,
            parameters: SEASONAL_PARAMETERS,
            shape: Shape::Seasonal {
                intercept,
                slope,
                factors,
            },
            scale: scale.max(MIN_RELATIVE_SCALE),
        }
    }

    fn method(&self) -> &'static str {
        match self.shape {
            Shape::Flat { .. } => METHOD_FLAT,
            Shape::Seasonal { .. } => METHOD_SEASONAL_TREND,
        }
    }

    /// Day index of `date` relative to the window start (negative before it).
    fn t(&self, date: NaiveDate) -> i64 {
        (date - self.start).num_days()
    }

    fn mean(&self, date: NaiveDate) -> f64 {
        match &self.shape {
            Shape::Flat { level } => level.max(0.0),
            Shape::Seasonal {
                intercept,
                slope,
                factors,
            } => {
                let trend = intercept + slope * self.t(date) as f64;
                trend.max(0.0) * factors[date.weekday().num_days_from_monday() as usize]
            }
        }
    }

    fn point(&self, date: NaiveDate, z: f64) -> ForecastPoint {
        let mean = self.mean(date);
        // Horizon from the last history day; a date inside the history counts as one day ahead.
        let h = (self.t(date) - (self.n as i64 - 1)).max(1) as f64;
        let n = self.n as f64;
        // The out-of-sample error is a floor for the day's scale.
        let noise = self.scale.max(self.honest).powi(2) * (1.0 + (self.parameters as f64 + h) / n);
        let wander = self.drift.powi(2) * h / 7.0;
        let half = mean * z * (noise + wander).sqrt();
        ForecastPoint {
            date,
            mean: to_money(mean),
            lower: to_money((mean - half).max(0.0)),
            upper: to_money(mean + half),
        }
    }
}

/// Multiplicative weekday factors (indexed by days from Monday) of `values` around the trend
/// `(intercept, slope)`: per weekday the robust mean of `y / trend` over days where the trend is
/// positive (other days say nothing about a ratio), 1 for a weekday without such days, then
/// scaled to average 1 so that a week's fitted mean is the trend.
fn weekday_factors(start: NaiveDate, values: &[f64], (intercept, slope): (f64, f64)) -> [f64; 7] {
    let mut ratios: [Vec<f64>; 7] = Default::default();
    for (t, &y) in values.iter().enumerate() {
        let level = intercept + slope * t as f64;
        if level > 0.0 {
            ratios[weekday_index(start, t)].push(y / level);
        }
    }
    let mut factors = [1.0; 7];
    for (factor, r) in factors.iter_mut().zip(&ratios) {
        if let Some(m) = robust_mean(r) {
            *factor = m.max(0.0);
        }
    }
    let average = factors.iter().sum::<f64>() / 7.0;
    if average > 0.0 {
        factors.iter_mut().for_each(|f| *f /= average);
        factors
    } else {
        [1.0; 7]
    }
}

/// Weekday (days from Monday) of day `t` of a window starting on `start`.
fn weekday_index(start: NaiveDate, t: usize) -> usize {
    (start.weekday().num_days_from_monday() as usize + t) % 7
}

/// The last [`WINDOW_DAYS`] of the history as a dense series from its first day with spend, or
/// `None` when there is no spend at all.
fn window(history: &[DailyAmount]) -> Option<(NaiveDate, Vec<f64>)> {
    let mut by_date: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    for d in history {
        *by_date.entry(d.date).or_default() += d.amount;
    }
    let first = *by_date.iter().find(|(_, a)| !a.is_zero())?.0;
    let last = *by_date.keys().next_back()?;
    let dense: Vec<f64> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| by_date.get(&d).map_or(0.0, |a| to_f64(*a)))
        .collect();
    let skip = dense.len().saturating_sub(WINDOW_DAYS);
    Some((first + Days::new(skip as u64), dense[skip..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::super::stats::{round_money, to_f64};
    use super::*;
    use chrono::Weekday;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The generator's per-day noise source (`splitmix64`), so tests are deterministic.
    fn splitmix64(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Deterministic value in [0, 1) for a key and day, like the generator's `unit_noise`.
    fn unit_noise(key: u64, day: i64) -> f64 {
        let bits = splitmix64(key ^ splitmix64(day as u64));
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Deterministic standard-normal draw (Box–Muller on two unit noises).
    fn normal_noise(key: u64, day: i64) -> f64 {
        let u1 = unit_noise(key, day).max(1e-12);
        let u2 = unit_noise(key.wrapping_mul(31).wrapping_add(7), day);
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A series like the product's generator writes: base × exp(growth × day) × ±5 % uniform
    /// noise × the weekend dip on Saturdays and Sundays.
    struct Synthetic {
        start: NaiveDate,
        base: f64,
        /// Monthly growth, e.g. 0.04 for 4 %.
        monthly_growth: f64,
        weekend: f64,
        key: u64,
        /// Gaussian noise of this relative σ instead of the generator's uniform ±5 %.
        gaussian_sigma: Option<f64>,
    }

    impl Synthetic {
        fn generator_like(start: NaiveDate, key: u64) -> Synthetic {
            Synthetic {
                start,
                base: 1000.0,
                monthly_growth: 0.04,
                weekend: 0.6,
                key,
                gaussian_sigma: None,
            }
        }

        fn amount(&self, day: i64) -> f64 {
            let date = self.start + Days::new(day as u64);
            let mut cost = self.base * (self.monthly_growth / 30.4375 * day as f64).exp();
            cost *= match self.gaussian_sigma {
                None => 0.95 + 0.1 * unit_noise(self.key, day),
                Some(sigma) => (1.0 + sigma * normal_noise(self.key, day)).max(0.0),
            };
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                cost *= self.weekend;
            }
            cost
        }

        fn series(&self, days: i64) -> Vec<DailyAmount> {
            (0..days)
                .map(|day| DailyAmount {
                    date: self.start + Days::new(day as u64),
                    amount: to_money(self.amount(day)),
                })
                .collect()
        }
    }

    /// Result of forecasting the last `holdout` days of a series from the ones before.
    struct Backtest {
        covered_80: usize,
        covered_95: usize,
        days: usize,
        mape: f64,
        forecast_80: DailyForecast,
        actual: Vec<DailyAmount>,
    }

    fn backtest(series: &[DailyAmount], holdout: usize) -> Backtest {
        let (history, actual) = series.split_at(series.len() - holdout);
        let from = actual[0].date;
        let to = actual[holdout - 1].date;
        let f80 = forecast_daily(history, from, to, 80);
        let f95 = forecast_daily(history, from, to, 95);
        let inside =
            |p: &ForecastPoint, a: &DailyAmount| p.lower <= a.amount && a.amount <= p.upper;
        let covered_80 = f80
            .points
            .iter()
            .zip(actual)
            .filter(|(p, a)| inside(p, a))
            .count();
        let covered_95 = f95
            .points
            .iter()
            .zip(actual)
            .filter(|(p, a)| inside(p, a))
            .count();
        let mape = f80
            .points
            .iter()
            .zip(actual)
            .map(|(p, a)| (to_f64(p.mean) - to_f64(a.amount)).abs() / to_f64(a.amount))
            .sum::<f64>()
            / holdout as f64;
        Backtest {
            covered_80,
            covered_95,
            days: holdout,
            mape,
            forecast_80: f80,
            actual: actual.to_vec(),
        }
    }

    fn is_weekend(d: NaiveDate) -> bool {
        matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    #[test]
    fn backtest_generator_like_series_covers_and_captures_weekends() {
        // 13 weeks; the last 3 are held out and forecast from the 10 before.
        let series = Synthetic::generator_like(date(2026, 3, 2), 42).series(91);
        let b = backtest(&series, 21);
        let cov80 = b.covered_80 as f64 / b.days as f64;
        let cov95 = b.covered_95 as f64 / b.days as f64;
        println!(
            "generator-like: 80% covers {:.1}% ({}/{}), 95% covers {:.1}% ({}/{}), MAPE {:.2}%",
            cov80 * 100.0,
            b.covered_80,
            b.days,
            cov95 * 100.0,
            b.covered_95,
            b.days,
            b.mape * 100.0
        );
        assert_eq!(b.forecast_80.method, METHOD_SEASONAL_TREND);
        assert_eq!(b.forecast_80.level, 80);
        assert!((0.6..=1.0).contains(&cov80), "80% coverage {cov80}");
        assert!(cov95 >= 0.85, "95% coverage {cov95}");
        assert!(b.mape < 0.10, "MAPE {}", b.mape);

        // Weekly seasonality: each forecast weekend day is below every weekday of its week, by
        // roughly the injected dip.
        for week in b.forecast_80.points.chunks(7) {
            let weekday_min = week
                .iter()
                .filter(|p| !is_weekend(p.date))
                .map(|p| p.mean)
                .min()
                .unwrap();
            let weekend_max = week
                .iter()
                .filter(|p| is_weekend(p.date))
                .map(|p| p.mean)
                .max()
                .unwrap();
            assert!(weekend_max < weekday_min, "{week:?}");
            let ratio = to_f64(weekend_max) / to_f64(weekday_min);
            assert!((0.5..0.7).contains(&ratio), "weekend/weekday ratio {ratio}");
        }
        for p in &b.forecast_80.points {
            assert!(
                p.lower <= p.mean && p.mean <= p.upper && p.lower >= Decimal::ZERO,
                "{p:?}"
            );
        }
    }

    #[test]
    fn backtest_over_many_series() {
        // Different starts (so different weekdays), bases, growths, dips and noise keys.
        let (mut c80, mut c95, mut days, mut worst_mape) = (0, 0, 0, 0.0f64);
        for i in 0..24u64 {
            let s = Synthetic {
                start: date(2026, 1, 1) + Days::new(i * 5),
                base: 50.0 + 97.0 * i as f64,
                monthly_growth: 0.01 + 0.005 * (i % 9) as f64,
                weekend: [0.6, 0.7, 0.85, 1.0][(i % 4) as usize],
                key: 1000 + i,
                gaussian_sigma: None,
            };
            let b = backtest(&s.series(70 + 21), 21);
            // A series' held-out days share one fitted level and trend, so a single series can
            // sit mostly on one side; only gross failures are errors per series.
            assert!(
                b.covered_80 * 2 >= b.days,
                "series {i}: 80% covered {}",
                b.covered_80
            );
            assert!(
                b.covered_95 * 4 >= b.days * 3,
                "series {i}: 95% covered {}",
                b.covered_95
            );
            assert!(b.mape < 0.10, "series {i}: MAPE {}", b.mape);
            c80 += b.covered_80;
            c95 += b.covered_95;
            days += b.days;
            worst_mape = worst_mape.max(b.mape);
        }
        let (cov80, cov95) = (c80 as f64 / days as f64, c95 as f64 / days as f64);
        println!(
            "24 generator-like series: 80% coverage {:.1}%, 95% coverage {:.1}%, worst MAPE {:.2}%",
            cov80 * 100.0,
            cov95 * 100.0,
            worst_mape * 100.0
        );
        assert!((0.6..=1.0).contains(&cov80), "80% coverage {cov80}");
        assert!(cov95 >= 0.85, "95% coverage {cov95}");
    }

    #[test]
    fn backtest_gaussian_noise_is_calibrated() {
        // Uniform ±5 % noise has no tails, so the generator-like backtests over-cover; with
        // normal noise the nominal levels should roughly hold.
        let (mut c80, mut c95, mut days) = (0, 0, 0);
        for i in 0..40u64 {
            let s = Synthetic {
                start: date(2026, 2, 1) + Days::new(i * 3),
                base: 200.0 + 31.0 * i as f64,
                monthly_growth: 0.04,
                weekend: 0.7,
                key: 77 + i,
                gaussian_sigma: Some(0.05),
            };
            let b = backtest(&s.series(91), 21);
            c80 += b.covered_80;
            c95 += b.covered_95;
            days += b.days;
        }
        let (cov80, cov95) = (c80 as f64 / days as f64, c95 as f64 / days as f64);
        println!(
            "40 series with normal 5% noise: 80% coverage {:.1}%, 95% coverage {:.1}%",
            cov80 * 100.0,
            cov95 * 100.0
        );
        assert!((0.72..=0.88).contains(&cov80), "80% coverage {cov80}");
        assert!((0.9..=0.99).contains(&cov95), "95% coverage {cov95}");
    }

    #[test]
    fn forecast_total_sums_the_range() {
        let series = Synthetic::generator_like(date(2026, 3, 2), 9).series(91);
        let b = backtest(&series, 21);
        let f = &b.forecast_80;
        let (from, to) = (f.points[0].date, f.points[20].date);

        let total = forecast_total(f, from, to);
        assert_eq!(total.date, from);
        assert_eq!(total.mean, f.points.iter().map(|p| p.mean).sum::<Decimal>());
        assert_eq!(
            total.lower,
            f.points.iter().map(|p| p.lower).sum::<Decimal>()
        );
        assert_eq!(
            total.upper,
            f.points.iter().map(|p| p.upper).sum::<Decimal>()
        );
        assert!(
            Decimal::ZERO <= total.lower && total.lower < total.mean && total.mean < total.upper
        );

        // The held-out three weeks' actual spend lands inside the total's interval, and the
        // mean is within 5 % of it.
        let actual: Decimal = b.actual.iter().map(|a| a.amount).sum();
        assert!(
            total.lower <= actual && actual <= total.upper,
            "{actual} outside {total:?}"
        );
        assert!((to_f64(total.mean) / to_f64(actual) - 1.0).abs() < 0.05);

        // A sub-range only counts its own days; ranges outside the forecast or empty give zero.
        let week = forecast_total(f, from + Days::new(7), from + Days::new(13));
        assert_eq!(
            week.mean,
            f.points[7..14].iter().map(|p| p.mean).sum::<Decimal>()
        );
        let clipped = forecast_total(f, from - Days::new(30), from);
        assert_eq!(clipped.mean, f.points[0].mean);
        let outside = forecast_total(f, to + Days::new(1), to + Days::new(30));
        assert_eq!(
            (outside.mean, outside.lower, outside.upper),
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO)
        );
        let empty = forecast_total(f, to, from);
        assert_eq!(empty.mean, Decimal::ZERO);
        assert_eq!(empty.date, to);
    }

    #[test]
    fn forecast_total_lower_never_negative() {
        let history: Vec<DailyAmount> = [5, 0, 0, 40, 0]
            .iter()
            .enumerate()
            .map(|(i, a)| DailyAmount {
                date: date(2026, 5, 1) + Days::new(i as u64),
                amount: Decimal::from(*a),
            })
            .collect();
        let f = forecast_daily(&history, date(2026, 5, 6), date(2026, 5, 31), 95);
        assert!(f.points.iter().all(|p| p.lower == Decimal::ZERO));
        let total = forecast_total(&f, date(2026, 5, 6), date(2026, 5, 31));
        assert_eq!(total.lower, Decimal::ZERO);
        assert!(total.upper > total.mean);
    }

    #[test]
    fn empty_history_forecasts_zeros_with_method_none() {
        let f = forecast_daily(&[], date(2026, 5, 1), date(2026, 5, 3), 80);
        assert_eq!(f.method, METHOD_NONE);
        assert_eq!(f.level, 80);
        assert_eq!(f.points.len(), 3);
        assert!(f
            .points
            .iter()
            .all(|p| p.mean.is_zero() && p.lower.is_zero() && p.upper.is_zero()));
        assert_eq!(f.points[2].date, date(2026, 5, 3));
        // An inverted range has no days.
        assert!(forecast_daily(&[], date(2026, 5, 3), date(2026, 5, 1), 80)
            .points
            .is_empty());
    }

    #[test]
    fn all_zero_history_forecasts_zeros() {
        let history: Vec<DailyAmount> = (0..60)
            .map(|i| DailyAmount {
                date: date(2026, 3, 1) + Days::new(i),
                amount: Decimal::ZERO,
            })
            .collect();
        let f = forecast_daily(&history, date(2026, 4, 30), date(2026, 5, 31), 95);
        assert_eq!(f.method, METHOD_NONE);
        assert_eq!(f.points.len(), 32);
        assert!(f
            .points
            .iter()
            .all(|p| p.mean.is_zero() && p.upper.is_zero()));
    }

    #[test]
    fn short_history_is_a_flat_mean() {
        let amounts = [100, 120, 80, 110, 90, 60, 140, 100, 100, 100];
        let history: Vec<DailyAmount> = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| DailyAmount {
                date: date(2026, 6, 1) + Days::new(i as u64),
                amount: Decimal::from(*a),
            })
            .collect();
        let f = forecast_daily(&history, date(2026, 6, 11), date(2026, 6, 30), 80);
        assert_eq!(f.method, METHOD_FLAT);
        assert!(f.points.iter().all(|p| p.mean == Decimal::from(100)));
        // sd = 21.60 → 80 % half-width = 1.2816 × 21.60 × sqrt(1 + (1 + 1) / 10) = 30.33 on
        // day one.
        let first = f.points[0];
        assert_eq!(first.upper, Decimal::new(13033, 2), "{first:?}");
        assert!(first.lower >= Decimal::ZERO && first.lower < first.mean);
        // The interval widens with the horizon.
        let last = f.points.last().unwrap();
        assert!(last.upper - last.lower > first.upper - first.lower);

        // A single day still forecasts, with a wide interval.
        let one = forecast_daily(&history[..1], date(2026, 6, 2), date(2026, 6, 2), 95);
        assert_eq!(one.method, METHOD_FLAT);
        assert_eq!(one.points[0].mean, Decimal::from(100));
        assert!(one.points[0].upper - one.points[0].lower > Decimal::from(90));
    }

    #[test]
    fn interval_levels() {
        let series = Synthetic::generator_like(date(2026, 1, 5), 3).series(56);
        let from = date(2026, 3, 2);
        let f80 = forecast_daily(&series, from, from + Days::new(13), 80);
        let f95 = forecast_daily(&series, from, from + Days::new(13), 95);
        assert_eq!((f80.level, f95.level), (80, 95));
        for (a, b) in f80.points.iter().zip(&f95.points) {
            assert_eq!(a.mean, b.mean);
            assert!(b.lower <= a.lower && a.upper <= b.upper);
            // Half-widths scale with z: 1.96 / 1.2816 ≈ 1.53.
            let ratio = to_f64(b.upper - b.mean) / to_f64(a.upper - a.mean);
            assert!((ratio - 1.5293).abs() < 0.02, "ratio {ratio}");
        }
        // Out-of-range levels are clamped rather than producing infinite bounds.
        let f = forecast_daily(&series, from, from, 100);
        assert_eq!(f.level, 99);
        let f = forecast_daily(&series, from, from, 0);
        assert_eq!(f.level, 1);
        assert!(f.points[0].upper - f.points[0].lower < Decimal::from(5));
    }

    #[test]
    fn spike_in_history_barely_moves_the_forecast() {
        // Like the demo's spike: 6× for 2 days, 10 days before the end of the history.
        let clean = Synthetic::generator_like(date(2026, 1, 5), 11).series(70);
        let mut spiked = clean.clone();
        for d in &mut spiked[60..62] {
            d.amount *= Decimal::from(6);
        }
        let from = date(2026, 3, 16);
        let a = forecast_daily(&clean, from, from + Days::new(27), 80);
        let b = forecast_daily(&spiked, from, from + Days::new(27), 80);
        for (p, q) in a.points.iter().zip(&b.points) {
            let change = to_f64(q.mean) / to_f64(p.mean) - 1.0;
            assert!(change.abs() < 0.025, "{p:?} vs {q:?}");
        }
    }

    #[test]
    fn leading_zeros_are_not_a_ramp() {
        // A tenant whose data started three weeks ago inside an eight-week dense window.
        let history: Vec<DailyAmount> = (0..56)
            .map(|i| DailyAmount {
                date: date(2026, 3, 2) + Days::new(i),
                amount: if i < 35 {
                    Decimal::ZERO
                } else {
                    Decimal::from(100)
                },
            })
            .collect();
        let f = forecast_daily(&history, date(2026, 4, 27), date(2026, 5, 31), 80);
        assert_eq!(f.method, METHOD_SEASONAL_TREND);
        assert!(
            f.points.iter().all(|p| p.mean == Decimal::from(100)),
            "{:?}",
            f.points[0]
        );
        // A constant series still gets the minimum 1 % scale: a non-empty interval.
        assert!(f.points[0].upper > f.points[0].mean);
    }

    #[test]
    fn declining_spend_never_goes_negative() {
        let history: Vec<DailyAmount> = (0..56)
            .map(|i| DailyAmount {
                date: date(2026, 3, 2) + Days::new(i),
                amount: Decimal::from(1000 - 17 * i as i64),
            })
            .collect();
        let f = forecast_daily(&history, date(2026, 4, 27), date(2026, 6, 30), 95);
        assert!(f
            .points
            .iter()
            .all(|p| p.mean >= Decimal::ZERO && p.lower >= Decimal::ZERO));
        assert!(f.points.last().unwrap().mean.is_zero());
        // Day one continues the line: 1000 − 17 × 56 = 48.
        assert!(
            (to_f64(f.points[0].mean) - 48.0).abs() < 1.0,
            "{:?}",
            f.points[0]
        );
    }

    #[test]
    fn unsorted_sparse_history_matches_dense_sorted() {
        let mut dense = Synthetic::generator_like(date(2026, 1, 5), 5).series(56);
        dense[20].amount = Decimal::ZERO;
        // The same history reversed, without the zero day's entry, and with one day's amount
        // split over two entries.
        let mut messy: Vec<DailyAmount> = dense.iter().rev().copied().collect();
        messy.retain(|d| d.date != dense[20].date);
        let split = messy.iter().position(|d| d.date == dense[30].date).unwrap();
        let half = round_money(messy[split].amount / Decimal::TWO);
        messy[split].amount -= half;
        messy.push(DailyAmount {
            date: dense[30].date,
            amount: half,
        });
        let from = date(2026, 3, 2);
        assert_eq!(
            forecast_daily(&dense, from, from + Days::new(30), 80),
            forecast_daily(&messy, from, from + Days::new(30), 80)
        );
    }

    #[test]
    fn a_gap_before_from_widens_the_interval() {
        // History ends on 2026-03-01. Forecasting from 03-16 (a two-week gap, e.g. data that
        // lags) gives that day the same point as a forecast from 03-02 does: the horizon is
        // counted from the last history day, so the gap widens the interval.
        let series = Synthetic::generator_like(date(2026, 1, 5), 8).series(56);
        let day = date(2026, 3, 16);
        let near = forecast_daily(&series, date(2026, 3, 2), day, 80);
        let far = forecast_daily(&series, day, day, 80);
        assert_eq!(near.points.last(), far.points.first());
        // 03-02 is the same weekday as 03-16, one day ahead instead of fifteen.
        let first = near.points[0];
        let rel = |p: &ForecastPoint| to_f64(p.upper - p.lower) / to_f64(p.mean);
        assert!(rel(&far.points[0]) > rel(&first));
    }
}
