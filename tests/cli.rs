//! The command line as a script or a person calls it: exit codes, one-line
//! errors, import summaries and exports.

mod common;

use common::{callqa, text};

use callqa::domain::{AnswerValue, Checklist};
use callqa::store::{AnswerChange, Workspace};
use std::path::Path;
use std::process::Command;

fn demo() -> String {
    format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn demo_imports_cleanly_and_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    let first = callqa(dir.path(), &["import", &demo(), "--db", db]);
    assert!(
        first.status.success(),
        "{}{}",
        text(&first.stdout),
        text(&first.stderr)
    );
    let out = text(&first.stdout);
    assert!(
        out.contains("calls     23 new, 0 updated, 0 unchanged, 0 skipped"),
        "{out}"
    );
    let second = callqa(dir.path(), &["import", &demo(), "--db", db]);
    let out = text(&second.stdout);
    assert!(
        out.contains("calls     0 new, 0 updated, 23 unchanged, 0 skipped"),
        "{out}"
    );
    assert!(out.contains("notes     0 new, 0 updated"), "{out}");
}

#[test]
fn partial_import_exits_2_and_names_each_row() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("batch");
    common::write_wav(&b.join("ok.wav"), 1.0, 8000);
    std::fs::write(b.join("zero.wav"), b"").unwrap();
    common::write(
        &b.join("calls.csv"),
        &format!(
            "{}c1,2026-11-23T10:00:00+03:00,Анна,in,+7,ok.wav,,\n\
             c2,2026-11-23T10:05:00+03:00,Анна,in,+7,zero.wav,,\n",
            common::CALLS_HEADER
        ),
    );
    let db = dir.path().join("w.sqlite");
    let out = callqa(
        dir.path(),
        &["import", b.to_str().unwrap(), "--db", db.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("skipped: calls.csv:3: c2: "), "{stdout}");
    assert!(stdout.contains("empty file"), "{stdout}");
    assert!(stdout.contains("calls     1 new"), "{stdout}");
}

#[test]
fn failures_are_one_line_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let out = callqa(
        dir.path(),
        &["import", "/no/such/batch", "--db", db.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("callqa: /no/such/batch: no such file or folder"),
        "{stderr}"
    );

    assert!(
        callqa(
            dir.path(),
            &["import", &demo(), "--db", db.to_str().unwrap()]
        )
        .status
        .success()
    );
    let out = callqa(dir.path(), &["review", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("needs a terminal"));

    // A server that is not there: said once, not once per cause.
    let url = format!(
        "postgresql://nobody@{}/x",
        dir.path()
            .join("no-server")
            .display()
            .to_string()
            .replace('/', "%2F")
    );
    let out = callqa(dir.path(), &["claims", "--db", &url]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("error connecting").count(), 1, "{stderr}");
    assert!(stderr.contains("cannot open the workspace"), "{stderr}");

    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/config.toml"), "reviewer = [").unwrap();
    let out = callqa(dir.path(), &["export", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("config.toml"),
        "{}",
        text(&out.stderr)
    );

    for sub in ["import", "review", "export", "demo"] {
        let help = callqa(dir.path(), &[sub, "--help"]);
        assert!(help.status.success());
        assert!(text(&help.stdout).contains("--db"), "{sub}");
    }
}

#[test]
fn export_writes_one_row_per_answered_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let dbs = db.to_str().unwrap();
    assert!(
        callqa(
            dir.path(),
            &["import", &demo(), "--db", dbs, "--lang", "ru"]
        )
        .status
        .success()
    );
    {
        let mut ws = Workspace::open(&db).unwrap();
        let checklist = Checklist::default_sales_call();
        let call = ws.call("call-002").unwrap();
        let crm = ws.crm_for_call(&call).unwrap();
        let facts = callqa::domain::auto_checks::Facts::gather(&call, Some(&crm));
        let automatic = callqa::domain::auto_checks::automatic_answers(&checklist, &facts);
        let id = ws
            .start_review(&call, "Мария", &checklist, automatic)
            .unwrap()
            .review_id;
        ws.change_answer(
            id,
            &checklist,
            "greeting",
            AnswerChange::Value(Some(AnswerValue::Yes)),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            "client_name",
            AnswerChange::Value(Some(AnswerValue::No)),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            "client_name",
            AnswerChange::Comment(Some("ни разу, \"по имени\"".into())),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            "client_name",
            AnswerChange::Evidence(Some(12_500)),
        )
        .unwrap();
        ws.submit_review(id, &checklist).unwrap();
        // The call's analysis, as the workstation's background worker stores it.
        let analysis = callqa::analysis::analyze_file(
            std::path::Path::new(&call.recording.path),
            callqa::analysis::ChannelLayout::Mono,
            &|_| {},
        )
        .unwrap();
        ws.save_analysis(
            "call-002",
            callqa::analysis::ANALYSIS_VERSION,
            &serde_json::to_string(&analysis).unwrap(),
        )
        .unwrap();
    }
    let out = callqa(dir.path(), &["export", "--format", "csv", "--db", dbs]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    for column in [
        "call_id",
        "rep",
        "reviewer",
        "checklist",
        "item_id",
        "item_text",
        "answer",
        "comment",
        "evidence_s",
        "review_score",
        "review_status",
        "reviewed_at",
    ] {
        assert!(
            headers.iter().any(|h| h == column),
            "no column {column}: {headers:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // greeting, client_name, and what the rules answered: n/a for the
    // script item and the four CRM checks (no write-up for call-002).
    assert_eq!(rows.len(), 7, "{rows:?}");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let name_row = rows
        .iter()
        .find(|r| &r[col("item_id")] == "client_name")
        .unwrap();
    assert_eq!(&name_row[col("answer")], "no");
    assert_eq!(&name_row[col("comment")], "ни разу, \"по имени\"");
    assert_eq!(&name_row[col("evidence_s")], "12.5");
    assert_eq!(&name_row[col("item_text")], "Обращался к клиенту по имени");
    assert_eq!(&name_row[col("review_status")], "submitted");
    // Yes: greeting 1, contact 1, deal 1; no: name 1, write-up 2, and the
    // next step 1 (call-002's only task was due ten days before the call).
    // Rounded for people (300 / 7 = 42.857...); JSON below keeps it exact.
    assert_eq!(&name_row[col("review_score")], "42.9");
    let written = rows
        .iter()
        .find(|r| &r[col("item_id")] == "crm_written")
        .unwrap();
    assert_eq!(
        (&written[col("answer")], &written[col("automatic")]),
        ("no", "true")
    );
    assert_eq!(&name_row[col("reviewer")], "Мария");
    // The call's audio metrics travel with every row.
    let dead_air: f64 = name_row[col("dead_air_s")].parse().unwrap();
    assert!((0.0..64.0).contains(&dead_air), "{dead_air}");
    let level: f32 = name_row[col("level_dbfs")].parse().unwrap();
    assert!((-60.0..0.0).contains(&level), "{level}");
    assert_eq!(
        &name_row[col("telephony_flags")],
        "",
        "a normal call has no flags"
    );

    let json_path = dir.path().join("out.json");
    let out = callqa(
        dir.path(),
        &[
            "export",
            "--format",
            "json",
            "--out",
            json_path.to_str().unwrap(),
            "--db",
            dbs,
        ],
    );
    assert!(out.status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 7);
    assert_eq!(json[0]["call_id"], "call-002");
    let score = json[0]["review_score"].as_f64().unwrap();
    assert!((score - 300.0 / 7.0).abs() < 1e-9, "{score}");
    // Items in checklist order, not alphabetical.
    let items: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["item_id"].as_str().unwrap())
        .collect();
    let order: Vec<String> = Checklist::default_sales_call()
        .items
        .iter()
        .map(|i| i.id.clone())
        .filter(|id| items.contains(&id.as_str()))
        .collect();
    assert_eq!(items, order);
}

#[test]
fn lang_on_an_existing_workspace_is_for_that_run_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ru.sqlite");
    let db = db.to_str().unwrap();
    let import = callqa(dir.path(), &["import", &demo(), "--db", db, "--lang", "ru"]);
    assert!(import.status.success());
    let english = callqa(dir.path(), &["import", &demo(), "--db", db, "--lang", "en"]);
    assert!(
        text(&english.stdout).starts_with("Imported "),
        "{}",
        text(&english.stdout)
    );
    // The workspace still speaks the language it was made in.
    let again = callqa(dir.path(), &["import", &demo(), "--db", db]);
    assert!(
        text(&again.stdout).starts_with("Импортировано "),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn the_import_summary_speaks_the_workspace_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ru.sqlite");
    let out = callqa(
        dir.path(),
        &[
            "import",
            &demo(),
            "--db",
            db.to_str().unwrap(),
            "--lang",
            "ru",
        ],
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Импортировано "), "{stdout}");
    assert!(
        stdout.contains("звонки    23 новых, 0 изменено, 0 без изменений, 0 пропущено"),
        "{stdout}"
    );
}

/// The subcommands `callqa --help` lists.
fn subcommands(dir: &Path) -> Vec<String> {
    let help = text(&callqa(dir, &["--help"]).stdout);
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect()
}

#[test]
fn every_option_of_every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let commands = subcommands(dir.path());
    assert!(commands.len() >= 7, "{commands:?}");
    for sub in &commands {
        let out = callqa(dir.path(), &[sub, "--help"]);
        assert!(out.status.success(), "{sub}");
        let help = text(&out.stdout);
        // An option or argument line is `  -f, --flag <VALUE>  text`; clap
        // leaves the text empty, or only `[default: …]`, when the doc is missing.
        for line in help.lines().filter(|l| {
            let t = l.trim_start();
            l.starts_with("  ") && (t.starts_with('-') || t.starts_with('<'))
        }) {
            let described = line
                .trim()
                .split_once("  ")
                .map(|(_, doc)| doc.trim())
                .is_some_and(|doc| !doc.is_empty() && !doc.starts_with('['));
            assert!(described, "`callqa {sub} --help`: no help for {line:?}");
        }
    }
}

#[test]
fn only_import_and_demo_make_a_workspace_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo/ws.sqlite");
    let typo = typo.to_str().unwrap();
    for args in [
        &["export", "--db", typo][..],
        &["audit", "--db", typo],
        &["review", "--db", typo],
        &["link", "call-001", "--contact", "K-1", "--db", typo],
    ] {
        let out = callqa(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("no workspace there"), "{args:?}: {stderr}");
    }
    assert!(!dir.path().join("typo").exists(), "a folder was made");

    // Another program's database: refused, byte for byte untouched.
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let other = other.to_str().unwrap();
    for args in [
        &["import", &demo(), "--db", other][..],
        &["export", "--db", other],
    ] {
        let out = callqa(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            text(&out.stderr).contains("not a callqa workspace"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(std::fs::read(other).unwrap(), before);
}

/// A review of `call` by `reviewer` with `comment` on the greeting item.
fn comment_on_greeting(db: &Path, call: &str, reviewer: &str, comment: &str) {
    let mut ws = Workspace::open(db).unwrap();
    let checklist = Checklist::default_sales_call();
    let call = ws.call(call).unwrap();
    let id = ws
        .start_review(&call, reviewer, &checklist, Default::default())
        .unwrap()
        .review_id;
    let change = AnswerChange::Comment(Some(comment.to_string()));
    ws.change_answer(id, &checklist, "greeting", change)
        .unwrap();
}

/// The demo in a workspace where one rep's name is a formula.
fn demo_with_formula_rep(dir: &Path, rep: &str) -> String {
    let db = dir.join("w.sqlite");
    let dbs = db.to_str().unwrap().to_string();
    assert!(
        callqa(dir, &["import", &demo(), "--db", &dbs])
            .status
            .success()
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    for (table, column) in [
        ("calls", "rep"),
        ("contacts", "owner_rep"),
        ("deals", "owner_rep"),
        ("tasks", "owner_rep"),
        ("notes", "author_rep"),
    ] {
        conn.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE {column} = 'Игорь Петров'"),
            [rep],
        )
        .unwrap();
    }
    dbs
}

#[test]
fn spreadsheet_outputs_never_start_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let rep = "+cmd|' /C calc'!A0";
    let db = demo_with_formula_rep(dir.path(), rep);
    let comment = "=HYPERLINK(\"http://evil.example\",\"click\")";
    comment_on_greeting(Path::new(&db), "call-002", "@SUM(1+1)", comment);
    let risky = |cell: &str| {
        cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
    };
    for args in [
        &["export", "--format", "csv", "--db", &db][..],
        &["audit", "--format", "csv", "--db", &db],
    ] {
        let out = callqa(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let cells: Vec<&str> = rows.iter().flat_map(|r| r.iter()).collect();
        assert!(
            cells.contains(&"'+cmd|' /C calc'!A0"),
            "{args:?}: {cells:?}"
        );
        assert!(!cells.iter().any(|c| risky(c)), "{args:?}: {cells:?}");
    }
    let out = callqa(dir.path(), &["export", "--db", &db]);
    let csv_text = text(&out.stdout);
    assert!(csv_text.contains("'@SUM(1+1)"), "{csv_text}");
    assert!(csv_text.contains("'=HYPERLINK("), "{csv_text}");
}

/// A control or invisible character that must never reach a terminal raw.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[test]
fn data_never_reaches_the_terminal_as_an_escape_and_files_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    // The batch folder's own name carries an escape: "Imported <path>".
    let batch = dir.path().join("batch\u{1b}]0;pwned\u{7}");
    let b = &batch;
    common::write_wav(&b.join("ok.wav"), 1.0, 8000);
    common::write(
        &b.join("calls.csv"),
        &format!(
            "{}c1,2026-11-23T10:00:00+03:00,Ан\u{1b}[2Jна\u{202e},in,+7,ok.wav,,\n",
            common::CALLS_HEADER
        ),
    );
    let db = dir.path().join("w.sqlite");
    let dbs = db.to_str().unwrap();
    let out = callqa(dir.path(), &["import", b.to_str().unwrap(), "--db", dbs]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("batch␛]0;pwned�"), "{stdout}");
    let comment = "ok\u{9b}31m\u{200f}\nline two";
    comment_on_greeting(&db, "c1", "Мария\u{1b}[8m\u{200b}", comment);
    for args in [
        &["export", "--db", dbs][..],
        &["export", "--format", "json", "--db", dbs],
        &["audit", "--db", dbs],
        &["audit", "--format", "csv", "--db", dbs],
        &["audit", "--format", "json", "--db", dbs],
    ] {
        let out = callqa(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let raw: Vec<char> = stdout.chars().filter(|&c| acts_on_terminal(c)).collect();
        assert!(raw.is_empty(), "{args:?} printed {raw:?}:\n{stdout}");
    }
    // JSON keeps the data exactly, as escapes.
    let out = callqa(dir.path(), &["export", "--format", "json", "--db", dbs]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["rep"], "Ан\u{1b}[2Jна\u{202e}");
    assert_eq!(json[0]["comment"], "ok\u{9b}31m\u{200f}\nline two");
    // A CSV file keeps every character; only the path printed is made safe.
    let file = dir.path().join("out\u{1b}[1m.csv");
    let out = callqa(
        dir.path(),
        &["export", "--out", file.to_str().unwrap(), "--db", dbs],
    );
    assert!(
        text(&out.stderr).contains("out␛[1m.csv"),
        "{}",
        text(&out.stderr)
    );
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("Ан\u{1b}[2Jна\u{202e}"), "{saved}");
    assert!(saved.contains("Мария\u{1b}[8m\u{200b}"), "{saved}");
}

#[test]
fn a_config_that_never_ends_is_refused_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let db = dir.path().join("w.sqlite");
    assert!(
        callqa(
            dir.path(),
            &["import", &demo(), "--db", db.to_str().unwrap()]
        )
        .status
        .success()
    );
    let fifo = std::ffi::CString::new(config.join("fifo").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    for target in [config.join("fifo"), "/dev/zero".into()] {
        let link = config.join("config.toml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_callqa"))
            .args(["export", "--db", db.to_str().unwrap()])
            .env("CALLQA_DATA_DIR", dir.path().join("data"))
            .env("CALLQA_CONFIG_DIR", &config)
            .env_remove("CALLQA_DB")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Generous: the refusal is immediate; only a hang reaches this.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("callqa hangs on a config.toml that is {}", target.display());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
}

#[test]
fn a_link_by_hand_needs_ids_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.sqlite");
    let db = db.to_str().unwrap();
    assert!(
        callqa(dir.path(), &["import", &demo(), "--db", db])
            .status
            .success()
    );
    let links = || {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row(
            "SELECT contact_id, deal_id, manual FROM call_links WHERE call_id = 'call-001'",
            [],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
        .unwrap()
    };
    let before = links();
    let empty = callqa(dir.path(), &["link", "call-001", "--db", db]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(
        text(&empty.stderr).contains("needs a contact, a deal or both"),
        "{}",
        text(&empty.stderr)
    );
    assert!(
        !text(&empty.stdout).contains("linked"),
        "{}",
        text(&empty.stdout)
    );
    let ghost = callqa(
        dir.path(),
        &[
            "link",
            "call-001",
            "--contact",
            "K-999",
            "--deal",
            "D-201",
            "--db",
            db,
        ],
    );
    assert_eq!(ghost.status.code(), Some(1));
    let err = text(&ghost.stderr);
    assert!(
        err.contains("contact \"K-999\"") && !err.contains("D-201"),
        "{err}"
    );
    assert_eq!(links(), before, "a refused link changed nothing");
    let good = callqa(
        dir.path(),
        &["link", "call-001", "--contact", "K-102", "--db", db],
    );
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert_eq!(links(), (Some("K-102".into()), None, true));
}

#[test]
fn a_keymap_without_a_way_out_or_a_fifo_is_refused_before_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.sqlite");
    let db = db.to_str().unwrap();
    assert!(
        callqa(dir.path(), &["import", &demo(), "--db", db])
            .status
            .success()
    );
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let keymap = config.join("keymap.toml");
    std::fs::write(
        &keymap,
        "# mine\n[[main]]\non = [\"q\"]\nrun = \"submit\"\n",
    )
    .unwrap();
    let out = callqa(dir.path(), &["review", "--no-sound", "--db", db]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("keymap.toml:2:") && err.contains("`quit` without a key"),
        "{err}"
    );
    // A named pipe in its place is refused at once instead of hanging.
    std::fs::remove_file(&keymap).unwrap();
    let made = Command::new("mkfifo").arg(&keymap).status().unwrap();
    assert!(made.success());
    let out = callqa(dir.path(), &["review", "--no-sound", "--db", db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a regular file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_sqlite_error_names_the_workspace_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db_arg = db.to_str().unwrap();
    assert!(
        callqa(dir.path(), &["import", &demo(), "--db", db_arg])
            .status
            .success()
    );
    // Damage the workspace the way a failing disk or a hand edit would.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP TABLE answers").unwrap();
    drop(conn);
    let out = callqa(dir.path(), &["export", "--db", db_arg]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("callqa: workspace {db_arg}: ")),
        "{stderr}"
    );
}

#[test]
fn output_cut_short_by_a_closed_pipe_ends_quietly() {
    // `callqa import … | head -1` on a long summary: the reader is gone
    // before callqa writes. It must end as `cat` does, not panic.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["import", &demo(), "--db", db.to_str().unwrap()])
        .env("CALLQA_DATA_DIR", dir.path().join("data"))
        .env("CALLQA_CONFIG_DIR", dir.path().join("config"))
        .env_remove("CALLQA_DB")
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?} {stderr}",
        out.status
    );
    // What was imported before the summary stays imported.
    let ws = Workspace::open_existing(&db).unwrap();
    assert!(ws.call("call-001").is_ok());
}

#[test]
fn export_carries_email_reviews_next_to_call_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let dbs = db.to_str().unwrap();
    assert!(
        callqa(dir.path(), &["import", &demo(), "--db", dbs])
            .status
            .success()
    );
    {
        let mut ws = Workspace::open(&db).unwrap();
        let checklist = Checklist::from_toml(
            callqa::domain::email_checks::DEFAULT_EMAIL_CHECKLIST_TOML,
            "email.toml",
        )
        .unwrap();
        ws.ensure_checklist(
            &checklist,
            callqa::domain::email_checks::DEFAULT_EMAIL_CHECKLIST_TOML,
        )
        .unwrap();
        let subject = callqa::store::Subject::Email("b1-belova@solar-dom.example".into());
        let id = ws
            .start_review_of(&subject, "Мария", &checklist, Vec::new())
            .unwrap()
            .review_id;
        let item = checklist.items[0].id.clone();
        ws.change_answer(
            id,
            &checklist,
            &item,
            AnswerChange::Value(Some(AnswerValue::No)),
        )
        .unwrap();
        ws.change_answer(
            id,
            &checklist,
            &item,
            AnswerChange::Comment(Some("без имени".into())),
        )
        .unwrap();
        ws.submit_review(id, &checklist).unwrap();
    }
    let out = callqa(dir.path(), &["export", "--db", dbs, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["call_id"] == "b1-belova@solar-dom.example")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = rows[0];
    assert_eq!(row["checklist"], "email", "{row}");
    assert_eq!(row["answer"], "no", "{row}");
    assert_eq!(row["comment"], "без имени", "{row}");
    assert!(!row["rep"].as_str().unwrap().is_empty(), "{row}");
    assert!(!row["item_text"].as_str().unwrap().is_empty(), "{row}");
    assert!(
        row["call_started_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-24"),
        "{row}"
    );
}
