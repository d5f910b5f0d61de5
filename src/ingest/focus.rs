//! FOCUS 1.0–1.2 cost files (CSV, optionally gzip-compressed), as AWS Data Exports and other
//! providers write them.
//!
//! The import streams: rows are parsed and inserted in small batches, so memory stays flat however
//! large the file. All files of one import form one batch in one transaction; each billing scope
//! (provider, billing account, billing period) they contain replaces the one stored before, and the
//! daily rollups of those scopes are rebuilt. A bad row aborts everything with file, line and column.
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, TransactionTrait};

use super::rollup::{replace_scope, BillingScope};
use super::ImportError;
use crate::audit;
use crate::cost::money;
use entity::{account, cost_line, import_batch};

/// Rows per INSERT: 28 columns × 500 stays under SQLite's 32,766 bound parameters.
const BATCH_ROWS: usize = 500;

#[derive(Debug, Clone, serde::Serialize)]
pub struct FocusImportReport {
    pub batch_id: String,
    pub rows: u64,
    /// Rows whose account is under no tenant.
    pub unallocated_rows: u64,
    pub scopes: Vec<BillingScope>,
}

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

/// Imports FOCUS files as one batch in one transaction.
pub async fn import_focus(
    db: &DatabaseConnection,
    files: &[PathBuf],
    actor: &str,
    show_progress: bool,
) -> Result<FocusImportReport, ImportError> {
    let tenants_by_account: HashMap<String, Option<String>> = account::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.tenant_id))
        .collect();
    let batch_id = uuid::Uuid::new_v4().to_string();
    let started_at = Utc::now();
    let txn = db.begin().await?;
    import_batch::Entity::insert(import_batch::ActiveModel {
        id: Set(batch_id.clone()),
        kind: Set("focus".into()),
        source: Set(files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(",")),
        status: Set("loading".into()),
        rows: Set(0),
        scopes: Set(None),
        imported_by: Set(Some(actor.to_string())),
        started_at: Set(started_at),
        finished_at: Set(None),
    })
    .exec(&txn)
    .await?;

    let mut scopes = BTreeSet::new();
    let mut rows = 0u64;
    let mut unallocated_rows = 0u64;
    for file in files {
        let mut reader = open(file, show_progress)?;
        let header = reader
            .headers()
            .map_err(|e| {
                ImportError::invalid(file, Some(1), None, format!("unreadable header: {e}"))
            })?
            .clone();
        let columns = Columns::from_header(file, &header)?;
        let mut pending = Vec::with_capacity(BATCH_ROWS);
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line());
                    return Err(ImportError::invalid(
                        file,
                        line,
                        None,
                        format!("malformed CSV: {e}"),
                    ));
                }
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let row = Row {
                file,
                line,
                record: &record,
                header: &header,
            };
            let mut model = parse_row(&row, &columns, &batch_id)?;
            let tenant = tenants_by_account
                .get(model.account_id.as_ref())
                .cloned()
                .flatten();
            if tenant.is_none() {
                unallocated_rows += 1;
            }
            model.tenant_id = Set(tenant);
            scopes.insert(BillingScope {
                provider: model.provider.as_ref().clone(),
                billing_account_id: model.billing_account_id.as_ref().clone(),
                billing_period_start: *model.billing_period_start.as_ref(),
            });
            pending.push(model);
            rows += 1;
            if pending.len() == BATCH_ROWS {
                cost_line::Entity::insert_many(std::mem::take(&mut pending))
                    .exec(&txn)
                    .await?;
            }
        }
        if !pending.is_empty() {
            cost_line::Entity::insert_many(pending).exec(&txn).await?;
        }
    }

    for scope in &scopes {
        replace_scope(&txn, &batch_id, scope).await?;
    }
    let scopes: Vec<BillingScope> = scopes.into_iter().collect();
    let scopes_json = serde_json::to_value(&scopes).unwrap_or_default();
    import_batch::Entity::update(import_batch::ActiveModel {
        id: Set(batch_id.clone()),
        status: Set("loaded".into()),
        rows: Set(rows as i64),
        scopes: Set(Some(scopes_json.to_string())),
        finished_at: Set(Some(Utc::now())),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record_event(
        &txn,
        audit::Event {
            actor,
            action: "cost.import",
            tenant_id: None,
            target: Some(&batch_id),
            before: None,
            after: Some(
                serde_json::json!({"format": "focus", "rows": rows, "scopes": scopes_json}),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(FocusImportReport {
        batch_id,
        rows,
        unallocated_rows,
        scopes,
    })
}

/// A CSV reader over a plain or gzip file, with a progress bar on a terminal.
fn open(file: &Path, show_progress: bool) -> Result<csv::Reader<Box<dyn Read>>, ImportError> {
    let handle = File::open(file).map_err(|e| ImportError::Io(file.display().to_string(), e))?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let raw: Box<dyn Read> = if show_progress && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(size).with_message(file.display().to_string());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Box::new(bar.wrap_read(handle))
    } else {
        Box::new(handle)
    };
    let reader: Box<dyn Read> = if file.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(raw)))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, raw))
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

    fn time(&self, column: usize) -> Result<DateTime<Utc>, ImportError> {
        let text = self.required(column)?;
        parse_time(text).ok_or_else(|| self.error(column, format!("'{text}' is not a date-time")))
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

fn parse_row(
    row: &Row,
    c: &Columns,
    batch_id: &str,
) -> Result<cost_line::ActiveModel, ImportError> {
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
    let start = row.time(c.charge_period_start)?;
    let end = row.time(c.charge_period_end)?;
    if end < start {
        return Err(row.error(c.charge_period_end, "ends before ChargePeriodStart"));
    }
    let billing_period_start = row.time(c.billing_period_start)?.date_naive();
    let tags = match c.tags.and_then(|t| row.text(t).map(|v| (t, v))) {
        None => None,
        Some((column, text)) => normalize_tags(text).map_err(|m| row.error(column, m))?,
    };
    Ok(cost_line::ActiveModel {
        id: Default::default(),
        import_batch_id: Set(batch_id.to_string()),
        tenant_id: Set(None),
        provider: Set(row.required(c.provider)?.to_string()),
        billing_account_id: Set(billing_account_id),
        account_id: Set(account_id),
        account_name: Set(row.opt(c.sub_account_name)),
        billing_period_start: Set(billing_period_start),
        charge_period_start: Set(start),
        charge_period_end: Set(end),
        usage_date: Set(start.date_naive()),
        service_name: Set(row.opt(c.service_name)),
        service_category: Set(row.opt(c.service_category)),
        region: Set(row.opt(c.region)),
        availability_zone: Set(row.opt(c.availability_zone)),
        resource_id: Set(row.opt(c.resource_id)),
        resource_type: Set(row.opt(c.resource_type)),
        charge_category: Set(row.required(c.charge_category)?.to_string()),
        charge_frequency: Set(row.opt(c.charge_frequency)),
        sku_id: Set(row.opt(c.sku_id)),
        pricing_unit: Set(row.opt(c.pricing_unit)),
        pricing_quantity: Set(row.decimal_text(c.pricing_quantity)?),
        list_unit_price: Set(row.decimal_text(c.list_unit_price)?),
        billed_cost: Set(row.money(c.billed)?),
        effective_cost: Set(row.money(c.effective)?),
        list_cost: Set(row.money(c.list)?),
        currency: Set(currency.to_string()),
        tags: Set(tags),
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
