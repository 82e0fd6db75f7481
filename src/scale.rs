//! `callqa bench --scale N`: how callqa behaves with a large client's
//! workspace, in figures, next to `sqlite3` doing the same work.
//!
//! A contractor's workspace grows to hundreds of thousands of calls in a
//! year; what is fine at 100 calls (reload the queue after every key, scan
//! every note for every call) is unusable there. Timed tests would flake on
//! a shared machine, so this prints figures instead: it generates a batch
//! of `N` calls over 12 weeks and 50 reps with `N` CRM records (contacts,
//! deals, tasks and notes in equal parts), the recordings a few short WAV
//! files shared by all calls, then measures, in this process:
//!
//! - import (and the same batch again, unchanged), against `sqlite3
//!   .import` of the same CSV files (calls and CRM) into empty tables;
//! - the workstation's first frame (open the workspace, load the queue and
//!   the first call, draw it on an off-screen 160x48 terminal);
//! - a key press to its answer committed and drawn (p50 / p99 of 200), and a
//!   cursor step in the queue;
//! - CPU while a call plays (null sound device, ticks and redraws ten times a
//!   second, no background analysis) and while paused; then the same with
//!   the analyser on, the UI and playback threads apart from the analysis;
//! - resident memory with the workstation open;
//! - `callqa audit` and `callqa export` of the whole workspace, against a
//!   `sqlite3` dump of the same tables.
//!
//! [`generate`] is also what tests use for large workspaces.

use crate::audio::{OutputChoice, PlayerHandle};
use crate::domain::checklist::DEFAULT_SALES_CALL_TOML;
use crate::domain::{Checklist, Lang};
use crate::import::formats::ParseOptions;
use crate::store::Workspace;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use anyhow::{Context, Result};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REPS: usize = 50;
const WEEKS: i64 = 12;
const RECORDINGS: usize = 8;
const KEY_PRESSES: usize = 200;

/// How many CRM records [`generate`] writes for `crm_records` asked:
/// the same number of each of the four kinds.
fn crm_rows(crm_records: usize) -> usize {
    crm_records.div_ceil(4).max(1) * 4
}

/// Write a batch folder of `calls` calls and `crm_records` CRM records
/// under `dir`; returns the batch folder.
pub fn generate(dir: &Path, calls: usize, crm_records: usize) -> Result<PathBuf> {
    let root = dir.join("batch");
    std::fs::create_dir_all(root.join("crm"))?;
    std::fs::create_dir_all(root.join("rec"))?;
    for i in 0..RECORDINGS {
        crate::audio::bench::write_wav(&root.join(format!("rec/r{i}.wav")), 8000, 1, 5 + i as u64)?;
    }
    let per_kind = crm_rows(crm_records) / 4;
    let start = chrono::DateTime::parse_from_rfc3339("2026-09-07T09:00:00+03:00")?;
    let span_secs = WEEKS * 7 * 24 * 3600;
    let at = |i: usize, n: usize| {
        let offset = (i as i64 * span_secs) / n.max(1) as i64;
        (start + chrono::Duration::seconds(offset)).to_rfc3339()
    };
    let rep = |i: usize| format!("Менеджер {:02}", i % REPS);
    let mut text = String::from(
        "call_id,started_at,rep,direction,phone,recording,contact_id,deal_id,channel_layout\n",
    );
    for i in 0..calls {
        let contact = i % per_kind;
        writeln!(
            text,
            "call-{i:07},{},{},{},+7916{:07},rec/r{}.wav,K{contact},D{contact},mono",
            at(i, calls),
            rep(contact),
            if i % 3 == 0 { "in" } else { "out" },
            contact,
            i % RECORDINGS
        )?;
    }
    std::fs::write(root.join("calls.csv"), &text)?;
    let mut contacts =
        String::from("contact_id,name,role,phone,email,company,industry,segment,owner_rep\n");
    let mut deals = String::from(
        "deal_id,contact_id,title,stage,amount,currency,spec,source,owner_rep,updated_at\n",
    );
    let mut tasks = String::from("task_id,deal_id,contact_id,owner_rep,text,due_at,done\n");
    let mut notes = String::from("note_id,deal_id,contact_id,call_id,author_rep,created_at,text\n");
    for k in 0..per_kind {
        let r = rep(k);
        let role = if k % 7 == 0 { "" } else { "закупщик" };
        writeln!(
            contacts,
            "K{k},Клиент {k},{role},+7916{k:07},k{k}@example.ru,ООО {k},retail,SMB,{r}"
        )?;
        writeln!(
            deals,
            "D{k},K{k},Панели {k},КП,{},RUB,спецификация,сайт,{r},{}",
            100_000 + k,
            at(k, per_kind)
        )?;
        writeln!(
            tasks,
            "T{k},D{k},K{k},{r},Перезвонить,{},{}",
            at(k + per_kind / 2, per_kind),
            k % 2
        )?;
        writeln!(
            notes,
            "N{k},D{k},K{k},,{r},{},\"Итоги звонка, договорились о КП\"",
            at(k, per_kind)
        )?;
    }
    std::fs::write(root.join("crm/contacts.csv"), contacts)?;
    std::fs::write(root.join("crm/deals.csv"), deals)?;
    std::fs::write(root.join("crm/tasks.csv"), tasks)?;
    std::fs::write(root.join("crm/notes.csv"), notes)?;
    Ok(root)
}

/// Generate a workspace of `calls` calls and print the figures.
/// `with_reviews`: also review every call and time the audit and the
/// export over them.
pub fn run(report: &mut dyn Write, calls: usize, with_reviews: bool) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("callqa-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let result = measure(report, calls, &dir, with_reviews);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(report: &mut dyn Write, calls: usize, dir: &Path, with_reviews: bool) -> Result<()> {
    writeln!(
        report,
        "callqa at scale: {calls} calls over {WEEKS} weeks and {REPS} reps, {calls} CRM records (generated in {})",
        dir.display()
    )?;
    let batch = generate(dir, calls, calls)?;
    let sqlite3 = which("sqlite3");

    // Import, then again unchanged.
    let db = dir.join("ws.sqlite");
    let ws = Workspace::open(&db)?;
    let t = Instant::now();
    let first = crate::import::import_source(&ws, &batch, None, &ParseOptions::default())?;
    let import = t.elapsed();
    anyhow::ensure!(
        first.problems.is_empty(),
        "the generated batch did not import cleanly: {}",
        first.problems[0]
    );
    let t = Instant::now();
    crate::import::import_source(&ws, &batch, None, &ParseOptions::default())?;
    let reimport = t.elapsed();
    let plain = sqlite3
        .as_ref()
        .map(|bin| sqlite_import(bin, &batch, &dir.join("plain.sqlite")))
        .transpose()?;
    let rows = calls + crm_rows(calls);
    row(report, "import (rows/s)", import, plain, Some(rows))?;
    row(
        report,
        "import again, unchanged",
        reimport,
        plain,
        Some(rows),
    )?;
    drop(ws);

    // The workstation.
    let rss_before = rss_mib();
    let t = Instant::now();
    let mut app = open_app(&db)?;
    let mut terminal = Terminal::new(TestBackend::new(160, 48))?;
    app.tick();
    terminal.draw(|f| crate::tui::ui::draw(f, &app))?;
    let first_frame = t.elapsed();
    row(report, "first frame", first_frame, None, None)?;
    let mut answers = Vec::with_capacity(KEY_PRESSES);
    for i in 0..KEY_PRESSES {
        let key = if i % 2 == 0 { 'y' } else { 'n' };
        let t = Instant::now();
        app.handle_key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE));
        app.tick();
        terminal.draw(|f| crate::tui::ui::draw(f, &app))?;
        answers.push(t.elapsed());
        if i % 10 == 9 {
            app.handle_key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE));
        }
    }
    percentiles(report, "key press -> answer drawn", &mut answers)?;
    app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    let mut steps = Vec::with_capacity(KEY_PRESSES);
    for _ in 0..KEY_PRESSES {
        let t = Instant::now();
        app.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        app.tick();
        terminal.draw(|f| crate::tui::ui::draw(f, &app))?;
        steps.push(t.elapsed());
    }
    percentiles(report, "queue cursor step", &mut steps)?;
    let (playing, paused) = playback_cpu(&mut app, &mut terminal)?;
    writeln!(
        report,
        "  CPU playing (UI and playback, 10 redraws/s, no analyser): {} of a core; paused: {}",
        percent(playing.total),
        percent(paused.total)
    )?;
    writeln!(
        report,
        "  resident memory with the workstation open: {} MiB (before opening it: {} MiB)",
        rss_mib(),
        rss_before
    )?;
    app.start_analysis();
    let (playing, paused) = playback_cpu(&mut app, &mut terminal)?;
    writeln!(
        report,
        "  with the analyser on: playing: UI and playback {}, analysis {}; paused: UI and playback {}, analysis {} (of a core; {} calls analysed, {} failed)",
        percent(playing.ui),
        percent(playing.total - playing.ui),
        percent(paused.ui),
        percent(paused.total - paused.ui),
        app.analysis.progress.done,
        app.analysis.progress.failed.len()
    )?;
    app.shutdown();
    drop(app);
    match fresh_review_memory(&db, dir) {
        Ok((rss, peak)) => writeln!(
            report,
            "  resident memory of a fresh `callqa review` (its own process, first frame drawn, analyser on): {} MiB (peak {} MiB)",
            rss / 1024,
            peak / 1024
        )?,
        Err(e) => writeln!(
            report,
            "  resident memory of a fresh `callqa review`: not measured ({e:#})"
        )?,
    }

    if !with_reviews {
        return Ok(());
    }
    // Whole-workspace outputs, with every call reviewed.
    let answers = review_every_call(&db)?;
    writeln!(report, "  (every call reviewed: {answers} answers)")?;
    let ws = Workspace::open_existing(&db)?;
    let t = Instant::now();
    let data = crate::reports::audit::AuditData::load(&ws)?;
    let audit = data.report(&crate::reports::audit::required_fields(&ws)?, None)?;
    crate::reports::audit::write(
        &audit,
        crate::reports::audit::AuditFormat::Csv,
        Lang::En,
        std::io::sink(),
    )?;
    let audit_time = t.elapsed();
    let dump = sqlite3
        .as_ref()
        .map(|bin| sqlite_dump(bin, &db, &["contacts", "deals", "tasks", "notes", "calls"]))
        .transpose()?;
    row(report, "callqa audit", audit_time, dump, None)?;
    let t = Instant::now();
    crate::export::export(&ws, Lang::En, crate::export::Format::Csv, std::io::sink())?;
    let export_time = t.elapsed();
    let dump = sqlite3
        .as_ref()
        .map(|bin| sqlite_dump(bin, &db, &["answers", "reviews", "calls"]))
        .transpose()?;
    row(report, "callqa export", export_time, dump, None)?;
    if sqlite3.is_none() {
        writeln!(report, "  (sqlite3 not installed: no ratios)")?;
    }
    Ok(())
}

/// A review of every call not yet reviewed, every item answered (marked
/// automatic, as rules would): what `export` reads in a workspace a year
/// old. Returns how many answers the workspace holds.
fn review_every_call(db: &Path) -> Result<usize> {
    use crate::domain::{Answer, AnswerValue};
    let mut ws = Workspace::open_existing(db)?;
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)?;
    let mut answers = 0;
    for (i, call) in ws.all_calls()?.iter().enumerate() {
        let given: Vec<(String, Answer)> = checklist
            .items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let value = [AnswerValue::Yes, AnswerValue::No, AnswerValue::Na][(i + n) % 3];
                let answer = Answer {
                    value: Some(value),
                    automatic: true,
                    ..Answer::default()
                };
                (item.id.clone(), answer)
            })
            .collect();
        answers += ws
            .start_review(call, "bench", &checklist, given)?
            .answers
            .len();
    }
    Ok(answers)
}

fn open_app(db: &Path) -> Result<App> {
    let ws = Workspace::open_existing(db)?;
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)?;
    App::new(
        ws,
        "bench".into(),
        Lang::En,
        checklist,
        Keymap::defaults(),
        PlayerHandle::spawn(OutputChoice::Null),
    )
}

/// Resident memory (now, peak; KiB) of `callqa review` of `db` in a process
/// of its own, once its first frame is on a 160x48 terminal: what a
/// reviewer's machine gives it, without this process's import behind it.
/// The terminal is `script`'s pseudo-terminal; `q` ends the workstation.
fn fresh_review_memory(db: &Path, dir: &Path) -> Result<(u64, u64)> {
    use std::io::Read;
    let exe = std::env::current_exe()?;
    let command = format!(
        "stty rows 48 cols 160; exec '{}' review --db '{}' --reviewer bench --no-sound",
        exe.display(),
        db.display()
    );
    let mut script = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("CALLQA_DATA_DIR", dir)
        .env("CALLQA_CONFIG_DIR", dir.join("config"))
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting `script` (util-linux) for a terminal")?;
    let mut screen = script.stdout.take().context("no output from `script`")?;
    // The first frame names the checklist pane; the output goes on being
    // read (and dropped) so the workstation never blocks on a full pipe.
    let (drawn_tx, drawn) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        const MARK: &[u8] = b"Checklist";
        let (mut buf, mut tail, mut told) = ([0u8; 4096], Vec::new(), false);
        while let Ok(n) = screen.read(&mut buf) {
            if n == 0 {
                break;
            }
            if !told {
                tail.extend_from_slice(&buf[..n]);
                told = tail.windows(MARK.len()).any(|w| w == MARK);
                if told {
                    let _ = drawn_tx.send(());
                }
                // The mark may straddle two reads.
                tail.drain(..tail.len().saturating_sub(MARK.len() - 1));
            }
        }
    });
    let measured = (|| {
        drawn
            .recv_timeout(Duration::from_secs(120))
            .context("no first frame within 2 minutes")?;
        // Settled: the analyser has begun, nothing is still loading.
        std::thread::sleep(Duration::from_secs(2));
        let children =
            std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", script.id()))?;
        let pid = children
            .split_whitespace()
            .next()
            .context("no workstation process")?;
        let kib =
            |key| crate::audio::bench::process_status_kib(pid, key).context("no /proc figure");
        Ok((kib("VmRSS:")?, kib("VmHWM:")?))
    })();
    if let Some(stdin) = script.stdin.as_mut() {
        let _ = stdin.write_all(b"q");
    }
    drop(script.stdin.take());
    let t = Instant::now();
    while script.try_wait()?.is_none() {
        if t.elapsed() > Duration::from_secs(10) {
            let _ = script.kill();
            let _ = script.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    measured
}

fn rss_mib() -> String {
    crate::audio::bench::proc_status_kib("VmRSS:").map_or("?".into(), |k| (k / 1024).to_string())
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Shares of a core over a stretch of wall time: the whole process, and
/// the UI and playback threads alone (this thread, the player's and the
/// null clock's), so the analyser's share is the difference.
struct CpuShare {
    total: f64,
    ui: f64,
}

/// CPU shares while the open call plays for 3 s with a tick and a redraw
/// every 100 ms, then while paused.
fn playback_cpu(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
) -> Result<(CpuShare, CpuShare)> {
    let mut share = |play: bool| -> Result<CpuShare> {
        if play {
            app.handle_key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
        }
        let (cpu0, ui0, t) = (cpu_time(), ui_cpu_time(), Instant::now());
        while t.elapsed() < Duration::from_secs(3) {
            if app.tick() {
                terminal.draw(|f| crate::tui::ui::draw(f, app))?;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let wall = t.elapsed().as_secs_f64();
        let share = CpuShare {
            total: (cpu_time() - cpu0).as_secs_f64() / wall,
            ui: (ui_cpu_time() - ui0).as_secs_f64() / wall,
        };
        if play {
            app.handle_key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
        }
        Ok(share)
    };
    let playing = share(true)?;
    let paused = share(false)?;
    Ok((playing, paused))
}

/// CPU time of this thread and of the audio threads (by name, from
/// `/proc/self/task`); the analyser's workers come and go, so their time is
/// the process's less this.
fn ui_cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let this = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let audio: f64 = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("stat")).ok())
        .filter_map(|stat| {
            let (name, rest) = stat.split_once('(')?.1.rsplit_once(')')?;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let audio = name.starts_with("callqa-audio") || name.starts_with("callqa-null");
            let cpu = |i: usize| fields.get(i)?.parse::<f64>().ok();
            // utime and stime, fields 14 and 15 of stat(5); the first
            // after the name is field 3.
            audio.then(|| Some(cpu(11)? + cpu(12)?)).flatten()
        })
        .sum();
    tv(this.ru_utime) + tv(this.ru_stime) + Duration::from_secs_f64(audio / ticks)
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn row(
    report: &mut dyn Write,
    what: &str,
    ours: Duration,
    sqlite: Option<Duration>,
    rows: Option<usize>,
) -> Result<()> {
    let mut line = format!("  {what}: {}", ms(ours));
    if let Some(rows) = rows {
        write!(line, " ({:.0} rows/s)", rows as f64 / ours.as_secs_f64())?;
    }
    if let Some(base) = sqlite {
        write!(
            line,
            "; sqlite3 {} ({:.1}x)",
            ms(base),
            ours.as_secs_f64() / base.as_secs_f64().max(1e-6)
        )?;
    }
    writeln!(report, "{line}")?;
    Ok(())
}

fn percentiles(report: &mut dyn Write, what: &str, times: &mut [Duration]) -> Result<()> {
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    writeln!(
        report,
        "  {what}: p50 {} / p99 {}",
        ms(at(0.5)),
        ms(at(0.99))
    )?;
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn which(bin: &str) -> Option<PathBuf> {
    Command::new(bin)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        .then(|| PathBuf::from(bin))
}

/// The CSV files of a generated batch, each with the table `sqlite3`
/// imports it into.
const BATCH_CSVS: [(&str, &str); 5] = [
    ("calls.csv", "calls"),
    ("crm/contacts.csv", "contacts"),
    ("crm/deals.csv", "deals"),
    ("crm/tasks.csv", "tasks"),
    ("crm/notes.csv", "notes"),
];

/// `sqlite3 .import` of every CSV of the batch (the same rows callqa
/// reads: calls and CRM records) into fresh tables, in one process: the
/// floor for import.
fn sqlite_import(bin: &Path, batch: &Path, db: &Path) -> Result<Duration> {
    let t = Instant::now();
    let mut command = Command::new(bin);
    command.arg(db);
    for (file, table) in BATCH_CSVS {
        command.arg(format!(
            ".import --csv {} {table}",
            batch.join(file).display()
        ));
    }
    let status = command.stdout(Stdio::null()).status()?;
    anyhow::ensure!(status.success(), "sqlite3 .import failed");
    Ok(t.elapsed())
}

/// `sqlite3` writing the tables a command reads as CSV: the floor for
/// reading the workspace whole.
fn sqlite_dump(bin: &Path, db: &Path, tables: &[&str]) -> Result<Duration> {
    let t = Instant::now();
    for table in tables {
        let status = Command::new(bin)
            .args(["-csv", "-readonly"])
            .arg(db)
            .arg(format!("SELECT * FROM {table}"))
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "sqlite3 dump of {table} failed");
    }
    Ok(t.elapsed())
}

/// The workstation over a generated workspace of `calls` calls in `dir`,
/// for tests.
#[cfg(test)]
pub(crate) fn generated_app(dir: &Path, calls: usize) -> App {
    let batch = generate(dir, calls, calls).unwrap();
    let db = dir.join("ws.sqlite");
    let ws = Workspace::open(&db).unwrap();
    crate::import::import_source(&ws, &batch, None, &ParseOptions::default()).unwrap();
    open_app(&db).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_batches_import_cleanly_and_link() {
        let dir = tempfile::tempdir().unwrap();
        let batch = generate(dir.path(), 120, 80).unwrap();
        let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
        let report =
            crate::import::import_source(&ws, &batch, None, &ParseOptions::default()).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!((report.calls.new, report.contacts.new), (120, 20));
        assert!(!ws.written_up_calls().unwrap().is_empty());
    }
}
