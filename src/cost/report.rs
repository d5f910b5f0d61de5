//! Cost views as the API returns them: a period with its previous period and the change, and
//! trends as dense series a chart can draw. Amounts in different currencies are never added.
use std::collections::BTreeMap;

use async_graphql::SimpleObject;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;

use super::dimension::{CostDimension, CostMetric, Grouping};
use super::money::from_fixed;
use super::period::{period_and_previous, DateRange, Month};
use super::query::{self, DatedSum, Sum};
use crate::error::AppResult;
use crate::tenancy::CostOwner;

/// An amount of money in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// Exact decimal amount (as a string, so no client rounds it through a float).
    pub amount: Decimal,
    /// ISO 4217 code, e.g. "USD".
    pub currency: String,
}

/// How a total moved from the previous period to this one, in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CostChange {
    pub currency: String,
    pub current: Decimal,
    pub previous: Decimal,
    /// `current - previous`.
    pub delta: Decimal,
    /// `delta / previous` in percent, two decimals; null when the previous period cost nothing.
    pub percent: Option<Decimal>,
}

/// One group of a breakdown, in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CostGroup {
    /// The group's value (a service name, account id, region, tag value…); null when the cost has
    /// none (e.g. cost without the tag).
    pub key: Option<String>,
    pub currency: String,
    pub amount: Decimal,
    /// The same group in the previous period.
    pub previous_amount: Decimal,
    pub delta: Decimal,
    /// Share of this currency's total, in percent (two decimals).
    pub share_percent: Option<Decimal>,
}

/// Cost of one period: totals by currency, the previous period and the change, and a breakdown.
#[derive(SimpleObject, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CostReport {
    /// The month, `YYYY-MM`.
    pub period: String,
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted (inclusive). For the month in progress: today.
    pub to: NaiveDate,
    /// The comparison period: the previous month, over the same days when this one is in progress.
    pub previous_from: NaiveDate,
    pub previous_to: NaiveDate,
    pub metric: CostMetric,
    pub group_by: Option<CostDimension>,
    pub tag_key: Option<String>,
    /// One total per currency.
    pub totals: Vec<Money>,
    pub previous_totals: Vec<Money>,
    pub changes: Vec<CostChange>,
    /// Groups ordered by amount, largest first. Empty without `groupBy`.
    pub breakdown: Vec<CostGroup>,
}

/// Bucket size of a trend.
#[derive(
    async_graphql::Enum,
    Copy,
    Clone,
    Eq,
    PartialEq,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Granularity {
    #[default]
    Daily,
    Monthly,
}

/// One point of a series: the bucket's first day and its amount.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CostPoint {
    pub date: NaiveDate,
    pub amount: Decimal,
}

/// One line of a chart: a group in one currency, with a point for every bucket (zeros included).
#[derive(SimpleObject, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CostSeries {
    pub key: Option<String>,
    pub currency: String,
    pub total: Decimal,
    pub points: Vec<CostPoint>,
}

/// Cost over time.
#[derive(SimpleObject, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CostTrend {
    pub granularity: Granularity,
    pub from: NaiveDate,
    /// Last day included.
    pub to: NaiveDate,
    pub metric: CostMetric,
    pub group_by: Option<CostDimension>,
    /// Series ordered by total, largest first.
    pub series: Vec<CostSeries>,
}

/// Builds the cost report of `owner` for `month`.
pub async fn cost_report(
    db: &impl ConnectionTrait,
    owner: &CostOwner,
    month: Month,
    today: NaiveDate,
    group_by: Option<CostDimension>,
    tag_key: Option<String>,
    metric: CostMetric,
) -> AppResult<CostReport> {
    let grouping = Grouping::new(group_by, tag_key.clone())?;
    let (current, previous) = period_and_previous(month, today);
    let (totals, previous_totals, breakdown) = if grouping == Grouping::None {
        let totals = query::grouped(db, owner, current, &grouping, metric).await?;
        let previous_totals = query::grouped(db, owner, previous, &grouping, metric).await?;
        (totals, previous_totals, Vec::new())
    } else {
        let now = query::grouped(db, owner, current, &grouping, metric).await?;
        let before = query::grouped(db, owner, previous, &grouping, metric).await?;
        // Every cost row has one value of a column (null included), and a tag breakdown carries
        // the untagged rest as a null key: the groups add up to the totals, which need no
        // statements of their own.
        let (totals, previous_totals) = (add_up(&now), add_up(&before));
        let breakdown = breakdown(&now, &before, &totals);
        (totals, previous_totals, breakdown)
    };
    Ok(CostReport {
        period: month.to_string(),
        from: current.start,
        to: last_day(current),
        previous_from: previous.start,
        previous_to: last_day(previous),
        metric,
        group_by,
        tag_key: if matches!(grouping, Grouping::Tag(_)) {
            tag_key
        } else {
            None
        },
        changes: changes(&totals, &previous_totals),
        totals: money(&totals),
        previous_totals: money(&previous_totals),
        breakdown,
    })
}

/// The per-currency totals of `groups`, by currency.
fn add_up(groups: &[Sum]) -> Vec<Sum> {
    let mut totals: std::collections::BTreeMap<&str, i128> = Default::default();
    for group in groups {
        *totals.entry(&group.currency).or_default() += group.picos;
    }
    totals
        .into_iter()
        .map(|(currency, picos)| Sum {
            key: None,
            currency: currency.to_string(),
            picos,
        })
        .collect()
}

/// What a trend asks for.
#[derive(Debug, Clone)]
pub struct TrendQuery {
    /// Calendar months, the month of `to` included.
    pub months: u32,
    /// Last day included.
    pub to: NaiveDate,
    pub granularity: Granularity,
    pub group_by: Option<CostDimension>,
    pub tag_key: Option<String>,
    pub metric: CostMetric,
}

/// The trend of `owner` over the `months` calendar months ending with the month of `to`.
pub async fn cost_trend(
    db: &impl ConnectionTrait,
    owner: &CostOwner,
    q: TrendQuery,
) -> AppResult<CostTrend> {
    let grouping = Grouping::new(q.group_by, q.tag_key)?;
    let range = trend_range(q.months, q.to);
    let rows = query::daily(db, owner, range, &grouping, q.metric).await?;
    Ok(CostTrend {
        granularity: q.granularity,
        from: range.start,
        to: q.to,
        metric: q.metric,
        group_by: q.group_by,
        series: series(rows, range, q.granularity),
    })
}

/// From the first day of the month `months - 1` before `to`'s month, through `to`.
pub fn trend_range(months: u32, to: NaiveDate) -> DateRange {
    DateRange {
        start: Month::containing(to)
            .minus(months.saturating_sub(1))
            .first_day(),
        end: to + Days::new(1),
    }
}

fn last_day(range: DateRange) -> NaiveDate {
    range.end - Days::new(1)
}

fn money(sums: &[Sum]) -> Vec<Money> {
    let mut out: Vec<Money> = sums
        .iter()
        .map(|s| Money {
            amount: from_fixed(s.picos),
            currency: s.currency.clone(),
        })
        .collect();
    out.sort_by(|a, b| a.currency.cmp(&b.currency));
    out
}

fn percent(delta: i128, base: i128) -> Option<Decimal> {
    (base != 0).then(|| (from_fixed(delta) * Decimal::ONE_HUNDRED / from_fixed(base)).round_dp(2))
}

fn changes(now: &[Sum], before: &[Sum]) -> Vec<CostChange> {
    let mut by_currency: BTreeMap<&str, (i128, i128)> = BTreeMap::new();
    for s in now {
        by_currency.entry(&s.currency).or_default().0 += s.picos;
    }
    for s in before {
        by_currency.entry(&s.currency).or_default().1 += s.picos;
    }
    by_currency
        .into_iter()
        .map(|(currency, (cur, prev))| CostChange {
            currency: currency.to_string(),
            current: from_fixed(cur),
            previous: from_fixed(prev),
            delta: from_fixed(cur - prev),
            percent: percent(cur - prev, prev),
        })
        .collect()
}

fn breakdown(now: &[Sum], before: &[Sum], totals: &[Sum]) -> Vec<CostGroup> {
    let mut groups: BTreeMap<(Option<&str>, &str), (i128, i128)> = BTreeMap::new();
    for s in now {
        groups.entry((s.key.as_deref(), &s.currency)).or_default().0 += s.picos;
    }
    for s in before {
        groups.entry((s.key.as_deref(), &s.currency)).or_default().1 += s.picos;
    }
    let total = |currency: &str| {
        totals
            .iter()
            .filter(|t| t.currency == currency)
            .map(|t| t.picos)
            .sum::<i128>()
    };
    let mut out: Vec<(i128, CostGroup)> = groups
        .into_iter()
        .map(|((key, currency), (cur, prev))| {
            let group = CostGroup {
                key: key.map(str::to_string),
                currency: currency.to_string(),
                amount: from_fixed(cur),
                previous_amount: from_fixed(prev),
                delta: from_fixed(cur - prev),
                share_percent: percent(cur, total(currency)),
            };
            (cur, group)
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    out.into_iter().map(|(_, g)| g).collect()
}

/// Turns sparse daily sums into dense series, one per (group, currency), bucketed by day or month.
pub fn series(rows: Vec<DatedSum>, range: DateRange, granularity: Granularity) -> Vec<CostSeries> {
    let buckets: Vec<NaiveDate> = match granularity {
        Granularity::Daily => range
            .start
            .iter_days()
            .take_while(|d| *d < range.end)
            .collect(),
        Granularity::Monthly => {
            let mut months = Vec::new();
            let mut m = Month::containing(range.start);
            while m.first_day() < range.end {
                months.push(m.first_day());
                m = Month::containing(m.end());
            }
            months
        }
    };
    let bucket_of = |date: NaiveDate| match granularity {
        Granularity::Daily => date,
        Granularity::Monthly => Month::containing(date).first_day(),
    };
    let mut by_series: BTreeMap<(Option<String>, String), BTreeMap<NaiveDate, i128>> =
        BTreeMap::new();
    for row in rows {
        *by_series
            .entry((row.key, row.currency))
            .or_default()
            .entry(bucket_of(row.date))
            .or_default() += row.picos;
    }
    let mut out: Vec<(i128, CostSeries)> = by_series
        .into_iter()
        .map(|((key, currency), amounts)| {
            let total: i128 = amounts.values().sum();
            let points = buckets
                .iter()
                .map(|d| CostPoint {
                    date: *d,
                    amount: from_fixed(amounts.get(d).copied().unwrap_or(0)),
                })
                .collect();
            (
                total,
                CostSeries {
                    key,
                    currency,
                    total: from_fixed(total),
                    points,
                },
            )
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    out.into_iter().map(|(_, s)| s).collect()
}

/// Month-to-date cost of a tenant against the same days of the previous month.
#[derive(SimpleObject, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CostSnapshot {
    /// The month, `YYYY-MM`.
    pub period: String,
    pub from: NaiveDate,
    /// Last day counted (today).
    pub to: NaiveDate,
    pub metric: CostMetric,
    pub totals: Vec<Money>,
    pub previous_totals: Vec<Money>,
    pub changes: Vec<CostChange>,
}

/// Month-to-date snapshots of many tenants in two statements (this period, the previous one).
pub async fn month_to_date_by_tenant(
    db: &impl ConnectionTrait,
    tenants: &[crate::tenancy::TenantRef],
    today: NaiveDate,
    metric: CostMetric,
) -> AppResult<BTreeMap<String, CostSnapshot>> {
    let month = Month::containing(today);
    let (current, previous) = period_and_previous(month, today);
    let now = query::totals_by_tenant(db, tenants, current, metric).await?;
    let before = query::totals_by_tenant(db, tenants, previous, metric).await?;
    let empty = Vec::new();
    Ok(tenants
        .iter()
        .map(|t| {
            let cur = now.get(t.id()).unwrap_or(&empty);
            let prev = before.get(t.id()).unwrap_or(&empty);
            let snapshot = CostSnapshot {
                period: month.to_string(),
                from: current.start,
                to: last_day(current),
                metric,
                totals: money(cur),
                previous_totals: money(prev),
                changes: changes(cur, prev),
            };
            (t.id().to_string(), snapshot)
        })
        .collect())
}

/// Monthly series (one per currency) of many tenants over `months` months ending today, in one statement.
pub async fn monthly_trend_by_tenant(
    db: &impl ConnectionTrait,
    tenants: &[crate::tenancy::TenantRef],
    months: u32,
    today: NaiveDate,
    metric: CostMetric,
) -> AppResult<BTreeMap<String, Vec<CostSeries>>> {
    let range = trend_range(months, today);
    let mut rows = query::monthly_by_tenant(db, tenants, range, metric).await?;
    Ok(tenants
        .iter()
        .map(|t| {
            let sums = rows.remove(t.id()).unwrap_or_default();
            (
                t.id().to_string(),
                series(sums, range, Granularity::Monthly),
            )
        })
        .collect())
}
