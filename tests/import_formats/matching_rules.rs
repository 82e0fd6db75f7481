//! Each matching rule on hand-made records: explicit ids, phone + rep +
//! time, phone only with a deterministic pick, manual links, unmatched,
//! and the 48-hour write-up window.
use callqa::domain::crm::{Contact, CrmData, Deal, Direction, Note, Timestamp};
use callqa::domain::matching::*;

fn ts(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

fn contact(id: &str, phone: &str, owner: &str) -> Contact {
    let (contact_id, phone, owner_rep) = (id.into(), phone.into(), owner.into());
    Contact {
        contact_id,
        phone,
        owner_rep,
        ..Contact::default()
    }
}

fn deal(id: &str, contact: &str, owner: &str, updated: &str) -> Deal {
    Deal {
        deal_id: id.into(),
        contact_id: contact.into(),
        owner_rep: owner.into(),
        updated_at: Some(ts(updated)),
        ..Deal::default()
    }
}

fn activity(id: &str, refs: &[&str], phone: &str, rep: &str, at: &str) -> Activity {
    Activity {
        activity_id: id.into(),
        kind: ActivityKind::Call,
        call_refs: refs.iter().map(|r| r.to_string()).collect(),
        contact_id: Some("c-act".into()),
        deal_id: Some("d-act".into()),
        rep: rep.into(),
        phone: phone.into(),
        at: ts(at),
        direction: Some(Direction::Out),
        subject: String::new(),
        text: String::new(),
        done: Some(true),
    }
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

const T: &str = "2026-11-23T10:00:00+03:00";

fn call<'a>(id: &'a str, phone: &'a str, ext: &'a [(String, String)]) -> CallFacts<'a> {
    CallFacts {
        call_id: id,
        started_at: ts(T),
        rep: "Анна",
        phone,
        contact_id: None,
        deal_id: None,
        external_ids: ext,
    }
}

fn run(calls: &[CallFacts<'_>], crm: &CrmData<'_>, manual: &[ManualLink]) -> Vec<MatchResult> {
    match_calls(calls, crm, manual, &MatchOptions::default())
}

#[test]
fn explicit_ids_win_over_the_phone() {
    let ext = vec![("asterisk.linkedid".to_string(), "1700.5".to_string())];
    let acts = [
        activity(
            "a1",
            &["1700.5"],
            "+70000000000",
            "Борис",
            "2026-11-20T10:00:00+03:00",
        ),
        activity("a2", &[], "89123456789", "Анна", T),
    ];
    let contacts = [contact("c1", "+79123456789", "Анна")];
    let crm = CrmData {
        activities: &acts,
        contacts: &contacts,
        ..CrmData::default()
    };
    let r = &run(&[call("x", "+79123456789", &ext)], &crm, &[])[0];
    let kind = "asterisk.linkedid".to_string();
    assert_eq!(r.rule, MatchRule::ExplicitId { kind });
    assert_eq!(
        (r.contact_id.as_deref(), r.deal_id.as_deref()),
        (Some("c-act"), Some("d-act"))
    );
    assert_eq!(r.activity_ids, vec!["a1"]);
}

#[test]
fn phone_rep_and_time_find_the_crm_call_record() {
    let acts = [
        activity(
            "late",
            &[],
            "8 (912) 345-67-89",
            "Анна",
            "2026-11-23T10:11:00+03:00",
        ),
        activity("other-rep", &[], "8 (912) 345-67-89", "Борис", T),
        activity(
            "near",
            &[],
            "8 (912) 345-67-89",
            "анна ",
            "2026-11-23T10:02:00+03:00",
        ),
        activity(
            "far",
            &[],
            "8 (912) 345-67-89",
            "Анна",
            "2026-11-23T09:55:00+03:00",
        ),
    ];
    let crm = CrmData {
        activities: &acts,
        ..CrmData::default()
    };
    let r = &run(&[call("x", "+7 912 3456789", &[])], &crm, &[])[0];
    assert_eq!(r.rule, MatchRule::PhoneRepTime);
    assert_eq!(r.activity_ids, vec!["near"]);
    assert!(
        matches!(&r.ambiguity[..], [Ambiguity::SeveralCrmCalls { picked, activity_ids }]
            if picked == "near" && activity_ids.len() == 2),
        "{r:?}"
    );
}

#[test]
fn phone_only_picks_the_reps_contact_and_says_so() {
    let contacts = [
        contact("c9", "+79123456789", "Борис"),
        contact("c10", "8 912 345-67-89, 8 495 123-45-67", "Анна"),
        contact("c11", "+74950000000", "Анна"),
    ];
    let deals = [
        deal("d1", "c10", "Борис", "2026-11-22T10:00:00+03:00"),
        deal("d2", "c10", "Анна", "2026-11-01T10:00:00+03:00"),
    ];
    let crm = CrmData {
        contacts: &contacts,
        deals: &deals,
        ..CrmData::default()
    };
    let r = &run(&[call("x", "79123456789", &[])], &crm, &[])[0];
    assert_eq!(r.rule, MatchRule::PhoneOnly);
    assert_eq!(
        (r.contact_id.as_deref(), r.deal_id.as_deref()),
        (Some("c10"), Some("d2"))
    );
    assert!(
        r.ambiguity.iter().any(|a| matches!(a,
            Ambiguity::SeveralContacts { contact_ids, picked, .. }
                if contact_ids.len() == 2 && picked == "c10")),
        "{r:?}"
    );
    // Deterministic: the same input gives the same answer.
    assert_eq!(run(&[call("x", "79123456789", &[])], &crm, &[])[0], *r);
}

#[test]
fn manual_links_stay_and_unknown_numbers_stay_unmatched() {
    let contacts = [contact("c1", "+79123456789", "Анна")];
    let crm = CrmData {
        contacts: &contacts,
        ..CrmData::default()
    };
    let manual = [ManualLink {
        call_id: "x".into(),
        contact_id: Some("c7".into()),
        deal_id: None,
    }];
    let calls = [
        call("x", "+79123456789", &[]),
        call("y", "+79990000000", &[]),
    ];
    let r = run(&calls, &crm, &manual);
    assert_eq!(
        (r[0].rule.clone(), r[0].contact_id.as_deref()),
        (MatchRule::Manual, Some("c7"))
    );
    assert_eq!(
        (r[1].rule.clone(), r[1].contact_id.clone()),
        (MatchRule::Unmatched, None)
    );
}

#[test]
fn writeups_within_48_hours_go_to_the_latest_call() {
    let contacts = [contact("c1", "+79123456789", "Анна")];
    let notes = [
        note("before", "c1", "2026-11-23T09:00:00+03:00", None),
        note("after-first", "c1", "2026-11-23T10:30:00+03:00", None),
        note("after-both", "c1", "2026-11-24T12:00:00+03:00", None),
        note("too-late", "c1", "2026-11-26T12:00:00+03:00", None),
        note("named", "c-other", "2026-11-30T12:00:00+03:00", Some("x")),
    ];
    let crm = CrmData {
        contacts: &contacts,
        notes: &notes,
        ..CrmData::default()
    };
    let mut second = call("y", "+79123456789", &[]);
    second.started_at = ts("2026-11-23T15:00:00+03:00");
    let r = run(&[call("x", "+79123456789", &[]), second], &crm, &[]);
    assert_eq!(r[0].note_ids, vec!["after-first", "named"]);
    assert_eq!(r[1].note_ids, vec!["after-both"]);
}

#[test]
fn a_crm_link_on_the_call_is_explicit_and_brings_the_deal() {
    let deals = [deal("d9", "c9", "Анна", T)];
    let crm = CrmData {
        deals: &deals,
        ..CrmData::default()
    };
    let mut c = call("x", "", &[]);
    c.contact_id = Some("c9");
    let r = &run(&[c], &crm, &[])[0];
    let kind = "call.crm_link".to_string();
    assert_eq!(r.rule, MatchRule::ExplicitId { kind });
    assert_eq!(r.deal_id.as_deref(), Some("d9"));
}
