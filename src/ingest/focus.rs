//! FOCUS 1.0–1.2 cost files (CSV, optionally gzip-compressed), as AWS Data Exports and other
//! providers write them.
//!
//! This module only reads: [`open`] turns a file into a stream of [`CostRecord`]s, parsed row by row
//! as the stream is read (memory stays flat), each bad cell reported with file, line and column.
//! Storing is `super::cost`'s job, the same for every format.
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use super::record::{CostRecord, RecordStream};
use super::ImportError;
use crate::cost::money;

/// Where each FOCUS column sits in this file's header. FOCUS 1.0 to 1.2 share these names;
/// `Region` (1.0-preview) and `ServiceProviderName` (1.3) are accepted as aliases.
struct Columns {
    billed: usize,
    effective: usize,
    list: usize,
    currency: usize,
    billing_account: usize,
    billing_period_start: usize,
    charge_period_start: usize,
    charge_period_end: usize,
    charge_category: usize,
    provider: usize,
    sub_account: Option<usize>,
    sub_account_name: Option<usize>,
    service_name: Option<usize>,
    service_category: Option<usize>,
    region: Option<usize>,
    availability_zone: Option<usize>,
    resource_id: Option<usize>,
    resource_type: Option<usize>,
    charge_frequency: Option<usize>,
    sku_id: Option<usize>,
    pricing_unit: Option<usize>,
    pricing_quantity: Option<usize>,
    list_unit_price: Option<usize>,
    tags: Option<usize>,
}

impl Columns {
    fn from_header(file: &Path, header: &csv::StringRecord) -> Result<Columns, ImportError> {
        let names: HashMap<&str, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().trim_start_matches('\u{feff}'), i))
            .collect();
        let optional = |aliases: &[&str]| aliases.iter().find_map(|a| names.get(a).copied());
        let required = |aliases: &[&str]| {
            optional(aliases).ok_or_else(|| {
                ImportError::invalid(
                    file,
                    Some(1),
                    Some(aliases[0]),
                    "required FOCUS column is missing from the header",
                )
            })
        };
        Ok(Columns {
            billed: required(&["BilledCost"])?,
            effective: required(&["EffectiveCost"])?,
            list: required(&["ListCost"])?,
            currency: required(&["BillingCurrency"])?,
            billing_account: required(&["BillingAccountId"])?,
            billing_period_start: required(&["BillingPeriodStart"])?,
            charge_period_start: required(&["ChargePeriodStart"])?,
            charge_period_end: required(&["ChargePeriodEnd"])?,
            charge_category: required(&["ChargeCategory"])?,
            provider: required(&["ProviderName", "ServiceProviderName"])?,
            sub_account: optional(&["SubAccountId"]),
            sub_account_name: optional(&["SubAccountName"]),
            service_name: optional(&["ServiceName"]),
            service_category: optional(&["ServiceCategory"]),
            region: optional(&["RegionId", "Region"]),
            availability_zone: optional(&["AvailabilityZone"]),
            resource_id: optional(&["ResourceId"]),
            resource_type: optional(&["ResourceType"]),
            charge_frequency: optional(&["ChargeFrequency"]),
            sku_id: optional(&["SkuId"]),
            pricing_unit: optional(&["PricingUnit"]),
            pricing_quantity: optional(&["PricingQuantity"]),
            list_unit_price: optional(&["ListUnitPrice"]),
            tags: optional(&["Tags"]),
        })
    }
}

/// Opens a FOCUS file (`.csv` or `.csv.gz`) as a stream of cost records. The header is checked
/// here; each row is parsed as the stream is read.
pub fn open(file: &Path) -> Result<RecordStream, ImportError> {
    let mut reader = csv_reader(file)?;
    let header = match reader.headers() {
        Ok(h) if h.iter().any(|c| !c.trim().is_empty()) => h.clone(),
        Ok(_) => {
            return Err(ImportError::invalid(
                file,
                Some(1),
                None,
                "empty file: no FOCUS header",
            ))
        }
        Err(e) => {
            return Err(ImportError::invalid(
                file,
                Some(1),
                None,
                format!("unreadable header: {}", read_error(&e)),
            ))
        }
    };
    let columns = Columns::from_header(file, &header)?;
    let file = file.to_path_buf();
    let mut record = csv::StringRecord::new();
    let mut done = false;
    let mut memo = Memo::default();
    Ok(Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        match reader.read_record(&mut record) {
            Ok(false) => {
                done = true;
                None
            }
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                let row = Row {
                    file: &file,
                    line,
                    record: &record,
                    header: &header,
                };
                let parsed = parse_row(&row, &columns, &mut memo);
                done = parsed.is_err();
                Some(parsed)
            }
            Err(e) => {
                done = true;
                let line = e.position().map(|p| p.line());
                Some(Err(ImportError::invalid(
                    &file,
                    line,
                    None,
                    format!("malformed CSV: {}", read_error(&e)),
                )))
            }
        }
    })))
}

/// What went wrong reading, in words (a truncated gzip shows up here as an I/O error).
fn read_error(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::Io(io) => format!("cannot read the file ({io}); is it truncated?"),
        _ => err.to_string(),
    }
}

/// A CSV reader over a plain or gzip-compressed file.
pub(crate) fn csv_reader(file: &Path) -> Result<csv::Reader<Box<dyn Read + Send>>, ImportError> {
    let handle = File::open(file).map_err(|e| ImportError::Io(file.display().to_string(), e))?;
    let reader: Box<dyn Read + Send> = if file.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            handle,
        )))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, handle))
    };
    Ok(csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader))
}

/// One CSV record with what is needed to report a problem in it.
struct Row<'a> {
    file: &'a Path,
    line: u64,
    record: &'a csv::StringRecord,
    header: &'a csv::StringRecord,
}

impl Row<'_> {
    fn error(&self, column: usize, message: impl Into<String>) -> ImportError {
        ImportError::invalid(self.file, Some(self.line), self.header.get(column), message)
    }

    /// The cell, or `None` for an empty cell or a literal `NULL`.
    fn text(&self, column: usize) -> Option<&str> {
        let value = self.record.get(column)?.trim();
        (!value.is_empty() && value != "NULL").then_some(value)
    }

    fn opt(&self, column: Option<usize>) -> Option<String> {
        column.and_then(|c| self.text(c)).map(str::to_string)
    }

    fn required(&self, column: usize) -> Result<&str, ImportError> {
        self.text(column)
            .ok_or_else(|| self.error(column, "is empty"))
    }

    fn money(&self, column: usize) -> Result<i64, ImportError> {
        let Some(text) = self.text(column) else {
            // A NULL cost is no cost (FOCUS allows NULL for some charge classes).
            return Ok(0);
        };
        let amount = Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map_err(|_| self.error(column, format!("'{text}' is not a number")))?;
        money::to_fixed(amount).map_err(|m| self.error(column, m))
    }

    fn time(&self, column: usize, memo: &mut Memo) -> Result<DateTime<Utc>, ImportError> {
        let text = self.required(column)?;
        if let Some(time) = memo.times.get(text) {
            return Ok(*time);
        }
        let time = parse_time(text)
            .ok_or_else(|| self.error(column, format!("'{text}' is not a date-time")))?;
        memo.remember_time(text, time);
        Ok(time)
    }

    fn decimal_text(&self, column: Option<usize>) -> Result<Option<String>, ImportError> {
        let Some(c) = column else { return Ok(None) };
        match self.text(c) {
            None => Ok(None),
            Some(t) => Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .map(|_| Some(t.to_string()))
                .map_err(|_| self.error(c, format!("'{t}' is not a number"))),
        }
    }
}

/// Values that repeat from line to line — the same few hours and days, the same tag objects of
/// the same resources — parsed once. Bounded: cleared when full.
#[derive(Default)]
struct Memo {
    times: hashbrown::HashMap<Box<str>, DateTime<Utc>>,
    tags: hashbrown::HashMap<Box<str>, Option<String>>,
}

const MEMO_ENTRIES: usize = 20_000;

impl Memo {
    fn remember_time(&mut self, text: &str, time: DateTime<Utc>) {
        if self.times.len() >= MEMO_ENTRIES {
            self.times.clear();
        }
        self.times.insert(text.into(), time);
    }

    fn tags(&mut self, text: &str) -> Result<Option<String>, String> {
        if let Some(tags) = self.tags.get(text) {
            return Ok(tags.clone());
        }
        let tags = normalize_tags(text)?;
        if self.tags.len() >= MEMO_ENTRIES {
            self.tags.clear();
        }
        self.tags.insert(text.into(), tags.clone());
        Ok(tags)
    }
}

fn parse_row(row: &Row, c: &Columns, memo: &mut Memo) -> Result<CostRecord, ImportError> {
    let billing_account_id = row.required(c.billing_account)?.to_string();
    let account_id = row
        .opt(c.sub_account)
        .unwrap_or_else(|| billing_account_id.clone());
    let currency = row.required(c.currency)?;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(row.error(
            c.currency,
            format!("'{currency}' is not an ISO 4217 currency code"),
        ));
    }
    let start = row.time(c.charge_period_start, memo)?;
    let end = row.time(c.charge_period_end, memo)?;
    if end < start {
        return Err(row.error(c.charge_period_end, "ends before ChargePeriodStart"));
    }
    let tags = match c.tags.and_then(|t| row.text(t).map(|v| (t, v))) {
        None => None,
        Some((column, text)) => memo.tags(text).map_err(|m| row.error(column, m))?,
    };
    Ok(CostRecord {
        provider: row.required(c.provider)?.to_string(),
        billing_account_id,
        account_id,
        account_name: row.opt(c.sub_account_name),
        billing_period_start: row.time(c.billing_period_start, memo)?.date_naive(),
        charge_period_start: start,
        charge_period_end: end,
        service_name: row.opt(c.service_name),
        service_category: row.opt(c.service_category),
        region: row.opt(c.region),
        availability_zone: row.opt(c.availability_zone),
        resource_id: row.opt(c.resource_id),
        resource_type: row.opt(c.resource_type),
        charge_category: row.required(c.charge_category)?.to_string(),
        charge_frequency: row.opt(c.charge_frequency),
        sku_id: row.opt(c.sku_id),
        pricing_unit: row.opt(c.pricing_unit),
        pricing_quantity: row.decimal_text(c.pricing_quantity)?,
        list_unit_price: row.decimal_text(c.list_unit_price)?,
        billed_cost: row.money(c.billed)?,
        effective_cost: row.money(c.effective)?,
        list_cost: row.money(c.list)?,
        currency: currency.to_string(),
        tags,
    })
}

/// FOCUS date-times: `2024-09-18 23:00:00`, ISO 8601 with `T`/`Z`/offset/fractions, or a bare date. UTC.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let trimmed = text.trim_end_matches('Z');
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(trimmed, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}

/// Tags must be a JSON object; values are kept as text. An empty object is no tags.
fn normalize_tags(text: &str) -> Result<Option<String>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("tags are not JSON: {e}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("tags must be a JSON object".into());
    };
    if map.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::Value::Object(map).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_date_time_shapes_of_real_files() {
        let t = parse_time("2024-09-18 23:00:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-09-18T23:00:00+00:00");
        assert_eq!(
            parse_time("2023-11-01T00:00:00.000Z").unwrap().to_rfc3339(),
            "2023-11-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2024-09-01T00:00:00-03:00")
                .unwrap()
                .to_rfc3339(),
            "2024-09-01T03:00:00+00:00"
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn tags_must_be_an_object() {
        assert_eq!(
            normalize_tags(r#"{"a": "b"}"#).unwrap().as_deref(),
            Some(r#"{"a":"b"}"#)
        );
        assert_eq!(normalize_tags("{}").unwrap(), None);
        assert!(normalize_tags("[1]").is_err());
        assert!(normalize_tags("{oops").is_err());
    }
}
