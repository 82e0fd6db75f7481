//! `callqa report`, `callqa feedback` and `callqa export --per call` on a
//! hand-made workspace over two ISO weeks: figures checked cell by cell in
//! the XLSX, the HTML checked in a real headless browser.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use callqa::domain::checklist::DEFAULT_TELEPHONY_TOML;
use callqa::domain::email_checks::DEFAULT_EMAIL_CHECKLIST_TOML;
use callqa::domain::mystery::DEFAULT_MYSTERY_CHECKLIST_TOML;
use callqa::domain::{AnswerValue, Checklist};
use callqa::store::{AnswerChange, Subject, Workspace};
use common::{callqa, chromium, headless, unzip};
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const ANNA: &str = "Анна Смирнова";
/// A name no file or sheet can hold as it is.
const BORIS: &str = "Борис: Ко/рень*";

/// (call, rep, start)
const CALLS: &[(&str, &str, &str)] = &[
    ("a1", ANNA, "2026-11-18T10:00:00+03:00"),
    ("a2", ANNA, "2026-11-23T10:00:00+03:00"),
    ("a3", ANNA, "2026-11-25T10:00:00+03:00"),
    ("b1", BORIS, "2026-11-24T10:00:00+03:00"),
    ("b2", BORIS, "2026-11-26T10:00:00+03:00"),
    ("t1", ANNA, "2026-11-27T10:00:00+03:00"),
    ("u1", BORIS, "2026-11-27T12:00:00+03:00"),
];

/// A failed item: (item, comment, evidence ms).
type Failure = (&'static str, &'static str, u64);

/// Every item answered yes except `failed`.
fn review(ws: &mut Workspace, call: &str, checklist: &Checklist, failed: &[Failure]) {
    let call = ws.call(call).unwrap();
    let id = ws
        .start_review(&call, "Мария", checklist, Vec::new())
        .unwrap()
        .review_id;
    for item in &checklist.items {
        let failure = failed.iter().find(|f| f.0 == item.id);
        let value = if failure.is_some() {
            AnswerValue::No
        } else {
            AnswerValue::Yes
        };
        ws.change_answer(id, checklist, &item.id, AnswerChange::Value(Some(value)))
            .unwrap();
        if let Some((_, comment, at)) = failure {
            let c = AnswerChange::Comment(Some(comment.to_string()));
            ws.change_answer(id, checklist, &item.id, c).unwrap();
            let e = AnswerChange::Evidence(Some(*at));
            ws.change_answer(id, checklist, &item.id, e).unwrap();
        }
    }
    ws.add_time_spent(id, 90_000).unwrap();
    ws.submit_review(id, checklist).unwrap();
}

/// The workspace: Анна fails "summary" in W47 and W48 (a repeated error)
/// and a critical item once; Борис fails the greeting once; one telephony
/// review; one call analysed and never reviewed.
fn workspace(dir: &Path, lang: &str) -> PathBuf {
    let batch = dir.join("batch");
    let mut csv = common::CALLS_HEADER.to_string();
    for (id, rep, at) in CALLS {
        common::write_wav(&batch.join(format!("{id}.wav")), 1.0, 8000);
        csv.push_str(&format!("{id},{at},{rep},out,+79160000101,{id}.wav,,\n"));
    }
    common::write(&batch.join("calls.csv"), &csv);
    let db = dir.join("w.sqlite");
    let out = callqa(
        dir,
        &[
            "import",
            batch.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--lang",
            lang,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut ws = Workspace::open(&db).unwrap();
    let sales = Checklist::default_sales_call();
    let telephony = Checklist::default_telephony();
    ws.ensure_checklist(&telephony, DEFAULT_TELEPHONY_TOML)
        .unwrap();
    review(
        &mut ws,
        "a1",
        &sales,
        &[("summary", "no next steps", 61_000)],
    );
    review(
        &mut ws,
        "a2",
        &sales,
        &[("summary", "again no next steps", 65_000)],
    );
    review(
        &mut ws,
        "a3",
        &sales,
        &[("crm_matches", "CRM says otherwise", 5_000)],
    );
    review(&mut ws, "b1", &sales, &[]);
    review(&mut ws, "b2", &sales, &[("greeting", "no hello", 1_000)]);
    let first = telephony.items[0].id.clone();
    let first: &'static str = Box::leak(first.into_boxed_str());
    review(
        &mut ws,
        "t1",
        &telephony,
        &[(first, "one-way audio", 2_000)],
    );
    let call = ws.call("u1").unwrap();
    let analysis = callqa::analysis::analyze_file(
        Path::new(&call.recording.path),
        callqa::analysis::ChannelLayout::Mono,
        &|_| {},
    )
    .unwrap();
    ws.save_analysis(
        "u1",
        callqa::analysis::ANALYSIS_VERSION,
        &serde_json::to_string(&analysis).unwrap(),
    )
    .unwrap();
    ws.mark_best_call("u1", "мария", "образцовый вопрос о задаче", 500)
        .unwrap();
    db
}

/// The score `domain::scoring` gives a review with these items failed.
fn score(failed: &[&str]) -> f64 {
    let checklist = Checklist::default_sales_call();
    let answers = checklist
        .items
        .iter()
        .map(|i| {
            let value = if failed.contains(&i.id.as_str()) {
                AnswerValue::No
            } else {
                AnswerValue::Yes
            };
            (
                i.id.clone(),
                callqa::domain::Answer {
                    value: Some(value),
                    ..Default::default()
                },
            )
        })
        .collect();
    callqa::domain::scoring::score(&checklist, &answers)
        .percent
        .unwrap()
}

/// `callqa report --period P --format F --out OUT` and `extra`.
fn period_report(
    dir: &Path,
    db: &Path,
    period: &str,
    format: &str,
    out: &Path,
    extra: &[&str],
) -> Output {
    let mut args = vec!["--period", period, "--format", format, "--out"];
    args.push(out.to_str().unwrap());
    args.extend_from_slice(extra);
    report(dir, db, &args)
}

fn report(dir: &Path, db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["report", "--db", db.to_str().unwrap()];
    all.extend_from_slice(args);
    callqa(dir, &all)
}

/// `callqa feedback --out FOLDER --db DB` with `args` before them.
fn feedback(dir: &Path, db: &Path, folder: &Path, args: &[&str]) -> Output {
    let mut all = vec!["feedback"];
    all.extend_from_slice(args);
    all.extend([
        "--out",
        folder.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    callqa(dir, &all)
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn row_of(range: &calamine::Range<Data>, first_cell: &str) -> u32 {
    (0..range.height() as u32)
        .find(|r| cell(range, *r, 0) == Data::String(first_cell.into()))
        .unwrap_or_else(|| panic!("no row {first_cell:?}"))
}

#[test]
fn the_xlsx_holds_every_view_as_numbers_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "ru");
    let file = dir.path().join("report.xlsx");
    let out = period_report(
        dir.path(),
        &db,
        "2026-W48",
        "xlsx",
        &file,
        &["--weeks", "3"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Обзор команды",
            "Пункты",
            "Средняя оценка по неделям",
            "Доля ошибок по неделям",
            "Повторные ошибки",
            "Звонки-образцы",
            "Телефония"
        ],
        "no ranking unless asked for"
    );
    let overview = book.worksheet_range("Обзор команды").unwrap();
    assert_eq!(
        cell(&overview, 0, 0),
        Data::String("Результаты контроля качества звонков".into())
    );
    assert!(cell(&overview, 1, 0).to_string().contains("2026-W48"));
    assert_eq!(cell(&overview, 3, 0), Data::String("Менеджер".into()));
    assert_eq!(cell(&overview, 3, 1), Data::String("Команда".into()));
    assert_eq!(cell(&overview, 3, 4), Data::String("Средняя оценка".into()));
    let anna = row_of(&overview, ANNA);
    let boris = row_of(&overview, BORIS);
    assert_eq!(anna, 4, "reps by name, data from row 5");
    assert_eq!(cell(&overview, anna, 2), Data::Float(2.0), "reviews");
    assert_eq!(
        cell(&overview, anna, 3),
        Data::Float(3.0),
        "expected: 3 a week"
    );
    let average = (score(&["summary"]) + 0.0) / 2.0;
    match cell(&overview, anna, 4) {
        Data::Float(v) => assert!((v - average).abs() < 1e-9, "{v} vs {average}"),
        other => panic!("the score is not a number: {other:?}"),
    }
    assert_eq!(
        cell(&overview, anna, 5),
        Data::Float(1.0),
        "critical failures"
    );
    assert_eq!(
        cell(&overview, anna, 7),
        Data::Float(1.0),
        "repeated errors"
    );
    assert_eq!(
        cell(&overview, anna, 8),
        Data::Float(0.0),
        "weeks without a repeat"
    );
    assert_eq!(cell(&overview, boris, 8), Data::Float(1.0));
    let boris_average = (100.0 + score(&["greeting"])) / 2.0;
    assert!(
        matches!(cell(&overview, boris, 4), Data::Float(v) if (v - boris_average).abs() < 1e-9)
    );
    let top = cell(&overview, anna, 6).to_string();
    assert!(top.contains("Подвёл итог") && top.contains("×1"), "{top}");

    let items = book.worksheet_range("Пункты").unwrap();
    let summary = row_of(&items, "Подвёл итог и назвал следующие шаги");
    assert_eq!(cell(&items, summary, 2), Data::Float(4.0), "answered");
    assert_eq!(cell(&items, summary, 3), Data::Float(1.0), "failed");
    assert_eq!(
        cell(&items, summary, 4),
        Data::Float(0.25),
        "a share, shown as a percent"
    );
    assert_eq!(cell(&items, 3, 5), Data::String(ANNA.into()));
    assert_eq!(
        cell(&items, summary, 5),
        Data::Float(0.5),
        "Анна's own rate"
    );
    assert_eq!(cell(&items, summary, 6), Data::Float(0.0));

    let trend = book.worksheet_range("Средняя оценка по неделям").unwrap();
    assert_eq!(cell(&trend, 3, 1), Data::String("2026-W46".into()));
    assert_eq!(cell(&trend, 3, 3), Data::String("2026-W48".into()));
    let anna_trend = row_of(&trend, ANNA);
    assert_eq!(cell(&trend, anna_trend, 1), Data::Empty, "no review in W46");
    assert_eq!(
        cell(&trend, anna_trend, 2),
        Data::Float(score(&["summary"]))
    );

    let repeated = book.worksheet_range("Повторные ошибки").unwrap();
    let rows: Vec<Vec<String>> = (4..repeated.height() as u32)
        .map(|r| (0..9).map(|c| cell(&repeated, r, c).to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "both failures behind the repeat: {rows:?}");
    assert_eq!(rows[0][0], ANNA);
    assert_eq!((rows[0][4].as_str(), rows[1][4].as_str()), ("a1", "a2"));
    assert_eq!(rows[1][8], "again no next steps");

    let telephony = book.worksheet_range("Телефония").unwrap();
    assert_eq!(cell(&telephony, 4, 0), Data::String(ANNA.into()));
    assert_eq!(cell(&telephony, 4, 1), Data::Float(1.0));

    // Formats, panes, filters and the chart, as Excel reads them.
    let styles = unzip(&file, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0%\""), "{styles}");
    assert!(styles.contains("formatCode=\"[m]:ss\""));
    let sheet1 = unzip(&file, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("ySplit=\"4\""), "frozen header: {sheet1}");
    assert!(sheet1.contains("<autoFilter ref=\"A4:P6\""), "{sheet1}");
    assert!(sheet1.contains("<col "), "column widths");
    let chart = unzip(&file, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:lineChart>"), "{chart}");
    assert!(chart.contains("Средняя оценка по неделям"));
}

#[test]
fn ranking_only_on_request_and_an_empty_period_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "en");
    let file = dir.path().join("ranked.xlsx");
    let out = period_report(dir.path(), &db, "2026-W48", "xlsx", &file, &["--ranking"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let ranking = book.worksheet_range("Ranking").unwrap();
    assert_eq!(
        cell(&ranking, 4, 1),
        Data::String(BORIS.into()),
        "the higher average first"
    );
    assert_eq!(cell(&ranking, 4, 0), Data::Float(1.0));

    let empty = dir.path().join("empty.xlsx");
    let out = period_report(dir.path(), &db, "2026-W10", "xlsx", &empty, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("No submitted reviews"));
    let mut book: Xlsx<_> = open_workbook(&empty).unwrap();
    let overview = book.worksheet_range("Team overview").unwrap();
    assert!(
        cell(&overview, 2, 0)
            .to_string()
            .starts_with("No submitted reviews")
    );
    let html = dir.path().join("empty.html");
    let out = period_report(dir.path(), &db, "2026-W10", "html", &html, &[]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("No submitted reviews")
    );
}

#[test]
fn an_unwritable_out_is_named_and_bad_periods_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "en");
    for format in ["xlsx", "html", "json"] {
        let out = report(
            dir.path(),
            &db,
            &["--format", format, "--out", "/nonexistent-dir/report.out"],
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        let err = text(&out.stderr);
        assert!(
            err.contains("/nonexistent-dir/report.out"),
            "{format}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let out = period_report(dir.path(), &db, "2026-W60", "json", Path::new("x"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("2026-W48"),
        "{}",
        text(&out.stderr)
    );
    let out = report(
        dir.path(),
        &db,
        &["--team", "A", "--format", "json", "--out", "x"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("roster"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_is_exact_and_csv_is_rounded_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "en");
    let json_file = dir.path().join("r.json");
    let out = report(
        dir.path(),
        &db,
        &[
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-29",
            "--format",
            "json",
            "--out",
            json_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    let anna = &json["results"]["reps"][0];
    assert_eq!(anna["rep"], ANNA);
    // The call marked as an example, with the moment to listen from.
    let best = &json["best_calls"][0];
    assert_eq!(
        (&best["call_id"], &best["position_ms"], &best["reason"]),
        (
            &serde_json::json!("u1"),
            &serde_json::json!(500),
            &serde_json::json!("образцовый вопрос о задаче")
        )
    );
    let average = anna["average_score"].as_f64().unwrap();
    assert!(
        (average - score(&["summary"]) / 2.0).abs() < 1e-9,
        "{average}"
    );
    assert_eq!(json["results"]["repeated"][0]["why"], "consecutive-weeks");
    assert_eq!(json["results"]["repeated"][0]["week"], "2026-W48");
    assert_eq!(json["results"]["weeks"], serde_json::json!(["2026-W48"]));
    assert_eq!(
        json["results"]["repeated"][0]["occurrences"][1]["evidence_ms"],
        65_000
    );

    let folder = dir.path().join("csv");
    let out = period_report(dir.path(), &db, "2026-W48", "csv", &folder, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_path(folder.join("overview.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("Average score")], format!("{average:.1}"));
    assert_eq!(&rows[0][col("Review time")], "3:00");
    let items = std::fs::read_to_string(folder.join("items.csv")).unwrap();
    assert!(
        items.contains("Summed up the call and stated the next steps,,4,1,25%,50%,0%"),
        "{items}"
    );
    for key in [
        "items",
        "score-trend",
        "item-trend",
        "repeated",
        "telephony",
    ] {
        assert!(folder.join(format!("{key}.csv")).is_file(), "{key}");
    }
}

/// The names of the files in `folder`, sorted.
fn file_names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn feedback_sheets_hold_only_their_rep() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "en");
    let folder = dir.path().join("feedback");
    let out = feedback(dir.path(), &db, &folder, &["--period", "2026-W48"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("2 feedback sheet(s) written to "),
        "{}",
        text(&out.stderr)
    );
    let names = file_names(&folder);
    assert_eq!(names, ["Анна_Смирнова.html", "Борис__Ко_рень_.html"]);
    let anna = std::fs::read_to_string(folder.join("Анна_Смирнова.html")).unwrap();
    assert!(anna.contains(ANNA));
    assert!(!anna.contains("Борис"), "another rep's name in a 1:1 sheet");
    assert!(
        anna.contains("REPEATED"),
        "the repeated error is highlighted"
    );
    assert!(anna.contains("a2 / 1:05"), "call / m:ss evidence");
    assert!(anna.contains("again no next steps"));
    assert!(anna.contains("What went well"));
    assert!(
        !anna.contains("one-way audio"),
        "telephony is not the rep's feedback"
    );
    let boris = std::fs::read_to_string(folder.join("Борис__Ко_рень_.html")).unwrap();
    assert!(!boris.contains("Анна") && !boris.contains("REPEATED"));
    assert!(boris.contains("b2 / 0:01") && boris.contains("no hello"));
}

#[test]
fn export_per_call_has_reviews_and_analysed_calls_in_checklist_terms() {
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "en");
    let dbs = db.to_str().unwrap();
    let out = callqa(dir.path(), &["export", "--per", "call", "--db", dbs]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| &r[col("call_id")]).collect();
    assert_eq!(
        ids,
        ["a1", "a2", "b1", "a3", "b2", "t1", "u1"],
        "call order"
    );
    let a3 = &rows[3];
    assert_eq!(&a3[col("critical_failed")], "true");
    assert_eq!(&a3[col("review_score")], "0.0");
    assert_eq!(&a3[col("failed_items")], "crm_matches");
    assert_eq!(&a3[col("time_spent_s")], "90.0");
    let a2 = &rows[1];
    assert_eq!(&a2[col("critical_failed")], "false");
    assert_eq!(
        &a2[col("review_score")],
        format!("{:.1}", score(&["summary"]))
    );
    let u1 = &rows[6];
    assert_eq!(&u1[col("reviewer")], "", "analysed, not reviewed");
    assert!(!u1[col("level_dbfs")].is_empty(), "its audio figures");
    assert_eq!(&u1[col("duration_s")], "1.0");

    let out = callqa(
        dir.path(),
        &["export", "--per", "call", "--format", "json", "--db", dbs],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 7);
    assert_eq!(
        json[1]["review_score"].as_f64().unwrap(),
        score(&["summary"])
    );
}

#[test]
fn the_html_loads_in_a_real_browser_without_errors_and_prints_to_pdf() {
    let Some(bin) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = workspace(dir.path(), "ru");
    let html = dir.path().join("report.html");
    let out = period_report(dir.path(), &db, "2026-W48", "html", &html, &["--ranking"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains(" src=") && !page.contains(" href="),
        "nothing is fetched"
    );
    let url = format!("file://{}", html.display());
    let profile = dir.path().join("profile");

    let dom = headless(bin, &profile, &["--dump-dom", &url]);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let dom_text = text(&dom.stdout);
    let log = text(&dom.stderr);
    // The page has no script: any console line (`INFO:CONSOLE`) is an error.
    for bad in [
        "CONSOLE",
        "Uncaught",
        "Failed to load resource",
        "Refused to",
    ] {
        assert!(!log.contains(bad), "console: {log}");
    }
    assert_eq!(
        dom_text.matches("<svg").count(),
        2,
        "both trend charts render"
    );
    assert!(dom_text.contains("<path d=\"M"), "chart lines drawn");
    assert!(dom_text.contains(ANNA) && dom_text.contains("Рейтинг"));

    let pdf = dir.path().join("report.pdf");
    let printed = headless(
        bin,
        &profile,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
            &url,
        ],
    );
    assert!(printed.status.success(), "{}", text(&printed.stderr));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    assert!(bytes.len() > 5_000, "an empty PDF: {} bytes", bytes.len());
}

/// The bundled demo imported, without the colleague's reviews.
fn imported_demo(dir: &Path) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let db = dir.join("demo.sqlite");
    let out = callqa(
        dir,
        &[
            "import",
            demo.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--lang",
            "en",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

/// The bundled demo imported and given its colleague's reviews, as a fresh
/// `callqa demo` does: 11 calls and 4 emails.
fn reviewed_demo(dir: &Path) -> PathBuf {
    let db = imported_demo(dir);
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let reviews = std::fs::read_to_string(demo.join("reviews.toml")).unwrap();
    let mut ws = Workspace::open(&db).unwrap();
    assert_eq!(
        callqa::reports::demo_reviews::apply(&mut ws, &reviews).unwrap(),
        15
    );
    let again = callqa::reports::demo_reviews::apply(&mut ws, &reviews).unwrap_err();
    assert!(
        again.to_string().contains("fresh demo workspace"),
        "{again}"
    );
    db
}

/// The entry of rep `name` in a JSON report's list of reps.
fn rep_in(reps: &serde_json::Value, name: &str) -> serde_json::Value {
    let reps = reps.as_array().unwrap();
    let rep = reps.iter().find(|r| r["rep"] == name);
    rep.unwrap_or_else(|| panic!("{name} in {reps:?}")).clone()
}

/// `callqa report --format json` with `extra`, read back.
fn json_report(dir: &Path, db: &Path, extra: &[&str]) -> serde_json::Value {
    let file = dir.join("report.json");
    let mut args = vec!["--format", "json", "--out", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = report(dir, db, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

#[test]
fn the_demo_has_weeks_of_results_repeated_errors_and_a_best_call() {
    let dir = tempfile::tempdir().unwrap();
    let db = reviewed_demo(dir.path());
    let json = json_report(dir.path(), &db, &["--period", "2026-W47"]);
    let results = &json["results"];
    assert_eq!(
        results["span"]["from"], "2026-11-16",
        "the colleague's last week of calls"
    );
    let rep = |name: &str| rep_in(&results["reps"], name);
    let (anna, igor, kate) = (rep(ANNA), rep("Игорь Петров"), rep("Kate Miller"));
    // Анна: three reviewed weeks, no repeated error; one critical failure.
    assert_eq!(anna["weeks_without_repeated"], 3);
    assert_eq!(anna["critical_failures"], 1);
    assert_eq!(anna["reviews"], 2);
    // Игорь fails the same items every week; Kate repeated hers in W46 only.
    assert_eq!(igor["weeks_without_repeated"], 0);
    assert_eq!(kate["weeks_without_repeated"], 1);
    let repeated: Vec<(String, String)> = results["repeated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rep"].as_str().unwrap().to_string(),
                e["item_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        repeated,
        [
            ("Игорь Петров".to_string(), "bigger_task".to_string()),
            ("Игорь Петров".to_string(), "client_name".to_string()),
        ]
    );
    // The week before counts too: both W46 failures, then W47's.
    let evidence = results["repeated"][0]["occurrences"].as_array().unwrap();
    let calls: Vec<&str> = evidence
        .iter()
        .map(|o| o["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(calls, ["call-105", "call-106", "call-108"]);
    assert_eq!(evidence[1]["evidence_ms"], 18_000);
    assert_eq!(evidence[1]["reviewer"], "Ольга Кравец");
    let best = json["best_calls"].as_array().unwrap();
    assert_eq!(best.len(), 1);
    assert_eq!(best[0]["call_id"], "call-110");
    assert_eq!(best[0]["position_ms"], 68_000);
    assert_eq!(best[0]["reviewer"], "Ольга Кравец");
}

#[test]
fn the_default_report_spans_the_newest_call_week_and_the_newest_email_week() {
    let dir = tempfile::tempdir().unwrap();
    let db = reviewed_demo(dir.path());
    // The colleague's calls end in W47, the demo's email reviews are in W48:
    // a report of W48 alone would show every rep with no call reviewed.
    let results = &json_report(dir.path(), &db, &[])["results"];
    assert_eq!(results["span"]["from"], "2026-11-16");
    assert_eq!(results["span"]["to"], "2026-11-29");
    assert_eq!(rep_in(&results["reps"], ANNA)["reviews"], 2);
}

/// The reps a JSON report of the demo holds with `extra` arguments.
fn demo_reps(dir: &Path, db: &Path, extra: &[&str]) -> Vec<String> {
    json_report(dir, db, extra)["results"]["reps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rep"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_overview_names_each_reps_team_and_team_and_rep_narrow_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = reviewed_demo(dir.path());
    let file = dir.path().join("demo.xlsx");
    let out = report(
        dir.path(),
        &db,
        &["--format", "xlsx", "--out", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let overview = book.worksheet_range("Team overview").unwrap();
    assert_eq!(cell(&overview, 3, 1), Data::String("Team".into()));
    let teams: Vec<(String, String)> = (4..overview.height() as u32)
        .map(|r| {
            (
                cell(&overview, r, 0).to_string(),
                cell(&overview, r, 1).to_string(),
            )
        })
        .collect();
    assert_eq!(
        teams,
        [
            ("Kate Miller".to_string(), "International".to_string()),
            ("Анна Смирнова".to_string(), "Юг".to_string()),
            ("Игорь Петров".to_string(), "Юг".to_string()),
        ]
    );

    assert_eq!(
        demo_reps(dir.path(), &db, &["--team", "юг"]),
        [ANNA, "Игорь Петров"],
        "the team as the roster spells it, in any case"
    );
    assert_eq!(
        demo_reps(dir.path(), &db, &["--rep", "kate miller"]),
        ["Kate Miller"]
    );
    assert_eq!(
        demo_reps(dir.path(), &db, &["--team", "Юг", "--rep", "Kate Miller"]),
        Vec::<String>::new(),
        "both must hold"
    );
}

#[test]
fn rules_given_once_stay_with_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let db = reviewed_demo(dir.path());
    let bundled = include_str!("../assets/results.toml");
    let strict = bundled
        .replace("version = 1", "version = 2")
        .replace("consecutive_weeks = true", "consecutive_weeks = false");
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, &strict).unwrap();
    let file = dir.path().join("r.json");
    // The colleague's last week of calls (the newest is of emails).
    let json = |extra: &[&str]| {
        let mut args = vec!["--period", "2026-W47"];
        args.extend_from_slice(extra);
        json_report(dir.path(), &db, &args)
    };
    assert_eq!(
        json(&[])["results"]["repeated"].as_array().unwrap().len(),
        2
    );
    let given = json(&["--rules", rules.to_str().unwrap()]);
    assert_eq!(given["rules"]["version"], 2);
    assert_eq!(
        given["results"]["repeated"].as_array().unwrap().len(),
        0,
        "one failure a week is no repeat without the consecutive-weeks rule"
    );
    let kept = json(&[]);
    assert_eq!(kept["rules"]["version"], 2, "the workspace keeps them");
    assert_eq!(kept["results"]["repeated"].as_array().unwrap().len(), 0);

    std::fs::write(&rules, strict.replace("good_from = 80", "good_from = 85")).unwrap();
    let out = report(
        dir.path(),
        &db,
        &[
            "--format",
            "json",
            "--out",
            file.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("raise `version`"),
        "{}",
        text(&out.stderr)
    );
}

/// A 16-bit sample no neighbour repeats, so an excerpt a frame off shows.
fn ramp(i: usize) -> i16 {
    (((i * 7919) % 60_001) as i32 - 30_000) as i16
}

#[test]
fn feedback_as_xlsx_with_audio_excerpts_cut_from_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    let rate = 8000;
    let frames = 20 * rate as usize;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(batch.join("x1.wav"), spec).unwrap();
    for i in 0..frames {
        wav.write_sample(ramp(i)).unwrap();
    }
    wav.finalize().unwrap();
    common::write(
        &batch.join("calls.csv"),
        &format!(
            "{}x1,2026-11-24T10:00:00+03:00,{ANNA},out,+79160000101,x1.wav,,\n",
            common::CALLS_HEADER
        ),
    );
    let db = dir.path().join("w.sqlite");
    let (dbs, batchs) = (db.to_str().unwrap(), batch.to_str().unwrap());
    let out = callqa(dir.path(), &["import", batchs, "--db", dbs, "--lang", "en"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut ws = Workspace::open(&db).unwrap();
    let failed: &[Failure] = &[
        ("summary", "no summary", 10_000),
        ("greeting", "no hello", 1_000),
        ("crm_matches", "CRM says otherwise", 19_500),
        ("client_name", "past the end", 30_000),
    ];
    review(&mut ws, "x1", &Checklist::default_sales_call(), failed);
    drop(ws);

    let folder = dir.path().join("sheets");
    let args = [
        "--period",
        "2026-W48",
        "--format",
        "both",
        "--excerpts",
        "3",
    ];
    let out = feedback(dir.path(), &db, &folder, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("3 audio excerpt(s)"),
        "{}",
        text(&out.stderr)
    );
    let names = file_names(&folder);
    assert_eq!(
        names,
        [
            "x1-00-01.wav",
            "x1-00-10.wav",
            "x1-00-19.wav",
            "Анна_Смирнова.html",
            "Анна_Смирнова.xlsx"
        ],
        "no excerpt for a stamp past the end of the recording"
    );
    // Frames floor((t - 3 s) * rate) .. floor((t + 3 s) * rate), clipped to
    // the recording; the length may differ by at most one frame from that.
    for (file, from_s, to_s) in [
        ("x1-00-10.wav", 7.0, 13.0),
        ("x1-00-01.wav", 0.0, 4.0),
        ("x1-00-19.wav", 16.5, 20.0),
    ] {
        let mut reader = hound::WavReader::open(folder.join(file)).unwrap();
        assert_eq!(reader.spec().sample_rate, rate);
        assert_eq!(reader.spec().channels, 1);
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        let from = (from_s * rate as f64) as usize;
        let expected_len = ((to_s - from_s) * rate as f64) as usize;
        assert!(
            samples.len().abs_diff(expected_len) <= 1,
            "{file}: {} frames, want {expected_len}",
            samples.len()
        );
        let original: Vec<i16> = (from..from + samples.len()).map(ramp).collect();
        assert!(
            samples == original,
            "{file}: not the recording's samples at {from_s} s"
        );
    }

    let html = std::fs::read_to_string(folder.join("Анна_Смирнова.html")).unwrap();
    assert!(
        html.contains("x1 / 0:10 <a href=\"x1-00-10.wav\">listen</a>"),
        "{html}"
    );
    assert!(
        html.contains("x1 / 0:30</td>"),
        "the stamp without audio has no link"
    );

    let xlsx = folder.join("Анна_Смирнова.xlsx");
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Your figures",
            "Average score by week",
            "What to work on",
            "What went well"
        ]
    );
    let figures = book.worksheet_range("Your figures").unwrap();
    assert_eq!(
        cell(&figures, 0, 0),
        Data::String(format!("One-to-one feedback — {ANNA}"))
    );
    let reviews = row_of(&figures, "Reviews");
    assert_eq!(cell(&figures, reviews, 1), Data::Float(1.0));
    let work = book.worksheet_range("What to work on").unwrap();
    let summary = row_of(&work, "Summed up the call and stated the next steps");
    assert_eq!(cell(&work, summary, 3), Data::String("x1".into()));
    assert!(
        matches!(cell(&work, summary, 4), Data::DateTime(d) if (d.as_f64() * 86_400.0 - 10.0).abs() < 1e-6),
        "the moment as a time: {:?}",
        cell(&work, summary, 4)
    );
    assert_eq!(cell(&work, summary, 6), Data::String("no summary".into()));
    assert_eq!(cell(&work, summary, 7), Data::String("listen".into()));
    let rels = unzip(&xlsx, "xl/worksheets/_rels/sheet3.xml.rels");
    assert!(rels.contains("Target=\"x1-00-10.wav\""), "{rels}");
}

/// Submit `reviewer`'s review of the email `message_id` with `checklist`:
/// `failed` items answered no with the quoted line, the rest yes.
fn review_email(
    ws: &mut Workspace,
    message_id: &str,
    checklist: &Checklist,
    failed: &[(&str, &str)],
) -> f64 {
    let subject = Subject::Email(message_id.into());
    let id = ws
        .start_review_of(&subject, "Мария", checklist, Vec::new())
        .unwrap()
        .review_id;
    for item in &checklist.items {
        let quote = failed.iter().find(|f| f.0 == item.id).map(|f| f.1);
        let value = if quote.is_some() {
            AnswerValue::No
        } else {
            AnswerValue::Yes
        };
        ws.change_answer(id, checklist, &item.id, AnswerChange::Value(Some(value)))
            .unwrap();
        if let Some(quote) = quote {
            let q = AnswerChange::Quote(Some(quote.to_string()));
            ws.change_answer(id, checklist, &item.id, q).unwrap();
        }
    }
    ws.submit_review(id, checklist).unwrap();
    let stored = ws.review_of(&subject, "Мария", &checklist.id).unwrap();
    stored.unwrap().score.unwrap()
}

/// The demo (without the colleague's reviews) with its reps' emails
/// reviewed in W48 (Анна fails the named greeting in both of hers: a
/// repeated error) and the shopper's email of visit MS-02 reviewed with
/// the mystery-shopper checklist. Returns the scores: Анна's two emails,
/// Kate's, the shopper's.
fn demo_with_email_reviews(dir: &Path) -> (PathBuf, [f64; 4]) {
    let db = imported_demo(dir);
    let mut ws = Workspace::open(&db).unwrap();
    let email = Checklist::from_toml(DEFAULT_EMAIL_CHECKLIST_TOML, "email.toml").unwrap();
    ws.ensure_checklist(&email, DEFAULT_EMAIL_CHECKLIST_TOML)
        .unwrap();
    let shopper = callqa::domain::mystery::checklist();
    ws.ensure_checklist(&shopper, DEFAULT_MYSTERY_CHECKLIST_TOML)
        .unwrap();
    let first = review_email(
        &mut ws,
        "a1-kuznetsov@solar-dom.example",
        &email,
        &[("greeting_name", "Добрый день!")],
    );
    let second = review_email(
        &mut ws,
        "d1-morozov@solar-dom.example",
        &email,
        &[
            ("greeting_name", "Здравствуйте."),
            ("signature", "С уважением"),
        ],
    );
    let kate = review_email(&mut ws, "e1-brooks@solar-dom.example", &email, &[]);
    // The client's reply is context, not Kate's work.
    let all_failed: Vec<(&str, &str)> = email.items.iter().map(|i| (i.id.as_str(), "")).collect();
    review_email(&mut ws, "c2-nyberg@nordvik.example", &email, &all_failed);
    let visit = review_email(
        &mut ws,
        "d1-morozov@solar-dom.example",
        &shopper,
        &[("reaction", "Расчёт пришлём позже")],
    );
    (db, [first, second, kate, visit])
}

#[test]
fn emails_and_mystery_shopping_get_their_sheets_next_to_the_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (db, [first, second, kate, visit]) = demo_with_email_reviews(dir.path());
    assert!(second < first && first < 100.0 && kate == 100.0);
    let file = dir.path().join("w48.xlsx");
    let out = period_report(dir.path(), &db, "2026-W48", "xlsx", &file, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let names = book.sheet_names();
    for sheet in ["Emails", "Email items", "Mystery shopping"] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }

    let emails = book.worksheet_range("Emails").unwrap();
    assert_eq!(cell(&emails, 3, 0), Data::String("Rep".into()));
    assert_eq!(cell(&emails, 3, 3), Data::String("Average score".into()));
    let anna = row_of(&emails, ANNA);
    assert_eq!(cell(&emails, anna, 1), Data::String("Юг".into()));
    assert_eq!(cell(&emails, anna, 2), Data::Float(2.0));
    assert_eq!(cell(&emails, anna, 3), Data::Float((first + second) / 2.0));
    let top = cell(&emails, anna, 5).to_string();
    assert!(
        top.starts_with("Greets the client") && top.contains("×2"),
        "{top}"
    );
    assert_eq!(
        cell(&emails, anna, 6),
        Data::Float(1.0),
        "one repeated error"
    );
    let kate_row = row_of(&emails, "Kate Miller");
    assert_eq!(cell(&emails, kate_row, 3), Data::Float(100.0));
    assert!(
        (0..emails.height() as u32)
            .all(|r| cell(&emails, r, 0) != Data::String("Игорь Петров".into())),
        "a rep whose emails nobody reviewed is not in the email figures"
    );

    let items = book.worksheet_range("Email items").unwrap();
    let greeting = (0..items.height() as u32)
        .find(|r| {
            cell(&items, *r, 0)
                .to_string()
                .starts_with("Greets the client")
        })
        .expect("the greeting item");
    assert_eq!(cell(&items, greeting, 2), Data::Float(3.0), "answered");
    assert_eq!(cell(&items, greeting, 3), Data::Float(2.0), "failed");
    assert_eq!(cell(&items, 3, 5), Data::String("Kate Miller".into()));
    assert_eq!(cell(&items, greeting, 5), Data::Float(0.0));
    assert_eq!(cell(&items, greeting, 6), Data::Float(1.0), "Анна");
    assert!(
        (0..items.height() as u32).all(|r| !cell(&items, r, 0).to_string().contains("tone")),
        "the shopper's checklist is not an email item"
    );

    // The repeated error across emails, with the quoted line.
    let repeated = book.worksheet_range("Repeated errors").unwrap();
    assert_eq!(cell(&repeated, 3, 9), Data::String("Channel".into()));
    let first_row = row_of(&repeated, ANNA);
    assert_eq!(
        cell(&repeated, first_row, 4),
        Data::String("a1-kuznetsov@solar-dom.example".into())
    );
    assert_eq!(cell(&repeated, first_row, 9), Data::String("email".into()));
    assert_eq!(
        cell(&repeated, first_row, 10),
        Data::String("Добрый день!".into())
    );

    // Visits requested in W48, oldest first, with their speeds.
    let mystery = book.worksheet_range("Mystery shopping").unwrap();
    assert_eq!(cell(&mystery, 3, 0), Data::String("Visit".into()));
    assert_eq!(cell(&mystery, 3, 13), Data::String("Review score".into()));
    let visits: Vec<String> = (4..mystery.height() as u32)
        .map(|r| cell(&mystery, r, 0).to_string())
        .collect();
    assert_eq!(visits, ["MS-03", "MS-04", "MS-02"], "MS-01 is in W49");
    assert_eq!(cell(&mystery, 4, 2), Data::String("messenger".into()));
    assert_eq!(cell(&mystery, 4, 4), Data::String("Kate Miller".into()));
    assert_eq!(cell(&mystery, 4, 7), Data::String("25m".into()), "pick-up");
    assert_eq!(cell(&mystery, 5, 4), Data::Empty, "a team, no rep");
    assert_eq!(cell(&mystery, 5, 5), Data::String("International".into()));
    assert_eq!(
        cell(&mystery, 5, 10),
        Data::String("MISSING".into()),
        "no proposal"
    );
    assert_eq!(cell(&mystery, 6, 13), Data::Float(visit), "MS-02's review");
    assert_eq!(cell(&mystery, 4, 13), Data::Empty, "MS-03 not reviewed");

    // The calls' figures are as before: no email or shopper review among them.
    let json = json_report(dir.path(), &db, &["--period", "2026-W48"]);
    assert_eq!(json["results"]["quality_reviews"], 0);
    // A rep whose emails alone were reviewed still has a row.
    let reps: Vec<(&str, u64)> = json["results"]["reps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rep"].as_str().unwrap(), r["reviews"].as_u64().unwrap()))
        .collect();
    assert_eq!(reps, [("Kate Miller", 0), (ANNA, 0)]);
    assert_eq!(json["results"]["emails"]["reviews"], 3);
    assert_eq!(json["mystery"].as_array().unwrap().len(), 3);
    assert_eq!(json["mystery"][2]["score"], visit);
    assert_eq!(json["mystery"][0]["speeds"][0]["seconds"], 1500);
    let newest = json_report(dir.path(), &db, &[]);
    assert_eq!(
        newest["results"]["span"]["from"], "2026-11-23",
        "the week of the newest reviewed email"
    );
    let earlier = json_report(dir.path(), &db, &["--period", "2026-W47"]);
    assert!(
        earlier["results"].get("emails").is_none(),
        "no empty channel"
    );
    assert_eq!(earlier["mystery"].as_array().unwrap().len(), 0);

    let html = dir.path().join("w48.html");
    let out = period_report(dir.path(), &db, "2026-W48", "html", &html, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<section id=\"emails\">") && page.contains("<section id=\"mystery\">"));
    let csv = dir.path().join("w48-csv");
    let out = period_report(dir.path(), &db, "2026-W48", "csv", &csv, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let names = file_names(&csv);
    assert!(
        names.contains(&"emails.csv".to_string()) && names.contains(&"mystery.csv".to_string())
    );
}

#[test]
fn a_fresh_demos_report_shows_the_colleagues_email_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let db = reviewed_demo(dir.path());
    let json = json_report(dir.path(), &db, &[]);
    assert_eq!(
        json["results"]["span"]["from"], "2026-11-16",
        "from the week of the newest reviewed call to that of the newest reviewed email"
    );
    let emails = &json["results"]["emails"];
    assert_eq!(emails["reviews"], 4);
    let rep = |name: &str| rep_in(&emails["reps"], name);
    assert_eq!(rep(ANNA)["average_score"], 100.0);
    let igor = rep("Игорь Петров");
    let failed: Vec<&str> = igor["top_failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[0].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["greeting_name", "spelling"]);
    assert_eq!(rep("Kate Miller")["reviews"], 2);
    let folder = dir.path().join("feedback");
    let out = feedback(dir.path(), &db, &folder, &["--format", "html"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let igor = std::fs::read_to_string(folder.join("Игорь_Петров.html")).unwrap();
    assert!(igor.contains("Emails to work on") && igor.contains("Мы расчитали"));
}

#[test]
fn a_shoppers_call_counts_its_call_items_for_the_calls_and_the_rest_for_the_visit() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported_demo(dir.path());
    let mut ws = Workspace::open(&db).unwrap();
    let sales = Checklist::default_sales_call();
    let shopper = callqa::domain::mystery::checklist();
    let composed = Checklist::compose(&sales, &shopper);
    ws.ensure_checklist(&composed, &composed.to_toml().unwrap())
        .unwrap();
    let subject = Subject::Call("call-012".into());
    let id = ws
        .start_review_of(&subject, "Мария", &composed, Vec::new())
        .unwrap()
        .review_id;
    // The call fails its summary, the shopper's part its callback.
    for item in &composed.items {
        let failed = item.id == "summary" || item.id == "callback";
        let value = if failed {
            AnswerValue::No
        } else {
            AnswerValue::Yes
        };
        ws.change_answer(id, &composed, &item.id, AnswerChange::Value(Some(value)))
            .unwrap();
    }
    ws.submit_review(id, &composed).unwrap();
    let json = json_report(dir.path(), &db, &["--period", "2026-W49"]);
    let results = &json["results"];
    assert_eq!(
        results["quality_reviews"], 1,
        "the call's part is a call review"
    );
    let items: Vec<&str> = results["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_str().unwrap())
        .collect();
    assert!(
        items.contains(&"summary") && !items.contains(&"callback"),
        "{items:?}"
    );
    let igor = &results["reps"][0];
    assert_eq!(igor["rep"], "Игорь Петров");
    let expected = |checklist: &Checklist, failed: &str| {
        let answers = checklist
            .items
            .iter()
            .map(|i| {
                let value = if i.id == failed {
                    AnswerValue::No
                } else {
                    AnswerValue::Yes
                };
                let answer = callqa::domain::Answer {
                    value: Some(value),
                    ..Default::default()
                };
                (i.id.clone(), answer)
            })
            .collect();
        callqa::domain::scoring::score(checklist, &answers)
            .percent
            .unwrap()
    };
    assert_eq!(
        igor["average_score"].as_f64().unwrap(),
        expected(&sales, "summary")
    );
    let ms01 = json["mystery"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["visit"]["visit_id"] == "MS-01")
        .unwrap();
    assert_eq!(
        ms01["score"].as_f64().unwrap(),
        expected(&shopper, "callback")
    );
}

#[test]
fn a_reps_feedback_sheet_quotes_the_lines_of_her_failed_emails() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = demo_with_email_reviews(dir.path());
    let folder = dir.path().join("feedback");
    let args = [
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-29",
        "--format",
        "both",
    ];
    let out = feedback(dir.path(), &db, &folder, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let anna = std::fs::read_to_string(folder.join("Анна_Смирнова.html")).unwrap();
    assert!(anna.contains("Emails to work on"));
    assert!(anna.contains("Добрый день!") && anna.contains("С уважением"));
    assert!(
        !anna.contains("Расчёт пришлём позже"),
        "the shopper's review is not the rep's email feedback"
    );
    let kate = std::fs::read_to_string(folder.join("Kate_Miller.html")).unwrap();
    assert!(
        !kate.contains("Emails to work on"),
        "nothing failed in hers"
    );
    let mut book: Xlsx<_> = open_workbook(folder.join("Анна_Смирнова.xlsx")).unwrap();
    let sheet = book.worksheet_range("Emails to work on").unwrap();
    let row = row_of(&sheet, &cell(&sheet, 4, 0).to_string());
    assert_eq!(cell(&sheet, 3, 4), Data::String("Quoted line".into()));
    assert_eq!(
        cell(&sheet, row, 2),
        Data::String("a1-kuznetsov@solar-dom.example".into())
    );
    assert_eq!(cell(&sheet, row, 4), Data::String("Добрый день!".into()));
}
