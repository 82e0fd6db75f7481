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
//!
//! An export of email engagements (the Emails activity view) comes in as
//! emails ([`super::crm_email`]): `Record ID, Activity date, Activity
//! assigned to, Email subject, Email body, Email direction` (`EMAIL`,
//! `FORWARDED_EMAIL` out, `INCOMING_EMAIL` in), `Email from address,
//! Email to address, Email CC address, Email thread ID, Associated Contact
//! IDs, Associated Deal IDs`; the internal names (`hs_email_subject`,
//! `hs_email_text`, `hs_email_html`, `hs_email_direction`,
//! `hs_email_from_email`, `hs_email_to_email`, `hs_email_thread_id`,
//! `hs_timestamp`, `hubspot_owner_id`) are read too. A body that is HTML
//! is turned into text.

use super::crm_email::CrmEmail;
use super::text::{Row, Table};
use super::values::{bad_field, full_name, parse_local, phone_field};
use super::{Ctx, FirstSeen, Parsed, read_table};
use crate::domain::crm::{Contact, Deal, Timestamp};
use crate::domain::matching::{Activity, ActivityKind};
use crate::import::Problem;
use crate::import::email::EmailRecord;
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

/// Columns of an email engagements export, by label and by internal name.
const EMAIL_SUBJECT: [&str; 2] = ["Email subject", "hs_email_subject"];

fn is_emails(table: &Table) -> bool {
    EMAIL_SUBJECT.iter().any(|h| table.has(h))
}

pub fn looks_like(table: &Table) -> bool {
    table.has("Record ID")
        && [
            EMAIL_SUBJECT[0],
            EMAIL_SUBJECT[1],
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
    // Contacts first: deals name their contact by email or name; emails
    // last, they take their contact's address.
    tables.sort_by_key(|t| (is_emails(t), t.has("Deal Name")));
    let mut seen = FirstSeen::default();
    for table in &tables {
        let kind = if is_emails(table) {
            "email"
        } else if table.has("Deal Name") {
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
            } else if kind == "email" {
                email(table, row, ctx, out).map(|e| out.emails.push(e))
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

/// The first of alternative headers the table has (the label or the
/// internal name), for the readers that take one header.
fn present<'h>(t: &Table, headers: &[&'h str]) -> &'h str {
    headers
        .iter()
        .copied()
        .find(|h| t.has(h))
        .unwrap_or(headers[0])
}

/// One email engagement; see the module docs.
fn email(t: &Table, row: &Row, ctx: &Ctx<'_>, out: &Parsed) -> Result<EmailRecord, String> {
    let direction_header = ["Email direction", "hs_email_direction"];
    let outgoing = match t.first(row, &direction_header).trim() {
        "EMAIL" | "FORWARDED_EMAIL" => true,
        "INCOMING_EMAIL" => false,
        other => {
            return Err(bad_field(
                direction_header[0],
                other,
                "is none of EMAIL, INCOMING_EMAIL, FORWARDED_EMAIL",
            ));
        }
    };
    let date_header = ["Activity date", "hs_timestamp"];
    let date = time(t, row, present(t, &date_header), ctx)?;
    let first_id = |headers: &[&str]| {
        t.first(row, headers)
            .split([';', ','])
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(String::from)
    };
    let html = t.first(row, &["hs_email_html"]);
    let (body, is_html) = if html.is_empty() {
        let body = t.first(row, &["Email body", "hs_email_text"]);
        (body, body.trim_start().starts_with('<'))
    } else {
        (html, true)
    };
    let rep_header = ["Activity assigned to", "hubspot_owner_id"];
    CrmEmail {
        source: "hubspot",
        id: t.get(row, "Record ID").to_string(),
        message_id: None,
        thread: first_id(&["Email thread ID", "hs_email_thread_id"]),
        outgoing,
        rep: owner(t, row, present(t, &rep_header), ctx),
        from: t
            .first(row, &["Email from address", "hs_email_from_email"])
            .to_string(),
        to: t
            .first(row, &["Email to address", "hs_email_to_email"])
            .to_string(),
        cc: t
            .first(row, &["Email CC address", "hs_email_cc_email"])
            .to_string(),
        contact_id: first_id(&["Associated Contact IDs", "Associated Contact ID"]),
        deal_id: first_id(&["Associated Deal IDs", "Associated Deal ID"]),
        date,
        subject: t.first(row, &EMAIL_SUBJECT).to_string(),
        body: body.to_string(),
        html: is_html,
    }
    .into_record(&out.contacts, &out.deals, &t.name, Some(row.line))
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
