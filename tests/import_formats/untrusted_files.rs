//! Files an import must not read: pipes and devices that would hang it,
//! and files outside the batch folder reached by a link or a path.

use super::*;
use callqa::import::{ImportReport, import_batch};
use callqa::store::Workspace;
use std::sync::mpsc;
use std::time::Duration;

/// `run` on its own thread: a read that blocks forever fails the test
/// instead of hanging it (the import itself takes milliseconds).
fn without_hanging<T: Send + 'static>(run: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || send.send(run()).ok());
    receive
        .recv_timeout(Duration::from_secs(120))
        .expect("the import hangs on a file it should have refused")
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A batch folder with one good call; returns the folder.
fn batch(dir: &Path) -> PathBuf {
    let b = dir.join("batch");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
        &b,
    );
    b
}

fn import(dir: &Path, b: &Path) -> Result<ImportReport, String> {
    let (db, b) = (dir.join("ws.sqlite"), b.to_path_buf());
    without_hanging(move || {
        let ws = Workspace::open(&db).unwrap();
        import_batch(&ws, &b).map_err(|e| e.to_string())
    })
}

fn messages(report: &ImportReport) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_pipe_or_a_device_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path());
    // A recording that is a named pipe.
    std::fs::remove_file(b.join("recordings/call-001.wav")).unwrap();
    mkfifo(&b.join("recordings/call-001.wav"));
    // A CRM file that is a named pipe, another that is /dev/zero.
    std::fs::remove_file(b.join("crm/notes.csv")).unwrap();
    mkfifo(&b.join("crm/notes.csv"));
    std::fs::remove_file(b.join("crm/tasks.csv")).unwrap();
    symlink(Path::new("/dev/zero"), &b.join("crm/tasks.csv"));
    let report = import(dir.path(), &b).unwrap();
    let all = messages(&report);
    let about = |needle: &str| {
        all.iter()
            .find(|m| m.contains(needle))
            .unwrap_or_else(|| panic!("nothing about {needle}: {all:#?}"))
            .clone()
    };
    assert!(
        about("call-001").contains("not a regular file (a named pipe)"),
        "{all:#?}"
    );
    assert!(about("crm/notes.csv").contains("a named pipe"), "{all:#?}");
    assert!(
        about("crm/tasks.csv").contains("outside the batch folder"),
        "{all:#?}"
    );
    assert!(report.calls.new > 0, "the rest still goes in");

    // calls.csv itself as a pipe stops the import with a reason.
    std::fs::remove_file(b.join("calls.csv")).unwrap();
    mkfifo(&b.join("calls.csv"));
    let err = import(dir.path(), &b).unwrap_err();
    assert!(
        err.contains("calls.csv") && err.contains("named pipe"),
        "{err}"
    );
}

#[test]
fn a_text_file_too_big_to_be_one_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path());
    // Sparse: no disk used, and never read.
    let notes = std::fs::File::create(b.join("crm/notes.csv")).unwrap();
    notes
        .set_len(callqa::import::files::TEXT_LIMIT + 1)
        .unwrap();
    let report = import(dir.path(), &b).unwrap();
    assert!(
        messages(&report)
            .iter()
            .any(|m| m.starts_with("crm/notes.csv: ") && m.contains("too big")),
        "{:#?}",
        messages(&report)
    );
}

#[test]
fn files_outside_the_batch_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(dir.path());
    let outside = dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    // crm/ is a link to a folder outside.
    std::fs::rename(b.join("crm"), outside.join("crm")).unwrap();
    symlink(&outside.join("crm"), &b.join("crm"));
    let report = import(dir.path(), &b).unwrap();
    let all = messages(&report);
    assert!(
        all.iter()
            .any(|m| m.starts_with("crm/contacts.csv: ") && m.contains("outside the batch folder")),
        "{all:#?}"
    );
    assert_eq!(report.contacts.new, 0, "{all:#?}");

    // calls.csv is a link to a file outside.
    std::fs::rename(b.join("calls.csv"), outside.join("calls.csv")).unwrap();
    symlink(&outside.join("calls.csv"), &b.join("calls.csv"));
    let err = import(dir.path(), &b).unwrap_err();
    assert!(
        err.contains("calls.csv") && err.contains("outside the batch folder"),
        "{err}"
    );
}

#[test]
fn a_mapping_profile_cannot_name_a_file_outside() {
    for file in ["../outside.csv", "/abs"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("generic");
        copy_dir(&fixture("generic"), &root);
        std::fs::copy(root.join("call_log.csv"), dir.path().join("outside.csv")).unwrap();
        let target = if file == "/abs" {
            dir.path().join("outside.csv").display().to_string()
        } else {
            file.to_string()
        };
        let profile = std::fs::read_to_string(root.join("mapping.toml")).unwrap();
        let profile = profile.replace("file = \"call_log.csv\"", &format!("file = {target:?}"));
        std::fs::write(root.join("mapping.toml"), profile).unwrap();
        let parsed =
            formats::parse(&root, SourceFormat::Generic, &ParseOptions::default()).unwrap();
        assert!(parsed.calls.is_empty(), "{file}: read from outside");
        assert!(
            problems(&parsed)
                .iter()
                .any(|m| m.contains("outside the batch folder")),
            "{file}: {:#?}",
            problems(&parsed)
        );
    }
}
