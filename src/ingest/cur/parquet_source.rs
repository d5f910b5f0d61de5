//! CUR Parquet: one record batch at a time, decoding only the columns the mapping uses.
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int64Array,
    StringArray,
};
use arrow::datatypes::{DataType, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, Utc};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use rust_decimal::Decimal;

use super::{float_amount, json_tags, parse_amount, parse_time, Cells, Columns};
use crate::ingest::record::{CostRecord, RecordStream};
use crate::ingest::ImportError;

/// Rows per decoded batch.
const BATCH_ROWS: usize = 8192;

pub(super) fn open(file: &Path, handle: File) -> Result<RecordStream, ImportError> {
    let unreadable = |e: parquet::errors::ParquetError| {
        ImportError::invalid(
            file,
            None,
            None,
            format!("not a readable Parquet file: {e}"),
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(handle).map_err(unreadable)?;
    let names: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    // Resolve on the whole schema, decode only the columns used, and resolve again on those:
    // the decoded batches hold exactly them, in schema order.
    let used = Columns::resolve(file, None, names.clone())?.used();
    let mask = ProjectionMask::roots(builder.parquet_schema(), used.iter().copied());
    let columns = Columns::resolve(file, None, used.iter().map(|&i| names[i].clone()).collect())?;
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(unreadable)?;
    Ok(Box::new(ParquetRows {
        file: file.to_path_buf(),
        reader,
        columns,
        width: used.len(),
        batch: Vec::new(),
        batch_rows: 0,
        next_in_batch: 0,
        row: 0,
        done: false,
    }))
}

struct ParquetRows {
    file: PathBuf,
    reader: ParquetRecordBatchReader,
    columns: Columns,
    width: usize,
    batch: Vec<Column>,
    batch_rows: usize,
    next_in_batch: usize,
    /// 1-based number of the last row handed out.
    row: u64,
    done: bool,
}

impl Iterator for ParquetRows {
    type Item = Result<CostRecord, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        while self.next_in_batch >= self.batch_rows {
            match self.reader.next() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(ImportError::invalid(
                        &self.file,
                        Some(self.row + 1),
                        None,
                        format!("unreadable Parquet data: {e}"),
                    )));
                }
                Some(Ok(batch)) => {
                    if batch.num_columns() != self.width {
                        self.done = true;
                        return Some(Err(ImportError::invalid(
                            &self.file,
                            Some(self.row + 1),
                            None,
                            format!(
                                "a record batch has {} columns where {} were asked for",
                                batch.num_columns(),
                                self.width
                            ),
                        )));
                    }
                    self.batch = prepare(&batch);
                    self.batch_rows = batch.num_rows();
                    self.next_in_batch = 0;
                }
            }
        }
        let cells = ParquetCells {
            columns: &self.batch,
            row: self.next_in_batch,
        };
        self.next_in_batch += 1;
        self.row += 1;
        Some(self.columns.build(&self.file, self.row, &cells))
    }
}

/// One decoded column, in the shape cells are read from.
enum Column {
    Text(StringArray),
    Float(Float64Array),
    Float32(Float32Array),
    Int(Int64Array),
    Decimal(Decimal128Array, u32),
    Time(Int64Array, TimeUnit),
    Date(Date32Array),
    Map {
        offsets: Vec<i32>,
        nulls: Option<arrow::buffer::NullBuffer>,
        keys: StringArray,
        values: StringArray,
    },
    Unsupported(DataType),
}

fn prepare(batch: &RecordBatch) -> Vec<Column> {
    batch.columns().iter().map(prepare_column).collect()
}

fn to_text(array: &ArrayRef) -> Option<StringArray> {
    let cast = arrow::compute::cast(array, &DataType::Utf8).ok()?;
    Some(cast.as_string::<i32>().clone())
}

fn prepare_column(array: &ArrayRef) -> Column {
    let data_type = array.data_type().clone();
    let cast_to = |to: &DataType| arrow::compute::cast(array, to).ok();
    let prepared = match &data_type {
        DataType::Utf8 => Some(Column::Text(array.as_string::<i32>().clone())),
        DataType::Float64 => Some(Column::Float(
            array
                .as_primitive::<arrow::datatypes::Float64Type>()
                .clone(),
        )),
        DataType::Float32 => Some(Column::Float32(
            array
                .as_primitive::<arrow::datatypes::Float32Type>()
                .clone(),
        )),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => cast_to(&DataType::Int64)
            .map(|a| Column::Int(a.as_primitive::<arrow::datatypes::Int64Type>().clone())),
        DataType::Decimal128(_, scale) if (0..=28).contains(scale) => Some(Column::Decimal(
            array
                .as_primitive::<arrow::datatypes::Decimal128Type>()
                .clone(),
            *scale as u32,
        )),
        DataType::Timestamp(unit, _) => cast_to(&DataType::Int64).map(|a| {
            Column::Time(
                a.as_primitive::<arrow::datatypes::Int64Type>().clone(),
                *unit,
            )
        }),
        DataType::Date32 => Some(Column::Date(
            array.as_primitive::<arrow::datatypes::Date32Type>().clone(),
        )),
        DataType::Date64 => cast_to(&DataType::Date32)
            .map(|a| Column::Date(a.as_primitive::<arrow::datatypes::Date32Type>().clone())),
        DataType::Map(_, _) => {
            let map = array.as_map();
            match (to_text(map.keys()), to_text(map.values())) {
                (Some(keys), Some(values)) => Some(Column::Map {
                    offsets: map.value_offsets().to_vec(),
                    nulls: map.nulls().cloned(),
                    keys,
                    values,
                }),
                _ => None,
            }
        }
        _ => to_text(array).map(Column::Text),
    };
    prepared.unwrap_or(Column::Unsupported(data_type))
}

/// The cells of one row of a decoded batch.
struct ParquetCells<'a> {
    columns: &'a [Column],
    row: usize,
}

impl ParquetCells<'_> {
    fn column(&self, col: usize) -> Result<&Column, String> {
        self.columns
            .get(col)
            .ok_or_else(|| format!("column {col} is not in the batch"))
    }
}

fn unsupported(data_type: &DataType) -> String {
    format!("has Parquet type {data_type}, which is not read")
}

fn instant(value: i64, unit: TimeUnit) -> Option<DateTime<Utc>> {
    match unit {
        TimeUnit::Second => DateTime::from_timestamp(value, 0),
        TimeUnit::Millisecond => DateTime::from_timestamp_millis(value),
        TimeUnit::Microsecond => DateTime::from_timestamp_micros(value),
        TimeUnit::Nanosecond => Some(DateTime::from_timestamp_nanos(value)),
    }
}

impl Cells for ParquetCells<'_> {
    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>, String> {
        let row = self.row;
        Ok(match self.column(col)? {
            Column::Text(a) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                let value = a.value(row).trim();
                (!value.is_empty() && value != "NULL").then_some(Cow::Borrowed(value))
            }
            Column::Float(a) => (!a.is_null(row)).then(|| Cow::Owned(a.value(row).to_string())),
            Column::Float32(a) => (!a.is_null(row)).then(|| Cow::Owned(a.value(row).to_string())),
            Column::Int(a) => (!a.is_null(row)).then(|| Cow::Owned(a.value(row).to_string())),
            Column::Decimal(..) => self.amount(col)?.map(|d| Cow::Owned(d.to_string())),
            Column::Time(..) | Column::Date(_) => self
                .time(col)?
                .map(|t| Cow::Owned(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
            Column::Map { .. } => return Err("is a map where text was expected".into()),
            Column::Unsupported(t) => return Err(unsupported(t)),
        })
    }

    fn amount(&self, col: usize) -> Result<Option<Decimal>, String> {
        let row = self.row;
        match self.column(col)? {
            Column::Float(a) => (!a.is_null(row))
                .then(|| float_amount(a.value(row)))
                .transpose(),
            Column::Float32(a) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                let value = a.value(row);
                if !value.is_finite() {
                    return Err(format!("{value} is not a finite number"));
                }
                parse_amount(&value.to_string()).map(Some)
            }
            Column::Int(a) => Ok((!a.is_null(row)).then(|| Decimal::from(a.value(row)))),
            Column::Decimal(a, scale) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                Decimal::try_from_i128_with_scale(a.value(row), *scale)
                    .map(Some)
                    .map_err(|e| format!("cannot be read as a decimal: {e}"))
            }
            Column::Text(_) => match self.text(col)? {
                None => Ok(None),
                Some(text) => parse_amount(&text).map(Some),
            },
            Column::Time(..) | Column::Date(_) => {
                Err("is a date where a number was expected".into())
            }
            Column::Map { .. } => Err("is a map where a number was expected".into()),
            Column::Unsupported(t) => Err(unsupported(t)),
        }
    }

    fn time(&self, col: usize) -> Result<Option<DateTime<Utc>>, String> {
        let row = self.row;
        match self.column(col)? {
            Column::Time(a, unit) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                instant(a.value(row), *unit)
                    .map(Some)
                    .ok_or_else(|| format!("timestamp {} is out of range", a.value(row)))
            }
            Column::Date(a) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                a.value_as_date(row)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| Some(t.and_utc()))
                    .ok_or_else(|| format!("date {} is out of range", a.value(row)))
            }
            Column::Text(_) => match self.text(col)? {
                None => Ok(None),
                Some(text) => parse_time(&text)
                    .map(Some)
                    .ok_or_else(|| format!("'{text}' is not a date-time")),
            },
            Column::Unsupported(t) => Err(unsupported(t)),
            _ => Err("is not a date-time column".into()),
        }
    }

    fn tags(&self, col: usize, into: &mut BTreeMap<String, String>) -> Result<(), String> {
        let row = self.row;
        match self.column(col)? {
            Column::Map {
                offsets,
                nulls,
                keys,
                values,
            } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                    return Ok(());
                }
                let (from, to) = (offsets[row] as usize, offsets[row + 1] as usize);
                for entry in from..to {
                    if keys.is_null(entry) || values.is_null(entry) {
                        continue;
                    }
                    let value = values.value(entry);
                    if !value.is_empty() {
                        into.insert(keys.value(entry).to_string(), value.to_string());
                    }
                }
                Ok(())
            }
            Column::Text(_) => match self.text(col)? {
                None => Ok(()),
                Some(text) => json_tags(&text, into),
            },
            Column::Unsupported(t) => Err(unsupported(t)),
            _ => Err("is neither a map nor JSON text".into()),
        }
    }
}
