//! The outbox file's format and life, without a server.

use super::*;

fn queued(item: &str, change: Change) -> Queued {
    Queued {
        review: ReviewRef::Id { review_id: 7 },
        checklist: "sales-call".into(),
        version: 1,
        what: What::Change {
            item: item.into(),
            change,
        },
    }
}

#[test]
fn changes_come_back_in_order_and_a_torn_last_line_is_dropped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let url = &Address::parse("postgresql://qa:secret@db.example/team");
    let (mut outbox, torn) = Outbox::open(dir.path(), url, "anna").unwrap();
    assert!(!torn && outbox.is_empty());
    let greeting = queued("greeting", Change::Answer(Some(AnswerValue::Yes)));
    let comment = queued(
        "needs",
        Change::Comment(Some("asked \"why\"\nтвёрдо".into())),
    );
    outbox.push(greeting.clone()).unwrap();
    outbox.push(comment.clone()).unwrap();
    let text = std::fs::read_to_string(outbox.path()).unwrap();
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains(r#""change":{"answer":"yes"}"#), "{text}");
    // A crash in the middle of the third append.
    std::fs::write(outbox.path(), format!("{text}{{\"review_id\":7,\"chec")).unwrap();
    drop(outbox);

    let (mut again, torn) = Outbox::open(dir.path(), url, "anna").unwrap();
    assert!(torn);
    assert_eq!(again.first(), Some(&greeting));
    assert_eq!(again.len(), 2);
    assert_eq!(std::fs::read_to_string(again.path()).unwrap(), text);
    again.pop_delivered().unwrap();
    assert_eq!(again.first(), Some(&comment));
    again.pop_delivered().unwrap();
    assert!(!again.path().exists(), "an empty outbox leaves no file");
}

#[test]
fn a_damaged_line_before_the_last_is_an_error_not_a_silent_loss() {
    let dir = tempfile::tempdir().unwrap();
    let url = &Address::parse("postgresql://qa@db/team");
    let (mut outbox, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    outbox
        .push(queued("greeting", Change::Evidence(Some(1500))))
        .unwrap();
    let text = std::fs::read_to_string(outbox.path()).unwrap();
    std::fs::write(outbox.path(), format!("not json\n{text}")).unwrap();
    drop(outbox);
    let err = Outbox::open(dir.path(), url, "anna")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn the_password_does_not_change_which_file_a_workspace_uses_the_reviewer_does() {
    let dir = Path::new("/outbox");
    let file = |url: &str, reviewer: &str| file_of(dir, &Address::parse(url), reviewer);
    let a = file("postgresql://qa:one@db/team", "anna");
    assert_eq!(a, file("postgresql://qa:two@db/team", "anna"));
    assert_ne!(a, file("postgresql://qa@db/other", "anna"));
    assert_ne!(a, file("postgresql://qa@db/team", "boris"));
}

#[test]
fn a_second_workstation_of_the_reviewer_is_refused_the_file_until_the_first_lets_go() {
    let dir = tempfile::tempdir().unwrap();
    let url = &Address::parse("postgresql://qa@db/team");
    let (mut first, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    let err = Outbox::open(dir.path(), url, "anna")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("in use by another workstation of anna"),
        "{err}"
    );
    assert!(
        Outbox::open(dir.path(), url, "boris").is_ok(),
        "another reviewer's file"
    );
    first.release();
    let refused = first.push(queued("greeting", Change::Answer(None)));
    assert!(refused.is_err(), "a released outbox writes nothing");
    assert!(Outbox::open(dir.path(), url, "anna").is_ok());
}

#[test]
fn an_earlier_versions_outbox_of_the_workspace_is_taken_over_first() {
    let dir = tempfile::tempdir().unwrap();
    let url = &Address::parse("postgresql://qa:secret@db/team");
    let (mut mine, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    let later = queued("needs", Change::Answer(Some(AnswerValue::No)));
    mine.push(later.clone()).unwrap();
    drop(mine);
    let earlier = queued("greeting", Change::Answer(Some(AnswerValue::Yes)));
    let before = dir
        .path()
        .join(format!("{}.jsonl", hex_sha256(&url.to_string())));
    let line = serde_json::to_string(&earlier).unwrap();
    std::fs::write(&before, format!("{line}\n")).unwrap();

    let (taken, torn) = Outbox::open(dir.path(), url, "anna").unwrap();
    assert!(!torn);
    assert_eq!(taken.queued, [earlier.clone(), later.clone()]);
    assert!(!before.exists());
    drop(taken);
    let (again, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    assert_eq!(again.queued, [earlier, later], "on disk too");
}

/// anna's review of `call` with the sales-call checklist.
fn review(review_id: i64, call: &str) -> ReviewRecord {
    ReviewRecord {
        review_id,
        subject: Subject::Call(call.into()),
        reviewer: "anna".into(),
        checklist_id: "sales-call".into(),
        checklist_version: 1,
        status: crate::domain::ReviewStatus::InProgress,
        started_at: String::new(),
        submitted_at: None,
        time_spent_ms: 0,
        score: None,
        revision: 1,
        answers: Default::default(),
        quotes: Default::default(),
    }
}

#[test]
fn a_line_written_by_an_earlier_version_still_reads() {
    let line = r#"{"review_id":7,"checklist":"sales-call","version":1,"item":"greeting","change":{"answer":"yes"}}"#;
    let (read, torn) = parse(&format!("{line}\n")).unwrap();
    assert!(!torn);
    let expected = queued("greeting", Change::Answer(Some(AnswerValue::Yes)));
    assert_eq!(read, std::slice::from_ref(&expected));
    assert_eq!(serde_json::to_string(&expected).unwrap(), line);
}

#[test]
fn a_start_its_changes_by_name_and_review_time_round_trip_and_name_their_review() {
    let of = || ReviewRef::Of {
        of: SubjectRef::Call("C-9".into()),
        reviewer: "anna".into(),
    };
    let line = |review: ReviewRef, what: What| Queued {
        review,
        checklist: "sales-call".into(),
        version: 1,
        what,
    };
    let automatic = Answer {
        value: Some(AnswerValue::Na),
        automatic: true,
        ..Answer::default()
    };
    let lines = [
        line(
            of(),
            What::Start {
                start: vec![("greeting".into(), automatic)],
            },
        ),
        line(
            of(),
            What::Change {
                item: "needs".into(),
                change: Change::Answer(Some(AnswerValue::Yes)),
            },
        ),
        line(
            ReviewRef::Id { review_id: 7 },
            What::Time { time_ms: 30500 },
        ),
    ];
    let text: String = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap() + "\n")
        .collect();
    assert!(
        text.starts_with(r#"{"of":{"call":"C-9"},"reviewer":"anna","checklist":"sales-call","version":1,"start":[["greeting",{"value":"na""#),
        "{text}"
    );
    assert!(
        text.ends_with(
            "{\"review_id\":7,\"checklist\":\"sales-call\",\"version\":1,\"time_ms\":30500}\n"
        ),
        "{text}"
    );
    let (read, _) = parse(&text).unwrap();
    assert_eq!(read, lines);
    assert_eq!(lines.iter().filter(|l| l.is_answer()).count(), 1);

    let mut review = review(UNSAVED_REVIEW, "C-9");
    assert_eq!(ReviewRef::to(&review), of());
    assert!(lines[0].is_for(&review) && lines[1].is_for(&review));
    assert!(!lines[2].is_for(&review));
    review.reviewer = "boris".into();
    assert!(!lines[1].is_for(&review), "another reviewer's review");
    review.review_id = 7;
    assert!(lines[2].is_for(&review), "an earlier version's line, by id");
}

#[test]
fn a_refused_line_is_moved_aside_with_its_reason_and_the_rest_stay_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let url = &Address::parse("postgresql://qa@db/team");
    let (mut outbox, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    let first = queued("greeting", Change::Answer(Some(AnswerValue::No)));
    let second = queued("needs", Change::Comment(Some("ok".into())));
    outbox.push(first.clone()).unwrap();
    outbox.push(second.clone()).unwrap();
    let aside = outbox
        .refuse_first("permission denied for table answers")
        .unwrap();
    assert_eq!(outbox.first(), Some(&second));
    drop(outbox);
    let (again, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    assert_eq!(
        again.len(),
        1,
        "the refused line left the outbox on disk too"
    );
    let refused = std::fs::read_to_string(&aside).unwrap();
    assert!(
        aside.to_string_lossy().ends_with(".refused.jsonl"),
        "{aside:?}"
    );
    let value: serde_json::Value = serde_json::from_str(refused.trim_end()).unwrap();
    assert_eq!(value["refused"], "permission denied for table answers");
    assert_eq!(value["item"], "greeting");
    assert_eq!(value["change"]["answer"], "no");
}

#[test]
fn a_report_through_a_line_knows_whether_newer_lines_wait_for_its_review() {
    let dir = tempfile::tempdir().unwrap();
    let url = &Address::parse("postgresql://qa@db/team");
    let (mut outbox, _) = Outbox::open(dir.path(), url, "anna").unwrap();
    let mut other = queued("needs", Change::Answer(None));
    other.review = ReviewRef::Id { review_id: 8 };
    for line in [
        queued("greeting", Change::Answer(None)),
        other,
        queued("needs", Change::Evidence(Some(5))),
    ] {
        outbox.push(line).unwrap();
    }
    let review = review(7, "C-7");
    assert!(outbox.waits_after(&review, 0) && outbox.waits_after(&review, 1));
    assert!(!outbox.waits_after(&review, 2));
    outbox.pop_delivered().unwrap();
    assert_eq!(outbox.first_number(), 1);
    assert!(outbox.waits_after(&review, 0), "numbers outlive the pop");
    assert!(!outbox.waits_after(&review, 2));
    assert_eq!(outbox.answers_waiting(), 2);
}
