//! Billing scopes, and the daily rollups every cost view reads, built while the lines stream.
//!
//! Aggregating after the load (`INSERT … SELECT … GROUP BY` over the scope's lines, JSON tags
//! unnested in SQL) took longer than loading the lines themselves. So the importer sums lines
//! into the rollups as it reads them, in hash maps of bounded size: when a map is full it is
//! written out as rows and emptied. A rollup row is therefore a *partial* sum — the same key may
//! appear in several rows of one batch — which costs nothing, because every query sums rollup
//! rows anyway. Memory stays flat whatever the file size; the rows carry their batch id, so a
//! replaced or discarded delivery's rollups go with its lines.

use chrono::NaiveDate;
use sea_orm::DbErr;

use super::store::{Arg, Line, Txn};

/// What one import replaces: a billing period of one billing account of one provider. Cloud bills
/// are restated until they close, so a newer file for the same scope replaces the older one whole.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct BillingScope {
    pub provider: String,
    pub billing_account_id: String,
    pub billing_period_start: NaiveDate,
}

impl BillingScope {
    /// `$1, $2, $3` of [`SCOPE`].
    pub fn args(&self) -> Vec<Arg> {
        vec![
            self.provider.clone().into(),
            self.billing_account_id.clone().into(),
            self.billing_period_start.into(),
        ]
    }
}

/// The condition selecting one scope's rows, with [`BillingScope::args`] as `$1…$3`.
pub const SCOPE: &str = "provider = $1 AND billing_account_id = $2 AND billing_period_start = $3";

/// The tables that hold a scope's data.
const TABLES: [&str; 5] = [
    "cost_lines",
    "cost_daily",
    "cost_daily_tags",
    "cost_daily_by",
    "cost_resource_daily",
];

/// Drops the scope's rows from earlier batches: `batch_id`'s rows are now the scope.
pub async fn replace_scope(
    db: &mut Txn,
    batch_id: &str,
    scope: &BillingScope,
) -> Result<(), DbErr> {
    delete_scope(db, scope, "<>", batch_id).await
}

/// Drops `batch_id`'s rows of the scope: the stored delivery stays.
pub async fn discard_scope(
    db: &mut Txn,
    batch_id: &str,
    scope: &BillingScope,
) -> Result<(), DbErr> {
    delete_scope(db, scope, "=", batch_id).await
}

/// Deletes the scope's rows whose batch compares to `batch_id` with `operator`, in every table.
async fn delete_scope(
    db: &mut Txn,
    scope: &BillingScope,
    operator: &str,
    batch_id: &str,
) -> Result<(), DbErr> {
    for table in TABLES {
        let mut args = scope.args();
        args.push(batch_id.into());
        db.exec(
            &format!("DELETE FROM {table} WHERE {SCOPE} AND import_batch_id {operator} $4"),
            args,
        )
        .await?;
    }
    Ok(())
}

/// The `INSERT … SELECT` deriving one scope's `cost_daily_by` rows (`$1…$3` as in [`SCOPE`]).
pub fn by_dimension_sql() -> String {
    migration::m20261129_000008_daily_by_dimension::derive_sql(SCOPE)
}

/// The dimensions every rollup row carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Owner {
    pub tenant_id: Option<String>,
    pub usage_date: NaiveDate,
    pub billing_period_start: NaiveDate,
    pub provider: String,
    pub billing_account_id: String,
    pub account_id: String,
    pub currency: String,
}

/// A `cost_daily` key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DailyKey {
    pub owner: Owner,
    pub service_name: Option<String>,
    pub service_category: Option<String>,
    pub region: Option<String>,
    pub charge_category: String,
}

/// A `cost_daily_by` key: the owner (its `account_id` only names the cell in errors; the table
/// keeps the account as the key of the `account_id` dimension), the dimension and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DimensionKey {
    pub owner: Owner,
    pub dimension: &'static str,
    pub key: Option<String>,
}

/// A `cost_resource_daily` key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceKey {
    pub owner: Owner,
    pub resource_id: String,
}

/// A resource's day: its sums, and the hourly list unit price its usage was billed at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDay {
    pub sums: Sums,
    pub hourly_unit_price: Option<String>,
}

/// A `cost_daily_tags` key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagKey {
    pub owner: Owner,
    pub key: String,
    pub value: String,
}

// Borrowed twins of the keys, for looking up without allocating: they hash exactly like the owned
// keys (same fields, same order; `&str` hashes as `String`), and compare equal field by field.
#[derive(Hash)]
struct OwnerRef<'a> {
    tenant_id: Option<&'a str>,
    usage_date: NaiveDate,
    billing_period_start: NaiveDate,
    provider: &'a str,
    billing_account_id: &'a str,
    account_id: &'a str,
    currency: &'a str,
}

#[derive(Hash)]
struct DailyKeyRef<'a> {
    owner: &'a OwnerRef<'a>,
    service_name: Option<&'a str>,
    service_category: Option<&'a str>,
    region: Option<&'a str>,
    charge_category: &'a str,
}

#[derive(Hash)]
struct ResourceKeyRef<'a> {
    owner: &'a OwnerRef<'a>,
    resource_id: &'a str,
}

impl hashbrown::Equivalent<ResourceKey> for ResourceKeyRef<'_> {
    fn equivalent(&self, k: &ResourceKey) -> bool {
        self.resource_id == k.resource_id && self.owner.matches(&k.owner)
    }
}

#[derive(Hash)]
struct TagKeyRef<'a> {
    owner: &'a OwnerRef<'a>,
    key: &'a str,
    value: &'a str,
}

impl OwnerRef<'_> {
    fn matches(&self, o: &Owner) -> bool {
        self.usage_date == o.usage_date
            && self.account_id == o.account_id
            && self.tenant_id == o.tenant_id.as_deref()
            && self.billing_period_start == o.billing_period_start
            && self.provider == o.provider
            && self.billing_account_id == o.billing_account_id
            && self.currency == o.currency
    }

    fn to_owned(&self) -> Owner {
        Owner {
            tenant_id: self.tenant_id.map(str::to_string),
            usage_date: self.usage_date,
            billing_period_start: self.billing_period_start,
            provider: self.provider.to_string(),
            billing_account_id: self.billing_account_id.to_string(),
            account_id: self.account_id.to_string(),
            currency: self.currency.to_string(),
        }
    }
}

impl hashbrown::Equivalent<DailyKey> for DailyKeyRef<'_> {
    fn equivalent(&self, k: &DailyKey) -> bool {
        self.service_name == k.service_name.as_deref()
            && self.region == k.region.as_deref()
            && self.charge_category == k.charge_category
            && self.service_category == k.service_category.as_deref()
            && self.owner.matches(&k.owner)
    }
}

impl hashbrown::Equivalent<TagKey> for TagKeyRef<'_> {
    fn equivalent(&self, k: &TagKey) -> bool {
        self.key == k.key && self.value == k.value && self.owner.matches(&k.owner)
    }
}

/// Summed amounts (picos) and lines. `i128`, so a partial sum never overflows in memory; a cell
/// too large for the stored `BIGINT` is refused when written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub billed: i128,
    pub effective: i128,
    pub list: i128,
    pub lines: i64,
}

impl Sums {
    fn merge(&mut self, other: &Sums) {
        self.billed += other.billed;
        self.effective += other.effective;
        self.list += other.list;
        self.lines += other.lines;
    }

    fn add(&mut self, line: &Line) {
        self.billed += line.record.billed_cost as i128;
        self.effective += line.record.effective_cost as i128;
        self.list += line.record.list_cost as i128;
        self.lines += 1;
    }
}

/// Rollup rows ready to write.
#[derive(Debug, Default)]
pub struct RollupRows {
    pub daily: Vec<(DailyKey, Sums)>,
    /// The same cells summed by one dimension at a time (see [`by_dimension`]).
    pub by_dimension: Vec<(DimensionKey, Sums)>,
    pub tags: Vec<(TagKey, Sums)>,
    pub resources: Vec<(ResourceKey, ResourceDay)>,
}

/// Parsed tag pairs of the tag objects seen lately: the same few objects repeat on every line
/// of a resource, so each is parsed once.
const TAG_MEMO: usize = 20_000;

/// The rollups of the lines read so far, at most `capacity` keys per table in memory.
pub struct Rollups {
    daily: hashbrown::HashMap<DailyKey, Sums>,
    tags: hashbrown::HashMap<TagKey, Sums>,
    resources: hashbrown::HashMap<ResourceKey, ResourceDay>,
    tag_pairs: hashbrown::HashMap<String, Vec<(String, String)>>,
    capacity: usize,
    resources_since: NaiveDate,
}

/// How many days back from the import the per-resource rollup keeps. It serves one view, a
/// resource's cost of the last 30 days; time only moves forward, so a day older than this at
/// import time can never enter that window again, and summing it would only fill the table (for
/// bills that are already daily per resource, as many rows as lines). The margin covers
/// restatements of the previous month.
pub const RESOURCE_DAYS: u64 = 35;

impl Rollups {
    /// `resources_since`: the first day the per-resource rollup keeps (see [`RESOURCE_DAYS`]).
    pub fn new(capacity: usize, resources_since: NaiveDate) -> Rollups {
        Rollups {
            daily: hashbrown::HashMap::new(),
            tags: hashbrown::HashMap::new(),
            resources: hashbrown::HashMap::new(),
            tag_pairs: hashbrown::HashMap::new(),
            capacity,
            resources_since,
        }
    }

    pub fn add(&mut self, line: &Line) {
        let r = &line.record;
        let owner = OwnerRef {
            tenant_id: line.tenant_id.as_deref(),
            usage_date: r.usage_date(),
            billing_period_start: r.billing_period_start,
            provider: &r.provider,
            billing_account_id: &r.billing_account_id,
            account_id: &r.account_id,
            currency: &r.currency,
        };
        let daily = DailyKeyRef {
            owner: &owner,
            service_name: r.service_name.as_deref(),
            service_category: r.service_category.as_deref(),
            region: r.region.as_deref(),
            charge_category: &r.charge_category,
        };
        match self.daily.get_mut(&daily) {
            Some(sums) => sums.add(line),
            None => {
                let key = DailyKey {
                    owner: owner.to_owned(),
                    service_name: r.service_name.clone(),
                    service_category: r.service_category.clone(),
                    region: r.region.clone(),
                    charge_category: r.charge_category.clone(),
                };
                self.daily.entry(key).or_default().add(line);
            }
        }
        if let Some(id) = r
            .resource_id
            .as_deref()
            .filter(|_| owner.usage_date >= self.resources_since)
        {
            let lookup = ResourceKeyRef {
                owner: &owner,
                resource_id: resource_key(id),
            };
            let day = match self.resources.get_mut(&lookup) {
                Some(day) => day,
                None => {
                    let key = ResourceKey {
                        owner: owner.to_owned(),
                        resource_id: lookup.resource_id.to_string(),
                    };
                    self.resources.entry(key).or_default()
                }
            };
            day.sums.add(line);
            if is_hourly(r.pricing_unit.as_deref())
                && r.list_unit_price.is_some()
                && day.hourly_unit_price.is_none()
            {
                day.hourly_unit_price = r.list_unit_price.clone();
            }
        }
        let Some(tags) = r.tags.as_deref() else {
            return;
        };
        if !self.tag_pairs.contains_key(tags) {
            if self.tag_pairs.len() >= TAG_MEMO {
                self.tag_pairs.clear();
            }
            self.tag_pairs
                .insert(tags.to_string(), tag_pairs(Some(tags)));
        }
        for (key, value) in &self.tag_pairs[tags] {
            let lookup = TagKeyRef {
                owner: &owner,
                key,
                value,
            };
            match self.tags.get_mut(&lookup) {
                Some(sums) => sums.add(line),
                None => {
                    let owned = TagKey {
                        owner: owner.to_owned(),
                        key: key.clone(),
                        value: value.clone(),
                    };
                    self.tags.entry(owned).or_default().add(line);
                }
            }
        }
    }

    pub fn is_full(&self) -> bool {
        self.daily.len() >= self.capacity
            || self.tags.len() >= self.capacity
            || self.resources.len() >= self.capacity
    }

    /// Everything summed so far, as rows; the maps start over.
    /// Rows come out in the order of the tables' b-tree indexes (tenant first), so the database
    /// appends to a few index pages instead of touching pages all over the index.
    pub fn drain(&mut self) -> RollupRows {
        let mut rows = RollupRows {
            daily: self.daily.drain().collect(),
            by_dimension: Vec::new(),
            tags: self.tags.drain().collect(),
            resources: self.resources.drain().collect(),
        };
        rows.by_dimension = by_dimension(&rows.daily);
        rows.daily.sort_unstable_by(|a, b| {
            (&a.0.owner.tenant_id, a.0.owner.usage_date)
                .cmp(&(&b.0.owner.tenant_id, b.0.owner.usage_date))
        });
        rows.tags.sort_unstable_by(|a, b| {
            (&a.0.owner.tenant_id, &a.0.key, a.0.owner.usage_date).cmp(&(
                &b.0.owner.tenant_id,
                &b.0.key,
                b.0.owner.usage_date,
            ))
        });
        rows.resources.sort_unstable_by(|a, b| {
            (&a.0.owner.tenant_id, &a.0.resource_id, a.0.owner.usage_date).cmp(&(
                &b.0.owner.tenant_id,
                &b.0.resource_id,
                b.0.owner.usage_date,
            ))
        });
        rows
    }
}

/// `cost_daily` cells summed by one dimension at a time — the total (`*`), service, service
/// category, account, region, charge category, provider — for each tenant and day: the rows of
/// `cost_daily_by`, summed here while the lines stream rather than aggregated from `cost_daily`
/// after the load (which, when every line is its own cell, costs more than the load). Like every
/// rollup they are partial sums of one batch; migration 8's `derive_sql` builds the same rows in
/// SQL (for data loaded before, and after accounts move between tenants).
pub fn by_dimension(daily: &[(DailyKey, Sums)]) -> Vec<(DimensionKey, Sums)> {
    let mut out: hashbrown::HashMap<DimensionKey, Sums> = hashbrown::HashMap::new();
    for (cell, sums) in daily {
        let values: [(&'static str, Option<&String>); 7] = [
            ("*", None),
            ("service_name", cell.service_name.as_ref()),
            ("service_category", cell.service_category.as_ref()),
            ("account_id", Some(&cell.owner.account_id)),
            ("region", cell.region.as_ref()),
            ("charge_category", Some(&cell.charge_category)),
            ("provider", Some(&cell.owner.provider)),
        ];
        for (dimension, key) in values {
            let mut owner = cell.owner.clone();
            if dimension != "account_id" {
                owner.account_id = String::new();
            }
            out.entry(DimensionKey {
                owner,
                dimension,
                key: key.cloned(),
            })
            .or_default()
            .merge(sums);
        }
    }
    let mut rows: Vec<_> = out.into_iter().collect();
    rows.sort_unstable_by(|a, b| {
        (&a.0.owner.tenant_id, a.0.dimension, a.0.owner.usage_date).cmp(&(
            &b.0.owner.tenant_id,
            b.0.dimension,
            b.0.owner.usage_date,
        ))
    });
    rows
}

/// The id a resource's cost is kept under: bills name EC2 instances and EBS volumes by id or by
/// ARN (`arn:aws:ec2:…:instance/i-…`); both become the bare id the inventory uses. Other ARNs
/// (RDS bills by ARN) stay as they are.
pub fn resource_key(id: &str) -> &str {
    if id.starts_with("arn:aws:ec2:") {
        if let Some((_, tail)) = id.rsplit_once('/') {
            if tail.starts_with("i-") || tail.starts_with("vol-") {
                return tail;
            }
        }
    }
    id
}

/// Usage priced by the hour ("Hours" in FOCUS, "Hrs" in CUR).
fn is_hourly(unit: Option<&str>) -> bool {
    matches!(
        unit.map(str::to_ascii_lowercase).as_deref(),
        Some("hours" | "hrs" | "hour" | "hr")
    )
}

/// The (key, value) pairs of a tags JSON object; non-string values as their JSON text, null as "".
fn tag_pairs(tags: Option<&str>) -> Vec<(String, String)> {
    let Some(text) = tags else { return Vec::new() };
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
        Ok(map) => map
            .into_iter()
            .map(|(k, v)| {
                let value = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, value)
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_arns_become_bare_ids() {
        assert_eq!(
            resource_key("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"),
            "i-0abc"
        );
        assert_eq!(
            resource_key("arn:aws:ec2:us-east-1:123456789012:volume/vol-1"),
            "vol-1"
        );
        assert_eq!(
            resource_key("arn:aws:rds:us-east-1:123456789012:db:main"),
            "arn:aws:rds:us-east-1:123456789012:db:main"
        );
        assert_eq!(resource_key("i-0abc"), "i-0abc");
    }

    #[test]
    fn tag_values_read_as_text() {
        let pairs = tag_pairs(Some(r#"{"a":"x","n":3,"z":null}"#));
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "x".into()),
                ("n".into(), "3".into()),
                ("z".into(), "".into())
            ]
        );
        assert!(tag_pairs(None).is_empty());
    }
}
