//! `callqa emails`: the workspace's emails as a table or JSON, each with
//! its thread, rep, contact and deal and, for a rep's email, what the
//! automatic checks say; and the email line of `callqa import`.

use callqa::domain::Lang;
use callqa::domain::crm::Contact;
use callqa::domain::email::EmailDirection;
use callqa::domain::email_checks::{EmailCheck, EmailReview, EmailSettings, review_email};
use callqa::domain::sampling::Period;
use callqa::i18n::email::{direction, email_strings};
use callqa::import::ImportReport;
use callqa::store::{EmailFilter, StoredEmail, Workspace};
use callqa::text::one_line;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EmailsFormat {
    Table,
    Json,
}

/// The checks in the order of the table's column.
const CHECKS: [EmailCheck; 4] = [
    EmailCheck::GreetingName,
    EmailCheck::Signature,
    EmailCheck::Concise,
    EmailCheck::CallToAction,
];

pub fn list(
    ws: &Workspace,
    lang: Lang,
    rep: Option<&str>,
    period: Option<&str>,
    format: EmailsFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let period = period
        .map(Period::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--period {e}"))?;
    let emails = ws.emails(&EmailFilter { rep, period })?;
    let contacts = ws.all_contacts()?;
    let settings = EmailSettings::bundled();
    let reviewed: Vec<(&StoredEmail, Option<EmailReview>)> = emails
        .iter()
        .map(|e| (e, review(e, &contacts, &settings)))
        .collect();
    match format {
        EmailsFormat::Json => {
            let rows: Vec<serde_json::Value> = reviewed
                .iter()
                .map(|(e, r)| {
                    serde_json::json!({
                        "email": e.email,
                        "link": e.link,
                        "source_file": e.source_file,
                        "source_record": e.source_record,
                        "checks": r,
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&rows)?;
            writeln!(out, "{}", callqa::text::json_safe(&text))?;
        }
        EmailsFormat::Table => table(&reviewed, &contacts, lang, out)?,
    }
    Ok(())
}

/// The automatic checks of a rep's email; the client's are context.
fn review(e: &StoredEmail, contacts: &[Contact], settings: &EmailSettings) -> Option<EmailReview> {
    if e.link.direction != EmailDirection::Out {
        return None;
    }
    let contact = contact_of(e, contacts).map(|c| c.name.as_str());
    Some(review_email(
        &e.email.body_text,
        contact,
        e.link.rep.as_deref().unwrap_or(""),
        settings,
    ))
}

fn contact_of<'a>(e: &StoredEmail, contacts: &'a [Contact]) -> Option<&'a Contact> {
    let id = e.link.contact_id.as_deref()?;
    contacts.iter().find(|c| c.contact_id == id)
}

fn table(
    reviewed: &[(&StoredEmail, Option<EmailReview>)],
    contacts: &[Contact],
    lang: Lang,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let t = email_strings(lang);
    if reviewed.is_empty() {
        return writeln!(out, "{}", t.no_emails);
    }
    let mut rows = vec![
        [
            t.sent,
            t.direction,
            t.rep,
            t.contact,
            t.deal,
            t.checks,
            t.subject,
            t.thread,
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (e, review) in reviewed {
        let checks = match review {
            Some(r) => CHECKS
                .map(|c| match r.answer(c) {
                    Some(true) => "y",
                    Some(false) => "n",
                    None => "?",
                })
                .join(" "),
            None => t.unknown.to_string(),
        };
        let contact = match (contact_of(e, contacts), &e.link.contact_id) {
            (Some(c), _) => format!("{} {}", c.contact_id, c.name),
            (None, Some(id)) => id.clone(),
            (None, None) => t.unknown.to_string(),
        };
        rows.push(vec![
            e.email.date.map_or(t.undated.to_string(), |d| {
                d.format("%Y-%m-%d %H:%M").to_string()
            }),
            direction(lang, e.link.direction).to_string(),
            one_line(e.link.rep.as_deref().unwrap_or(t.unknown), 30),
            one_line(&contact, 40),
            one_line(e.link.deal_id.as_deref().unwrap_or(t.unknown), 20),
            checks,
            one_line(&e.email.subject, 50),
            one_line(&e.link.thread_id, 40),
        ]);
    }
    callqa::text::aligned_columns(out, &rows)?;
    writeln!(out)?;
    writeln!(out, "{}", t.checks_legend)
}

/// The import's lines of email and visit counts, for a batch that had any.
pub fn print_import_counts(report: &ImportReport, lang: Lang) {
    let [new, updated, unchanged, skipped] = callqa::i18n::strings(lang).cli_counts;
    for (what, c) in [
        (email_strings(lang).emails, report.emails),
        (
            callqa::i18n::mystery::mystery_strings(lang).visits,
            report.visits,
        ),
    ] {
        if c.new + c.updated + c.unchanged + c.skipped == 0 {
            continue;
        }
        println!(
            "{what:<9} {} {new}, {} {updated}, {} {unchanged}, {} {skipped}",
            c.new, c.updated, c.unchanged, c.skipped
        );
    }
}
