//! Every importer fed mutated copies of its real fixtures: batch v1 (the
//! demo), Asterisk and FreePBX CDRs, amoCRM JSON and CSV, Bitrix24 JSON,
//! HubSpot CSV, and a mapped spreadsheet with its `mapping.toml`.
//!
//! Each case damages one file of a copy of the fixture folder (its bytes,
//! lines, fields or JSON values; or the file itself swapped for a named
//! pipe, a link out of the folder, `/dev/zero`, a folder) and imports the
//! folder the way `callqa import` does. It must not panic or hang, must not
//! open a file of the folder beside it (which holds a full copy of the
//! fixture, so a read would import it), and must not lose a record quietly:
//! every record of the damaged file is stored, or a problem names the file
//! and the record (its line or its place in the JSON), or a problem says
//! the whole file could not be read.

use super::harness::{Figures, OutsideWatch, bounded, copy_dir, mkfifo, trace};
use super::mutate::{Shape, mutate};
use super::rng::Rng;
use callqa::import::formats::{ParseOptions, SourceFormat};
use callqa::import::{ImportReport, Problem, import_source};
use callqa::store::Workspace;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Calls,
    Contacts,
    Deals,
    Tasks,
    Notes,
    Activities,
}

/// How the records of a file are counted, independently of the importer.
#[derive(Debug, Clone, Copy)]
pub enum Records {
    /// Data rows of a CSV with a header row (blank rows are no records).
    Rows,
    /// Distinct elements of the arrays under these keys, wherever they sit
    /// (so a renamed envelope does not hide them); `[]` at the top counts
    /// too. The notes of amoCRM that are no write-up are not records.
    Json(&'static [&'static str]),
    /// Records that merge (a PBX's call legs) or that are not stored
    /// (users, pipelines, a mapping profile): panics, hangs and reads
    /// outside are still checked.
    Uncounted,
}

pub struct Target {
    /// The fixture folder, relative to the crate.
    pub seed: &'static str,
    /// The file damaged, relative to the fixture folder.
    pub file: &'static str,
    pub shape: Shape,
    /// What the file's records become in the workspace.
    pub kinds: &'static [Kind],
    pub records: Records,
}

const fn target(
    seed: &'static str,
    file: &'static str,
    shape: Shape,
    kinds: &'static [Kind],
    records: Records,
) -> Target {
    Target {
        seed,
        file,
        shape,
        kinds,
        records,
    }
}

use Kind::*;
use Records::*;
use Shape::{Csv, Json as JsonShape, Toml};

const DEMO: &str = "assets/demo";
const AMO: &str = "tests/fixtures/crm/amocrm-json";
const B24: &str = "tests/fixtures/crm/bitrix24";
const GENERIC: &str = "tests/fixtures/crm/generic";

pub const TARGETS: &[Target] = &[
    target(DEMO, "calls.csv", Csv, &[Calls], Rows),
    target(DEMO, "crm/contacts.csv", Csv, &[Contacts], Rows),
    target(DEMO, "crm/deals.csv", Csv, &[Deals], Rows),
    target(DEMO, "crm/tasks.csv", Csv, &[Tasks], Rows),
    target(DEMO, "crm/notes.csv", Csv, &[Notes], Rows),
    target(
        "tests/fixtures/crm/asterisk",
        "Master.csv",
        Csv,
        &[Calls],
        Uncounted,
    ),
    target(
        "tests/fixtures/crm/asterisk",
        "reps.csv",
        Csv,
        &[Calls],
        Uncounted,
    ),
    target(
        "tests/fixtures/crm/asterisk-18col",
        "Master.csv",
        Csv,
        &[Calls],
        Uncounted,
    ),
    target(
        "tests/fixtures/crm/freepbx",
        "cdr_export_2026-11-23.csv",
        Csv,
        &[Calls],
        Uncounted,
    ),
    target(
        "tests/fixtures/crm/amocrm-csv",
        "amocrm_export_leads_2026-11-25.csv",
        Csv,
        &[Deals],
        Rows,
    ),
    target(
        "tests/fixtures/crm/amocrm-csv-utf8",
        "export.csv",
        Csv,
        &[Deals],
        Rows,
    ),
    target(AMO, "leads.json", JsonShape, &[Deals], Json(&["leads"])),
    target(
        AMO,
        "contacts.json",
        JsonShape,
        &[Contacts],
        Json(&["contacts"]),
    ),
    target(AMO, "tasks.json", JsonShape, &[Tasks], Json(&["tasks"])),
    target(
        AMO,
        "leads_notes.json",
        JsonShape,
        &[Notes, Activities],
        Json(&["notes"]),
    ),
    target(
        AMO,
        "contacts_notes.json",
        JsonShape,
        &[Notes, Activities],
        Json(&["notes"]),
    ),
    target(AMO, "users.json", JsonShape, &[], Uncounted),
    target(AMO, "pipelines.json", JsonShape, &[], Uncounted),
    target(AMO, "companies.json", JsonShape, &[], Uncounted),
    target(
        B24,
        "crm.deal.list.json",
        JsonShape,
        &[Deals],
        Json(&["result"]),
    ),
    target(
        B24,
        "crm.contact.list.json",
        JsonShape,
        &[Contacts],
        Json(&["result"]),
    ),
    target(
        B24,
        "crm.activity.list.json",
        JsonShape,
        &[Activities, Tasks],
        Json(&["result"]),
    ),
    target(
        B24,
        "voximplant.statistic.get.json",
        JsonShape,
        &[Calls],
        Json(&["result"]),
    ),
    target(B24, "user.get.json", JsonShape, &[], Uncounted),
    target(B24, "crm.company.list.json", JsonShape, &[], Uncounted),
    target(
        "tests/fixtures/crm/hubspot",
        "hubspot-crm-exports-all-contacts-2026-11-25.csv",
        Csv,
        &[Contacts],
        Rows,
    ),
    target(
        "tests/fixtures/crm/hubspot",
        "hubspot-crm-exports-all-deals-2026-11-25.csv",
        Csv,
        &[Deals],
        Rows,
    ),
    target(GENERIC, "call_log.csv", Csv, &[Calls], Rows),
    target(GENERIC, "deals.csv", Csv, &[Deals], Rows),
    target(
        GENERIC,
        "persons.json",
        JsonShape,
        &[Contacts],
        Json(&["data"]),
    ),
    target(GENERIC, "mapping.toml", Toml, &[], Uncounted),
];

/// amoCRM notes that are not a rep's write-up or a call, left out by
/// design (see `amocrm_json.rs`).
const AMO_SERVICE_NOTES: &[&str] = &[
    "service_message",
    "extended_service_message",
    "message_cashier",
    "geolocation",
    "sms_in",
    "sms_out",
    "attachment",
    "invoice_paid",
    "key_action_completed",
    "link_followed",
    "ai_result",
];

/// The whole file swapped for something that is not a readable file of
/// the folder, or a path in it pointed outside.
#[derive(Debug, Clone, Copy)]
enum Swap {
    Fifo,
    LinkOutside,
    DevZero,
    Folder,
    Gone,
    Empty,
    /// `crm/` a link to the copy outside (batch files under `crm/`).
    CrmOutside,
    /// A path inside the file set to the copy outside, absolute.
    PathOutside,
}

pub fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// What an import left: the report or the error, and the workspace.
struct Imported {
    result: Result<ImportReport, String>,
    stored: HashMap<&'static str, usize>,
    /// Recordings stored from outside the batch folder.
    outside_recordings: Vec<String>,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Calls => "calls",
        Contacts => "contacts",
        Deals => "deals",
        Tasks => "tasks",
        Notes => "notes",
        Activities => "activities",
    }
}

fn import_folder(root: PathBuf, db: PathBuf) -> Imported {
    let ws = Workspace::open(&db).unwrap();
    let format = root
        .join("calls.csv")
        .exists()
        .then_some(SourceFormat::BatchV1);
    let result =
        import_source(&ws, &root, format, &ParseOptions::default()).map_err(|e| e.to_string());
    let mut stored = HashMap::new();
    stored.insert("calls", ws.all_calls().unwrap().len());
    stored.insert("contacts", ws.all_contacts().unwrap().len());
    stored.insert("deals", ws.all_deals().unwrap().len());
    stored.insert("tasks", ws.all_tasks().unwrap().len());
    stored.insert("notes", ws.all_notes().unwrap().len());
    stored.insert("activities", ws.all_activities().unwrap().len());
    let inside = root.canonicalize().unwrap();
    let outside_recordings = ws
        .all_calls()
        .unwrap()
        .into_iter()
        .map(|c| c.recording.path)
        .filter(|p| !Path::new(p).starts_with(&inside))
        .collect();
    Imported {
        result,
        stored,
        outside_recordings,
    }
}

/// A fixture folder copied as `dir/<its name>`, and a full copy of it in
/// `dir/outside` (the files an import must never open).
fn lay_out(target: &Target, dir: &Path) -> (PathBuf, PathBuf) {
    let seed = crate_path(target.seed);
    let root = dir.join(seed.file_name().unwrap());
    copy_dir(&seed, &root);
    let outside = dir.join("outside");
    copy_dir(&seed, &outside);
    (root, outside)
}

/// Records in `bytes` by the target's rule; `None` when not counted.
fn count(target: &Target, bytes: &[u8]) -> Option<usize> {
    match target.records {
        Uncounted => None,
        Rows => {
            let delimiter = callqa::import::formats::text::pick_delimiter(bytes);
            let rows = csv::ReaderBuilder::new()
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(bytes)
                .byte_records()
                .filter(|r| match r {
                    Ok(r) => r.iter().any(|f| !f.trim_ascii().is_empty()),
                    Err(_) => true,
                })
                .count();
            Some(rows)
        }
        Json(keys) => {
            let Ok(doc) = serde_json::from_slice::<Value>(bytes) else {
                return Some(1 << 20);
            };
            let mut found = HashSet::new();
            collect(&doc, keys, true, &mut found);
            Some(found.len())
        }
    }
}

fn collect(value: &Value, keys: &[&str], top: bool, found: &mut HashSet<String>) {
    let take = |list: &Vec<Value>, found: &mut HashSet<String>| {
        for item in list {
            let note_type = item.get("note_type").and_then(Value::as_str).unwrap_or("");
            if !AMO_SERVICE_NOTES.contains(&note_type) {
                found.insert(item.to_string());
            }
        }
    };
    match value {
        Value::Array(list)
            if top
                && !list
                    .iter()
                    .any(|i| i.get("result").is_some() || i.get("_embedded").is_some()) =>
        {
            take(list, found)
        }
        Value::Array(list) => list.iter().for_each(|v| collect(v, keys, false, found)),
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Array(list) if keys.contains(&k.trim_end_matches('X')) => {
                        take(list, found)
                    }
                    _ => collect(v, keys, false, found),
                }
            }
        }
        _ => {}
    }
}

fn names_file(problem: &Problem, file: &str) -> bool {
    problem.file == file || problem.file.ends_with(&format!("/{file}"))
}

/// Records of the damaged file accounted for: stored, or named by a
/// problem (by line or record); `None` when a problem says the whole file
/// was not read.
fn accounted(target: &Target, root: &Path, imported: &Imported) -> Option<usize> {
    let report = match &imported.result {
        Ok(report) => report,
        Err(e)
            if e.contains(
                Path::new(target.file)
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap(),
            ) =>
        {
            return None;
        }
        Err(_) => return Some(0),
    };
    let json = matches!(target.records, Json(_));
    let whole_file = |p: &Problem| {
        names_file(p, target.file)
            && p.record.is_none()
            && (p.line.is_none() || json || p.line == Some(1))
    };
    if report
        .problems
        .iter()
        .chain(&report.warnings)
        .any(whole_file)
    {
        return None;
    }
    // A call the import could not take is named by the folder when its
    // source gives no line (JSON): it counts for a file of calls only, so
    // no record counts twice.
    let folder = root.display().to_string();
    let calls_only = target.kinds == [Calls];
    let named: HashSet<(Option<u64>, Option<&String>, &String)> = report
        .problems
        .iter()
        .filter(|p| names_file(p, target.file) || (calls_only && p.file == folder))
        .filter(|p| p.line.is_some() || p.record.is_some())
        .map(|p| (p.line, p.record.as_ref(), &p.file))
        .collect();
    let stored: usize = target
        .kinds
        .iter()
        .map(|k| imported.stored[kind_name(*k)])
        .sum();
    Some(stored + named.len())
}

/// What the unchanged fixture gives: records counted minus accounted
/// (negative when other files store records of the same kinds).
fn baseline(target: &Target) -> isize {
    let dir = tempfile::tempdir().unwrap();
    let (root, _) = lay_out(target, dir.path());
    let bytes = std::fs::read(root.join(target.file)).unwrap();
    let imported = import_folder(root.clone(), dir.path().join("ws.sqlite"));
    if let Err(e) = &imported.result {
        panic!("the fixture {} does not import: {e}", target.seed);
    }
    match (count(target, &bytes), accounted(target, &root, &imported)) {
        (Some(records), Some(accounted)) => records as isize - accounted as isize,
        _ => 0,
    }
}

pub fn run(cases: usize, seed: u64, only: Option<usize>) -> Figures {
    let mut figures = Figures::default();
    let mut baselines: HashMap<(&str, &str), isize> = HashMap::new();
    for case in 0..cases {
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let target = &TARGETS[case % TARGETS.len()];
        let slack = *baselines
            .entry((target.seed, target.file))
            .or_insert_with(|| baseline(target));
        let mut rng = Rng::new(seed ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        figures.cases += 1;
        one_case(target, &mut rng, slack, case, &mut figures);
    }
    figures
}

fn one_case(target: &Target, rng: &mut Rng, slack: isize, case: usize, figures: &mut Figures) {
    let dir = tempfile::tempdir().unwrap();
    let (root, outside) = lay_out(target, dir.path());
    let path = root.join(target.file);
    let original = std::fs::read(&path).unwrap();
    let swap = rng.chance(8).then(|| {
        *rng.pick(&[
            Swap::Fifo,
            Swap::LinkOutside,
            Swap::DevZero,
            Swap::Folder,
            Swap::Gone,
            Swap::Empty,
            Swap::CrmOutside,
            Swap::PathOutside,
        ])
    });
    let (what, records) = match swap {
        Some(swap) => {
            let what = format!("{swap:?}");
            (what, swapped(swap, target, &root, &outside, &original))
        }
        None => {
            let (bytes, what) = mutate(rng, &original, target.shape);
            std::fs::write(&path, &bytes).unwrap();
            (what, count(target, &bytes))
        }
    };
    let label = format!("case {case} ({} {}: {what})", target.seed, target.file);
    trace(&label);
    let mut watched = vec![outside.clone()];
    for sub in ["crm", "recordings"] {
        if outside.join(sub).is_dir() {
            watched.push(outside.join(sub));
        }
    }
    let watch = OutsideWatch::new(&watched);
    let db = dir.path().join("ws.sqlite");
    let run = bounded({
        let root = root.clone();
        move || import_folder(root, db)
    });
    let Some(imported) = figures.settle(run, &label, "import") else {
        // A hung thread may still use its folder: leave it.
        std::mem::forget(dir);
        return;
    };
    let opened = watch.opened();
    if !opened.is_empty() || !imported.outside_recordings.is_empty() {
        figures.fail(
            |f| &mut f.outside_reads,
            &label,
            format!(
                "opened outside the batch: {opened:?} {:?}",
                imported.outside_recordings
            ),
        );
    }
    let (Some(records), Some(accounted)) = (records, accounted(target, &root, &imported)) else {
        return;
    };
    // Against the unchanged fixture: records of other files in the same
    // kinds, and records merged by design, cancel out.
    let lost = records as isize - accounted as isize - slack;
    if lost > 0 {
        let said = match &imported.result {
            Ok(r) => r
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" | "),
            Err(e) => e.clone(),
        };
        figures.fail(
            |f| &mut f.silent_losses,
            &label,
            format!(
                "{records} records in the file, {accounted} stored or named (baseline slack {slack}): \
                 {lost} lost without a message; problems: {said}"
            ),
        );
    }
}

/// Swap the file (or a path in it); the records the folder then holds in
/// it, as far as the import should see them.
fn swapped(
    swap: Swap,
    target: &Target,
    root: &Path,
    outside: &Path,
    original: &[u8],
) -> Option<usize> {
    let path = root.join(target.file);
    let remove = || std::fs::remove_file(&path).unwrap();
    let unreadable = count(target, original).map(|n| n.max(1));
    match swap {
        Swap::Fifo => {
            remove();
            mkfifo(&path);
            unreadable
        }
        Swap::LinkOutside => {
            remove();
            std::os::unix::fs::symlink(outside.join(target.file), &path).unwrap();
            unreadable
        }
        Swap::DevZero => {
            remove();
            std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
            unreadable
        }
        Swap::Folder => {
            remove();
            std::fs::create_dir(&path).unwrap();
            // A batch names its files; in an export folder a folder is no
            // file at all, like one that is gone.
            if target.seed == DEMO {
                unreadable
            } else {
                Some(0)
            }
        }
        Swap::Gone => {
            remove();
            Some(0)
        }
        Swap::Empty => {
            std::fs::write(&path, "").unwrap();
            Some(0)
        }
        Swap::CrmOutside if target.file.starts_with("crm/") => {
            std::fs::remove_dir_all(root.join("crm")).unwrap();
            std::os::unix::fs::symlink(outside.join("crm"), root.join("crm")).unwrap();
            unreadable
        }
        Swap::CrmOutside | Swap::PathOutside => {
            // Every relative path the file names, made absolute outside.
            let text = String::from_utf8_lossy(original).into_owned();
            let pointed = text
                .replace("recordings/", &format!("{}/recordings/", outside.display()))
                .replace("file = \"", &format!("file = \"{}/", outside.display()))
                .replace("rec/", &format!("{}/rec/", outside.display()));
            std::fs::write(&path, &pointed).unwrap();
            count(target, pointed.as_bytes())
        }
    }
}
