//! Streams FOCUS 1.0 cost and usage CSVs, one file per billing month.
//!
//! Rows are produced day by day straight into a buffered `csv::Writer`; only
//! one running total per resource is kept (for the month's tax and credit
//! lines), so memory does not grow with the number of rows.
//!
//! EC2 instances, EBS volumes and RDS instances cost the same every full day
//! (hours × hourly list price, or size × GB-month price ÷ 30), so their row
//! text is built once; a stopped instance's last row carries the hours it
//! ran that day and it has no rows after.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, Months, NaiveDate, Weekday};
use rust_decimal::Decimal;

use super::catalog::{REGIONS, SERVICES};
use super::plan::{splitmix64, Fixed, Plan, Resource, SAVINGS_PLAN_FACTOR, SPIKE_FACTOR};

/// Empty values are written as this literal, as real FOCUS exports do.
pub(super) const NULL: &str = "NULL";
/// Sales tax rate applied to a month's billed usage.
const TAX_RATE: (i64, u32) = (625, 4);
/// Tax lines per account and month (one per most expensive service).
const TAX_LINES: usize = 3;
/// A promotional credit never covers more than this share of the month's bill.
const CREDIT_SHARE: (i64, u32) = (5, 1);

/// Declares the column enum and the header from one list so they cannot drift apart.
macro_rules! focus_columns {
    ($($name:ident),+ $(,)?) => {
        /// FOCUS 1.0 columns in file order. Some (e.g. `ChargeClass`) are
        /// always `NULL` here and therefore never named in code.
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy)]
        pub(super) enum Col { $($name),+ }
        /// The CSV header, in the order FOCUS 1.0 lists its columns.
        pub(super) const HEADER: &[&str] = &[$(stringify!($name)),+];
    };
}

focus_columns!(
    AvailabilityZone,
    BilledCost,
    BillingAccountId,
    BillingAccountName,
    BillingCurrency,
    BillingPeriodEnd,
    BillingPeriodStart,
    ChargeCategory,
    ChargeClass,
    ChargeDescription,
    ChargeFrequency,
    ChargePeriodEnd,
    ChargePeriodStart,
    CommitmentDiscountCategory,
    CommitmentDiscountId,
    CommitmentDiscountName,
    CommitmentDiscountStatus,
    CommitmentDiscountType,
    ConsumedQuantity,
    ConsumedUnit,
    ContractedCost,
    ContractedUnitPrice,
    EffectiveCost,
    InvoiceIssuerName,
    ListCost,
    ListUnitPrice,
    PricingCategory,
    PricingQuantity,
    PricingUnit,
    ProviderName,
    PublisherName,
    RegionId,
    RegionName,
    ResourceId,
    ResourceName,
    ResourceType,
    ServiceCategory,
    ServiceName,
    SkuId,
    SkuPriceId,
    SubAccountId,
    SubAccountName,
    Tags,
);

const COLUMNS: usize = HEADER.len();

/// One CSV record; every column starts as `NULL`.
#[derive(Debug, Clone, Copy)]
struct Row<'a>([&'a str; COLUMNS]);

impl<'a> Row<'a> {
    fn empty() -> Self {
        Row([NULL; COLUMNS])
    }

    fn set(&mut self, col: Col, value: &'a str) -> &mut Self {
        self.0[col as usize] = value;
        self
    }
}

/// Result of writing all monthly files.
#[derive(Debug)]
pub(super) struct Written {
    pub paths: Vec<PathBuf>,
    pub rows: u64,
}

/// Writes `focus-YYYY-MM.csv` for every month from the plan's first day to its end date.
pub(super) fn write_months(plan: &Plan, out_dir: &Path) -> Result<Written> {
    let mut written = Written {
        paths: Vec::new(),
        rows: 0,
    };
    // Full-day rows of inventoried resources, identical every day.
    let full_days: Vec<Option<(Usage, UsageText)>> = plan
        .resources
        .iter()
        .map(|r| {
            r.fixed.as_ref().map(|f| {
                let usage = Usage::fixed(r, f);
                let text = UsageText::from(&usage);
                (usage, text)
            })
        })
        .collect();
    let mut month = plan.first_day;
    while month <= plan.end_date {
        let path = out_dir.join(format!("focus-{}.csv", month.format("%Y-%m")));
        written.rows += write_month(plan, &full_days, month, &path)?;
        written.paths.push(path);
        month = month
            .checked_add_months(Months::new(1))
            .context("month after end of calendar")?;
    }
    Ok(written)
}

/// A CSV file being written, with error context naming the file.
struct CsvFile {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    rows: u64,
}

impl CsvFile {
    fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let writer = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, file));
        let mut out = CsvFile {
            path: path.to_path_buf(),
            writer,
            rows: 0,
        };
        out.writer
            .write_record(HEADER)
            .with_context(|| format!("writing header of {}", path.display()))?;
        Ok(out)
    }

    fn write(&mut self, row: &Row) -> Result<()> {
        self.writer
            .write_record(row.0)
            .with_context(|| format!("writing {}", self.path.display()))?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes everything to disk and returns the number of data rows.
    fn finish(mut self) -> Result<u64> {
        self.writer
            .flush()
            .with_context(|| format!("flushing {}", self.path.display()))?;
        Ok(self.rows)
    }
}

/// FOCUS timestamps are written as `YYYY-MM-DD HH:MM:SS`; all ours are midnight UTC.
fn midnight(day: NaiveDate) -> String {
    day.format("%Y-%m-%d 00:00:00").to_string()
}

/// The start of hour `h` of `day`, as FOCUS timestamps are written.
fn hour(day: NaiveDate, h: u32) -> String {
    format!("{} {h:02}:00:00", day.format("%Y-%m-%d"))
}

fn next_day(day: NaiveDate) -> Result<NaiveDate> {
    day.succ_opt()
        .with_context(|| format!("no day after {day}"))
}

/// Plain decimal text (never an exponent), trimmed of trailing zeros.
fn amount(value: Decimal) -> String {
    if value.is_zero() {
        "0".to_string()
    } else {
        value.round_dp(10).normalize().to_string()
    }
}

fn write_month(
    plan: &Plan,
    full_days: &[Option<(Usage, UsageText)>],
    month_start: NaiveDate,
    path: &Path,
) -> Result<u64> {
    let next_month = month_start
        .checked_add_months(Months::new(1))
        .context("month after end of calendar")?;
    let month_end = next_month.pred_opt().context("no last day of month")?;
    let last_day = month_end.min(plan.end_date);
    let (period_start, period_end) = (midnight(month_start), midnight(next_month));
    let payer = plan.org.payer();

    let mut template = Row::empty();
    template
        .set(Col::BillingAccountId, &payer.id)
        .set(Col::BillingAccountName, &payer.name)
        .set(Col::BillingCurrency, "USD")
        .set(Col::BillingPeriodStart, &period_start)
        .set(Col::BillingPeriodEnd, &period_end)
        .set(Col::InvoiceIssuerName, "Amazon Web Services, Inc.")
        .set(Col::ProviderName, "AWS")
        .set(Col::PublisherName, "Amazon Web Services, Inc.");

    let mut out = CsvFile::create(path)?;
    let mut month_billed = vec![Decimal::ZERO; plan.resources.len()];
    let mut day = month_start;
    while day <= last_day {
        let next = next_day(day)?;
        let (start, end) = (midnight(day), midnight(next));
        let mut day_row = template;
        day_row
            .set(Col::ChargePeriodStart, &start)
            .set(Col::ChargePeriodEnd, &end);
        let hours: Vec<(String, String)> = if plan.hourly {
            (0..24)
                .map(|h| {
                    (
                        hour(day, h),
                        if h == 23 {
                            end.clone()
                        } else {
                            hour(day, h + 1)
                        },
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        for (index, resource) in plan.resources.iter().enumerate() {
            let usage;
            let text;
            let (usage, text) = match (&full_days[index], &resource.stop) {
                (Some(_), Some((last, _))) if day > *last => continue,
                (Some(_), Some((last, partial))) if day == *last => {
                    usage = Usage::fixed(resource, partial);
                    text = UsageText::from(&usage);
                    (&usage, &text)
                }
                (Some((usage, text)), _) => (usage, text),
                (None, _) => {
                    usage = Usage::compute(plan, resource, day);
                    text = UsageText::from(&usage);
                    (&usage, &text)
                }
            };
            month_billed[index] += usage.billed;
            if plan.hourly {
                for ((start, end), part) in hours.iter().zip(usage.hours()) {
                    let text = UsageText::from(&part);
                    let mut hour_row = day_row;
                    hour_row
                        .set(Col::ChargePeriodStart, start)
                        .set(Col::ChargePeriodEnd, end);
                    out.write(&usage_row(hour_row, plan, resource, &text))?;
                }
            } else {
                out.write(&usage_row(day_row, plan, resource, text))?;
            }
        }
        if day == last_day {
            // Month-level adjustments are dated on the last generated day so
            // every row keeps a daily charge period within the requested range.
            for account in 0..plan.org.file.accounts.len() {
                let billed = &month_billed[plan.account_resources[account].clone()];
                write_adjustments(&mut out, plan, account, billed, day_row)?;
            }
        }
        day = next;
    }
    out.finish()
}

/// Amounts of one usage row.
#[derive(Debug)]
struct Usage {
    quantity: Decimal,
    list: Decimal,
    billed: Decimal,
    effective: Decimal,
}

impl Usage {
    /// The day's usage as 24 hourly parts that add up to it exactly (the last hour takes the
    /// rounding remainder).
    fn hours(&self) -> Vec<Usage> {
        fn part(x: Decimal) -> Decimal {
            (x / Decimal::from(24)).round_dp(10)
        }
        fn last(x: Decimal) -> Decimal {
            x - part(x) * Decimal::from(23)
        }
        (0..24)
            .map(|h| {
                let f: fn(Decimal) -> Decimal = if h == 23 { last } else { part };
                Usage {
                    quantity: f(self.quantity),
                    list: f(self.list),
                    billed: f(self.billed),
                    effective: f(self.effective),
                }
            })
            .collect()
    }

    /// Cost model: base × monthly growth × ±5% noise × (spike or weekend dip),
    /// turned into a usage quantity and priced from the resource's SKU.
    fn compute(plan: &Plan, resource: &Resource, day: NaiveDate) -> Usage {
        let service = &SERVICES[resource.service];
        let day_index = (day - plan.first_day).num_days();
        let mut cost = resource.base_daily * (resource.growth_per_day * day_index as f64).exp();
        cost *= 0.95 + 0.1 * unit_noise(resource.noise_key, day_index);
        let spiking = plan
            .spike
            .as_ref()
            .is_some_and(|s| s.applies(resource.account, resource.service, day));
        if spiking {
            // A runaway workload does not take the weekend off.
            cost *= SPIKE_FACTOR;
        } else if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            cost *= service.weekend;
        }
        let quantity = quantity(cost / resource.list_price_f64, service.qty_scale);
        let list = (quantity * resource.list_price).round_dp(10);
        let billed = (quantity * resource.contracted_price).round_dp(10);
        let effective = if resource.covered {
            (billed * Decimal::new(SAVINGS_PLAN_FACTOR.0, SAVINGS_PLAN_FACTOR.1)).round_dp(10)
        } else {
            billed
        };
        Usage {
            quantity,
            list,
            billed,
            effective,
        }
    }
}

impl Usage {
    /// An inventoried resource's day: billed (and listed) at the list price,
    /// less the Savings Plan discount on effective cost when covered.
    fn fixed(resource: &Resource, fixed: &Fixed) -> Usage {
        let effective = if resource.covered {
            (fixed.cost * Decimal::new(SAVINGS_PLAN_FACTOR.0, SAVINGS_PLAN_FACTOR.1)).round_dp(10)
        } else {
            fixed.cost
        };
        Usage {
            quantity: fixed.quantity,
            list: fixed.cost,
            billed: fixed.cost,
            effective,
        }
    }
}

/// Usage quantity rounded to the unit's precision, at least one smallest unit.
fn quantity(units: f64, scale: u32) -> Decimal {
    let scaled = (units * 10f64.powi(scale as i32)).round().clamp(1.0, 1e15) as i64;
    Decimal::new(scaled, scale)
}

/// Deterministic value in [0, 1) for a resource and day, independent of write order.
fn unit_noise(key: u64, day_index: i64) -> f64 {
    let bits = splitmix64(key ^ splitmix64(day_index as u64));
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Text form of [`Usage`], kept alive while the row borrows it.
#[derive(Debug)]
struct UsageText {
    quantity: String,
    list: String,
    billed: String,
    effective: String,
}

impl From<&Usage> for UsageText {
    fn from(u: &Usage) -> Self {
        UsageText {
            quantity: u.quantity.normalize().to_string(),
            list: amount(u.list),
            billed: amount(u.billed),
            effective: amount(u.effective),
        }
    }
}

fn usage_row<'a>(
    mut row: Row<'a>,
    plan: &'a Plan,
    resource: &'a Resource,
    text: &'a UsageText,
) -> Row<'a> {
    let service = &SERVICES[resource.service];
    let region = &REGIONS[resource.region];
    let account = &plan.org.file.accounts[resource.account];
    row.set(Col::AvailabilityZone, &resource.az)
        .set(Col::BilledCost, &text.billed)
        .set(Col::ChargeCategory, "Usage")
        .set(Col::ChargeDescription, &resource.description)
        .set(Col::ChargeFrequency, "Usage-Based")
        .set(Col::ConsumedQuantity, &text.quantity)
        .set(Col::ConsumedUnit, service.unit)
        .set(Col::ContractedCost, &text.billed)
        .set(Col::ContractedUnitPrice, &resource.contracted_price_text)
        .set(Col::EffectiveCost, &text.effective)
        .set(Col::ListCost, &text.list)
        .set(Col::ListUnitPrice, &resource.list_price_text)
        .set(Col::PricingCategory, "Standard")
        .set(Col::PricingQuantity, &text.quantity)
        .set(Col::PricingUnit, service.unit)
        .set(Col::RegionId, region.id)
        .set(Col::RegionName, region.name)
        .set(Col::ResourceId, &resource.id)
        .set(Col::ResourceName, &resource.name)
        .set(Col::ResourceType, service.resource_type)
        .set(Col::ServiceCategory, service.category)
        .set(Col::ServiceName, service.name)
        .set(Col::SkuId, &resource.sku_id)
        .set(Col::SkuPriceId, &resource.sku_price_id)
        .set(Col::SubAccountId, &account.id)
        .set(Col::SubAccountName, &account.name)
        .set(Col::Tags, &resource.tags);
    if resource.covered {
        row.set(Col::PricingCategory, "Committed")
            .set(Col::CommitmentDiscountCategory, "Spend")
            .set(Col::CommitmentDiscountId, &plan.savings_plan_arn)
            .set(
                Col::CommitmentDiscountName,
                "Compute Savings Plan (1 year, No Upfront)",
            )
            .set(Col::CommitmentDiscountStatus, "Used")
            .set(Col::CommitmentDiscountType, "Compute Savings Plan");
    }
    row
}

/// Tax lines for the account's most expensive services and, if the account
/// has a promotional credit, one negative credit line against its top service.
fn write_adjustments(
    out: &mut CsvFile,
    plan: &Plan,
    account: usize,
    billed: &[Decimal],
    day_row: Row,
) -> Result<()> {
    let resources = &plan.resources[plan.account_resources[account].clone()];
    let mut per_service = vec![Decimal::ZERO; SERVICES.len()];
    for (resource, cost) in resources.iter().zip(billed) {
        per_service[resource.service] += *cost;
    }
    let mut ranked: Vec<(usize, Decimal)> = per_service
        .into_iter()
        .enumerate()
        .filter(|(_, cost)| *cost > Decimal::ZERO)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let acct = &plan.org.file.accounts[account];
    let tax_rate = Decimal::new(TAX_RATE.0, TAX_RATE.1);
    for &(service, cost) in ranked.iter().take(TAX_LINES) {
        let tax = amount((cost * tax_rate).round_dp(2));
        let description = format!("Sales tax for {}", SERVICES[service].name);
        let mut row = adjustment_row(day_row, acct.id.as_str(), acct.name.as_str(), service);
        row.set(Col::ChargeCategory, "Tax")
            .set(Col::ChargeFrequency, "Recurring")
            .set(Col::ChargeDescription, &description)
            .set(Col::BilledCost, &tax)
            .set(Col::ContractedCost, &tax)
            .set(Col::EffectiveCost, &tax)
            .set(Col::ListCost, &tax);
        out.write(&row)?;
    }

    let (Some(cap), Some(&(top_service, _))) = (plan.credits[account], ranked.first()) else {
        return Ok(());
    };
    let total: Decimal = ranked.iter().map(|(_, cost)| *cost).sum();
    let credit = cap.min((total * Decimal::new(CREDIT_SHARE.0, CREDIT_SHARE.1)).round_dp(2));
    if credit <= Decimal::ZERO {
        return Ok(());
    }
    let negative = amount(-credit);
    let mut row = adjustment_row(day_row, acct.id.as_str(), acct.name.as_str(), top_service);
    row.set(Col::ChargeCategory, "Credit")
        .set(Col::ChargeFrequency, "One-Time")
        .set(Col::ChargeDescription, "AWS Promotional Credit")
        .set(Col::BilledCost, &negative)
        .set(Col::ContractedCost, &negative)
        .set(Col::EffectiveCost, &negative)
        .set(Col::ListCost, "0");
    out.write(&row)
}

/// Common part of tax and credit lines: account and service, no resource or usage.
fn adjustment_row<'a>(
    mut row: Row<'a>,
    account_id: &'a str,
    account_name: &'a str,
    service: usize,
) -> Row<'a> {
    let service = &SERVICES[service];
    row.set(Col::SubAccountId, account_id)
        .set(Col::SubAccountName, account_name)
        .set(Col::ServiceName, service.name)
        .set(Col::ServiceCategory, service.category);
    row
}
