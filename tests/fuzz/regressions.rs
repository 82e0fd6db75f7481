//! One test for each class of bug found by attacking the program by hand
//! (numbered as in the attack's list), and for each bug the fuzzing found.
//! The harness would find most of them again, by chance; these find them
//! every time.

use super::harness::{CASE_LIMIT, Outcome, OutsideWatch, bounded, copy_dir, mkfifo, raw_control};
use super::importers::crate_path;
use super::recordings::{decode_to_end, one_call_batch};
use callqa::analysis::{ChannelLayout, analyze_file};
use callqa::import::formats::{ParseOptions, SourceFormat};
use callqa::import::{ImportReport, import_source};
use callqa::store::Workspace;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

/// A copy of a fixture folder (`assets/demo`, `tests/fixtures/crm/x`) in `dir`.
fn copy_of(dir: &Path, seed: &str) -> PathBuf {
    let root = dir.join(Path::new(seed).file_name().unwrap());
    copy_dir(&crate_path(seed), &root);
    root
}

/// Import `root` as `callqa import` does, bounded; a panic or a hang
/// fails the test with what happened.
fn import(dir: &Path, root: &Path) -> Result<ImportReport, String> {
    let (db, root) = (dir.join("ws.sqlite"), root.to_path_buf());
    let run = move || {
        let ws = Workspace::open(&db).unwrap();
        let format = root
            .join("calls.csv")
            .exists()
            .then_some(SourceFormat::BatchV1);
        import_source(&ws, &root, format, &ParseOptions::default()).map_err(|e| e.to_string())
    };
    match bounded(run) {
        Outcome::Done(result) => result,
        Outcome::Panicked(m) => panic!("the import panicked: {m}"),
        Outcome::Hung => panic!("the import hangs"),
    }
}

fn messages(report: &ImportReport) -> Vec<String> {
    report
        .problems
        .iter()
        .chain(&report.warnings)
        .map(ToString::to_string)
        .collect()
}

fn said_about(report: &ImportReport, file: &str) -> Vec<String> {
    messages(report)
        .into_iter()
        .filter(|m| m.starts_with(&format!("{file}:")))
        .collect()
}

/// A copy of the fixture `seed` with the text of `file` changed by
/// `damage`, imported.
fn import_damaged(seed: &str, file: &str, damage: impl Fn(&str) -> String) -> ImportReport {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_of(dir.path(), seed);
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    std::fs::write(root.join(file), damage(&text)).unwrap();
    import(dir.path(), &root).unwrap()
}

/// One of the messages about `file` holds every one of `needles`.
fn assert_said(report: &ImportReport, file: &str, needles: &[&str]) {
    assert!(
        said_about(report, file)
            .iter()
            .any(|m| needles.iter().all(|n| m.contains(n))),
        "nothing about {file} with {needles:?}: {:#?}",
        messages(report)
    );
}

/// The real binary, bounded: a run past the limit is killed and fails.
fn callqa(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_callqa"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in envs {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > CASE_LIMIT {
            child.kill().ok();
            panic!("callqa {args:?} hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.code().is_some_and(|c| c != 101),
        "callqa {args:?} died: {:?} {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

// 1. A truncated or garbled JSON file in an amoCRM or Bitrix24 export, or
//    one that parses but has lost its envelope, imported nothing from it
//    and said nothing.
#[test]
fn class_1_a_damaged_json_export_file_is_named() {
    type Damage = fn(&str) -> String;
    let cases: &[(&str, &str, Damage)] = &[
        ("tests/fixtures/crm/amocrm-json", "leads.json", |t| {
            t[..t.len() / 2].to_string()
        }),
        ("tests/fixtures/crm/amocrm-json", "leads.json", |t| {
            t.replacen(':', "#", 3)
        }),
        ("tests/fixtures/crm/amocrm-json", "leads.json", |t| {
            t.replace("_embedded", "_embeddedX")
        }),
        ("tests/fixtures/crm/bitrix24", "crm.deal.list.json", |t| {
            t[..t.len() / 2].to_string()
        }),
        ("tests/fixtures/crm/bitrix24", "crm.deal.list.json", |t| {
            t.replacen(',', "}", 2)
        }),
        ("tests/fixtures/crm/bitrix24", "crm.deal.list.json", |t| {
            t.replace("\"result\"", "\"resultX\"")
        }),
    ];
    for (seed, file, damage) in cases {
        let report = import_damaged(seed, file, damage);
        assert_said(&report, file, &[]);
    }
}

/// The demo's WAV with the 32-bit sample rate of its `fmt ` chunk set.
fn wav_with_rate(rate: u32) -> Vec<u8> {
    let mut bytes = std::fs::read(crate_path("assets/demo/recordings/call-001.wav")).unwrap();
    let fmt = super::mutate::find(&bytes, b"fmt ").unwrap();
    bytes[fmt + 12..fmt + 16].copy_from_slice(&rate.to_le_bytes());
    bytes
}

/// A one-call batch whose recording is `bytes`, imported; then, if the
/// call went in, its recording decoded to the end and analysed. Panics
/// and hangs fail the test; the call must be imported or named.
fn take_recording(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let (root, _) = one_call_batch(dir.path(), name);
    let path = root.join("recordings").join(name);
    std::fs::write(&path, bytes).unwrap();
    let report = import(dir.path(), &root).unwrap();
    if report.calls.new == 0 {
        assert_said(&report, "calls.csv:2", &[]);
        return;
    }
    let decoded = bounded({
        let path = path.clone();
        move || decode_to_end(&path)
    });
    assert!(
        matches!(decoded, Outcome::Done(_)),
        "{name}: the decode panicked or hangs"
    );
    let analysed = bounded(move || analyze_file(&path, ChannelLayout::Mono, &|_| {}).is_ok());
    assert!(
        matches!(analysed, Outcome::Done(_)),
        "{name}: the analysis panicked or hangs"
    );
}

// 2. A WAV whose sample rate is 0 panicked when the decoder was set up.
#[test]
fn class_2_a_wav_with_sample_rate_zero_is_refused_or_played() {
    take_recording("rate0.wav", &wav_with_rate(0));
}

// 4. A named pipe as a recording or as config.toml hung the import or
//    every command.
#[test]
fn class_4_a_fifo_as_recording_or_config_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_of(dir.path(), "assets/demo");
    let recording = root.join("recordings/call-001.wav");
    std::fs::remove_file(&recording).unwrap();
    mkfifo(&recording);
    let report = import(dir.path(), &root).unwrap();
    assert!(
        messages(&report)
            .iter()
            .any(|m| m.contains("call-001") && m.contains("named pipe")),
        "{:#?}",
        messages(&report)
    );
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    mkfifo(&config.join("config.toml"));
    let db = dir.path().join("ws.sqlite");
    let out = callqa(
        &["export", "--db", db.to_str().unwrap()],
        &[("CALLQA_CONFIG_DIR", &config)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_fifo_keymap_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("keymap.toml"));
    let config = dir.path().to_path_buf();
    let loaded = bounded(move || {
        callqa::tui::load_keymap(&config)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    match loaded {
        Outcome::Done(result) => assert!(result.is_err(), "a pipe is no keymap"),
        Outcome::Panicked(m) => panic!("panicked: {m}"),
        Outcome::Hung => panic!("load_keymap waits on a named pipe"),
    }
}

// 5. Absurd header values: sample rates of 4e9 and 1 Hz, a FLAC claiming
//    2^36-1 samples, an Ogg page claiming the largest granule position.
#[test]
fn class_5_absurd_header_values_neither_panic_nor_hang() {
    take_recording("rate4e9.wav", &wav_with_rate(4_000_000_000));
    take_recording("rate1.wav", &wav_with_rate(1));
    let mut flac = std::fs::read(crate_path("assets/demo/recordings/call-003.flac")).unwrap();
    flac[8 + 13] |= 0x0F;
    flac[8 + 14..8 + 18].fill(0xFF);
    take_recording("endless.flac", &flac);
    let mut ogg = std::fs::read(crate_path("assets/demo/recordings/call-005.ogg")).unwrap();
    let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
    ogg[last + 6..last + 14].fill(0x7F);
    take_recording("endless.ogg", &ogg);
}

// 6. Files outside the batch were read: calls.csv or crm/ a link out of
//    the folder, a mapping profile naming an absolute or `..` path.
#[test]
fn class_6_nothing_outside_the_batch_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_of(dir.path(), "assets/demo");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::rename(root.join("crm"), outside.join("crm")).unwrap();
    std::os::unix::fs::symlink(outside.join("crm"), root.join("crm")).unwrap();
    let watch = OutsideWatch::new(&[outside.clone(), outside.join("crm")]);
    let report = import(dir.path(), &root).unwrap();
    assert_eq!(report.contacts.new, 0, "{:#?}", messages(&report));
    assert!(
        said_about(&report, "crm/contacts.csv")
            .iter()
            .any(|m| m.contains("outside the batch folder")),
        "{:#?}",
        messages(&report)
    );
    std::fs::rename(root.join("calls.csv"), outside.join("calls.csv")).unwrap();
    std::os::unix::fs::symlink(outside.join("calls.csv"), root.join("calls.csv")).unwrap();
    let err = import(dir.path(), &root).unwrap_err();
    assert!(
        err.contains("calls.csv") && err.contains("outside the batch folder"),
        "{err}"
    );
    assert_eq!(watch.opened(), Vec::<String>::new());

    for relative in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let root = copy_of(dir.path(), "tests/fixtures/crm/generic");
        let outside = dir.path().join("outside");
        copy_dir(&crate_path("tests/fixtures/crm/generic"), &outside);
        let target = if relative {
            "../outside/call_log.csv".to_string()
        } else {
            outside.join("call_log.csv").display().to_string()
        };
        let profile = std::fs::read_to_string(root.join("mapping.toml")).unwrap();
        let profile = profile.replace("file = \"call_log.csv\"", &format!("file = {target:?}"));
        std::fs::write(root.join("mapping.toml"), profile).unwrap();
        let watch = OutsideWatch::new(std::slice::from_ref(&outside));
        let report = import(dir.path(), &root).unwrap();
        assert_eq!(report.calls.new, 0, "{target}");
        assert_eq!(watch.opened(), Vec::<String>::new(), "{target}");
        assert!(
            messages(&report)
                .iter()
                .any(|m| m.contains("outside the batch folder")),
            "{target}: {:#?}",
            messages(&report)
        );
    }
}

// 7. Detection errors did not say where: a folder no layout fits now
//    names the file that came closest, its line and what stopped it.
#[test]
fn class_7_a_folder_no_layout_fits_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = copy_of(dir.path(), "tests/fixtures/crm/hubspot");
    let file = "hubspot-crm-exports-all-deals-2026-11-25.csv";
    std::fs::remove_file(root.join("hubspot-crm-exports-all-contacts-2026-11-25.csv")).unwrap();
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    std::fs::write(root.join(file), text.replacen("Record ID", "Record", 1)).unwrap();
    let err = import(dir.path(), &root).unwrap_err();
    assert!(
        err.contains(&format!("{file}:1")) && err.contains("`Record ID`"),
        "{err}"
    );
}

/// The demo batch with every rep renamed `rep`.
fn demo_with_rep(dir: &Path, rep: &str) -> PathBuf {
    let root = copy_of(dir, "assets/demo");
    for file in [
        "calls.csv",
        "crm/contacts.csv",
        "crm/deals.csv",
        "crm/tasks.csv",
        "crm/notes.csv",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let text = ["Анна Смирнова", "Игорь Петров"]
            .iter()
            .fold(text, |t, name| {
                t.replace(name, &format!("\"{}\"", rep.replace('"', "\"\"")))
            });
        std::fs::write(root.join(file), text).unwrap();
    }
    root
}

// 10. Spreadsheet formula injection in CSV outputs.
#[test]
fn class_10_a_formula_in_the_data_is_text_in_csv_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_with_rep(dir.path(), "=HYPERLINK(\"http://x\",\"y\")");
    let db = dir.path().join("ws.sqlite");
    let db = db.to_str().unwrap();
    callqa(
        &["import", "--db", db, root.to_str().unwrap()],
        &[("CALLQA_CONFIG_DIR", dir.path())],
    );
    let out = callqa(
        &["audit", "--db", db, "--format", "csv"],
        &[("CALLQA_CONFIG_DIR", dir.path())],
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    let mut cells = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    for record in cells.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a formula cell: {cell:?}"
            );
        }
    }
}

// 11. Raw control characters from the data reached the terminal.
#[test]
fn class_11_no_raw_control_character_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_with_rep(dir.path(), "\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}1m");
    // A bad row whose id holds an escape, so the problem list shows it.
    let calls = root.join("calls.csv");
    let mut text = std::fs::read_to_string(&calls).unwrap();
    text.push_str("bad\u{1b}[31m,not a time,x,in,+7,recordings/none.wav\n");
    std::fs::write(&calls, text).unwrap();
    let db = dir.path().join("ws.sqlite");
    let db = db.to_str().unwrap();
    let env = [("CALLQA_CONFIG_DIR", dir.path())];
    for args in [
        vec!["import", "--db", db, root.to_str().unwrap()],
        vec!["audit", "--db", db],
        vec!["audit", "--db", db, "--format", "csv"],
        vec!["audit", "--db", db, "--format", "json"],
        vec!["export", "--db", db, "--format", "csv"],
    ] {
        let out = callqa(&args, &env);
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert_eq!(
                raw_control(&text),
                None,
                "callqa {args:?} {stream}: {text:?}"
            );
        }
    }
}

// Found by the fuzzing: a record id repeated in an export was merged into
// the first record without a word.
#[test]
fn a_repeated_record_id_in_an_export_is_named() {
    let file = "hubspot-crm-exports-all-deals-2026-11-25.csv";
    let report = import_damaged("tests/fixtures/crm/hubspot", file, |text| {
        let second = text.lines().nth(1).unwrap();
        format!("{text}{}\n", second.replacen("Поставка", "Другая", 1))
    });
    assert_said(&report, file, &["duplicate deal id", "first at"]);
}

// Found by the fuzzing: a call length of 18446744073709551615 seconds
// overflowed as milliseconds (a panic in a debug build).
#[test]
fn a_call_length_past_any_call_is_refused() {
    let file = "voximplant.statistic.get.json";
    let report = import_damaged("tests/fixtures/crm/bitrix24", file, |text| {
        text.replacen("\"185\"", "\"18446744073709551615\"", 1)
    });
    assert_said(&report, file, &["CALL_DURATION", "a month at most"]);
}

// Found by the fuzzing: an amoCRM note of a type callqa does not know
// (a damaged `note_type`) was dropped without a word.
#[test]
fn an_amocrm_note_of_an_unknown_type_is_named() {
    let file = "leads_notes.json";
    let report = import_damaged("tests/fixtures/crm/amocrm-json", file, |text| {
        text.replacen("\"common\"", "\"commn\"", 1)
    });
    assert_said(&report, file, &["note_type", "commn"]);
}

// Found by the fuzzing: a HubSpot deals export whose `Deal Name` header
// was damaged was read as contacts.
#[test]
fn a_hubspot_export_of_neither_kind_is_named() {
    let file = "hubspot-crm-exports-all-deals-2026-11-25.csv";
    let report = import_damaged("tests/fixtures/crm/hubspot", file, |text| {
        text.replacen("Deal Name", "Deal Nmae", 1)
    });
    assert_said(&report, file, &["neither a contacts export"]);
    assert_eq!(report.deals.new, 0);
}
