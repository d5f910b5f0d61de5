//! Readers for what runs and how hard it works: AWS describe outputs (EC2 instances, EBS volumes,
//! RDS instances) and utilisation (a small CSV, or CloudWatch `get-metric-statistics` /
//! `get-metric-data` output).
//!
//! Every reader accepts the AWS CLI's JSON, recorded API responses wrapped as
//! `{"status_code": 200, "data": {...}}`, and gzip-compressed files. Datetimes may be ISO strings,
//! epoch seconds, or the `{"__class__": "datetime", "year": …}` objects of recorded responses.
//!
//! Every error names the file and where in it: the JSON path
//! (`Reservations[2].Instances[0].InstanceType`) or the CSV line and column.
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::ingest::ImportError;

mod describe;
mod utilization;

pub use describe::read_inventory;
pub use utilization::{nearest_rank_p95, read_utilization};

/// What kind of resource a describe output lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ResourceKind {
    Ec2Instance,
    EbsVolume,
    RdsInstance,
}

impl ResourceKind {
    /// The AWS CLI command whose output lists this kind.
    pub fn command(self) -> &'static str {
        match self {
            ResourceKind::Ec2Instance => "ec2 describe-instances",
            ResourceKind::EbsVolume => "ec2 describe-volumes",
            ResourceKind::RdsInstance => "rds describe-db-instances",
        }
    }
}

/// One EC2 instance, EBS volume or RDS instance, as its describe output states it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRecord {
    /// `i-…`, `vol-…`, or the RDS `DBInstanceIdentifier`.
    pub resource_id: String,
    /// RDS: `DBInstanceArn`. EC2/EBS (and RDS without one): built from the account and region
    /// when both are known.
    pub arn: Option<String>,
    pub kind: ResourceKind,
    /// EC2: the reservation's `OwnerId`; RDS: from the ARN; EBS: the output carries none, so the
    /// `account` option.
    pub account_id: Option<String>,
    /// RDS: from the ARN; EC2/EBS: from the availability zone; else the `region` option.
    pub region: Option<String>,
    pub availability_zone: Option<String>,
    /// `InstanceType`, `VolumeType` or `DBInstanceClass`.
    pub resource_type: String,
    /// EBS `Size`, RDS `AllocatedStorage`.
    pub size_gib: Option<i64>,
    /// Provisioned IOPS (EBS and RDS), when the output states them.
    pub iops: Option<i64>,
    /// Lower case, as AWS names it: `running`, `stopped`, `terminated`, … (EC2); `available`
    /// (unattached), `in-use`, `creating`, … (EBS); `available`, `failed`, `modifying`, … (RDS).
    pub state: String,
    /// The `Name` tag.
    pub name: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// `LaunchTime` (EC2), `CreateTime` (EBS), `InstanceCreateTime` (RDS).
    pub launched_at: Option<DateTime<Utc>>,
    /// EC2: the time in `StateTransitionReason` ("User initiated (2016-07-23 22:35:06 GMT)").
    pub state_changed_at: Option<DateTime<Utc>>,
    /// EBS: the instances it is attached to; EC2: its EBS volumes.
    pub attached_to: Vec<String>,
    /// RDS `Engine`; EC2 `PlatformDetails`, else `Platform`.
    pub engine: Option<String>,
    /// RDS `EngineVersion`.
    pub engine_version: Option<String>,
    /// RDS `StorageType`; EBS `VolumeType`.
    pub storage_type: Option<String>,
    /// RDS `MultiAZ`.
    pub multi_az: Option<bool>,
}

/// One describe output, read.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryFile {
    pub kind: ResourceKind,
    /// The account every resource is in: the `account` option, else the one account the output
    /// names (None when it names several or none).
    pub account_id: Option<String>,
    /// The region every resource is in, found the same way.
    pub region: Option<String>,
    pub resources: Vec<ResourceRecord>,
}

/// A utilisation metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Metric {
    /// CPU, percent (0–100).
    Cpu,
    /// Memory in use, percent (0–100).
    Memory,
    /// Read operations per second.
    ReadOps,
    /// Write operations per second.
    WriteOps,
}

impl Metric {
    /// `cpu`, `memory`, `read_ops`, `write_ops` (any case, `-` for `_`), or the CloudWatch metric
    /// name: `CPUUtilization`, `mem_used_percent`, `MemoryUtilization`, `VolumeReadOps`,
    /// `ReadIOPS`, `VolumeWriteOps`, `WriteIOPS`.
    pub fn from_name(name: &str) -> Option<Metric> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        Some(match name.as_str() {
            "cpu" | "cpuutilization" => Metric::Cpu,
            "memory" | "mem_used_percent" | "memoryutilization" => Metric::Memory,
            "read_ops" | "volumereadops" | "readiops" => Metric::ReadOps,
            "write_ops" | "volumewriteops" | "writeiops" => Metric::WriteOps,
            _ => return None,
        })
    }

    /// The CSV name.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Cpu => "cpu",
            Metric::Memory => "memory",
            Metric::ReadOps => "read_ops",
            Metric::WriteOps => "write_ops",
        }
    }

    /// Whether values are percentages (0–100) rather than operations per second.
    pub fn is_percent(self) -> bool {
        matches!(self, Metric::Cpu | Metric::Memory)
    }

    /// Checks one value: 0–100 for percentages, not negative for operations.
    fn check(self, value: Decimal) -> Result<(), String> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(format!("{value} is negative"));
        }
        if self.is_percent() && value > Decimal::ONE_HUNDRED {
            return Err(format!("{value} is not a percentage (0–100)"));
        }
        Ok(())
    }
}

/// How hard one resource worked over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilizationRecord {
    pub resource_id: String,
    pub metric: Metric,
    /// The 95th percentile (nearest rank) of the window's values.
    pub p95: Decimal,
    pub max: Decimal,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// How many values the window held (0 when a CSV does not say).
    pub samples: u32,
}

/// A time as AWS outputs show it: an ISO string (`2022-11-15T10:48:59+00:00`,
/// `2014-04-09T11:18:00Z`; without an offset it is UTC), epoch seconds, or a recorded response's
/// `{"__class__": "datetime", "year": …, "microsecond": …}` object (UTC).
pub fn aws_time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(s) => parse_time_text(s),
        Value::Number(n) => {
            let secs = n.as_f64()?;
            if !secs.is_finite() {
                return None;
            }
            let whole = secs.floor();
            let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
            Utc.timestamp_opt(whole as i64, nanos).single()
        }
        Value::Object(o) => {
            if o.get("__class__")
                .is_some_and(|c| c.as_str() != Some("datetime"))
            {
                return None;
            }
            let part = |k: &str| o.get(k).and_then(Value::as_i64);
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(part("year")?).ok()?,
                u32::try_from(part("month")?).ok()?,
                u32::try_from(part("day")?).ok()?,
            )?;
            let time = date.and_hms_micro_opt(
                u32::try_from(part("hour").unwrap_or(0)).ok()?,
                u32::try_from(part("minute").unwrap_or(0)).ok()?,
                u32::try_from(part("second").unwrap_or(0)).ok()?,
                u32::try_from(part("microsecond").unwrap_or(0)).ok()?,
            )?;
            Some(Utc.from_utc_datetime(&time))
        }
        _ => None,
    }
}

/// An ISO date-time (with an offset, or UTC without one; `T` or a space between date and time),
/// or a date alone (midnight UTC).
pub(crate) fn parse_time_text(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let naive = text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix(" GMT"))
        .unwrap_or(text);
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

/// A file's text: gunzipped when it is gzip, without a byte-order mark.
pub(crate) fn read_text(path: &Path) -> Result<String, ImportError> {
    let io = |e| ImportError::Io(path.display().to_string(), e);
    let bytes = std::fs::read(path).map_err(io)?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(io)?;
        out
    } else {
        bytes
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        ImportError::invalid(
            path,
            None,
            None,
            format!(
                "not UTF-8 text (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Parses JSON text and unwraps a recorded response (`{"status_code": 200, "data": {...}}`).
pub(crate) fn parse_json(path: &Path, text: &str) -> Result<Value, ImportError> {
    let mut root: Value = serde_json::from_str(text).map_err(|e| {
        ImportError::invalid(
            path,
            Some(e.line() as u64),
            None,
            format!("not valid JSON: {e}"),
        )
    })?;
    let recorded = root
        .as_object()
        .is_some_and(|o| o.contains_key("status_code") && o.contains_key("data"));
    if recorded {
        let status = &root["status_code"];
        if status.as_i64() != Some(200) {
            return Err(ImportError::invalid(
                path,
                None,
                Some("status_code"),
                format!("the recorded call failed (status {status})"),
            ));
        }
        root = root["data"].take();
    }
    if !root.is_object() {
        return Err(ImportError::invalid(
            path,
            None,
            None,
            "expected a JSON object",
        ));
    }
    Ok(root)
}

/// The keys of an object, for error messages.
pub(crate) fn keys(value: &Value) -> String {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// A JSON number as an exact decimal (from its text, so `0.3947` stays `0.3947`).
pub(crate) fn json_decimal(value: &Value) -> Option<Decimal> {
    let Value::Number(n) = value else { return None };
    let text = n.to_string();
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

#[cfg(test)]
mod tests;
