//! The amoCRM (Kommo) deals export from the web interface ("Экспорт").
//!
//! One row per deal with Russian headers: `ID, Название сделки, Бюджет,
//! Ответственный, Дата создания сделки, Кем создана сделка, Дата
//! редактирования, ..., Примечание, Примечание 2..5, Этап сделки, Воронка,
//! Полное имя контакта, Компания контакта, Ответственный за контакт,
//! Компания, Рабочий телефон, Мобильный телефон, ..., Рабочий email, ...,
//! Источник, Должность`; newer exports add ` (контакт)` to the contact's
//! columns. Dates are `DD.MM.YYYY HH:MM:SS` local time. Excel users save it
//! `;`-separated in Windows-1251, which [`super::text`] handles.
//!
//! The export has no contact ids: the main contact gets a stable id from
//! its first phone (else email, else name), so a re-import updates the same
//! contact. Notes carry no date in this export; they are dated with the
//! deal's creation, and a warning says so.

use super::text::{Row, Table};
use super::values::{bad_field, parse_local, phone_field};
use super::{Ctx, FirstSeen, Parsed, read_table};
use crate::domain::crm::{Contact, Deal, Note, Timestamp};
use crate::import::Problem;
use crate::import::fields::parse_amount;
use std::collections::HashMap;
use std::path::PathBuf;

const DATE_FORMATS: &[&str] = &["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"];
const PHONES: &[&str] = &[
    "Рабочий телефон",
    "Рабочий прямой телефон",
    "Мобильный телефон",
    "Домашний телефон",
    "Другой телефон",
    "Телефон",
];
const EMAILS: &[&str] = &["Рабочий email", "Личный email", "Другой email", "Email"];

pub fn looks_like(table: &Table) -> bool {
    table.has("Название сделки") || (table.has("Этап сделки") && table.has("Ответственный"))
}

pub fn parse(files: &[PathBuf], ctx: &Ctx<'_>, out: &mut Parsed) {
    let mut contacts: HashMap<String, usize> = HashMap::new();
    let mut seen = FirstSeen::default();
    for path in files {
        let Some(table) = read_table(path, ctx, false, out) else {
            continue;
        };
        if !table.has("ID") {
            out.problems.push(Problem::file(
                &table.name,
                "has no `ID` column; export the deals with their ID".into(),
            ));
            continue;
        }
        let mut dated_notes = false;
        for row in &table.rows {
            let id = table.get(row, "ID");
            let place = format!("{} line {}", table.name, row.line);
            let read = seen
                .check("deal", id, &place)
                .and_then(|()| deal_row(&table, row, ctx));
            match read {
                Ok((deal, contact, notes)) => {
                    dated_notes |= !notes.is_empty();
                    if let Some(contact) = contact {
                        merge_contact(&mut out.contacts, &mut contacts, contact);
                    }
                    out.deals.push(deal);
                    out.notes.extend(notes);
                }
                Err(reason) => {
                    out.problems
                        .push(Problem::for_record(&table.name, row.line, id, reason))
                }
            }
        }
        if dated_notes {
            out.warnings.push(Problem::file(
                &table.name,
                "this export has no note dates; notes are dated with the deal's creation".into(),
            ));
        }
    }
}

/// A column by name, or its ` (контакт)` variant.
fn contact_col<'r>(t: &Table, row: &'r Row, names: &[&str]) -> Vec<&'r str> {
    names
        .iter()
        .flat_map(|n| [t.get(row, n), t.get(row, &format!("{n} (контакт)"))])
        .filter(|v| !v.is_empty())
        .collect()
}

fn date(t: &Table, row: &Row, names: &[&str], ctx: &Ctx<'_>) -> Result<Option<Timestamp>, String> {
    let Some(header) = names.iter().find(|n| !t.get(row, n).is_empty()) else {
        return Ok(None);
    };
    let value = t.get(row, header);
    parse_local(value, DATE_FORMATS, ctx.offset())
        .map(Some)
        .ok_or_else(|| bad_field(header, value, "is not a date like 23.11.2026 10:15:00"))
}

type Row3 = (Deal, Option<Contact>, Vec<Note>);

fn deal_row(t: &Table, row: &Row, ctx: &Ctx<'_>) -> Result<Row3, String> {
    let deal_id = t.get(row, "ID");
    if deal_id.is_empty() {
        return Err("field `ID` is empty".into());
    }
    let budget_col = t.col_starting("Бюджет");
    let budget = t.at(row, budget_col);
    let amount = parse_amount(&budget.replace(['₽', '$', '€'], "").replace("руб.", ""))
        .map_err(|_| bad_field("Бюджет", budget, "is not an amount"))?;
    let created = date(t, row, &["Дата создания сделки", "Дата создания"], ctx)?;
    let updated = date(t, row, &["Дата редактирования", "Дата изменения"], ctx)?;
    let owner = t.get(row, "Ответственный");
    let owner = ctx.rep(owner).unwrap_or(owner.to_string());
    let contact = contact_of(t, row, ctx);
    let deal = Deal {
        deal_id: deal_id.to_string(),
        contact_id: contact
            .as_ref()
            .map(|c| c.contact_id.clone())
            .unwrap_or_default(),
        title: t.get(row, "Название сделки").to_string(),
        stage: t
            .first(row, &["Этап сделки", "Статус сделки", "Статус"])
            .to_string(),
        amount,
        currency: if budget_col.is_some_and(|i| t.headers[i].contains("руб")) {
            "RUB".into()
        } else {
            String::new()
        },
        spec: String::new(),
        source: t.first(row, &["Источник сделки", "Источник"]).to_string(),
        owner_rep: owner.clone(),
        updated_at: updated.or(created),
    };
    let mut notes = Vec::new();
    let note_cols: Vec<usize> = (0..t.headers.len())
        .filter(|&i| t.headers[i].trim().starts_with("Примечание"))
        .collect();
    for (n, col) in note_cols.into_iter().enumerate() {
        let text = t.at(row, Some(col));
        if text.is_empty() {
            continue;
        }
        let Some(created_at) = created.or(updated) else {
            return Err("a note without `Дата создания сделки` to date it by".into());
        };
        notes.push(Note {
            note_id: format!("{deal_id}-note-{}", n + 1),
            deal_id: Some(deal_id.to_string()),
            contact_id: contact.as_ref().map(|c| c.contact_id.clone()),
            call_id: None,
            author_rep: owner.clone(),
            created_at,
            text: text.to_string(),
        });
    }
    Ok((deal, contact, notes))
}

fn contact_of(t: &Table, row: &Row, ctx: &Ctx<'_>) -> Option<Contact> {
    let name = t.first(
        row,
        &[
            "Полное имя контакта",
            "Основной контакт",
            "Полное имя (контакт)",
        ],
    );
    let phone = phone_field(&contact_col(t, row, PHONES), ctx.country());
    let email = contact_col(t, row, EMAILS).join(", ");
    let key = phone
        .split(", ")
        .find(|p| p.starts_with('+'))
        .map(String::from)
        .or_else(|| {
            email
                .split(", ")
                .next()
                .filter(|e| !e.is_empty())
                .map(str::to_lowercase)
        })
        .or_else(|| Some(name.to_lowercase()).filter(|n| !n.is_empty()))?;
    let owner = t.first(row, &["Ответственный за контакт", "Ответственный"]);
    Some(Contact {
        contact_id: format!("amocrm-contact:{key}"),
        name: name.to_string(),
        role: contact_col(t, row, &["Должность"])
            .first()
            .copied()
            .unwrap_or("")
            .to_string(),
        phone,
        email,
        company: t
            .first(
                row,
                &["Компания контакта", "Компания", "Название (компания)"],
            )
            .to_string(),
        industry: contact_col(t, row, &["Отрасль", "Сфера деятельности"]).join(", "),
        segment: contact_col(t, row, &["Сегмент"]).join(", "),
        owner_rep: ctx.rep(owner).unwrap_or(owner.to_string()),
    })
}

/// The same contact on several deals: one record, empty fields filled
/// from later rows.
fn merge_contact(list: &mut Vec<Contact>, index: &mut HashMap<String, usize>, c: Contact) {
    let Some(&i) = index.get(&c.contact_id) else {
        index.insert(c.contact_id.clone(), list.len());
        list.push(c);
        return;
    };
    let known = &mut list[i];
    for (field, value) in [
        (&mut known.name, c.name),
        (&mut known.role, c.role),
        (&mut known.phone, c.phone),
        (&mut known.email, c.email),
        (&mut known.company, c.company),
        (&mut known.industry, c.industry),
        (&mut known.segment, c.segment),
        (&mut known.owner_rep, c.owner_rep),
    ] {
        if field.is_empty() {
            *field = value;
        }
    }
}
