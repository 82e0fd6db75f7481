//! Mapped cells into records: constants, joins, defaults and value maps
//! first, then the typed fields (times, durations, flags, amounts).

use super::super::values::{
    bad_field, millis, millis_of, parse_local, phone_field, seconds, unix_time,
};
use super::super::{CallRecord, Ctx, Parsed, SourceLine};
use super::{ColumnSpec, EntityMap, FieldSpec, Record};
use crate::domain::crm::{Contact, Deal, Direction, Note, Task, Timestamp};
use crate::domain::matching::{Activity, ActivityKind};
use crate::import::fields::{parse_amount, parse_flag};
use chrono::{DateTime, FixedOffset};

/// A field's text after constants, joins, defaults and `map`; `None` when
/// the profile does not map it.
pub(super) fn value(
    map: &EntityMap,
    rec: &Record,
    name: &str,
) -> Option<(String, Option<ColumnSpec>)> {
    let spec = map.fields.get(name)?;
    let cell = |c: &String| rec.raw.get(c).cloned().unwrap_or_default();
    let (text, spec) = match spec {
        FieldSpec::Column(c) => (cell(c), None),
        FieldSpec::Spec(s) => {
            let text = if let Some(v) = &s.value {
                v.clone()
            } else if let Some(cols) = &s.columns {
                super::super::values::full_name(
                    &cols
                        .iter()
                        .map(cell)
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                )
            } else {
                s.column.as_ref().map(cell).unwrap_or_default()
            };
            let text = if text.is_empty() {
                s.default.clone().unwrap_or_default()
            } else {
                text
            };
            let text = s
                .map
                .as_ref()
                .and_then(|m| m.get(&text).cloned())
                .unwrap_or(text);
            (text, Some(s.clone()))
        }
    };
    Some((text, spec))
}

type Field<'a> = &'a dyn Fn(&str) -> Option<(String, Option<ColumnSpec>)>;

fn text(f: Field<'_>, name: &str) -> String {
    f(name).map(|(t, _)| t).unwrap_or_default()
}

fn opt(f: Field<'_>, name: &str) -> Option<String> {
    Some(text(f, name)).filter(|t| !t.is_empty())
}

fn time(f: Field<'_>, name: &str, offset: FixedOffset) -> Result<Option<Timestamp>, String> {
    let Some((raw, spec)) = f(name).filter(|(t, _)| !t.is_empty()) else {
        return Ok(None);
    };
    let format = spec.and_then(|s| s.format);
    let parsed = match format.as_deref() {
        Some("unix") => raw.parse().ok().and_then(|s| unix_time(s, offset)),
        Some("unix_ms") => raw
            .parse::<i64>()
            .ok()
            .and_then(|s| unix_time(s / 1000, offset)),
        Some(f) if f.contains("%z") || f.contains("%:z") => DateTime::parse_from_str(&raw, f).ok(),
        Some(f) => parse_local(&raw, &[f], offset),
        None => parse_local(
            &raw,
            &[
                "%d.%m.%Y %H:%M:%S",
                "%d.%m.%Y %H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
            ],
            offset,
        ),
    };
    parsed.map(Some).ok_or_else(|| {
        let like = format.map_or("ISO 8601 or DD.MM.YYYY HH:MM".to_string(), |f| {
            format!("the format {f:?}")
        });
        bad_field(name, &raw, &format!("does not match {like}"))
    })
}

fn required(f: Field<'_>, name: &str) -> Result<String, String> {
    opt(f, name).ok_or_else(|| format!("field `{name}` is empty"))
}

fn flag(f: Field<'_>, name: &str) -> Result<Option<bool>, String> {
    opt(f, name)
        .map(|t| parse_flag(&t).map_err(|e| format!("field `{name}`: {e}")))
        .transpose()
}

fn direction(f: Field<'_>, name: &str) -> Result<Option<Direction>, String> {
    opt(f, name)
        .map(|t| {
            Direction::parse(&t)
                .ok_or_else(|| bad_field(name, &t, "is neither in nor out (add a `map`)"))
        })
        .transpose()
}

fn duration_ms(f: Field<'_>) -> Result<Option<u64>, String> {
    if let Some(ms) = opt(f, "duration_ms") {
        return millis(&ms).map(Some).ok_or_else(|| {
            bad_field(
                "duration_ms",
                &ms,
                "is not a call length in milliseconds (a month at most)",
            )
        });
    }
    let Some((raw, spec)) = f("duration").filter(|(t, _)| !t.is_empty()) else {
        return Ok(None);
    };
    let unit = spec.and_then(|s| s.unit).unwrap_or_else(|| "s".into());
    // hh:mm:ss, mm:ss: checked, a damaged field must not overflow.
    let clock = || -> Option<u64> {
        let secs = raw.split(':').try_fold(0u64, |acc, part| {
            acc.checked_mul(60)?
                .checked_add(part.trim().parse::<u64>().ok()?)
        })?;
        millis_of(secs as f64)
    };
    let ms = match unit.as_str() {
        "ms" => millis(&raw),
        "min" => raw
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .and_then(|m| millis_of(m * 60.0)),
        "hh:mm:ss" => clock(),
        _ if raw.contains(':') => clock(),
        _ => seconds(&raw).map(|s| s * 1000),
    };
    ms.map(Some)
        .ok_or_else(|| bad_field("duration", &raw, &format!("is not a duration in {unit}")))
}

pub(super) fn build(
    table: &str,
    map: &EntityMap,
    rec: &Record,
    f: Field<'_>,
    offset: FixedOffset,
    ctx: &Ctx<'_>,
    out: &mut Parsed,
) -> Result<(), String> {
    let rep = |name: &str| {
        let r = text(f, name);
        ctx.rep(&r).unwrap_or(r)
    };
    match table {
        "calls" => {
            let started_at = time(f, "started_at", offset)?.ok_or("field `started_at` is empty")?;
            let external_ids = map
                .external_ids
                .iter()
                .filter_map(|(kind, col)| {
                    let v = rec.raw.get(col).filter(|v| !v.is_empty())?;
                    Some((kind.clone(), v.clone()))
                })
                .collect();
            out.calls.push(CallRecord {
                call_id: required(f, "call_id")?,
                started_at,
                rep: Some(rep("rep"))
                    .filter(|r| !r.is_empty())
                    .ok_or("field `rep` is empty")?,
                direction: direction(f, "direction")?.ok_or("field `direction` is empty")?,
                phone: phone_field(&[&text(f, "phone")], ctx.country()),
                duration_ms: duration_ms(f)?,
                recording: opt(f, "recording"),
                contact_id: opt(f, "contact_id"),
                deal_id: opt(f, "deal_id"),
                external_ids,
                answered: flag(f, "answered")?,
                script: None,
                channel_layout: None,
                read_at: rec.line.map(|line| SourceLine {
                    file: map.file.clone(),
                    line,
                }),
            });
        }
        "contacts" => out.contacts.push(Contact {
            contact_id: required(f, "contact_id")?,
            name: text(f, "name"),
            role: text(f, "role"),
            phone: phone_field(&[&text(f, "phone")], ctx.country()),
            email: text(f, "email"),
            company: text(f, "company"),
            industry: text(f, "industry"),
            segment: text(f, "segment"),
            owner_rep: rep("owner_rep"),
        }),
        "deals" => out.deals.push(Deal {
            deal_id: required(f, "deal_id")?,
            contact_id: text(f, "contact_id"),
            title: text(f, "title"),
            stage: text(f, "stage"),
            amount: parse_amount(&text(f, "amount")).map_err(|e| format!("field `amount`: {e}"))?,
            currency: text(f, "currency"),
            spec: text(f, "spec"),
            source: text(f, "source"),
            owner_rep: rep("owner_rep"),
            updated_at: time(f, "updated_at", offset)?,
        }),
        "tasks" => out.tasks.push(Task {
            task_id: required(f, "task_id")?,
            deal_id: opt(f, "deal_id"),
            contact_id: opt(f, "contact_id"),
            owner_rep: rep("owner_rep"),
            text: text(f, "text"),
            due_at: time(f, "due_at", offset)?,
            done: flag(f, "done")?.unwrap_or(false),
        }),
        "notes" => out.notes.push(Note {
            note_id: required(f, "note_id")?,
            deal_id: opt(f, "deal_id"),
            contact_id: opt(f, "contact_id"),
            call_id: opt(f, "call_id"),
            author_rep: rep("author_rep"),
            created_at: time(f, "created_at", offset)?.ok_or("field `created_at` is empty")?,
            text: required(f, "text")?,
        }),
        _ => out.activities.push(Activity {
            activity_id: required(f, "activity_id")?,
            kind: match text(f, "kind").to_lowercase().as_str() {
                "call" | "звонок" => ActivityKind::Call,
                "meeting" | "встреча" => ActivityKind::Meeting,
                "email" | "письмо" => ActivityKind::Email,
                _ => ActivityKind::Other,
            },
            call_refs: opt(f, "call_ref").into_iter().collect(),
            contact_id: opt(f, "contact_id"),
            deal_id: opt(f, "deal_id"),
            rep: rep("rep"),
            phone: phone_field(&[&text(f, "phone")], ctx.country()),
            at: time(f, "at", offset)?.ok_or("field `at` is empty")?,
            direction: direction(f, "direction")?,
            subject: text(f, "subject"),
            text: text(f, "text"),
            done: flag(f, "done")?,
        }),
    }
    Ok(())
}
