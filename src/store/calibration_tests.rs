use super::*;
use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;
use crate::domain::{AnswerValue, Checklist};
use crate::store::AnswerChange;
use crate::store::test_support::temp_workspace;
use crate::store::tests_reviews::insert_sample_call;

fn setup(calls: &[&str]) -> (tempfile::TempDir, Workspace, Checklist) {
    let (dir, ws) = temp_workspace();
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)
        .unwrap();
    for call in calls {
        insert_sample_call(&ws, call);
    }
    (dir, ws, checklist)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// (call, reviewer, the answer to `greeting`, submitted)
type Scored<'a> = (&'a str, &'a str, AnswerValue, bool);

/// Reviews with only `greeting` answered, submitted or not: their ids.
fn scored_all<const N: usize>(
    ws: &mut Workspace,
    checklist: &Checklist,
    reviews: &[Scored; N],
) -> [i64; N] {
    reviews.map(|review| scored(ws, checklist, review))
}

fn scored(ws: &mut Workspace, checklist: &Checklist, review: Scored) -> i64 {
    let (call, reviewer, greeting, submit) = review;
    let call = ws.call(call).unwrap();
    let id = ws
        .start_review(&call, reviewer, checklist, Vec::new())
        .unwrap()
        .review_id;
    ws.change_answer(
        id,
        checklist,
        "greeting",
        AnswerChange::Value(Some(greeting)),
    )
    .unwrap();
    if submit {
        ws.submit_review(id, checklist).unwrap();
    }
    id
}

/// Whose reviews count toward the reps' results ("call:reviewer"), the
/// same in every place that counts them: the report, both exports, and the
/// best calls (anna's and boris's marks on call-1 count with their review).
fn reviewers_in_report(ws: &Workspace) -> Vec<String> {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let sorted = |mut who: Vec<String>| {
        who.sort();
        who.dedup();
        who
    };
    let key = |call: &str, reviewer: &str| format!("{call}:{reviewer}");
    let report = sorted(
        ws.report_reviews(day)
            .unwrap()
            .into_iter()
            .map(|r| key(&r.call_id, &r.reviewer))
            .collect(),
    );
    let mut per_answer = Vec::new();
    ws.each_result_row(|row| {
        per_answer.push(key(&row.call_id, &row.reviewer));
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let mut per_call = Vec::new();
    ws.each_call_row(|row| {
        per_call.extend(row.reviewer.map(|who| key(&row.call_id, &who)));
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let best = ws.best_calls("0000-01-01", "9999-12-31").unwrap();
    let best = best.iter().map(|b| key(&b.best.call_id, &b.best.reviewer));
    assert_eq!(sorted(per_answer), report, "export per answer");
    assert_eq!(sorted(per_call), report, "export per call");
    let marked = ["call-1:anna", "call-1:boris"];
    let counted_marks: Vec<String> = report
        .iter()
        .filter(|k| marked.contains(&k.as_str()))
        .cloned()
        .collect();
    assert_eq!(sorted(best.collect()), counted_marks, "best calls");
    assert_eq!(
        ws.newest_reviewed_day().unwrap().is_some(),
        !report.is_empty(),
        "the report's default week"
    );
    report
}

#[test]
fn marking_makes_a_set_and_refuses_unknown_calls_and_other_sets() {
    let (_dir, ws, _) = setup(&["call-1", "call-2"]);
    ws.mark_calibration(
        "week-48",
        "lead",
        &names(&["anna", "boris"]),
        &names(&["call-1"]),
    )
    .unwrap();
    // Again, with one more call: idempotent for the first.
    ws.mark_calibration(
        "week-48",
        "lead",
        &names(&["anna", "boris"]),
        &names(&["call-1", "call-2"]),
    )
    .unwrap();
    let sets = ws.calibration_sets().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].reviewers, names(&["anna", "boris"]));
    assert_eq!(sets[0].members(), names(&["anna", "boris", "lead"]));
    assert_eq!(sets[0].calls.len(), 2);

    let err = ws
        .mark_calibration("other", "lead", &names(&["anna"]), &names(&["call-2"]))
        .unwrap_err();
    assert!(
        matches!(err, CalibrationError::InAnotherSet { .. }),
        "{err}"
    );
    let err = ws
        .mark_calibration("week-48", "lead", &names(&["anna"]), &names(&["nope"]))
        .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    // Nothing of the refused marks was written.
    assert_eq!(ws.calibration_sets().unwrap().len(), 1);
    assert_eq!(ws.calibration_sets().unwrap()[0].reviewers.len(), 2);
}

#[test]
fn calibration_reviews_count_only_once_agreed() {
    let (_dir, mut ws, checklist) = setup(&["call-1", "call-2"]);
    ws.mark_calibration("s", "lead", &names(&["anna", "boris"]), &names(&["call-1"]))
        .unwrap();
    let [anna, _] = scored_all(
        &mut ws,
        &checklist,
        &[
            ("call-1", "anna", AnswerValue::Yes, true),
            ("call-1", "boris", AnswerValue::No, true),
        ],
    );
    for who in ["anna", "boris"] {
        ws.mark_best_call("call-1", who, "a clear greeting", 0)
            .unwrap();
    }
    assert_eq!(reviewers_in_report(&ws), Vec::<String>::new());
    scored_all(
        &mut ws,
        &checklist,
        &[
            // Not a member: an ordinary review, counted.
            ("call-1", "vera", AnswerValue::Yes, true),
            ("call-2", "anna", AnswerValue::Yes, true),
        ],
    );
    assert_eq!(
        reviewers_in_report(&ws),
        names(&["call-1:vera", "call-2:anna"])
    );

    ws.agree_calibration("call-1", Some(anna)).unwrap();
    assert_eq!(
        reviewers_in_report(&ws),
        names(&["call-1:anna", "call-1:vera", "call-2:anna"])
    );
    ws.agree_calibration("call-1", None).unwrap();
    assert_eq!(reviewers_in_report(&ws).len(), 2);

    let other = ws.review("call-2", "anna", "sales-call").unwrap().unwrap();
    let err = ws
        .agree_calibration("call-1", Some(other.review_id))
        .unwrap_err();
    assert!(
        matches!(err, CalibrationError::NotOfThisCall { .. }),
        "{err}"
    );
    let err = ws
        .agree_calibration("call-2", Some(other.review_id))
        .unwrap_err();
    assert!(matches!(err, CalibrationError::NotCalibration(_)), "{err}");
}

#[test]
fn a_member_sees_only_their_own_review_until_they_submit() {
    let (_dir, mut ws, checklist) = setup(&["call-1", "call-2"]);
    ws.mark_calibration("s", "lead", &names(&["anna", "boris"]), &names(&["call-1"]))
        .unwrap();
    let [_, anna, _] = scored_all(
        &mut ws,
        &checklist,
        &[
            ("call-1", "boris", AnswerValue::No, true),
            ("call-1", "anna", AnswerValue::Yes, false),
            ("call-2", "boris", AnswerValue::No, true),
        ],
    );

    let seen = |ws: &Workspace, who: &str, call: &str| -> Vec<String> {
        ws.visible_reviews(who, call)
            .unwrap()
            .into_iter()
            .map(|r| r.reviewer)
            .collect()
    };
    assert!(ws.scores_blind("anna", "call-1").unwrap());
    assert_eq!(seen(&ws, "anna", "call-1"), names(&["anna"]));
    // The lead has not scored it either: blind too.
    assert_eq!(seen(&ws, "lead", "call-1"), Vec::<String>::new());
    // Not a calibration call: everything is visible.
    assert_eq!(seen(&ws, "anna", "call-2"), names(&["boris"]));
    // Not a member: not blind.
    assert_eq!(seen(&ws, "vera", "call-1"), names(&["anna", "boris"]));

    ws.submit_review(anna, &checklist).unwrap();
    assert!(!ws.scores_blind("anna", "call-1").unwrap());
    assert_eq!(seen(&ws, "anna", "call-1"), names(&["anna", "boris"]));
    // Reopening makes it blind again: the rule holds while not submitted.
    ws.reopen_review(anna).unwrap();
    assert_eq!(seen(&ws, "anna", "call-1"), names(&["anna"]));
}

#[test]
fn scores_of_a_set_are_its_members_submitted_reviews() {
    let (_dir, mut ws, checklist) = setup(&["call-1"]);
    ws.mark_calibration("s", "lead", &names(&["anna", "boris"]), &names(&["call-1"]))
        .unwrap();
    scored_all(
        &mut ws,
        &checklist,
        &[
            ("call-1", "anna", AnswerValue::Yes, true),
            ("call-1", "boris", AnswerValue::No, false),
            ("call-1", "vera", AnswerValue::No, true),
        ],
    );
    let scores = ws.calibration_scores("s", "sales-call").unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(scores[0].reviewer, "anna");
    assert_eq!(scores[0].answers["greeting"], AnswerValue::Yes);
    assert_eq!(scores[0].answers.len(), 1);
    let by_id = ws.review_by_id(
        ws.review("call-1", "vera", "sales-call")
            .unwrap()
            .unwrap()
            .review_id,
    );
    assert_eq!(by_id.unwrap().unwrap().reviewer, "vera");
}
