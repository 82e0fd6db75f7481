//! The CRM hygiene audit, per rep and overall, as the article asks for it:
//! is client and deal data complete, how many tasks are overdue (the norm
//! is zero), do deals have a next step, are calls written up, and which
//! clients nobody has contacted for one, three or twelve months.
//!
//! Pure: it takes the CRM records and returns numbers with the record ids
//! behind each, so a client can act on them (and tests can assert them).

use super::crm::{Call, Contact, CrmData, Deal, Timestamp};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which fields must be filled; a setting per workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredFields {
    pub contact: Vec<String>,
    pub deal: Vec<String>,
}

impl Default for RequiredFields {
    /// The article: name, role, phone, email, industry, segment; stage,
    /// amount, specification, source (the next step is its own column).
    fn default() -> Self {
        RequiredFields {
            contact: ["name", "role", "phone", "email", "industry", "segment"]
                .map(String::from)
                .to_vec(),
            deal: ["stage", "amount", "spec", "source"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl RequiredFields {
    /// Parse `contact.email,deal.amount,...`; unknown fields are refused.
    pub fn parse(text: &str) -> Result<RequiredFields, String> {
        let mut required = RequiredFields {
            contact: Vec::new(),
            deal: Vec::new(),
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, field) = part
                .split_once('.')
                .ok_or_else(|| format!("{part:?}: write contact.FIELD or deal.FIELD"))?;
            let (list, known) = match kind {
                "contact" => (&mut required.contact, &Contact::FIELDS[..]),
                "deal" => (&mut required.deal, &Deal::FIELDS[..]),
                _ => return Err(format!("{part:?}: write contact.FIELD or deal.FIELD")),
            };
            if !known.contains(&field) {
                return Err(format!(
                    "{part:?}: unknown field; known: {}",
                    known.join(", ")
                ));
            }
            list.push(field.to_string());
        }
        Ok(required)
    }

    pub fn to_text(&self) -> String {
        self.contact
            .iter()
            .map(|f| format!("contact.{f}"))
            .chain(self.deal.iter().map(|f| format!("deal.{f}")))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A record with the fields it lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub id: String,
    pub fields: Vec<String>,
}

/// The numbers for one rep (or everyone), each with its records.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditRow {
    pub rep: String,
    pub contacts_missing_fields: Vec<Missing>,
    pub deals_missing_fields: Vec<Missing>,
    pub overdue_tasks: Vec<String>,
    /// Due date of the oldest overdue task.
    pub oldest_overdue: Option<Timestamp>,
    pub deals_without_next_task: Vec<String>,
    pub calls_without_write_up: Vec<String>,
    /// Contacts with no call, note or task activity for at least 1, 3 and
    /// 12 months before the as-of date (never contacted counts in all).
    pub not_contacted_1m: Vec<String>,
    pub not_contacted_3m: Vec<String>,
    pub not_contacted_12m: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub as_of: Timestamp,
    pub required: RequiredFields,
    pub reps: Vec<AuditRow>,
    pub overall: AuditRow,
}

/// What the audit looks at: the calls, the CRM export, and which calls
/// have a write-up (decided once when calls are linked, see
/// [`super::follow_up`]).
#[derive(Debug, Clone, Copy)]
pub struct AuditInput<'a> {
    pub calls: &'a [Call],
    pub crm: CrmData<'a>,
    pub written_up: &'a HashSet<String>,
}

impl AuditInput<'_> {
    /// The newest record in the data: the default "as of" date.
    pub fn newest(&self) -> Option<Timestamp> {
        self.calls
            .iter()
            .map(|c| c.started_at)
            .chain(self.crm.notes.iter().map(|n| n.created_at))
            .chain(self.crm.activities.iter().map(|a| a.at))
            .chain(self.crm.deals.iter().filter_map(|d| d.updated_at))
            .max()
    }
}

/// Months as the audit counts them: 30-day blocks.
fn months(n: i64) -> Duration {
    Duration::days(30 * n)
}

pub fn audit(input: &AuditInput, required: &RequiredFields, as_of: Timestamp) -> AuditReport {
    let data = &input.crm;
    let mut rows: BTreeMap<String, AuditRow> = BTreeMap::new();
    fn row_of<'m>(rows: &'m mut BTreeMap<String, AuditRow>, rep: &str) -> &'m mut AuditRow {
        rows.entry(rep.to_string()).or_insert_with(|| AuditRow {
            rep: rep.to_string(),
            ..AuditRow::default()
        })
    }
    macro_rules! row {
        ($rep:expr) => {
            row_of(&mut rows, $rep)
        };
    }

    for c in data.contacts {
        let fields: Vec<String> = required
            .contact
            .iter()
            .filter(|f| c.field(f).is_none_or(|v| v.trim().is_empty()))
            .cloned()
            .collect();
        if !fields.is_empty() {
            row!(&c.owner_rep).contacts_missing_fields.push(Missing {
                id: c.contact_id.clone(),
                fields,
            });
        }
    }
    let deals_with_open_task: HashSet<&str> = data
        .tasks
        .iter()
        .filter(|t| !t.done)
        .filter_map(|t| t.deal_id.as_deref())
        .collect();
    for d in data.deals {
        let fields: Vec<String> = required
            .deal
            .iter()
            .filter(|f| d.is_missing(f))
            .cloned()
            .collect();
        if !fields.is_empty() {
            row!(&d.owner_rep).deals_missing_fields.push(Missing {
                id: d.deal_id.clone(),
                fields,
            });
        }
        if !deals_with_open_task.contains(d.deal_id.as_str()) {
            row!(&d.owner_rep)
                .deals_without_next_task
                .push(d.deal_id.clone());
        }
    }
    for t in data.tasks.iter().filter(|t| t.is_overdue(as_of)) {
        let r = row!(&t.owner_rep);
        r.overdue_tasks.push(t.task_id.clone());
        r.oldest_overdue = r.oldest_overdue.min(t.due_at).or(t.due_at);
    }
    for call in input.calls.iter().filter(|c| c.started_at <= as_of) {
        if !input.written_up.contains(&call.call_id) {
            row!(&call.rep)
                .calls_without_write_up
                .push(call.call_id.clone());
        }
    }

    let mut last_touch: HashMap<String, Timestamp> = HashMap::new();
    let mut touch = |contact: Option<&'_ String>, at: Timestamp| {
        if let Some(id) = contact
            && at <= as_of
        {
            let entry = last_touch.entry(id.clone()).or_insert(at);
            *entry = (*entry).max(at);
        }
    };
    for c in input.calls {
        touch(c.contact_id.as_ref(), c.started_at);
    }
    for n in data.notes {
        touch(n.contact_id.as_ref(), n.created_at);
    }
    for a in data.activities {
        touch(a.contact_id.as_ref(), a.at);
    }
    let deal_contact: HashMap<&str, &String> = data
        .deals
        .iter()
        .map(|d| (d.deal_id.as_str(), &d.contact_id))
        .collect();
    for n in data.notes {
        if let Some(contact) = n.deal_id.as_deref().and_then(|d| deal_contact.get(d)) {
            touch(Some(contact), n.created_at);
        }
    }
    for c in data.contacts {
        let quiet = last_touch.get(&c.contact_id).map(|at| as_of - *at);
        let r = row!(&c.owner_rep);
        for (n, list) in [
            (1, &mut r.not_contacted_1m),
            (3, &mut r.not_contacted_3m),
            (12, &mut r.not_contacted_12m),
        ] {
            if quiet.is_none_or(|q| q >= months(n)) {
                list.push(c.contact_id.clone());
            }
        }
    }

    let reps: Vec<AuditRow> = rows.into_values().collect();
    let mut overall = AuditRow {
        rep: String::new(),
        ..AuditRow::default()
    };
    for r in &reps {
        overall
            .contacts_missing_fields
            .extend(r.contacts_missing_fields.iter().cloned());
        overall
            .deals_missing_fields
            .extend(r.deals_missing_fields.iter().cloned());
        overall
            .overdue_tasks
            .extend(r.overdue_tasks.iter().cloned());
        overall.oldest_overdue = match (overall.oldest_overdue, r.oldest_overdue) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        overall
            .deals_without_next_task
            .extend(r.deals_without_next_task.iter().cloned());
        overall
            .calls_without_write_up
            .extend(r.calls_without_write_up.iter().cloned());
        overall
            .not_contacted_1m
            .extend(r.not_contacted_1m.iter().cloned());
        overall
            .not_contacted_3m
            .extend(r.not_contacted_3m.iter().cloned());
        overall
            .not_contacted_12m
            .extend(r.not_contacted_12m.iter().cloned());
    }
    AuditReport {
        as_of,
        required: required.clone(),
        reps,
        overall,
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
