//! Emails into the workspace, inside the import's transaction: upserted by
//! Message-ID, then every email of the workspace linked again (thread,
//! rep, contact, deal), since a new CRM export or a later message can
//! change any of them.

use super::EmailRecord;
use crate::domain::email::{LinkContext, link_emails};
use crate::domain::email_checks::EmailSettings;
use crate::domain::reps::rep_key;
use crate::import::{Counts, Problem};
use crate::store::{StoreError, Workspace};
use std::collections::{HashMap, HashSet};

/// Store `records` of batch `batch_id` and link every email; counts go to
/// `counts`, a message read twice (the same Message-ID in two files) to
/// `warnings`.
pub fn store_emails(
    ws: &Workspace,
    batch_id: i64,
    records: &[EmailRecord],
    counts: &mut Counts,
    warnings: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let mut first: HashMap<&str, &EmailRecord> = HashMap::new();
    for record in records {
        if let Some(earlier) = first.get(record.email.message_id.as_str()) {
            warnings.push(record.problem(format!(
                "the same Message-ID as {}{}: taken once",
                earlier.file,
                earlier
                    .number
                    .map(|n| format!(" message {n}"))
                    .unwrap_or_default()
            )));
            continue;
        }
        first.insert(&record.email.message_id, record);
        counts.add(ws.upsert_email(batch_id, &record.email, &record.file, record.number)?);
    }
    link_all(ws)
}

/// Link every email in the workspace with the bundled settings.
pub fn link_all(ws: &Workspace) -> Result<(), StoreError> {
    let stored = ws.all_emails()?;
    if stored.is_empty() {
        return Ok(());
    }
    let settings = EmailSettings::bundled();
    let contacts = ws.all_contacts()?;
    let deals = ws.all_deals()?;
    let mut seen = HashSet::new();
    let reps: Vec<String> = ws
        .roster()?
        .into_iter()
        .map(|r| r.rep)
        .chain(ws.call_reps()?)
        .chain(contacts.iter().map(|c| c.owner_rep.clone()))
        .chain(deals.iter().map(|d| d.owner_rep.clone()))
        .filter(|r| !rep_key(r).is_empty() && seen.insert(rep_key(r)))
        .collect();
    let emails: Vec<_> = stored.into_iter().map(|s| s.email).collect();
    let ctx = LinkContext {
        reps: &reps,
        contacts: &contacts,
        deals: &deals,
        own_domains: &settings.linking.own_domains,
        public_domains: &settings.linking.public_domains,
        closed_stages: &settings.linking.closed_stages,
    };
    for link in link_emails(&emails, &ctx) {
        ws.save_email_link(&link)?;
    }
    Ok(())
}
