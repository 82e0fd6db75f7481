//! Running one case: in its own thread, bounded in time, a panic caught;
//! a watch on the folder outside the batch that tells whether anything
//! there was opened; and the figures every run adds up and prints.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long one case may take before it counts as a hang: an import or a
/// decode of these small files takes milliseconds, so only a hang gets
/// near it, even on a busy machine.
pub const CASE_LIMIT: Duration = Duration::from_secs(10);

pub enum Outcome<T> {
    Done(T),
    Panicked(String),
    Hung,
}

/// `run` on a thread of its own: a panic is caught and a run past
/// [`CASE_LIMIT`] is left behind and reported as a hang.
pub fn bounded<T: Send + 'static>(run: impl FnOnce() -> T + Send + 'static) -> Outcome<T> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
        send.send(result).ok();
    });
    match receive.recv_timeout(CASE_LIMIT) {
        Ok(Ok(value)) => Outcome::Done(value),
        Ok(Err(panic)) => Outcome::Panicked(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into()),
        ),
        Err(_) => Outcome::Hung,
    }
}

/// The figures of a run; a case adds to one of the failure counts at most
/// once per kind, with a line that says how to rebuild it.
#[derive(Default)]
pub struct Figures {
    pub cases: usize,
    pub panics: usize,
    pub hangs: usize,
    pub silent_losses: usize,
    pub outside_reads: usize,
    /// Raw control characters in what the program printed.
    pub raw_controls: usize,
    pub failures: Vec<String>,
}

impl Figures {
    pub fn fail(&mut self, count: fn(&mut Figures) -> &mut usize, case: &str, detail: String) {
        *count(self) += 1;
        self.failures.push(format!("{case}: {detail}"));
    }

    /// The value of a bounded run, or `None` after counting its panic or
    /// hang against `case`; `step` says which part of the case it was.
    pub fn settle<T>(&mut self, outcome: Outcome<T>, case: &str, step: &str) -> Option<T> {
        match outcome {
            Outcome::Done(value) => Some(value),
            Outcome::Panicked(m) => {
                self.fail(|f| &mut f.panics, case, format!("{step} panicked: {m}"));
                None
            }
            Outcome::Hung => {
                let limit = CASE_LIMIT.as_secs();
                self.fail(
                    |f| &mut f.hangs,
                    case,
                    format!("{step}: no answer in {limit} s"),
                );
                None
            }
        }
    }

    /// Print the figures and fail when any is not zero.
    pub fn check(&self, what: &str) {
        println!(
            "fuzz {what}: {} cases, {} panics, {} hangs, {} silent losses, {} outside reads, {} raw control characters printed",
            self.cases,
            self.panics,
            self.hangs,
            self.silent_losses,
            self.outside_reads,
            self.raw_controls
        );
        assert!(
            self.failures.is_empty(),
            "fuzz {what}: {} failures (rerun one with CALLQA_FUZZ_SEED and CALLQA_FUZZ_ONLY):\n{}",
            self.failures.len(),
            self.failures
                .iter()
                .take(30)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The seed of a run (`CALLQA_FUZZ_SEED`, fixed by default so `./dev test`
/// runs the same cases every time).
pub fn seed() -> u64 {
    std::env::var("CALLQA_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_129)
}

/// How many cases a run of `default` cases has: `CALLQA_FUZZ_CASES` is the
/// total over all of the fuzz tests, `share` of it goes to this one.
pub fn cases(default: usize, share: f64) -> usize {
    std::env::var("CALLQA_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .map_or(default, |total| ((total as f64 * share) as usize).max(1))
}

/// `CALLQA_FUZZ_VERBOSE=1` prints every case as it starts.
pub fn trace(label: &str) {
    if std::env::var("CALLQA_FUZZ_VERBOSE").as_deref() == Ok("1") {
        println!("{label}");
    }
}

/// `CALLQA_FUZZ_ONLY=N` runs case N alone, to rebuild a failure.
pub fn only() -> Option<usize> {
    std::env::var("CALLQA_FUZZ_ONLY")
        .ok()
        .and_then(|s| s.parse().ok())
}

/// An inotify watch on folders outside the batch: any file in them opened
/// or read after [`OutsideWatch::new`] is listed by [`OutsideWatch::opened`].
/// Looking at a link's target (`stat`, `canonicalize`) opens nothing, so
/// only real reads count.
pub struct OutsideWatch {
    fd: i32,
}

impl OutsideWatch {
    pub fn new(folders: &[PathBuf]) -> OutsideWatch {
        // SAFETY: plain syscalls on a descriptor this value owns.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        assert!(fd >= 0, "inotify: {}", std::io::Error::last_os_error());
        for folder in folders {
            let path = CString::new(folder.as_os_str().as_encoded_bytes()).unwrap();
            let mask = libc::IN_OPEN | libc::IN_ACCESS;
            let wd = unsafe { libc::inotify_add_watch(fd, path.as_ptr(), mask) };
            assert!(
                wd >= 0,
                "inotify on {}: {}",
                folder.display(),
                std::io::Error::last_os_error()
            );
        }
        OutsideWatch { fd }
    }

    /// The names of the files (not folders) opened or read so far.
    pub fn opened(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return names;
            }
            let mut at = 0;
            while at + 16 <= n as usize {
                let mask = u32::from_ne_bytes(buf[at + 4..at + 8].try_into().unwrap());
                let len = u32::from_ne_bytes(buf[at + 12..at + 16].try_into().unwrap()) as usize;
                let name = &buf[at + 16..at + 16 + len];
                let name = String::from_utf8_lossy(name)
                    .trim_end_matches('\0')
                    .to_string();
                if mask & libc::IN_ISDIR == 0 && !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
                at += 16 + len;
            }
        }
    }
}

impl Drop for OutsideWatch {
    fn drop(&mut self) {
        unsafe { libc::close(self.fd) };
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn mkfifo(path: &Path) {
    let name = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    let made = unsafe { libc::mkfifo(name.as_ptr(), 0o644) };
    assert_eq!(
        made,
        0,
        "mkfifo {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
}

/// A raw control character (C0 but newline and tab, DEL, C1, ESC) in text
/// meant for a terminal, with its place.
pub fn raw_control(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
    })
}

/// The project's rule for a tool the tests need (see `missing_tool` in
/// `src/audio/codec_tests.rs`): fail, unless skipping was asked for.
pub fn tool_missing(tool: &str) -> bool {
    if std::env::var("CALLQA_SKIP_MISSING_TOOLS").as_deref() == Ok("1") {
        println!("skipped (CALLQA_SKIP_MISSING_TOOLS=1): {tool} is not installed");
        return true;
    }
    panic!(
        "{tool} is not installed: install {tool}, or run `./dev test`, which installs what the \
         tests need (set CALLQA_SKIP_MISSING_TOOLS=1 to skip such tests on purpose)"
    );
}

/// Run a tool that makes a test file; `false` when it is missing and
/// skipping was asked for.
pub fn run_tool(tool: &str, args: &[&str]) -> bool {
    match std::process::Command::new(tool).args(args).output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => panic!(
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => !tool_missing(tool),
        Err(e) => panic!("cannot run {tool}: {e}"),
    }
}
