//! Reading one batch CSV the way the format promises: UTF-8 with or without
//! BOM, a header row, columns in any order, unknown columns ignored, RFC 4180
//! quoting. Each record keeps its line number for messages.

use super::Problem;
use std::collections::HashMap;
use std::path::Path;

pub struct CsvFile {
    /// The name used in messages, relative to the batch folder.
    pub name: String,
    columns: HashMap<String, usize>,
    pub records: Vec<Record>,
    /// Records that could not be read at all (reported already).
    pub unreadable: usize,
}

pub struct Record {
    pub line: u64,
    fields: csv::StringRecord,
}

impl CsvFile {
    /// Read the whole file. A header without a required column is an error
    /// for the file; an unreadable record is reported and skipped.
    pub fn read(
        path: &Path,
        name: &str,
        required: &[&str],
        problems: &mut Vec<Problem>,
    ) -> Result<CsvFile, Problem> {
        let file_problem = |reason: String| Problem::file(name, reason);
        let bytes = std::fs::read(path).map_err(|e| file_problem(format!("cannot read: {e}")))?;
        // The csv crate counts a CRLF line ending as no line at all, so line
        // numbers in messages drift; Excel writes CRLF. Plain LF it is.
        let text = crlf_to_lf(&bytes);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::Headers)
            .from_reader(text.as_slice());
        let headers = reader
            .headers()
            .map_err(|e| file_problem(format!("cannot read the header row: {e}")))?
            .clone();
        let columns: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_lowercase(), i))
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !columns.contains_key(*c))
            .collect();
        if missing.is_empty() && headers.is_empty() {
            return Err(file_problem("the file is empty".into()));
        }
        if !missing.is_empty() {
            return Err(file_problem(format!(
                "missing column(s): {} (the header row has: {})",
                missing.join(", "),
                crate::text::one_line(&headers.iter().collect::<Vec<_>>().join(", "), 200)
            )));
        }
        let width = headers.len();
        let mut records = Vec::new();
        let mut unreadable = 0;
        for result in reader.records() {
            match result {
                Ok(fields) => {
                    let line = fields.position().map_or(0, |p| p.line());
                    if fields.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    if fields.len() < width {
                        problems.push(Problem::line(
                            name,
                            line,
                            format!(
                                "too few fields: {} of {} (a missing comma or an unclosed quote?)",
                                fields.len(),
                                width
                            ),
                        ));
                        unreadable += 1;
                        continue;
                    }
                    records.push(Record { line, fields });
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    problems.push(Problem::line(name, line, csv_reason(&e)));
                    unreadable += 1;
                }
            }
        }
        Ok(CsvFile {
            name: name.to_string(),
            columns,
            records,
            unreadable,
        })
    }

    /// A field by column name, trimmed; empty when the column is absent.
    pub fn get<'r>(&self, record: &'r Record, column: &str) -> &'r str {
        self.columns
            .get(column)
            .and_then(|&i| record.fields.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// Like `get`, but None for an empty value.
    pub fn opt(&self, record: &Record, column: &str) -> Option<String> {
        Some(self.get(record, column))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "not UTF-8 text (field {}); save the file as UTF-8",
            err.field() + 1
        ),
        _ => e.to_string(),
    }
}
