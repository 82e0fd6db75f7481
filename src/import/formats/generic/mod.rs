//! Any CSV or JSON export (Pipedrive, Salesforce, a client's own
//! spreadsheet) read through a column-mapping profile.
//!
//! Writing a reader per CRM does not scale to every client's spreadsheet,
//! so the contractor describes the file once in `mapping.toml`, put in the
//! batch folder (or passed in [`super::ParseOptions::mapping`]):
//!
//! ```toml
//! [source]                  # optional defaults for every file
//! encoding = "windows-1251" # else detected
//! delimiter = ";"           # else sniffed from the header
//! utc_offset = "+03:00"     # for times without one, else the batch's
//!
//! [calls]
//! file = "calls.csv"        # relative to the batch folder; .json works too
//! call_id = "Call ID"       # a field is a column name ...
//! started_at = { column = "Date", format = "%d/%m/%Y %H:%M" }
//! rep = "Owner"
//! direction = { column = "Type", map = { "Incoming" = "in", "Outgoing" = "out" } }
//! phone = "Phone"
//! duration = { column = "Duration", unit = "s" }   # s, ms, min or hh:mm:ss
//! recording = "Recording"
//! contact_id = "Person ID"
//! external_ids = { "pipedrive.activity_id" = "Activity ID" }
//!
//! [contacts]
//! file = "persons.json"
//! records = "data"          # JSON: where the array is (dots for depth)
//! contact_id = "id"
//! name = { columns = ["first_name", "last_name"] }  # joined with a space
//! phone = "phone.0.value"   # JSON: a path into the record
//! owner_rep = { value = "Анна" }                    # ... or a constant
//! ```
//!
//! Tables are `[calls]`, `[contacts]`, `[deals]`, `[tasks]`, `[notes]`
//! and `[activities]`; their fields are those of the batch format (see
//! the README) plus `answered`, `duration`/`duration_ms` for calls and
//! `kind`, `call_ref`, `at`, `subject` for activities. A field spec may
//! carry `default` (used when the cell is empty) and `map` (value
//! translation). Time `format` is a chrono pattern, `unix` or `unix_ms`;
//! without one ISO 8601 and `DD.MM.YYYY HH:MM[:SS]` are tried. Unknown
//! tables or fields are refused, so a typo does not silently drop a column.

mod build;
mod profile;

pub use profile::{ColumnSpec, EntityMap, FieldSpec, MappingProfile, PROFILE_FILE, SourceDefaults};

use super::read_csv;
use super::text::{CsvOptions, read_json};
use super::{Ctx, FirstSeen, FormatError, Parsed};
use crate::import::Problem;
use chrono::FixedOffset;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// One record, located, with the mapped fields resolved to text.
struct Record {
    line: Option<u64>,
    place: String,
    raw: HashMap<String, String>,
}

pub fn parse(root: &Path, ctx: &Ctx<'_>, out: &mut Parsed) -> Result<(), FormatError> {
    let profile = match &ctx.options.mapping {
        Some(p) => p.clone(),
        None => MappingProfile::read(root, Path::new(PROFILE_FILE))?,
    };
    let offset = match &profile.source.utc_offset {
        Some(o) => o.parse::<FixedOffset>().map_err(|_| FormatError::Mapping {
            path: PROFILE_FILE.into(),
            reason: format!("[source] utc_offset {o:?} is not like +03:00"),
        })?,
        None => ctx.offset(),
    };
    let mut seen = FirstSeen::default();
    for (table, map, _, required) in profile.tables() {
        // The first required field is the record's id.
        let Some(records) = load(root, map, required[0], &profile.source, ctx, out) else {
            continue;
        };
        let file = map.file.clone();
        for rec in records {
            let field = |name: &str| build::value(map, &rec, name);
            let id = field(required[0]).map(|(id, _)| id).unwrap_or_default();
            let place = match rec.line {
                Some(line) => format!("{file} line {line}"),
                None => format!("{file} {}", rec.place),
            };
            let built = seen
                .check(table, &id, &place)
                .and_then(|()| build::build(table, map, &rec, &field, offset, ctx, out));
            if let Err(reason) = built {
                let record = Some(rec.place.clone()).filter(|p| !p.is_empty());
                out.problems.push(Problem {
                    file: file.clone(),
                    line: rec.line,
                    record,
                    reason,
                });
            }
        }
    }
    Ok(())
}

/// Every column a map reads, resolved per record.
fn columns(map: &EntityMap) -> Vec<String> {
    let mut cols: Vec<String> = map.external_ids.values().cloned().collect();
    for spec in map.fields.values() {
        match spec {
            FieldSpec::Column(c) => cols.push(c.clone()),
            FieldSpec::Spec(s) => {
                cols.extend(s.column.clone());
                cols.extend(s.columns.clone().unwrap_or_default());
            }
        }
    }
    cols
}

fn load(
    root: &Path,
    map: &EntityMap,
    id_field: &str,
    source: &SourceDefaults,
    ctx: &Ctx<'_>,
    out: &mut Parsed,
) -> Option<Vec<Record>> {
    let path = root.join(&map.file);
    let cols = columns(map);
    let record = |line: Option<u64>, place: String, raw: HashMap<String, String>| {
        let mut rec = Record { line, place, raw };
        let id = build::value(map, &rec, id_field)
            .map(|(id, _)| id)
            .unwrap_or_default();
        rec.place = format!("{} {id}", rec.place).trim().to_string();
        rec
    };
    if map.file.to_lowercase().ends_with(".json") {
        let doc = read_json(root, &path, &map.file)
            .map_err(|p| out.problems.push(p))
            .ok()?;
        let list = match &map.records {
            Some(at) => at.split('.').try_fold(&doc, |v, k| v.get(k)),
            None => ["data", "result", "items", "records"]
                .iter()
                .find_map(|k| doc.get(k).filter(|v| v.is_array()))
                .or(Some(&doc)),
        };
        let Some(items) = list.and_then(Value::as_array) else {
            out.problems.push(Problem::file(
                &map.file,
                "no array of records where `records` points".into(),
            ));
            return None;
        };
        let at = map.records.clone().unwrap_or_default();
        return Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let raw: HashMap<String, String> = cols
                        .iter()
                        .map(|c| (c.clone(), json_path(item, c)))
                        .collect();
                    record(None, format!("{at}[{i}]"), raw)
                })
                .collect(),
        );
    }
    let encoding = map
        .encoding
        .as_ref()
        .or(source.encoding.as_ref())
        .or(ctx.options.encoding.as_ref());
    let delimiter = map
        .delimiter
        .as_ref()
        .or(source.delimiter.as_ref())
        .map(|d| match d.as_str() {
            "tab" | "\\t" => b'\t',
            d => d.bytes().next().unwrap_or(b','),
        });
    let options = CsvOptions {
        delimiter,
        encoding: encoding.map(String::as_str),
        ..Default::default()
    };
    let table = read_csv(root, &path, &map.file, options, out)?;
    if let Some(missing) = cols.iter().find(|c| !table.has(c)) {
        out.problems.push(Problem::file(
            &map.file,
            format!("the mapping names column {missing:?}, which the header row does not have"),
        ));
        return None;
    }
    Some(
        table
            .rows
            .iter()
            .map(|row| {
                let raw: HashMap<String, String> = cols
                    .iter()
                    .map(|c| (c.clone(), table.get(row, c).to_string()))
                    .collect();
                record(Some(row.line), String::new(), raw)
            })
            .collect(),
    )
}

/// `person.phone.0.value` in a JSON record; numbers written out.
fn json_path(item: &Value, path: &str) -> String {
    let found = path
        .split('.')
        .try_fold(item, |v, k| match k.parse::<usize>() {
            Ok(i) if v.is_array() => v.get(i),
            _ => v.get(k),
        });
    match found {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
