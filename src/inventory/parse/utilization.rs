//! Utilisation: a CSV, or CloudWatch `get-metric-statistics` / `get-metric-data` output.
use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::{
    aws_time, json_decimal, keys, parse_json, parse_time_text, read_text, Metric, UtilizationRecord,
};
use crate::ingest::ImportError;

/// The CSV columns, in their usual order; `samples` may be left out.
const COLUMNS: [&str; 7] = [
    "resource_id",
    "metric",
    "p95",
    "max",
    "window_start",
    "window_end",
    "samples",
];

/// The metric names CloudWatch output may carry, for error messages.
const LABELS: &str =
    "CPUUtilization, mem_used_percent, MemoryUtilization, VolumeReadOps, ReadIOPS, VolumeWriteOps, WriteIOPS";

/// Reads utilisation from a CSV or from CloudWatch JSON (told apart by content; gzip is fine).
///
/// **CSV**: header `resource_id,metric,p95,max,window_start,window_end[,samples]` (any order and
/// case). `metric` is `cpu`, `memory`, `read_ops` or `write_ops` (any case); cpu and memory are
/// percentages (0–100), read and write operations are per second. Windows are ISO date-times
/// (UTC when they carry no offset) or dates (midnight UTC). A row without `samples` gets 0.
///
/// **`aws cloudwatch get-metric-statistics`**: `Label` names the metric (`CPUUtilization` → cpu,
/// `mem_used_percent` / `MemoryUtilization` → memory, `VolumeReadOps` / `ReadIOPS` → read ops,
/// `VolumeWriteOps` / `WriteIOPS` → write ops). Each datapoint gives one value: its `p95`
/// extended statistic, else its `Average`, else its `Maximum`; and one peak: its `Maximum`, else
/// the value. The record's p95 is the 95th percentile of the values and its max the largest peak;
/// its window runs from the earliest to the latest timestamp; samples is the datapoint count.
/// EBS `VolumeReadOps`/`VolumeWriteOps` are counts per period (unit `Count`): those need the
/// `Sum` statistic, which is divided by the period (the smallest gap between datapoints) to give
/// operations per second. Output without datapoints gives no record.
///
/// **`aws cloudwatch get-metric-data`**: one record per `MetricDataResults` entry with values,
/// from its `Timestamps` and `Values`, taken as they are (operations per second for ops; use a
/// metric-math expression such as `m1/PERIOD(m1)` for EBS counts). Its `Label` must name a known
/// metric.
///
/// CloudWatch output does not name the resource, so `resource` must be given for it; for a CSV,
/// when given, every row must name that resource.
///
/// The 95th percentile is the nearest-rank one: the ⌈0.95·n⌉-th smallest of the n values.
/// Checked: percentages within 0–100, operations not negative, the window's start not after its
/// end, p95 not above max. Errors name the file and the CSV line and column, or the JSON path.
pub fn read_utilization(
    path: &Path,
    resource: Option<&str>,
) -> Result<Vec<UtilizationRecord>, ImportError> {
    let resource = match resource.map(str::trim) {
        Some("") => {
            return Err(ImportError::invalid(
                path,
                None,
                Some("--resource"),
                "is empty",
            ))
        }
        other => other,
    };
    let text = read_text(path)?;
    let start = text.trim_start();
    if start.starts_with('{') || start.starts_with('[') {
        let root = parse_json(path, &text)?;
        let cloudwatch = Cloudwatch { path };
        if root.get("MetricDataResults").is_some() {
            let resource = cloudwatch.resource(resource, "get-metric-data")?;
            cloudwatch.metric_data(&root, resource)
        } else if root.get("Datapoints").is_some() {
            let resource = cloudwatch.resource(resource, "get-metric-statistics")?;
            cloudwatch.statistics(&root, resource)
        } else {
            Err(ImportError::invalid(
                path,
                None,
                None,
                format!(
                    "not CloudWatch output: expected Datapoints (get-metric-statistics) or \
                     MetricDataResults (get-metric-data), found keys: {}",
                    keys(&root)
                ),
            ))
        }
    } else {
        read_csv(path, &text, resource)
    }
}

/// The nearest-rank 95th percentile: the ⌈0.95·n⌉-th smallest value (the largest of up to 19
/// values, the 19th of 20). None for no values.
pub fn nearest_rank_p95(values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = (95 * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

fn read_csv(
    path: &Path,
    text: &str,
    resource: Option<&str>,
) -> Result<Vec<UtilizationRecord>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        ImportError::invalid(path, line, None, format!("not readable as CSV: {e}"))
    };
    let header = reader.headers().map_err(csv_error)?.clone();
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let lower = name.to_ascii_lowercase();
        let Some(column) = COLUMNS.iter().find(|c| **c == lower) else {
            let known = header
                .iter()
                .any(|h| COLUMNS.contains(&h.to_ascii_lowercase().as_str()));
            let message = if known {
                "unexpected column".to_string()
            } else {
                "not a utilisation CSV".to_string()
            };
            return Err(ImportError::invalid(
                path,
                Some(1),
                Some(name),
                format!(
                    "{message}: expected the header \
                     resource_id,metric,p95,max,window_start,window_end[,samples]"
                ),
            ));
        };
        if at.insert(column, i).is_some() {
            return Err(ImportError::invalid(
                path,
                Some(1),
                Some(name),
                "column given twice",
            ));
        }
    }
    if let Some(missing) = COLUMNS[..6].iter().find(|c| !at.contains_key(*c)) {
        return Err(ImportError::invalid(
            path,
            Some(1),
            Some(missing),
            "missing column",
        ));
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(String, Metric, DateTime<Utc>, DateTime<Utc>), u64> = HashMap::new();
    for row in reader.records() {
        let row = row.map_err(csv_error)?;
        let line = row.position().map_or(0, |p| p.line());
        let cell = |column: &'static str| -> (&'static str, &str) {
            (
                column,
                at.get(column).and_then(|&i| row.get(i)).unwrap_or(""),
            )
        };
        let error = |column: &str, message: String| {
            ImportError::invalid(path, Some(line), Some(column), message)
        };
        let required = |column: &'static str| {
            let (column, text) = cell(column);
            if text.is_empty() {
                Err(error(column, "is empty".into()))
            } else {
                Ok(text)
            }
        };
        let number = |column: &'static str| {
            let text = required(column)?;
            text.parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(text))
                .map_err(|_| error(column, format!("'{text}' is not a number")))
        };
        let time = |column: &'static str| {
            let text = required(column)?;
            parse_time_text(text)
                .ok_or_else(|| error(column, format!("'{text}' is not a date or date-time")))
        };

        let resource_id = required("resource_id")?.to_string();
        if let Some(given) = resource.filter(|r| *r != resource_id) {
            return Err(error(
                "resource_id",
                format!("'{resource_id}' is not the resource given ({given})"),
            ));
        }
        let name = required("metric")?;
        let metric = Metric::from_name(name).ok_or_else(|| {
            error(
                "metric",
                format!("'{name}' is not cpu, memory, read_ops or write_ops"),
            )
        })?;
        let p95 = number("p95")?;
        metric.check(p95).map_err(|m| error("p95", m))?;
        let max = number("max")?;
        metric.check(max).map_err(|m| error("max", m))?;
        if p95 > max {
            return Err(error("p95", format!("{p95} is above max {max}")));
        }
        let window_start = time("window_start")?;
        let window_end = time("window_end")?;
        if window_start > window_end {
            return Err(error(
                "window_end",
                format!("{window_end} is before window_start {window_start}"),
            ));
        }
        let samples = match cell("samples") {
            (_, "") => 0,
            (column, text) => text
                .parse::<u32>()
                .map_err(|_| error(column, format!("'{text}' is not a count")))?,
        };
        let key = (resource_id.clone(), metric, window_start, window_end);
        if let Some(first) = seen.insert(key, line) {
            return Err(error(
                "window_start",
                format!(
                    "{resource_id} {} for this window is already on line {first}",
                    metric.as_str()
                ),
            ));
        }
        out.push(UtilizationRecord {
            resource_id,
            metric,
            p95,
            max,
            window_start,
            window_end,
            samples,
        });
    }
    Ok(out)
}

struct Cloudwatch<'a> {
    path: &'a Path,
}

/// One value read from CloudWatch output, with where it came from.
struct Reading {
    time: DateTime<Utc>,
    value: Decimal,
    value_field: String,
    peak: Decimal,
    peak_field: String,
}

impl Cloudwatch<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> ImportError {
        ImportError::invalid(self.path, None, Some(field), message)
    }

    fn resource<'r>(
        &self,
        resource: Option<&'r str>,
        command: &str,
    ) -> Result<&'r str, ImportError> {
        resource.ok_or_else(|| {
            self.error(
                "--resource",
                format!("{command} output does not name the resource it measured; give it"),
            )
        })
    }

    fn metric(&self, item: &Value, field: &str) -> Result<Metric, ImportError> {
        let label = match item.get("Label") {
            Some(Value::String(l)) if !l.trim().is_empty() => l.trim(),
            _ => return Err(self.error(field, "missing")),
        };
        Metric::from_name(label).ok_or_else(|| {
            self.error(
                field,
                format!("'{label}' is not a known metric (known: {LABELS})"),
            )
        })
    }

    fn list<'v>(
        &self,
        item: &'v Value,
        field: &str,
        key: &str,
    ) -> Result<&'v [Value], ImportError> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.error(field, "expected a list")),
        }
    }

    /// A number at `field`, checked for the metric.
    fn number(&self, value: &Value, field: &str, metric: Metric) -> Result<Decimal, ImportError> {
        let n = json_decimal(value)
            .ok_or_else(|| self.error(field, format!("{value} is not a number")))?;
        metric.check(n).map_err(|m| self.error(field, m))?;
        Ok(n)
    }

    fn statistics(
        &self,
        root: &Value,
        resource: &str,
    ) -> Result<Vec<UtilizationRecord>, ImportError> {
        let metric = self.metric(root, "Label")?;
        let mut readings = Vec::new();
        let mut counted = Vec::new();
        for (i, point) in self
            .list(root, "Datapoints", "Datapoints")?
            .iter()
            .enumerate()
        {
            let at = format!("Datapoints[{i}]");
            if !point.is_object() {
                return Err(self.error(&at, "expected an object"));
            }
            let time = point
                .get("Timestamp")
                .ok_or_else(|| self.error(&format!("{at}.Timestamp"), "missing"))?;
            let time = aws_time(time).ok_or_else(|| {
                self.error(
                    &format!("{at}.Timestamp"),
                    format!("unreadable time {time}"),
                )
            })?;
            let unit = point.get("Unit").and_then(Value::as_str);
            if metric.is_percent() && unit.is_some_and(|u| u != "Percent") {
                return Err(self.error(
                    &format!("{at}.Unit"),
                    format!(
                        "{} is a percentage, not {}",
                        metric.as_str(),
                        unit.unwrap_or("")
                    ),
                ));
            }
            let stat = |name: &str| -> Result<Option<(Decimal, String)>, ImportError> {
                match point.get(name) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v) => {
                        let field = format!("{at}.{name}");
                        if unit == Some("Count") && !metric.is_percent() {
                            // A count per period, not yet per second: checked when divided.
                            json_decimal(v)
                                .map(|n| Some((n, field.clone())))
                                .ok_or_else(|| self.error(&field, format!("{v} is not a number")))
                        } else {
                            Ok(Some((self.number(v, &field, metric)?, field)))
                        }
                    }
                }
            };
            if unit == Some("Count") && !metric.is_percent() {
                let Some((sum, field)) = stat("Sum")? else {
                    return Err(self.error(
                        &format!("{at}.Sum"),
                        format!(
                            "{} is counted per period (unit Count): request the Sum statistic \
                             so it can be turned into operations per second",
                            root["Label"].as_str().unwrap_or_default()
                        ),
                    ));
                };
                counted.push((time, sum, field));
                continue;
            }
            let extended = match point.get("ExtendedStatistics") {
                None | Some(Value::Null) => None,
                Some(e) => match e.get("p95") {
                    None | Some(Value::Null) => None,
                    Some(v) => {
                        let field = format!("{at}.ExtendedStatistics.p95");
                        Some((self.number(v, &field, metric)?, field))
                    }
                },
            };
            let average = stat("Average")?;
            let maximum = stat("Maximum")?;
            let Some((value, value_field)) = extended.or(average.clone()).or(maximum.clone())
            else {
                return Err(self.error(&at, "no Average, Maximum or p95 value"));
            };
            let (peak, peak_field) = maximum.unwrap_or((value, value_field.clone()));
            readings.push(Reading {
                time,
                value,
                value_field,
                peak,
                peak_field,
            });
        }
        if !counted.is_empty() {
            readings.extend(self.per_second(counted, metric, readings.is_empty())?);
        }
        Ok(self
            .summarise(resource, metric, &readings, "Datapoints")?
            .into_iter()
            .collect())
    }

    /// Counts per period → operations per second, the period being the smallest gap between the
    /// datapoints.
    fn per_second(
        &self,
        mut counted: Vec<(DateTime<Utc>, Decimal, String)>,
        metric: Metric,
        alone: bool,
    ) -> Result<Vec<Reading>, ImportError> {
        if !alone {
            return Err(self.error(
                "Datapoints",
                "mixes counts (unit Count) with rates; give one statistic per file",
            ));
        }
        counted.sort_by_key(|(t, _, _)| *t);
        let period = counted
            .windows(2)
            .map(|w| (w[1].0 - w[0].0).num_seconds())
            .filter(|s| *s > 0)
            .min()
            .ok_or_else(|| {
                self.error(
                    "Datapoints",
                    "counts per period (unit Count) need at least two datapoints to tell the period",
                )
            })?;
        let period = Decimal::from(period);
        counted
            .into_iter()
            .map(|(time, sum, field)| {
                let rate = (sum / period).round_dp(6);
                metric.check(rate).map_err(|m| self.error(&field, m))?;
                Ok(Reading {
                    time,
                    value: rate,
                    value_field: field.clone(),
                    peak: rate,
                    peak_field: field,
                })
            })
            .collect()
    }

    fn metric_data(
        &self,
        root: &Value,
        resource: &str,
    ) -> Result<Vec<UtilizationRecord>, ImportError> {
        let mut out = Vec::new();
        let results = self.list(root, "MetricDataResults", "MetricDataResults")?;
        for (i, result) in results.iter().enumerate() {
            let at = format!("MetricDataResults[{i}]");
            if !result.is_object() {
                return Err(self.error(&at, "expected an object"));
            }
            if let Some(status @ ("InternalError" | "Forbidden")) =
                result.get("StatusCode").and_then(Value::as_str)
            {
                return Err(self.error(
                    &format!("{at}.StatusCode"),
                    format!("the query failed ({status})"),
                ));
            }
            let metric = self.metric(result, &format!("{at}.Label"))?;
            let times = self.list(result, &format!("{at}.Timestamps"), "Timestamps")?;
            let values = self.list(result, &format!("{at}.Values"), "Values")?;
            if times.len() != values.len() {
                return Err(self.error(
                    &format!("{at}.Values"),
                    format!("{} values for {} timestamps", values.len(), times.len()),
                ));
            }
            let mut readings = Vec::with_capacity(values.len());
            for (j, (time, value)) in times.iter().zip(values).enumerate() {
                let time_field = format!("{at}.Timestamps[{j}]");
                let time = aws_time(time)
                    .ok_or_else(|| self.error(&time_field, format!("unreadable time {time}")))?;
                let field = format!("{at}.Values[{j}]");
                let value = self.number(value, &field, metric)?;
                readings.push(Reading {
                    time,
                    value,
                    value_field: field.clone(),
                    peak: value,
                    peak_field: field,
                });
            }
            out.extend(self.summarise(resource, metric, &readings, &at)?);
        }
        Ok(out)
    }

    /// p95 (nearest rank) of the values, max of the peaks, window and count.
    fn summarise(
        &self,
        resource: &str,
        metric: Metric,
        readings: &[Reading],
        field: &str,
    ) -> Result<Option<UtilizationRecord>, ImportError> {
        let values: Vec<Decimal> = readings.iter().map(|r| r.value).collect();
        let Some(p95) = nearest_rank_p95(&values) else {
            return Ok(None);
        };
        let top = readings
            .iter()
            .max_by_key(|r| r.peak)
            .expect("readings are not empty");
        if p95 > top.peak {
            let source = readings
                .iter()
                .find(|r| r.value == p95)
                .map_or(field, |r| r.value_field.as_str());
            return Err(self.error(
                source,
                format!(
                    "p95 {p95} is above the maximum {} ({})",
                    top.peak, top.peak_field
                ),
            ));
        }
        let samples =
            u32::try_from(readings.len()).map_err(|_| self.error(field, "too many datapoints"))?;
        Ok(Some(UtilizationRecord {
            resource_id: resource.to_string(),
            metric,
            p95,
            max: top.peak,
            window_start: readings.iter().map(|r| r.time).min().expect("not empty"),
            window_end: readings.iter().map(|r| r.time).max().expect("not empty"),
            samples,
        }))
    }
}
