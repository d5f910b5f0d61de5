//! AWS Cost and Usage Report (CUR) files, read as a stream of [`CostRecord`]s.
//!
//! Accepted: the legacy CSV report (`lineItem/UnblendedCost`, …), the CUR 2.0 / Data Exports CSV
//! (`line_item_unblended_cost`, …), either one gzip-compressed (`.gz`), and Parquet (`.parquet`,
//! legacy or CUR 2.0). The format is chosen by extension and the file's first bytes; legacy and 2.0
//! CSV are told apart by nothing at all: every header name is first reduced to one canonical
//! snake_case key (lowercase, `/` `:` and spaces become `_`, camelCase is split at each capital
//! letter: `lineItem/UnblendedCost` → `line_item_unblended_cost`, `product/regionCode` →
//! `product_region_code`, `reservation/ReservationARN` → `reservation_reservation_a_r_n`, exactly as
//! AWS names the Parquet columns), so one table of names serves every layout. Column positions are
//! resolved once per file; rows are read one at a time (CSV) or one record batch at a time
//! (Parquet, only the columns used below are decoded), so memory stays flat however large the file.
//!
//! Every row is a charge: `identity/LineItemId` repeats across hours and nothing is deduplicated.
//! A bad cell is reported with the file, the line (CSV: the line the record starts on; Parquet:
//! the 1-based row number) and the column name as it is written in the file. Header problems
//! (empty file, missing required column, not a CUR at all) are reported on line 1.
//!
//! # Columns
//!
//! Required: usage account, billing period start, unblended cost, line item type, and a usage
//! start date or the time interval. Everything else is optional (the column set drifts from one
//! month to the next). Empty cells (and a literal `NULL`) are absent values; an absent amount is 0.
//!
//! | `CostRecord` field | legacy CSV column | CUR 2.0 / Parquet column |
//! |---|---|---|
//! | `provider` | always `AWS` | |
//! | `billing_account_id` | `bill/PayerAccountId` (else the usage account) | `bill_payer_account_id` |
//! | `account_id` | `lineItem/UsageAccountId` (required) | `line_item_usage_account_id` |
//! | `account_name` | `lineItem/UsageAccountName` | `line_item_usage_account_name` |
//! | `billing_period_start` | UTC date of `bill/BillingPeriodStartDate` (required) | `bill_billing_period_start_date` |
//! | `charge_period_start` | `lineItem/UsageStartDate`, else the start of `identity/TimeInterval` | `line_item_usage_start_date`, `identity_time_interval` |
//! | `charge_period_end` | `lineItem/UsageEndDate`, else the end of `identity/TimeInterval` (else the start) | `line_item_usage_end_date`, `identity_time_interval` |
//! | `charge_category` | from `lineItem/LineItemType` (required), see below | `line_item_line_item_type` |
//! | `charge_frequency` | from `lineItem/LineItemType`, see below | |
//! | `service_name` | first non-empty of `product/ProductName`, `product/servicename`, `lineItem/ProductCode` | `product_product_name`, `product_servicename`, `line_item_product_code` |
//! | `service_category` | from `lineItem/ProductCode`, see below | `line_item_product_code` |
//! | `region` | first non-empty of `product/region`, `product/regionCode` | `product_region`, `product_region_code` |
//! | `availability_zone` | `lineItem/AvailabilityZone` | `line_item_availability_zone` |
//! | `resource_id` | `lineItem/ResourceId` | `line_item_resource_id` |
//! | `resource_type` | none | |
//! | `sku_id` | `product/sku` | `product_sku` |
//! | `pricing_unit` | `pricing/unit` | `pricing_unit` |
//! | `pricing_quantity` | `lineItem/UsageAmount` (decimal text as written) | `line_item_usage_amount` |
//! | `list_unit_price` | `pricing/publicOnDemandRate` (decimal text as written) | `pricing_public_on_demand_rate` |
//! | `billed_cost` | `lineItem/UnblendedCost` (required) | `line_item_unblended_cost` |
//! | `effective_cost` | amortised cost, see below | |
//! | `list_cost` | `pricing/publicOnDemandCost` when the cell is not empty, else the unblended cost | `pricing_public_on_demand_cost` |
//! | `currency` | `lineItem/CurrencyCode`; `USD` when the column is absent or the cell empty; else 3 capital letters | `line_item_currency_code` |
//! | `tags` | `resourceTags/user:Key` → `Key`, `resourceTags/aws:key` → `aws:key` | `resource_tags` (JSON object text in CSV, JSON text or `MAP<string,string>` in Parquet; keys kept as written), legacy Parquet `resource_tags_user_<key>` → `<key>`, `resource_tags_aws_<key>` → `aws:<key>` |
//!
//! Tags with an empty value are no tags. They are stored as a compact JSON object sorted by key,
//! `None` when a row has none.
//!
//! ## Line item types
//!
//! | `lineItem/LineItemType` | `charge_category` | `charge_frequency` |
//! |---|---|---|
//! | `Usage`, `DiscountedUsage`, `SavingsPlanCoveredUsage` | `Usage` | `Usage-Based` |
//! | `Tax` | `Tax` | `Usage-Based` |
//! | `Credit`, `Refund` | `Credit` | `Usage-Based` |
//! | `Fee`, `SavingsPlanUpfrontFee` | `Purchase` | `One-Time` |
//! | `RIFee`, `SavingsPlanRecurringFee` | `Purchase` | `Recurring` |
//! | `BundledDiscount`, `Discount`, `EdpDiscount`, `PrivateRateDiscount`, `SavingsPlanNegation`, `DistributorDiscount`, anything else | `Adjustment` | `Usage-Based` |
//!
//! ## Effective (amortised) cost
//!
//! AWS's amortised-cost rule (the one the Cost Intelligence dashboards use): upfront and
//! recurring commitment fees are spread over the usage they cover, and only the unused part of a
//! commitment stays on the fee line.
//!
//! | `lineItem/LineItemType` | `effective_cost` |
//! |---|---|
//! | `SavingsPlanCoveredUsage` | `savingsPlan/SavingsPlanEffectiveCost` |
//! | `SavingsPlanRecurringFee` | `savingsPlan/TotalCommitmentToDate` − `savingsPlan/UsedCommitment` (the unused commitment) |
//! | `SavingsPlanNegation`, `SavingsPlanUpfrontFee` | 0 (amortised into the covered usage) |
//! | `DiscountedUsage` | `reservation/EffectiveCost` |
//! | `RIFee` | `reservation/UnusedAmortizedUpfrontFeeForBillingPeriod` + `reservation/UnusedRecurringFee` (the unused reservation) |
//! | `Fee` with a non-empty `reservation/ReservationARN` (an RI upfront fee) | 0 (amortised into the covered usage) |
//! | anything else | `lineItem/UnblendedCost` |
//!
//! When a file lacks a column a rule needs (the Savings Plan columns for the `SavingsPlan*` types,
//! the reservation columns for `DiscountedUsage` and `RIFee`), the row's effective cost falls back
//! to `lineItem/NetUnblendedCost` when that column exists, else to `lineItem/UnblendedCost`.
//!
//! ## Service categories
//!
//! FOCUS `ServiceCategory` from `lineItem/ProductCode` (case-insensitive); other codes get none.
//!
//! | category | product codes |
//! |---|---|
//! | Compute | `AmazonEC2`, `AWSLambda`, `AmazonECS`, `AmazonEKS` |
//! | Storage | `AmazonS3`, `AmazonGlacier`, `AmazonEFS` |
//! | Databases | `AmazonRDS`, `AmazonDynamoDB`, `AmazonElastiCache`, `AmazonRedshift` |
//! | Management and Governance | `AmazonCloudWatch`, `AWSCostExplorer`, `AWSConfig`, `AWSCloudTrail`, `AWSBudgets` |
//! | Security | `AmazonGuardDuty`, `awswaf`, `AWSKMS`, `AWSSecretsManager` |
//! | Integration | `AmazonSNS`, `AmazonSQS`, `AWSQueueService`, `AWSEvents` |
//! | Networking | `AmazonVPC`, `AWSDataTransfer`, `AmazonCloudFront`, `AmazonRoute53` |
//! | Analytics | `AmazonAthena`, `AWSGlue`, `AmazonQuickSight` |
//!
//! ## Values
//!
//! Amounts are decimal text, possibly in scientific notation (`1.81E-8`), kept exactly to 12
//! decimals (`crate::cost::money`). Parquet `double` amounts are read at their shortest decimal
//! representation (the shortest text that reads back as the same double), which is what the
//! file's writer meant as far as a double can say. Date-times are ISO 8601 (`2018-02-01T00:00:00Z`,
//! `2023-11-01T00:00:00.000Z`, or a `start/end` interval), or Parquet timestamps (any unit, read as
//! UTC) or date-time strings.
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use crate::cost::money;
use crate::ingest::record::{CostRecord, RecordStream};
use crate::ingest::ImportError;

mod csv_source;
mod parquet_source;
#[cfg(test)]
mod tests;

/// Opens a CUR file (legacy CSV, CUR 2.0 CSV, either gzip-compressed `.gz`, or Parquet `.parquet`, detected by extension and, for CSV, by the header) as a stream of records.
pub fn open(path: &Path) -> Result<RecordStream, ImportError> {
    let io_error = |e| ImportError::Io(path.display().to_string(), e);
    let mut handle = File::open(path).map_err(io_error)?;
    if handle.metadata().map_err(io_error)?.len() == 0 {
        return Err(ImportError::invalid(
            path,
            Some(1),
            None,
            "the file is empty; an AWS Cost and Usage Report starts with a header line",
        ));
    }
    let mut magic = [0u8; 4];
    let mut seen = 0;
    while seen < magic.len() {
        match handle.read(&mut magic[seen..]).map_err(io_error)? {
            0 => break,
            n => seen += n,
        }
    }
    handle.seek(SeekFrom::Start(0)).map_err(io_error)?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if extension == "parquet" || magic == *b"PAR1" {
        return parquet_source::open(path, handle);
    }
    if magic == *b"PK\x03\x04" {
        return Err(ImportError::invalid(
            path,
            None,
            None,
            "ZIP-compressed reports are not supported; unzip the file or deliver it gzip-compressed",
        ));
    }
    let gzip = extension == "gz" || magic[..2] == [0x1f, 0x8b];
    csv_source::open(path, handle, gzip)
}

/// Access to the cells of one row, whatever the file format. Errors are messages about the cell;
/// the caller adds the file, line and column.
pub(super) trait Cells {
    /// The cell as text; `None` when null, empty or `NULL`.
    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>, String>;
    /// The cell as an exact amount; `None` when null or empty.
    fn amount(&self, col: usize) -> Result<Option<Decimal>, String>;
    /// The cell as a UTC instant; `None` when null or empty.
    fn time(&self, col: usize) -> Result<Option<DateTime<Utc>>, String>;
    /// Adds the entries of a tag map cell (JSON object text, or a map) to `into`.
    fn tags(&self, col: usize, into: &mut BTreeMap<String, String>) -> Result<(), String>;
}

/// A required column: its canonical key and its legacy CSV name (for messages).
struct Required {
    key: &'static str,
    legacy: &'static str,
}

const USAGE_ACCOUNT: Required = Required {
    key: "line_item_usage_account_id",
    legacy: "lineItem/UsageAccountId",
};
const BILLING_PERIOD_START: Required = Required {
    key: "bill_billing_period_start_date",
    legacy: "bill/BillingPeriodStartDate",
};
const UNBLENDED_COST: Required = Required {
    key: "line_item_unblended_cost",
    legacy: "lineItem/UnblendedCost",
};
const LINE_ITEM_TYPE: Required = Required {
    key: "line_item_line_item_type",
    legacy: "lineItem/LineItemType",
};

/// Where each column used sits in this file (CSV: header position; Parquet: position in the
/// decoded batch), plus the names as written, for messages.
pub(super) struct Columns {
    names: Vec<String>,
    usage_account: usize,
    billing_period_start: usize,
    unblended: usize,
    line_item_type: usize,
    usage_start: Option<usize>,
    usage_end: Option<usize>,
    time_interval: Option<usize>,
    payer: Option<usize>,
    account_name: Option<usize>,
    currency: Option<usize>,
    net_unblended: Option<usize>,
    sp_effective: Option<usize>,
    sp_total_commitment: Option<usize>,
    sp_used_commitment: Option<usize>,
    ri_effective: Option<usize>,
    ri_unused_upfront: Option<usize>,
    ri_unused_recurring: Option<usize>,
    ri_arn: Option<usize>,
    public_cost: Option<usize>,
    public_rate: Option<usize>,
    product_code: Option<usize>,
    service_names: [Option<usize>; 3],
    regions: [Option<usize>; 2],
    availability_zone: Option<usize>,
    resource_id: Option<usize>,
    sku: Option<usize>,
    pricing_unit: Option<usize>,
    usage_amount: Option<usize>,
    /// Single-tag columns (`resourceTags/user:Key`, `resource_tags_user_key`) and their tag keys.
    tag_columns: Vec<(usize, String)>,
    /// A whole tag map (`resource_tags`, CUR 2.0).
    tag_map: Option<usize>,
}

/// The canonical key of a header name: lowercase snake_case, categories and camelCase split.
pub(super) fn canonical(name: &str) -> String {
    let name = name.trim().trim_start_matches('\u{feff}');
    let mut out = String::with_capacity(name.len() + 8);
    for ch in name.chars() {
        match ch {
            '/' | ':' | ' ' | '-' | '.' | '_' => {
                if !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
            }
            c if c.is_ascii_uppercase() => {
                if !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            c => out.push(c),
        }
    }
    out
}

/// The tag key a single-tag column holds, if it is one.
fn tag_key(raw: &str, key: &str) -> Option<String> {
    let raw = raw.trim().trim_start_matches('\u{feff}');
    let rest_of = |prefix: &str| -> Option<&str> {
        let head = raw.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix)
            .then(|| &raw[prefix.len()..])
    };
    let found = if let Some(rest) = rest_of("resourceTags/") {
        // Legacy CSV: `resourceTags/user:Name` → `Name`, `resourceTags/aws:createdBy` as is.
        Some(rest.strip_prefix("user:").unwrap_or(rest).to_string())
    } else if let Some(rest) = rest_of("resource_tags_user_") {
        Some(rest.to_string())
    } else if let Some(rest) = key.strip_prefix("resource_tags_user_") {
        Some(rest.to_string())
    } else if let Some(rest) = rest_of("resource_tags_aws_") {
        Some(format!("aws:{rest}"))
    } else {
        key.strip_prefix("resource_tags_aws_")
            .map(|rest| format!("aws:{rest}"))
    };
    found.filter(|k| !k.is_empty())
}

impl Columns {
    /// Resolves the columns of a header (CSV) or schema (Parquet). `line` is where a header
    /// problem is reported (1 for CSV).
    pub(super) fn resolve(
        file: &Path,
        line: Option<u64>,
        names: Vec<String>,
    ) -> Result<Columns, ImportError> {
        let keys: Vec<String> = names.iter().map(|n| canonical(n)).collect();
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            index.entry(key.as_str()).or_insert(i);
        }
        let optional = |key: &str| index.get(key).copied();
        let legacy_layout = names.iter().any(|n| n.contains('/'));
        let missing = |field: &str, other: &str, what: &str| {
            let mut message = format!(
                "{what} ({other}); this is not an AWS Cost and Usage Report header, or not a \
                 complete one"
            );
            if index.contains_key("billed_cost") && index.contains_key("charge_period_start") {
                message.push_str("; the file looks like a FOCUS export: import it as FOCUS");
            }
            ImportError::invalid(file, line, Some(field), message)
        };
        let required = |r: &Required| {
            optional(r.key).ok_or_else(|| {
                let (field, other) = if legacy_layout {
                    (r.legacy, format!("`{}` in CUR 2.0 and Parquet", r.key))
                } else {
                    (r.key, format!("`{}` in the legacy CSV report", r.legacy))
                };
                missing(
                    field,
                    &other,
                    "required CUR column is missing from the header",
                )
            })
        };
        let usage_account = required(&USAGE_ACCOUNT)?;
        let billing_period_start = required(&BILLING_PERIOD_START)?;
        let unblended = required(&UNBLENDED_COST)?;
        let line_item_type = required(&LINE_ITEM_TYPE)?;
        let usage_start = optional("line_item_usage_start_date");
        let time_interval = optional("identity_time_interval");
        if usage_start.is_none() && time_interval.is_none() {
            let (field, other) = if legacy_layout {
                (
                    "lineItem/UsageStartDate",
                    "nor `identity/TimeInterval`; in CUR 2.0 and Parquet \
                     `line_item_usage_start_date` or `identity_time_interval`",
                )
            } else {
                (
                    "line_item_usage_start_date",
                    "nor `identity_time_interval`; in the legacy CSV report \
                     `lineItem/UsageStartDate` or `identity/TimeInterval`",
                )
            };
            return Err(missing(
                field,
                other,
                "required CUR column is missing from the header: neither the usage start date",
            ));
        }
        let mut tag_columns = Vec::new();
        let mut tag_map = None;
        for (i, (name, key)) in names.iter().zip(&keys).enumerate() {
            if key == "resource_tags" {
                tag_map.get_or_insert(i);
            } else if let Some(tag) = tag_key(name, key) {
                tag_columns.push((i, tag));
            }
        }
        let columns = Columns {
            usage_account,
            billing_period_start,
            unblended,
            line_item_type,
            usage_start,
            usage_end: optional("line_item_usage_end_date"),
            time_interval,
            payer: optional("bill_payer_account_id"),
            account_name: optional("line_item_usage_account_name"),
            currency: optional("line_item_currency_code"),
            net_unblended: optional("line_item_net_unblended_cost"),
            sp_effective: optional("savings_plan_savings_plan_effective_cost"),
            sp_total_commitment: optional("savings_plan_total_commitment_to_date"),
            sp_used_commitment: optional("savings_plan_used_commitment"),
            ri_effective: optional("reservation_effective_cost"),
            ri_unused_upfront: optional(
                "reservation_unused_amortized_upfront_fee_for_billing_period",
            ),
            ri_unused_recurring: optional("reservation_unused_recurring_fee"),
            ri_arn: optional("reservation_reservation_a_r_n"),
            public_cost: optional("pricing_public_on_demand_cost"),
            public_rate: optional("pricing_public_on_demand_rate"),
            product_code: optional("line_item_product_code"),
            service_names: [
                optional("product_product_name"),
                optional("product_servicename"),
                optional("line_item_product_code"),
            ],
            regions: [optional("product_region"), optional("product_region_code")],
            availability_zone: optional("line_item_availability_zone"),
            resource_id: optional("line_item_resource_id"),
            sku: optional("product_sku"),
            pricing_unit: optional("pricing_unit"),
            usage_amount: optional("line_item_usage_amount"),
            tag_columns,
            tag_map,
            names,
        };
        Ok(columns)
    }

    /// The positions of every column this reader uses, ascending, without repeats.
    pub(super) fn used(&self) -> Vec<usize> {
        let mut used = vec![
            self.usage_account,
            self.billing_period_start,
            self.unblended,
            self.line_item_type,
        ];
        used.extend(
            [
                self.usage_start,
                self.usage_end,
                self.time_interval,
                self.payer,
                self.account_name,
                self.currency,
                self.net_unblended,
                self.sp_effective,
                self.sp_total_commitment,
                self.sp_used_commitment,
                self.ri_effective,
                self.ri_unused_upfront,
                self.ri_unused_recurring,
                self.ri_arn,
                self.public_cost,
                self.public_rate,
                self.product_code,
                self.availability_zone,
                self.resource_id,
                self.sku,
                self.pricing_unit,
                self.usage_amount,
                self.tag_map,
            ]
            .into_iter()
            .chain(self.service_names)
            .chain(self.regions)
            .flatten(),
        );
        used.extend(self.tag_columns.iter().map(|(i, _)| *i));
        used.sort_unstable();
        used.dedup();
        used
    }

    /// Maps one row to a record.
    pub(super) fn build<C: Cells + ?Sized>(
        &self,
        file: &Path,
        line: u64,
        cells: &C,
    ) -> Result<CostRecord, ImportError> {
        Row {
            c: self,
            file,
            line,
            cells,
        }
        .record()
    }
}

/// A charge period: start and end.
type Period = (DateTime<Utc>, DateTime<Utc>);

/// One row being mapped, with what is needed to report a problem in it.
struct Row<'a, C: ?Sized> {
    c: &'a Columns,
    file: &'a Path,
    line: u64,
    cells: &'a C,
}

impl<C: Cells + ?Sized> Row<'_, C> {
    fn error(&self, col: usize, message: impl Into<String>) -> ImportError {
        ImportError::invalid(
            self.file,
            Some(self.line),
            self.c.names.get(col).map(String::as_str),
            message,
        )
    }

    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>, ImportError> {
        self.cells.text(col).map_err(|m| self.error(col, m))
    }

    fn owned(&self, col: Option<usize>) -> Result<Option<String>, ImportError> {
        match col {
            None => Ok(None),
            Some(col) => Ok(self.text(col)?.map(Cow::into_owned)),
        }
    }

    /// The first non-empty cell of `cols`.
    fn first(&self, cols: &[Option<usize>]) -> Result<Option<String>, ImportError> {
        for col in cols.iter().flatten() {
            if let Some(text) = self.text(*col)? {
                return Ok(Some(text.into_owned()));
            }
        }
        Ok(None)
    }

    fn required(&self, col: usize) -> Result<Cow<'_, str>, ImportError> {
        self.text(col)?.ok_or_else(|| self.error(col, "is empty"))
    }

    /// An amount; an empty cell is 0.
    fn amount(&self, col: usize) -> Result<Decimal, ImportError> {
        Ok(self
            .cells
            .amount(col)
            .map_err(|m| self.error(col, m))?
            .unwrap_or_default())
    }

    fn fixed(&self, col: usize, amount: Decimal) -> Result<i64, ImportError> {
        money::to_fixed(amount).map_err(|m| self.error(col, m))
    }

    fn time(&self, col: usize) -> Result<Option<DateTime<Utc>>, ImportError> {
        self.cells.time(col).map_err(|m| self.error(col, m))
    }

    /// A number kept as the text the file has (validated).
    fn decimal_text(&self, col: Option<usize>) -> Result<Option<String>, ImportError> {
        let Some(col) = col else { return Ok(None) };
        match self.text(col)? {
            None => Ok(None),
            Some(text) => match parse_amount(&text) {
                Ok(_) => Ok(Some(text.into_owned())),
                Err(m) => Err(self.error(col, m)),
            },
        }
    }

    /// `identity/TimeInterval`, `start/end`.
    fn interval(&self) -> Result<Option<Period>, ImportError> {
        let Some(col) = self.c.time_interval else {
            return Ok(None);
        };
        let Some(text) = self.text(col)? else {
            return Ok(None);
        };
        text.split_once('/')
            .and_then(|(a, b)| Some((parse_time(a.trim())?, parse_time(b.trim())?)))
            .map(Some)
            .ok_or_else(|| self.error(col, format!("'{text}' is not a start/end interval")))
    }

    /// The amortised cost from the sum of `parts`, when the file has all of them.
    fn amortised(&self, parts: &[Option<usize>]) -> Result<Option<(Decimal, usize)>, ImportError> {
        if parts.iter().any(Option::is_none) {
            return Ok(None);
        }
        let mut total = Decimal::ZERO;
        for col in parts.iter().flatten() {
            total += self.amount(*col)?;
        }
        Ok(Some((total, parts[0].unwrap_or(self.c.unblended))))
    }

    fn record(&self) -> Result<CostRecord, ImportError> {
        let c = self.c;
        let account_id = self.required(c.usage_account)?.into_owned();
        let billing_account_id = match self.owned(c.payer)? {
            Some(payer) => payer,
            None => account_id.clone(),
        };
        let billing_period_start = self
            .time(c.billing_period_start)?
            .ok_or_else(|| self.error(c.billing_period_start, "is empty"))?
            .date_naive();

        let usage_start = c
            .usage_start
            .map(|col| self.time(col))
            .transpose()?
            .flatten();
        let usage_end = c.usage_end.map(|col| self.time(col)).transpose()?.flatten();
        // The interval only when a usage date is missing: it is parsed at most once per row.
        let interval = if usage_start.is_none() || usage_end.is_none() {
            self.interval()?
        } else {
            None
        };
        let start = match (usage_start, interval) {
            (Some(t), _) | (None, Some((t, _))) => t,
            (None, None) => {
                let col = c.usage_start.or(c.time_interval).unwrap_or(c.unblended);
                return Err(self.error(col, "is empty (and there is no time interval)"));
            }
        };
        let end = match (usage_end, interval, c.usage_end) {
            (Some(t), _, _) | (None, Some((_, t)), _) => t,
            // No end column at all and no interval: a charge at an instant.
            (None, None, None) => start,
            (None, None, Some(col)) => {
                return Err(self.error(col, "is empty (and there is no time interval)"))
            }
        };
        if end < start {
            let col = c.usage_end.or(c.time_interval).unwrap_or(c.unblended);
            return Err(self.error(col, "ends before the usage start"));
        }

        let kind = self.required(c.line_item_type)?;
        let (charge_category, charge_frequency) = charge_kind(&kind);

        let unblended = self.amount(c.unblended)?;
        let fallback = || -> Result<(Decimal, usize), ImportError> {
            match c.net_unblended {
                Some(col) => Ok((self.amount(col)?, col)),
                None => Ok((unblended, c.unblended)),
            }
        };
        let zero_if = |present: Option<usize>| -> Result<(Decimal, usize), ImportError> {
            match present {
                Some(col) => Ok((Decimal::ZERO, col)),
                None => fallback(),
            }
        };
        let (effective, effective_col) = match &*kind {
            "SavingsPlanCoveredUsage" => self
                .amortised(&[c.sp_effective])?
                .map_or_else(fallback, Ok)?,
            "DiscountedUsage" => self
                .amortised(&[c.ri_effective])?
                .map_or_else(fallback, Ok)?,
            "RIFee" => self
                .amortised(&[c.ri_unused_upfront, c.ri_unused_recurring])?
                .map_or_else(fallback, Ok)?,
            "SavingsPlanRecurringFee" => match (c.sp_total_commitment, c.sp_used_commitment) {
                (Some(total), Some(used)) => (self.amount(total)? - self.amount(used)?, total),
                _ => fallback()?,
            },
            "SavingsPlanNegation" | "SavingsPlanUpfrontFee" => zero_if(c.sp_effective)?,
            "Fee" => match c.ri_arn {
                Some(col) if self.text(col)?.is_some() => (Decimal::ZERO, col),
                _ => (unblended, c.unblended),
            },
            _ => (unblended, c.unblended),
        };
        let (list, list_col) = match c.public_cost {
            Some(col) => match self.cells.amount(col).map_err(|m| self.error(col, m))? {
                Some(amount) => (amount, col),
                None => (unblended, c.unblended),
            },
            None => (unblended, c.unblended),
        };

        let currency = match c.currency {
            None => "USD".to_string(),
            Some(col) => match self.text(col)? {
                None => "USD".to_string(),
                Some(code) => {
                    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                        return Err(
                            self.error(col, format!("'{code}' is not an ISO 4217 currency code"))
                        );
                    }
                    code.into_owned()
                }
            },
        };

        let service_category = match c.product_code {
            Some(col) => self.text(col)?.and_then(|code| service_category(&code)),
            None => None,
        };

        let mut tags = BTreeMap::new();
        for (col, key) in &c.tag_columns {
            if let Some(value) = self.text(*col)? {
                tags.insert(key.clone(), value.into_owned());
            }
        }
        if let Some(col) = c.tag_map {
            self.cells
                .tags(col, &mut tags)
                .map_err(|m| self.error(col, m))?;
        }
        let tags =
            if tags.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&tags).map_err(|e| {
                    self.error(c.tag_map.unwrap_or(c.unblended), format!("tags: {e}"))
                })?)
            };

        Ok(CostRecord {
            provider: "AWS".to_string(),
            billing_account_id,
            account_id,
            account_name: self.owned(c.account_name)?,
            billing_period_start,
            charge_period_start: start,
            charge_period_end: end,
            service_name: self.first(&c.service_names)?,
            service_category: service_category.map(str::to_string),
            region: self.first(&c.regions)?,
            availability_zone: self.owned(c.availability_zone)?,
            resource_id: self.owned(c.resource_id)?,
            resource_type: None,
            charge_category: charge_category.to_string(),
            charge_frequency: Some(charge_frequency.to_string()),
            sku_id: self.owned(c.sku)?,
            pricing_unit: self.owned(c.pricing_unit)?,
            pricing_quantity: self.decimal_text(c.usage_amount)?,
            list_unit_price: self.decimal_text(c.public_rate)?,
            billed_cost: self.fixed(c.unblended, unblended)?,
            effective_cost: self.fixed(effective_col, effective)?,
            list_cost: self.fixed(list_col, list)?,
            currency,
            tags,
        })
    }
}

/// FOCUS charge category and charge frequency of a CUR line item type.
fn charge_kind(line_item_type: &str) -> (&'static str, &'static str) {
    let category = match line_item_type {
        "Usage" | "DiscountedUsage" | "SavingsPlanCoveredUsage" => "Usage",
        "Tax" => "Tax",
        "Credit" | "Refund" => "Credit",
        "Fee" | "RIFee" | "SavingsPlanRecurringFee" | "SavingsPlanUpfrontFee" => "Purchase",
        // BundledDiscount, Discount, EdpDiscount, PrivateRateDiscount, SavingsPlanNegation,
        // DistributorDiscount and any type AWS adds later.
        _ => "Adjustment",
    };
    let frequency = match line_item_type {
        "Fee" | "SavingsPlanUpfrontFee" => "One-Time",
        "RIFee" | "SavingsPlanRecurringFee" => "Recurring",
        _ => "Usage-Based",
    };
    (category, frequency)
}

const SERVICE_CATEGORIES: &[(&str, &str)] = &[
    ("AmazonEC2", "Compute"),
    ("AWSLambda", "Compute"),
    ("AmazonECS", "Compute"),
    ("AmazonEKS", "Compute"),
    ("AmazonS3", "Storage"),
    ("AmazonGlacier", "Storage"),
    ("AmazonEFS", "Storage"),
    ("AmazonRDS", "Databases"),
    ("AmazonDynamoDB", "Databases"),
    ("AmazonElastiCache", "Databases"),
    ("AmazonRedshift", "Databases"),
    ("AmazonCloudWatch", "Management and Governance"),
    ("AWSCostExplorer", "Management and Governance"),
    ("AWSConfig", "Management and Governance"),
    ("AWSCloudTrail", "Management and Governance"),
    ("AWSBudgets", "Management and Governance"),
    ("AmazonGuardDuty", "Security"),
    ("awswaf", "Security"),
    ("AWSKMS", "Security"),
    ("AWSSecretsManager", "Security"),
    ("AmazonSNS", "Integration"),
    ("AmazonSQS", "Integration"),
    ("AWSQueueService", "Integration"),
    ("AWSEvents", "Integration"),
    ("AmazonVPC", "Networking"),
    ("AWSDataTransfer", "Networking"),
    ("AmazonCloudFront", "Networking"),
    ("AmazonRoute53", "Networking"),
    ("AmazonAthena", "Analytics"),
    ("AWSGlue", "Analytics"),
    ("AmazonQuickSight", "Analytics"),
];

/// FOCUS service category of a CUR product code.
fn service_category(product_code: &str) -> Option<&'static str> {
    SERVICE_CATEGORIES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(product_code))
        .map(|(_, category)| *category)
}

/// An amount written as text: plain decimal or scientific notation.
pub(super) fn parse_amount(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("'{text}' is not a number"))
}

/// An amount stored as a double, at its shortest decimal representation.
pub(super) fn float_amount(value: f64) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err(format!("{value} is not a finite number"));
    }
    // `Display` of f64 is the shortest text that reads back as the same double, never in
    // exponent form; beyond 28 decimals, the exponent form is rounded to what Decimal holds.
    Decimal::from_str(&value.to_string())
        .or_else(|_| Decimal::from_scientific_lossy(&format!("{value:e}")))
        .map_err(|e| format!("{value} cannot be read as a decimal: {e}"))
}

/// CUR date-times: ISO 8601 with `Z` or an offset, optional fractions, or a bare date. UTC.
pub(super) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let trimmed = text.trim_end_matches('Z');
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%MZ",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(trimmed, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Adds the entries of a JSON tag object (`{"user_cost_center":"Cost001"}`) to `into`. Values
/// that are not strings are kept as their JSON text; empty values and nulls are no tags.
pub(super) fn json_tags(text: &str, into: &mut BTreeMap<String, String>) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("tags are not JSON: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("tags must be a JSON object".into());
    };
    for (key, value) in map {
        let value = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        if !value.is_empty() {
            into.insert(key, value);
        }
    }
    Ok(())
}
