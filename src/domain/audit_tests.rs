//! The audit's rules on small, hand-made CRM data.

use super::*;
use crate::domain::crm::{Direction, Note, Recording, Task};
use crate::domain::follow_up::{LinkedCall, assign_write_ups, write_up_window};

/// The calls with a write-up, decided the way linking decides it.
fn written_up(calls: &[Call], notes: &[Note]) -> HashSet<String> {
    let linked: Vec<LinkedCall> = calls
        .iter()
        .map(|c| LinkedCall {
            call_id: &c.call_id,
            started_at: c.started_at,
            contact_id: c.contact_id.as_deref(),
            deal_id: c.deal_id.as_deref(),
            external_ids: &[],
        })
        .collect();
    calls
        .iter()
        .zip(assign_write_ups(&linked, notes, write_up_window()))
        .filter(|(_, notes)| !notes.is_empty())
        .map(|(c, _)| c.call_id.clone())
        .collect()
}

fn ts(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

fn contact(id: &str, rep: &str, email: &str) -> Contact {
    Contact {
        contact_id: id.into(),
        name: "N".into(),
        role: "R".into(),
        phone: "+7".into(),
        email: email.into(),
        company: "C".into(),
        industry: "I".into(),
        segment: "S".into(),
        owner_rep: rep.into(),
    }
}

fn call(id: &str, rep: &str, contact: &str, at: &str) -> Call {
    Call {
        call_id: id.into(),
        started_at: ts(at),
        rep: rep.into(),
        direction: Direction::Out,
        phone: "+7".into(),
        contact_id: Some(contact.into()),
        deal_id: None,
        script: None,
        recording: Recording {
            path: "x".into(),
            container: "wav".into(),
            codec: "pcm".into(),
            duration_ms: 1,
            channels: 1,
            sample_rate: 8000,
            channel_layout: Default::default(),
        },
    }
}

fn note(id: &str, contact: &str, call: Option<&str>, at: &str) -> Note {
    Note {
        note_id: id.into(),
        deal_id: None,
        contact_id: Some(contact.into()),
        call_id: call.map(String::from),
        author_rep: "a".into(),
        created_at: ts(at),
        text: "t".into(),
    }
}

#[test]
fn counts_each_problem_for_the_right_rep_with_its_records() {
    let contacts = vec![
        contact("k1", "Анна", "a@x"),
        contact("k2", "Анна", ""),
        contact("k3", "Игорь", "i@x"),
    ];
    let deals = vec![
        Deal {
            deal_id: "d1".into(),
            contact_id: "k1".into(),
            stage: "Переговоры".into(),
            amount: Some(100.0),
            spec: "s".into(),
            source: "site".into(),
            owner_rep: "Анна".into(),
            ..Deal::default()
        },
        Deal {
            deal_id: "d2".into(),
            contact_id: "k3".into(),
            stage: "Новая".into(),
            owner_rep: "Игорь".into(),
            ..Deal::default()
        },
    ];
    let tasks = vec![
        Task {
            task_id: "t1".into(),
            deal_id: Some("d1".into()),
            contact_id: None,
            owner_rep: "Анна".into(),
            text: "call".into(),
            due_at: Some(ts("2026-11-20T10:00:00+03:00")),
            done: false,
        },
        Task {
            task_id: "t2".into(),
            deal_id: Some("d2".into()),
            contact_id: None,
            owner_rep: "Игорь".into(),
            text: "done".into(),
            due_at: Some(ts("2026-11-01T10:00:00+03:00")),
            done: true,
        },
    ];
    let calls = vec![
        call("c1", "Анна", "k1", "2026-11-23T10:00:00+03:00"),
        call("c2", "Игорь", "k3", "2026-11-23T11:00:00+03:00"),
        call("c3", "Анна", "k1", "2026-11-25T11:00:00+03:00"),
    ];
    let notes = vec![
        // c1: a note on the contact within 48 h counts as the write-up.
        note("n1", "k1", None, "2026-11-24T09:00:00+03:00"),
        // c2: a note 3 days later does not.
        note("n2", "k3", None, "2026-11-26T12:00:00+03:00"),
        // k2 was last touched 100 days before the as-of date.
        note("n3", "k2", None, "2026-08-18T12:00:00+03:00"),
    ];
    let written = written_up(&calls, &notes);
    let data = AuditInput {
        calls: &calls,
        crm: CrmData {
            activities: &[],
            contacts: &contacts,
            deals: &deals,
            tasks: &tasks,
            notes: &notes,
        },
        written_up: &written,
    };
    let as_of = data.newest().unwrap();
    assert_eq!(as_of, ts("2026-11-26T12:00:00+03:00"));
    let report = audit(&data, &RequiredFields::default(), as_of);
    let anna = report.reps.iter().find(|r| r.rep == "Анна").unwrap();
    let igor = report.reps.iter().find(|r| r.rep == "Игорь").unwrap();

    assert_eq!(
        anna.contacts_missing_fields,
        vec![Missing {
            id: "k2".into(),
            fields: vec!["email".into()]
        }]
    );
    assert_eq!(igor.deals_missing_fields[0].id, "d2");
    assert_eq!(
        igor.deals_missing_fields[0].fields,
        vec!["amount", "spec", "source"]
    );
    assert_eq!(anna.overdue_tasks, vec!["t1"]);
    assert_eq!(anna.oldest_overdue, Some(ts("2026-11-20T10:00:00+03:00")));
    assert!(
        igor.overdue_tasks.is_empty(),
        "a done task is never overdue"
    );
    assert_eq!(igor.deals_without_next_task, vec!["d2"]);
    assert!(anna.deals_without_next_task.is_empty());
    assert_eq!(igor.calls_without_write_up, vec!["c2"]);
    assert_eq!(anna.calls_without_write_up, vec!["c3"]);
    assert_eq!(anna.not_contacted_1m, vec!["k2"]);
    assert_eq!(anna.not_contacted_3m, vec!["k2"]);
    assert!(anna.not_contacted_12m.is_empty());
    assert_eq!(report.overall.overdue_tasks.len(), 1);
    assert_eq!(report.overall.calls_without_write_up.len(), 2);
}

#[test]
fn never_contacted_counts_in_every_bucket_and_as_of_limits_the_view() {
    let contacts = vec![contact("k1", "r", "e"), contact("k2", "r", "e")];
    let calls = vec![call("c1", "r", "k2", "2026-11-23T10:00:00+03:00")];
    let written = written_up(&calls, &[]);
    let data = AuditInput {
        calls: &calls,
        crm: CrmData {
            activities: &[],
            contacts: &contacts,
            deals: &[],
            tasks: &[],
            notes: &[],
        },
        written_up: &written,
    };
    let report = audit(
        &data,
        &RequiredFields::default(),
        ts("2026-11-24T00:00:00+03:00"),
    );
    assert_eq!(report.overall.not_contacted_12m, vec!["k1"]);
    // As of a date before the call, the call has not happened yet.
    let report = audit(
        &data,
        &RequiredFields::default(),
        ts("2026-01-01T00:00:00+03:00"),
    );
    assert_eq!(report.overall.not_contacted_12m.len(), 2);
    assert!(report.overall.calls_without_write_up.is_empty());
}

#[test]
fn required_fields_parse_and_refuse_unknown_ones() {
    let r = RequiredFields::parse("contact.email, deal.amount").unwrap();
    assert_eq!(
        (r.contact.as_slice(), r.deal.as_slice()),
        (&["email".to_string()][..], &["amount".to_string()][..])
    );
    assert_eq!(RequiredFields::parse(&r.to_text()).unwrap(), r);
    assert!(
        RequiredFields::parse("contact.shoe_size")
            .unwrap_err()
            .contains("unknown field")
    );
    assert!(RequiredFields::parse("email").is_err());
}

#[test]
fn a_crm_activity_counts_as_contact() {
    use crate::domain::matching::{Activity, ActivityKind};
    let contacts = vec![contact("k1", "r", "e")];
    let activities = vec![Activity {
        activity_id: "a1".into(),
        kind: ActivityKind::Meeting,
        call_refs: vec![],
        contact_id: Some("k1".into()),
        deal_id: None,
        rep: "r".into(),
        phone: String::new(),
        at: ts("2026-11-20T10:00:00+03:00"),
        direction: None,
        subject: "visit".into(),
        text: String::new(),
        done: Some(true),
    }];
    let written = written_up(&[], &[]);
    let data = AuditInput {
        calls: &[],
        crm: CrmData {
            activities: &activities,
            contacts: &contacts,
            deals: &[],
            tasks: &[],
            notes: &[],
        },
        written_up: &written,
    };
    let report = audit(
        &data,
        &RequiredFields::default(),
        ts("2026-11-27T00:00:00+03:00"),
    );
    assert!(report.overall.not_contacted_1m.is_empty(), "{report:?}");
    assert_eq!(data.newest(), Some(ts("2026-11-20T10:00:00+03:00")));
}
