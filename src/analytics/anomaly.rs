//! Cost anomaly detection on a tenant's daily spend, with root causes by service, account and
//! region, in the manner of AWS Cost Anomaly Detection.
//!
//! # Method
//!
//! Cells are summed per date into the tenant's daily total; a date without cells is a zero day.
//! History starts at the earliest cell date: before it nothing is known, after it a missing day
//! is a zero. Every day `d` from `from` to `to` is judged against days before it only:
//!
//! * **Baseline**: the totals of the same weekday in the previous `N` weeks, `d − 7k` for
//!   `k = 1..=N`, `N = max(4, min_history_weeks)`, keeping those on or after the first cell date.
//!   With fewer than `min_history_weeks` (at least 1) of them the day is not judged: too little
//!   history raises nothing. The same weekday is used so that weekly seasonality (quiet
//!   weekends) needs no model.
//! * **Expected** spend is the median of the baseline totals. No trend correction: four weeks of
//!   3–5 % monthly growth put the median 2–3 % low, which `min_delta_percent` absorbs.
//! * **Scale** is `max(1.4826 × MAD, 2 % × expected, 0.01)` where MAD is the median absolute
//!   deviation of the baseline totals around their median; the floors keep a perfectly flat
//!   history from making a one-cent change infinitely surprising.
//! * **Score** is `(actual − expected) / scale`: a robust z-score.
//! * A day is an **anomaly** when `score > score_threshold`, `delta ≥ min_delta_amount` and
//!   `delta ≥ min_delta_percent % of expected` (that last test passes when expected is not
//!   positive: spend from nothing is new). Only spend *increases* are anomalies, like AWS's: a
//!   drop is usually a saving someone made or data that has not arrived yet (a missing day reads
//!   as zero), and alerting on it would be noise.
//!
//! Days already flagged are **not** removed from later baselines; the median is relied on
//! instead. With 3–4 baseline values a single anomalous same-weekday day (a spike shorter than a
//! week touches each weekday at most once) cannot move the median beyond the normal values, and
//! the MAD likewise stays with the normal values. Excluding flagged days would have a worse
//! failure: a legitimate, lasting rise in spend would be flagged, excluded, and then flagged
//! forever against a baseline stuck at the old level. With the median, a lasting change becomes
//! the new normal once it fills most of the baseline (after two to three weeks).
//!
//! **Root causes**: for an anomalous day the same expected (median over the same baseline dates,
//! with missing cells as zero) is computed per service, per account and per region. Within each
//! dimension the keys whose positive delta is at least `min_delta_amount` are ranked by delta and
//! the top [`CAUSES_PER_DIMENSION`] kept; the causes of all dimensions are then ordered by delta,
//! largest first. A spike in one service of one account in one region thus shows that service,
//! that account and that region at the top, each with a delta close to the spike's extra spend.
//! Per-key medians do not add up to the total's median, so causes explain rather than partition
//! the delta.
//!
//! Amounts are exact decimal sums and medians, rounded to cents for the result; `delta` is
//! `actual − expected` of the rounded figures; `percent` is `delta / expected × 100` to 2 dp, and
//! 0 when expected is not positive (AWS omits the percentage then; check `expected`).

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::stats::{mad, median_decimal, round_money, to_f64, MAD_TO_SIGMA};

/// Baselines use at least this many previous weeks when they exist.
const BASELINE_WEEKS: usize = 4;
/// Scale floor relative to the expected spend.
const RELATIVE_SCALE_FLOOR: f64 = 0.02;
/// Scale floor in currency units, so the score stays finite when nothing was expected.
const ABSOLUTE_SCALE_FLOOR: f64 = 0.01;
/// Causes kept per dimension.
pub const CAUSES_PER_DIMENSION: usize = 3;

/// A dimension of a cost cell that an anomaly's cause can name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Dimension {
    Service,
    Account,
    Region,
}

impl Dimension {
    const ALL: [Dimension; 3] = [Dimension::Service, Dimension::Account, Dimension::Region];

    fn key(self, cell: &CostCell) -> &str {
        match self {
            Dimension::Service => &cell.service,
            Dimension::Account => &cell.account,
            Dimension::Region => &cell.region,
        }
    }
}

/// One day's cost of one (service, account, region) cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCell {
    pub date: NaiveDate,
    pub service: String,
    pub account: String,
    pub region: String,
    pub amount: Decimal,
}

/// A service, account or region whose spend rose on an anomalous day, by `delta` over what its
/// own history led to expect.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cause {
    pub dimension: Dimension,
    pub key: String,
    pub actual: Decimal,
    pub expected: Decimal,
    pub delta: Decimal,
}

/// A day on which the tenant's total spend was anomalously high.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Anomaly {
    pub date: NaiveDate,
    pub actual: Decimal,
    pub expected: Decimal,
    /// `actual − expected`.
    pub delta: Decimal,
    /// `delta / expected × 100`, 2 dp; 0 when `expected` is not positive.
    pub percent: Decimal,
    /// Robust z-score `delta / scale`, 2 dp.
    pub score: f64,
    /// Largest delta first; at most [`CAUSES_PER_DIMENSION`] per dimension.
    pub causes: Vec<Cause>,
}

/// Sensitivity of [`detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Same-weekday days a baseline needs; days with less history are not judged.
    pub min_history_weeks: usize,
    /// Robust z-score a day must exceed.
    pub score_threshold: f64,
    /// Minimum rise over expected, in percent of expected.
    pub min_delta_percent: Decimal,
    /// Minimum rise over expected, in currency units.
    pub min_delta_amount: Decimal,
}

impl Default for Settings {
    /// Three weeks of history, score above 4, and a rise of at least 20 % and 1 unit.
    fn default() -> Self {
        Settings {
            min_history_weeks: 3,
            score_threshold: 4.0,
            min_delta_percent: Decimal::from(20),
            min_delta_amount: Decimal::ONE,
        }
    }
}

/// Detects the anomalous days in `from..=to` of the total of `cells` (the tenant's spend), each
/// judged against a robust baseline built only from days before it; oldest first. `cells` may be
/// in any order and sparse (a missing cell is zero). See the module documentation for the method.
pub fn detect(
    cells: &[CostCell],
    from: NaiveDate,
    to: NaiveDate,
    settings: &Settings,
) -> Vec<Anomaly> {
    let Some(first) = cells.iter().map(|c| c.date).min() else {
        return Vec::new();
    };
    let series = Series::new(cells);
    let needed = settings.min_history_weeks.max(1);
    let lookback = needed.max(BASELINE_WEEKS);
    let mut anomalies = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        let baseline: Vec<NaiveDate> = (1..=lookback as u64)
            .map_while(|k| day.checked_sub_days(Days::new(7 * k)))
            .filter(|d| *d >= first)
            .collect();
        if baseline.len() < needed {
            continue;
        }
        if let Some(anomaly) = judge(&series, day, &baseline, settings) {
            anomalies.push(anomaly);
        }
    }
    anomalies
}

/// Daily amounts of the total and of every key of every dimension.
struct Series<'a> {
    total: HashMap<NaiveDate, Decimal>,
    by_key: BTreeMap<(Dimension, &'a str), HashMap<NaiveDate, Decimal>>,
}

impl<'a> Series<'a> {
    fn new(cells: &'a [CostCell]) -> Self {
        let mut total: HashMap<NaiveDate, Decimal> = HashMap::new();
        let mut by_key: BTreeMap<(Dimension, &'a str), HashMap<NaiveDate, Decimal>> =
            BTreeMap::new();
        for cell in cells {
            *total.entry(cell.date).or_default() += cell.amount;
            for dimension in Dimension::ALL {
                *by_key
                    .entry((dimension, dimension.key(cell)))
                    .or_default()
                    .entry(cell.date)
                    .or_default() += cell.amount;
            }
        }
        Series { total, by_key }
    }
}

/// Actual and expected (median over `baseline`) of one daily series on `day`, unrounded, with
/// the baseline values.
fn actual_expected(
    series: &HashMap<NaiveDate, Decimal>,
    day: NaiveDate,
    baseline: &[NaiveDate],
) -> (Decimal, Decimal, Vec<Decimal>) {
    let at = |d: &NaiveDate| series.get(d).copied().unwrap_or_default();
    let mut values: Vec<Decimal> = baseline.iter().map(at).collect();
    let expected = median_decimal(&mut values).unwrap_or_default();
    (at(&day), expected, values)
}

/// The anomaly on `day`, if it is one.
fn judge(
    series: &Series,
    day: NaiveDate,
    baseline: &[NaiveDate],
    settings: &Settings,
) -> Option<Anomaly> {
    let (actual, expected, values) = actual_expected(&series.total, day, baseline);
    let (actual, expected) = (round_money(actual), round_money(expected));
    let delta = actual - expected;
    let expected_f = to_f64(expected);
    let values: Vec<f64> = values.into_iter().map(to_f64).collect();
    let scale = (MAD_TO_SIGMA * mad(&values, expected_f))
        .max(RELATIVE_SCALE_FLOOR * expected_f.abs())
        .max(ABSOLUTE_SCALE_FLOOR);
    let score = to_f64(delta) / scale;
    let big_enough = delta >= settings.min_delta_amount
        && (expected <= Decimal::ZERO
            || delta * Decimal::ONE_HUNDRED >= settings.min_delta_percent * expected);
    if !(score > settings.score_threshold && big_enough) {
        return None;
    }
    // A ratio to nothing (or to a net credit) means nothing; AWS omits it, the field here is 0.
    let percent = if expected <= Decimal::ZERO {
        Decimal::ZERO
    } else {
        (delta * Decimal::ONE_HUNDRED / expected).round_dp(2)
    };
    Some(Anomaly {
        date: day,
        actual,
        expected,
        delta,
        percent,
        score: (score * 100.0).round() / 100.0,
        causes: causes(series, day, baseline, settings.min_delta_amount),
    })
}

/// The keys of each dimension whose rise on `day` explains an anomaly; see the module docs.
fn causes(
    series: &Series,
    day: NaiveDate,
    baseline: &[NaiveDate],
    min_delta: Decimal,
) -> Vec<Cause> {
    let mut all = Vec::new();
    for dimension in Dimension::ALL {
        let mut rising: Vec<Cause> = series
            .by_key
            .range((dimension, "")..)
            .take_while(|((d, _), _)| *d == dimension)
            .filter_map(|((_, key), daily)| {
                let (actual, expected, _) = actual_expected(daily, day, baseline);
                let (actual, expected) = (round_money(actual), round_money(expected));
                let delta = actual - expected;
                (delta > Decimal::ZERO && delta >= min_delta).then(|| Cause {
                    dimension,
                    key: (*key).to_string(),
                    actual,
                    expected,
                    delta,
                })
            })
            .collect();
        rising.sort_by(|a, b| b.delta.cmp(&a.delta).then_with(|| a.key.cmp(&b.key)));
        rising.truncate(CAUSES_PER_DIMENSION);
        all.extend(rising);
    }
    all.sort_by(|a, b| {
        b.delta
            .cmp(&a.delta)
            .then_with(|| a.dimension.cmp(&b.dimension))
            .then_with(|| a.key.cmp(&b.key))
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Weekday};

    use super::super::stats::to_money;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn splitmix64(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit_noise(key: u64, day: i64) -> f64 {
        let bits = splitmix64(key ^ splitmix64(day as u64));
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }

    const START: (i32, u32, u32) = (2026, 1, 5); // a Monday
    const DAYS: i64 = 70; // ten weeks
    const SERVICES: [(&str, f64, f64); 5] = [
        // (service, share of an account's spend, weekend factor), as in the generator's catalog
        ("AmazonEC2", 0.40, 0.7),
        ("AmazonRDS", 0.25, 1.0),
        ("AmazonS3", 0.15, 0.97),
        ("AWSLambda", 0.12, 0.6),
        ("AmazonCloudWatch", 0.08, 0.9),
    ];
    const ACCOUNTS: [(&str, f64); 3] = [
        ("111111111111", 400.0),
        ("222222222222", 250.0),
        ("333333333333", 150.0),
    ];
    const REGIONS: [(&str, f64); 2] = [("us-east-1", 0.75), ("sa-east-1", 0.25)];

    /// The injected spike: one account × one service (in one region) at 4× for 3 days.
    #[derive(Clone, Copy)]
    struct Spike {
        account: &'static str,
        service: &'static str,
        region: &'static str,
        first_day: i64,
        days: i64,
        factor: f64,
    }

    const SPIKE: Spike = Spike {
        account: "222222222222",
        service: "AmazonEC2",
        region: "us-east-1",
        first_day: 51, // a Wednesday in week 8: later weeks have it in their baselines
        days: 3,
        factor: 4.0,
    };

    fn start() -> NaiveDate {
        date(START.0, START.1, START.2)
    }

    /// One cell's cost like the generator's: base × growth × ±5 % noise × (spike or weekend dip).
    fn cell_cost(
        account: usize,
        service: usize,
        region: usize,
        day: i64,
        spike: Option<Spike>,
    ) -> f64 {
        let (account_id, account_base) = ACCOUNTS[account];
        let (service_name, share, weekend) = SERVICES[service];
        let (region_name, region_share) = REGIONS[region];
        let growth = (0.04 / 30.4375 * day as f64).exp();
        let key = (account * 100 + service * 10 + region) as u64;
        let mut cost =
            account_base * share * region_share * growth * (0.95 + 0.1 * unit_noise(key, day));
        let date = start() + Days::new(day as u64);
        let spiking = spike.is_some_and(|s| {
            s.account == account_id
                && s.service == service_name
                && s.region == region_name
                && (s.first_day..s.first_day + s.days).contains(&day)
        });
        if spiking {
            // A runaway workload does not take the weekend off.
            cost *= spike.unwrap().factor;
        } else if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            cost *= weekend;
        }
        cost
    }

    fn cells(spike: Option<Spike>) -> Vec<CostCell> {
        let mut out = Vec::new();
        for day in 0..DAYS {
            for (a, (account, _)) in ACCOUNTS.iter().enumerate() {
                for (s, (service, _, _)) in SERVICES.iter().enumerate() {
                    for (r, (region, _)) in REGIONS.iter().enumerate() {
                        out.push(CostCell {
                            date: start() + Days::new(day as u64),
                            service: service.to_string(),
                            account: account.to_string(),
                            region: region.to_string(),
                            amount: to_money(cell_cost(a, s, r, day, spike)),
                        });
                    }
                }
            }
        }
        out
    }

    /// Extra spend the spike put on `day`.
    fn injected(day: i64) -> f64 {
        let a = ACCOUNTS.iter().position(|x| x.0 == SPIKE.account).unwrap();
        let s = SERVICES.iter().position(|x| x.0 == SPIKE.service).unwrap();
        let r = REGIONS.iter().position(|x| x.0 == SPIKE.region).unwrap();
        cell_cost(a, s, r, day, Some(SPIKE)) - cell_cost(a, s, r, day, None)
    }

    fn whole_range() -> (NaiveDate, NaiveDate) {
        (start(), start() + Days::new(DAYS as u64 - 1))
    }

    /// Deterministic shuffle (Fisher–Yates on splitmix64).
    fn shuffle<T>(items: &mut [T], seed: u64) {
        for i in (1..items.len()).rev() {
            let j = (splitmix64(seed ^ i as u64) % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }

    fn day_cells(day: NaiveDate, amounts: &[(&str, &str, &str, i64)]) -> Vec<CostCell> {
        amounts
            .iter()
            .map(|(service, account, region, amount)| CostCell {
                date: day,
                service: service.to_string(),
                account: account.to_string(),
                region: region.to_string(),
                amount: Decimal::from(*amount),
            })
            .collect()
    }

    /// `weeks` weeks of a flat 100 a day in one cell, from `start()`.
    fn flat(weeks: u64) -> Vec<CostCell> {
        (0..7 * weeks)
            .flat_map(|i| day_cells(start() + Days::new(i), &[("S", "A", "R", 100)]))
            .collect()
    }

    #[test]
    fn seasonal_noisy_series_raises_nothing() {
        let (from, to) = whole_range();
        let found = detect(&cells(None), from, to, &Settings::default());
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn spike_is_found_on_its_days_with_its_causes() {
        let (from, to) = whole_range();
        let found = detect(&cells(Some(SPIKE)), from, to, &Settings::default());
        let days: Vec<NaiveDate> = found.iter().map(|a| a.date).collect();
        let spike_days: Vec<NaiveDate> = (SPIKE.first_day..SPIKE.first_day + SPIKE.days)
            .map(|d| start() + Days::new(d as u64))
            .collect();
        // Exactly the spike's days: nothing after it either, though the following two weeks
        // have a spiked day in their baselines.
        assert_eq!(days, spike_days, "{found:#?}");

        for (anomaly, day) in found.iter().zip(SPIKE.first_day..) {
            let extra = injected(day);
            let delta = to_f64(anomaly.delta);
            println!(
                "{}: actual {} expected {} delta {} ({}%), score {}, injected {extra:.2}",
                anomaly.date,
                anomaly.actual,
                anomaly.expected,
                anomaly.delta,
                anomaly.percent,
                anomaly.score
            );
            assert!(
                (delta / extra - 1.0).abs() < 0.15,
                "delta {delta} vs injected {extra}"
            );
            assert_eq!(anomaly.delta, anomaly.actual - anomaly.expected);
            assert_eq!(
                anomaly.percent,
                (anomaly.delta * Decimal::ONE_HUNDRED / anomaly.expected).round_dp(2)
            );
            assert!(anomaly.percent >= Decimal::from(20) && anomaly.score > 4.0);

            // The spiking service, account and region lead, each explaining about the extra.
            let mut top: Vec<(Dimension, &str)> = anomaly.causes[..3]
                .iter()
                .map(|c| (c.dimension, c.key.as_str()))
                .collect();
            top.sort();
            assert_eq!(
                top,
                [
                    (Dimension::Service, SPIKE.service),
                    (Dimension::Account, SPIKE.account),
                    (Dimension::Region, SPIKE.region)
                ],
                "{:#?}",
                anomaly.causes
            );
            for cause in &anomaly.causes[..3] {
                let d = to_f64(cause.delta);
                assert!(
                    (d / extra - 1.0).abs() < 0.15,
                    "{cause:?} vs injected {extra}"
                );
                assert_eq!(cause.delta, cause.actual - cause.expected);
            }
            // Ordered by delta, positive, at most three per dimension.
            assert!(anomaly.causes.windows(2).all(|w| w[0].delta >= w[1].delta));
            assert!(anomaly.causes.iter().all(|c| c.delta >= Decimal::ONE));
            for dimension in Dimension::ALL {
                let n = anomaly
                    .causes
                    .iter()
                    .filter(|c| c.dimension == dimension)
                    .count();
                assert!((1..=CAUSES_PER_DIMENSION).contains(&n));
            }
        }
    }

    #[test]
    fn cell_order_does_not_matter() {
        let (from, to) = whole_range();
        let ordered = cells(Some(SPIKE));
        let mut shuffled = ordered.clone();
        shuffle(&mut shuffled, 7);
        let settings = Settings::default();
        assert_eq!(
            detect(&ordered, from, to, &settings),
            detect(&shuffled, from, to, &settings)
        );
    }

    #[test]
    fn sparse_series_works() {
        // Weekday-only workloads have no cells at weekends, some cells are missing at random,
        // and one whole weekday has no data at all (a late export): none of that is an anomaly,
        // and the spike still is.
        let missing_day = start() + Days::new(37);
        let mut sparse: Vec<CostCell> = cells(Some(SPIKE))
            .into_iter()
            .filter(|c| {
                let weekend = matches!(c.date.weekday(), Weekday::Sat | Weekday::Sun);
                let weekday_only = c.service == "AWSLambda";
                // About one in five of one small service's cells, per account and day.
                let noise_key =
                    (c.date - start()).num_days() as u64 * 31 + u64::from(c.account.as_bytes()[0]);
                let dropped =
                    c.service == "AmazonCloudWatch" && splitmix64(noise_key).is_multiple_of(5);
                let absent = (weekend && weekday_only) || dropped || c.date == missing_day;
                !absent
            })
            .collect();
        shuffle(&mut sparse, 3);
        let (from, to) = whole_range();
        let found = detect(&sparse, from, to, &Settings::default());
        let days: Vec<i64> = found
            .iter()
            .map(|a| (a.date - start()).num_days())
            .collect();
        assert_eq!(days, [51, 52, 53], "{found:#?}");
        assert!(found.iter().all(|a| a.causes[0].key == SPIKE.service
            || a.causes[0].key == SPIKE.account
            || a.causes[0].key == SPIKE.region));
    }

    #[test]
    fn too_little_history_raises_nothing() {
        // Two weeks of 100 a day, then 1000 on day 15: a 10× rise, but only two same-weekday
        // days of history against the three required.
        let mut cells = flat(2);
        cells.extend(day_cells(start() + Days::new(14), &[("S", "A", "R", 1000)]));
        let (from, to) = (start(), start() + Days::new(14));
        assert!(detect(&cells, from, to, &Settings::default()).is_empty());
        // The same day is an anomaly once two weeks are enough.
        let lenient = Settings {
            min_history_weeks: 2,
            ..Settings::default()
        };
        let found = detect(&cells, from, to, &lenient);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].delta, Decimal::from(900));
        // No cells at all, or an empty range, raise nothing either.
        assert!(detect(&[], from, to, &lenient).is_empty());
        assert!(detect(&cells, to, from, &lenient).is_empty());
    }

    #[test]
    fn flat_series_ignores_small_changes_but_not_large_ones() {
        // A perfectly flat history has MAD 0; the 2 % floor keeps +1 % from scoring.
        let day = start() + Days::new(28);
        let mut small = flat(4);
        small.extend(day_cells(day, &[("S", "A", "R", 101)]));
        assert!(detect(&small, day, day, &Settings::default()).is_empty());

        let mut large = flat(4);
        large.extend(day_cells(day, &[("S", "A", "R", 150)]));
        let found = detect(&large, day, day, &Settings::default());
        assert_eq!(found.len(), 1);
        let a = &found[0];
        assert_eq!(
            (a.actual, a.expected, a.delta),
            (Decimal::from(150), Decimal::from(100), Decimal::from(50))
        );
        assert_eq!(a.percent, Decimal::from(50));
        assert_eq!(a.score, 25.0); // 50 / (2 % of 100)
        assert_eq!(a.causes.len(), 3);
    }

    #[test]
    fn minimums_and_drops() {
        let day = start() + Days::new(28);
        // +15 % is far outside a flat history's scale but under the 20 % minimum.
        let mut modest = flat(4);
        modest.extend(day_cells(day, &[("S", "A", "R", 115)]));
        assert!(detect(&modest, day, day, &Settings::default()).is_empty());
        // Under the minimum amount.
        let cents = Settings {
            min_delta_amount: Decimal::from(60),
            ..Settings::default()
        };
        let mut spike = flat(4);
        spike.extend(day_cells(day, &[("S", "A", "R", 150)]));
        assert!(detect(&spike, day, day, &cents).is_empty());
        // A drop to 10 % is not an anomaly: only increases are.
        let mut drop = flat(4);
        drop.extend(day_cells(day, &[("S", "A", "R", 10)]));
        assert!(detect(&drop, day, day, &Settings::default()).is_empty());
    }

    #[test]
    fn spend_from_nothing_is_an_anomaly() {
        // Spend only on weekdays for four weeks, then a new service runs on a Saturday.
        let mut cells: Vec<CostCell> = (0..28)
            .map(|i| start() + Days::new(i))
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .flat_map(|d| day_cells(d, &[("S", "A", "R", 100)]))
            .collect();
        let saturday = start() + Days::new(33);
        cells.extend(day_cells(saturday, &[("New", "B", "R2", 40)]));
        let found = detect(
            &cells,
            start() + Days::new(28),
            saturday + Days::new(1),
            &Settings::default(),
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let a = &found[0];
        assert_eq!(a.date, saturday);
        assert_eq!(
            (a.expected, a.delta, a.percent),
            (Decimal::ZERO, Decimal::from(40), Decimal::ZERO)
        );
        assert!(a.score.is_finite() && a.score > 4.0);
        let keys: Vec<&str> = a.causes.iter().map(|c| c.key.as_str()).collect();
        // Equal deltas are ordered by dimension: service, account, region.
        assert_eq!(keys, ["New", "B", "R2"]);
    }

    #[test]
    fn lasting_rise_becomes_the_new_normal() {
        // Spend doubles for good on day 28: flagged at first, accepted once it fills most of the
        // baseline, rather than flagged forever.
        let cells: Vec<CostCell> = (0..70)
            .flat_map(|i| {
                day_cells(
                    start() + Days::new(i),
                    &[("S", "A", "R", if i < 28 { 100 } else { 200 })],
                )
            })
            .collect();
        let found = detect(
            &cells,
            start() + Days::new(21),
            start() + Days::new(69),
            &Settings::default(),
        );
        let last = found.last().unwrap().date;
        assert!(found.first().unwrap().date == start() + Days::new(28));
        assert!(
            last < start() + Days::new(28 + 21),
            "still flagged on {last}"
        );
    }
}
