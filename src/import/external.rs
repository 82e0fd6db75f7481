//! Every import ends here: a batch folder (format v1) or what the client's
//! systems export (Asterisk, FreePBX, amoCRM, Bitrix24, HubSpot, a mapped
//! spreadsheet) is parsed by `formats`, then stored by one set of rules
//! (upsert by id, a bad record reported and skipped) and linked.
//!
//! One import is one transaction, linking included: a `kill -9` or a full
//! disk at any point leaves the workspace as it was before the import or
//! with everything stored and linked, never calls without their links.
//! Reviewers share the workspace meanwhile, so the transaction holds the
//! write lock for SQL only: the files are parsed and every recording is
//! probed before it begins, and a reviewer's key waits for it (under the
//! busy timeout) instead of failing.
//!
//! Only calls with a recording in the batch folder become reviewable calls;
//! a call whose recording is a URL or missing is reported, not invented.
//!
//! Probing is most of an import's time: each distinct file is probed once
//! (a batch may name one file on many rows), on every core.

use super::fields::{probe_file, resolve_recording, with_layout};
use super::formats::{self, CallRecord, FormatError, ParseOptions, SourceFormat};
use super::{ImportError, ImportReport, Problem};
use crate::domain::crm::{Call, CrmData, Recording};
use crate::domain::matching::{CallFacts, MatchOptions, MatchRule, match_calls};
use crate::store::{StoreError, Workspace};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a long import is, for a progress bar: `(stage, done, total)`.
/// Called from the probing threads too, so it must be `Sync`.
pub type ImportProgress<'a> = &'a (dyn Fn(ImportStage, usize, usize) + Sync);

/// The stages of an import, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStage {
    /// Parsing the files (no count: `total` is 0).
    Reading,
    /// Probing the distinct recording files.
    Probing,
    /// Storing the records, under the write lock.
    Storing,
    /// Linking calls to CRM records, under the write lock (no count).
    Linking,
}

/// Import a batch folder (format v1) with the default options: the same
/// path as `callqa import` of that folder.
pub fn import_batch(ws: &Workspace, batch_dir: &Path) -> Result<ImportReport, ImportError> {
    if !batch_dir.is_dir() {
        return Err(ImportError::NoFolder(batch_dir.display().to_string()));
    }
    import_source(
        ws,
        batch_dir,
        Some(SourceFormat::BatchV1),
        &ParseOptions::default(),
    )
}

/// Import `path` (a file or a folder) in `format`, or the format(s)
/// detected there.
pub fn import_source(
    ws: &Workspace,
    path: &Path,
    format: Option<SourceFormat>,
    options: &ParseOptions,
) -> Result<ImportReport, ImportError> {
    import_source_with_progress(ws, path, format, options, &|_, _, _| {})
}

/// [`import_source`], telling `progress` where it is.
pub fn import_source_with_progress(
    ws: &Workspace,
    path: &Path,
    format: Option<SourceFormat>,
    options: &ParseOptions,
    progress: ImportProgress,
) -> Result<ImportReport, ImportError> {
    progress(ImportStage::Reading, 0, 0);
    let unreadable = ImportError::Format;
    let formats = match format {
        Some(f) => vec![f],
        None => match formats::detect(path) {
            Ok(f) => vec![f],
            Err(FormatError::Mixed { .. }) => {
                let mut found: Vec<SourceFormat> = formats::detect_files(path)
                    .into_iter()
                    .map(|(_, f)| f)
                    .collect();
                found.dedup();
                found
            }
            Err(e) => return Err(unreadable(e)),
        },
    };
    let mut parsed = formats::Parsed::default();
    for f in formats {
        parsed.merge(formats::parse(path, f, options).map_err(unreadable)?);
    }
    let root = formats::folder_of(path).to_path_buf();
    let skipped = parsed.skipped;
    let mut report = ImportReport {
        problems: parsed.problems.clone(),
        warnings: parsed.warnings.clone(),
        ..ImportReport::default()
    };
    report.calls.skipped = skipped.calls;
    report.contacts.skipped = skipped.contacts;
    report.deals.skipped = skipped.deals;
    report.tasks.skipped = skipped.tasks;
    report.notes.skipped = skipped.notes;
    // The rep roster (`crm/reps.csv`) the weekly plan reads, stored in the
    // same transaction as the calls: a crash never leaves one without the
    // other. Its bad rows join the skipped rows.
    let csv = formats::text::CsvOptions {
        encoding: options.encoding.as_deref(),
        ..Default::default()
    };
    let roster = formats::roster::read(&root, csv, &mut report.problems);
    // Mystery-shopping visits point at the batch's calls and emails: read
    // now, checked against them, stored with them.
    let reported = report.problems.len();
    let visits = super::mystery::read(&root, csv, &parsed, &mut report.problems);
    // Each problem of the visits file is one row (or the whole file) left out.
    report.visits.skipped = report.problems.len() - reported;
    // A message about one call names the line it was read from, else the
    // path that was imported.
    let about = |record: &CallRecord, reason: String| match &record.read_at {
        Some(at) => Problem::for_record(&at.file, at.line, &record.call_id, reason),
        None => Problem {
            file: path.display().to_string(),
            line: None,
            record: Some(record.call_id.clone()),
            reason,
        },
    };
    // Reading recordings takes time: never while holding the write lock.
    let Probed {
        calls: probed,
        fresh,
    } = probe_recordings(ws, &root, &parsed.calls, progress)?;
    let rows = parsed.contacts.len()
        + parsed.deals.len()
        + parsed.tasks.len()
        + parsed.notes.len()
        + parsed.activities.len()
        + parsed.calls.len();
    let stored = std::cell::Cell::new(0usize);
    let step = || {
        stored.set(stored.get() + 1);
        if stored.get().is_multiple_of(PROGRESS_EVERY) || stored.get() == rows {
            progress(ImportStage::Storing, stored.get(), rows);
        }
    };
    ws.bulk_write(|ws| {
        set_match_country(ws, &options.default_country)?;
        let batch_id = ws.batch_id(&root.canonicalize().unwrap_or(root.clone()).display().to_string())?;
        // Sized for every row at once: growing it was a twentieth of storing.
        let mut seen = HashSet::with_capacity(rows);
        let stored_ids = ws.stored_ids()?;
        for c in &parsed.contacts {
            if seen.insert(("contact", c.contact_id.as_str())) {
                report.contacts.add(ws.write_contact(batch_id, c, &stored_ids)?);
            }
            step();
        }
        for d in &parsed.deals {
            if seen.insert(("deal", d.deal_id.as_str())) {
                report.deals.add(ws.write_deal(batch_id, d, &stored_ids)?);
            }
            step();
        }
        for t in &parsed.tasks {
            if seen.insert(("task", t.task_id.as_str())) {
                report.tasks.add(ws.write_task(batch_id, t, &stored_ids)?);
            }
            step();
        }
        for n in &parsed.notes {
            if seen.insert(("note", n.note_id.as_str())) {
                report.notes.add(ws.write_note(batch_id, n, &stored_ids)?);
            }
            step();
        }
        for a in &parsed.activities {
            ws.upsert_activity(batch_id, a)?;
            step();
        }
        if let Some(roster) = &roster {
            ws.save_roster(batch_id, roster)?;
        }
        report.emails.skipped = skipped.emails;
        super::email::store_emails(
            ws,
            batch_id,
            &parsed.emails,
            &mut report.emails,
            &mut report.warnings,
        )?;
        let stored = super::mystery::store_visits(ws, batch_id, &visits)?;
        report.visits = super::Counts {
            skipped: report.visits.skipped,
            ..stored
        };
        ws.trusting_checks(|| {
            for (record, probed) in parsed.calls.iter().zip(probed) {
                step();
                if !seen.insert(("call", record.call_id.as_str())) {
                    continue;
                }
                match probed {
                    Ok(call) => {
                        if record.channel_layout.is_none() && call.recording.channels >= 2 {
                            report.warnings.push(about(
                                record,
                                "stereo recording without channel_layout: assuming rep-left".into(),
                            ));
                        }
                        report.calls.add(ws.write_call(batch_id, &call, &stored_ids)?);
                        for (kind, value) in &record.external_ids {
                            ws.upsert_external_id(&call.call_id, kind, value)?;
                        }
                    }
                    Err(_) if let Some(known) = same_call(ws, record)? => {
                        report.warnings.push(about(
                            record,
                            format!("the CRM's record of call {known} (same call id): linked, not imported twice"),
                        ));
                    }
                    Err(reason) => {
                        report.calls.skipped += 1;
                        report.problems.push(about(record, reason));
                    }
                }
            }
            Ok::<_, StoreError>(())
        })?;
        // Linking is the import's peak of memory: the ids are not needed there.
        drop(stored_ids);
        for (stamp, recording) in &fresh {
            ws.remember_recording(*stamp, recording)?;
        }
        progress(ImportStage::Linking, 0, 0);
        relink(ws)
    })
    .map_err(|e| e.in_workspace(ws.path()))?;
    // In file order, whether a row failed while reading or while storing.
    for list in [&mut report.problems, &mut report.warnings] {
        list.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    }
    Ok(report)
}

/// A call already in the workspace under one of this record's ids.
fn same_call(ws: &Workspace, record: &CallRecord) -> Result<Option<String>, StoreError> {
    for (_, value) in &record.external_ids {
        if let Some(call) = ws.call_with_external_value(value)? {
            return Ok(Some(call));
        }
    }
    Ok(None)
}

/// How often the storing stage reports: often enough for a bar, rarely
/// enough to cost nothing.
const PROGRESS_EVERY: usize = 256;

/// A file's size and modification time (nanoseconds since the epoch).
type FileStamp = (u64, i64);

/// The calls of an import as [`probe_recordings`] found them.
struct Probed {
    /// Each call as a reviewable call, or why it is not one.
    calls: Vec<Result<Call, String>>,
    /// The files probed afresh, to remember with their stamps.
    fresh: Vec<(FileStamp, Recording)>,
}

/// Each call as a reviewable call, or why it is not one, and the files
/// probed afresh. Each distinct recording
/// is probed once, the files shared out over every core; a file the
/// workspace probed before, unchanged since, is not probed again.
fn probe_recordings(
    ws: &Workspace,
    root: &Path,
    records: &[CallRecord],
    progress: ImportProgress,
) -> Result<Probed, StoreError> {
    let wanted: Vec<Result<&str, String>> = records.iter().map(recording_of).collect();
    let mut files: Vec<&str> = wanted
        .iter()
        .filter_map(|w| w.as_ref().ok().copied())
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut found: Vec<Option<Result<Recording, String>>> = Vec::with_capacity(files.len());
    let mut stamps: Vec<Option<FileStamp>> = Vec::with_capacity(files.len());
    for file in &files {
        let stamped = stamp_of(root, file);
        let known = match &stamped {
            Some((path, stamp)) => ws.probed_recording(path, *stamp)?,
            None => None,
        };
        found.push(known.map(|r| Ok(with_layout(r, None))));
        stamps.push(stamped.map(|(_, stamp)| stamp));
    }
    let unknown: Vec<&str> = files
        .iter()
        .zip(&found)
        .filter(|(_, known)| known.is_none())
        .map(|(file, _)| *file)
        .collect();
    let mut probes = probe_files(root, &unknown, progress).into_iter();
    let mut fresh = Vec::new();
    for (slot, stamp) in found.iter_mut().zip(&stamps) {
        if slot.is_none() {
            let probe = probes.next().expect("one probe per unknown file");
            if let (Ok(recording), Some(stamp)) = (&probe, stamp) {
                fresh.push((*stamp, recording.clone()));
            }
            *slot = Some(probe);
        }
    }
    let probed: HashMap<&str, Result<Recording, String>> = files
        .iter()
        .copied()
        .zip(found.into_iter().flatten())
        .collect();
    let calls = records
        .iter()
        .zip(wanted)
        .map(|(record, wanted)| {
            let recording = probed[wanted?].clone()?;
            Ok(reviewable_call(record, recording))
        })
        .collect();
    Ok(Probed { calls, fresh })
}

/// The resolved path of a recording and its stamp, taken before any probe
/// so a file written meanwhile is probed again next time; None when it
/// cannot be resolved or read (the probe then says why).
fn stamp_of(root: &Path, file: &str) -> Option<(String, FileStamp)> {
    let path = resolve_recording(root, file).ok()?;
    let meta = std::fs::metadata(&path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let nanos = i64::try_from(modified.as_nanos()).ok()?;
    Some((path.display().to_string(), (meta.len(), nanos)))
}

/// Probe `files` (relative to `root`) on every core, in their order.
fn probe_files(
    root: &Path,
    files: &[&str],
    progress: ImportProgress,
) -> Vec<Result<Recording, String>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    progress(ImportStage::Probing, 0, files.len());
    let mut results: Vec<(usize, Result<Recording, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        mine.push((i, probe_file(root, file)));
                        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                        progress(ImportStage::Probing, finished, files.len());
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            // A probe never panics (`audio::probe` catches it), so neither
            // does a worker.
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The recording a record names, or why it has none to probe.
fn recording_of(record: &CallRecord) -> Result<&str, String> {
    let Some(recording) = record.recording.as_deref().filter(|r| !r.trim().is_empty()) else {
        return Err(if record.answered == Some(false) {
            "not answered, no recording: nothing to review".into()
        } else {
            "no recording found for this call in the batch folder".into()
        });
    };
    if recording.contains("://") {
        return Err(format!(
            "the recording is only a link ({}); download it into the batch folder and import again",
            crate::text::one_line(recording, 120)
        ));
    }
    Ok(recording)
}

fn reviewable_call(record: &CallRecord, recording: Recording) -> Call {
    Call {
        call_id: record.call_id.clone(),
        started_at: record.started_at,
        rep: record.rep.clone(),
        direction: record.direction,
        phone: record.phone.clone(),
        contact_id: record.contact_id.clone(),
        deal_id: record.deal_id.clone(),
        script: record.script.clone(),
        recording: with_layout(recording, record.channel_layout),
    }
}

/// The reviewer's own link for a call (`callqa link`, `L`), kept across
/// re-imports; the write-up follows the new link at once.
pub fn link_by_hand(
    ws: &Workspace,
    call_id: &str,
    contact_id: Option<&str>,
    deal_id: Option<&str>,
) -> Result<(), StoreError> {
    ws.write_batch(|ws| {
        ws.link_by_hand(call_id, contact_id, deal_id)?;
        relink(ws)
    })
    .map_err(|e| e.in_workspace(ws.path()))
}

/// The workspace setting that keeps the country of the last import's
/// `--country`, so linking again later (`callqa link`, `L`) reads numbers
/// the same way.
const COUNTRY_SETTING: &str = "match.country";

/// The options every linking of this workspace uses.
pub fn match_options(ws: &Workspace) -> Result<MatchOptions, StoreError> {
    let mut options = MatchOptions::default();
    if let Some(country) = ws.setting(COUNTRY_SETTING)? {
        options.default_country = country;
    }
    Ok(options)
}

/// Remember the country an import read numbers with (see [`match_options`]).
pub fn set_match_country(ws: &Workspace, country: &str) -> Result<(), StoreError> {
    ws.set_setting(COUNTRY_SETTING, country)
}

/// Link every call in the workspace to its CRM records: explicit ids, then
/// phone + rep + time, and the write-up notes; a call row shows its own
/// contact and deal, else the matched ones (its own are kept apart, so the
/// next linking reads only those). Manual links win and stay. This is
/// the one place links and write-ups are decided; run it after anything
/// that changes calls, CRM records or a manual link.
///
/// One transaction (or the caller's): what it reads and what it writes are
/// one snapshot, and no import or manual link can slip in between.
pub fn relink(ws: &Workspace) -> Result<(), StoreError> {
    ws.write_batch(relink_now)
}

fn relink_now(ws: &Workspace) -> Result<(), StoreError> {
    let options = match_options(ws)?;
    let calls = ws.all_call_facts()?;
    let contacts = ws.all_contacts()?;
    let deals = ws.all_deals()?;
    let notes = ws.all_notes()?;
    let activities = ws.all_activities()?;
    let external = ws.all_external_ids()?;
    let no_ids = Vec::new();
    let facts: Vec<CallFacts> = calls
        .iter()
        .map(|c| CallFacts {
            call_id: &c.call_id,
            started_at: c.started_at,
            rep: &c.rep,
            phone: &c.phone,
            contact_id: c.contact_id.as_deref(),
            deal_id: c.deal_id.as_deref(),
            external_ids: external.get(&c.call_id).unwrap_or(&no_ids),
        })
        .collect();
    let crm = CrmData {
        contacts: &contacts,
        deals: &deals,
        activities: &activities,
        notes: &notes,
        tasks: &[],
    };
    // Results come in the order of `facts`.
    let results = match_calls(&facts, &crm, &ws.manual_links()?, &options);
    ws.save_matches(&results)?;
    for ((stored, call), m) in calls.iter().zip(&facts).zip(&results) {
        let found = (m.contact_id.as_deref(), m.deal_id.as_deref());
        let linked = if m.rule == MatchRule::Manual {
            found
        } else {
            (call.contact_id.or(found.0), call.deal_id.or(found.1))
        };
        ws.show_call_link(
            call.call_id,
            (
                stored.shown_contact_id.as_deref(),
                stored.shown_deal_id.as_deref(),
            ),
            linked,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(ws: &Workspace, batch: &Path) -> ImportReport {
        import_source(ws, batch, None, &ParseOptions::default()).unwrap()
    }

    /// A re-import trusts the probe of a file whose size and modification
    /// time are unchanged, and probes a file whose time changed.
    #[test]
    fn an_unchanged_recording_is_not_probed_again() {
        let dir = tempfile::tempdir().unwrap();
        let batch = crate::scale::generate(dir.path(), 16, 8).unwrap();
        let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
        assert!(import(&ws, &batch).problems.is_empty());
        // Same size, same time, but no longer a WAV: only a probe can tell.
        let file = batch.join("rec/r0.wav");
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        let size = std::fs::metadata(&file).unwrap().len() as usize;
        std::fs::write(&file, vec![b'x'; size]).unwrap();
        let handle = std::fs::File::options().write(true).open(&file).unwrap();
        handle.set_modified(modified).unwrap();
        let again = import(&ws, &batch);
        assert!(again.problems.is_empty(), "{:?}", again.problems);
        assert_eq!((again.calls.new, again.calls.unchanged), (0, 16));
        // A new time: probed, and the damage found.
        handle
            .set_modified(modified + std::time::Duration::from_secs(60))
            .unwrap();
        let probed = import(&ws, &batch);
        assert_eq!(probed.calls.skipped, 2, "{:?}", probed.problems);
        assert!(
            probed.problems[0].reason.contains("r0.wav"),
            "{:?}",
            probed.problems
        );
    }

    /// A second batch with more calls inserts the new ones, keeps the
    /// others, and links every call; a note arriving in a later batch on
    /// its own is the write-up of the earlier call it names.
    #[test]
    fn later_batches_add_calls_and_a_later_note_links_to_an_earlier_call() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
        let first = crate::scale::generate(&dir.path().join("a"), 16, 8).unwrap();
        assert_eq!(import(&ws, &first).calls.new, 16);
        let second = crate::scale::generate(&dir.path().join("b"), 24, 8).unwrap();
        let report = import(&ws, &second);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.calls.new, 8);
        assert_eq!(report.calls.updated + report.calls.unchanged, 16);
        assert_eq!(report.contacts.new, 0);
        for i in 0..24 {
            let id = format!("call-{i:07}");
            let link = ws.call_link(&id).unwrap().unwrap();
            assert_eq!(link.rule, "explicit_id", "{id}");
        }
        let notes_only = dir.path().join("c");
        std::fs::create_dir_all(notes_only.join("crm")).unwrap();
        std::fs::write(
            notes_only.join("calls.csv"),
            "call_id,started_at,rep,direction,phone,recording\n",
        )
        .unwrap();
        std::fs::write(
            notes_only.join("crm/notes.csv"),
            "note_id,deal_id,contact_id,call_id,author_rep,created_at,text\n\
             NX,,,call-0000003,Менеджер 03,2026-12-01T10:00:00+03:00,Итоги\n",
        )
        .unwrap();
        let before = ws.write_up_note_ids("call-0000004").unwrap();
        let report = import(&ws, &notes_only);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.notes.new, 1);
        let write_up = ws.write_up_note_ids("call-0000003").unwrap();
        assert!(write_up.contains(&"NX".to_string()), "{write_up:?}");
        assert_eq!(ws.write_up_note_ids("call-0000004").unwrap(), before);
    }

    /// Linking again writes only the links that changed, links by phone
    /// alone (every fourth call has no ids of its own) among them.
    #[test]
    fn a_reimport_rewrites_no_unchanged_link() {
        let dir = tempfile::tempdir().unwrap();
        let batch = crate::scale::generate(dir.path(), 40, 20).unwrap();
        let calls = batch.join("calls.csv");
        let text = std::fs::read_to_string(&calls).unwrap();
        let without_ids: String = text
            .lines()
            .enumerate()
            .map(|(i, line)| match line.split_once(",K") {
                Some((head, tail)) if i % 4 == 1 => {
                    format!("{head},,,{}\n", tail.rsplit(',').next().unwrap())
                }
                _ => format!("{line}\n"),
            })
            .collect();
        std::fs::write(&calls, without_ids).unwrap();
        let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
        import(&ws, &batch);
        let by_phone = ws.call_link("call-0000000").unwrap().unwrap();
        assert_eq!(by_phone.rule, "phone_only");
        let stamp = "2000-01-01T00:00:00.000+00:00";
        let links = crate::store::test_support::stamp_call_links(&ws, stamp);
        assert_eq!(links, 40);
        let again = import(&ws, &batch);
        assert_eq!(again.calls.unchanged, 40);
        let rewritten = crate::store::test_support::call_links_rewritten_since(&ws, stamp).len();
        assert_eq!(rewritten, 0);
        assert_eq!(ws.call_link("call-0000000").unwrap().unwrap(), by_phone);
        // A changed note moves its call's link, and that link alone.
        let notes = batch.join("crm/notes.csv");
        let text = std::fs::read_to_string(&notes).unwrap();
        std::fs::write(
            &notes,
            text.replacen("N0,D0,K0,,", "N0,D0,K0,call-0000001,", 1),
        )
        .unwrap();
        import(&ws, &batch);
        let changed = crate::store::test_support::call_links_rewritten_since(&ws, stamp);
        assert!(!changed.is_empty() && changed.len() < 40, "{changed:?}");
    }
}
