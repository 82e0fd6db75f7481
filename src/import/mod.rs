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
pub mod mystery;

pub use external::{
    ImportProgress, ImportStage, import_batch, import_source, import_source_with_progress,
    link_by_hand, relink,
};

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
    /// Mystery-shopping visits of the batch's `mystery/visits.csv`.
    pub visits: Counts,
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
