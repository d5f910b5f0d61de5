//! The SQL of every cost view, over the daily rollups: `cost_daily_by` (a few rows per tenant and
//! day: the total, and one per service, account, region… — what totals, breakdowns and trends
//! read), `cost_daily_tags` (breakdowns by a tag) and `cost_daily` (every account × service ×
//! region × charge cell of a day, read only to explain an anomaly).
//!
//! Each function takes whose cost to read as a [`CostOwner`] or a list of [`TenantRef`]s (which
//! only a caller's `TenantScope` hands out), and every statement filters on `tenant_id` first.
//! Amounts come back as exact `i128` picos (see [`money`]).
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};

use super::dimension::{CostMetric, Grouping};
use super::money;
use super::period::DateRange;
use crate::tenancy::{CostOwner, TenantRef};

/// One sum: `key` is the group (None: no group, or no value for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub key: Option<String>,
    pub currency: String,
    pub picos: i128,
}

/// One day's (or month's) sum of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedSum {
    pub date: NaiveDate,
    pub key: Option<String>,
    pub currency: String,
    pub picos: i128,
}

/// Positional parameters `$1…$n`, which both SQLite and PostgreSQL accept.
#[derive(Default)]
struct Params(Vec<Value>);

impl Params {
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.0.push(value.into());
        format!("${}", self.0.len())
    }
}

fn owner_filter(owner: &CostOwner, params: &mut Params) -> String {
    match owner.tenant_id() {
        Some(id) => format!("tenant_id = {}", params.bind(id.to_string())),
        None => "tenant_id IS NULL".into(),
    }
}

fn tenants_filter(tenants: &[TenantRef], params: &mut Params) -> String {
    let list: Vec<String> = tenants
        .iter()
        .map(|t| params.bind(t.id().to_string()))
        .collect();
    format!("tenant_id IN ({})", list.join(", "))
}

/// The table and group column of a grouping, with the tag key filter it needs.
fn source(grouping: &Grouping, params: &mut Params) -> (&'static str, String, String) {
    match grouping {
        Grouping::None => (
            "cost_daily_by",
            "CAST(NULL AS TEXT)".into(),
            TOTAL.to_string(),
        ),
        Grouping::Column(column) => (
            "cost_daily_by",
            "dimension_key".into(),
            format!(" AND dimension = '{column}'"),
        ),
        Grouping::Tag(key) => (
            "cost_daily_tags",
            "tag_value".into(),
            format!(" AND tag_key = {}", params.bind(key.clone())),
        ),
    }
}

/// The condition selecting the total rows of `cost_daily_by`.
const TOTAL: &str = " AND dimension = '*'";

/// The group column followed by a comma, or nothing when there is no group.
fn group_prefix(grouping: &Grouping, key: &str) -> String {
    match grouping {
        Grouping::None => String::new(),
        _ => format!("{key}, "),
    }
}

async fn fetch(
    db: &impl ConnectionTrait,
    sql: String,
    params: Params,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        params.0,
    ))
    .await
}

/// Totals of `owner` over `range`, by group and currency.
pub async fn grouped(
    db: &impl ConnectionTrait,
    owner: &CostOwner,
    range: DateRange,
    grouping: &Grouping,
    metric: CostMetric,
) -> Result<Vec<Sum>, DbErr> {
    let mut params = Params::default();
    let who = owner_filter(owner, &mut params);
    let (table, key, extra) = source(grouping, &mut params);
    let (from, to) = (params.bind(range.start), params.bind(range.end));
    let sql = format!(
        "SELECT {key} AS k, currency, {sum} FROM {table} \
         WHERE {who}{extra} AND usage_date >= {from} AND usage_date < {to} \
         GROUP BY {group}currency",
        sum = money::sum_sql(metric.column(), "amount"),
        group = group_prefix(grouping, &key),
    );
    let backend = db.get_database_backend();
    let mut sums = fetch(db, sql, params)
        .await?
        .iter()
        .map(|row| read_sum(row, backend))
        .collect::<Result<Vec<_>, _>>()?;
    if let Grouping::Tag(_) = grouping {
        // Cost without the tag is the rest of the total: show it, never drop it.
        let totals = Box::pin(grouped(db, owner, range, &Grouping::None, metric)).await?;
        for total in totals {
            let tagged: i128 = sums
                .iter()
                .filter(|s| s.currency == total.currency)
                .map(|s| s.picos)
                .sum();
            if total.picos != tagged {
                sums.push(Sum {
                    key: None,
                    currency: total.currency,
                    picos: total.picos - tagged,
                });
            }
        }
    }
    Ok(sums)
}

/// Daily sums of `owner` over `range`, by group and currency, ordered by day.
pub async fn daily(
    db: &impl ConnectionTrait,
    owner: &CostOwner,
    range: DateRange,
    grouping: &Grouping,
    metric: CostMetric,
) -> Result<Vec<DatedSum>, DbErr> {
    let mut params = Params::default();
    let who = owner_filter(owner, &mut params);
    let (table, key, extra) = source(grouping, &mut params);
    let (from, to) = (params.bind(range.start), params.bind(range.end));
    let sql = format!(
        "SELECT usage_date AS d, {key} AS k, currency, {sum} FROM {table} \
         WHERE {who}{extra} AND usage_date >= {from} AND usage_date < {to} \
         GROUP BY usage_date, {group}currency ORDER BY usage_date",
        sum = money::sum_sql(metric.column(), "amount"),
        group = group_prefix(grouping, &key),
    );
    let backend = db.get_database_backend();
    fetch(db, sql, params)
        .await?
        .iter()
        .map(|row| read_dated(row, backend))
        .collect()
}

/// Totals of many tenants over one range, in one statement: what the Summary's loaders batch.
pub async fn totals_by_tenant(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    range: DateRange,
    metric: CostMetric,
) -> Result<HashMap<String, Vec<Sum>>, DbErr> {
    let mut result: HashMap<String, Vec<Sum>> = HashMap::new();
    if tenants.is_empty() {
        return Ok(result);
    }
    let mut params = Params::default();
    let who = tenants_filter(tenants, &mut params);
    let (from, to) = (params.bind(range.start), params.bind(range.end));
    let sql = format!(
        "SELECT tenant_id AS k, currency, {sum} FROM cost_daily_by \
         WHERE {who}{TOTAL} AND usage_date >= {from} AND usage_date < {to} GROUP BY tenant_id, currency",
        sum = money::sum_sql(metric.column(), "amount"),
    );
    let backend = db.get_database_backend();
    for row in fetch(db, sql, params).await? {
        let sum = read_sum(&row, backend)?;
        let tenant = sum.key.clone().unwrap_or_default();
        result
            .entry(tenant)
            .or_default()
            .push(Sum { key: None, ..sum });
    }
    Ok(result)
}

/// Monthly totals (by month of usage) of many tenants over a range, in one statement.
pub async fn monthly_by_tenant(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    range: DateRange,
    metric: CostMetric,
) -> Result<HashMap<String, Vec<DatedSum>>, DbErr> {
    let mut result: HashMap<String, Vec<DatedSum>> = HashMap::new();
    if tenants.is_empty() {
        return Ok(result);
    }
    let backend = db.get_database_backend();
    let month = match backend {
        DbBackend::Postgres => "CAST(date_trunc('month', usage_date) AS DATE)",
        _ => "date(usage_date, 'start of month')",
    };
    let mut params = Params::default();
    let who = tenants_filter(tenants, &mut params);
    let (from, to) = (params.bind(range.start), params.bind(range.end));
    let sql = format!(
        "SELECT {month} AS d, tenant_id AS k, currency, {sum} FROM cost_daily_by \
         WHERE {who}{TOTAL} AND usage_date >= {from} AND usage_date < {to} \
         GROUP BY {month}, tenant_id, currency ORDER BY d",
        sum = money::sum_sql(metric.column(), "amount"),
    );
    for row in fetch(db, sql, params).await? {
        let sum = read_dated(&row, backend)?;
        let tenant = sum.key.clone().unwrap_or_default();
        result
            .entry(tenant)
            .or_default()
            .push(DatedSum { key: None, ..sum });
    }
    Ok(result)
}

/// Daily sums of many tenants over one range by one `cost_daily_by` dimension (`key` is the
/// dimension's value, `*` the total), in one statement.
pub async fn daily_by_tenant(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    range: DateRange,
    dimension: &'static str,
    metric: CostMetric,
) -> Result<HashMap<String, Vec<DatedSum>>, DbErr> {
    let mut result: HashMap<String, Vec<DatedSum>> = HashMap::new();
    if tenants.is_empty() {
        return Ok(result);
    }
    let mut params = Params::default();
    let who = tenants_filter(tenants, &mut params);
    let (from, to) = (params.bind(range.start), params.bind(range.end));
    let sql = format!(
        "SELECT usage_date AS d, tenant_id AS t, dimension_key AS k, currency, {sum} FROM cost_daily_by \
         WHERE {who} AND dimension = '{dimension}' AND usage_date >= {from} AND usage_date < {to} \
         GROUP BY usage_date, tenant_id, dimension_key, currency ORDER BY d",
        sum = money::sum_sql(metric.column(), "amount"),
    );
    let backend = db.get_database_backend();
    for row in fetch(db, sql, params).await? {
        let tenant: String = row.try_get("", "t")?;
        result
            .entry(tenant)
            .or_default()
            .push(read_dated(&row, backend)?);
    }
    Ok(result)
}

/// One day's cost of one service in one account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSum {
    pub date: NaiveDate,
    pub service: Option<String>,
    pub account: String,
    pub region: Option<String>,
    pub charge_category: String,
    pub currency: String,
    pub picos: i128,
}

/// Daily cost by service, account, region and charge category of many tenants over a range, in one statement
/// (anomaly detection and its root causes).
pub async fn cells_by_tenant(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    range: DateRange,
    metric: CostMetric,
) -> Result<HashMap<String, Vec<CellSum>>, DbErr> {
    let mut result: HashMap<String, Vec<CellSum>> = HashMap::new();
    if tenants.is_empty() {
        return Ok(result);
    }
    let mut params = Params::default();
    let who = tenants_filter(tenants, &mut params);
    let (from, to) = (params.bind(range.start), params.bind(range.end));
    let sql = format!(
        "SELECT usage_date AS d, tenant_id AS k, service_name, account_id, region, charge_category, \
         currency, {sum} FROM cost_daily WHERE {who} AND usage_date >= {from} AND usage_date < {to} \
         GROUP BY usage_date, tenant_id, service_name, account_id, region, charge_category, currency \
         ORDER BY d",
        sum = money::sum_sql(metric.column(), "amount"),
    );
    let backend = db.get_database_backend();
    for row in fetch(db, sql, params).await? {
        let dated = read_dated(&row, backend)?;
        let tenant = dated.key.clone().unwrap_or_default();
        result.entry(tenant).or_default().push(CellSum {
            date: dated.date,
            service: row.try_get("", "service_name")?,
            account: row.try_get("", "account_id")?,
            region: row.try_get("", "region")?,
            charge_category: row.try_get("", "charge_category")?,
            currency: dated.currency,
            picos: dated.picos,
        });
    }
    Ok(result)
}

fn read_sum(row: &QueryResult, backend: DbBackend) -> Result<Sum, DbErr> {
    Ok(Sum {
        key: row.try_get("", "k")?,
        currency: row.try_get("", "currency")?,
        picos: money::read_sum(row, backend, "amount")?,
    })
}

fn read_dated(row: &QueryResult, backend: DbBackend) -> Result<DatedSum, DbErr> {
    let date = match backend {
        DbBackend::Postgres => row.try_get::<NaiveDate>("", "d")?,
        // SQLite returns the TEXT it stored.
        _ => {
            let text: String = row.try_get("", "d")?;
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map_err(|e| DbErr::Type(format!("date '{text}': {e}")))?
        }
    };
    Ok(DatedSum {
        date,
        key: row.try_get("", "k")?,
        currency: row.try_get("", "currency")?,
        picos: money::read_sum(row, backend, "amount")?,
    })
}
