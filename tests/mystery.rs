//! Mystery shopping through the real binary: `mystery/visits.csv` imported
//! with its bad rows named, and `callqa mystery` on the demo's visits with
//! the speeds and verdicts they must give.

mod common;

use common::{CALLS_HEADER, callqa, text, write, write_wav};
use serde_json::Value;

fn demo() -> String {
    format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"))
}

/// `callqa mystery --format json` rows of the workspace `db`.
fn mystery_json(dir: &std::path::Path, db: &str, more: &[&str]) -> Vec<Value> {
    let mut args = vec!["mystery", "--db", db, "--format", "json"];
    args.extend(more);
    let out = callqa(dir, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn bad_visits_are_named_with_file_and_line_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    write_wav(&batch.join("a.wav"), 1.0, 8000);
    write(
        &batch.join("calls.csv"),
        &format!(
            "{CALLS_HEADER}c1,2026-11-23T10:00:20+03:00,Анна Смирнова,in,+79160000001,a.wav,,\n"
        ),
    );
    write(
        &batch.join("mystery/visits.csv"),
        "visit_id,scenario,channel,shopper,rep,team,requested_at,answered_at,proposal_at,callback_at,call_id,message_id\n\
         V-1,Панели,call,Ольга,Анна Смирнова,,2026-11-23T10:00:00+03:00,2026-11-23T10:00:20+03:00,,,c1,\n\
         V-2,Панели,call,Ольга,Анна Смирнова,,2026-11-23T10:00:00+03:00,,,2026-11-22T18:00:00+03:00,,\n\
         V-3,Панели,telegram,Ольга,,Юг,2026-11-23T10:00:00+03:00,,,,,\n\
         V-4,Панели,email,Ольга,,Юг,2026-11-23T10:00:00+03:00,23.11 в обед,,,,\n\
         V-5,Панели,call,Ольга,,Юг,2026-11-23T10:00:00+03:00,,,,c9,\n",
    );
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    let out = callqa(
        dir.path(),
        &[
            "import",
            batch.to_str().unwrap(),
            "--db",
            db,
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let skipped: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("skipped"))
        .collect();
    let expected = [
        "skipped: mystery/visits.csv:3: V-2: callback_at 2026-11-22T18:00:00+03:00 is before requested_at 2026-11-23T10:00:00+03:00",
        "skipped: mystery/visits.csv:4: V-3: channel \"telegram\" is not one of call, email, web_form, messenger",
        "skipped: mystery/visits.csv:5: V-4: answered_at: time \"23.11 в обед\" does not parse",
        "skipped: mystery/visits.csv:6: V-5: call_id \"c9\" is not in this batch's calls.csv",
    ];
    assert_eq!(skipped.len(), expected.len(), "{stdout}");
    for (line, start) in skipped.iter().zip(expected) {
        assert!(line.starts_with(start), "{line}\nexpected: {start}");
    }
    // The good row went in, with its call.
    let visits = mystery_json(dir.path(), db, &["--as-of", "2026-11-24"]);
    assert_eq!(visits.len(), 1, "{visits:?}");
    assert_eq!(visits[0]["visit"]["visit_id"], "V-1");
    assert_eq!(visits[0]["visit"]["call_id"], "c1");
    assert_eq!(visits[0]["speeds"][0]["seconds"], 20);
    assert_eq!(visits[0]["speeds"][0]["verdict"], "in_time");
}

#[test]
fn the_demo_visits_give_their_speeds_and_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    let import = callqa(dir.path(), &["import", &demo(), "--db", db, "--lang", "en"]);
    assert!(import.status.success(), "{}", text(&import.stdout));

    let visits = mystery_json(dir.path(), db, &["--as-of", "2026-12-06"]);
    let measured: Vec<(String, Vec<(Value, String)>)> = visits
        .iter()
        .map(|v| {
            let speeds = v["speeds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["seconds"].clone(),
                        s["verdict"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (v["visit"]["visit_id"].as_str().unwrap().to_string(), speeds)
        })
        .collect();
    let speed = |seconds: Option<i64>, verdict: &str| {
        (
            seconds.map_or(Value::Null, Value::from),
            verdict.to_string(),
        )
    };
    let expected = vec![
        // By messenger: 25 min to answer against 15.
        (
            "MS-03",
            vec![
                speed(Some(25 * 60), "slow"),
                speed(Some(4 * 3600 + 30 * 60), "in_time"),
                speed(Some(20 * 3600 + 30 * 60), "in_time"),
            ],
        ),
        // Web form answered the next morning, no proposal ever.
        (
            "MS-04",
            vec![
                speed(Some(13 * 3600 + 25 * 60), "slow"),
                speed(None, "missing"),
                speed(None, "not_applicable"),
            ],
        ),
        // By email: quick, proposal the same day, never called back.
        (
            "MS-02",
            vec![
                speed(Some(55 * 60), "in_time"),
                speed(Some(8 * 3600 + 35 * 60), "in_time"),
                speed(None, "missing"),
            ],
        ),
        // The shopper's call: picked up in 25 s, the proposal two days late.
        (
            "MS-01",
            vec![
                speed(Some(25), "in_time"),
                speed(Some(2 * 86_400 + 6 * 3600 + 25), "slow"),
                speed(Some(17 * 3600), "in_time"),
            ],
        ),
    ];
    let expected: Vec<(String, Vec<(Value, String)>)> = expected
        .into_iter()
        .map(|(id, s)| (id.to_string(), s))
        .collect();
    assert_eq!(measured, expected);
    // The evidence: a shopper call of the demo, an email by its Message-ID.
    assert_eq!(
        visits[2]["visit"]["message_id"],
        "d1-morozov@solar-dom.example"
    );
    assert_eq!(visits[3]["visit"]["call_id"], "call-012");

    // Before the proposal's limit has passed, a missing callback is waited for.
    let early = mystery_json(
        dir.path(),
        db,
        &["--as-of", "2026-11-27", "--period", "2026-W48"],
    );
    assert_eq!(early.len(), 3);
    assert_eq!(early[2]["speeds"][2]["verdict"], "waiting");

    // The table, by rep, in Russian, names the limits it judged by.
    let table = callqa(
        dir.path(),
        &[
            "mystery",
            "--db",
            db,
            "--as-of",
            "2026-12-06",
            "--rep",
            "игорь  петров",
            "--lang",
            "ru",
        ],
    );
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("MS-")).collect();
    assert_eq!(rows.len(), 1, "{table}");
    assert!(
        rows[0].contains("25с в срок") && rows[0].contains("2д 6ч МЕДЛЕННО"),
        "{}",
        rows[0]
    );
    assert!(table.contains("Нормативы (правила v1"), "{table}");
    assert!(
        table.contains("звонок: ответ 30с, КП 1д, перезвон 2д"),
        "{table}"
    );
}

#[test]
fn limits_given_once_stay_with_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    callqa(dir.path(), &["import", &demo(), "--db", db]);
    let rules = dir.path().join("mystery.toml");
    let strict = callqa::domain::mystery::DEFAULT_MYSTERY_TOML
        .replacen("version = 1", "version = 2", 1)
        .replacen("pick_up = \"30s\"", "pick_up = \"20s\"", 1);
    std::fs::write(&rules, &strict).unwrap();
    let with_rules = mystery_json(
        dir.path(),
        db,
        &["--as-of", "2026-12-06", "--rules", rules.to_str().unwrap()],
    );
    let ms01 = |rows: &[Value]| {
        rows.iter()
            .find(|v| v["visit"]["visit_id"] == "MS-01")
            .unwrap()
            .clone()
    };
    assert_eq!(ms01(&with_rules)["speeds"][0]["verdict"], "slow");
    // Next time without --rules: the workspace's version 2.
    let later = mystery_json(dir.path(), db, &["--as-of", "2026-12-06"]);
    assert_eq!(ms01(&later)["rules_version"], 2);
    assert_eq!(ms01(&later)["speeds"][0]["limit_seconds"], 20);
    // Version 2 with other limits is refused, naming the file.
    std::fs::write(&rules, strict.replacen("\"20s\"", "\"10s\"", 1)).unwrap();
    let out = callqa(
        dir.path(),
        &["mystery", "--db", db, "--rules", rules.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("mystery.toml") && err.contains("raise `version`"),
        "{err}"
    );
}
