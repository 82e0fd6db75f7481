//! Speeds, verdicts and automatic answers on hand-made visits.

use super::*;
use crate::domain::Lang;

fn at(text: &str) -> Option<Timestamp> {
    Some(chrono::DateTime::parse_from_rfc3339(text).unwrap())
}

fn visit(channel: Channel, steps: [&str; 4]) -> Visit {
    let [requested, answered, proposal, callback] = steps.map(|s| match s {
        "" => None,
        s => at(s),
    });
    Visit {
        visit_id: "V-1".into(),
        scenario: "solar panels for a house".into(),
        channel,
        shopper: "Ольга".into(),
        rep: Some("Анна Смирнова".into()),
        team: None,
        requested_at: requested,
        answered_at: answered,
        proposal_at: proposal,
        callback_at: callback,
        call_id: None,
        message_id: None,
    }
}

fn verdicts(v: &Visit, as_of: &str) -> [(Option<i64>, Verdict); 3] {
    v.speeds(&MysteryRules::defaults(), at(as_of).unwrap())
        .map(|s| (s.seconds, s.verdict))
}

const AS_OF: &str = "2026-12-01T00:00:00+03:00";

#[test]
fn speeds_are_measured_from_the_timestamps_against_the_channel_limits() {
    // Call: picked up after 20 s (limit 30 s), proposal after 26 h
    // (limit 1 d), callback 1 h after the proposal (limit 2 d).
    let v = visit(
        Channel::Call,
        [
            "2026-11-23T10:00:00+03:00",
            "2026-11-23T10:00:20+03:00",
            "2026-11-24T12:00:00+03:00",
            "2026-11-24T13:00:00+03:00",
        ],
    );
    assert_eq!(
        verdicts(&v, AS_OF),
        [
            (Some(20), Verdict::InTime),
            (Some(26 * 3600), Verdict::Slow),
            (Some(3600), Verdict::InTime),
        ]
    );
    // The same 20 minutes are slow on the phone, in time by email, and
    // offsets are taken into account (+03:00 against UTC).
    let answered_later = |channel| {
        visit(
            channel,
            ["2026-11-23T10:00:00+03:00", "2026-11-23T07:20:00Z", "", ""],
        )
    };
    assert_eq!(
        verdicts(&answered_later(Channel::Call), AS_OF)[0],
        (Some(1200), Verdict::Slow)
    );
    assert_eq!(
        verdicts(&answered_later(Channel::Email), AS_OF)[0],
        (Some(1200), Verdict::InTime)
    );
}

#[test]
fn a_step_not_taken_is_missing_once_its_limit_passed_and_waiting_before() {
    let v = visit(
        Channel::Email,
        [
            "2026-11-23T10:00:00+03:00",
            "2026-11-23T11:00:00+03:00",
            "",
            "",
        ],
    );
    // No proposal: missing two days on, waiting an hour on; no callback
    // can be asked for without a proposal.
    assert_eq!(
        verdicts(&v, AS_OF),
        [
            (Some(3600), Verdict::InTime),
            (None, Verdict::Missing),
            (None, Verdict::NotApplicable),
        ]
    );
    assert_eq!(
        verdicts(&v, "2026-11-23T12:00:00+03:00")[1],
        (None, Verdict::Waiting)
    );
    // Nothing at all, not even the request: nothing can be judged.
    let empty = visit(Channel::Messenger, ["", "", "", ""]);
    assert_eq!(
        verdicts(&empty, AS_OF).map(|(_, v)| v),
        [Verdict::NotApplicable; 3]
    );
}

#[test]
fn zero_is_in_time_and_negative_is_out_of_order() {
    let same = "2026-11-23T10:00:00+03:00";
    let v = visit(Channel::Call, [same, same, same, same]);
    assert_eq!(verdicts(&v, AS_OF).map(|(_, v)| v), [Verdict::InTime; 3]);
    assert_eq!(v.out_of_order(), None);
    // The callback before the request (and before the proposal).
    let v = visit(
        Channel::Call,
        [
            "2026-11-23T10:00:00+03:00",
            "",
            "2026-11-23T12:00:00+03:00",
            "2026-11-22T10:00:00+03:00",
        ],
    );
    assert_eq!(v.out_of_order(), Some(("callback_at", "requested_at")));
    assert_eq!(
        verdicts(&v, AS_OF)[2],
        (Some(-26 * 3600), Verdict::OutOfOrder)
    );
    let late_proposal = visit(
        Channel::Call,
        [
            "2026-11-23T10:00:00+03:00",
            "",
            "2026-11-24T12:00:00+03:00",
            "2026-11-24T11:00:00+03:00",
        ],
    );
    assert_eq!(
        late_proposal.out_of_order(),
        Some(("callback_at", "proposal_at"))
    );
}

#[test]
fn the_timestamps_answer_the_checklist_items_they_decide() {
    let checklist = checklist();
    let answers = |v: &Visit| -> Vec<(String, Option<AnswerValue>)> {
        automatic_answers(
            &checklist,
            DEFAULT_MYSTERY_CHECKLIST_TOML,
            v,
            &MysteryRules::defaults(),
            at(AS_OF).unwrap(),
        )
        .into_iter()
        .inspect(|(_, a)| assert!(a.automatic))
        .map(|(id, a)| (id, a.value))
        .collect()
    };
    let owned = |list: &[(&str, AnswerValue)]| -> Vec<(String, Option<AnswerValue>)> {
        list.iter()
            .map(|(id, v)| (id.to_string(), Some(*v)))
            .collect()
    };
    use AnswerValue::{Na, No, Yes};
    // Slow proposal: sent (yes), not in time (no); then called back.
    let slow = visit(
        Channel::Call,
        [
            "2026-11-23T10:00:00+03:00",
            "2026-11-23T10:00:10+03:00",
            "2026-11-25T10:00:00+03:00",
            "2026-11-26T10:00:00+03:00",
        ],
    );
    assert_eq!(
        answers(&slow),
        owned(&[
            ("pick_up", Yes),
            ("proposal_sent", Yes),
            ("proposal_speed", No),
            ("callback", Yes)
        ])
    );
    // Never called back after a proposal in time.
    let no_callback = visit(
        Channel::Email,
        [
            "2026-11-23T10:00:00+03:00",
            "2026-11-23T10:30:00+03:00",
            "2026-11-23T15:00:00+03:00",
            "",
        ],
    );
    assert_eq!(answers(&no_callback)[3], ("callback".into(), Some(No)));
    // No proposal: not sent, not in time, callback not applicable.
    let no_proposal = visit(Channel::Email, ["2026-11-23T10:00:00+03:00", "", "", ""]);
    assert_eq!(
        answers(&no_proposal),
        owned(&[
            ("pick_up", No),
            ("proposal_sent", No),
            ("proposal_speed", No),
            ("callback", Na)
        ])
    );
    // Still waiting: the items are left to the reviewer.
    let fresh = visit(Channel::Call, [AS_OF, "", "", ""]);
    let waiting = answers(&fresh);
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0], ("callback".into(), Some(Na)));
}

#[test]
fn the_bundled_rules_and_checklist_load_and_a_bad_limit_is_named() {
    let rules = MysteryRules::defaults();
    assert_eq!(rules.limits(Channel::Call).pick_up, Limit(30));
    assert_eq!(rules.limits(Channel::Messenger).pick_up, Limit(15 * 60));
    let c = checklist();
    assert_eq!(c.id, MYSTERY_CHECKLIST_ID);
    for item in &c.items {
        for lang in [Lang::En, Lang::Ru] {
            assert!(!item.text.get(lang).trim().is_empty(), "{}", item.id);
        }
    }
    for id in ["tone", "reaction"] {
        assert!(c.item_index(id).is_some(), "{id}");
    }
    let checks: Vec<SpeedCheck> =
        crate::domain::checklist::item_checks::<SpeedCheck>(DEFAULT_MYSTERY_CHECKLIST_TOML)
            .into_iter()
            .map(|(_, c)| c)
            .collect();
    assert_eq!(
        checks,
        [
            SpeedCheck::PickUp,
            SpeedCheck::ProposalSent,
            SpeedCheck::ProposalSpeed,
            SpeedCheck::Callback
        ]
    );
    let bad = DEFAULT_MYSTERY_TOML.replacen("pick_up = \"30s\"", "pick_up = \"fast\"", 1);
    let err = MysteryRules::from_toml(&bad, "my.toml").unwrap_err();
    assert!(
        err.starts_with("my.toml: ") && err.contains("\"fast\""),
        "{err}"
    );
    for (text, seconds) in [
        ("45s", Some(45)),
        (" 2d ", Some(172_800)),
        ("0m", None),
        ("-1h", None),
        ("1w", None),
        ("", None),
    ] {
        assert_eq!(parse_limit(text), seconds, "{text:?}");
    }
}

#[test]
fn a_visits_evidence_gets_the_mystery_checklist() {
    let v = visit(Channel::Call, ["", "", "", ""]);
    assert_eq!(
        evidence_checklist(Some(&v)).map(|c| c.id),
        Some(MYSTERY_CHECKLIST_ID.to_string())
    );
    assert_eq!(evidence_checklist(None), None);
    assert_eq!(Channel::parse(" Web-Form "), Some(Channel::WebForm));
    assert_eq!(Channel::parse("fax"), None);
}
