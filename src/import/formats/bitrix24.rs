//! Bitrix24 REST responses saved as JSON: `crm.deal.list`,
//! `crm.contact.list`, `crm.company.list`, `crm.activity.list`,
//! `voximplant.statistic.get` and `user.get`.
//!
//! Each file is the usual envelope `{"result": [...], "total": n}`, an array
//! of such pages, or a bare array. Which method a file answers comes from
//! its name (`crm.deal.list.json`, `crm.deal.list_2.json`) or else from the
//! fields of its records. Values arrive as strings (`"OPPORTUNITY":
//! "150000.00"`), times as ISO 8601 with an offset.
//!
//! Telephony statistics are the calls (`CALL_ID`, `PORTAL_USER_ID`,
//! `CALL_TYPE` 1 outgoing / 2, 3 incoming / 4 callback, `CALL_FAILED_CODE`
//! 200 = talked). Call activities (`TYPE_ID` 2) are the CRM's record of a
//! call, linked by `CRM_ACTIVITY_ID` and by `ORIGIN_ID` `VI_<CALL_ID>`;
//! the rep's comment in their `DESCRIPTION` is the call's write-up, so it
//! also becomes a note. `TYPE_ID` 3 (and the newer `CRM_TODO` items) are
//! tasks: `DEADLINE`, `COMPLETED` `Y`/`N`.
//!
//! Email activities (`TYPE_ID` 4, `PROVIDER_ID` `CRM_EMAIL`) are also
//! emails ([`super::crm_email`]): `SUBJECT`, `DESCRIPTION` (HTML when
//! `DESCRIPTION_TYPE` is 3), `DIRECTION` 1 incoming / 2 outgoing,
//! `SETTINGS.EMAIL_META` `from` / `to` / `cc`, the client's address in
//! `COMMUNICATIONS` (`TYPE` `EMAIL`) when the meta leaves it out, the
//! Message-ID in `SETTINGS.MESSAGE_HEADERS` when kept, the chain in
//! `THREAD_ID`, the rep in `RESPONSIBLE_ID`.

use super::crm_email::CrmEmail;
use super::recordings::RecordingIndex;
use super::values::{bad_field, full_name, jopt, jstr, parse_local, phone_field, seconds};
use super::{CallRecord, Ctx, FirstSeen, Parsed};
use crate::domain::crm::{Contact, Deal, Direction, Note, Task, Timestamp};
use crate::domain::matching::{Activity, ActivityKind};
use crate::import::Problem;
use crate::import::email::EmailRecord;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Method {
    Deals,
    Contacts,
    Companies,
    Activities,
    Calls,
    Users,
}

const METHODS: &[(&str, Method)] = &[
    ("crm.deal.list", Method::Deals),
    ("crm.contact.list", Method::Contacts),
    ("crm.company.list", Method::Companies),
    ("crm.activity.list", Method::Activities),
    ("voximplant.statistic.get", Method::Calls),
    ("user.get", Method::Users),
];
const TIME_FORMATS: &[&str] = &["%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"];

/// The records of a response, with their place in the file.
fn records(value: &Value) -> Vec<(String, &Value)> {
    let pages: Vec<&Value> = match value {
        Value::Array(items) if items.iter().any(|i| i.get("result").is_some()) => {
            items.iter().collect()
        }
        Value::Array(_) => return rows("", value),
        one => vec![one],
    };
    let many = pages.len() > 1;
    pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| {
            let prefix = if many {
                format!("[{p}].result")
            } else {
                "result".into()
            };
            page.get("result")
                .map(|r| rows(&prefix, r))
                .unwrap_or_default()
        })
        .collect()
}

/// A response holds a list of records, maybe empty: a bare array, or a
/// `result` array in the envelope or in every page.
fn holds_a_list(value: &Value) -> bool {
    let has_result = |page: &Value| page.get("result").is_some_and(Value::is_array);
    match value {
        Value::Array(items) if items.iter().any(|i| i.get("result").is_some()) => {
            items.iter().all(has_result)
        }
        Value::Array(_) => true,
        one => has_result(one),
    }
}

fn rows<'a>(prefix: &str, list: &'a Value) -> Vec<(String, &'a Value)> {
    list.as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| (format!("{prefix}[{i}] ID {}", jstr(r, "ID")), r))
        .collect()
}

fn method_of(file: &str, value: &Value) -> Option<Method> {
    let file = file.rsplit('/').next().unwrap_or(file).to_lowercase();
    if let Some((_, m)) = METHODS.iter().find(|(name, _)| file.starts_with(name)) {
        return Some(*m);
    }
    let first = records(value).into_iter().next()?.1;
    let has = |k: &str| first.get(k).is_some();
    if has("CALL_ID") && has("CALL_START_DATE") {
        Some(Method::Calls)
    } else if has("TYPE_ID") && has("OWNER_TYPE_ID") {
        Some(Method::Activities)
    } else if has("STAGE_ID") && has("OPPORTUNITY") {
        Some(Method::Deals)
    } else if has("LAST_NAME") && (has("POST") || has("PHONE")) {
        Some(Method::Contacts)
    } else if has("TITLE") && has("COMPANY_TYPE") {
        Some(Method::Companies)
    } else {
        None
    }
}

pub fn looks_like(file: &str, value: &Value) -> bool {
    method_of(file, value).is_some()
}

struct Rec<'a> {
    file: &'a str,
    place: String,
    v: &'a Value,
}

impl Rec<'_> {
    fn problem(&self, reason: String) -> Problem {
        Problem {
            file: self.file.to_string(),
            line: None,
            record: Some(self.place.clone()),
            reason,
        }
    }

    fn time(&self, field: &str, ctx: &Ctx<'_>) -> Result<Option<Timestamp>, Problem> {
        let value = jstr(self.v, field);
        if value.is_empty() {
            return Ok(None);
        }
        parse_local(&value, TIME_FORMATS, ctx.offset())
            .map(Some)
            .ok_or_else(|| {
                self.problem(bad_field(
                    field,
                    &value,
                    "is not a time like 2026-11-23T10:15:00+03:00",
                ))
            })
    }
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
    let mut by_method: HashMap<Method, Vec<Rec<'_>>> = HashMap::new();
    for (name, doc) in &docs {
        let Some(method) = method_of(name, doc) else {
            out.problems.push(Problem::file(
                name,
                "not a Bitrix24 response this reader knows".into(),
            ));
            continue;
        };
        if !holds_a_list(doc) {
            out.problems.push(Problem::file(
                name,
                "no list of records in this response (no `result` array); nothing read from it"
                    .into(),
            ));
            continue;
        }
        for (place, v) in records(doc) {
            by_method.entry(method).or_default().push(Rec {
                file: name,
                place,
                v,
            });
        }
    }
    let list = |m: Method| by_method.get(&m).map(Vec::as_slice).unwrap_or(&[]);
    let users: HashMap<String, String> = list(Method::Users)
        .iter()
        .map(|r| {
            (
                jstr(r.v, "ID"),
                full_name(&[&jstr(r.v, "NAME"), &jstr(r.v, "LAST_NAME")]),
            )
        })
        .collect();
    let rep = |id: &str| -> String {
        ctx.rep(id)
            .or_else(|| users.get(id).cloned())
            .unwrap_or_else(|| {
                if id.is_empty() {
                    String::new()
                } else {
                    format!("Bitrix24 user {id}")
                }
            })
    };
    let companies: HashMap<String, (String, String)> = list(Method::Companies)
        .iter()
        .map(|r| (jstr(r.v, "ID"), (jstr(r.v, "TITLE"), jstr(r.v, "INDUSTRY"))))
        .collect();
    let mut seen = FirstSeen::default();
    let mut keep =
        |kind: &'static str, method: Method, id_field: &'static str, out: &mut Parsed| {
            let read = |r: &Rec<'_>| (jstr(r.v, id_field), format!("{} {}", r.file, r.place));
            let problem = |r: &Rec<'_>, reason: String| r.problem(reason);
            seen.keep(
                kind,
                id_field,
                list(method),
                read,
                problem,
                &mut out.problems,
            )
        };
    for r in keep("contact", Method::Contacts, "ID", out) {
        let (company, industry) = companies
            .get(&jstr(r.v, "COMPANY_ID"))
            .cloned()
            .unwrap_or_default();
        out.contacts.push(Contact {
            contact_id: jstr(r.v, "ID"),
            name: full_name(&[
                &jstr(r.v, "NAME"),
                &jstr(r.v, "SECOND_NAME"),
                &jstr(r.v, "LAST_NAME"),
            ]),
            role: jstr(r.v, "POST"),
            phone: phone_field(
                &multi(r.v, "PHONE")
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                ctx.country(),
            ),
            email: multi(r.v, "EMAIL").join(", "),
            company,
            industry,
            segment: String::new(),
            owner_rep: rep(&jstr(r.v, "ASSIGNED_BY_ID")),
        });
    }
    for r in keep("deal", Method::Deals, "ID", out) {
        let amount_text = jstr(r.v, "OPPORTUNITY");
        let amount = match amount_text.parse::<f64>() {
            Ok(a) => Some(a).filter(|a| *a > 0.0),
            Err(_) if amount_text.is_empty() => None,
            Err(_) => {
                out.problems.push(r.problem(bad_field(
                    "OPPORTUNITY",
                    &amount_text,
                    "is not an amount",
                )));
                continue;
            }
        };
        match r.time("DATE_MODIFY", ctx) {
            Ok(updated_at) => out.deals.push(Deal {
                deal_id: jstr(r.v, "ID"),
                contact_id: jopt(r.v, "CONTACT_ID").unwrap_or_default(),
                title: jstr(r.v, "TITLE"),
                stage: jstr(r.v, "STAGE_ID"),
                amount,
                currency: jstr(r.v, "CURRENCY_ID"),
                spec: String::new(),
                source: jstr(r.v, "SOURCE_ID"),
                owner_rep: rep(&jstr(r.v, "ASSIGNED_BY_ID")),
                updated_at,
            }),
            Err(p) => out.problems.push(p),
        }
    }
    for r in keep("activity", Method::Activities, "ID", out) {
        if let Err(p) = activity(r, ctx, &rep, out) {
            out.problems.push(p);
        }
    }
    let recordings = RecordingIndex::build(&ctx.root);
    let mut robot_calls = 0;
    for r in keep("call", Method::Calls, "CALL_ID", out) {
        match call(r, ctx, &rep, &recordings) {
            Ok(Some(c)) => out.calls.push(c),
            Ok(None) => robot_calls += 1,
            Err(p) => out.problems.push(p),
        }
    }
    if robot_calls > 0 {
        out.warnings.push(Problem::file(
            &ctx.folder(),
            format!("{robot_calls} informational (robot) call(s) left out"),
        ));
    }
}

/// `PHONE` / `EMAIL`: `[{"VALUE": "...", "VALUE_TYPE": "WORK"}]`.
fn multi(v: &Value, field: &str) -> Vec<String> {
    v.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| jstr(i, "VALUE"))
        .filter(|s| !s.is_empty())
        .collect()
}

/// `OWNER_TYPE_ID` 2 is a deal, 3 a contact.
fn owner(v: &Value) -> (Option<String>, Option<String>) {
    let id = jopt(v, "OWNER_ID");
    match jstr(v, "OWNER_TYPE_ID").as_str() {
        "2" => (id, None),
        "3" => (None, id),
        _ => (None, None),
    }
}

fn activity(
    r: &Rec<'_>,
    ctx: &Ctx<'_>,
    rep: &dyn Fn(&str) -> String,
    out: &mut Parsed,
) -> Result<(), Problem> {
    let v = r.v;
    let id = jstr(v, "ID");
    if id.is_empty() {
        return Err(r.problem("field `ID` is empty".into()));
    }
    let (deal_id, contact_id) = owner(v);
    let responsible = rep(&jstr(v, "RESPONSIBLE_ID"));
    let completed = match jstr(v, "COMPLETED").as_str() {
        "Y" => true,
        "N" | "" => false,
        other => return Err(r.problem(bad_field("COMPLETED", other, "is neither Y nor N"))),
    };
    let type_id = jstr(v, "TYPE_ID");
    if type_id == "3" || jstr(v, "PROVIDER_ID") == "CRM_TODO" {
        let text = full_name(&[&jstr(v, "SUBJECT"), &jstr(v, "DESCRIPTION")]);
        out.tasks.push(Task {
            task_id: id,
            deal_id,
            contact_id,
            owner_rep: responsible,
            text,
            due_at: r.time("DEADLINE", ctx)?,
            done: completed,
        });
        return Ok(());
    }
    let at = r
        .time("START_TIME", ctx)?
        .or(r.time("CREATED", ctx)?)
        .ok_or_else(|| r.problem("field `START_TIME` is empty".into()))?;
    let call_id = jstr(v, "ORIGIN_ID").strip_prefix("VI_").map(String::from);
    let description = jstr(v, "DESCRIPTION");
    let kind = match type_id.as_str() {
        "1" => ActivityKind::Meeting,
        "2" => ActivityKind::Call,
        "4" => ActivityKind::Email,
        _ => ActivityKind::Other,
    };
    let phone = v
        .pointer("/COMMUNICATIONS/0")
        .map(|c| jstr(c, "VALUE"))
        .unwrap_or_default();
    if kind == ActivityKind::Call && !description.is_empty() {
        out.notes.push(Note {
            note_id: format!("activity-{id}"),
            deal_id: deal_id.clone(),
            contact_id: contact_id.clone(),
            call_id: call_id.clone(),
            author_rep: responsible.clone(),
            created_at: r.time("LAST_UPDATED", ctx)?.unwrap_or(at),
            text: description.clone(),
        });
    }
    if kind == ActivityKind::Email {
        let email = email(r, &id, &responsible, at, (&contact_id, &deal_id), out)?;
        out.emails.push(email);
    }
    out.activities.push(Activity {
        activity_id: id,
        kind,
        call_refs: call_id.into_iter().collect(),
        contact_id,
        deal_id,
        rep: responsible,
        phone: phone_field(&[&phone], ctx.country()),
        at,
        direction: match jstr(v, "DIRECTION").as_str() {
            "1" => Some(Direction::In),
            "2" => Some(Direction::Out),
            _ => None,
        },
        subject: jstr(v, "SUBJECT"),
        text: description,
        done: Some(completed),
    });
    Ok(())
}

/// An email activity (`TYPE_ID` 4) as an email; see the module docs.
fn email(
    r: &Rec<'_>,
    id: &str,
    responsible: &str,
    at: Timestamp,
    (contact_id, deal_id): (&Option<String>, &Option<String>),
    out: &Parsed,
) -> Result<EmailRecord, Problem> {
    let v = r.v;
    let outgoing = match jstr(v, "DIRECTION").as_str() {
        "2" => true,
        "1" => false,
        other => {
            return Err(r.problem(bad_field(
                "DIRECTION",
                other,
                "is neither 1 (incoming) nor 2 (outgoing)",
            )));
        }
    };
    let meta = v.pointer("/SETTINGS/EMAIL_META").unwrap_or(&Value::Null);
    let client: Vec<String> = v
        .get("COMMUNICATIONS")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| jstr(c, "TYPE") == "EMAIL")
        .map(|c| jstr(c, "VALUE"))
        .collect();
    let or_client = |field: &str| {
        Some(jstr(meta, field))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| client.join(", "))
    };
    let (from, to) = if outgoing {
        (jstr(meta, "from"), or_client("to"))
    } else {
        (or_client("from"), jstr(meta, "to"))
    };
    let email = CrmEmail {
        source: "bitrix24",
        id: format!("activity-{id}"),
        message_id: v
            .pointer("/SETTINGS/MESSAGE_HEADERS/Message-Id")
            .and_then(Value::as_str)
            .map(String::from),
        thread: jopt(v, "THREAD_ID").filter(|t| t != "0"),
        outgoing,
        rep: responsible.to_string(),
        from,
        to,
        cc: jstr(meta, "cc"),
        contact_id: contact_id.clone(),
        deal_id: deal_id.clone(),
        date: Some(at),
        subject: jstr(v, "SUBJECT"),
        body: jstr(v, "DESCRIPTION"),
        html: jstr(v, "DESCRIPTION_TYPE") == "3",
    };
    email
        .into_record(&out.contacts, &out.deals, r.file, None)
        .map_err(|reason| r.problem(reason))
}

fn call(
    r: &Rec<'_>,
    ctx: &Ctx<'_>,
    rep: &dyn Fn(&str) -> String,
    recordings: &RecordingIndex,
) -> Result<Option<CallRecord>, Problem> {
    let v = r.v;
    let call_id = jstr(v, "CALL_ID");
    if call_id.is_empty() {
        return Err(r.problem("field `CALL_ID` is empty".into()));
    }
    let type_text = jstr(v, "CALL_TYPE");
    let direction = match type_text.as_str() {
        "1" | "4" => Direction::Out,
        "2" | "3" => Direction::In,
        "5" => return Ok(None),
        other => {
            return Err(r.problem(bad_field(
                "CALL_TYPE",
                other,
                "is not 1 (out), 2, 3 (in) or 4 (callback)",
            )));
        }
    };
    let started_at = r
        .time("CALL_START_DATE", ctx)?
        .ok_or_else(|| r.problem("field `CALL_START_DATE` is empty".into()))?;
    let duration_text = jstr(v, "CALL_DURATION");
    let duration = seconds(&duration_text).ok_or_else(|| {
        r.problem(bad_field(
            "CALL_DURATION",
            &duration_text,
            "is not a call length in seconds (a month at most)",
        ))
    })?;
    // The activity id first: it is the link Bitrix24 itself made.
    let mut external_ids: Vec<(String, String)> = jopt(v, "CRM_ACTIVITY_ID")
        .map(|a| ("bitrix.activity_id".to_string(), a))
        .into_iter()
        .collect();
    external_ids.push(("bitrix.call_id".to_string(), call_id.clone()));
    let (mut contact_id, mut deal_id) = (None, None);
    match jstr(v, "CRM_ENTITY_TYPE").as_str() {
        "CONTACT" => contact_id = jopt(v, "CRM_ENTITY_ID"),
        "DEAL" => deal_id = jopt(v, "CRM_ENTITY_ID"),
        _ => {}
    }
    let file_id = jopt(v, "RECORD_FILE_ID");
    let recording = jopt(v, "CALL_RECORD_URL")
        .or_else(|| {
            file_id
                .as_deref()
                .and_then(|f| recordings.by_stem(f))
                .map(String::from)
        })
        .or_else(|| recordings.by_stem(&call_id).map(String::from));
    Ok(Some(CallRecord {
        call_id,
        started_at,
        rep: rep(&jstr(v, "PORTAL_USER_ID")),
        direction,
        phone: phone_field(&[&jstr(v, "PHONE_NUMBER")], ctx.country()),
        duration_ms: Some(duration * 1000),
        recording,
        contact_id,
        deal_id,
        external_ids,
        answered: Some(jstr(v, "CALL_FAILED_CODE") == "200" && duration > 0),
        script: None,
        channel_layout: None,
        read_at: None,
    }))
}
