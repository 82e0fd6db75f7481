//! ALSA and cpal print to stderr (fd 2) when a device is missing or busy,
//! which would scribble over the screen. While the workstation runs, fd 2
//! points at a log file; a panic on the UI thread puts it back first so the
//! message is seen. A panic on a background thread (the analysis runner
//! catches one per bad recording) leaves the screen alone and goes to the log.

use std::fs::OpenOptions;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

static SAVED_STDERR: AtomicI32 = AtomicI32::new(-1);

pub struct Redirect;

impl Redirect {
    pub fn to_file(path: &Path) -> anyhow::Result<Redirect> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot open the log: {e}", path.display()))?;
        // SAFETY: dup/dup2 on valid descriptors; the saved copy is closed on restore.
        let saved = unsafe { libc::dup(2) };
        if saved < 0 {
            anyhow::bail!("cannot duplicate stderr");
        }
        unsafe { libc::dup2(log.as_raw_fd(), 2) };
        SAVED_STDERR.store(saved, Ordering::SeqCst);
        let previous = std::panic::take_hook();
        let ui_thread = std::thread::current().id();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == ui_thread {
                restore();
                ratatui::restore();
            }
            previous(info);
        }));
        Ok(Redirect)
    }
}

fn restore() {
    let saved = SAVED_STDERR.swap(-1, Ordering::SeqCst);
    if saved >= 0 {
        // SAFETY: `saved` came from dup(2) above and is closed once.
        unsafe {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
    }
}

impl Drop for Redirect {
    fn drop(&mut self) {
        restore();
    }
}
