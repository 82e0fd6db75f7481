//! Our own batch format (v1, see the README): `calls.csv` plus optional
//! `crm/*.csv`, read into memory like any export. This is the only reader
//! of a v1 batch; storing it (and probing its recordings) is the import's
//! common path in `external.rs`.

use super::text::{CsvOptions, Row, Table};
use super::{CallRecord, Ctx, FormatError, Parsed, Skipped, SourceLine, open_csv};
use crate::domain::crm::{ChannelLayout, Contact, Deal, Direction, Note, Task};
use crate::import::Problem;
use crate::import::fields::{parse_amount, parse_flag, parse_time};
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

/// Read the batch at `root`. A `calls.csv` that cannot be read or lacks a
/// required column stops the import; a CRM file that cannot is reported
/// and left out; a bad row is reported and skipped.
pub fn parse(root: &Path, ctx: &Ctx<'_>, out: &mut Parsed) -> Result<(), FormatError> {
    // `calls.csv` and the CRM files do not depend on each other until the
    // cross-check below: read them side by side. Reading was a fifth of a
    // 100,000-call import (the phone numbers of the calls most of it), and
    // the machine that imports has a second core idle meanwhile.
    let earlier = out.problems.len();
    let (calls, contacts, deals) = std::thread::scope(|scope| {
        let calls = scope.spawn(|| {
            let mut part = Parsed::default();
            let read = read(root, ctx, "calls.csv", CALL_COLUMNS, &mut part).map(|table| {
                records(
                    &table,
                    "call_id",
                    &mut part,
                    |s| &mut s.calls,
                    |r| call(&table, r, ctx),
                )
            });
            (read, part)
        });
        // Before the calls' first number needs it, while that thread is
        // still reading its file.
        crate::domain::phone::load_metadata(ctx.country());
        let crm = |name: &str, required: &[&str], out: &mut Parsed| {
            if !root.join(name).exists() {
                return None;
            }
            read(root, ctx, name, required, out)
                .map_err(|problem| out.problems.push(problem))
                .ok()
        };
        let contacts = crm("crm/contacts.csv", &["contact_id"], out);
        let deals = crm("crm/deals.csv", &["deal_id"], out);
        let tasks = crm("crm/tasks.csv", &["task_id"], out);
        let notes = crm("crm/notes.csv", &["note_id", "created_at", "text"], out);
        if let Some(t) = &contacts {
            let read = records(
                t,
                "contact_id",
                out,
                |s| &mut s.contacts,
                |r| Ok(contact(t, r)),
            );
            out.contacts.extend(read);
        }
        if let Some(t) = &deals {
            let read = records(t, "deal_id", out, |s| &mut s.deals, |r| deal(t, r));
            out.deals.extend(read);
        }
        if let Some(t) = &tasks {
            let read = records(t, "task_id", out, |s| &mut s.tasks, |r| task(t, r));
            out.tasks.extend(read);
        }
        if let Some(t) = &notes {
            let read = records(t, "note_id", out, |s| &mut s.notes, |r| note(t, r));
            out.notes.extend(read);
        }
        let calls = calls
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (calls, contacts.is_some(), deals.is_some())
    });
    let (calls, part) = calls;
    // The calls' own problems before the CRM files', as when the files
    // were read in turn, and after any the caller had already.
    let crm_problems = out.problems.split_off(earlier);
    out.problems.extend(part.problems);
    out.problems.extend(crm_problems);
    out.skipped.calls += part.skipped.calls;
    let calls = calls.map_err(FormatError::Unreadable)?;
    // Links to CRM records the batch does not have are worth a warning,
    // not a skip: the CRM export may simply be partial.
    let contact_ids: Option<HashSet<&str>> =
        contacts.then(|| out.contacts.iter().map(|c| c.contact_id.as_str()).collect());
    let deal_ids: Option<HashSet<&str>> =
        deals.then(|| out.deals.iter().map(|d| d.deal_id.as_str()).collect());
    let mut warnings = Vec::new();
    for c in &calls {
        for (id, known, what) in [
            (&c.contact_id, &contact_ids, "contact"),
            (&c.deal_id, &deal_ids, "deal"),
        ] {
            if let (Some(id), Some(known), Some(at)) = (id, known, &c.read_at)
                && !known.contains(id.as_str())
            {
                warnings.push(Problem::for_record(
                    &at.file,
                    at.line,
                    &c.call_id,
                    format!("{what} {id:?} is not in crm/{what}s.csv"),
                ));
            }
        }
    }
    out.warnings.extend(warnings);
    out.calls.extend(calls);
    Ok(())
}

/// One batch file, with the columns it must have.
fn read(
    root: &Path,
    ctx: &Ctx<'_>,
    name: &str,
    required: &[&str],
    out: &mut Parsed,
) -> Result<Table, Problem> {
    let options = CsvOptions {
        encoding: ctx.options.encoding.as_deref(),
        ..Default::default()
    };
    let reported = out.problems.len();
    let table = open_csv(root, Path::new(name), name, options, out)?;
    table.require(required).inspect_err(|_| {
        // The rows of a file without its columns are not worth a message each.
        out.problems.truncate(reported);
    })?;
    Ok(table)
}

/// The records `build` makes of the rows of `table`. A row with an empty
/// or repeated id, or one `build` refuses, is reported and counted in
/// `skipped`, as are the rows the table could not read.
fn records<T>(
    table: &Table,
    id_column: &str,
    out: &mut Parsed,
    skipped: fn(&mut Skipped) -> &mut usize,
    build: impl Fn(&Row) -> Result<T, String>,
) -> Vec<T> {
    *skipped(&mut out.skipped) += table.unreadable;
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let mut built = Vec::new();
    for row in &table.rows {
        let id = table.get(row, id_column);
        let result = if id.is_empty() {
            Err(format!("{id_column} is empty"))
        } else if let Some(first) = first_line.get(id) {
            Err(format!(
                "duplicate {id_column} {:?} (first on line {first}); this row is skipped",
                crate::text::one_line(id, 80)
            ))
        } else {
            first_line.insert(id, row.line);
            build(row)
        };
        match result {
            Ok(record) => built.push(record),
            Err(reason) => {
                out.problems
                    .push(Problem::for_record(&table.name, row.line, id, reason));
                *skipped(&mut out.skipped) += 1;
            }
        }
    }
    built
}

fn call(t: &Table, r: &Row, ctx: &Ctx<'_>) -> Result<CallRecord, String> {
    let rep = t.get(r, "rep");
    if rep.is_empty() {
        return Err("rep is empty".into());
    }
    let direction = t.get(r, "direction");
    let direction = Direction::parse(direction).ok_or_else(|| {
        format!(
            "direction {:?} is neither in nor out",
            crate::text::one_line(direction, 40)
        )
    })?;
    let started_at = parse_time(t.get(r, "started_at"))?;
    let layout = t.get(r, "channel_layout");
    let channel_layout = match ChannelLayout::parse(layout) {
        None if !layout.is_empty() => {
            return Err(format!(
                "channel_layout {:?} is not mono, rep-left or rep-right",
                crate::text::one_line(layout, 40)
            ));
        }
        parsed => parsed,
    };
    let recording = t.opt(r, "recording").ok_or("the recording path is empty")?;
    Ok(CallRecord {
        call_id: t.get(r, "call_id").into(),
        started_at,
        rep: rep.into(),
        direction,
        phone: super::values::phone_field(&[t.get(r, "phone")], ctx.country()),
        duration_ms: None,
        recording: Some(recording),
        contact_id: t.opt(r, "contact_id"),
        deal_id: t.opt(r, "deal_id"),
        external_ids: Vec::new(),
        answered: None,
        script: t.opt(r, "script"),
        channel_layout,
        read_at: Some(SourceLine {
            file: t.name.clone(),
            line: r.line,
        }),
    })
}

fn contact(t: &Table, r: &Row) -> Contact {
    let g = |c: &str| t.get(r, c).to_string();
    Contact {
        contact_id: g("contact_id"),
        name: g("name"),
        role: g("role"),
        phone: g("phone"),
        email: g("email"),
        company: g("company"),
        industry: g("industry"),
        segment: g("segment"),
        owner_rep: g("owner_rep"),
    }
}

fn deal(t: &Table, r: &Row) -> Result<Deal, String> {
    let g = |c: &str| t.get(r, c).to_string();
    Ok(Deal {
        deal_id: g("deal_id"),
        contact_id: g("contact_id"),
        title: g("title"),
        stage: g("stage"),
        amount: parse_amount(t.get(r, "amount"))?,
        currency: g("currency"),
        spec: g("spec"),
        source: g("source"),
        owner_rep: g("owner_rep"),
        updated_at: t.opt(r, "updated_at").map(|v| parse_time(&v)).transpose()?,
    })
}

fn task(t: &Table, r: &Row) -> Result<Task, String> {
    Ok(Task {
        task_id: t.get(r, "task_id").into(),
        deal_id: t.opt(r, "deal_id"),
        contact_id: t.opt(r, "contact_id"),
        owner_rep: t.get(r, "owner_rep").into(),
        text: t.get(r, "text").into(),
        due_at: t.opt(r, "due_at").map(|v| parse_time(&v)).transpose()?,
        done: parse_flag(t.get(r, "done"))?,
    })
}

fn note(t: &Table, r: &Row) -> Result<Note, String> {
    Ok(Note {
        note_id: t.get(r, "note_id").into(),
        deal_id: t.opt(r, "deal_id"),
        contact_id: t.opt(r, "contact_id"),
        call_id: t.opt(r, "call_id"),
        author_rep: t.get(r, "author_rep").into(),
        created_at: parse_time(t.get(r, "created_at"))?,
        text: t.get(r, "text").into(),
    })
}
