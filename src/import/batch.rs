//! The v1 batch folder: `calls.csv` plus optional `crm/*.csv`.

use super::csv_file::{CsvFile, Record};
use super::fields::{parse_amount, parse_flag, parse_time, probe_recording};
use super::{Counts, ImportError, ImportReport, Problem};
use crate::domain::crm::{Call, ChannelLayout, Contact, Deal, Direction, Note, Task};
use crate::store::{StoreError, UpsertOutcome, Workspace};
use std::collections::{HashMap, HashSet};
use std::path::Path;

const CALL_COLUMNS: &[&str] = &[
    "call_id",
    "started_at",
    "rep",
    "direction",
    "phone",
    "recording",
];

/// Import a batch folder into the workspace; see the module docs.
pub fn import_batch(ws: &Workspace, batch_dir: &Path) -> Result<ImportReport, ImportError> {
    if !batch_dir.is_dir() {
        return Err(ImportError::NoFolder(batch_dir.display().to_string()));
    }
    let root = batch_dir
        .canonicalize()
        .map_err(|_| ImportError::NoFolder(batch_dir.display().to_string()))?;
    let mut report = ImportReport::default();
    let calls = CsvFile::read(
        &root.join("calls.csv"),
        "calls.csv",
        CALL_COLUMNS,
        &mut report.problems,
    )
    .map_err(ImportError::Unreadable)?;
    let crm = |name: &str, required: &[&str], report: &mut ImportReport| {
        let path = root.join("crm").join(name);
        if !path.exists() {
            return None;
        }
        let label = format!("crm/{name}");
        match CsvFile::read(&path, &label, required, &mut report.problems) {
            Ok(file) => Some(file),
            Err(problem) => {
                report.problems.push(problem);
                None
            }
        }
    };
    let contacts = crm("contacts.csv", &["contact_id"], &mut report);
    let deals = crm("deals.csv", &["deal_id"], &mut report);
    let tasks = crm("tasks.csv", &["task_id"], &mut report);
    let notes = crm("notes.csv", &["note_id", "created_at", "text"], &mut report);

    ws.write_batch(|ws| {
        let batch_id = ws.batch_id(&root.display().to_string())?;
        if let Some(file) = &contacts {
            import_rows(
                file,
                "contact_id",
                &mut report,
                |report| &mut report.contacts,
                |f, r| {
                    let contact = Contact {
                        contact_id: f.get(r, "contact_id").to_string(),
                        name: f.get(r, "name").to_string(),
                        role: f.get(r, "role").to_string(),
                        phone: f.get(r, "phone").to_string(),
                        email: f.get(r, "email").to_string(),
                        company: f.get(r, "company").to_string(),
                        industry: f.get(r, "industry").to_string(),
                        segment: f.get(r, "segment").to_string(),
                        owner_rep: f.get(r, "owner_rep").to_string(),
                    };
                    Ok(ws.upsert_contact(batch_id, &contact))
                },
            )?;
        }
        if let Some(file) = &deals {
            import_rows(
                file,
                "deal_id",
                &mut report,
                |report| &mut report.deals,
                |f, r| {
                    let deal = Deal {
                        deal_id: f.get(r, "deal_id").to_string(),
                        contact_id: f.get(r, "contact_id").to_string(),
                        title: f.get(r, "title").to_string(),
                        stage: f.get(r, "stage").to_string(),
                        amount: parse_amount(f.get(r, "amount"))?,
                        currency: f.get(r, "currency").to_string(),
                        spec: f.get(r, "spec").to_string(),
                        source: f.get(r, "source").to_string(),
                        owner_rep: f.get(r, "owner_rep").to_string(),
                        updated_at: f.opt(r, "updated_at").map(|t| parse_time(&t)).transpose()?,
                    };
                    Ok(ws.upsert_deal(batch_id, &deal))
                },
            )?;
        }
        if let Some(file) = &tasks {
            import_rows(
                file,
                "task_id",
                &mut report,
                |report| &mut report.tasks,
                |f, r| {
                    let task = Task {
                        task_id: f.get(r, "task_id").to_string(),
                        deal_id: f.opt(r, "deal_id"),
                        contact_id: f.opt(r, "contact_id"),
                        owner_rep: f.get(r, "owner_rep").to_string(),
                        text: f.get(r, "text").to_string(),
                        due_at: f.opt(r, "due_at").map(|t| parse_time(&t)).transpose()?,
                        done: parse_flag(f.get(r, "done"))?,
                    };
                    Ok(ws.upsert_task(batch_id, &task))
                },
            )?;
        }
        if let Some(file) = &notes {
            import_rows(
                file,
                "note_id",
                &mut report,
                |report| &mut report.notes,
                |f, r| {
                    let note = Note {
                        note_id: f.get(r, "note_id").to_string(),
                        deal_id: f.opt(r, "deal_id"),
                        contact_id: f.opt(r, "contact_id"),
                        call_id: f.opt(r, "call_id"),
                        author_rep: f.get(r, "author_rep").to_string(),
                        created_at: parse_time(f.get(r, "created_at"))?,
                        text: f.get(r, "text").to_string(),
                    };
                    Ok(ws.upsert_note(batch_id, &note))
                },
            )?;
        }
        let known_contacts = ids(&contacts, "contact_id");
        let known_deals = ids(&deals, "deal_id");
        import_rows(
            &calls,
            "call_id",
            &mut report,
            |report| &mut report.calls,
            |f, r| {
                let call = parse_call(&root, f, r)?;
                Ok(ws.upsert_call(batch_id, &call))
            },
        )?;
        // Links to CRM records the batch does not have are worth a warning,
        // not a skip: the CRM export may simply be partial.
        for record in &calls.records {
            let call_id = calls.get(record, "call_id");
            if calls.get(record, "channel_layout").is_empty()
                && let Ok(call) = ws.call(call_id)
                && call.recording.channels >= 2
            {
                report.warnings.push(Problem::for_record(
                    "calls.csv",
                    record.line,
                    call_id,
                    "stereo recording without channel_layout: assuming rep-left".into(),
                ));
            }
            for (column, known, what) in [
                ("contact_id", &known_contacts, "contact"),
                ("deal_id", &known_deals, "deal"),
            ] {
                if let (Some(id), Some(known)) = (calls.opt(record, column), known)
                    && !known.contains(&id)
                {
                    report.warnings.push(Problem::for_record(
                        "calls.csv",
                        record.line,
                        call_id,
                        format!("{what} {id:?} is not in crm/{what}s.csv"),
                    ));
                }
            }
        }
        Ok::<(), StoreError>(())
    })?;
    Ok(report)
}

fn ids(file: &Option<CsvFile>, column: &str) -> Option<HashSet<String>> {
    file.as_ref().map(|f| {
        f.records
            .iter()
            .map(|r| f.get(r, column).to_string())
            .collect()
    })
}

/// Run `parse_and_store` on each record; a row the parser refuses, a
/// missing id or an id seen twice in the file is reported and skipped.
fn import_rows(
    file: &CsvFile,
    id_column: &str,
    report: &mut ImportReport,
    counts: fn(&mut ImportReport) -> &mut Counts,
    mut parse_and_store: impl FnMut(
        &CsvFile,
        &Record,
    ) -> Result<Result<UpsertOutcome, StoreError>, String>,
) -> Result<(), StoreError> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    counts(report).skipped += file.unreadable;
    for record in &file.records {
        let id = file.get(record, id_column);
        let skip = |reason: String| Problem::for_record(&file.name, record.line, id, reason);
        if id.is_empty() {
            report.problems.push(skip(format!("{id_column} is empty")));
            counts(report).skipped += 1;
            continue;
        }
        if let Some(first) = first_line.get(id) {
            report.problems.push(skip(format!(
                "duplicate {id_column} {:?} (first on line {first}); this row is skipped",
                crate::text::one_line(id, 80)
            )));
            counts(report).skipped += 1;
            continue;
        }
        first_line.insert(id.to_string(), record.line);
        match parse_and_store(file, record) {
            Ok(stored) => counts(report).add(stored?),
            Err(reason) => {
                report.problems.push(skip(reason));
                counts(report).skipped += 1;
            }
        }
    }
    Ok(())
}

fn parse_call(root: &Path, f: &CsvFile, r: &Record) -> Result<Call, String> {
    let rep = f.get(r, "rep");
    if rep.is_empty() {
        return Err("rep is empty".into());
    }
    let direction = Direction::parse(f.get(r, "direction")).ok_or_else(|| {
        format!(
            "direction {:?} is neither in nor out",
            crate::text::one_line(f.get(r, "direction"), 40)
        )
    })?;
    let started_at = parse_time(f.get(r, "started_at"))?;
    let layout_text = f.get(r, "channel_layout");
    let layout = match ChannelLayout::parse(layout_text) {
        Some(layout) => Some(layout),
        None if layout_text.is_empty() => None,
        None => {
            return Err(format!(
                "channel_layout {:?} is not mono, rep-left or rep-right",
                crate::text::one_line(layout_text, 40)
            ));
        }
    };
    let recording = probe_recording(root, f.get(r, "recording"), layout)?;
    Ok(Call {
        call_id: f.get(r, "call_id").to_string(),
        started_at,
        rep: rep.to_string(),
        direction,
        phone: f.get(r, "phone").to_string(),
        contact_id: f.opt(r, "contact_id"),
        deal_id: f.opt(r, "deal_id"),
        script: f.opt(r, "script"),
        recording,
    })
}
