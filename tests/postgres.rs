//! A team's workspace on PostgreSQL: every command gives what it gives on
//! SQLite, and `callqa migrate` moves a workspace between the engines both
//! ways with every row. Runs on the private server `./dev test` starts
//! (`CALLQA_TEST_PG`).

mod common;

use callqa::domain::{AnswerValue, Checklist};
use callqa::store::testing::TempDatabase;
use callqa::store::{AnswerChange, Workspace};
use callqa::tui::app::Mode;
use common::{Logins, as_user, callqa, text};
use std::path::Path;

fn demo() -> String {
    format!("{}/assets/demo", env!("CARGO_MANIFEST_DIR"))
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = callqa(dir, args);
    assert!(
        out.status.success(),
        "callqa {args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A review of the demo's first call by `reviewer`, made through the store
/// as the workstation makes it: the workspace and the review's id.
fn start_on_first_call(db: &str, reviewer: &str) -> (Workspace, i64) {
    let mut ws = Workspace::open_existing(db).unwrap();
    let checklist = Checklist::default_sales_call();
    let call = ws.call("call-001").unwrap();
    let id = ws
        .start_review(&call, reviewer, &checklist, vec![])
        .unwrap()
        .review_id;
    (ws, id)
}

/// Мария's review of the demo's first call, answered and submitted.
fn review_first_call(db: &str) {
    let (mut ws, review_id) = start_on_first_call(db, "Мария");
    let checklist = Checklist::default_sales_call();
    for (item, value) in [("greeting", AnswerValue::Yes), ("needs", AnswerValue::No)] {
        ws.change_answer(
            review_id,
            &checklist,
            item,
            AnswerChange::Value(Some(value)),
        )
        .unwrap();
    }
    ws.submit_review(review_id, &checklist).unwrap();
}

/// The demo imported, analysed and one call reviewed, in `db`.
fn reviewed_demo(dir: &Path, db: &str) {
    run_ok(dir, &["import", &demo(), "--db", db, "--lang", "en"]);
    run_ok(dir, &["analyze", "--db", db]);
    review_first_call(db);
}

/// `text` with every time stamped when a command ran (to the millisecond:
/// `2026-11-29T15:03:43.882`) masked: the rest must be equal.
fn without_stamps(text: &str) -> String {
    let shape = |c: &[u8]| {
        c.len() == 23
            && c.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b'T',
                13 | 16 => *b == b':',
                19 => *b == b'.',
                _ => b.is_ascii_digit(),
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i..i + 23).is_some_and(shape) {
            out.push_str("<stamp>");
            i += 23;
        } else {
            let c = text[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

const READS: &[&[&str]] = &[
    &["export"],
    // The analyses' figures, read out of their JSON by the database.
    &["export", "--per", "call"],
    &["plan", "--period", "2026-W48"],
    &["emails"],
    &["mystery"],
    &["audit", "--as-of", "2026-11-30"],
];

#[test]
fn every_command_reads_the_same_on_both_engines() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("solo.sqlite");
    let file = file.to_str().unwrap();
    reviewed_demo(dir.path(), file);
    reviewed_demo(dir.path(), &pg.url);
    for read in READS {
        let with = |db: &str| {
            let mut args = read.to_vec();
            args.extend(["--db", db]);
            run_ok(dir.path(), &args)
        };
        let (solo, team) = (with(file), with(&pg.url));
        assert!(!solo.trim().is_empty(), "{read:?} printed nothing");
        assert_eq!(without_stamps(&solo), without_stamps(&team), "{read:?}");
    }
    let report = |db: &str, name: &str| {
        let out = dir.path().join(name);
        let out = out.to_str().unwrap();
        run_ok(
            dir.path(),
            &["report", "--format", "json", "--out", out, "--db", db],
        );
        std::fs::read_to_string(out).unwrap()
    };
    let (solo, team) = (report(file, "solo.json"), report(&pg.url, "team.json"));
    assert!(solo.contains("Анна Смирнова"), "{solo}");
    // The same figures; the report's maps come in no fixed order.
    let figures =
        |json: &str| -> serde_json::Value { serde_json::from_str(&without_stamps(json)).unwrap() };
    assert_eq!(figures(&solo), figures(&team));
    claims_are_listed_and_reassigned(dir.path(), &pg.url);
}

/// On the plan `READS` drew: a reviewer claims a call, a lead sees it and
/// hands it to someone else.
fn claims_are_listed_and_reassigned(dir: &Path, db: &str) {
    let week = callqa::domain::sampling::Period::parse("2026-W48").unwrap();
    let ws = Workspace::open_existing(db).unwrap();
    let claimed = ws
        .claim_next(week, "Борис")
        .unwrap()
        .expect("a call to claim");
    let list = |dir: &Path| run_ok(dir, &["claims", "--period", "2026-W48", "--db", db]);
    let before = list(dir);
    assert!(
        before.contains(&claimed.call_id) && before.contains("Борис"),
        "{before}"
    );
    let handed = run_ok(
        dir,
        &[
            "claims",
            "--period",
            "2026-W48",
            "--reassign",
            &claimed.call_id,
            "--to",
            "Мария",
            "--db",
            db,
        ],
    );
    assert!(handed.contains("Мария"), "{handed}");
    assert!(!list(dir).contains("Борис"));
    // Nobody of that name has work here: refused, saying who could take it.
    let nobody = callqa(
        dir,
        &[
            "claims",
            "--period",
            "2026-W48",
            "--reassign",
            &claimed.call_id,
            "--to",
            "Никто",
            "--db",
            db,
            "--lang",
            "en",
        ],
    );
    let said = text(&nobody.stderr);
    assert!(!nobody.status.success(), "{said}");
    assert!(
        said.contains("Никто is not a reviewer") && said.contains("Мария"),
        "{said}"
    );
}

#[test]
fn migrate_moves_a_workspace_both_ways_and_refuses_a_full_target() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let solo = dir.path().join("solo.sqlite");
    let solo = solo.to_str().unwrap();
    reviewed_demo(dir.path(), solo);
    let there = run_ok(dir.path(), &["migrate", "--from", solo, "--to", &pg.url]);
    assert!(there.contains("calls") && there.contains("→"), "{there}");
    let back = dir.path().join("back.sqlite");
    let back = back.to_str().unwrap();
    run_ok(dir.path(), &["migrate", "--from", &pg.url, "--to", back]);
    let (before, team, after) = (
        Workspace::open_existing(solo).unwrap(),
        Workspace::open_existing(pg.url.as_str()).unwrap(),
        Workspace::open_existing(back).unwrap(),
    );
    for table in callqa::store::TABLES {
        let n = before.row_count(table).unwrap();
        assert_eq!(team.row_count(table).unwrap(), n, "{table}");
        assert_eq!(after.row_count(table).unwrap(), n, "{table}");
    }
    assert!(before.row_count("review_events").unwrap() > 0);
    let export = |db: &str| run_ok(dir.path(), &["export", "--db", db]);
    assert_eq!(export(solo), export(back));
    // A new review on the team workspace gets an id after the copied ones.
    let last = before.row_count("reviews").unwrap() as i64;
    drop(team);
    assert!(start_on_first_call(&pg.url, "Борис").1 > last);
    // A workspace with data is never a target.
    let full = callqa(dir.path(), &["migrate", "--from", solo, "--to", &pg.url]);
    assert!(!full.status.success());
    assert!(
        text(&full.stderr).contains("already holds data"),
        "{}",
        text(&full.stderr)
    );
}

/// `reviewer`'s submitted review of `call`: greeting and introduction as given.
fn scored(
    db: &str,
    call: &str,
    reviewer: &str,
    greeting: AnswerValue,
    introduced: AnswerValue,
) -> i64 {
    let mut ws = Workspace::open_existing(db).unwrap();
    let checklist = Checklist::default_sales_call();
    let call = ws.call(call).unwrap();
    let id = ws
        .start_review(&call, reviewer, &checklist, vec![])
        .unwrap()
        .review_id;
    for (item, value) in [("greeting", greeting), ("introduced", introduced)] {
        ws.change_answer(id, &checklist, item, AnswerChange::Value(Some(value)))
            .unwrap();
    }
    ws.submit_review(id, &checklist).unwrap();
    id
}

/// Calibration and disputes on a team's database: the same figures, the
/// same counted reviews and the same dispute history as on a file.
#[test]
fn calibration_and_disputes_come_out_the_same_on_both_engines() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    use AnswerValue::{No, Yes};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("solo.sqlite");
    let file = file.to_str().unwrap();
    let mut outputs = Vec::new();
    for db in [file, pg.url.as_str()] {
        reviewed_demo(dir.path(), db);
        let mark = [
            "calibration",
            "mark",
            "call-002",
            "call-003",
            "--reviewers",
            "anna,boris",
            "--lead",
            "lead",
            "--set",
            "w48",
            "--db",
            db,
        ];
        run_ok(dir.path(), &mark);
        let mut lead_first = 0;
        for (call, who, greeting, introduced) in [
            ("call-002", "lead", Yes, Yes),
            ("call-002", "anna", Yes, No),
            ("call-002", "boris", Yes, Yes),
            ("call-003", "lead", No, Yes),
            ("call-003", "anna", No, No),
            ("call-003", "boris", Yes, Yes),
        ] {
            let id = scored(db, call, who, greeting, introduced);
            if (call, who) == ("call-002", "lead") {
                lead_first = id;
            }
        }
        let show = [
            "calibration",
            "show",
            "--lead",
            "lead",
            "--format",
            "json",
            "--db",
            db,
        ];
        let figures = run_ok(dir.path(), &show);
        let agree = lead_first.to_string();
        run_ok(
            dir.path(),
            &[
                "calibration",
                "agree",
                "call-002",
                "--review",
                &agree,
                "--db",
                db,
            ],
        );
        // Мария's review of call-001 failed "needs": the rep disputes it,
        // the lead changes the answer.
        let mut ws = Workspace::open_existing(db).unwrap();
        let review = ws
            .review("call-001", "Мария", "sales-call")
            .unwrap()
            .expect("Мария's review")
            .review_id;
        ws.record_response(
            review,
            "needs",
            callqa::store::Response::Dispute,
            Some("asked at 0:40"),
            "sheet.xlsx",
        )
        .unwrap();
        let resolution = callqa::store::Resolution {
            by: "lead",
            answer: Yes,
            reason: "the question is there",
        };
        ws.resolve_dispute(
            review,
            "needs",
            &resolution,
            &Checklist::default_sales_call(),
        )
        .unwrap();
        let disputes = run_ok(dir.path(), &["disputes", "--format", "json", "--db", db]);
        let export = run_ok(dir.path(), &["export", "--per", "call", "--db", db]);
        outputs.push((figures, disputes, export));
    }
    let (solo, team) = (&outputs[0], &outputs[1]);
    let json =
        |text: &str| -> serde_json::Value { serde_json::from_str(&without_stamps(text)).unwrap() };
    assert!(solo.0.contains("alpha"), "{}", solo.0);
    assert_eq!(json(&solo.0), json(&team.0), "calibration figures");
    assert!(solo.1.contains("changed"), "{}", solo.1);
    assert_eq!(json(&solo.1), json(&team.1), "disputes");
    // The agreed version of call-002 counts once; call-003's three do not.
    assert_eq!(without_stamps(&solo.2), without_stamps(&team.2), "export");
    let rows = |call: &str| -> Vec<String> {
        solo.2
            .lines()
            .filter(|l| l.starts_with(&format!("{call},")))
            .map(|l| l.split(',').nth(4).unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(rows("call-002"), ["lead"], "{}", solo.2);
    assert_eq!(rows("call-003"), [""], "{}", solo.2);
}

#[path = "workstation_support/mod.rs"]
mod workstation_support;

/// A PostgreSQL server of the test's own, as `./dev test` starts one (in a
/// temp folder, a socket and no TCP), so the test can stop and start it
/// without touching the shared one in `CALLQA_TEST_PG`.
struct OwnServer {
    pg_bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    url: String,
}

impl OwnServer {
    /// `None` where the PostgreSQL tests are skipped; a test that cannot
    /// have its server fails and says why otherwise.
    fn start() -> Option<OwnServer> {
        let skip = std::env::var("CALLQA_SKIP_MISSING_TOOLS").as_deref() == Ok("1");
        let pg_bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|bin| bin.join("pg_ctl").exists())
            .max_by_key(|bin| {
                let version = bin.parent().and_then(|v| v.file_name());
                version.and_then(|v| v.to_str()?.parse::<u32>().ok())
            });
        let Some(pg_bin) = pg_bin else {
            assert!(
                skip,
                "no PostgreSQL under /usr/lib/postgresql: this test starts and stops a server \
                 of its own (CALLQA_SKIP_MISSING_TOOLS=1 skips it on a developer's machine)"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        std::process::Command::new("chmod")
            .arg("755")
            .arg(dir.path())
            .status()
            .unwrap();
        let server = OwnServer {
            url: format!(
                "postgresql://postgres@{}/postgres",
                dir.path().to_str().unwrap().replace('/', "%2F")
            ),
            pg_bin,
            dir,
        };
        if server.as_root() {
            std::process::Command::new("chown")
                .arg("postgres")
                .arg(server.dir.path())
                .status()
                .unwrap();
        }
        let data = server.dir.path().join("data");
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        server.up();
        Some(server)
    }

    fn as_root(&self) -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
    }

    /// A PostgreSQL tool (run as `postgres` when the test runs as root:
    /// the server refuses to run as root).
    fn tool(&self, name: &str) -> std::process::Command {
        let tool = self.pg_bin.join(name);
        match self.as_root() {
            true => {
                let mut c = std::process::Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(&tool);
                c
            }
            false => std::process::Command::new(&tool),
        }
    }

    fn run(&self, name: &str, args: &[&str]) {
        let out = self.tool(name).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{name} {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.path().join("data");
        let mut all = vec!["-D", data.to_str().unwrap(), "-w"];
        all.extend(args);
        self.run("pg_ctl", &all);
    }

    fn up(&self) {
        let log = self.dir.path().join("log");
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off",
            self.dir.path().display()
        );
        self.pg_ctl(&["-l", log.to_str().unwrap(), "-o", &options, "start"]);
    }

    /// As a crash or a pulled cable: no goodbye to the clients.
    fn down(&self) {
        self.pg_ctl(&["-m", "immediate", "stop"]);
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let data = data.to_str().unwrap_or_default();
        let args = ["-D", data, "-m", "immediate", "-w", "stop"];
        let _ = self.tool("pg_ctl").args(args).output();
    }
}

#[test]
fn answers_given_while_the_server_is_away_are_queued_shown_and_delivered_when_it_is_back() {
    use ratatui::crossterm::event::KeyCode;
    use workstation_support::{press, screen};
    let Some((server, dir, mut app)) = demo_on_own_server() else {
        return;
    };
    let outbox = dir.path().join("outbox");
    let call = app.review.open.as_ref().unwrap().call.call_id.clone();
    let checklist = app.checklist().clone();
    // The item under the cursor, answered with `key` (the cursor moves on).
    let answer = |app: &mut callqa::tui::app::App, key: char| -> String {
        let item = checklist.items[app.review.item()].id.clone();
        press(app, KeyCode::Char(key));
        item
    };
    let mut items = Vec::new();
    // The review is started (and its first answer saved) with the server up.
    items.push(answer(&mut app, 'y'));
    delivered(&mut app);
    let review_id = app.review.record().unwrap().review_id;

    server.down();
    items.push(answer(&mut app, 'n'));
    items.push(answer(&mut app, 'y'));
    assert_eq!(app.queued_changes(), 2);
    let shown = status_says(&mut app, "2 answers wait for the server");
    assert!(shown.contains("not on the server"), "{shown}");
    let answers = &app.review.record().unwrap().answers;
    assert_eq!(items.len(), 3);
    assert!(items[0] != items[1] && items[1] != items[2], "{items:?}");
    let values: Vec<_> = items.iter().map(|i| answers[i].value).collect();
    use AnswerValue::{No, Yes};
    assert_eq!(values, [Some(Yes), Some(No), Some(Yes)], "shown as given");
    let files = outbox_files(&outbox);
    assert_eq!(files.len(), 1);
    let queued = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(queued.lines().count(), 2, "{queued}");
    assert!(
        queued.contains(&format!(r#""item":"{}""#, items[1])),
        "{queued}"
    );

    server.up();
    delivered(&mut app);
    let shown = screen(&mut app, 160, 40);
    assert!(shown.contains("every queued answer is saved"), "{shown}");
    assert!(!files[0].exists(), "the outbox is empty");
    let ws = Workspace::open_existing(server.url.as_str()).unwrap();
    let stored = ws.review(&call, "tester", "sales-call").unwrap().unwrap();
    let stored: Vec<_> = items.iter().map(|i| stored.answers[i].value).collect();
    assert_eq!(stored, [Some(Yes), Some(No), Some(Yes)]);

    // Away again, one more answer; back, and a submit comes before any
    // tick: it delivers the queue first, so its snapshot holds the answer.
    server.down();
    items.push(answer(&mut app, 'n'));
    assert_eq!(app.queued_changes(), 1);
    server.up();
    press(&mut app, KeyCode::Char('s'));
    if matches!(app.screen.mode, Mode::ConfirmSubmit { .. }) {
        press(&mut app, KeyCode::Char('y'));
    }
    assert_eq!(app.queued_changes(), 0, "{:?}", app.screen.message);
    // A fresh connection: the restart broke the one above.
    let ws = Workspace::open_existing(server.url.as_str()).unwrap();
    let events = ws.review_events(review_id).unwrap();
    let answered: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "answer")
        .map(|e| (e.item_id.clone().unwrap_or_default(), e.new_value.clone()))
        .collect();
    let given = |n: usize, value: &str| (items[n].clone(), Some(value.to_string()));
    assert_eq!(
        answered,
        [
            given(0, "yes"),
            given(1, "no"),
            given(2, "yes"),
            given(3, "no")
        ]
    );
    let submit = events
        .iter()
        .find(|e| e.kind == "submit")
        .expect("submitted");
    let snapshot: serde_json::Value =
        serde_json::from_str(submit.new_value.as_deref().unwrap()).unwrap();
    assert_eq!(snapshot["answers"][&items[3]]["value"], "no", "{snapshot}");
}

/// A change of item `item` on review `review_id`, through the store.
fn answer_no(ws: &mut Workspace, review_id: i64, item: &str) -> callqa::store::Result<()> {
    let checklist = Checklist::default_sales_call();
    ws.change_answer(
        review_id,
        &checklist,
        item,
        AnswerChange::Value(Some(AnswerValue::No)),
    )
    .map(|_| ())
}

/// The first column of `sql`'s rows.
fn column<T: for<'a> postgres::types::FromSql<'a>>(
    client: &mut postgres::Client,
    sql: &str,
) -> Vec<T> {
    let rows = client
        .query(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter().map(|r| r.get(0)).collect()
}

#[test]
fn a_team_database_lets_each_role_do_its_part_only() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let owner = &pg.url;
    run_ok(
        dir.path(),
        &["import", &demo(), "--db", owner, "--lang", "en"],
    );
    run_ok(dir.path(), &["analyze", "--db", owner]);
    run_ok(dir.path(), &["plan", "--period", "2026-W48", "--db", owner]);
    // Twice: a lead runs it again after an upgrade.
    run_ok(dir.path(), &["team", "setup", "--db", owner]);
    run_ok(
        dir.path(),
        &["team", "setup", "--db", owner, "--lang", "ru"],
    );
    // Roles are the server's, not the database's: names of this run only.
    let login = |name: &str| format!("{name}_{}", std::process::id());
    let (anna, boris, lead, client) = (
        login("anna"),
        login("boris"),
        login("lead1"),
        login("client1"),
    );
    for (name, role) in [
        (&anna, "reviewer"),
        (&boris, "reviewer"),
        (&lead, "lead"),
        (&client, "client"),
    ] {
        run_ok(
            dir.path(),
            &["team", "add", name, "--role", role, "--db", owner],
        );
    }
    let _dropped = Logins(
        owner.clone(),
        [&anna, &boris, &lead, &client]
            .map(|l| l.to_string())
            .to_vec(),
    );
    // This database's people only, not another test's on the same server.
    let listed = run_ok(dir.path(), &["team", "list", "--db", owner, "--lang", "en"]);
    assert_eq!(listed.lines().count(), 5, "{listed}");
    for (name, role) in [
        (&anna, "reviewer"),
        (&lead, "lead"),
        (&client, "client viewer"),
    ] {
        assert!(listed.contains(&format!("{name:<24} {role}\n")), "{listed}");
    }

    // Each reviewer starts a review under their login; boris submits his.
    let (mut anna_ws, anna_review) = start_on_first_call(&as_user(owner, &anna), &anna);
    let (mut boris_ws, boris_review) = start_on_first_call(&as_user(owner, &boris), &boris);
    answer_no(&mut boris_ws, boris_review, "greeting").unwrap();
    boris_ws
        .submit_review(boris_review, &Checklist::default_sales_call())
        .unwrap();
    answer_no(&mut anna_ws, anna_review, "greeting").unwrap();
    let refused = answer_no(&mut anna_ws, boris_review, "needs")
        .expect_err("anna changed boris's answers")
        .to_string();
    assert!(
        refused.contains("callqa_reviewer") && refused.contains("only their own reviews"),
        "{refused}"
    );

    // The client viewer reads submitted work only and writes nothing.
    let mut viewer = postgres::Client::connect(&as_user(owner, &client), postgres::NoTls).unwrap();
    // The views the reports read keep the rules too.
    for table in ["reviews", "counted_reviews"] {
        let reviewers: Vec<String> = column(&mut viewer, &format!("SELECT reviewer FROM {table}"));
        assert_eq!(reviewers, std::slice::from_ref(&boris), "{table}");
    }
    let answered: Vec<i64> = column(&mut viewer, "SELECT DISTINCT review_id FROM answers");
    assert_eq!(answered, [boris_review]);
    let writable: Vec<String> = column(
        &mut viewer,
        "SELECT c.relname::TEXT FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
           AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')",
    );
    assert!(writable.is_empty(), "{writable:?}");
    for private in ["reviewer_state", "markers", "plan_claims"] {
        let denied = viewer
            .query(&format!("SELECT 1 FROM {private}"), &[])
            .expect_err(private);
        assert_eq!(
            denied.code(),
            Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
        );
    }
    let mut client_ws = Workspace::open_existing(as_user(owner, &client).as_str()).unwrap();
    assert!(answer_no(&mut client_ws, boris_review, "needs").is_err());

    // Claims: anna takes a call; she cannot hand it on, the lead can.
    let week = callqa::domain::sampling::Period::parse("2026-W48").unwrap();
    let claimed = anna_ws
        .claim_next(week, &anna)
        .unwrap()
        .expect("a call to claim");
    let kept = anna_ws
        .reassign_planned_call(week, &claimed.call_id, &boris)
        .expect_err("anna handed her call to boris")
        .to_string();
    assert!(kept.contains("plan_entries"), "{kept}");
    let lead_url = as_user(owner, &lead);
    let handed = run_ok(
        dir.path(),
        &[
            "claims",
            "--period",
            "2026-W48",
            "--reassign",
            &claimed.call_id,
            "--to",
            &boris,
            "--db",
            &lead_url,
        ],
    );
    assert!(handed.contains(&boris), "{handed}");

    // The lead changes anyone's review.
    let mut lead_ws = Workspace::open_existing(lead_url.as_str()).unwrap();
    answer_no(&mut lead_ws, boris_review, "needs").unwrap();
    answer_no(&mut lead_ws, anna_review, "needs").unwrap();

    // A file has no one to tell apart, and says so.
    let file = dir.path().join("solo.sqlite");
    let file = file.to_str().unwrap();
    run_ok(
        dir.path(),
        &["import", &demo(), "--db", file, "--lang", "en"],
    );
    for action in ["setup", "list"] {
        let said = run_ok(dir.path(), &["team", action, "--db", file]);
        assert!(said.contains("is a file: it has one user"), "{said}");
    }
}

// --- team helper ---

/// `callqa` at `db` in English; its output.
fn callqa_en(dir: &Path, args: &[&str], db: &str) -> std::process::Output {
    let all = [args, &["--db", db, "--lang", "en"][..]].concat();
    callqa(dir, &all)
}

/// A reviewer's and a client viewer's logins show the plan a lead drew
/// without writing anything, and are told whose it is to draw or change;
/// a client viewer's export gives what exists and says nothing else; a
/// table a later migration adds is the groups' without `team setup` again.
#[test]
fn readers_show_the_plan_and_export_and_later_tables_come_with_their_grants() {
    let Some(pg) = TempDatabase::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let owner = &pg.url;
    run_ok(
        dir.path(),
        &["import", &demo(), "--db", owner, "--lang", "en"],
    );
    run_ok(dir.path(), &["team", "setup", "--db", owner]);
    let login = |name: &str| format!("{name}_{}", std::process::id());
    let logins = [
        login("rev2"),
        login("client2"),
        login("lead2"),
        login("spare2"),
    ];
    for (name, role) in logins.iter().zip(["reviewer", "client", "lead"]) {
        run_ok(
            dir.path(),
            &["team", "add", name, "--role", role, "--db", owner],
        );
    }
    let _dropped = Logins(owner.clone(), logins.to_vec());
    let [reviewer, client, lead] = [0, 1, 2].map(|i| as_user(owner, &logins[i]));
    let week = ["plan", "--period", "2026-W48"];

    // Nothing drawn yet: a reader cannot draw it, and says who can.
    let none = callqa_en(dir.path(), &week, &client);
    assert!(!none.status.success());
    assert!(
        text(&none.stderr).contains("2026-W48: no plan is drawn for this week yet"),
        "{}",
        text(&none.stderr)
    );
    run_ok(dir.path(), &[&week[..], &["--db", &lead]].concat());
    let drawn = callqa_en(dir.path(), &week, &lead);
    for reader in [&reviewer, &client] {
        let shown = callqa_en(dir.path(), &week, reader);
        assert!(shown.status.success(), "{}", text(&shown.stderr));
        assert_eq!(text(&shown.stdout), text(&drawn.stdout));
        let change = [&week[..], &["--reviewers", "anna"]].concat();
        let refused = callqa_en(dir.path(), &change, reader);
        assert!(!refused.status.success());
        assert!(
            text(&refused.stderr)
                .contains("drawing it, --reviewers, --rules, --seed and --replace are a lead's"),
            "{}",
            text(&refused.stderr)
        );
    }
    review_first_call(owner);
    let exported = callqa_en(dir.path(), &["export", "--per", "call"], &client);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert_eq!(text(&exported.stderr), "");
    assert!(text(&exported.stdout).contains("Мария"));

    // A later migration's table, made by the owner as migrations are.
    let mut admin = postgres::Client::connect(owner, postgres::NoTls).unwrap();
    admin
        .batch_execute("CREATE TABLE later_notes (id BIGINT PRIMARY KEY)")
        .unwrap();
    let mut lead = postgres::Client::connect(&lead, postgres::NoTls).unwrap();
    lead.batch_execute("INSERT INTO later_notes VALUES (1)")
        .unwrap();
    for reader in [&reviewer, &client] {
        let mut reader = postgres::Client::connect(reader, postgres::NoTls).unwrap();
        let ids: Vec<i64> = column(&mut reader, "SELECT id FROM later_notes");
        assert_eq!(ids, [1]);
    }
}

/// A private server on TCP 127.0.0.1 that takes TLS connections only
/// (`hostssl` in pg_hba.conf, a certificate signed by a CA made here),
/// stopped when this is dropped.
struct TlsServer {
    data: std::path::PathBuf,
    pg_ctl: std::path::PathBuf,
    port: u16,
    dir: std::path::PathBuf,
}

/// `program args` run as the `postgres` user when the test runs as root
/// (initdb refuses root), as the test's own user otherwise.
fn as_postgres(program: &Path, args: &[&str]) -> std::process::Output {
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = match root {
        true => {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        }
        false => std::process::Command::new(program),
    };
    command.args(args).output().unwrap()
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl (./dev test installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

/// A CA named `name`: `name.key` and `name.pem` in `dir`.
fn make_ca(dir: &Path, name: &str) {
    let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
    let subject = format!("/CN=callqa test {name}");
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", &key, "-out",
            &pem, "-subj", &subject,
        ],
    );
}

impl TlsServer {
    /// `None` where PostgreSQL is not installed and missing tools may be
    /// skipped (CALLQA_SKIP_MISSING_TOOLS=1).
    fn start(dir: &Path) -> Option<TlsServer> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("initdb").exists())
            .max_by_key(|b| {
                let version = b.parent().and_then(|v| v.file_name()).unwrap_or_default();
                version.to_string_lossy().parse::<u32>().unwrap_or(0)
            });
        let Some(bin) = bin else {
            assert_eq!(
                std::env::var("CALLQA_SKIP_MISSING_TOOLS").as_deref(),
                Ok("1"),
                "PostgreSQL is not installed: ./dev test installs it"
            );
            return None;
        };
        make_ca(dir, "ca");
        make_ca(dir, "other-ca");
        std::fs::write(
            dir.join("san.cnf"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "san.cnf",
                "-out",
                "server.pem",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if unsafe { libc::geteuid() } == 0 {
            let out = std::process::Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        std::fs::set_permissions(
            dir.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        let data = dir.join("data");
        let out = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        assert!(out.status.success(), "initdb: {}", text(&out.stderr));
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let options = format!(
            "-k {d} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on \
             -c ssl_cert_file={d}/server.pem -c ssl_key_file={d}/server.key",
            d = dir.display()
        );
        let server = TlsServer {
            data,
            pg_ctl: bin.join("pg_ctl"),
            port,
            dir: dir.to_path_buf(),
        };
        let log = dir.join("log");
        let out = as_postgres(
            &server.pg_ctl,
            &[
                "-D",
                server.data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            text(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(server)
    }

    /// A URL of the server over TCP with `query` (sslmode=… and such).
    fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{query}",
            self.port
        )
    }

    fn cert(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap();
        as_postgres(&self.pg_ctl, &["-D", data, "-m", "immediate", "stop"]);
    }
}

/// A server that requires TLS: a plain connection is refused and says how
/// to ask for TLS; `require` encrypts; `verify-full` checks the certificate
/// against the CA given (in the URL or PGSSLROOTCERT) and refuses another
/// CA's, saying so.
#[test]
fn a_server_that_requires_tls_is_reached_as_the_url_says() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = TlsServer::start(dir.path()) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let required = server.url("sslmode=require");
    run_ok(
        work,
        &["import", &demo(), "--db", &required, "--lang", "en"],
    );
    let plain = callqa_en(
        work,
        &["claims", "--period", "2026-W48"],
        &server.url("sslmode=disable"),
    );
    assert!(!plain.status.success());
    let said = text(&plain.stderr);
    assert!(
        said.contains("no encryption") && said.contains("sslmode=require"),
        "{said}"
    );

    let ca = server.cert("ca.pem");
    let full = server.url(&format!("sslmode=verify-full&sslrootcert={ca}"));
    let listed = callqa_en(work, &["claims", "--period", "2026-W48"], &full);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    // The CA from the environment, as libpq takes it.
    let from_env = std::process::Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(["claims", "--period", "2026-W48", "--lang", "en", "--db"])
        .arg(server.url("sslmode=verify-full"))
        .env("PGSSLROOTCERT", &ca)
        .env("CALLQA_DATA_DIR", work.join("data"))
        .env("CALLQA_CONFIG_DIR", work.join("config"))
        .output()
        .unwrap();
    assert!(from_env.status.success(), "{}", text(&from_env.stderr));

    let other = server.cert("other-ca.pem");
    let wrong = server.url(&format!("sslmode=verify-full&sslrootcert={other}"));
    let refused = callqa_en(work, &["claims", "--period", "2026-W48"], &wrong);
    assert!(!refused.status.success());
    let said = text(&refused.stderr);
    assert!(said.contains("not signed by a trusted root"), "{said}");
    let missing = server.url("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
    let said = text(&callqa_en(work, &["claims"], &missing).stderr);
    assert!(said.contains("sslrootcert /nonexistent/ca.pem"), "{said}");
}

/// A server of the test's own with the demo in it, and a workstation on it
/// with its outbox in `dir/outbox`.
fn demo_on_own_server() -> Option<(OwnServer, tempfile::TempDir, callqa::tui::app::App)> {
    let server = OwnServer::start()?;
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), &["import", &demo(), "--db", &server.url]);
    let app = workstation_on(&server, dir.path());
    Some((server, dir, app))
}

/// A workstation on `server` with its outbox in `dir/outbox`.
fn workstation_on(server: &OwnServer, dir: &Path) -> callqa::tui::app::App {
    let url = Path::new(&server.url);
    let mut app = workstation_support::open_app(url, None, callqa::domain::Lang::En);
    app.open_outbox(&dir.join("outbox"));
    app
}

/// The outbox files under `dir` (queued and refused lines, not locks).
fn outbox_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap().flatten();
    let files = entries.map(|e| e.path());
    files
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect()
}

/// Tick until the writer thread has delivered every queued line.
fn delivered(app: &mut callqa::tui::app::App) {
    let start = std::time::Instant::now();
    while app.queued_changes() > 0 {
        assert!(start.elapsed().as_secs() < 60, "never delivered");
        std::thread::sleep(std::time::Duration::from_millis(20));
        app.tick();
    }
    app.tick();
}

/// Tick until the drawn screen shows `text` (the writer reports on its
/// own time); the screen.
fn status_says(app: &mut callqa::tui::app::App, text: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        let shown = workstation_support::screen(app, 200, 40);
        if shown.contains(text) {
            return shown;
        }
        assert!(
            start.elapsed().as_secs() < 60,
            "never said {text:?}: {shown}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The answers' history of `reviewer`'s review of `call`, in order, as
/// (item, new value), and the kinds of every event.
fn answer_history(url: &str, call: &str) -> (Vec<(String, String)>, Vec<String>) {
    let ws = Workspace::open_existing(url).unwrap();
    let review = ws.review(call, "tester", "sales-call").unwrap().unwrap();
    let events = ws.review_events(review.review_id).unwrap();
    let answers = events
        .iter()
        .filter(|e| e.kind == "answer")
        .map(|e| {
            let item = e.item_id.clone().unwrap_or_default();
            (item, e.new_value.clone().unwrap_or_default())
        })
        .collect();
    (answers, events.iter().map(|e| e.kind.clone()).collect())
}

impl OwnServer {
    /// The server and every backend it runs, as `kill -SIG` leaves them.
    fn signal_all(&self, signal: &str) {
        let pid_file = self.dir.path().join("data/postmaster.pid");
        let text = std::fs::read_to_string(pid_file).unwrap();
        let postmaster = text.lines().next().unwrap().trim().to_string();
        let mut pids = vec![postmaster.clone()];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // pid (name) state ppid ...: the name may hold spaces.
            let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            if after_name.split_whitespace().nth(1) == Some(postmaster.as_str()) {
                pids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        // A backend may end between the listing and its signal.
        let _ = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .args(&pids)
            .status();
    }
}

/// The answer keys pressed (items in order) while the server is frozen:
/// each key returns at once and its answer is on screen; a frozen UI would
/// never get here (a watchdog thaws the server after a minute and the
/// test then fails, rather than hanging).
#[test]
fn key_presses_change_the_screen_while_the_server_is_frozen_and_arrive_in_order_after() {
    use ratatui::crossterm::event::KeyCode;
    use std::sync::atomic::{AtomicBool, Ordering};
    use workstation_support::press;
    let Some((server, _dir, mut app)) = demo_on_own_server() else {
        return;
    };
    delivered(&mut app);
    let call = app.review.open.as_ref().unwrap().call.call_id.clone();
    assert!(app.review.record().is_none(), "a call not reviewed yet");
    let checklist = app.checklist().clone();

    server.signal_all("STOP");
    let keys_done = std::sync::Arc::new(AtomicBool::new(false));
    let thawed_by_watchdog = std::sync::Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (done, thawed) = (keys_done.clone(), thawed_by_watchdog.clone());
        let pid_dir = server.dir.path().to_path_buf();
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            while !done.load(Ordering::SeqCst) {
                if start.elapsed().as_secs() > 60 {
                    thawed.store(true, Ordering::SeqCst);
                    let pid = std::fs::read_to_string(pid_dir.join("data/postmaster.pid"));
                    let pid = pid.unwrap_or_default();
                    let pid = pid.lines().next().unwrap_or_default().to_string();
                    let _ = std::process::Command::new("pkill")
                        .args(["-CONT", "-P", &pid])
                        .status();
                    let _ = std::process::Command::new("kill")
                        .args(["-CONT", &pid])
                        .status();
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    };
    let mut given = Vec::new();
    for key in ['y', 'n', 'y'] {
        let item = checklist.items[app.review.item()].id.clone();
        press(&mut app, KeyCode::Char(key));
        given.push(item);
    }
    // A comment on the item just answered, then a step down the list (the
    // reviewer's place, written by the writer too).
    press(&mut app, KeyCode::Char('c'));
    workstation_support::chars(&mut app, "said while frozen");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('j'));
    let shown = workstation_support::screen(&mut app, 200, 40);
    let answers = app
        .review
        .record()
        .expect("shown before the server has it")
        .answers
        .clone();
    keys_done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    assert!(
        !thawed_by_watchdog.load(Ordering::SeqCst),
        "a key press waited on the frozen server"
    );
    use AnswerValue::{No, Yes};
    let values: Vec<_> = given.iter().map(|i| answers[i].value).collect();
    assert_eq!(values, [Some(Yes), Some(No), Some(Yes)]);
    let comment = answers[&given[2]].comment.as_deref();
    assert_eq!(comment, Some("said while frozen"));
    assert!(shown.contains("saving 4…"), "{shown}");

    server.signal_all("CONT");
    delivered(&mut app);
    let said = workstation_support::message(&app);
    assert!(!said.contains("saving"), "{said}");
    assert!(
        app.review.record().unwrap().review_id > 0,
        "the server's id"
    );
    let (answered, kinds) = answer_history(&server.url, &call);
    let expected: Vec<_> = given
        .iter()
        .zip(["yes", "no", "yes"])
        .map(|(item, value)| (item.clone(), value.to_string()))
        .collect();
    assert_eq!(answered, expected);
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("start"),
        "{kinds:?}"
    );
    let last_answer = kinds.iter().rposition(|k| k == "answer");
    assert!(
        kinds.iter().position(|k| k == "comment") > last_answer,
        "{kinds:?}"
    );
    let ws = Workspace::open_existing(server.url.as_str()).unwrap();
    let place = ws.place("tester").unwrap().unwrap_or_default();
    let at = app.checklist().items[app.review.item()].id.clone();
    assert_eq!(place.item_id, Some(at), "the place after the step");
}

#[test]
fn killing_the_server_mid_review_loses_no_answer_not_even_a_new_calls_first() {
    use ratatui::crossterm::event::KeyCode;
    use workstation_support::press;
    let Some((server, dir, mut app)) = demo_on_own_server() else {
        return;
    };
    let outbox = dir.path().join("outbox");
    let checklist = app.checklist().clone();
    let answer = |app: &mut callqa::tui::app::App, key: char| -> String {
        let item = checklist.items[app.review.item()].id.clone();
        press(app, KeyCode::Char(key));
        item
    };
    let first_call = app.review.open.as_ref().unwrap().call.call_id.clone();
    let on_first = [answer(&mut app, 'y')];
    delivered(&mut app);
    app.open_call(1).unwrap();
    let second_call = app.review.open.as_ref().unwrap().call.call_id.clone();
    assert_ne!(first_call, second_call);
    assert!(app.review.record().is_none(), "not reviewed yet");

    server.down();
    let on_second = [answer(&mut app, 'n'), answer(&mut app, 'y')];
    status_says(&mut app, "2 answers wait for the server");
    // The workstation ends without a goodbye (a crash, a closed laptop):
    // the answers are in the outbox on disk.
    drop(app);
    server.up();
    let mut app = workstation_on(&server, dir.path());
    delivered(&mut app);

    let (answered, _) = answer_history(&server.url, &first_call);
    assert_eq!(answered, [(on_first[0].clone(), "yes".to_string())]);
    let (answered, kinds) = answer_history(&server.url, &second_call);
    assert_eq!(
        answered,
        [
            (on_second[0].clone(), "no".to_string()),
            (on_second[1].clone(), "yes".to_string())
        ]
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "start").count(),
        1,
        "{kinds:?}"
    );
    let left = outbox_files(&outbox);
    assert!(left.is_empty(), "nothing left or refused: {left:?}");
}

#[test]
fn a_refused_change_is_said_and_set_aside_and_the_ones_behind_it_arrive() {
    use ratatui::crossterm::event::KeyCode;
    use workstation_support::press;
    let Some((server, dir, mut app)) = demo_on_own_server() else {
        return;
    };
    let outbox = dir.path().join("outbox");
    let call = app.review.open.as_ref().unwrap().call.call_id.clone();
    let item = app.checklist().items[app.review.item()].id.clone();
    server.down();
    press(&mut app, KeyCode::Char('n'));
    drop(app);
    // Ahead of that answer, a change to a review the server does not have
    // (as if it were deleted while the change waited).
    let files = outbox_files(&outbox);
    assert_eq!(files.len(), 1);
    let path = files[0].clone();
    let queued = std::fs::read_to_string(&path).unwrap();
    let mut bad: serde_json::Value = serde_json::from_str(queued.lines().last().unwrap()).unwrap();
    let line = bad.as_object_mut().unwrap();
    line.remove("of");
    line.remove("reviewer");
    line.insert("review_id".into(), 999_999.into());
    std::fs::write(&path, format!("{bad}\n{queued}")).unwrap();

    server.up();
    let mut app = workstation_on(&server, dir.path());
    delivered(&mut app);
    let shown = workstation_support::screen(&mut app, 400, 40);
    assert!(shown.contains("NOT SAVED"), "{shown}");
    assert!(
        shown.contains(&format!("the server refused the change to {item}")),
        "{shown}"
    );
    assert!(shown.contains(".refused.jsonl"), "{shown}");
    let refused = path.with_extension("refused.jsonl");
    let refused = std::fs::read_to_string(&refused).unwrap();
    assert!(refused.contains(r#""review_id":999999"#), "{refused}");
    assert!(refused.contains(r#""refused":"#), "{refused}");
    assert!(!path.exists(), "the outbox is empty");
    let (answered, _) = answer_history(&server.url, &call);
    assert_eq!(answered, [(item, "no".to_string())]);
}

/// A measurement, not a check (it asserts only that every answer arrived):
/// `cargo test --test postgres -- --ignored --nocapture keypress_round_trip`
/// prints, for SQLite and for PostgreSQL over a Unix socket, a key press
/// handled (written, on PostgreSQL to the outbox), to its answer drawn and
/// to its answer on the server (p50 / p99 of 300).
#[test]
#[ignore]
fn keypress_round_trip() {
    use ratatui::crossterm::event::KeyCode;
    use std::time::{Duration, Instant};
    use workstation_support::{draw_on, open_app, press};
    let Some(server) = OwnServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("solo.sqlite");
    let sqlite = sqlite.to_str().unwrap();
    for db in [sqlite, server.url.as_str()] {
        run_ok(dir.path(), &["import", &demo(), "--db", db]);
        let mut app = open_app(Path::new(db), None, callqa::domain::Lang::En);
        app.open_outbox(&dir.path().join("outbox"));
        delivered(&mut app);
        let call = app.review.open.as_ref().unwrap().call.call_id.clone();
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
        let (mut handled, mut drawn, mut stored) = (Vec::new(), Vec::new(), Vec::new());
        for n in 0..300 {
            // Back to the first item, then answer it: one answer a press.
            press(&mut app, KeyCode::Char('G'));
            press(&mut app, KeyCode::Char('1'));
            press(&mut app, KeyCode::Enter);
            let start = Instant::now();
            press(&mut app, KeyCode::Char(if n % 2 == 0 { 'y' } else { 'n' }));
            handled.push(start.elapsed());
            draw_on(&mut terminal, &app);
            drawn.push(start.elapsed());
            while app.queued_changes() > 0 {
                app.tick();
                std::thread::yield_now();
            }
            stored.push(start.elapsed());
        }
        let (answered, _) = answer_history(db, &call);
        assert_eq!(answered.len(), 300, "{db}");
        let figures = |times: &mut Vec<Duration>| {
            times.sort();
            let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
            format!("p50 {:.2?} / p99 {:.2?}", at(50), at(99))
        };
        println!(
            "{db}: key press handled {}; -> answer drawn {}; -> on the server {}",
            figures(&mut handled),
            figures(&mut drawn),
            figures(&mut stored)
        );
    }
}
