//! `callqa audit` on the demo batch: the numbers the demo data contains.

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .env("CALLQA_DATA_DIR", dir.join("data"))
        .env("CALLQA_CONFIG_DIR", dir.join("config"))
        .env_remove("CALLQA_DB")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| match x {
            serde_json::Value::String(s) => s.clone(),
            other => other["id"].as_str().unwrap().to_string(),
        })
        .collect();
    ids.sort();
    ids
}

fn demo_workspace(dir: &Path) -> String {
    let db = dir.join("w.sqlite").display().to_string();
    let demo = format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"));
    let (ok, out, err) = run(dir, &["import", &demo, "--db", &db, "--lang", "en"]);
    assert!(ok, "{out}{err}");
    db
}

#[test]
fn demo_audit_finds_what_the_demo_contains() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path());
    let (ok, out, err) = run(dir.path(), &["audit", "--format", "json", "--db", &db]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let all = &report["overall"];
    assert_eq!(
        ids(&all["overdue_tasks"]),
        ["T-301", "T-302", "T-303", "T-306"]
    );
    assert_eq!(all["oldest_overdue"], "2026-11-13T18:00:00+03:00");
    let missing = &all["contacts_missing_fields"];
    assert_eq!(ids(missing), ["K-104"]);
    assert_eq!(
        missing[0]["fields"],
        serde_json::json!(["role", "email", "industry", "segment"])
    );
    assert_eq!(
        ids(&all["calls_without_write_up"]),
        ["call-002", "call-012"]
    );
    assert_eq!(ids(&all["not_contacted_1m"]), ["K-108", "K-109"]);
    assert_eq!(ids(&all["not_contacted_3m"]), ["K-109"]);
    assert_eq!(ids(&all["not_contacted_12m"]), ["K-109"]);
    let igor = report["reps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rep"] == "Игорь Петров")
        .unwrap();
    assert_eq!(ids(&igor["overdue_tasks"]), ["T-302"]);
    assert_eq!(
        ids(&igor["calls_without_write_up"]),
        ["call-002", "call-012"]
    );
}

#[test]
fn as_of_and_required_fields_change_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path());
    let (ok, out, err) = run(
        dir.path(),
        &[
            "audit",
            "--format",
            "json",
            "--as-of",
            "2026-11-20",
            "--db",
            &db,
        ],
    );
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    // On 20.11 only the proposal due 13.11 was late; T-305 was done.
    assert_eq!(ids(&report["overall"]["overdue_tasks"]), ["T-302"]);

    let (ok, out, err) = run(
        dir.path(),
        &[
            "audit",
            "--format",
            "json",
            "--required",
            "contact.company",
            "--db",
            &db,
        ],
    );
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["overall"]["contacts_missing_fields"][0]["fields"],
        serde_json::json!(["company"])
    );
    // The setting stays with the workspace.
    let (_, out, _) = run(dir.path(), &["audit", "--format", "json", "--db", &db]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["required"]["contact"],
        serde_json::json!(["company"])
    );

    let (ok, _, err) = run(dir.path(), &["audit", "--as-of", "yesterday", "--db", &db]);
    assert!(!ok);
    assert!(err.contains("--as-of") && err.lines().count() == 1, "{err}");
    let (ok, _, err) = run(
        dir.path(),
        &["audit", "--required", "contact.shoe", "--db", &db],
    );
    assert!(!ok && err.contains("unknown field"), "{err}");
}

#[test]
fn table_and_csv_read_well() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path());
    let (ok, out, _) = run(dir.path(), &["audit", "--db", &db]);
    assert!(ok);
    assert!(out.starts_with("CRM audit as of 2026-11-30"), "{out}");
    let all = out.lines().find(|l| l.starts_with("ALL")).unwrap();
    let cells: Vec<&str> = all.split_whitespace().collect();
    assert_eq!(cells[1..5], ["1", "0", "4", "2026-11-13"], "{all}");
    let csv_path = dir.path().join("audit.csv");
    let (ok, _, _) = run(
        dir.path(),
        &[
            "audit",
            "--format",
            "csv",
            "--out",
            csv_path.to_str().unwrap(),
            "--db",
            &db,
        ],
    );
    assert!(ok);
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h == "overdue_tasks_ids")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let total = rows.iter().find(|r| &r[0] == "*").unwrap();
    let mut overdue: Vec<&str> = total[col].split(' ').collect();
    overdue.sort();
    assert_eq!(overdue, ["T-301", "T-302", "T-303", "T-306"]);
}
