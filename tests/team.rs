//! A team on one workspace: calibration (calls two reviewers and a lead
//! score blind, their agreement against hand-computed figures, the agreed
//! version counted once) and disputes (a feedback sheet filled in by the
//! rep, read back, resolved in the workstation, shown in the report),
//! through the command line and the workstation.

mod common;
mod tmux_support;
mod workstation_support;

use calamine::{Data, Reader, open_workbook_auto};
use callqa::domain::{AnswerValue, Checklist, Lang};
use callqa::store::{AnswerChange, Workspace};
use common::{
    CALLS_HEADER, Logins, as_user, callqa, chromium, headless, text, unzip, write, write_wav,
};
use ratatui::crossterm::event::KeyCode;
use std::path::{Path, PathBuf};
use tmux_support::{Tmux, demo_workspace, review_command};
use workstation_support::{chars, open_app, press, screen};

/// Three calls of one rep in ISO week 2026-W48, imported with the CLI.
fn workspace(dir: &Path) -> PathBuf {
    let batch = dir.join("batch");
    for name in ["c1", "c2", "c3"] {
        write_wav(&batch.join(format!("{name}.wav")), 2.0, 8000);
    }
    write(
        &batch.join("calls.csv"),
        &format!(
            "{CALLS_HEADER}\
             c1,2026-11-23T10:00:00+03:00,Анна Смирнова,in,+79120000001,c1.wav,,\n\
             c2,2026-11-24T10:00:00+03:00,Анна Смирнова,in,+79120000002,c2.wav,,\n\
             c3,2026-11-25T10:00:00+03:00,Анна Смирнова,out,+79120000003,c3.wav,,\n"
        ),
    );
    let db = dir.join("ws.sqlite");
    let out = callqa(
        dir,
        &[
            "import",
            batch.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

/// A submitted review with only `greeting` and `introduced` answered.
fn review(ws: &mut Workspace, call: &str, reviewer: &str, greeting: bool, introduced: bool) -> i64 {
    let checklist = Checklist::default_sales_call();
    let call = ws.call(call).unwrap();
    let id = ws
        .start_review(&call, reviewer, &checklist, Vec::new())
        .unwrap()
        .review_id;
    for (item, yes) in [("greeting", greeting), ("introduced", introduced)] {
        let value = if yes {
            AnswerValue::Yes
        } else {
            AnswerValue::No
        };
        ws.change_answer(id, &checklist, item, AnswerChange::Value(Some(value)))
            .unwrap();
    }
    ws.submit_review(id, &checklist).unwrap();
    id
}

fn run(dir: &Path, db: &Path, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--db", db.to_str().unwrap(), "--lang", "en"]);
    callqa(dir, &all)
}

fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn close(actual: &serde_json::Value, expected: f64) {
    let actual = actual.as_f64().unwrap_or(f64::NAN);
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

/// The element of a JSON list whose `key` is `value`.
fn find(list: &serde_json::Value, key: &str, value: &str) -> serde_json::Value {
    let list = list.as_array().unwrap();
    list.iter().find(|e| e[key] == value).unwrap().clone()
}

/// The report of week 48 in `format` (json or html), as text.
fn week_report(dir: &Path, db: &Path, format: &str) -> String {
    let out = dir.join(format!("report.{format}"));
    let out_text = out.to_str().unwrap();
    let args = ["report", "--period", "2026-W48", "--format", format];
    ok(run(dir, db, &[&args[..], &["--out", out_text]].concat()));
    std::fs::read_to_string(out).unwrap()
}

/// The report's JSON for week 48: which reviewers' reviews counted.
fn counted(dir: &Path, db: &Path) -> serde_json::Value {
    serde_json::from_str(&week_report(dir, db, "json")).unwrap()
}

#[test]
fn calibration_figures_match_the_hand_computed_ones_and_only_the_agreed_version_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    ok(run(
        dir.path(),
        &db,
        &[
            "calibration",
            "mark",
            "c1",
            "c2",
            "--reviewers",
            "anna,boris",
            "--lead",
            "lead",
            "--set",
            "w48",
        ],
    ));
    let mut ws = Workspace::open_existing(&db).unwrap();
    // (call, reviewer, greeting, introduced)
    let mut ids = Vec::new();
    for (call, who, g, i) in [
        ("c1", "lead", true, true),
        ("c1", "anna", true, false),
        ("c1", "boris", true, true),
        ("c2", "lead", false, true),
        ("c2", "anna", false, false),
        ("c2", "boris", true, true),
    ] {
        ids.push(review(&mut ws, call, who, g, i));
    }
    // The scores the deviations stand on: the share of answered items passed.
    assert_eq!(
        ws.review("c1", "anna", "sales-call")
            .unwrap()
            .unwrap()
            .score,
        Some(50.0)
    );
    assert_eq!(
        ws.review("c2", "anna", "sales-call")
            .unwrap()
            .unwrap()
            .score,
        Some(0.0)
    );
    drop(ws);

    let json: serde_json::Value = serde_json::from_str(&ok(run(
        dir.path(),
        &db,
        &["calibration", "show", "--format", "json"],
    )))
    .unwrap();
    let set = &json[0];
    assert_eq!(set["name"], "w48");
    assert_eq!(set["figures"]["calls"], 2);
    let item = |id: &str| find(&set["figures"]["items"], "item_id", id);
    // greeting: c1 yes yes yes, c2 no no yes: 4 of 6 pairs agree;
    // alpha = 1 - (6-1) * 2 / (36 - 4² - 2²) = 0.375.
    let greeting = item("greeting");
    close(&greeting["percent"]["value"], 4.0 / 6.0);
    assert_eq!(greeting["percent"]["pairs"], 6);
    close(&greeting["alpha"]["value"], 0.375);
    assert_eq!(greeting["alpha"]["units"], 2);
    assert_eq!(greeting["alpha"]["small_sample"], true);
    // introduced: yes no yes twice: 2 of 6; alpha = 1 - 5 * 4 / 16.
    let introduced = item("introduced");
    close(&introduced["percent"]["value"], 2.0 / 6.0);
    close(&introduced["alpha"]["value"], -0.25);
    // Nobody answered the summary: nothing to pair, undefined.
    assert!(item("summary")["alpha"]["value"].is_null());
    assert_eq!(item("summary")["alpha"]["units"], 0);

    let reviewer = |name: &str| find(&set["figures"]["reviewers"], "reviewer", name);
    // anna vs lead: 2 of 4 agree, p_e = 1/4·3/4 + 3/4·1/4: kappa 0.2.
    let anna = reviewer("anna");
    close(&anna["kappa_vs_lead"]["value"], 0.2);
    assert_eq!(anna["kappa_vs_lead"]["units"], 4);
    // boris said yes to everything: p_o = p_e = 3/4, kappa 0.
    close(&reviewer("boris")["kappa_vs_lead"]["value"], 0.0);
    assert!(reviewer("lead")["kappa_vs_lead"].is_null());
    // Means per call: c1 250/3, c2 50. anna 50 and 0: -125/3 / 2 each way.
    close(
        &anna["deviation"]["value"],
        ((50.0 - 250.0 / 3.0) + (0.0 - 50.0)) / 2.0,
    );
    close(
        &reviewer("boris")["deviation"]["value"],
        ((100.0 - 250.0 / 3.0) + 50.0) / 2.0,
    );
    assert_eq!(anna["deviation"]["calls"], 2);

    let table = ok(run(dir.path(), &db, &["calibration", "show"]));
    assert!(
        table.contains("set w48: lead lead; reviewers anna, boris; calls 2"),
        "{table}"
    );
    assert!(
        table.contains("66.7%") && table.contains("0.375"),
        "{table}"
    );
    assert!(table.contains("(small sample)"), "{table}");

    // Calibration reviews are not the rep's results until one is agreed.
    assert_eq!(counted(dir.path(), &db)["results"]["quality_reviews"], 0);
    let agreed = ids[0].to_string();
    ok(run(
        dir.path(),
        &db,
        &["calibration", "agree", "c1", "--review", &agreed],
    ));
    assert_eq!(counted(dir.path(), &db)["results"]["quality_reviews"], 1);
    // A review of another call is refused, and nothing changes.
    let other = ids[3].to_string();
    let out = run(
        dir.path(),
        &db,
        &["calibration", "agree", "c1", "--review", &other],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not a review of call c1"),
        "{}",
        text(&out.stderr)
    );
    ok(run(
        dir.path(),
        &db,
        &["calibration", "agree", "c1", "--none"],
    ));
    assert_eq!(counted(dir.path(), &db)["results"]["quality_reviews"], 0);

    let page = week_report(dir.path(), &db, "html");
    assert!(
        page.contains("<section id=\"calibration\">"),
        "no calibration section"
    );
    assert!(page.contains("0.375"));
}

/// The sheet of `book` whose table has the key columns: its cells as text,
/// and the rows of the header and of the first data row.
fn work_on_sheet(book: &Path) -> (String, Vec<Vec<String>>) {
    let mut workbook = open_workbook_auto(book).unwrap();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        if rows.iter().any(|r| r.iter().any(|c| c == "review_id")) {
            return (name, rows);
        }
    }
    panic!("no sheet with review_id in {}", book.display());
}

#[test]
fn a_dispute_goes_from_the_feedback_sheet_to_a_resolution_in_the_workstation_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    let mut ws = Workspace::open_existing(&db).unwrap();
    let disputed = review(&mut ws, "c3", "tester", false, false);
    drop(ws);

    let folder = dir.path().join("feedback");
    let mut args = vec![
        "feedback", "--period", "2026-W48", "--format", "both", "--out",
    ];
    args.push(folder.to_str().unwrap());
    ok(run(dir.path(), &db, &args));
    let sheet_html = std::fs::read_to_string(folder.join("Анна_Смирнова.html")).unwrap();
    assert!(sheet_html.contains("Response (agree / dispute)"));
    assert!(sheet_html.contains(&format!("{disputed} / greeting")));

    // The Response cells offer agree / dispute (sheet 3: what to work on),
    // and warn about anything else.
    let work_on = unzip(
        &folder.join("Анна_Смирнова.xlsx"),
        "xl/worksheets/sheet3.xml",
    );
    assert!(
        work_on.contains("<dataValidation type=\"list\"")
            && work_on.contains("errorStyle=\"warning\"")
            && work_on.contains("sqref=\"I5:I6\"><formula1>\"agree,dispute\"</formula1>"),
        "{work_on}"
    );

    // The rep fills in the sheet: a dispute, an acknowledgement, and a bad
    // row; the rest of the table stays as it was.
    let (sheet, mut rows) = work_on_sheet(&folder.join("Анна_Смирнова.xlsx"));
    let header = rows
        .iter()
        .position(|r| r.iter().any(|c| c == "review_id"))
        .unwrap();
    let col = |name: &str| rows[header].iter().position(|c| c == name).unwrap();
    let (response, reason, item) = (
        col("Response (agree / dispute)"),
        col("Reason"),
        col("item_id"),
    );
    let review_col = col("review_id");
    assert_eq!(rows.len(), header + 3, "two failed items");
    for row in &rows[header + 1..] {
        assert_eq!(row[review_col], disputed.to_string());
    }
    let greeting = (header + 1..rows.len())
        .find(|r| rows[*r][item] == "greeting")
        .unwrap();
    let introduced = (header + 1..rows.len())
        .find(|r| rows[*r][item] == "introduced")
        .unwrap();
    rows[greeting][response] = "dispute".into();
    rows[greeting][reason] = "I greeted the client at 0:01".into();
    rows[introduced][response] = "agree".into();
    let mut bad = rows[introduced].clone();
    bad[response] = "maybe".into();
    rows.push(bad);
    let filled = dir.path().join("filled.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let out_sheet = book.add_worksheet().set_name(&sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Ok(n) = cell.parse::<f64>() {
                out_sheet.write_number(r as u32, c as u16, n).unwrap();
            } else if !cell.is_empty() {
                out_sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    book.save(&filled).unwrap();

    let out = run(
        dir.path(),
        &db,
        &["responses", "import", filled.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad row makes the import partial"
    );
    let said = text(&out.stdout);
    let bad_row = rows.len();
    assert!(
        said.contains(&format!("filled.xlsx, sheet \"{sheet}\", row {bad_row}"))
            && said.contains("neither \"agree\" nor \"dispute\""),
        "{said}"
    );
    assert!(
        said.contains("2 new, 0 updated, 0 unchanged, 1 not recorded"),
        "{said}"
    );
    // Again: nothing new (the bad row is still named).
    let again = text(
        &run(
            dir.path(),
            &db,
            &["responses", "import", filled.to_str().unwrap()],
        )
        .stdout,
    );
    assert!(
        again.contains("0 new, 0 updated, 2 unchanged, 1 not recorded"),
        "{again}"
    );
    // A CSV with the same columns reads the same way.
    let csv = dir.path().join("filled.csv");
    write(
        &csv,
        &format!(
            "item,Response (agree / dispute),Reason,review_id,item_id\n\
             x,dispute,I greeted the client at 0:01,{disputed},greeting\n"
        ),
    );
    let from_csv = ok(run(
        dir.path(),
        &db,
        &["responses", "import", csv.to_str().unwrap()],
    ));
    assert!(
        from_csv.contains("0 new, 0 updated, 1 unchanged, 0 not recorded"),
        "{from_csv}"
    );

    let open = ok(run(dir.path(), &db, &["disputes", "--open"]));
    assert!(
        open.contains("I greeted the client at 0:01") && open.contains("open"),
        "{open}"
    );

    // The report says whose disputes are open, above the reps' figures.
    let page = week_report(dir.path(), &db, "html");
    assert!(
        page.contains("Open disputes (rep: n): Анна Смирнова: 1"),
        "no open-disputes note"
    );
    ok(run(dir.path(), &db, &args));
    let sheet_html = std::fs::read_to_string(folder.join("Анна_Смирнова.html")).unwrap();
    assert!(
        sheet_html.contains("Open disputes: 1"),
        "not on the rep's sheet"
    );

    // The reviewer resolves it in the workstation: changed to yes, with why.
    let mut app = open_app(&db, None, Lang::En);
    press(&mut app, KeyCode::Char('C'));
    press(&mut app, KeyCode::Tab);
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("I greeted the client at 0:01"), "{shown}");
    press(&mut app, KeyCode::Char('y'));
    chars(&mut app, "heard it at 0:01");
    press(&mut app, KeyCode::Enter);
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("score changed") && shown.contains("tester: heard it at 0:01"),
        "{shown}"
    );
    let stored = app
        .ws
        .review("c3", "tester", "sales-call")
        .unwrap()
        .unwrap();
    assert_eq!(stored.answers["greeting"].value, Some(AnswerValue::Yes));
    let kinds: Vec<String> = app
        .ws
        .review_events(disputed)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    let tail: Vec<&str> = kinds
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["reopen", "answer", "submit", "dispute_changed"]);
    let responded = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!((responded("disputed"), responded("acknowledged")), (1, 1));
    drop(app);

    assert!(ok(run(dir.path(), &db, &["disputes", "--open"])).contains("No disputes"));
    let page = week_report(dir.path(), &db, "html");
    assert!(!page.contains("Open disputes"), "none is open any more");
    // In a real browser: the disputes section with the outcome, the reason
    // and the score before and after (no item of two passed, then one).
    let Some(bin) = chromium() else {
        return;
    };
    let url = format!("file://{}", dir.path().join("report.html").display());
    let dom = headless(bin, &dir.path().join("profile"), &["--dump-dom", &url]);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let log = text(&dom.stderr);
    assert!(
        !log.contains("CONSOLE") && !log.contains("Uncaught"),
        "{log}"
    );
    let dom = text(&dom.stdout);
    let section = dom
        .split("<section id=\"disputes\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_else(|| panic!("no disputes section:\n{dom}"));
    let row = section
        .split("<tr")
        .find(|r| r.contains("heard it at 0:01"))
        .unwrap_or_else(|| panic!("no resolved row:\n{section}"));
    for shown in [
        "score changed",
        "I greeted the client at 0:01",
        "score before",
        "score after",
    ] {
        assert!(section.contains(shown), "{shown:?} missing:\n{section}");
    }
    assert!(row.contains(">0.0<") && row.contains(">50.0<"), "{row}");
}

/// c1 made a calibration call of `reviewers` (comma-separated), led by
/// "lead".
fn mark_c1(dir: &Path, db: &Path, reviewers: &str) {
    let mark = [
        "calibration",
        "mark",
        "c1",
        "--reviewers",
        reviewers,
        "--lead",
        "lead",
    ];
    ok(run(dir, db, &mark));
}

#[test]
fn a_member_scoring_blind_sees_no_figures_on_the_calibration_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    mark_c1(dir.path(), &db, "tester,boris");
    let mut ws = Workspace::open_existing(&db).unwrap();
    review(&mut ws, "c1", "boris", true, true);
    review(&mut ws, "c1", "lead", true, false);
    drop(ws);
    let mut app = open_app(&db, None, Lang::En);
    press(&mut app, KeyCode::Char('C'));
    let shown = screen(&mut app, 160, 40);
    assert!(
        shown.contains("hidden while you score this set blind. Submit your review of: c1"),
        "{shown}"
    );
    assert!(!shown.contains("kappa vs lead"), "{shown}");
    // The command refuses tester too, and says why; boris (submitted) and
    // the lead see the figures; only the lead may ask as the lead.
    let refused = run(
        dir.path(),
        &db,
        &["calibration", "show", "--reviewer", "tester"],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains(
            "tester still scores calibration set \"calibration\" blind: \
             its figures stay hidden until tester submits a review of c1"
        ),
        "{}",
        text(&refused.stderr)
    );
    for asker in [["--reviewer", "boris"], ["--lead", "lead"]] {
        let args = [&["calibration", "show"][..], &asker[..]].concat();
        assert!(ok(run(dir.path(), &db, &args)).contains("kappa vs lead"));
    }
    let not_lead = run(dir.path(), &db, &["calibration", "show", "--lead", "boris"]);
    assert!(
        text(&not_lead.stderr).contains("boris is not the lead of calibration set \"calibration\""),
        "{}",
        text(&not_lead.stderr)
    );
    // Not blind for someone outside the set.
    assert_eq!(app.ws.visible_reviews("vera", "c1").unwrap().len(), 2);
    assert_eq!(app.ws.visible_reviews("tester", "c1").unwrap().len(), 0);
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.calibration.is_none());
    // The checklist says which call is a calibration call, and only that one.
    let open = |app: &callqa::tui::app::App| app.review.open.as_ref().unwrap().call.call_id.clone();
    for _ in 0..3 {
        let shown = screen(&mut app, 160, 40);
        let marked = shown.contains("Sales call · calibration: calibration");
        assert!(
            shown.matches("calibration: calibration").count() <= 1,
            "{shown}"
        );
        assert_eq!(marked, open(&app) == "c1", "{}: {shown}", open(&app));
        press(&mut app, KeyCode::Down);
    }
}

/// The demo's call-001 and call-002 made calibration calls of `reviewers`
/// (comma-separated), led by "lead".
fn mark_the_demos_first_two_calls(dir: &Path, db: &Path, reviewers: &str) {
    let mark = [
        "calibration",
        "mark",
        "call-001",
        "call-002",
        "--reviewers",
        reviewers,
        "--lead",
        "lead",
    ];
    ok(run(dir, db, &mark));
}

/// The screen's line that holds `needle`, or an empty one.
fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen.lines().find(|l| l.contains(needle)).unwrap_or("")
}

#[test]
fn two_workstations_score_calibration_calls_blind_then_see_their_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_workspace(dir.path(), "team.sqlite");
    mark_the_demos_first_two_calls(dir.path(), &db, "anna,boris");
    let ws = Workspace::open_existing(&db).unwrap();
    for who in ["anna", "boris"] {
        callqa::reports::demo_reviews::open_on_the_current_week(&ws, who).unwrap();
    }
    drop(ws);
    let workstation = |who: &str| {
        let home = dir.path().join(who);
        std::fs::create_dir_all(&home).unwrap();
        review_command(&home, &db, who)
    };
    // Two terminals, one per workstation.
    let boris = Tmux::new("calibration-boris");
    boris.start(&workstation("boris"));
    boris.wait_for("call-001");
    // boris: greeted yes, introduced no, by name yes; submitted anyway.
    boris.keys(&["y", "n", "y", "s", "y"]);
    boris.wait_for("Submitted: call-001");

    // anna opens the same call after him, on the same file: none of his
    // answers, on the checklist or in the queue's mark.
    let anna = Tmux::new("calibration-anna");
    anna.start(&workstation("anna"));
    let screen = anna.wait_for("Checklist");
    assert!(screen.contains("call-001"), "{screen}");
    assert!(
        line_with(&screen, "Introduced themselves").contains(" 2 ·"),
        "{screen}"
    );
    assert!(!screen.contains("✘ no"), "{screen}");
    let queued = line_with(&screen, "23.11 10:15");
    assert!(!queued.contains("submitted"), "{queued}");
    anna.keys(&["C"]);
    let screen = anna.wait_for("Submit your review of: call-001, call-002");
    assert!(!screen.contains("kappa vs lead"), "{screen}");
    // The results do not count calibration reviews: boris's is not there.
    anna.keys(&["Escape", "R"]);
    anna.wait_for("No counted reviews yet: a calibration call's reviews count once");

    anna.keys(&["Escape", "y", "y", "y", "s", "y"]);
    anna.wait_for("Submitted: call-001");
    anna.keys(&["C"]);
    let screen = anna.wait_for("Submit your review of: call-002");
    assert!(!screen.contains("kappa vs lead"), "{screen}");
    anna.keys(&["Escape"]);

    boris.wait_for("call-002");
    boris.keys(&["n", "n", "y", "s", "y"]);
    boris.wait_for("Submitted: call-002");
    anna.wait_for("call-002");
    anna.keys(&["y", "n", "y", "s", "y"]);
    anna.wait_for("Submitted: call-002");

    // Both submitted: the figures, each with its n. greeting: anna yes yes,
    // boris yes no; scores anna 100 and 50, boris 87.5 and 37.5.
    anna.keys(&["C"]);
    let screen = anna.wait_for("kappa vs lead");
    let greeting = line_with(&screen, "Greeted the client");
    assert!(
        greeting.contains("2 (small sample)") && greeting.contains("50.0%"),
        "{screen}"
    );
    assert!(line_with(&screen, "anna ").contains("+6.2"), "{screen}");
    assert!(line_with(&screen, "boris ").contains("-6.2"), "{screen}");
    assert!(screen.contains("(small sample): fewer than 10"), "{screen}");
    // boris's terminal shows the same figures.
    boris.keys(&["C"]);
    let screen = boris.wait_for("kappa vs lead");
    assert!(line_with(&screen, "boris ").contains("-6.2"), "{screen}");
}

/// The call open in a workstation: the first field of the player's title.
fn open_call(screen: &str) -> String {
    let title = screen.lines().nth(1).unwrap_or("");
    let title = title.trim_start_matches('│');
    title.split(" · ").next().unwrap_or("").trim().to_string()
}

/// Issue 11's first "done when": two reviewers, each with their own login
/// on one PostgreSQL workspace, work through the same week's plan in two
/// terminals at the same time. Each submit takes the next call of the pool;
/// no call is reviewed twice except the two calibration calls, which both
/// score blind, and then both see their agreement.
#[test]
fn two_reviewers_work_through_a_weeks_plan_on_postgresql_at_the_same_time() {
    let Some(pg) = callqa::store::testing::TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let owner = Path::new(&pg.url);
    tmux_support::import_demo(owner.as_os_str());
    ok(run(dir.path(), owner, &["analyze"]));
    ok(run(dir.path(), owner, &["plan", "--period", "2026-W48"]));
    ok(run(dir.path(), owner, &["team", "setup"]));
    let names = ["anna", "boris"].map(|n| format!("{n}_{}", std::process::id()));
    for name in &names {
        ok(run(
            dir.path(),
            owner,
            &["team", "add", name, "--role", "reviewer"],
        ));
    }
    let _dropped = Logins(pg.url.clone(), names.to_vec());
    mark_the_demos_first_two_calls(dir.path(), owner, &names.join(","));
    // Each reviewer also has one call of the plan handed to them, so the
    // workstation finds the week's plan whatever week it runs in.
    for (call, name) in [("call-007", &names[0]), ("call-004", &names[1])] {
        let reassign = [
            "claims",
            "--period",
            "2026-W48",
            "--reassign",
            call,
            "--to",
            name,
        ];
        ok(run(dir.path(), owner, &reassign));
    }
    let terminals = names.each_ref().map(|name| {
        let home = dir.path().join(name);
        std::fs::create_dir_all(&home).unwrap();
        let tmux = Tmux::new(&format!("pool-{name}"));
        tmux.start(&review_command(
            &home,
            Path::new(&as_user(&pg.url, name)),
            name,
        ));
        tmux
    });
    let calibration = ["call-001", "call-002"];
    // Turn about, one call each, until each one's pool is empty.
    let mut reviewed: [Vec<String>; 2] = Default::default();
    let mut done = [false; 2];
    while done.contains(&false) {
        for (who, tmux) in terminals.iter().enumerate() {
            if done[who] {
                continue;
            }
            let call = open_call(&tmux.wait_for("Checklist"));
            assert!(call.starts_with("call-"), "{call:?}");
            if calibration.contains(&call.as_str()) {
                // Blind: no figures while this reviewer has not submitted.
                tmux.keys(&["C"]);
                let screen = tmux.wait_for("Submit your review of");
                assert!(!screen.contains("kappa vs lead"), "{screen}");
                tmux.keys(&["Escape"]);
                tmux.wait_for("Checklist");
            }
            tmux.keys(&["y", "s"]);
            let submitted = format!("Submitted: {call}");
            if tmux.wait_for_any(&["Submit anyway?", &submitted]).0 == 0 {
                tmux.keys(&["y"]);
            }
            let screen = tmux.wait_for(&submitted);
            reviewed[who].push(call);
            done[who] = screen.contains("All calls in the queue are submitted");
            assert!(reviewed[who].len() < 20, "{:?}", reviewed[who]);
        }
    }

    // Between them, every planned call once; both, only the calibration ones.
    let ws = Workspace::open_existing(pg.url.as_str()).unwrap();
    let week = callqa::domain::sampling::Period::parse("2026-W48").unwrap();
    let mut planned: Vec<String> = (ws.plan(week).unwrap().expect("the plan").entries)
        .into_iter()
        .filter(|e| e.replaced.is_none())
        .map(|e| e.call_id)
        .collect();
    planned.sort();
    let mut by_either: Vec<String> = reviewed.concat();
    by_either.sort();
    let mut expected: Vec<String> = planned
        .iter()
        .chain(planned.iter().filter(|c| calibration.contains(&c.as_str())))
        .cloned()
        .collect();
    expected.sort();
    assert_eq!(
        by_either, expected,
        "anna {:?}, boris {:?}",
        reviewed[0], reviewed[1]
    );
    for call in &planned {
        let mut by: Vec<String> = ws
            .visible_reviews("owner", call)
            .unwrap()
            .into_iter()
            .filter(|r| r.status == callqa::domain::ReviewStatus::Submitted)
            .map(|r| r.reviewer)
            .collect();
        by.sort();
        match calibration.contains(&call.as_str()) {
            true => assert_eq!(by, names, "{call}"),
            false => assert_eq!(by.len(), 1, "{call}: {by:?}"),
        }
    }
    // Both scored the calibration calls, the same on greeting: each sees
    // the agreement, with its n.
    for tmux in &terminals {
        tmux.keys(&["C"]);
        let screen = tmux.wait_for("kappa vs lead");
        let greeting = line_with(&screen, "Greeted the client");
        assert!(
            greeting.contains("2 (small sample)") && greeting.contains("100.0%"),
            "{screen}"
        );
    }
}

/// Week 48's plan over the three calls: c1 drawn for `drawn_for`, c2 and
/// c3 for nobody (the pool).
fn plan_with_a_pool(ws: &Workspace, drawn_for: &str) -> callqa::domain::sampling::Period {
    use callqa::domain::plan::{Entry, Plan, Reason};
    use callqa::domain::sampling::{Bucket, DEFAULT_SAMPLING_TOML, Period, SamplingRules};
    let rules = SamplingRules::defaults();
    ws.use_sampling_rules(&rules, DEFAULT_SAMPLING_TOML)
        .unwrap();
    let period = Period::parse("2026-W48").unwrap();
    let entries = ["c1", "c2", "c3"]
        .iter()
        .enumerate()
        .map(|(rank, call)| Entry {
            call_id: call.to_string(),
            rep: "Анна Смирнова".into(),
            bucket: Bucket::Quality,
            reason: Reason::Quota,
            rank: rank as u64,
            replaced: None,
            reviewer: (*call == "c1").then(|| drawn_for.to_string()),
        })
        .collect();
    ws.save_plan(&Plan {
        period,
        seed: "seed".into(),
        rules_version: rules.version,
        algorithm: 1,
        entries,
        emails: vec![],
        shortfalls: vec![],
        unrostered: vec![],
        not_analysed: 0,
    })
    .unwrap();
    period
}

#[test]
fn a_lead_sees_who_holds_what_on_the_workstation_and_hands_a_call_to_another_reviewer() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path());
    mark_c1(dir.path(), &db, "tester,vera");
    let ws = Workspace::open_existing(&db).unwrap();
    let period = plan_with_a_pool(&ws, "tester");
    // Boris holds a call now; Oleg's workstation crashed an hour ago (a
    // one-minute lease).
    let boris = ws.claim_next(period, "boris").unwrap().unwrap();
    assert_eq!(boris.call_id, "c2");
    let now = chrono::Utc::now().timestamp_millis();
    let oleg = ws.claim_next_at(period, "oleg", now - 3_600_000, 60_000);
    assert_eq!(oleg.unwrap().unwrap().call_id, "c3");
    let mut app = open_app(&db, None, Lang::En);
    press(&mut app, KeyCode::Char('H'));
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("Who holds what · 2026-W48"), "{shown}");
    // c3's lease ran out: it is back in the pool, held by nobody.
    assert!(
        shown.contains("Calls of the pool nobody holds: 1"),
        "{shown}"
    );
    let c2 = line_with(&shown, "│c2 ");
    assert!(c2.contains("boris") && c2.contains("min left"), "{shown}");
    let c3 = line_with(&shown, "│c3 ");
    assert!(c3.contains("oleg") && c3.contains("run out"), "{shown}");
    let c1 = line_with(&shown, "│c1 ");
    assert!(
        c1.contains("tester") && c1.contains("drawn for them") && c1.contains("calibration"),
        "{shown}"
    );
    assert!(c1.contains("Анна Смирнова"), "{shown}");
    // Rows by holder: boris (c2) first; a name nobody has in the
    // workspace is refused, and so is no name.
    let message = |app: &callqa::tui::app::App| app.screen.message.as_ref().unwrap().text.clone();
    press(&mut app, KeyCode::Char('a'));
    assert!(screen(&mut app, 160, 40).contains("Hand c2 to reviewer: "));
    chars(&mut app, "nobody");
    press(&mut app, KeyCode::Enter);
    assert!(
        message(&app)
            .starts_with("nobody is not a reviewer of this workspace; the reviewers are: "),
        "{}",
        message(&app)
    );
    assert!(message(&app).contains("boris"), "{}", message(&app));
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(message(&app), "type the reviewer's name");
    let holder = |call: &str| {
        let claims = ws.claims(period).unwrap();
        claims
            .into_iter()
            .find(|c| c.call_id == call)
            .map(|c| c.reviewer)
    };
    assert_eq!(holder("c2").as_deref(), Some("boris"));
    // The lead hands oleg's run-out c3 to boris.
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('a'));
    chars(&mut app, "boris");
    press(&mut app, KeyCode::Enter);
    assert_eq!(message(&app), "c3: now drawn for boris");
    assert_eq!(holder("c3"), None);
    let borises: Vec<String> = ws
        .plan_queue(period, "boris")
        .unwrap()
        .into_iter()
        .map(|c| c.call_id)
        .collect();
    assert_eq!(borises, ["c3"]);
    let shown = screen(&mut app, 160, 40);
    let c3 = line_with(&shown, "│c3 ");
    assert!(
        c3.contains("boris") && c3.contains("drawn for them"),
        "{shown}"
    );
    assert!(
        shown.contains("Calls of the pool nobody holds: 0"),
        "{shown}"
    );
    // Boris lets c2 go: the board shows it once read again (`r`), not by
    // itself on every tick.
    assert!(ws.release_claim(period, "c2", "boris").unwrap());
    let shown = screen(&mut app, 160, 40);
    assert!(line_with(&shown, "│c2 ").contains("boris"), "{shown}");
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(message(&app), "Claims read again");
    let shown = screen(&mut app, 160, 40);
    assert_eq!(line_with(&shown, "│c2 "), "", "{shown}");
    assert!(
        shown.contains("Calls of the pool nobody holds: 1"),
        "{shown}"
    );
    // c1 leaves tester's own part of the plan (their queue is read again).
    select(&mut app, "c1");
    press(&mut app, KeyCode::Char('a'));
    chars(&mut app, "boris");
    press(&mut app, KeyCode::Enter);
    assert_eq!(message(&app), "c1: now drawn for boris");
    let shown = screen(&mut app, 160, 40);
    assert!(line_with(&shown, "│c1 ").contains("boris"), "{shown}");
    assert_eq!(ws.plan_queue(period, "tester").unwrap(), []);
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.claims.is_none());
}

/// The board on a team's server: a reviewer sees it but may not hand a
/// call on (the workstation says why before the server would refuse); a
/// lead may, to a member only.
#[test]
fn on_postgresql_only_a_lead_reassigns_from_the_board_and_only_to_a_member() {
    let Some(pg) = callqa::store::testing::TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = workspace(dir.path());
    let owner = Path::new(&pg.url);
    let migrate = ["migrate", "--from", file.to_str().unwrap(), "--to", &pg.url];
    ok(callqa(dir.path(), &migrate));
    let period = plan_with_a_pool(&Workspace::open_existing(owner).unwrap(), "tester");
    ok(run(dir.path(), owner, &["team", "setup"]));
    let [reviewer, lead] = ["rev", "lead"].map(|n| format!("{n}_board_{}", std::process::id()));
    for (name, role) in [(&reviewer, "reviewer"), (&lead, "lead")] {
        ok(run(
            dir.path(),
            owner,
            &["team", "add", name, "--role", role],
        ));
    }
    let _dropped = Logins(pg.url.clone(), vec![reviewer.clone(), lead.clone()]);
    let workstation = |login: &str| {
        let ws = Workspace::open_existing(Path::new(&as_user(&pg.url, login))).unwrap();
        callqa::tui::app::App::new(
            ws,
            login.to_string(),
            Lang::En,
            Checklist::default_sales_call(),
            callqa::tui::keymap::Keymap::defaults(),
            callqa::audio::PlayerHandle::spawn(callqa::audio::OutputChoice::Null),
        )
        .unwrap()
    };
    let message = |app: &callqa::tui::app::App| app.screen.message.as_ref().unwrap().text.clone();
    // The reviewer claims c2 (the lead's workstation may claim c3 when it
    // opens in week 48).
    let as_reviewer = Workspace::open_existing(Path::new(&as_user(&pg.url, &reviewer))).unwrap();
    let claimed = as_reviewer.claim_next(period, &reviewer).unwrap().unwrap();
    assert_eq!(claimed.call_id, "c2");
    drop(as_reviewer);
    let mut app = workstation(&reviewer);
    press(&mut app, KeyCode::Char('H'));
    let shown = screen(&mut app, 160, 40);
    assert!(line_with(&shown, "│c2 ").contains(&reviewer), "{shown}");
    assert!(line_with(&shown, "│c1 ").contains("tester"), "{shown}");
    select(&mut app, "c2");
    press(&mut app, KeyCode::Char('a'));
    chars(&mut app, &lead);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        message(&app),
        "only a lead (callqa_lead) hands a call to another reviewer; this login is a reviewer"
    );
    let ws = Workspace::open_existing(owner).unwrap();
    assert_eq!(ws.plan_queue(period, &lead).unwrap(), []);
    drop(app);
    let mut app = workstation(&lead);
    press(&mut app, KeyCode::Char('H'));
    select(&mut app, "c1");
    press(&mut app, KeyCode::Char('a'));
    chars(&mut app, "tester");
    press(&mut app, KeyCode::Enter);
    let refused = message(&app);
    assert!(
        refused.starts_with("tester is not a reviewer of this workspace"),
        "{refused}"
    );
    assert!(
        refused.contains(&reviewer) && refused.contains(&lead),
        "{refused}"
    );
    press(&mut app, KeyCode::Char('a'));
    chars(&mut app, &reviewer);
    press(&mut app, KeyCode::Enter);
    assert_eq!(message(&app), format!("c1: now drawn for {reviewer}"));
    let theirs: Vec<String> = ws
        .plan_queue(period, &reviewer)
        .unwrap()
        .into_iter()
        .map(|c| c.call_id)
        .collect();
    assert_eq!(theirs, ["c1"]);
}

/// The cursor of the claims board moved down onto `call`.
fn select(app: &mut callqa::tui::app::App, call: &str) {
    for _ in 0..10 {
        let view = app.screen.claims.as_ref().unwrap();
        if view.selected().is_some_and(|c| c.call_id == call) {
            return;
        }
        press(app, KeyCode::Char('j'));
    }
    panic!("{call} is not on the board");
}
