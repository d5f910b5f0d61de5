//! CUR CSV, plain or gzip-compressed: one record at a time.
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{json_tags, parse_amount, parse_time, Cells, Columns};
use crate::ingest::record::{CostRecord, RecordStream};
use crate::ingest::ImportError;

pub(super) fn open(file: &Path, handle: File, gzip: bool) -> Result<RecordStream, ImportError> {
    let raw: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            handle,
        )))
    } else {
        Box::new(handle)
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(raw);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => return Err(read_error(file, e, gzip, 0)),
    };
    if header
        .iter()
        .all(|h| h.trim().trim_start_matches('\u{feff}').is_empty())
    {
        return Err(ImportError::invalid(
            file,
            Some(1),
            None,
            "the file is empty; an AWS Cost and Usage Report starts with a header line",
        ));
    }
    let names = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let columns = Columns::resolve(file, Some(1), names)?;
    Ok(Box::new(CsvRows {
        file: file.to_path_buf(),
        reader,
        record: csv::StringRecord::new(),
        columns,
        gzip,
        last_line: 1,
        done: false,
    }))
}

struct CsvRows {
    file: PathBuf,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::StringRecord,
    columns: Columns,
    gzip: bool,
    last_line: u64,
    done: bool,
}

impl Iterator for CsvRows {
    type Item = Result<CostRecord, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = self
                    .record
                    .position()
                    .map_or(self.last_line + 1, |p| p.line());
                self.last_line = line;
                Some(
                    self.columns
                        .build(&self.file, line, &CsvCells(&self.record)),
                )
            }
            Err(e) => {
                self.done = true;
                Some(Err(read_error(&self.file, e, self.gzip, self.last_line)))
            }
        }
    }
}

/// A reading problem (not a cell's): decompression, UTF-8, field count.
fn read_error(file: &Path, e: csv::Error, gzip: bool, last_line: u64) -> ImportError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) if gzip => ImportError::invalid(
            file,
            None,
            None,
            format!(
                "the gzip data cannot be decompressed after line {last_line} ({io}): the file is \
                 truncated or corrupt"
            ),
        ),
        csv::ErrorKind::Io(io) => ImportError::Io(file.display().to_string(), io),
        csv::ErrorKind::Utf8 { pos, err } => ImportError::invalid(
            file,
            pos.map(|p| p.line()).or(line),
            None,
            format!("not UTF-8 text: {err}"),
        ),
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => ImportError::invalid(
            file,
            pos.map(|p| p.line()).or(line),
            None,
            format!("the record has {len} fields where the header has {expected_len}"),
        ),
        other => ImportError::invalid(file, line, None, format!("malformed CSV: {other:?}")),
    }
}

/// The cells of one CSV record.
struct CsvCells<'a>(&'a csv::StringRecord);

impl CsvCells<'_> {
    fn cell(&self, col: usize) -> Option<&str> {
        let value = self.0.get(col)?.trim();
        (!value.is_empty() && value != "NULL").then_some(value)
    }
}

impl Cells for CsvCells<'_> {
    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>, String> {
        Ok(self.cell(col).map(Cow::Borrowed))
    }

    fn amount(&self, col: usize) -> Result<Option<Decimal>, String> {
        self.cell(col).map(parse_amount).transpose()
    }

    fn time(&self, col: usize) -> Result<Option<DateTime<Utc>>, String> {
        match self.cell(col) {
            None => Ok(None),
            Some(text) => parse_time(text)
                .map(Some)
                .ok_or_else(|| format!("'{text}' is not a date-time")),
        }
    }

    fn tags(&self, col: usize, into: &mut BTreeMap<String, String>) -> Result<(), String> {
        match self.cell(col) {
            None => Ok(()),
            Some(text) => json_tags(text, into),
        }
    }
}
