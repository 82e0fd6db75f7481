//! Batch folders (format v1, see the README) and client exports into the
//! workspace, by one path: `formats` reads, `external` stores and links.
//!
//! A bad row or a bad recording is reported with its file, line and reason
//! and skipped; everything else goes in. Rows are upserted by id inside one
//! transaction, so importing the same batch twice changes nothing and a
//! crash mid-import leaves the workspace as it was. Recordings are probed
//! in place, never copied or rewritten.

pub mod email;
mod external;
pub mod fields;
pub mod files;
pub mod formats;

pub use external::{ImportProgress, ImportStage, link_by_hand, relink};

use formats::{ParseOptions, SourceFormat};
use std::path::Path;

/// Import a batch folder (format v1) with the default options: the same
/// path as `callqa import` of that folder.
pub fn import_batch(
    ws: &crate::store::Workspace,
    batch_dir: &Path,
) -> Result<ImportReport, ImportError> {
    let report = external::import_batch(ws, batch_dir)?;
    with_roster(ws, batch_dir, &ParseOptions::default(), report)
}

/// Import `path` (a file or a folder) in `format`, or the format(s)
/// detected there.
pub fn import_source(
    ws: &crate::store::Workspace,
    path: &Path,
    format: Option<SourceFormat>,
    options: &ParseOptions,
) -> Result<ImportReport, ImportError> {
    import_source_with_progress(ws, path, format, options, &|_, _, _| {})
}

/// [`import_source`], telling `progress` where it is.
pub fn import_source_with_progress(
    ws: &crate::store::Workspace,
    path: &Path,
    format: Option<SourceFormat>,
    options: &ParseOptions,
    progress: ImportProgress,
) -> Result<ImportReport, ImportError> {
    let report = external::import_source_with_progress(ws, path, format, options, progress)?;
    with_roster(ws, path, options, report)
}

/// The rep roster of the imported folder (`crm/reps.csv`), when it has one,
/// stored after the calls; its bad rows join the report's skipped rows.
/// The weekly plan reads it (newcomers, reps under plan).
fn with_roster(
    ws: &crate::store::Workspace,
    path: &Path,
    options: &ParseOptions,
    mut report: ImportReport,
) -> Result<ImportReport, ImportError> {
    let root = formats::folder_of(path);
    let csv = formats::text::CsvOptions {
        encoding: options.encoding.as_deref(),
        ..Default::default()
    };
    let Some(roster) = formats::roster::read(root, csv, &mut report.problems) else {
        return Ok(report);
    };
    // The batch row the import made for this folder, named the same way.
    let folder = root.canonicalize().unwrap_or(root.to_path_buf());
    ws.write_batch(|ws| {
        let batch_id = ws.batch_id(&folder.display().to_string())?;
        ws.save_roster(batch_id, &roster)
    })
    .map_err(|e| e.in_workspace(ws.path()))?;
    report
        .problems
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(report)
}

use crate::store::UpsertOutcome;
use std::fmt;

/// One thing wrong with the input, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: Option<u64>,
    /// The record's id where known (call_id, note_id ...).
    pub record: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn file(file: &str, reason: String) -> Problem {
        Problem {
            file: file.to_string(),
            line: None,
            record: None,
            reason,
        }
    }

    pub fn line(file: &str, line: u64, reason: String) -> Problem {
        Problem {
            line: Some(line),
            ..Problem::file(file, reason)
        }
    }

    fn for_record(file: &str, line: u64, record: &str, reason: String) -> Problem {
        Problem {
            record: Some(record.to_string()).filter(|r| !r.is_empty()),
            ..Problem::line(file, line, reason)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::text::one_line(&self.file, 200))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(record) = &self.record {
            write!(f, ": {}", crate::text::one_line(record, 80))?;
        }
        write!(f, ": {}", crate::text::one_line(&self.reason, 400))
    }
}

/// How many rows of one kind went in, and how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Inserted => self.new += 1,
            UpsertOutcome::Updated => self.updated += 1,
            UpsertOutcome::Unchanged => self.unchanged += 1,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub calls: Counts,
    pub contacts: Counts,
    pub deals: Counts,
    pub tasks: Counts,
    pub notes: Counts,
    /// Messages of the batch's `emails/` folder.
    pub emails: Counts,
    /// Rows or files skipped, each with its reason.
    pub problems: Vec<Problem>,
    /// Imported, but worth a look (a call pointing at an unknown contact).
    pub warnings: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: not a batch folder (no such folder)")]
    NoFolder(String),
    #[error("{0}")]
    Unreadable(Problem),
    /// An export that cannot be read at all; the message names the path.
    #[error(transparent)]
    Format(#[from] formats::FormatError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
