//! Emails as the reviewer sees them: one message, the thread it belongs to,
//! and who is on each side.
//!
//! A rep's outgoing email is what gets reviewed; the client's messages are
//! the context that makes it readable, so every email is put in its thread
//! and linked to the rep, the client's contact and the deal, the way calls
//! are ([`super::matching`] for calls; the deal pick is shared through
//! [`pick_deal`]). No SQL, no files: the importer parses, the store keeps,
//! these rules decide.
//!
//! **Threads** come from the headers mail clients write: `Message-ID`,
//! `In-Reply-To` and `References`. Messages that name each other, directly
//! or through a message the batch does not have, are one thread. Only a
//! reply that carries none of these headers (some CRM exports and web mail
//! drop them) falls back to its subject: a `Re:`/`Fwd:`/`Ответ:` subject
//! joins the latest earlier thread with the same subject that shares an
//! address with it. A thread is named by the `Message-ID` of its earliest
//! message (by date, then id), so a thread's id is stable across imports
//! of the same messages.
//!
//! **Direction**: the sender is a rep when the display name is a rep's name
//! ([`super::reps::same_rep`]), when the address is one a rep's name was
//! seen with in the same batch, or when it is at one of the company's own
//! domains; otherwise the message is the client's.
//!
//! **Contact**: the client's address (the recipients of an outgoing email,
//! the sender of an incoming one) equal to a contact's email, then the
//! same domain as a contact's email (never a public mail domain such as
//! mail.ru or gmail.com), then the thread's contact. **Deal**: the
//! contact's open deal (a deal whose stage is not a closed one).

use super::crm::{Contact, Deal, Timestamp};
use super::reps::{rep_key, same_rep};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

/// One address of a header: `Анна Смирнова <anna@solar-dom.example>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub name: String,
    /// Lower case, as addresses compare.
    pub address: String,
}

impl Mailbox {
    pub fn new(name: &str, address: &str) -> Mailbox {
        Mailbox {
            name: name.trim().trim_matches('"').trim().to_string(),
            address: address.trim().to_lowercase(),
        }
    }

    /// The part after `@`, lower case; empty when there is none.
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

/// An attachment as the reviewer sees it: listed, never opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub size: u64,
    pub content_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Email {
    /// Without the angle brackets; made up from the content when the
    /// message has none (see the importer).
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub date: Option<Timestamp>,
    pub subject: String,
    /// Readable text: HTML-only mail converted, every charset decoded.
    pub body_text: String,
    pub attachments: Vec<Attachment>,
    /// What a CRM export says about an email activity (its owner, contact
    /// and deal): trusted over what the addresses suggest. None for a
    /// message read from a mail file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm: Option<CrmLinks>,
}

/// The links a CRM export gives an email activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmLinks {
    pub direction: Option<EmailDirection>,
    /// The activity's owner, as a rep name.
    pub rep: Option<String>,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
}

impl Email {
    /// Every address on the message, sender first.
    fn addresses(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.from)
            .chain(&self.to)
            .chain(&self.cc)
            .map(|m| m.address.as_str())
            .filter(|a| !a.is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailDirection {
    /// From a rep: what gets reviewed.
    Out,
    /// From the client (or anyone not a rep): context.
    In,
}

impl EmailDirection {
    pub fn code(self) -> &'static str {
        match self {
            EmailDirection::Out => "out",
            EmailDirection::In => "in",
        }
    }

    pub fn parse(code: &str) -> Option<EmailDirection> {
        match code {
            "out" => Some(EmailDirection::Out),
            "in" => Some(EmailDirection::In),
            _ => None,
        }
    }
}

/// How an email's contact was found, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRule {
    Address,
    CompanyDomain,
    Thread,
    /// The CRM export's own link of the activity.
    Crm,
    Unmatched,
}

impl ContactRule {
    pub fn code(self) -> &'static str {
        match self {
            ContactRule::Address => "address",
            ContactRule::CompanyDomain => "company_domain",
            ContactRule::Thread => "thread",
            ContactRule::Crm => "crm",
            ContactRule::Unmatched => "unmatched",
        }
    }

    pub fn parse(code: &str) -> ContactRule {
        match code {
            "address" => ContactRule::Address,
            "company_domain" => ContactRule::CompanyDomain,
            "thread" => ContactRule::Thread,
            "crm" => ContactRule::Crm,
            _ => ContactRule::Unmatched,
        }
    }
}

/// What the rules decided for one email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailLink {
    pub message_id: String,
    pub thread_id: String,
    pub direction: EmailDirection,
    /// The rep who sent it (out) or the rep it was written to (in).
    pub rep: Option<String>,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub contact_rule: ContactRule,
}

/// What linking needs besides the emails.
#[derive(Debug, Clone, Copy)]
pub struct LinkContext<'a> {
    /// Every rep name known: roster, CRM owners, calls.
    pub reps: &'a [String],
    pub contacts: &'a [Contact],
    pub deals: &'a [Deal],
    /// The company's own mail domains: a sender there is a rep.
    pub own_domains: &'a [String],
    /// Free mail domains: never a company's domain.
    pub public_domains: &'a [String],
    /// Deal stages that mean the deal is over (compared case-insensitively).
    pub closed_stages: &'a [String],
}

/// The thread id of each email, in the order given.
pub fn thread_ids(emails: &[Email]) -> Vec<String> {
    let mut sets = DisjointSets::default();
    for email in emails {
        let me = sets.id(&email.message_id);
        for other in email.in_reply_to.iter().chain(&email.references) {
            let other = sets.id(other);
            sets.join(me, other);
        }
    }
    subject_fallback(emails, &mut sets);
    // The earliest message of each set names it.
    let mut root_name: HashMap<usize, (Option<Timestamp>, &str)> = HashMap::new();
    for email in emails {
        let root = sets.root(sets.id_of(&email.message_id));
        let key = (email.date, email.message_id.as_str());
        root_name
            .entry(root)
            .and_modify(|best| {
                if earlier(key, *best) {
                    *best = key;
                }
            })
            .or_insert(key);
    }
    emails
        .iter()
        .map(|e| {
            root_name[&sets.root(sets.id_of(&e.message_id))]
                .1
                .to_string()
        })
        .collect()
}

/// Undated messages sort after dated ones.
fn earlier(a: (Option<Timestamp>, &str), b: (Option<Timestamp>, &str)) -> bool {
    let rank = |(date, id): (Option<Timestamp>, &str)| (date.is_none(), date, id.to_string());
    rank(a) < rank(b)
}

/// A reply without thread headers joins the latest earlier message with
/// the same subject that shares an address with it.
fn subject_fallback(emails: &[Email], sets: &mut DisjointSets) {
    let mut by_subject: BTreeMap<String, Vec<&Email>> = BTreeMap::new();
    for email in emails {
        by_subject
            .entry(bare_subject(&email.subject))
            .or_default()
            .push(email);
    }
    for email in emails {
        let orphan_reply = email.in_reply_to.is_none()
            && email.references.is_empty()
            && is_reply_subject(&email.subject);
        if !orphan_reply || email.date.is_none() {
            continue;
        }
        let same = &by_subject[&bare_subject(&email.subject)];
        let mine: Vec<&str> = email.addresses().collect();
        let parent = same
            .iter()
            .filter(|o| o.message_id != email.message_id && o.date < email.date)
            .filter(|o| o.addresses().any(|a| mine.contains(&a)))
            .max_by_key(|o| o.date);
        if let Some(parent) = parent {
            let (a, b) = (
                sets.id_of(&email.message_id),
                sets.id_of(&parent.message_id),
            );
            sets.join(a, b);
        }
    }
}

const REPLY_PREFIXES: [&str; 8] = ["re", "fw", "fwd", "aw", "ответ", "отв", "ha", "пересл"];

/// The subject without `Re:`/`Fwd:`/`Ответ:` prefixes, lower case.
pub fn bare_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    while let Some((prefix, after)) = rest.split_once(':') {
        let prefix = prefix.trim().to_lowercase();
        let prefix = prefix.trim_end_matches(|c: char| c.is_ascii_digit() || "[]()".contains(c));
        if !REPLY_PREFIXES.contains(&prefix) {
            break;
        }
        rest = after.trim();
    }
    rest.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_reply_subject(subject: &str) -> bool {
    bare_subject(subject)
        != subject
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
}

/// Union-find over message ids, so a thread is found in one pass however
/// the messages arrive.
#[derive(Default)]
struct DisjointSets {
    ids: HashMap<String, usize>,
    parent: Vec<usize>,
}

impl DisjointSets {
    fn id(&mut self, message_id: &str) -> usize {
        if let Some(&id) = self.ids.get(message_id) {
            return id;
        }
        let id = self.parent.len();
        self.parent.push(id);
        self.ids.insert(message_id.to_string(), id);
        id
    }

    fn id_of(&self, message_id: &str) -> usize {
        self.ids[message_id]
    }

    fn root(&self, mut id: usize) -> usize {
        while self.parent[id] != id {
            id = self.parent[id];
        }
        id
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            // The smaller index stays the root: the result does not depend
            // on the order of joins.
            let (keep, attach) = (a.min(b), a.max(b));
            self.parent[attach] = keep;
        }
    }
}

/// Thread, direction, rep, contact and deal of every email, in the order given.
pub fn link_emails(emails: &[Email], ctx: &LinkContext<'_>) -> Vec<EmailLink> {
    let threads = thread_ids(emails);
    let learned = rep_addresses(emails, ctx.reps);
    let mut links: Vec<EmailLink> = emails
        .iter()
        .zip(&threads)
        .map(|(email, thread)| link_one(email, thread, ctx, &learned))
        .collect();
    // A message the address rules could not place takes its thread's contact
    // (the earliest placed one) and rep.
    let mut thread_contact: HashMap<String, (String, Option<String>)> = HashMap::new();
    let mut thread_rep: HashMap<String, String> = HashMap::new();
    for link in by_date(emails, &links) {
        if let Some(contact) = &link.contact_id {
            thread_contact
                .entry(link.thread_id.clone())
                .or_insert((contact.clone(), link.deal_id.clone()));
        }
        if let Some(rep) = &link.rep {
            thread_rep
                .entry(link.thread_id.clone())
                .or_insert(rep.clone());
        }
    }
    for link in &mut links {
        if link.contact_id.is_none()
            && let Some((contact, deal)) = thread_contact.get(&link.thread_id)
        {
            link.contact_id = Some(contact.clone());
            link.deal_id = deal.clone();
            link.contact_rule = ContactRule::Thread;
        }
        if link.rep.is_none() {
            link.rep = thread_rep.get(&link.thread_id).cloned();
        }
    }
    links
}

/// The links in the order their emails were sent (undated last).
fn by_date<'a>(emails: &[Email], links: &'a [EmailLink]) -> Vec<&'a EmailLink> {
    let mut pairs: Vec<(&Email, &EmailLink)> = emails.iter().zip(links).collect();
    pairs.sort_by(|a, b| {
        let key = |e: &Email| (e.date.is_none(), e.date, e.message_id.clone());
        key(a.0).cmp(&key(b.0))
    });
    pairs.into_iter().map(|(_, link)| link).collect()
}

/// Addresses a rep's name was seen with, in any header of the batch: a rep
/// whose later mail carries only the bare address is still recognised.
fn rep_addresses(emails: &[Email], reps: &[String]) -> HashMap<String, String> {
    let mut learned = HashMap::new();
    for mailbox in emails
        .iter()
        .flat_map(|e| std::iter::once(&e.from).chain(&e.to).chain(&e.cc))
    {
        if let Some(rep) = rep_named(&mailbox.name, reps)
            && !mailbox.address.is_empty()
        {
            learned.entry(mailbox.address.clone()).or_insert(rep);
        }
    }
    learned
}

/// The rep `name` is, by [`same_rep`]; "Smirnova Anna" style reversals too.
fn rep_named(name: &str, reps: &[String]) -> Option<String> {
    if rep_key(name).is_empty() {
        return None;
    }
    let reversed: String = name.split_whitespace().rev().collect::<Vec<_>>().join(" ");
    reps.iter()
        .find(|r| same_rep(r, name) || same_rep(r, &reversed))
        .cloned()
}

/// The rep a mailbox is, if any.
fn rep_of(
    mailbox: &Mailbox,
    ctx: &LinkContext<'_>,
    learned: &HashMap<String, String>,
) -> Option<String> {
    if let Some(rep) = rep_named(&mailbox.name, ctx.reps) {
        return Some(rep);
    }
    if let Some(rep) = learned.get(&mailbox.address) {
        return Some(rep.clone());
    }
    let own = ctx
        .own_domains
        .iter()
        .any(|d| !mailbox.domain().is_empty() && d.eq_ignore_ascii_case(mailbox.domain()));
    own.then(|| {
        if mailbox.name.is_empty() {
            mailbox.address.clone()
        } else {
            mailbox.name.clone()
        }
    })
}

fn link_one(
    email: &Email,
    thread: &str,
    ctx: &LinkContext<'_>,
    learned: &HashMap<String, String>,
) -> EmailLink {
    let sender_rep = rep_of(&email.from, ctx, learned);
    let recipients = email.to.iter().chain(&email.cc);
    let (direction, rep, client): (EmailDirection, Option<String>, Vec<&Mailbox>) = match sender_rep
    {
        Some(rep) => (
            EmailDirection::Out,
            Some(rep),
            recipients
                .filter(|m| rep_of(m, ctx, learned).is_none())
                .collect(),
        ),
        None => (
            EmailDirection::In,
            recipients.clone().find_map(|m| rep_of(m, ctx, learned)),
            vec![&email.from],
        ),
    };
    // A CRM activity's own links stand over what the addresses suggest.
    let crm = email.crm.clone().unwrap_or_default();
    let direction = crm.direction.unwrap_or(direction);
    let rep = crm.rep.filter(|r| !r.trim().is_empty()).or(rep);
    let (contact_id, contact_rule) = match crm.contact_id {
        Some(id) => (Some(id), ContactRule::Crm),
        None => match contact_of(&client, rep.as_deref(), ctx) {
            Some((id, rule)) => (Some(id), rule),
            None => (None, ContactRule::Unmatched),
        },
    };
    let deal_id = crm.deal_id.or_else(|| {
        contact_id.as_deref().and_then(|c| {
            pick_deal(
                c,
                rep.as_deref().unwrap_or(""),
                ctx.deals,
                ctx.closed_stages,
            )
        })
    });
    EmailLink {
        message_id: email.message_id.clone(),
        thread_id: thread.to_string(),
        direction,
        rep,
        contact_id,
        deal_id,
        contact_rule,
    }
}

/// The contact behind the client's addresses: an exact address first, then
/// a contact at the same company domain; the rep's own contact, then the
/// smallest id, when several fit.
fn contact_of(
    client: &[&Mailbox],
    rep: Option<&str>,
    ctx: &LinkContext<'_>,
) -> Option<(String, ContactRule)> {
    let rep = rep.unwrap_or("");
    let best = |mut found: Vec<&Contact>| -> Option<String> {
        found.sort_by_key(|c| {
            (
                !same_rep(&c.owner_rep, rep),
                c.contact_id.len(),
                c.contact_id.clone(),
            )
        });
        found.first().map(|c| c.contact_id.clone())
    };
    let by_address: Vec<&Contact> = ctx
        .contacts
        .iter()
        .filter(|c| contact_addresses(c).any(|a| client.iter().any(|m| m.address == a)))
        .collect();
    if let Some(id) = best(by_address) {
        return Some((id, ContactRule::Address));
    }
    let public = |d: &str| ctx.public_domains.iter().any(|p| p.eq_ignore_ascii_case(d));
    let by_domain: Vec<&Contact> = ctx
        .contacts
        .iter()
        .filter(|c| {
            contact_addresses(c).any(|a| {
                let domain = a.rsplit_once('@').map_or("", |(_, d)| d);
                !domain.is_empty() && !public(domain) && client.iter().any(|m| m.domain() == domain)
            })
        })
        .collect();
    best(by_domain).map(|id| (id, ContactRule::CompanyDomain))
}

/// A contact's email field may hold several addresses.
fn contact_addresses(contact: &Contact) -> impl Iterator<Item = String> + '_ {
    contact
        .email
        .split([',', ';', ' '])
        .map(|a| a.trim().trim_matches(['<', '>']).to_lowercase())
        .filter(|a| a.contains('@'))
}

/// The contact's deal an email or call belongs to: among its open deals
/// (none of `closed_stages`), the rep's own first, then the most recently
/// updated, then the smallest id.
pub fn pick_deal(
    contact_id: &str,
    rep: &str,
    deals: &[Deal],
    closed_stages: &[String],
) -> Option<String> {
    let closed = |d: &Deal| {
        closed_stages
            .iter()
            .any(|s| rep_key(s) == rep_key(&d.stage))
    };
    deals
        .iter()
        .filter(|d| d.contact_id == contact_id && !closed(d))
        .min_by_key(|d| {
            (
                !same_rep(&d.owner_rep, rep),
                Reverse(d.updated_at),
                d.deal_id.len(),
                d.deal_id.clone(),
            )
        })
        .map(|d| d.deal_id.clone())
}

#[cfg(test)]
#[path = "email_tests.rs"]
mod tests;
