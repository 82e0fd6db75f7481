//! Our own batch format (v1, see the README) read into memory, so a batch
//! folder can be matched like any export. Storing a v1 batch stays with
//! `import_batch`, which also probes the recordings; this reader only
//! parses, with the same field rules (`fields.rs`).

use super::text::{Row, Table};
use super::{CallRecord, Ctx, Parsed, read_table};
use crate::domain::crm::{Contact, Deal, Direction, Note, Task};
use crate::import::Problem;
use crate::import::fields::{parse_amount, parse_flag, parse_time};
use std::path::Path;

pub fn parse(root: &Path, ctx: &Ctx<'_>, out: &mut Parsed) {
    let read = |name: &str, out: &mut Parsed| {
        let path = root.join(name);
        path.is_file()
            .then(|| read_table(&path, ctx, true, out))
            .flatten()
    };
    let each = |t: &Table,
                id: &str,
                out: &mut Parsed,
                f: &mut dyn FnMut(&Row, &mut Parsed) -> Result<(), String>| {
        for row in &t.rows {
            let key = t.get(row, id);
            let result = if key.is_empty() {
                Err(format!("{id} is empty"))
            } else {
                f(row, out)
            };
            if let Err(reason) = result {
                out.problems
                    .push(Problem::for_record(&t.name, row.line, key, reason));
            }
        }
    };
    if let Some(t) = read("calls.csv", out) {
        each(&t, "call_id", out, &mut |r, out| {
            let direction = t.get(r, "direction");
            out.calls.push(CallRecord {
                call_id: t.get(r, "call_id").into(),
                started_at: parse_time(t.get(r, "started_at"))?,
                rep: Some(t.get(r, "rep").to_string())
                    .filter(|s| !s.is_empty())
                    .ok_or("rep is empty")?,
                direction: Direction::parse(direction)
                    .ok_or_else(|| format!("direction {direction:?} is neither in nor out"))?,
                phone: super::values::phone_field(&[t.get(r, "phone")], ctx.country()),
                duration_ms: None,
                recording: Some(t.get(r, "recording").to_string()).filter(|s| !s.is_empty()),
                contact_id: opt(&t, r, "contact_id"),
                deal_id: opt(&t, r, "deal_id"),
                external_ids: Vec::new(),
                answered: None,
            });
            Ok(())
        });
    }
    if let Some(t) = read("crm/contacts.csv", out) {
        each(&t, "contact_id", out, &mut |r, out| {
            let g = |c: &str| t.get(r, c).to_string();
            out.contacts.push(Contact {
                contact_id: g("contact_id"),
                name: g("name"),
                role: g("role"),
                phone: g("phone"),
                email: g("email"),
                company: g("company"),
                industry: g("industry"),
                segment: g("segment"),
                owner_rep: g("owner_rep"),
            });
            Ok(())
        });
    }
    if let Some(t) = read("crm/deals.csv", out) {
        each(&t, "deal_id", out, &mut |r, out| {
            let g = |c: &str| t.get(r, c).to_string();
            out.deals.push(Deal {
                deal_id: g("deal_id"),
                contact_id: g("contact_id"),
                title: g("title"),
                stage: g("stage"),
                amount: parse_amount(t.get(r, "amount"))?,
                currency: g("currency"),
                spec: g("spec"),
                source: g("source"),
                owner_rep: g("owner_rep"),
                updated_at: opt(&t, r, "updated_at")
                    .map(|v| parse_time(&v))
                    .transpose()?,
            });
            Ok(())
        });
    }
    if let Some(t) = read("crm/tasks.csv", out) {
        each(&t, "task_id", out, &mut |r, out| {
            out.tasks.push(Task {
                task_id: t.get(r, "task_id").into(),
                deal_id: opt(&t, r, "deal_id"),
                contact_id: opt(&t, r, "contact_id"),
                owner_rep: t.get(r, "owner_rep").into(),
                text: t.get(r, "text").into(),
                due_at: opt(&t, r, "due_at").map(|v| parse_time(&v)).transpose()?,
                done: parse_flag(t.get(r, "done"))?,
            });
            Ok(())
        });
    }
    if let Some(t) = read("crm/notes.csv", out) {
        each(&t, "note_id", out, &mut |r, out| {
            out.notes.push(Note {
                note_id: t.get(r, "note_id").into(),
                deal_id: opt(&t, r, "deal_id"),
                contact_id: opt(&t, r, "contact_id"),
                call_id: opt(&t, r, "call_id"),
                author_rep: t.get(r, "author_rep").into(),
                created_at: parse_time(t.get(r, "created_at"))?,
                text: t.get(r, "text").into(),
            });
            Ok(())
        });
    }
}

fn opt(t: &Table, row: &Row, column: &str) -> Option<String> {
    Some(t.get(row, column).to_string()).filter(|s| !s.is_empty())
}
