//! Which contact, deal, CRM activity and write-up belong to a call.
//!
//! Calls come from the telephony (Asterisk, Bitrix24 telephony, amoCRM's
//! call notes), CRM records from the CRM, and the two rarely share a key. The
//! reviewer must be able to trust a link and see why it was made, so the
//! rules run from the most certain to the least, and the result names the
//! rule that matched:
//!
//! 1. **Manual**: the reviewer's own fix; never undone by a re-import.
//! 2. **Explicit id**: an id both sides carry (amoCRM `params.uniq` = the
//!    PBX `uniqueid`, Bitrix24 `CRM_ACTIVITY_ID` / `CALL_ID`, Asterisk
//!    `uniqueid`/`linkedid`, a contact or deal id on the call itself).
//! 3. **Phone + rep + time**: a CRM call activity with the same normalised
//!    number, the same rep, started within the call window (±10 min).
//! 4. **Phone only**: a contact with that number.
//! 5. **Unmatched**: shown as such, never guessed.
//!
//! When several records fit, the pick is deterministic (the rep's own
//! record first, then the most recently updated, then the smallest id) and
//! the result says so in `ambiguity`, so a re-import gives the same links and
//! the reviewer knows to look. Which notes are the call's write-up is
//! decided here too, once the call's contact and deal are known, by the rule
//! in [`super::follow_up`]; the result is stored with the link.
//!
//! The rules' tests are in `tests/import_formats/matching_rules.rs`.

use super::crm::{Contact, CrmData, Deal, Timestamp};
use super::follow_up::{LinkedCall, assign_write_ups, write_up_window};
use super::phone;
use super::reps::same_rep;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::HashMap;

/// What the CRM recorded about a call, a meeting or an email (Bitrix24
/// `crm.activity`, amoCRM call notes). Tasks and free-text notes stay in
/// `Task` and `Note`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub activity_id: String,
    pub kind: ActivityKind,
    /// Ids the telephony gave this call (PBX uniqueid, Bitrix24 CALL_ID,
    /// amoCRM uniq): how an activity names the call it records.
    pub call_refs: Vec<String>,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub rep: String,
    pub phone: String,
    pub at: Timestamp,
    pub direction: Option<super::crm::Direction>,
    pub subject: String,
    pub text: String,
    pub done: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    Call,
    Meeting,
    Email,
    Other,
}

/// The facts of a call the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct CallFacts<'a> {
    pub call_id: &'a str,
    pub started_at: Timestamp,
    pub rep: &'a str,
    pub phone: &'a str,
    pub contact_id: Option<&'a str>,
    pub deal_id: Option<&'a str>,
    /// `(kind, id)`: `("asterisk.linkedid", "1700000000.12")` ...
    pub external_ids: &'a [(String, String)],
}

/// A link the reviewer set by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualLink {
    pub call_id: String,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MatchOptions {
    /// How far a CRM call record may be from the call's start.
    pub call_window: Duration,
    /// How long after the call a note still counts as its write-up.
    pub writeup_window: Duration,
    /// For numbers written without a country code (`RU`, `KZ` ...).
    pub default_country: String,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            call_window: Duration::minutes(10),
            writeup_window: write_up_window(),
            default_country: "RU".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum MatchRule {
    /// Linked by an id both sides carry; `kind` names it (`amocrm.uniq`).
    ExplicitId {
        kind: String,
    },
    PhoneRepTime,
    PhoneOnly,
    Manual,
    Unmatched,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    pub call_id: String,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    /// CRM activities recording this call.
    pub activity_ids: Vec<String>,
    /// Notes that are the call's write-up, oldest first.
    pub note_ids: Vec<String>,
    pub rule: MatchRule,
    /// Where several records fitted and one was picked: which and why.
    pub ambiguity: Vec<Ambiguity>,
}

/// Several records fitted one step of the rules and one was picked; kept
/// as data so the reviewer reads it in the workspace language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ambiguity {
    /// The contact has several deals: the rep's own, then the most
    /// recently updated, was picked.
    SeveralDeals {
        contact_id: String,
        deal_ids: Vec<String>,
        picked: String,
    },
    /// Several CRM call records have the call's number, rep and time: the
    /// closest in time was picked.
    SeveralCrmCalls {
        activity_ids: Vec<String>,
        picked: String,
    },
    /// Several contacts have the number: the rep's own, then the smallest
    /// id, was picked.
    SeveralContacts {
        phone: String,
        contact_ids: Vec<String>,
        picked: String,
    },
    /// A note an earlier version of callqa stored as text.
    Text { text: String },
}

/// Link every call; results come in the order of `calls`.
pub fn match_calls(
    calls: &[CallFacts<'_>],
    crm: &CrmData<'_>,
    manual: &[ManualLink],
    options: &MatchOptions,
) -> Vec<MatchResult> {
    let index = Index::new(crm, &options.default_country);
    let manual: HashMap<&str, &ManualLink> =
        manual.iter().map(|m| (m.call_id.as_str(), m)).collect();
    let mut results: Vec<MatchResult> = calls
        .iter()
        .map(|call| link_call(call, &index, manual.get(call.call_id).copied(), options))
        .collect();
    let linked: Vec<LinkedCall<'_>> = calls
        .iter()
        .zip(&results)
        .map(|(call, result)| LinkedCall {
            call_id: call.call_id,
            started_at: call.started_at,
            contact_id: result.contact_id.as_deref(),
            deal_id: result.deal_id.as_deref(),
            external_ids: call.external_ids,
        })
        .collect();
    let write_ups = assign_write_ups(&linked, crm.notes, options.writeup_window);
    for (result, notes) in results.iter_mut().zip(write_ups) {
        result.note_ids = notes;
    }
    results
}

struct Index<'a> {
    country: &'a str,
    contacts_by_phone: HashMap<String, Vec<&'a Contact>>,
    deals_by_contact: HashMap<&'a str, Vec<&'a Deal>>,
    deals_by_id: HashMap<&'a str, &'a Deal>,
    /// CRM call records by normalised number.
    crm_calls_by_phone: HashMap<String, Vec<&'a Activity>>,
    activities_by_id: HashMap<&'a str, &'a Activity>,
    /// Activities by the telephony ids they carry.
    activities_by_ref: HashMap<&'a str, Vec<&'a Activity>>,
}

impl<'a> Index<'a> {
    fn new(crm: &'a CrmData<'a>, country: &'a str) -> Index<'a> {
        let mut contacts_by_phone: HashMap<String, Vec<&Contact>> = HashMap::new();
        for contact in crm.contacts {
            for number in phone::normalize_all(&contact.phone, country) {
                contacts_by_phone.entry(number).or_default().push(contact);
            }
        }
        let mut deals_by_contact: HashMap<&str, Vec<&Deal>> = HashMap::new();
        for deal in crm.deals {
            deals_by_contact
                .entry(deal.contact_id.as_str())
                .or_default()
                .push(deal);
        }
        let deals_by_id = crm.deals.iter().map(|d| (d.deal_id.as_str(), d)).collect();
        let mut crm_calls_by_phone: HashMap<String, Vec<&Activity>> = HashMap::new();
        for activity in crm
            .activities
            .iter()
            .filter(|a| a.kind == ActivityKind::Call)
        {
            if let Some(number) = phone::normalize(&activity.phone, country) {
                crm_calls_by_phone.entry(number).or_default().push(activity);
            }
        }
        let activities_by_id = crm
            .activities
            .iter()
            .map(|a| (a.activity_id.as_str(), a))
            .collect();
        let mut activities_by_ref: HashMap<&str, Vec<&Activity>> = HashMap::new();
        for activity in crm.activities {
            for r in &activity.call_refs {
                activities_by_ref
                    .entry(r.as_str())
                    .or_default()
                    .push(activity);
            }
        }
        Index {
            country,
            contacts_by_phone,
            deals_by_contact,
            deals_by_id,
            crm_calls_by_phone,
            activities_by_id,
            activities_by_ref,
        }
    }

    /// The contact's deal: the rep's own first, then the most recently
    /// updated, then the smallest id.
    fn deal_of(&self, contact_id: &str, rep: &str, notes: &mut Vec<Ambiguity>) -> Option<String> {
        let mut deals = self.deals_by_contact.get(contact_id)?.clone();
        deals.sort_by(|a, b| {
            (
                !same_rep(&a.owner_rep, rep),
                Reverse(a.updated_at),
                id_key(&a.deal_id),
            )
                .cmp(&(
                    !same_rep(&b.owner_rep, rep),
                    Reverse(b.updated_at),
                    id_key(&b.deal_id),
                ))
        });
        if deals.len() > 1 {
            notes.push(Ambiguity::SeveralDeals {
                contact_id: contact_id.to_string(),
                deal_ids: deals.iter().map(|d| d.deal_id.clone()).collect(),
                picked: deals[0].deal_id.clone(),
            });
        }
        Some(deals[0].deal_id.clone())
    }
}

fn link_call(
    call: &CallFacts<'_>,
    index: &Index<'_>,
    manual: Option<&ManualLink>,
    options: &MatchOptions,
) -> MatchResult {
    let mut notes = Vec::new();
    let explicit = explicit_activities(call, index);
    let mut result = MatchResult {
        call_id: call.call_id.to_string(),
        contact_id: None,
        deal_id: None,
        activity_ids: explicit
            .iter()
            .map(|(a, _)| a.activity_id.clone())
            .collect(),
        note_ids: Vec::new(),
        rule: MatchRule::Unmatched,
        ambiguity: Vec::new(),
    };
    if let Some(link) = manual {
        result.contact_id = link.contact_id.clone();
        result.deal_id = link.deal_id.clone();
        result.rule = MatchRule::Manual;
        return result;
    }
    if let Some((activity, kind)) = explicit.first() {
        result.contact_id = activity
            .contact_id
            .clone()
            .or(call.contact_id.map(String::from));
        result.deal_id = activity.deal_id.clone().or(call.deal_id.map(String::from));
        result.rule = MatchRule::ExplicitId { kind: kind.clone() };
    } else if call.contact_id.is_some() || call.deal_id.is_some() {
        result.contact_id = call.contact_id.map(String::from);
        result.deal_id = call.deal_id.map(String::from);
        result.rule = MatchRule::ExplicitId {
            kind: "call.crm_link".into(),
        };
    } else if let Some(number) = phone::normalize(call.phone, index.country) {
        if let Some(activity) = by_phone_rep_time(call, &number, index, options, &mut notes) {
            result.activity_ids.push(activity.activity_id.clone());
            result.contact_id = activity.contact_id.clone();
            result.deal_id = activity.deal_id.clone();
            result.rule = MatchRule::PhoneRepTime;
        }
        if result.contact_id.is_none()
            && let Some(contact) = contact_by_phone(&number, call.rep, index, &mut notes)
        {
            result.contact_id = Some(contact);
            if result.rule == MatchRule::Unmatched {
                result.rule = MatchRule::PhoneOnly;
            }
        }
    }
    // A deal found through a contact: the contact's own deal.
    if result.deal_id.is_none()
        && let Some(contact) = &result.contact_id
    {
        result.deal_id = index.deal_of(contact, call.rep, &mut notes);
    }
    // A deal without a contact: the deal's contact.
    if result.contact_id.is_none()
        && let Some(deal_id) = &result.deal_id
    {
        result.contact_id = index
            .deals_by_id
            .get(deal_id.as_str())
            .filter(|d| !d.contact_id.is_empty())
            .map(|d| d.contact_id.clone());
    }
    result.ambiguity = notes;
    result
}

/// Activities that name this call, with the kind of id that linked them.
fn explicit_activities<'a>(call: &CallFacts<'_>, index: &Index<'a>) -> Vec<(&'a Activity, String)> {
    // The source's own ids first: they name the kind of link best.
    let mut ids: Vec<(&str, &str)> = call
        .external_ids
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    ids.push(("call_id", call.call_id));
    let mut found: Vec<(&Activity, String)> = Vec::new();
    for (kind, id) in ids.into_iter().filter(|(_, id)| !id.is_empty()) {
        let by_id = kind
            .ends_with("activity_id")
            .then(|| index.activities_by_id.get(id))
            .flatten();
        let by_ref = index.activities_by_ref.get(id).into_iter().flatten();
        for activity in by_id.into_iter().chain(by_ref) {
            if !found
                .iter()
                .any(|(a, _)| a.activity_id == activity.activity_id)
            {
                found.push((activity, kind.to_string()));
            }
        }
    }
    found.sort_by_key(|(a, _)| id_key(&a.activity_id));
    found
}

fn by_phone_rep_time<'a>(
    call: &CallFacts<'_>,
    number: &str,
    index: &Index<'a>,
    options: &MatchOptions,
    notes: &mut Vec<Ambiguity>,
) -> Option<&'a Activity> {
    let mut candidates: Vec<&Activity> = index
        .crm_calls_by_phone
        .get(number)?
        .iter()
        .copied()
        .filter(|a| same_rep(&a.rep, call.rep))
        .filter(|a| (a.at - call.started_at).abs() <= options.call_window)
        .collect();
    candidates.sort_by_key(|a| ((a.at - call.started_at).abs(), id_key(&a.activity_id)));
    if candidates.len() > 1 {
        notes.push(Ambiguity::SeveralCrmCalls {
            activity_ids: candidates.iter().map(|a| a.activity_id.clone()).collect(),
            picked: candidates[0].activity_id.clone(),
        });
    }
    candidates.first().copied()
}

fn contact_by_phone(
    number: &str,
    rep: &str,
    index: &Index<'_>,
    notes: &mut Vec<Ambiguity>,
) -> Option<String> {
    let mut contacts = index.contacts_by_phone.get(number)?.clone();
    contacts.sort_by(|a, b| {
        (!same_rep(&a.owner_rep, rep), id_key(&a.contact_id))
            .cmp(&(!same_rep(&b.owner_rep, rep), id_key(&b.contact_id)))
    });
    contacts.dedup_by(|a, b| a.contact_id == b.contact_id);
    if contacts.len() > 1 {
        notes.push(Ambiguity::SeveralContacts {
            phone: number.to_string(),
            contact_ids: contacts.iter().map(|c| c.contact_id.clone()).collect(),
            picked: contacts[0].contact_id.clone(),
        });
    }
    Some(contacts[0].contact_id.clone())
}

/// Ids sort numerically when they are numbers (`9` before `10`).
fn id_key(id: &str) -> (usize, &str) {
    (id.len(), id)
}
