use super::*;
use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;
use crate::store::test_support::temp_workspace;
use crate::store::tests_reviews::insert_sample_call;

/// A submitted review of call-1 with `greeting` failed and `introduced` passed.
fn failed_review() -> (tempfile::TempDir, Workspace, Checklist, i64) {
    let (dir, mut ws) = temp_workspace();
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)
        .unwrap();
    insert_sample_call(&ws, "call-1");
    let call = ws.call("call-1").unwrap();
    let id = ws
        .start_review(&call, "rev", &checklist, Vec::new())
        .unwrap()
        .review_id;
    for (item, value) in [
        ("greeting", AnswerValue::No),
        ("introduced", AnswerValue::Yes),
    ] {
        ws.change_answer(id, &checklist, item, AnswerChange::Value(Some(value)))
            .unwrap();
    }
    ws.submit_review(id, &checklist).unwrap();
    (dir, ws, checklist, id)
}

fn kinds(ws: &Workspace, id: i64) -> Vec<String> {
    ws.review_events(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn a_response_is_recorded_once_and_logged() {
    let (_dir, ws, _, id) = failed_review();
    let record = |response, reason| ws.record_response(id, "greeting", response, reason, "f.xlsx");
    assert_eq!(
        record(Response::Dispute, Some("I did greet")).unwrap(),
        Recorded::New
    );
    assert_eq!(
        record(Response::Dispute, Some(" I did greet ")).unwrap(),
        Recorded::Unchanged
    );
    assert_eq!(record(Response::Agree, None).unwrap(), Recorded::Updated);
    let events = kinds(&ws, id);
    assert_eq!(
        events
            .iter()
            .filter(|k| *k == "disputed" || *k == "acknowledged")
            .count(),
        2
    );
    assert_eq!(ws.responses(true, false).unwrap().len(), 0);
    assert_eq!(ws.responses(false, true).unwrap().len(), 1);

    let err = ws
        .record_response(id, "introduced", Response::Dispute, Some("x"), "f")
        .unwrap_err();
    assert!(matches!(err, ResponseError::NotFailed { .. }), "{err}");
    let err = ws
        .record_response(999, "greeting", Response::Agree, None, "f")
        .unwrap_err();
    assert!(matches!(err, ResponseError::NoReview(999)), "{err}");
}

#[test]
fn a_changed_score_goes_through_the_answer_path_and_the_history_keeps_each_step() {
    let (_dir, mut ws, checklist, id) = failed_review();
    ws.record_response(
        id,
        "greeting",
        Response::Dispute,
        Some("Listen at 0:03"),
        "f",
    )
    .unwrap();
    let open = ws.responses(true, false).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].score_before, open[0].score_after), (None, None));
    let before = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
    let err = ws
        .resolve_dispute(
            id,
            "greeting",
            &Resolution {
                by: "lead",
                answer: AnswerValue::Yes,
                reason: " ",
            },
            &checklist,
        )
        .unwrap_err();
    assert!(matches!(err, ResponseError::NoReason), "{err}");
    ws.resolve_dispute(
        id,
        "greeting",
        &Resolution {
            by: "lead",
            answer: AnswerValue::Yes,
            reason: "greeted at 0:03",
        },
        &checklist,
    )
    .unwrap();
    let after = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
    assert_eq!(after.answers["greeting"].value, Some(AnswerValue::Yes));
    assert_eq!(after.status, crate::domain::ReviewStatus::Submitted);
    assert!(after.score > before.score);
    let events = kinds(&ws, id);
    let tail: Vec<&str> = events
        .iter()
        .rev()
        .take(5)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        ["disputed", "reopen", "answer", "submit", "dispute_changed"]
    );
    let resolved = ws.response(id, "greeting").unwrap().unwrap();
    assert_eq!(resolved.outcome, Some(Outcome::Changed));
    assert_eq!(resolved.resolved_by.as_deref(), Some("lead"));
    // One of two answered items passed, then both.
    assert_eq!(
        (resolved.score_before, resolved.score_after),
        (Some(50.0), Some(100.0))
    );
    assert!(ws.responses(true, false).unwrap().is_empty());
    // Resolved once: neither a second resolution nor a changed response.
    let again = ws.resolve_dispute(
        id,
        "greeting",
        &Resolution {
            by: "lead",
            answer: AnswerValue::No,
            reason: "x",
        },
        &checklist,
    );
    assert!(matches!(again, Err(ResponseError::NoOpenDispute { .. })));
    // The same sheet again records nothing; another response to an item
    // that no longer fails is refused.
    assert_eq!(
        ws.record_response(
            id,
            "greeting",
            Response::Dispute,
            Some("Listen at 0:03"),
            "f"
        )
        .unwrap(),
        Recorded::Unchanged
    );
    let err = ws
        .record_response(id, "greeting", Response::Agree, None, "f")
        .unwrap_err();
    assert!(matches!(err, ResponseError::NotFailed { .. }), "{err}");
}

#[test]
fn an_upheld_dispute_keeps_the_answer() {
    let (_dir, mut ws, checklist, id) = failed_review();
    ws.record_response(id, "greeting", Response::Dispute, Some("no"), "f")
        .unwrap();
    ws.resolve_dispute(
        id,
        "greeting",
        &Resolution {
            by: "rev",
            answer: AnswerValue::No,
            reason: "no greeting heard",
        },
        &checklist,
    )
    .unwrap();
    let review = ws.review("call-1", "rev", "sales-call").unwrap().unwrap();
    assert_eq!(review.answers["greeting"].value, Some(AnswerValue::No));
    assert_eq!(
        kinds(&ws, id).last().map(String::as_str),
        Some("dispute_upheld")
    );
    let upheld = &ws.responses(false, false).unwrap()[0];
    assert_eq!(
        (upheld.score_before, upheld.score_after),
        (Some(50.0), Some(50.0))
    );
    // The same response again is a no-op, even resolved.
    assert_eq!(
        ws.record_response(id, "greeting", Response::Dispute, Some("no"), "f")
            .unwrap(),
        Recorded::Unchanged
    );
    let keys = ws.failed_item_reviews().unwrap();
    assert_eq!(
        keys[&("call-1".into(), "rev".into(), "greeting".into())],
        id
    );
    assert_eq!(keys.len(), 1);
}
