//! amoCRM (Kommo) API v4 responses, saved as JSON files.
//!
//! Each file is one response (`{"_page": 1, "_embedded": {"leads": [...]}}`)
//! or an array of pages; any of `leads`, `contacts`, `companies`, `tasks`,
//! `notes`, `users` and `pipelines` may appear, in one file or several.
//! Times are Unix seconds. Phones, emails and positions sit in
//! `custom_fields_values` under `field_code` `PHONE`, `EMAIL`, `POSITION`.
//! Users and pipelines, when present, turn `responsible_user_id` and
//! `status_id` into names (`reps.csv` wins for reps).
//!
//! Call notes (`note_type` `call_in` / `call_out`, `params.uniq`,
//! `duration`, `phone`, `link`, `source`) are both a call (recording = the
//! `link`) and the CRM's record of it: `params.uniq` is the PBX's id, which
//! is how an Asterisk log links to them. `common` notes are the reps'
//! write-ups. Mail notes (`amomail_message`) are the emails the amoCRM
//! mailbox linked to the lead or contact: `params.income` (true = from the
//! client), `params.from` / `params.to` (`{"email", "name"}`),
//! `params.subject`, the text in `params.text` (else `params.body`, else
//! the `params.content_summary` amoCRM keeps when the text stays in the
//! mailbox), `params.thread_id`; the rep is the note's responsible user
//! ([`super::crm_email`] turns them into emails). A note's entity (lead or contact) comes from its
//! `_links.self.href`, else from the file name (`contacts_notes.json`).

use super::crm_email::CrmEmail;
use super::values::{bad_field, full_name, jopt, jstr, phone_field, unix_time};
use super::{CallRecord, Ctx, FirstSeen, Parsed};
use crate::domain::crm::{Contact, Deal, Direction, Note, Task, Timestamp};
use crate::domain::matching::{Activity, ActivityKind};
use crate::import::Problem;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

const KEYS: &[&str] = &[
    "leads",
    "contacts",
    "companies",
    "tasks",
    "notes",
    "users",
    "pipelines",
];

pub fn looks_like(value: &Value) -> bool {
    let page = match value {
        Value::Array(pages) => pages.first(),
        other => Some(other),
    };
    page.and_then(|p| p.get("_embedded"))
        .and_then(Value::as_object)
        .is_some_and(|e| KEYS.iter().any(|k| e.contains_key(*k)))
}

/// amoCRM's note types that are no rep's write-up and no call: left out
/// by design. Any other type than these and `common`, `call_in`,
/// `call_out` is named, so a note never vanishes unnoticed.
const NOT_WRITE_UPS: &[&str] = &[
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

/// One entity with where it came from, for messages.
struct Item<'a> {
    file: String,
    place: String,
    value: &'a Value,
}

pub fn parse(files: &[PathBuf], ctx: &Ctx<'_>, out: &mut Parsed) {
    let mut docs = Vec::new();
    for path in files {
        let name = ctx.name(path);
        match super::text::read_json(&ctx.root, path, &name) {
            Ok(v) => docs.push((name, v)),
            Err(p) => out.problems.push(p),
        }
    }
    let mut items: HashMap<&str, Vec<Item<'_>>> = HashMap::new();
    for (name, doc) in &docs {
        let pages: Vec<&Value> = match doc {
            Value::Array(pages) => pages.iter().collect(),
            one => vec![one],
        };
        for (p, page) in pages.iter().enumerate() {
            for key in KEYS {
                let list = page
                    .pointer(&format!("/_embedded/{key}"))
                    .and_then(Value::as_array);
                for (i, value) in list.into_iter().flatten().enumerate() {
                    let prefix = if pages.len() > 1 {
                        format!("[{p}].")
                    } else {
                        String::new()
                    };
                    items.entry(key).or_default().push(Item {
                        file: name.clone(),
                        place: format!("{prefix}_embedded.{key}[{i}] id {}", jstr(value, "id")),
                        value,
                    });
                }
            }
        }
    }
    let list = |key: &str| items.get(key).map(Vec::as_slice).unwrap_or(&[]);
    let mut amo = Amo {
        ctx,
        users: names(list("users"), "name"),
        companies: names(list("companies"), "name"),
        statuses: statuses(list("pipelines")),
        unknown_users: BTreeSet::new(),
    };
    let mut seen = FirstSeen::default();
    let mut keep = |kind: &'static str, key: &str, out: &mut Parsed| {
        let read = |i: &Item<'_>| (jstr(i.value, "id"), format!("{} {}", i.file, i.place));
        seen.keep(kind, "id", list(key), read, problem, &mut out.problems)
    };
    for item in keep("contact", "contacts", out) {
        let contact = amo.contact(item);
        out.contacts.push(contact);
    }
    for item in keep("deal", "leads", out) {
        let deal = amo.deal(item);
        out.deals.push(deal);
    }
    for item in keep("task", "tasks", out) {
        match amo.task(item) {
            Ok(task) => out.tasks.push(task),
            Err(p) => out.problems.push(p),
        }
    }
    for item in keep("note", "notes", out) {
        if let Err(p) = amo.note(item, out) {
            out.problems.push(p);
        }
    }
    if !amo.unknown_users.is_empty() {
        out.warnings.push(Problem::file(
            &ctx.folder(),
            format!(
                "amoCRM user id(s) {} are in neither reps.csv nor a users file; shown as \"amoCRM user <id>\"",
                amo.unknown_users.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
}

fn problem(item: &Item<'_>, reason: String) -> Problem {
    Problem {
        file: item.file.clone(),
        line: None,
        record: Some(item.place.clone()),
        reason,
    }
}

fn names(items: &[Item<'_>], field: &str) -> HashMap<String, String> {
    items
        .iter()
        .map(|i| (jstr(i.value, "id"), jstr(i.value, field)))
        .collect()
}

/// `status_id` → its name, from `pipelines[]._embedded.statuses[]`.
fn statuses(items: &[Item<'_>]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pipeline in items {
        let list = pipeline
            .value
            .pointer("/_embedded/statuses")
            .and_then(Value::as_array);
        for status in list.into_iter().flatten() {
            out.insert(jstr(status, "id"), jstr(status, "name"));
        }
    }
    out
}

/// Values of a custom field by its `field_code` (`PHONE`, `EMAIL`).
fn custom(entity: &Value, code: &str) -> Vec<String> {
    let fields = entity.get("custom_fields_values").and_then(Value::as_array);
    fields
        .into_iter()
        .flatten()
        .filter(|f| jstr(f, "field_code").eq_ignore_ascii_case(code))
        .flat_map(|f| {
            f.get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .map(|v| jstr(v, "value"))
        .filter(|v| !v.is_empty())
        .collect()
}

fn custom_by_name(entity: &Value, names: &[&str]) -> Option<String> {
    let fields = entity
        .get("custom_fields_values")
        .and_then(Value::as_array)?;
    fields
        .iter()
        .filter(|f| {
            names
                .iter()
                .any(|n| jstr(f, "field_name").eq_ignore_ascii_case(n))
        })
        .flat_map(|f| {
            f.get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .map(|v| jstr(v, "value"))
        .find(|v| !v.is_empty())
}

struct Amo<'c> {
    ctx: &'c Ctx<'c>,
    users: HashMap<String, String>,
    companies: HashMap<String, String>,
    statuses: HashMap<String, String>,
    unknown_users: BTreeSet<String>,
}

impl Amo<'_> {
    fn rep(&mut self, entity: &Value, field: &str) -> String {
        let id = jstr(entity, field);
        if id.is_empty() || id == "0" {
            return String::new();
        }
        if let Some(name) = self.ctx.rep(&id).or_else(|| self.users.get(&id).cloned()) {
            return name;
        }
        self.unknown_users.insert(id.clone());
        format!("amoCRM user {id}")
    }

    fn time(&self, item: &Item<'_>, field: &str) -> Result<Option<Timestamp>, Problem> {
        match item.value.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .filter(|s| *s > 0)
                .and_then(|s| unix_time(s, self.ctx.offset()))
                .map(Some)
                .ok_or_else(|| {
                    problem(
                        item,
                        bad_field(field, &v.to_string(), "is not Unix seconds"),
                    )
                }),
        }
    }

    fn contact(&mut self, item: &Item<'_>) -> Contact {
        let v = item.value;
        let company = v
            .pointer("/_embedded/companies/0")
            .map(|c| jstr(c, "id"))
            .and_then(|id| self.companies.get(&id).cloned())
            .unwrap_or_default();
        let name = Some(jstr(v, "name"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| full_name(&[&jstr(v, "first_name"), &jstr(v, "last_name")]));
        let phones = custom(v, "PHONE");
        Contact {
            contact_id: jstr(v, "id"),
            name,
            role: custom(v, "POSITION").join(", "),
            phone: phone_field(
                &phones.iter().map(String::as_str).collect::<Vec<_>>(),
                self.ctx.country(),
            ),
            email: custom(v, "EMAIL").join(", "),
            company,
            industry: custom_by_name(v, &["Отрасль", "Сфера деятельности", "Industry"])
                .unwrap_or_default(),
            segment: custom_by_name(v, &["Сегмент", "Segment"]).unwrap_or_default(),
            owner_rep: self.rep(v, "responsible_user_id"),
        }
    }

    fn deal(&mut self, item: &Item<'_>) -> Deal {
        let v = item.value;
        let contacts = v.pointer("/_embedded/contacts").and_then(Value::as_array);
        let main = contacts.and_then(|list| {
            list.iter()
                .find(|c| c.get("is_main").and_then(Value::as_bool) == Some(true))
                .or(list.first())
        });
        let status = jstr(v, "status_id");
        let price = v.get("price").and_then(Value::as_f64).filter(|p| *p > 0.0);
        Deal {
            deal_id: jstr(v, "id"),
            contact_id: main.map(|c| jstr(c, "id")).unwrap_or_default(),
            title: jstr(v, "name"),
            stage: self.statuses.get(&status).cloned().unwrap_or_else(|| {
                if status.is_empty() {
                    status.clone()
                } else {
                    format!("status {status}")
                }
            }),
            amount: price,
            currency: String::new(),
            spec: String::new(),
            source: v
                .pointer("/_embedded/source/name")
                .and_then(Value::as_str)
                .map(String::from)
                .or_else(|| custom_by_name(v, &["Источник", "Source", "utm_source"]))
                .unwrap_or_default(),
            owner_rep: self.rep(v, "responsible_user_id"),
            updated_at: self.time(item, "updated_at").ok().flatten(),
        }
    }

    fn task(&mut self, item: &Item<'_>) -> Result<Task, Problem> {
        let v = item.value;
        let (deal_id, contact_id) = entity_link(&jstr(v, "entity_type"), jopt(v, "entity_id"));
        let text = jstr(v, "text");
        let result = v
            .pointer("/result/text")
            .and_then(Value::as_str)
            .unwrap_or("");
        Ok(Task {
            task_id: jstr(v, "id"),
            deal_id,
            contact_id,
            owner_rep: self.rep(v, "responsible_user_id"),
            text: if result.is_empty() {
                text
            } else {
                format!("{text}\n→ {result}")
            },
            due_at: self.time(item, "complete_till")?,
            done: v
                .get("is_completed")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    fn note(&mut self, item: &Item<'_>, out: &mut Parsed) -> Result<(), Problem> {
        let v = item.value;
        let id = jstr(v, "id");
        let created_at = self
            .time(item, "created_at")?
            .ok_or_else(|| problem(item, "field `created_at` is missing".into()))?;
        let entity = note_entity(v, &item.file);
        let (deal_id, contact_id) = entity_link(&entity, jopt(v, "entity_id"));
        let note_type = jstr(v, "note_type");
        let params = v.get("params").cloned().unwrap_or(Value::Null);
        let author = if jopt(v, "responsible_user_id").is_some() {
            self.rep(v, "responsible_user_id")
        } else {
            self.rep(v, "created_by")
        };
        match note_type.as_str() {
            "call_in" | "call_out" => {
                let direction = if note_type == "call_in" {
                    Direction::In
                } else {
                    Direction::Out
                };
                let uniq = jstr(&params, "uniq");
                let duration = match params.get("duration") {
                    None | Some(Value::Null) => None,
                    Some(d) => Some(
                        super::values::seconds(&jstr(&params, "duration")).ok_or_else(|| {
                            problem(
                                item,
                                bad_field(
                                    "params.duration",
                                    &d.to_string(),
                                    "is not a call length in seconds (a month at most)",
                                ),
                            )
                        })?,
                    ),
                };
                let call_id = format!("amocrm-note-{id}");
                let mut external_ids = Vec::new();
                if !uniq.is_empty() {
                    external_ids.push(("amocrm.uniq".to_string(), uniq.clone()));
                }
                external_ids.push(("amocrm.note_id".to_string(), id.clone()));
                let status = jstr(&params, "call_status");
                let answered = match status.as_str() {
                    "4" => Some(true),
                    "1" | "3" | "5" | "6" | "7" => Some(false),
                    _ => duration.map(|d| d > 0),
                };
                let phone = phone_field(&[&jstr(&params, "phone")], self.ctx.country());
                out.calls.push(CallRecord {
                    call_id: call_id.clone(),
                    started_at: created_at,
                    rep: author.clone(),
                    direction,
                    phone: phone.clone(),
                    duration_ms: duration.map(|d| d * 1000),
                    recording: jopt(&params, "link"),
                    contact_id: contact_id.clone(),
                    deal_id: deal_id.clone(),
                    external_ids,
                    answered,
                    script: None,
                    channel_layout: None,
                    read_at: None,
                });
                let mut call_refs = vec![call_id];
                if !uniq.is_empty() {
                    call_refs.insert(0, uniq);
                }
                out.activities.push(Activity {
                    activity_id: id,
                    kind: ActivityKind::Call,
                    call_refs,
                    contact_id,
                    deal_id,
                    rep: author,
                    phone,
                    at: created_at,
                    direction: Some(direction),
                    subject: full_name(&[&note_type, &jstr(&params, "source")]),
                    text: jstr(&params, "call_result"),
                    done: Some(true),
                });
            }
            "common" => {
                let text = jstr(&params, "text");
                if text.is_empty() {
                    return Err(problem(
                        item,
                        "field `params.text` of a common note is empty".into(),
                    ));
                }
                out.notes.push(Note {
                    note_id: id,
                    deal_id,
                    contact_id,
                    call_id: None,
                    author_rep: author,
                    created_at,
                    text,
                });
            }
            "amomail_message" => {
                let email = CrmEmail {
                    source: "amocrm",
                    id: format!("note-{id}"),
                    message_id: None,
                    thread: jopt(&params, "thread_id"),
                    outgoing: params.get("income").and_then(Value::as_bool) != Some(true),
                    rep: author,
                    from: mail_party(&params, "from"),
                    to: mail_party(&params, "to"),
                    cc: String::new(),
                    contact_id,
                    deal_id,
                    date: Some(created_at),
                    subject: jstr(&params, "subject"),
                    body: ["text", "body", "content_summary"]
                        .iter()
                        .map(|k| jstr(&params, k))
                        .find(|t| !t.is_empty())
                        .unwrap_or_default(),
                    html: false,
                };
                let record = email
                    .into_record(&out.contacts, &out.deals, &item.file, None)
                    .map_err(|reason| problem(item, reason))?;
                out.emails.push(record);
            }
            // Service messages, SMS, geolocation...: not a rep's write-up.
            other if NOT_WRITE_UPS.contains(&other) => {}
            other => {
                return Err(problem(
                    item,
                    bad_field(
                        "note_type",
                        other,
                        "is not a note type callqa knows (common, call_in, call_out, or a service note)",
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `params.from` / `params.to` of a mail note: `{"email", "name"}` (one or
/// a list) or a plain header value, as an address header value.
fn mail_party(params: &Value, key: &str) -> String {
    let one = |v: &Value| match v {
        Value::Object(_) => {
            let (name, email) = (jstr(v, "name"), jstr(v, "email"));
            if name.is_empty() {
                email
            } else {
                format!("\"{}\" <{email}>", name.replace('"', "'"))
            }
        }
        other => other.as_str().unwrap_or_default().to_string(),
    };
    match params.get(key) {
        Some(Value::Array(list)) => list.iter().map(one).collect::<Vec<_>>().join(", "),
        Some(v) => one(v),
        None => String::new(),
    }
}

/// `leads`/`contacts` + id → (deal_id, contact_id).
fn entity_link(entity: &str, id: Option<String>) -> (Option<String>, Option<String>) {
    match entity {
        "contacts" | "contact" => (None, id),
        "leads" | "lead" => (id, None),
        _ => (None, None),
    }
}

fn note_entity(note: &Value, file: &str) -> String {
    let explicit = jstr(note, "entity_type");
    if !explicit.is_empty() {
        return explicit;
    }
    let href = note
        .pointer("/_links/self/href")
        .and_then(Value::as_str)
        .unwrap_or("");
    let file = file.to_lowercase();
    for (needle, entity) in [
        ("/contacts/", "contacts"),
        ("/leads/", "leads"),
        ("/companies/", "companies"),
    ] {
        if href.contains(needle) {
            return entity.into();
        }
    }
    if file.contains("contact") {
        "contacts".into()
    } else if file.contains("compan") {
        "companies".into()
    } else {
        "leads".into()
    }
}
