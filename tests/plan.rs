//! `callqa plan` and `callqa reps` as a sales head and a script call them:
//! the demo's week drawn by rule, the same seed giving the same calls, a
//! late call changing nothing drawn, replacements kept, shortfalls said,
//! bad input refused with nothing stored, and the roster the import reads.

mod common;

use common::{callqa, text};

use callqa::domain::sampling::Period;
use callqa::store::Workspace;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

/// A workspace with `batch` imported; its path.
fn imported(dir: &Path, name: &str, batch: &Path) -> String {
    let db = dir.join(name).display().to_string();
    let out = callqa(
        dir,
        &[
            "import",
            batch.to_str().unwrap(),
            "--db",
            &db,
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stdout));
    db
}

/// `callqa plan ... --format json` of week 48, parsed; panics on failure.
fn plan_json(dir: &Path, db: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "plan", "--db", db, "--period", "2026-W48", "--format", "json",
    ];
    args.extend_from_slice(extra);
    let out = callqa(dir, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `(call_id, bucket)` of the entries still to review.
fn active(plan: &Value) -> BTreeSet<(String, String)> {
    plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["replaced"].is_null())
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("call_id"), s("bucket"))
        })
        .collect()
}

fn of_rep<'a>(plan: &'a Value, rep: &str, bucket: &str) -> Vec<&'a str> {
    plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rep"] == rep && e["bucket"] == bucket && e["replaced"].is_null())
        .map(|e| e["call_id"].as_str().unwrap())
        .collect()
}

#[test]
fn the_demo_week_is_planned_by_rule_and_split_by_rep() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path(), "ws.sqlite", &demo());
    let plan = plan_json(dir.path(), &db, &["--reviewers", "anna,boris"]);
    // Анна is on plan with four quality calls: the quota of three bites.
    let anna = of_rep(&plan, "Анна Смирнова", "quality");
    assert_eq!(anna.len(), 3, "{plan:#}");
    assert!(
        anna.iter()
            .all(|c| ["call-001", "call-005", "call-006", "call-008"].contains(c))
    );
    // The 26 s call is Игорь's telephony check; the one-way-audio call is
    // Kate's, whatever its length, because the analysis flagged it.
    assert_eq!(of_rep(&plan, "Игорь Петров", "telephony"), ["call-004"]);
    assert_eq!(of_rep(&plan, "Kate Miller", "telephony"), ["call-009"]);
    let call_009 = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["call_id"] == "call-009")
        .unwrap();
    assert_eq!(call_009["reason"]["why"], "flagged");
    // The newcomer and the rep under plan want more than they have: said.
    let short: HashMap<String, (u64, u64)> = plan["shortfalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let key = format!(
                "{} {}",
                s["rep"].as_str().unwrap(),
                s["bucket"].as_str().unwrap()
            );
            (
                key,
                (s["drawn"].as_u64().unwrap(), s["wanted"].as_u64().unwrap()),
            )
        })
        .collect();
    assert_eq!(short["Kate Miller quality"], (2, 3 + 3), "newcomer");
    assert_eq!(short["Игорь Петров quality"], (1, 3 + 2), "under plan");
    assert_eq!(short["Анна Смирнова telephony"], (0, 1));
    assert_eq!(short["Игорь Петров email"], (1, 2 + 1), "one email sent");
    // Анна's other email answers a mystery shopper: reviewed with the visit.
    assert_eq!(short["Анна Смирнова email"], (1, 2));
    assert_eq!(short.len(), 5, "{short:?}");
    assert_eq!(plan["unrostered"].as_array().unwrap().len(), 0);
    // Each rep with one reviewer, both reviewers with work; week 49's calls
    // are not in week 48's plan.
    let mut reviewer_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for e in plan["entries"].as_array().unwrap() {
        reviewer_of
            .entry(e["rep"].as_str().unwrap())
            .or_default()
            .insert(e["reviewer"].as_str().unwrap());
        assert!(!["call-010", "call-011"].contains(&e["call_id"].as_str().unwrap()));
    }
    assert!(
        reviewer_of.values().all(|r| r.len() == 1),
        "{reviewer_of:?}"
    );
    let used: BTreeSet<&str> = reviewer_of.values().flatten().copied().collect();
    assert_eq!(used.len(), 2);
    // The email bucket: two of each rep's outgoing emails, one more for
    // the newcomer and the rep under plan, each with the reviewer of the
    // rep's calls.
    let emails = plan["emails"].as_array().unwrap();
    let of = |rep: &str| emails.iter().filter(|e| e["rep"] == rep).count();
    assert_eq!(
        (of("Kate Miller"), of("Анна Смирнова"), of("Игорь Петров")),
        (3, 1, 1),
        "{plan:#}"
    );
    assert!(
        emails
            .iter()
            .all(|e| e["message_id"] != "d1-morozov@solar-dom.example")
    );
    assert!(emails.iter().any(|e| e["reason"]["why"] == "newcomer"));
    for e in emails {
        let reviewer = e["reviewer"].as_str().unwrap();
        assert_eq!(reviewer_of[e["rep"].as_str().unwrap()], [reviewer].into());
        let id = e["message_id"].as_str().unwrap();
        assert!(plan["email_details"][id]["subject"].is_string(), "{plan:#}");
    }

    // The table a sales head reads, from the stored plan.
    let out = callqa(dir.path(), &["plan", "--db", &db, "--period", "2026-W48"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    for needle in [
        "Review plan for 2026-W48",
        "newcomer",
        "under plan",
        "2/6 short",
        "1/5 short",
        "flagged by the audio: one-way-audio",
        "0:26",
        "\nEmails\n",
        "Игорь Петров (emails): 1/3 — fewer outgoing emails",
    ] {
        assert!(table.contains(needle), "{needle:?} in\n{table}");
    }
    // A spreadsheet row per planned call and email.
    let csv = callqa(
        dir.path(),
        &[
            "plan", "--db", &db, "--period", "2026-W48", "--format", "csv",
        ],
    );
    assert_eq!(
        text(&csv.stdout).lines().count(),
        1 + active(&plan).len() + emails.len()
    );
}

#[test]
fn the_same_seed_draws_the_same_calls_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let one = imported(dir.path(), "one.sqlite", &demo());
    let two = imported(dir.path(), "two.sqlite", &demo());
    let a = plan_json(dir.path(), &one, &["--seed", "client-2026"]);
    let b = plan_json(dir.path(), &two, &["--seed", "client-2026"]);
    assert_eq!(active(&a), active(&b));
    assert_eq!(a["seed"], "client-2026");
    // Without a seed, both derive the same one from the week and its calls.
    let three = imported(dir.path(), "three.sqlite", &demo());
    let four = imported(dir.path(), "four.sqlite", &demo());
    let c = plan_json(dir.path(), &three, &[]);
    let d = plan_json(dir.path(), &four, &[]);
    assert_eq!((&c["seed"], active(&c)), (&d["seed"], active(&d)));
    // Another seed may draw other calls, but never other numbers.
    let e = plan_json(
        dir.path(),
        &imported(dir.path(), "five.sqlite", &demo()),
        &["--seed", "x"],
    );
    assert_eq!(active(&e).len(), active(&a).len());
    // A stored plan keeps its seed.
    let out = callqa(
        dir.path(),
        &[
            "plan", "--db", &one, "--period", "2026-W48", "--seed", "other",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("client-2026"),
        "{}",
        text(&out.stderr)
    );
}

/// The demo batch copied, `calls.csv` without the rows of `left_out`.
fn demo_without(dir: &Path, left_out: &[&str]) -> PathBuf {
    let copy = dir.join("batch");
    let status = Command::new("cp")
        .arg("-r")
        .arg(demo())
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let calls = std::fs::read_to_string(demo().join("calls.csv")).unwrap();
    let kept: Vec<&str> = calls
        .lines()
        .filter(|l| !left_out.iter().any(|id| l.starts_with(&format!("{id},"))))
        .collect();
    std::fs::write(copy.join("calls.csv"), kept.join("\n") + "\n").unwrap();
    copy
}

#[test]
fn a_later_call_of_the_same_week_changes_nothing_drawn() {
    let dir = tempfile::tempdir().unwrap();
    // Friday's calls arrive after the plan was drawn.
    let batch = demo_without(dir.path(), &["call-007", "call-008", "call-009"]);
    let db = imported(dir.path(), "ws.sqlite", &batch);
    let before = plan_json(dir.path(), &db, &["--reviewers", "anna,boris"]);
    assert_eq!(of_rep(&before, "Анна Смирнова", "quality").len(), 3);
    std::fs::copy(demo().join("calls.csv"), batch.join("calls.csv")).unwrap();
    let out = callqa(
        dir.path(),
        &["import", batch.to_str().unwrap(), "--db", &db],
    );
    assert!(out.status.success(), "{}", text(&out.stdout));
    let after = plan_json(dir.path(), &db, &[]);
    assert_eq!(after["seed"], before["seed"]);
    let (was, is) = (active(&before), active(&after));
    assert!(was.is_subset(&is), "{was:?}\n{is:?}");
    // Анна's quota was full: her late call stays out. Kate's late calls
    // fill what she was short of, with the reviewer who has her.
    assert_eq!(
        of_rep(&after, "Анна Смирнова", "quality"),
        of_rep(&before, "Анна Смирнова", "quality")
    );
    assert_eq!(is.difference(&was).count(), 2, "{is:?}");
    let kate: BTreeSet<&str> = after["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rep"] == "Kate Miller")
        .map(|e| e["reviewer"].as_str().unwrap())
        .collect();
    assert_eq!(kate.len(), 1, "{after:#}");
}

/// `callqa plan --replace CALL --reason REASON` of week 48, as JSON.
fn replace(dir: &Path, db: &str, call: &str, reason: &str) -> Output {
    let args = [
        "plan",
        "--db",
        db,
        "--period",
        "2026-W48",
        "--format",
        "json",
        "--replace",
        call,
        "--reason",
        reason,
    ];
    callqa(dir, &args)
}

#[test]
fn a_replaced_call_stays_in_the_history_and_the_next_one_comes_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path(), "ws.sqlite", &demo());
    let plan = plan_json(dir.path(), &db, &["--reviewers", "anna"]);
    let drawn = of_rep(&plan, "Анна Смирнова", "quality");
    let victim = drawn[0].to_string();
    let spare = ["call-001", "call-005", "call-006", "call-008"]
        .into_iter()
        .find(|c| !drawn.contains(c))
        .unwrap();
    let out = replace(dir.path(), &db, &victim, "a fax, not a conversation");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("{victim}: replaced by {spare}")),
        "{}",
        text(&out.stderr)
    );
    // Shown again later: both calls, the old one with its reason.
    let after = plan_json(dir.path(), &db, &[]);
    let entries = after["entries"].as_array().unwrap();
    let old = entries
        .iter()
        .find(|e| e["call_id"] == victim.as_str())
        .unwrap();
    let new = entries.iter().find(|e| e["call_id"] == spare).unwrap();
    assert_eq!(old["replaced"], "a fax, not a conversation");
    assert_eq!(new["reason"]["why"], "replacement");
    assert_eq!(new["reason"]["replaces"], victim.as_str());
    assert_eq!(new["reviewer"], "anna");
    assert_eq!(of_rep(&after, "Анна Смирнова", "quality").len(), 3);

    // Nothing left to replace with: said, and the plan is one call short.
    let last = of_rep(&after, "Анна Смирнова", "quality")[0].to_string();
    let out = replace(dir.path(), &db, &last, "English");
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("no other call"),
        "{}",
        text(&out.stderr)
    );
    // A call that is not (or no longer) in the plan: refused, nothing changed.
    let before = plan_json(dir.path(), &db, &[]);
    for call in [victim.as_str(), "call-010"] {
        let out = replace(dir.path(), &db, call, "x");
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("not in the plan"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(plan_json(dir.path(), &db, &[]), before);
}

#[test]
fn bad_input_is_named_and_nothing_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path(), "ws.sqlite", &demo());
    let rules = |name: &str, from: &str, to: &str| -> String {
        let path = dir.path().join(name);
        let text = callqa::domain::sampling::DEFAULT_SAMPLING_TOML.replace(from, to);
        assert_ne!(text, callqa::domain::sampling::DEFAULT_SAMPLING_TOML);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let typo = rules("typo.toml", "newcomer_days", "newcomer_dayz");
    let negative = rules("negative.toml", "quality = 3", "quality = -3");
    let overlap = rules("overlap.toml", "from_s = 40", "from_s = 30");
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["--period", "2026-W60"],
            vec!["--period", "2026-W60", "2026-W48"],
        ),
        (vec!["--period", "next week"], vec!["--period", "next week"]),
        (
            vec!["--reviewers", " , "],
            vec!["--reviewers", "at least one reviewer"],
        ),
        (vec!["--rules", &typo], vec!["typo.toml", "newcomer_dayz"]),
        (vec!["--rules", &negative], vec!["negative.toml", "quality"]),
        (vec!["--rules", &overlap], vec!["overlap.toml", "overlaps"]),
        (
            vec!["--rules", "/no/such/rules.toml"],
            vec!["/no/such/rules.toml"],
        ),
        (vec!["--seed", " "], vec!["--seed"]),
    ];
    for (args, needles) in cases {
        let mut all = vec!["plan", "--db", &db];
        all.extend(&args);
        let out = callqa(dir.path(), &all);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{needle:?} in {err}");
        }
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let ws = Workspace::open_existing(Path::new(&db)).unwrap();
    for week in ["2026-W48", "2026-W49"] {
        assert_eq!(
            ws.plan(Period::parse(week).unwrap()).unwrap(),
            None,
            "{week}"
        );
    }
    assert_eq!(ws.sampling_rules().unwrap(), None, "no rules stored either");
}

#[test]
fn rules_given_once_stay_with_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path(), "ws.sqlite", &demo());
    let path = dir.path().join("rules.toml");
    let lenient = callqa::domain::sampling::DEFAULT_SAMPLING_TOML
        .replace("version = 2", "version = 3")
        .replace("quality = 3", "quality = 2");
    std::fs::write(&path, lenient).unwrap();
    let plan = plan_json(dir.path(), &db, &["--rules", path.to_str().unwrap()]);
    assert_eq!(plan["rules_version"], 3);
    assert_eq!(of_rep(&plan, "Анна Смирнова", "quality").len(), 2);
    // The next week, without --rules: the workspace's version 3.
    let out = callqa(
        dir.path(),
        &[
            "plan", "--db", &db, "--period", "2026-W49", "--format", "json",
        ],
    );
    let next: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(next["rules_version"], 3);
}

#[test]
fn the_roster_comes_with_the_batch_and_bad_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    common::write_wav(&batch.join("a.wav"), 1.0, 8000);
    common::write(
        &batch.join("calls.csv"),
        &format!(
            "{}c1,2026-11-23T10:00:00+03:00,Анна Смирнова,out,+79160000001,a.wav,,\n\
             c2,2026-11-24T10:00:00+03:00,Гость,out,+79160000002,a.wav,,\n",
            common::CALLS_HEADER
        ),
    );
    common::write(
        &batch.join("crm/reps.csv"),
        "rep,started_on,team,plan_pct\n\
         анна  смирнова,2026-11-01,Юг,85\n\
         Борис,вчера,Юг,100\n\
         Вера,2020-01-01,Север,много\n",
    );
    let db = dir.path().join("ws.sqlite").display().to_string();
    let out = callqa(
        dir.path(),
        &[
            "import",
            batch.to_str().unwrap(),
            "--db",
            &db,
            "--lang",
            "en",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("crm/reps.csv:3: Борис: started_on"),
        "{stdout}"
    );
    assert!(
        stdout.contains("crm/reps.csv:4: Вера: plan_pct"),
        "{stdout}"
    );
    assert!(stdout.contains("calls     2 new"), "{stdout}");

    let out = callqa(
        dir.path(),
        &[
            "reps",
            "--db",
            &db,
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "rep,team,started_on,plan_pct,newcomer_until,newcomer,under_plan,in_roster"
    );
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows.contains(&"Гость,,,,,0,0,0"), "{csv}");
    assert!(
        rows.contains(&"анна  смирнова,Юг,2026-11-01,85,2027-01-29,1,1,1"),
        "{csv}"
    );

    let out = callqa(dir.path(), &["reps", "--db", &db, "--as-of", "2026-11-23"]);
    let table = text(&out.stdout);
    assert!(table.starts_with("Reps as of 2026-11-23"), "{table}");
    assert!(
        table.contains("newcomer, under plan (until 2027-01-29)"),
        "{table}"
    );
    assert!(table.contains("not in the roster"), "{table}");
    let out = callqa(dir.path(), &["reps", "--db", &db, "--as-of", "23.11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--as-of"),
        "{}",
        text(&out.stderr)
    );

    // The plan names the rep missing from the roster.
    let out = callqa(dir.path(), &["plan", "--db", &db, "--period", "2026-W48"]);
    let table = text(&out.stdout);
    assert!(table.contains("Гость: not in the roster"), "{table}");
}
