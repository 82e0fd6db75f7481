//! The workstation: a ratatui screen over `App`.
//!
//! The loop redraws only when a key arrived or the player's snapshot
//! changed, and waits on the terminal with a timeout (short while playing,
//! long when idle), so an idle workstation uses no CPU to speak of.
//!
//! Leaving is always the same path, whatever the cause: `q`, Ctrl+C (any
//! keymap), SIGTERM, SIGHUP or SIGINT save the time and place, then the
//! terminal is restored. A panic on the UI thread restores the terminal
//! and exits non-zero after saving; a panic on a background thread (the
//! analyser catches one per bad recording) never touches the terminal, so
//! the screen keeps working. That is why the terminal is set up here and
//! not with `ratatui::init`, whose panic hook restores the terminal from
//! any thread, under a workstation that goes on running.

pub mod app;
pub mod dictionaries;
pub mod keymap;
pub mod panes;
mod stderr;
pub mod ui;

use app::App;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

const TICK_PLAYING: Duration = Duration::from_millis(100);
const TICK_IDLE: Duration = Duration::from_millis(500);

/// The user's keymap overrides, if any, merged over the defaults.
/// Read like `config.toml`: only a regular file of sane size, so a FIFO
/// in its place cannot hang the workstation.
pub fn load_keymap(config_dir: &Path) -> anyhow::Result<keymap::Keymap> {
    let path = config_dir.join("keymap.toml");
    match crate::config::read_settings_file(&path)? {
        Some(text) => keymap::Keymap::with_overrides(&text, &crate::text::path_line(&path))
            .map_err(anyhow::Error::msg),
        None => Ok(keymap::Keymap::defaults()),
    }
}

/// The signal that asked the workstation to stop, or 0.
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop_signal(signal: libc::c_int) {
    // Only an atomic store: all that is safe in a signal handler.
    STOP_SIGNAL.store(signal, Ordering::SeqCst);
}

/// SIGTERM (a shutdown, `kill`), SIGHUP (the terminal closed) and SIGINT
/// end the loop like `q` does, instead of killing the process with the
/// terminal in raw mode on the alternate screen.
fn stop_on_signals() {
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        // SAFETY: the handler only stores to an atomic; the struct is
        // zeroed and then filled as sigaction(2) expects.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Raw mode on the alternate screen, with no panic hook of its own (see
/// the module docs; `stderr::Redirect` holds the one hook).
fn enter_terminal() -> std::io::Result<ratatui::DefaultTerminal> {
    use ratatui::crossterm::{execute, terminal};
    terminal::enable_raw_mode()?;
    execute!(std::io::stdout(), terminal::EnterAlternateScreen)?;
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
}

/// Run the workstation until the reviewer quits. Anything the audio stack
/// writes to stderr goes to `log_path` instead of over the screen; `make`
/// builds the app after the redirect, so opening the device is covered too.
pub fn run_with(log_path: &Path, make: impl FnOnce() -> anyhow::Result<App>) -> anyhow::Result<()> {
    let redirect = stderr::Redirect::to_file(log_path)?;
    let mut app = match make() {
        Ok(app) => app,
        Err(e) => {
            drop(redirect);
            return Err(e);
        }
    };
    stop_on_signals();
    let mut terminal = match enter_terminal() {
        Ok(terminal) => terminal,
        Err(e) => {
            ratatui::restore();
            drop(redirect);
            return Err(anyhow::anyhow!("cannot set up the terminal: {e}"));
        }
    };
    // The hook has restored the terminal; save, then go on panicking.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        event_loop(&mut terminal, &mut app)
    }));
    app.shutdown();
    ratatui::restore();
    drop(app);
    drop(redirect);
    let result = result.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    match STOP_SIGNAL.load(Ordering::SeqCst) {
        0 => result,
        signal => Err(anyhow::anyhow!(
            "stopped by signal {signal}; the review and place were saved"
        )),
    }
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> anyhow::Result<()> {
    let mut dirty = true;
    while !app.screen.quit && STOP_SIGNAL.load(Ordering::SeqCst) == 0 {
        if app.tick() {
            dirty = true;
        }
        if dirty {
            terminal.draw(|frame| ui::draw(frame, app))?;
            dirty = false;
        }
        let timeout = if app.listening.playing() {
            TICK_PLAYING
        } else {
            TICK_IDLE
        };
        if event::poll(timeout)? {
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    #[cfg(debug_assertions)]
                    fault_injection::panic_on(&key);
                    app.handle_key(key);
                    dirty = true;
                }
                Event::Resize(_, _) => dirty = true,
                _ => {}
            }
        }
    }
    Ok(())
}

/// A way for the end-to-end tests to make the UI thread panic, the one
/// fault the binary has no data path to (every panic from data is caught
/// lower down). Debug builds only: a release binary has none of this.
#[cfg(debug_assertions)]
mod fault_injection {
    use ratatui::crossterm::event::{KeyCode, KeyEvent};

    /// `CALLQA_FAULT_PANIC_KEY=%`: pressing that key panics.
    pub fn panic_on(key: &KeyEvent) {
        let Ok(trigger) = std::env::var("CALLQA_FAULT_PANIC_KEY") else {
            return;
        };
        if let KeyCode::Char(c) = key.code
            && trigger.chars().eq(std::iter::once(c))
        {
            panic!("fault injected by CALLQA_FAULT_PANIC_KEY");
        }
    }
}
