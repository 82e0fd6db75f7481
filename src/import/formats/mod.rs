//! Client exports in the layouts their systems write, read into calls and
//! CRM records in memory.
//!
//! A QA contractor gets what the client's systems export, not our batch
//! format: the PBX's call log (Asterisk `Master.csv`, a FreePBX CDR
//! report), the CRM's API dump or spreadsheet export (amoCRM/Kommo,
//! Bitrix24, HubSpot), or a spreadsheet of the client's own, described by a
//! mapping profile ([`generic`]). Asking the client to convert would lose a
//! week and data, so every reader takes the real layout as it is, decodes
//! the real encodings ([`text`]), and reports every record it cannot take
//! with file, line or record and field, while the rest still comes in.
//!
//! Nothing here touches the workspace: [`parse`] returns a [`Parsed`] and
//! the caller stores it with the same upsert rules as a batch. [`detect`]
//! tells which layout a file or folder holds. Calls are linked to the CRM by
//! [`crate::domain::matching`] once they are stored ([`crate::import::relink`]).
//!
//! A folder may carry `reps.csv` (`extension or user id,rep name`): PBX
//! extensions and CRM user ids become rep names through it.

pub mod amocrm_csv;
pub mod amocrm_json;
pub mod asterisk;
pub mod batch_v1;
pub mod bitrix24;
mod crm_email;
mod detect;
pub mod generic;
pub mod hubspot;
pub mod recordings;
pub mod roster;
pub mod text;
pub mod values;

pub use detect::{Scan, detect, detect_files, scan};
pub use generic::MappingProfile;

use super::Problem;
use crate::domain::crm::{ChannelLayout, Contact, Deal, Direction, Note, Task, Timestamp};
use crate::domain::matching::Activity;
use chrono::FixedOffset;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceFormat {
    BatchV1,
    AsteriskCdr,
    FreePbxCdr,
    AmoCrmJson,
    AmoCrmCsv,
    Bitrix24Json,
    HubSpotCsv,
    /// Any CSV or JSON described by a mapping profile (`mapping.toml`).
    Generic,
}

impl SourceFormat {
    pub const ALL: [SourceFormat; 8] = [
        SourceFormat::BatchV1,
        SourceFormat::AsteriskCdr,
        SourceFormat::FreePbxCdr,
        SourceFormat::AmoCrmJson,
        SourceFormat::AmoCrmCsv,
        SourceFormat::Bitrix24Json,
        SourceFormat::HubSpotCsv,
        SourceFormat::Generic,
    ];

    /// The name used on the command line (`--format amocrm-json`).
    pub fn code(self) -> &'static str {
        match self {
            SourceFormat::BatchV1 => "batch-v1",
            SourceFormat::AsteriskCdr => "asterisk-cdr",
            SourceFormat::FreePbxCdr => "freepbx-cdr",
            SourceFormat::AmoCrmJson => "amocrm-json",
            SourceFormat::AmoCrmCsv => "amocrm-csv",
            SourceFormat::Bitrix24Json => "bitrix24-json",
            SourceFormat::HubSpotCsv => "hubspot-csv",
            SourceFormat::Generic => "generic",
        }
    }

    pub fn from_code(code: &str) -> Option<SourceFormat> {
        let code = code.trim().to_ascii_lowercase().replace('_', "-");
        let code = match code.as_str() {
            "kommo-json" => "amocrm-json",
            "kommo-csv" => "amocrm-csv",
            "asterisk" | "master.csv" => "asterisk-cdr",
            "bitrix24" | "bitrix" => "bitrix24-json",
            "hubspot" => "hubspot-csv",
            "batch" => "batch-v1",
            other => other,
        };
        SourceFormat::ALL.into_iter().find(|f| f.code() == code)
    }
}

impl std::str::FromStr for SourceFormat {
    type Err = String;

    /// For `--format`: the codes of [`SourceFormat::code`] (and `kommo-*`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceFormat::from_code(s).ok_or_else(|| {
            let known: Vec<&str> = SourceFormat::ALL.iter().map(|f| f.code()).collect();
            format!("unknown format {s:?}; one of: {}", known.join(", "))
        })
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{0}: no such file or folder")]
    NotFound(String),
    #[error("{path}: {reason}")]
    Unrecognised { path: String, reason: String },
    #[error(
        "{path}: holds more than one kind of export ({found}); import the files one by one or pass --format"
    )]
    Mixed { path: String, found: String },
    #[error("{0}")]
    Unreadable(Problem),
    #[error("mapping profile {path}: {reason}")]
    Mapping { path: String, reason: String },
}

/// One call as the source describes it. `recording` is relative to the
/// batch folder, or a URL; the caller resolves and probes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub call_id: String,
    pub started_at: Timestamp,
    pub rep: String,
    pub direction: Direction,
    /// The client's number, E.164 when it normalises, as written otherwise.
    pub phone: String,
    /// Talk time (answer to hang-up); 0 for a call nobody answered.
    pub duration_ms: Option<u64>,
    pub recording: Option<String>,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    /// `("asterisk.uniqueid", ..)`, `("asterisk.linkedid", ..)`,
    /// `("amocrm.uniq", ..)`, `("bitrix.call_id", ..)`,
    /// `("bitrix.activity_id", ..)`: what the matcher links by.
    pub external_ids: Vec<(String, String)>,
    pub answered: Option<bool>,
    /// The script that applies to the call (batch v1 `script`).
    pub script: Option<String>,
    /// Which side of a stereo recording is the rep, when the source says.
    pub channel_layout: Option<ChannelLayout>,
    /// Where the record was read, for messages about it.
    pub read_at: Option<SourceLine>,
}

/// A file and the line a record starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    pub file: String,
    pub line: u64,
}

/// Everything read from one export.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub calls: Vec<CallRecord>,
    pub contacts: Vec<Contact>,
    pub deals: Vec<Deal>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
    /// CRM records of calls, meetings and emails (Bitrix24 activities,
    /// amoCRM call notes): what the matcher links calls to.
    pub activities: Vec<Activity>,
    /// Messages of a batch's `emails/` folder ([`crate::import::email`]).
    pub emails: Vec<crate::import::email::EmailRecord>,
    /// Records or files left out, each with its reason.
    pub problems: Vec<Problem>,
    /// Taken, but worth a look (an extension with no rep, a guessed encoding).
    pub warnings: Vec<Problem>,
    /// How many records of each kind were left out (each is in `problems`).
    pub skipped: Skipped,
}

/// Records left out while reading, by kind, for the import's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    pub calls: usize,
    pub contacts: usize,
    pub deals: usize,
    pub tasks: usize,
    pub notes: usize,
    pub emails: usize,
}

impl Parsed {
    /// Add another export's records (a PBX log and a CRM dump of one batch).
    pub fn merge(&mut self, other: Parsed) {
        self.calls.extend(other.calls);
        self.contacts.extend(other.contacts);
        self.deals.extend(other.deals);
        self.tasks.extend(other.tasks);
        self.notes.extend(other.notes);
        self.activities.extend(other.activities);
        self.emails.extend(other.emails);
        // A file of a folder read for two formats is reported once.
        for problem in other.problems {
            if !self.problems.contains(&problem) {
                self.problems.push(problem);
            }
        }
        for warning in other.warnings {
            if !self.warnings.contains(&warning) {
                self.warnings.push(warning);
            }
        }
        let (mine, theirs) = (&mut self.skipped, other.skipped);
        mine.calls += theirs.calls;
        mine.contacts += theirs.contacts;
        mine.deals += theirs.deals;
        mine.tasks += theirs.tasks;
        mine.notes += theirs.notes;
        mine.emails += theirs.emails;
    }
}

#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// `windows-1251`, `utf-8`, `koi8-r`; detected when `None`.
    pub encoding: Option<String>,
    /// Extension or CRM user id → rep name; `reps.csv` of the folder is
    /// read too, these win over it.
    pub reps: HashMap<String, String>,
    /// For [`SourceFormat::Generic`]; else `mapping.toml` of the folder.
    pub mapping: Option<MappingProfile>,
    /// For times written without an offset (Asterisk, amoCRM CSV, HubSpot).
    pub default_utc_offset: FixedOffset,
    /// For phone numbers written without a country code.
    pub default_country: String,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            encoding: None,
            reps: HashMap::new(),
            mapping: None,
            default_utc_offset: FixedOffset::east_opt(3 * 3600).expect("valid offset"),
            default_country: "RU".into(),
        }
    }
}

/// What a reader gets: where the batch is, how to name files, the reps.
pub struct Ctx<'a> {
    pub root: PathBuf,
    pub options: &'a ParseOptions,
    pub reps: HashMap<String, String>,
}

impl Ctx<'_> {
    /// A path as messages show it: relative to the batch folder.
    pub fn name(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The batch folder's own name, for messages about the whole export.
    pub fn folder(&self) -> String {
        self.root.file_name().map_or_else(
            || self.root.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        )
    }

    pub fn country(&self) -> &str {
        &self.options.default_country
    }

    pub fn offset(&self) -> FixedOffset {
        self.options.default_utc_offset
    }

    pub fn rep(&self, key: &str) -> Option<String> {
        self.reps.get(key.trim()).cloned()
    }
}

/// The batch folder of `path`: itself when a folder, else the folder the
/// file is in. Every file an import reads must be inside it.
pub fn folder_of(path: &Path) -> &Path {
    if path.is_dir() {
        return path;
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Read `path` (a file or a folder) as `format`. Records that cannot be
/// read land in `problems`; an error means nothing could be read at all.
pub fn parse(
    path: &Path,
    format: SourceFormat,
    options: &ParseOptions,
) -> Result<Parsed, FormatError> {
    if !path.exists() {
        return Err(FormatError::NotFound(path.display().to_string()));
    }
    let root = folder_of(path).to_path_buf();
    let mut out = Parsed::default();
    let mut reps = HashMap::new();
    // Present in any form (a link, a pipe) it is read, or said why not.
    if root.join("reps.csv").symlink_metadata().is_ok() {
        match values::read_reps(&root, "reps.csv") {
            Ok(table) => reps = table,
            Err(problem) => out.problems.push(problem),
        }
    }
    reps.extend(options.reps.clone());
    let ctx = Ctx {
        root: root.clone(),
        options,
        reps,
    };
    let is_export = !matches!(format, SourceFormat::BatchV1 | SourceFormat::Generic);
    let files: Vec<PathBuf> = if is_export && path.is_dir() {
        let scan = scan(path);
        // An export file that cannot be read loses its records: say so.
        out.problems.extend(scan.unreadable);
        // One no layout fits may be an export with a damaged header: name it.
        out.warnings.extend(scan.unrecognised);
        scan.known
            .into_iter()
            .filter(|(_, f)| *f == format)
            .map(|(p, _)| p)
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    match format {
        SourceFormat::BatchV1 => {
            batch_v1::parse(&root, &ctx, &mut out)?;
            crate::import::email::read_into(&root, &mut out);
        }
        SourceFormat::Generic => generic::parse(&root, &ctx, &mut out)?,
        _ if files.is_empty() => {
            let unreadable: Vec<String> = out
                .problems
                .iter()
                .map(|p| format!("; unreadable: {p}"))
                .collect();
            return Err(FormatError::Unrecognised {
                path: path.display().to_string(),
                reason: format!("no {format} files here{}", unreadable.concat()),
            });
        }
        SourceFormat::AsteriskCdr | SourceFormat::FreePbxCdr => {
            asterisk::parse(&files, format, &ctx, &mut out)
        }
        SourceFormat::AmoCrmJson => amocrm_json::parse(&files, &ctx, &mut out),
        SourceFormat::AmoCrmCsv => amocrm_csv::parse(&files, &ctx, &mut out),
        SourceFormat::Bitrix24Json => bitrix24::parse(&files, &ctx, &mut out),
        SourceFormat::HubSpotCsv => hubspot::parse(&files, &ctx, &mut out),
    }
    Ok(out)
}

/// Where each record id was first read, per kind: a later record with the
/// same id is reported and left out, never merged into the first without a
/// word (an export's pages overlapping, a row pasted twice, an id typed
/// wrong all look like this).
#[derive(Debug, Default)]
pub(crate) struct FirstSeen(HashMap<(&'static str, String), String>);

impl FirstSeen {
    /// `Err(reason)` when `id` of `kind` was read before; `place` says
    /// where this one is (`line 4`, `_embedded.leads[2]`). Empty ids are the
    /// readers' own to report.
    pub(crate) fn check(
        &mut self,
        kind: &'static str,
        id: &str,
        place: &str,
    ) -> Result<(), String> {
        if id.is_empty() {
            return Ok(());
        }
        match self.0.entry((kind, id.to_string())) {
            std::collections::hash_map::Entry::Occupied(first) => Err(format!(
                "duplicate {kind} id {:?} (first at {}); this one is skipped",
                crate::text::one_line(id, 80),
                first.get()
            )),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(place.to_string());
                Ok(())
            }
        }
    }

    /// The records of `kind` whose id (`id_field`) is there and new; each
    /// other one is reported through `problem` and left out.
    pub(crate) fn keep<'a, T>(
        &mut self,
        kind: &'static str,
        id_field: &str,
        records: &'a [T],
        read: impl Fn(&T) -> (String, String),
        problem: impl Fn(&T, String) -> Problem,
        problems: &mut Vec<Problem>,
    ) -> Vec<&'a T> {
        let mut kept = Vec::new();
        for record in records {
            let (id, place) = read(record);
            let verdict = if id.is_empty() {
                Err(format!("field `{id_field}` is empty"))
            } else {
                self.check(kind, &id, &place)
            };
            match verdict {
                Ok(()) => kept.push(record),
                Err(reason) => problems.push(problem(record, reason)),
            }
        }
        kept
    }
}

/// Read a CSV export with the batch's encoding rules (`--encoding`).
pub(crate) fn read_table(
    path: &Path,
    ctx: &Ctx<'_>,
    headerless: bool,
    out: &mut Parsed,
) -> Option<text::Table> {
    let options = text::CsvOptions {
        headerless,
        encoding: ctx.options.encoding.as_deref(),
        ..Default::default()
    };
    read_csv(&ctx.root, path, &ctx.name(path), options, out)
}

/// Read a CSV file; an unreadable file is a problem, and the rest is as
/// [`open_csv`].
pub(crate) fn read_csv(
    root: &Path,
    path: &Path,
    name: &str,
    options: text::CsvOptions<'_>,
    out: &mut Parsed,
) -> Option<text::Table> {
    open_csv(root, path, name, options, out)
        .map_err(|problem| out.problems.push(problem))
        .ok()
}

/// Read a CSV file: its unreadable records go to the problems, a guessed
/// encoding to the warnings.
pub(crate) fn open_csv(
    root: &Path,
    path: &Path,
    name: &str,
    options: text::CsvOptions<'_>,
    out: &mut Parsed,
) -> Result<text::Table, Problem> {
    let table = text::Table::read(root, path, name, options, &mut out.problems)?;
    if table.guessed {
        out.warnings.push(Problem::file(
            name,
            format!(
                "read as {} (guessed; pass --encoding if the text looks wrong)",
                table.encoding
            ),
        ));
    }
    Ok(table)
}
