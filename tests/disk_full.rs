//! A full disk, for real: the workspace on a tiny tmpfs, filled to the last
//! byte, then an import. The import must fail as a whole with a message
//! that names the workspace file, leave what was stored before intact (the
//! import is one transaction), and work once space is freed.
//!
//! Mounting needs root (CI and `./dev test` run as root); elsewhere the
//! test fails with how to skip it, like every test that needs the machine.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for the test and unmounted when dropped, even when an
/// assertion fails.
struct TinyDisk {
    mount: PathBuf,
}

impl TinyDisk {
    fn mount(at: &Path, size: &str) -> Option<TinyDisk> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .ok()?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
            if std::env::var("CALLQA_SKIP_MISSING_TOOLS").as_deref() == Ok("1") {
                println!("skipped (CALLQA_SKIP_MISSING_TOOLS=1): cannot mount a tmpfs: {why}");
                return None;
            }
            panic!(
                "cannot mount a tmpfs (this test needs root, as ./dev test runs): {why}; \
                 set CALLQA_SKIP_MISSING_TOOLS=1 to skip it on purpose"
            );
        }
        Some(TinyDisk {
            mount: at.to_path_buf(),
        })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mount).status();
    }
}

fn callqa(args: &[&str], db: &Path, batch: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .arg("--db")
        .arg(db)
        .arg(batch)
        .output()
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_full_disk_fails_the_import_whole_names_the_workspace_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = TinyDisk::mount(&dir.path().join("disk"), "8m") else {
        return;
    };
    let db = disk.mount.join("ws.sqlite");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let first = callqa(&["import", "--lang", "en"], &db, &demo);
    assert!(first.status.success(), "{first:?}");
    let calls_before = count(&db, "SELECT count(*) FROM calls");
    assert!(calls_before > 0);

    // A second batch: the demo with many more calls, so the import must write.
    let batch = dir.path().join("bigger");
    copy_dir(&demo, &batch);
    let mut csv = std::fs::read_to_string(batch.join("calls.csv")).unwrap();
    let first_row = csv.lines().nth(1).unwrap().to_string();
    let (_, rest) = first_row.split_once(',').unwrap();
    for n in 0..2000 {
        csv.push_str(&format!("extra-{n:05},{rest}\n"));
    }
    std::fs::write(batch.join("calls.csv"), csv).unwrap();

    // Fill the disk to the last byte.
    let filler = disk.mount.join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&[0u8]).is_ok() {}
        let _ = file.sync_all();
    }

    let full = callqa(&["import"], &db, &batch);
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert!(!full.status.success(), "a full disk imported: {full:?}");
    assert!(
        stderr.contains(&db.display().to_string()),
        "the error does not name the workspace: {stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("full"),
        "the error does not say the disk is full: {stderr}"
    );

    std::fs::remove_file(&filler).unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM calls"),
        calls_before,
        "a failed import left part of itself behind"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    let again = callqa(&["import"], &db, &batch);
    assert!(
        again.status.success() || again.status.code() == Some(2),
        "{again:?}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM calls"),
        calls_before + 2000
    );
}
