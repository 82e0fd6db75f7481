//! HubSpot CRM exports (contacts, deals) as CSV.
//!
//! HubSpot writes property labels as headers: contacts have `Record ID,
//! First Name, Last Name, Email, Phone Number, Mobile Phone Number, Job
//! Title, Company Name, Industry, Contact owner, Last Contacted, Create
//! Date ...`, deals `Record ID, Deal Name, Deal Stage, Amount, Close Date,
//! Deal owner, Pipeline, Last Modified Date, Associated Contact ...`. Which
//! columns appear depends on the view exported, so none but `Record ID` is
//! required. Times are the portal's local time (`2026-11-23 10:15`).
//!
//! A deal's contact comes from `Associated Contact IDs` when exported, else
//! from `Associated Contact` (`Name (email)`), matched against the exported
//! contacts by email, then name. `Last Contacted` is kept as an activity so
//! the audit of clients nobody called sees it.

use super::text::{Row, Table};
use super::values::{bad_field, full_name, parse_local, phone_field};
use super::{Ctx, FirstSeen, Parsed, read_table};
use crate::domain::crm::{Contact, Deal, Timestamp};
use crate::domain::matching::{Activity, ActivityKind};
use crate::import::Problem;
use crate::import::fields::parse_amount;
use std::path::PathBuf;

const TIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
];

/// Columns only a contacts export has.
const CONTACT_MARKS: [&str; 4] = ["First Name", "Last Name", "Email", "Contact owner"];

pub fn looks_like(table: &Table) -> bool {
    table.has("Record ID")
        && [
            "Deal Name",
            "First Name",
            "Email",
            "Contact owner",
            "Deal owner",
        ]
        .iter()
        .any(|h| table.has(h))
}

pub fn parse(files: &[PathBuf], ctx: &Ctx<'_>, out: &mut Parsed) {
    let mut tables: Vec<Table> = files
        .iter()
        .filter_map(|p| read_table(p, ctx, false, out))
        .collect();
    // Contacts first: deals name their contact by email or name.
    tables.sort_by_key(|t| t.has("Deal Name"));
    let mut seen = FirstSeen::default();
    for table in &tables {
        let kind = if table.has("Deal Name") {
            "deal"
        } else if CONTACT_MARKS.iter().any(|h| table.has(h)) {
            "contact"
        } else {
            // A deals export whose `Deal Name` header is damaged would
            // otherwise be read as contacts.
            let marks = CONTACT_MARKS.map(|h| format!("`{h}`")).join(", ");
            out.problems.push(Problem::file(
                &table.name,
                format!(
                    "neither a contacts export (no {marks}) nor a deals export (no `Deal Name`); nothing read from it"
                ),
            ));
            continue;
        };
        for row in &table.rows {
            let id = table.get(row, "Record ID");
            let place = format!("{} line {}", table.name, row.line);
            let result = if id.is_empty() {
                Err("field `Record ID` is empty".to_string())
            } else if let Err(repeated) = seen.check(kind, id, &place) {
                Err(repeated)
            } else if table.has("Deal Name") {
                deal(table, row, ctx, &out.contacts).map(|d| out.deals.push(d))
            } else {
                contact(table, row, ctx, out)
            };
            if let Err(reason) = result {
                out.problems
                    .push(Problem::for_record(&table.name, row.line, id, reason));
            }
        }
    }
}

fn time(t: &Table, row: &Row, header: &str, ctx: &Ctx<'_>) -> Result<Option<Timestamp>, String> {
    let value = t.get(row, header);
    if value.is_empty() {
        return Ok(None);
    }
    parse_local(value, TIME_FORMATS, ctx.offset())
        .map(Some)
        .ok_or_else(|| bad_field(header, value, "is not a time like 2026-11-23 10:15"))
}

fn owner(t: &Table, row: &Row, header: &str, ctx: &Ctx<'_>) -> String {
    let name = t.get(row, header);
    ctx.rep(name).unwrap_or(name.to_string())
}

fn contact(t: &Table, row: &Row, ctx: &Ctx<'_>, out: &mut Parsed) -> Result<(), String> {
    let id = t.get(row, "Record ID").to_string();
    let last_contacted = time(t, row, "Last Contacted", ctx)?;
    let owner_rep = owner(t, row, "Contact owner", ctx);
    let phones = [
        t.get(row, "Phone Number"),
        t.get(row, "Mobile Phone Number"),
    ];
    out.contacts.push(Contact {
        contact_id: id.clone(),
        name: full_name(&[t.get(row, "First Name"), t.get(row, "Last Name")]),
        role: t.get(row, "Job Title").to_string(),
        phone: phone_field(&phones, ctx.country()),
        email: t.get(row, "Email").to_string(),
        company: t
            .first(row, &["Company Name", "Associated Company"])
            .to_string(),
        industry: t.get(row, "Industry").to_string(),
        segment: t.first(row, &["Segment", "Lifecycle Stage"]).to_string(),
        owner_rep: owner_rep.clone(),
    });
    if let Some(at) = last_contacted {
        out.activities.push(Activity {
            activity_id: format!("hubspot-last-contacted-{id}"),
            kind: ActivityKind::Other,
            call_refs: Vec::new(),
            contact_id: Some(id),
            deal_id: None,
            rep: owner_rep,
            phone: String::new(),
            at,
            direction: None,
            subject: "Last Contacted (HubSpot)".into(),
            text: String::new(),
            done: Some(true),
        });
    }
    Ok(())
}

fn deal(t: &Table, row: &Row, ctx: &Ctx<'_>, contacts: &[Contact]) -> Result<Deal, String> {
    let amount_text = t.get(row, "Amount");
    let amount = parse_amount(amount_text.trim_start_matches(['$', '€', '£']))
        .map_err(|_| bad_field("Amount", amount_text, "is not an amount"))?;
    let updated = time(t, row, "Last Modified Date", ctx)?;
    let created = time(t, row, "Create Date", ctx)?;
    Ok(Deal {
        deal_id: t.get(row, "Record ID").to_string(),
        contact_id: associated_contact(t, row, contacts),
        title: t.get(row, "Deal Name").to_string(),
        stage: t.get(row, "Deal Stage").to_string(),
        amount,
        currency: t
            .first(row, &["Currency", "Deal currency code"])
            .to_string(),
        spec: t
            .first(row, &["Deal Description", "Description"])
            .to_string(),
        source: t
            .first(
                row,
                &[
                    "Original Source Type",
                    "Original Source",
                    "Lead Source",
                    "Source",
                ],
            )
            .to_string(),
        owner_rep: owner(t, row, "Deal owner", ctx),
        updated_at: updated.or(created),
    })
}

fn associated_contact(t: &Table, row: &Row, contacts: &[Contact]) -> String {
    let ids = t.first(row, &["Associated Contact IDs", "Associated Contact ID"]);
    if let Some(first) = ids.split([';', ',']).map(str::trim).find(|s| !s.is_empty()) {
        return first.to_string();
    }
    // "Ольга Петрова (olga@example.com);Иван ..." — the first one.
    let named = t
        .get(row, "Associated Contact")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if named.is_empty() {
        return String::new();
    }
    let (name, email) = match named.rsplit_once('(') {
        Some((n, e)) => (n.trim(), e.trim_end_matches(')').trim()),
        None => (named, ""),
    };
    contacts
        .iter()
        .find(|c| !email.is_empty() && c.email.eq_ignore_ascii_case(email))
        .or_else(|| contacts.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
        .map(|c| c.contact_id.clone())
        .unwrap_or_default()
}
