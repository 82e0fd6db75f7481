//! Storage tests over a real SQLite file in a temporary folder.

use super::test_support::{Keep, temp_workspaces};
use super::*;
use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;
use crate::domain::crm::{Call, Direction, Recording};
use crate::domain::{AnswerValue, ReviewStatus};

fn sample_call(id: &str, script: Option<&str>) -> Call {
    Call {
        call_id: id.into(),
        started_at: chrono::DateTime::parse_from_rfc3339("2026-11-23T10:15:00+03:00").unwrap(),
        rep: "Анна".into(),
        direction: Direction::Out,
        phone: "+79123456789".into(),
        contact_id: Some("c1".into()),
        deal_id: None,
        script: script.map(str::to_string),
        recording: Recording {
            path: "/x/a.wav".into(),
            container: "wav".into(),
            codec: "pcm_s16le".into(),
            duration_ms: 61_000,
            channels: 1,
            sample_rate: 8000,
            channel_layout: Default::default(),
        },
    }
}

fn auto(checklist: &Checklist, call: &Call) -> Vec<(String, crate::domain::Answer)> {
    use crate::domain::auto_checks::{Facts, automatic_answers};
    automatic_answers(checklist, &Facts::gather(call, None))
}

/// The queue status of `call-1` for this reviewer.
fn queue_status(ws: &Workspace, reviewer: &str) -> ReviewStatus {
    let of = QueueOf {
        reviewer: reviewer.into(),
        analysis_version: 1,
    };
    ws.queue_row(&of, "call-1").unwrap().unwrap().status
}

/// A call row for tests of other store modules.
pub(crate) fn insert_sample_call(ws: &Workspace, id: &str) {
    let batch = ws.batch_id("/x").unwrap();
    ws.upsert_call(batch, &sample_call(id, None)).unwrap();
}

/// On each engine: a workspace with one call and the sales checklist.
fn workspaces_with_call() -> Vec<(Keep, Workspace, Call, Checklist)> {
    temp_workspaces()
        .into_iter()
        .map(|(keep, ws)| {
            let checklist = Checklist::default_sales_call();
            ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)
                .unwrap();
            let batch = ws.batch_id("/x").unwrap();
            let call = sample_call("call-1", None);
            ws.upsert_call(batch, &call).unwrap();
            (keep, ws, call, checklist)
        })
        .collect()
}

#[test]
fn upsert_tells_new_changed_and_unchanged() {
    for (_keep, ws, mut call, _) in workspaces_with_call() {
        let batch = ws.batch_id("/x").unwrap();
        assert_eq!(
            ws.upsert_call(batch, &call).unwrap(),
            UpsertOutcome::Unchanged
        );
        call.rep = "Игорь".into();
        assert_eq!(
            ws.upsert_call(batch, &call).unwrap(),
            UpsertOutcome::Updated
        );
        assert_eq!(
            ws.upsert_call(batch, &sample_call("call-2", None)).unwrap(),
            UpsertOutcome::Inserted
        );
        assert_eq!(ws.call_count().unwrap(), 2);
        assert_eq!(ws.call("call-1").unwrap().rep, "Игорь");
    }
}

#[test]
fn review_starts_with_automatic_na_and_tracks_status() {
    for (_keep, mut ws, call, checklist) in workspaces_with_call() {
        assert!(ws.review("call-1", "rev", "sales-call").unwrap().is_none());
        assert_eq!(queue_status(&ws, "rev"), ReviewStatus::New);

        let review = ws
            .start_review(&call, "rev", &checklist, auto(&checklist, &call))
            .unwrap();
        assert_eq!(review.status, ReviewStatus::InProgress);
        let script = &review.answers["script"];
        assert_eq!(script.value, Some(AnswerValue::Na));
        assert!(script.automatic);
        // Starting again returns the same review.
        let again = ws
            .start_review(&call, "rev", &checklist, auto(&checklist, &call))
            .unwrap();
        assert_eq!(again.review_id, review.review_id);
        assert_eq!(queue_status(&ws, "rev"), ReviewStatus::InProgress);
        // Another reviewer has their own queue status.
        assert_eq!(queue_status(&ws, "other"), ReviewStatus::New);
    }
}

#[test]
fn every_change_is_stored_and_logged_with_old_and_new_value() {
    for (_keep, mut ws, call, checklist) in workspaces_with_call() {
        let id = ws
            .start_review(&call, "rev", &checklist, auto(&checklist, &call))
            .unwrap()
            .review_id;
        ws.change_answer(
            id,
            &checklist,
            "greeting",
            AnswerChange::Value(Some(AnswerValue::Yes)),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            "greeting",
            AnswerChange::Value(Some(AnswerValue::No)),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            "greeting",
            AnswerChange::Comment(Some("сказал «алло», не поздоровался".into())),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            "greeting",
            AnswerChange::Evidence(Some(4_500)),
        )
        .unwrap();
        let r = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
        let a = &r.answers["greeting"];
        assert_eq!(a.value, Some(AnswerValue::No));
        assert_eq!(a.comment.as_deref(), Some("сказал «алло», не поздоровался"));
        assert_eq!(a.evidence_ms, Some(4_500));
        assert_eq!(r.score, Some(0.0));

        let events = ws.review_events(id).unwrap();
        let answer_events: Vec<_> = events.iter().filter(|e| e.kind == "answer").collect();
        assert_eq!(answer_events.len(), 2);
        assert_eq!(answer_events[1].old_value.as_deref(), Some("yes"));
        assert_eq!(answer_events[1].new_value.as_deref(), Some("no"));
        assert!(events.iter().any(|e| e.kind == "evidence"));
    }
}

#[test]
fn reopened_review_keeps_the_submitted_snapshot_in_history() {
    for (_keep, mut ws, call, checklist) in workspaces_with_call() {
        let id = ws
            .start_review(&call, "rev", &checklist, auto(&checklist, &call))
            .unwrap()
            .review_id;
        ws.change_answer(
            id,
            &checklist,
            "summary",
            AnswerChange::Value(Some(AnswerValue::Yes)),
        )
        .unwrap();
        ws.submit_review(id, &checklist).unwrap();
        let r = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
        assert_eq!(r.status, ReviewStatus::Submitted);
        assert_eq!(r.score, Some(100.0));
        assert!(r.submitted_at.is_some());

        ws.reopen_review(id).unwrap();
        ws.change_answer(
            id,
            &checklist,
            "summary",
            AnswerChange::Value(Some(AnswerValue::No)),
        )
        .unwrap();
        let r = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
        assert_eq!(r.status, ReviewStatus::InProgress);
        assert_eq!(r.revision, 2);
        assert_eq!(r.score, Some(0.0));
        let events = ws.review_events(id).unwrap();
        let submit = events.iter().find(|e| e.kind == "submit").unwrap();
        assert_eq!(submit.revision, 1);
        let snapshot: serde_json::Value =
            serde_json::from_str(submit.new_value.as_deref().unwrap()).unwrap();
        assert_eq!(snapshot["score"], 100.0);
        assert_eq!(snapshot["answers"]["summary"]["value"], "yes");
        let last = events.last().unwrap();
        assert_eq!((last.kind.as_str(), last.revision), ("answer", 2));
    }
}

#[test]
fn answers_survive_reopening_the_file() {
    for (_keep, mut ws, call, checklist) in workspaces_with_call() {
        let id = ws
            .start_review(&call, "rev", &checklist, auto(&checklist, &call))
            .unwrap()
            .review_id;
        ws.change_answer(
            id,
            &checklist,
            "business",
            AnswerChange::Value(Some(AnswerValue::Yes)),
        )
        .unwrap();
        ws.add_time_spent(id, 1500).unwrap();
        ws.save_place(
            "rev",
            &ReviewerPlace {
                call_id: Some("call-1".into()),
                item_id: Some("business".into()),
                position_ms: Some(12_000),
            },
        )
        .unwrap();
        let address = ws.address().clone();
        drop(ws);
        let ws = Workspace::open(&address).unwrap();
        let r = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
        assert_eq!(r.answers["business"].value, Some(AnswerValue::Yes));
        assert_eq!(r.time_spent_ms, 1500);
        assert_eq!(ws.place("rev").unwrap().unwrap().position_ms, Some(12_000));
    }
}

#[test]
fn reviews_need_a_known_call() {
    for (_keep, mut ws, _call, checklist) in workspaces_with_call() {
        let ghost = sample_call("ghost", None);
        assert!(ws.start_review(&ghost, "rev", &checklist, vec![]).is_err());
    }
}
