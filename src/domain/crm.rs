//! Calls and what the rep wrote about them in the CRM, plus the rules the
//! CRM pane and later audits share: which notes are the call's write-up,
//! which task is the next step, what is overdue, which contact fields miss.

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

/// Which side of a stereo recording is the rep; a per-batch setting
/// (`channel_layout` in calls.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ChannelLayout {
    #[default]
    Mono,
    RepLeft,
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
    /// Field names (stable ids) that are empty.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        [
            ("name", &self.name),
            ("role", &self.role),
            ("phone", &self.phone),
            ("email", &self.email),
            ("company", &self.company),
            ("industry", &self.industry),
            ("segment", &self.segment),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
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
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        !self.done && self.due_at.is_some_and(|due| due < now)
    }
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

/// Everything the CRM holds about one call, gathered for the reviewer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrmRecord {
    pub contact: Option<Contact>,
    pub deal: Option<Deal>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
}

impl CrmRecord {
    /// Notes newest first, as the CRM pane lists them.
    pub fn notes_newest_first(&self) -> Vec<&Note> {
        let mut notes: Vec<&Note> = self.notes.iter().collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.created_at));
        notes
    }

    /// The next step: the open task due soonest (tasks without a due date
    /// come last, they are still a next step but an incomplete one).
    pub fn next_task(&self) -> Option<&Task> {
        self.tasks
            .iter()
            .filter(|t| !t.done)
            .min_by_key(|t| (t.due_at.is_none(), t.due_at))
    }
}

/// A note counts as written after the call when it was created after the
/// call started: that is the write-up, earlier ones are history.
pub fn written_after_call(note: &Note, call: &Call) -> bool {
    note.created_at >= call.started_at
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
    fn next_task_is_the_open_one_due_soonest() {
        let crm = CrmRecord {
            tasks: vec![
                task("late", Some("2026-11-30T10:00:00+03:00"), false),
                task("done", Some("2026-11-20T10:00:00+03:00"), true),
                task("soon", Some("2026-11-25T10:00:00+03:00"), false),
                task("undated", None, false),
            ],
            ..CrmRecord::default()
        };
        assert_eq!(crm.next_task().unwrap().task_id, "soon");
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
