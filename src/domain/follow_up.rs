//! What the rep did in the CRM after a call: the write-up and the next step.
//!
//! The article asks whether the rep "wrote into the CRM what was discussed"
//! and "stated the next steps". Three places need the answer (the CRM pane,
//! the automatic checklist answers, the audit) and used to compute it three
//! ways, so the same call could be "written up" on screen and "not written
//! up" in the checklist. The rules live here, once:
//!
//! - **Write-up.** A note that names the call (its id, or an id another
//!   system gave the call) is that call's write-up. Any other note is the
//!   write-up of the *latest* call on the same contact or deal that started
//!   at most [`WRITE_UP_WINDOW_HOURS`] before the note was written: one
//!   note describes one conversation, and after two calls to a client the
//!   note is about the later one. A note written before the call, or later
//!   than the window, is history, not a write-up. The decision is made when
//!   calls are linked (import, `callqa link`, `L`) and stored with the link
//!   (`call_links.note_ids`); everything else reads the stored answer.
//! - **Next step.** A task on the call's contact or deal is the call's next
//!   step when it is due after the call started: a task due before the call
//!   was set for an earlier conversation and says nothing about this one.
//!   Of several, an open one before a done one, then the one due soonest.

use super::crm::{Note, Task, Timestamp};
use chrono::Duration;
use std::cmp::Reverse;
use std::collections::HashMap;

/// How long after a call a note on its client still counts as its write-up.
pub const WRITE_UP_WINDOW_HOURS: i64 = 48;

pub fn write_up_window() -> Duration {
    Duration::hours(WRITE_UP_WINDOW_HOURS)
}

/// One call as the write-up rule sees it: when it started, whom it is
/// linked to, and every id that may name it in a note.
#[derive(Debug, Clone, Copy)]
pub struct LinkedCall<'a> {
    pub call_id: &'a str,
    pub started_at: Timestamp,
    pub contact_id: Option<&'a str>,
    pub deal_id: Option<&'a str>,
    /// Other systems' ids of the call (`asterisk.linkedid` ...): values only.
    pub external_ids: &'a [(String, String)],
}

/// The write-up notes of each call (by position in `calls`), oldest first.
///
/// Indexed by client, so the work grows with notes times calls per client,
/// not with notes times all calls.
pub fn assign_write_ups(
    calls: &[LinkedCall<'_>],
    notes: &[Note],
    window: Duration,
) -> Vec<Vec<String>> {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut by_contact: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_deal: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, call) in calls.iter().enumerate() {
        for (_, value) in call.external_ids {
            by_id.entry(value.as_str()).or_insert(i);
        }
        if let Some(contact) = call.contact_id {
            by_contact.entry(contact).or_default().push(i);
        }
        if let Some(deal) = call.deal_id {
            by_deal.entry(deal).or_default().push(i);
        }
    }
    // A call's own id wins over another call's external id of the same value.
    for (i, call) in calls.iter().enumerate() {
        by_id.insert(call.call_id, i);
    }
    let mut out: Vec<Vec<&Note>> = vec![Vec::new(); calls.len()];
    for note in notes {
        let named = note
            .call_id
            .as_deref()
            .and_then(|id| by_id.get(id).copied());
        let target = named.or_else(|| {
            let on_contact = note.contact_id.as_deref().and_then(|c| by_contact.get(c));
            let on_deal = note.deal_id.as_deref().and_then(|d| by_deal.get(d));
            on_contact
                .into_iter()
                .chain(on_deal)
                .flatten()
                .copied()
                .filter(|&i| {
                    let after = note.created_at - calls[i].started_at;
                    after >= Duration::zero() && after <= window
                })
                .max_by_key(|&i| (calls[i].started_at, Reverse(calls[i].call_id)))
        });
        if let Some(i) = target {
            out[i].push(note);
        }
    }
    out.into_iter()
        .map(|mut notes| {
            notes.sort_by(|a, b| (a.created_at, &a.note_id).cmp(&(b.created_at, &b.note_id)));
            notes.dedup_by(|a, b| a.note_id == b.note_id);
            notes.into_iter().map(|n| n.note_id.clone()).collect()
        })
        .collect()
}

/// The call's next step among the tasks on its contact or deal; see the
/// module docs.
pub fn next_step(call_started_at: Timestamp, tasks: &[Task]) -> Option<&Task> {
    tasks
        .iter()
        .filter(|t| t.due_at.is_some_and(|due| due > call_started_at))
        .min_by_key(|t| (t.done, t.due_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn note(id: &str, contact: &str, at: &str, call: Option<&str>) -> Note {
        Note {
            note_id: id.into(),
            deal_id: None,
            contact_id: Some(contact.into()),
            call_id: call.map(String::from),
            author_rep: "Анна".into(),
            created_at: ts(at),
            text: "итоги".into(),
        }
    }

    fn task(id: &str, due: Option<&str>, done: bool) -> Task {
        Task {
            task_id: id.into(),
            deal_id: Some("d1".into()),
            contact_id: None,
            owner_rep: "r".into(),
            text: "перезвонить".into(),
            due_at: due.map(ts),
            done,
        }
    }

    fn call<'a>(id: &'a str, contact: &'a str, at: &str) -> LinkedCall<'a> {
        LinkedCall {
            call_id: id,
            started_at: ts(at),
            contact_id: Some(contact),
            deal_id: None,
            external_ids: &[],
        }
    }

    #[test]
    fn a_note_goes_to_the_latest_call_within_the_window() {
        let calls = [
            call("early", "k1", "2026-11-23T10:00:00+03:00"),
            call("late", "k1", "2026-11-23T12:00:00+03:00"),
            call("other", "k2", "2026-11-23T12:00:00+03:00"),
        ];
        let notes = [
            note("n1", "k1", "2026-11-23T13:00:00+03:00", None),
            // Before the first call: history.
            note("n0", "k1", "2026-11-22T13:00:00+03:00", None),
            // 72 hours after: too late to be a write-up.
            note("n72", "k2", "2026-11-26T12:00:00+03:00", None),
            // Names the early call, whenever it was written.
            note("named", "k1", "2026-11-30T09:00:00+03:00", Some("early")),
        ];
        let ups = assign_write_ups(&calls, &notes, write_up_window());
        assert_eq!(ups[0], vec!["named"]);
        assert_eq!(ups[1], vec!["n1"]);
        assert!(ups[2].is_empty(), "a note 72 h later is not a write-up");
    }

    #[test]
    fn a_note_may_name_the_call_by_another_systems_id() {
        let ext = vec![("asterisk.linkedid".to_string(), "1700.5".to_string())];
        let calls = [LinkedCall {
            external_ids: &ext,
            ..call("c1", "k1", "2026-11-23T10:00:00+03:00")
        }];
        let notes = [note("n", "k9", "2026-12-30T10:00:00+03:00", Some("1700.5"))];
        assert_eq!(
            assign_write_ups(&calls, &notes, write_up_window())[0],
            vec!["n"]
        );
    }

    #[test]
    fn a_task_due_before_the_call_is_not_its_next_step() {
        let at = ts("2026-11-23T10:00:00+03:00");
        let old = [task("old", Some("2026-11-09T10:00:00+03:00"), false)];
        assert!(next_step(at, &old).is_none());
        let tasks = [
            task("old", Some("2026-11-09T10:00:00+03:00"), false),
            task("undated", None, false),
            task("done", Some("2026-11-24T10:00:00+03:00"), true),
            task("later", Some("2026-11-30T10:00:00+03:00"), false),
            task("soon", Some("2026-11-25T10:00:00+03:00"), false),
        ];
        assert_eq!(next_step(at, &tasks).unwrap().task_id, "soon");
        assert_eq!(next_step(at, &tasks[..3]).unwrap().task_id, "done");
    }
}
