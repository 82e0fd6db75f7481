//! Calls and what the rep wrote about them in the CRM: the records as
//! imported, and the small rules on one record (what is overdue, which
//! contact fields miss). What the rep did after a call (write-up, next
//! step) is [`super::follow_up`]'s.

use super::matching::Activity;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub type Timestamp = DateTime<FixedOffset>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim().to_ascii_lowercase().as_str() {
            "in" | "inbound" | "incoming" => Some(Direction::In),
            "out" | "outbound" | "outgoing" => Some(Direction::Out),
            _ => None,
        }
    }
}

/// Which side of a stereo recording is the rep (`channel_layout` in
/// calls.csv); the player's solo keys and the analysis both read it. A mono
/// file is always `Mono`, whatever the batch said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelLayout {
    /// Both sides in one channel (a stereo file is mixed down for analysis).
    #[default]
    Mono,
    /// Stereo, the rep on the left channel, the client on the right.
    RepLeft,
    /// Stereo, the rep on the right channel, the client on the left.
    RepRight,
}

impl ChannelLayout {
    pub fn code(self) -> &'static str {
        match self {
            ChannelLayout::Mono => "mono",
            ChannelLayout::RepLeft => "rep-left",
            ChannelLayout::RepRight => "rep-right",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelLayout> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mono" => Some(ChannelLayout::Mono),
            "rep-left" | "rep_left" | "left" => Some(ChannelLayout::RepLeft),
            "rep-right" | "rep_right" | "right" => Some(ChannelLayout::RepRight),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// Absolute path, resolved inside the batch folder at import.
    pub path: String,
    pub container: String,
    pub codec: String,
    pub duration_ms: u64,
    pub channels: u16,
    pub sample_rate: u32,
    pub channel_layout: ChannelLayout,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub call_id: String,
    pub started_at: Timestamp,
    pub rep: String,
    pub direction: Direction,
    pub phone: String,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    /// The script that applies to this call, if any.
    pub script: Option<String>,
    pub recording: Recording,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub contact_id: String,
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
    pub company: String,
    pub industry: String,
    pub segment: String,
    pub owner_rep: String,
}

impl Contact {
    /// The client data fields the article asks to keep current, by their
    /// stable names: the workspace's columns, the audit's `--required`
    /// names and the mapping profile's field names are these.
    pub const FIELDS: [&'static str; 7] = [
        "name", "role", "phone", "email", "company", "industry", "segment",
    ];

    /// Every column of a contact, as the batch format, the mapping profile
    /// and the workspace name them: the id, [`Contact::FIELDS`], the owner.
    pub const COLUMNS: [&'static str; 9] = [
        "contact_id",
        "name",
        "role",
        "phone",
        "email",
        "company",
        "industry",
        "segment",
        "owner_rep",
    ];

    /// A contact from its [`Contact::COLUMNS`], each read by `get`.
    pub fn from_columns(mut get: impl FnMut(&str) -> String) -> Contact {
        Contact {
            contact_id: get("contact_id"),
            name: get("name"),
            role: get("role"),
            phone: get("phone"),
            email: get("email"),
            company: get("company"),
            industry: get("industry"),
            segment: get("segment"),
            owner_rep: get("owner_rep"),
        }
    }

    /// A column of [`Contact::COLUMNS`] by name.
    pub fn field(&self, name: &str) -> Option<&str> {
        Some(match name {
            "contact_id" => &self.contact_id,
            "name" => &self.name,
            "role" => &self.role,
            "phone" => &self.phone,
            "email" => &self.email,
            "company" => &self.company,
            "industry" => &self.industry,
            "segment" => &self.segment,
            "owner_rep" => &self.owner_rep,
            _ => return None,
        })
    }

    /// Field names (stable ids) that are empty.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        Contact::FIELDS
            .into_iter()
            .filter(|f| self.field(f).is_none_or(|v| v.trim().is_empty()))
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    pub deal_id: String,
    pub contact_id: String,
    pub title: String,
    pub stage: String,
    pub amount: Option<f64>,
    pub currency: String,
    pub spec: String,
    pub source: String,
    pub owner_rep: String,
    pub updated_at: Option<Timestamp>,
}

impl Deal {
    /// Every column of a deal, as the batch format, the mapping profile and
    /// the workspace name them (see [`Contact::COLUMNS`]).
    pub const COLUMNS: [&'static str; 10] = [
        "deal_id",
        "contact_id",
        "title",
        "stage",
        "amount",
        "currency",
        "spec",
        "source",
        "owner_rep",
        "updated_at",
    ];

    /// The deal data fields the article asks to keep current, by their
    /// stable names (see [`Contact::FIELDS`]).
    pub const FIELDS: [&'static str; 6] =
        ["title", "stage", "amount", "currency", "spec", "source"];

    /// Whether a field of [`Deal::FIELDS`] is empty; an amount of zero or
    /// less counts as empty.
    pub fn is_missing(&self, field: &str) -> bool {
        match field {
            "title" => self.title.trim().is_empty(),
            "stage" => self.stage.trim().is_empty(),
            "amount" => self.amount.is_none_or(|a| a <= 0.0),
            "currency" => self.currency.trim().is_empty(),
            "spec" => self.spec.trim().is_empty(),
            "source" => self.source.trim().is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub task_id: String,
    pub deal_id: Option<String>,
    pub contact_id: Option<String>,
    pub owner_rep: String,
    pub text: String,
    pub due_at: Option<Timestamp>,
    pub done: bool,
}

impl Task {
    /// Every column of a task (see [`Contact::COLUMNS`]).
    pub const COLUMNS: [&'static str; 7] = [
        "task_id",
        "deal_id",
        "contact_id",
        "owner_rep",
        "text",
        "due_at",
        "done",
    ];

    pub fn is_overdue(&self, now: Timestamp) -> bool {
        !self.done && self.due_at.is_some_and(|due| due < now)
    }
}

impl Note {
    /// Every column of a note (see [`Contact::COLUMNS`]).
    pub const COLUMNS: [&'static str; 7] = [
        "note_id",
        "deal_id",
        "contact_id",
        "call_id",
        "author_rep",
        "created_at",
        "text",
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub note_id: String,
    pub deal_id: Option<String>,
    pub contact_id: Option<String>,
    pub call_id: Option<String>,
    pub author_rep: String,
    pub created_at: Timestamp,
    pub text: String,
}

/// The CRM export as imported, borrowed: what the matcher links calls to
/// and what the audit counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrmData<'a> {
    pub contacts: &'a [Contact],
    pub deals: &'a [Deal],
    pub tasks: &'a [Task],
    pub notes: &'a [Note],
    /// CRM records of calls, meetings and emails.
    pub activities: &'a [Activity],
}

/// Everything the CRM holds about one call, gathered for the reviewer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrmRecord {
    pub contact: Option<Contact>,
    pub deal: Option<Deal>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
    /// The notes that are this call's write-up, as decided when the call
    /// was linked ([`super::follow_up`]).
    pub write_up_note_ids: Vec<String>,
}

impl CrmRecord {
    /// Notes newest first, as the CRM pane lists them.
    pub fn notes_newest_first(&self) -> Vec<&Note> {
        let mut notes: Vec<&Note> = self.notes.iter().collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.created_at));
        notes
    }

    pub fn is_write_up(&self, note: &Note) -> bool {
        self.write_up_note_ids.contains(&note.note_id)
    }

    pub fn is_written_up(&self) -> bool {
        !self.write_up_note_ids.is_empty()
    }

    /// The call's next step ([`super::follow_up::next_step`]).
    pub fn next_step(&self, call: &Call) -> Option<&Task> {
        super::follow_up::next_step(call.started_at, &self.tasks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn task(id: &str, due: Option<&str>, done: bool) -> Task {
        Task {
            task_id: id.into(),
            deal_id: Some("d1".into()),
            contact_id: None,
            owner_rep: "r".into(),
            text: "call back".into(),
            due_at: due.map(ts),
            done,
        }
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let now = ts("2026-11-26T12:00:00+03:00");
        assert!(task("a", Some("2026-11-25T10:00:00+03:00"), false).is_overdue(now));
        assert!(!task("b", Some("2026-11-25T10:00:00+03:00"), true).is_overdue(now));
        assert!(!task("c", Some("2026-11-27T10:00:00+03:00"), false).is_overdue(now));
        assert!(!task("d", None, false).is_overdue(now));
    }

    #[test]
    fn missing_contact_fields_are_named() {
        let c = Contact {
            contact_id: "c1".into(),
            name: "Ольга".into(),
            phone: "+79123456789".into(),
            company: "ООО Ромашка".into(),
            industry: "retail".into(),
            segment: " ".into(),
            ..Contact::default()
        };
        assert_eq!(c.missing_fields(), vec!["role", "email", "segment"]);
    }
}
