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
