//! `callqa emails` and the import's email line, through the real binary.

mod common;

use common::callqa;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_demo_emails_are_listed_by_rep_and_week_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    let demo = format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"));
    let import = callqa(dir.path(), &["import", &demo, "--db", db, "--lang", "en"]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    let out = text(&import.stdout);
    assert!(
        out.contains("emails    8 new, 0 updated, 0 unchanged, 0 skipped"),
        "{out}"
    );

    let listed = callqa(
        dir.path(),
        &[
            "emails",
            "--db",
            db,
            "--rep",
            "kate  MILLER",
            "--period",
            "2026-W48",
        ],
    );
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let table = text(&listed.stdout);
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("2026-")).collect();
    assert_eq!(rows.len(), 5, "{table}");
    assert!(
        rows[2].contains("out") && rows[2].contains("y y y n"),
        "{}",
        rows[2]
    );
    assert!(
        rows[1].contains(" in ") && rows[1].contains("K-103 Lars Nyberg"),
        "{}",
        rows[1]
    );
    assert!(table.contains("G greeting by name"), "{table}");

    let json = callqa(
        dir.path(),
        &["emails", "--db", db, "--format", "json", "--lang", "ru"],
    );
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    let belova = rows
        .iter()
        .find(|r| r["email"]["message_id"] == "b1-belova@solar-dom.example")
        .unwrap();
    assert_eq!(belova["checks"]["greeting"]["uses_name"], false);
    assert_eq!(belova["link"]["deal_id"], "D-202");
    assert_eq!(
        belova["email"]["attachments"][0]["name"],
        "KP-Volzhsky-bereg.pdf"
    );

    let ru = text(
        &callqa(
            dir.path(),
            &["emails", "--db", db, "--period", "2026-W49", "--lang", "ru"],
        )
        .stdout,
    );
    assert!(ru.starts_with("Писем нет"), "{ru}");
    let bad = callqa(dir.path(), &["emails", "--db", db, "--period", "week 48"]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("2026-W48"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn export_per_call_carries_email_and_visit_reviews_among_the_calls_by_time() {
    use callqa::domain::{AnswerValue, Checklist};
    use callqa::store::{AnswerChange, Subject, Workspace};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let dbs = db.to_str().unwrap();
    let demo = format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"));
    let import = callqa(dir.path(), &["import", &demo, "--db", dbs]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    {
        let mut ws = Workspace::open(&db).unwrap();
        let reviews = std::fs::read_to_string(format!("{demo}/reviews.toml")).unwrap();
        callqa::reports::demo_reviews::apply(&mut ws, &reviews).unwrap();
        // The web-form visit MS-04 reviewed itself, its tone failed.
        let shopper = callqa::domain::mystery::checklist();
        let subject = Subject::Visit("MS-04".into());
        let id = ws
            .start_review_of(&subject, "Мария", &shopper, Vec::new())
            .unwrap()
            .review_id;
        let no = AnswerChange::Value(Some(AnswerValue::No));
        ws.change_answer(id, &shopper, "tone", no).unwrap();
        ws.submit_review(id, &shopper).unwrap();
        assert!(Checklist::parts_of(&shopper.id, shopper.version).is_none());
    }
    let out = callqa(
        dir.path(),
        &["export", "--per", "call", "--format", "json", "--db", dbs],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["call_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {rows:?}"))
    };
    let belova = row("b1-belova@solar-dom.example");
    assert_eq!(belova["checklist"], "email");
    assert_eq!(belova["rep"], "Игорь Петров");
    assert_eq!(belova["failed_items"], "greeting_name spelling");
    assert_eq!(belova["review_status"], "submitted");
    assert_eq!(belova["talk_share_rep"], serde_json::Value::Null);
    let visit = row("MS-04");
    assert_eq!(visit["checklist"], "mystery-shopper");
    assert_eq!(visit["rep"], "International", "a team, no rep");
    assert_eq!(visit["failed_items"], "tone");
    // Every row in time order: calls, emails and the visit alike.
    let times: Vec<chrono::DateTime<chrono::Utc>> = rows
        .iter()
        .map(|r| {
            let at = r["call_started_at"].as_str().unwrap();
            chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc()
        })
        .collect();
    assert!(times.is_sorted(), "{times:?}");
    let emails = rows.iter().filter(|r| r["checklist"] == "email").count();
    assert_eq!(emails, 4, "the demo's email reviews");
    // The CSV carries the same rows.
    let csv = callqa(dir.path(), &["export", "--per", "call", "--db", dbs]);
    let csv = text(&csv.stdout);
    assert_eq!(csv.lines().count(), rows.len() + 1, "{csv}");
    assert!(
        csv.contains("MS-04,2026-11-25T20:15:00+03:00,International,0.0"),
        "{csv}"
    );
}

/// `callqa plan` of 2026-W48 with `extra`, as JSON, and its stderr.
fn plan_w48(dir: &std::path::Path, db: &str, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec![
        "plan", "--db", db, "--period", "2026-W48", "--format", "json",
    ];
    args.extend_from_slice(extra);
    let out = callqa(dir, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        text(&out.stderr),
    )
}

fn planned_emails(plan: &serde_json::Value) -> Vec<String> {
    let emails = plan["emails"].as_array().unwrap();
    emails
        .iter()
        .map(|e| e["message_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_planned_email_is_replaced_by_the_reps_next_one_and_never_drawn_again() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    common::write(
        &batch.join("crm/reps.csv"),
        "rep,started_on,team,plan_pct\nАнна Смирнова,2020-01-01,Юг,100\n",
    );
    common::write(&batch.join("calls.csv"), common::CALLS_HEADER);
    for day in 23..=26 {
        common::write(
            &batch.join(format!("emails/{day}.eml")),
            &format!(
                "From: =?utf-8?b?0JDQvdC90LAg0KHQvNC40YDQvdC+0LLQsA==?= <anna@solar.example>\r\n\
                 To: Client <client@x.example>\r\n\
                 Subject: Offer {day}\r\n\
                 Date: {day} Nov 2026 10:00:00 +0300\r\n\
                 Message-ID: <m{day}@solar.example>\r\n\r\n\
                 Hello,\r\nthe offer of the {day}th.\r\n"
            ),
        );
    }
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    let import = callqa(dir.path(), &["import", batch.to_str().unwrap(), "--db", db]);
    assert!(import.status.success(), "{}", text(&import.stdout));
    let (plan, _) = plan_w48(dir.path(), db, &["--reviewers", "anna"]);
    let drawn = planned_emails(&plan);
    assert_eq!(drawn.len(), 2, "the quota: {plan:#}");
    let spare: Vec<String> = (23..=26)
        .map(|d| format!("m{d}@solar.example"))
        .filter(|m| !drawn.contains(m))
        .collect();

    // Replaced (the Message-ID as a header writes it): the rep's next one.
    let victim = drawn[0].clone();
    let (plan, said) = plan_w48(
        dir.path(),
        db,
        &[
            "--replace",
            &format!("<{victim}>"),
            "--reason",
            "a newsletter",
        ],
    );
    let now = planned_emails(&plan);
    assert!(!now.contains(&victim), "{now:?}");
    let new = now
        .iter()
        .find(|m| spare.contains(m))
        .expect("a spare drawn");
    assert!(
        said.contains(&format!("{victim}: replaced by {new}")),
        "{said}"
    );
    let entries = plan["emails"].as_array().unwrap();
    let entry = entries
        .iter()
        .find(|e| e["message_id"] == new.as_str())
        .unwrap();
    assert_eq!(entry["reason"]["why"], "replacement");
    assert_eq!(entry["reason"]["replaces"], victim.as_str());
    assert_eq!(entry["reviewer"], "anna");

    // Drawn again, the replaced email stays out; a second replacement takes
    // the last spare, a third finds none.
    let (again, _) = plan_w48(dir.path(), db, &[]);
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    assert_eq!(sorted(planned_emails(&again)), sorted(now.clone()));
    let (_, said) = plan_w48(
        dir.path(),
        db,
        &["--replace", new, "--reason", "auto-reply"],
    );
    let last = spare.iter().find(|m| *m != new).unwrap();
    assert!(said.contains(&format!("replaced by {last}")), "{said}");
    let (plan, said) = plan_w48(dir.path(), db, &["--replace", last, "--reason", "spam"]);
    assert!(said.contains("no other"), "{said}");
    assert_eq!(planned_emails(&plan), [drawn[1].clone()]);
    let bad = callqa(
        dir.path(),
        &[
            "plan",
            "--db",
            db,
            "--period",
            "2026-W48",
            "--replace",
            "m99@x",
            "--reason",
            "x",
        ],
    );
    assert!(!bad.status.success());
}
