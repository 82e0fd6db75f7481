//! Telling which export a file or folder holds, from file names, header
//! rows and JSON shapes.
//!
//! A file of the folder that cannot be read (a truncated JSON, a header row
//! that is not text, a pipe, a link out of the folder) is never just passed
//! over: [`scan`] names it with the reason, so the import reports it and
//! says rows were skipped. When nothing is recognised, the error says which
//! file came closest to a known layout and what, on which line, stopped it.

use super::text::{self, CsvOptions, Table};
use super::{FormatError, SourceFormat, amocrm_csv, amocrm_json, asterisk, bitrix24, hubspot};
use crate::import::Problem;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a folder holds.
#[derive(Debug, Default)]
pub struct Scan {
    /// Each export file with its layout.
    pub known: Vec<(PathBuf, SourceFormat)>,
    /// Files that could not be read, each with the reason.
    pub unreadable: Vec<Problem>,
    /// CSV, JSON and text files that no layout fits, each with the closest
    /// layout and what it lacks when there is one: left out, and said so.
    pub unrecognised: Vec<Problem>,
    /// The readable file nearest to a layout callqa knows, and what it lacks.
    closest: Option<NearMiss>,
}

#[derive(Debug)]
struct NearMiss {
    /// How much of the layout the file has; the highest is the closest.
    score: usize,
    problem: Problem,
}

/// What one file is.
enum Classified {
    Known(SourceFormat),
    /// Readable, but no layout callqa knows; the nearest one, if any.
    Unknown(Option<NearMiss>),
}

/// Which layout `path` (a file or a folder) holds.
pub fn detect(path: &Path) -> Result<SourceFormat, FormatError> {
    if !path.exists() {
        return Err(FormatError::NotFound(path.display().to_string()));
    }
    if !path.is_dir() {
        let root = super::folder_of(path);
        return match classify(root, path) {
            Ok(Classified::Known(format)) => Ok(format),
            Ok(Classified::Unknown(closest)) => Err(unrecognised(path, Vec::new(), closest)),
            Err(problem) => Err(unrecognised(path, vec![problem], None)),
        };
    }
    if path.join("calls.csv").exists() {
        return Ok(SourceFormat::BatchV1);
    }
    if path.join(super::generic::PROFILE_FILE).exists() {
        return Ok(SourceFormat::Generic);
    }
    let scan = scan(path);
    let found: BTreeSet<SourceFormat> = scan.known.iter().map(|(_, f)| *f).collect();
    match found.len() {
        0 => Err(unrecognised(path, scan.unreadable, scan.closest)),
        1 => Ok(*found.first().expect("one")),
        _ => Err(FormatError::Mixed {
            path: path.display().to_string(),
            found: found
                .iter()
                .map(|f| f.code())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Every export file in a folder (and its `cdr-csv/` subfolder) with its
/// layout; see [`scan`] for the files left out.
pub fn detect_files(dir: &Path) -> Vec<(PathBuf, SourceFormat)> {
    scan(dir).known
}

/// Every file in a folder (and its `cdr-csv/` subfolder): its layout, or
/// why it could not be read. Files of no layout are left out.
pub fn scan(dir: &Path) -> Scan {
    let mut paths: Vec<PathBuf> = Vec::new();
    for folder in [dir.to_path_buf(), dir.join("cdr-csv")] {
        if let Ok(entries) = std::fs::read_dir(&folder) {
            // Not `is_file`: a pipe or a broken link must be named too.
            paths.extend(entries.flatten().map(|e| e.path()).filter(|p| !p.is_dir()));
        }
    }
    paths.sort();
    let mut scan = Scan::default();
    for path in paths {
        match classify(dir, &path) {
            Ok(Classified::Known(format)) => scan.known.push((path, format)),
            Ok(Classified::Unknown(miss)) => {
                if is_data_file(&path) {
                    scan.unrecognised.push(left_out(dir, &path, miss.as_ref()));
                }
                if let Some(miss) = miss
                    && scan.closest.as_ref().is_none_or(|c| miss.score > c.score)
                {
                    scan.closest = Some(miss);
                }
            }
            Err(problem) => scan.unreadable.push(problem),
        }
    }
    scan
}

/// A file that may hold records: CSV, JSON, text, or no extension
/// (recordings and the like are not looked at). `reps.csv` and hidden
/// files are no export.
fn is_data_file(path: &Path) -> bool {
    let Some(file) = path.file_name().map(|f| f.to_string_lossy().to_lowercase()) else {
        return false;
    };
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    file != "reps.csv"
        && !file.starts_with('.')
        && matches!(ext.as_deref(), Some("csv" | "json" | "txt") | None)
}

fn left_out(root: &Path, path: &Path, miss: Option<&NearMiss>) -> Problem {
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let closest = miss.map_or(String::new(), |m| format!(" (closest: {})", m.problem));
    Problem::file(
        &name,
        format!("left out: no export layout callqa knows fits this file{closest}"),
    )
}

fn unrecognised(path: &Path, unreadable: Vec<Problem>, closest: Option<NearMiss>) -> FormatError {
    let mut reason = "no export callqa knows (Asterisk Master.csv, FreePBX CDR, amoCRM JSON or \
                      CSV, Bitrix24 JSON, HubSpot CSV, a batch folder, or a folder with \
                      mapping.toml)"
        .to_string();
    let shown = 3;
    for problem in unreadable.iter().take(shown) {
        reason.push_str(&format!("; unreadable: {problem}"));
    }
    if unreadable.len() > shown {
        reason.push_str(&format!("; {} more unreadable", unreadable.len() - shown));
    }
    if let Some(miss) = closest {
        reason.push_str(&format!("; closest: {}", miss.problem));
    }
    FormatError::Unrecognised {
        path: path.display().to_string(),
        reason,
    }
}

/// The layout of one file, from its name, header row or JSON shape; an
/// error when the file cannot be read that far.
fn classify(root: &Path, path: &Path) -> Result<Classified, Problem> {
    let unknown = Ok(Classified::Unknown(None));
    let Some(file) = path.file_name().map(|f| f.to_string_lossy().to_lowercase()) else {
        return unknown;
    };
    if file == "reps.csv" || file.starts_with('.') {
        return unknown;
    }
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    match ext.as_deref() {
        Some("json") => {
            let value = text::read_json(root, path, &name)?;
            if amocrm_json::looks_like(&value) {
                Ok(Classified::Known(SourceFormat::AmoCrmJson))
            } else if bitrix24::looks_like(&file, &value) {
                Ok(Classified::Known(SourceFormat::Bitrix24Json))
            } else {
                unknown
            }
        }
        // By name: its records are checked, and reported, when it is read.
        _ if file == "master.csv" => Ok(Classified::Known(SourceFormat::AsteriskCdr)),
        Some("csv") | Some("txt") | None => classify_csv(root, path, &name),
        _ => unknown,
    }
}

/// Header columns each CSV layout is known by: one of each group.
const HEADER_MARKS: &[(SourceFormat, &[&[&str]])] = &[
    (
        SourceFormat::FreePbxCdr,
        &[&["calldate"], &["uniqueid", "recordingfile"]],
    ),
    (
        SourceFormat::AmoCrmCsv,
        &[&["Название сделки", "Этап сделки"], &["Ответственный"]],
    ),
    (
        SourceFormat::HubSpotCsv,
        &[
            &["Record ID"],
            &[
                "Deal Name",
                "First Name",
                "Email",
                "Contact owner",
                "Deal owner",
            ],
        ],
    ),
    (SourceFormat::BatchV1, &[&["call_id"], &["started_at"]]),
];

fn classify_csv(root: &Path, path: &Path, name: &str) -> Result<Classified, Problem> {
    let bytes = text::read_bytes(root, path, name)?;
    let headerless = CsvOptions {
        headerless: true,
        ..Default::default()
    };
    let (first, unreadable) = Table::peek(&bytes, name, headerless)?;
    let asterisk_miss = match first.rows.first() {
        Some(row) => match asterisk::headerless_mismatch(&row.fields) {
            None => return Ok(Classified::Known(SourceFormat::AsteriskCdr)),
            Some((score, reason)) => Some(NearMiss {
                score,
                problem: Problem::line(name, row.line, reason),
            }),
        },
        // The first record could not be read: say why.
        None => unreadable.first().map(|p| NearMiss {
            score: 1,
            problem: p.clone(),
        }),
    };
    let (table, _) = Table::peek(&bytes, name, CsvOptions::default())?;
    if table.has("calldate") && (table.has("uniqueid") || table.has("recordingfile")) {
        return Ok(Classified::Known(SourceFormat::FreePbxCdr));
    }
    if amocrm_csv::looks_like(&table) {
        return Ok(Classified::Known(SourceFormat::AmoCrmCsv));
    }
    if hubspot::looks_like(&table) {
        return Ok(Classified::Known(SourceFormat::HubSpotCsv));
    }
    if table.has("call_id") && table.has("started_at") {
        return Ok(Classified::Known(SourceFormat::BatchV1));
    }
    let header_miss = HEADER_MARKS
        .iter()
        .filter_map(|(format, groups)| {
            let has = |group: &[&str]| group.iter().any(|h| table.has(h));
            let score = groups.iter().filter(|g| has(g)).count();
            let missing: Vec<String> = groups
                .iter()
                .filter(|g| !has(g))
                .map(|g| {
                    g.iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                })
                .collect();
            (score > 0).then(|| NearMiss {
                score,
                problem: Problem::line(
                    name,
                    1,
                    format!(
                        "the header row lacks {}, which {} has (it reads: {})",
                        missing.join(" and "),
                        format,
                        crate::text::one_line(&table.headers.join(", "), 160)
                    ),
                ),
            })
        })
        .max_by_key(|m| m.score);
    let closest = [asterisk_miss, header_miss]
        .into_iter()
        .flatten()
        .max_by_key(|m| m.score);
    Ok(Classified::Unknown(closest))
}
