//! The workstation: a ratatui screen over `App`.
//!
//! The loop redraws only when a key arrived or the player's snapshot
//! changed, and waits on the terminal with a timeout (short while playing,
//! long when idle), so an idle workstation uses no CPU to speak of.

pub mod app;
pub mod keymap;
pub mod panes;
mod stderr;
pub mod ui;

use app::App;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::path::Path;
use std::time::Duration;

const TICK_PLAYING: Duration = Duration::from_millis(100);
const TICK_IDLE: Duration = Duration::from_millis(500);

/// The user's keymap overrides, if any, merged over the defaults.
pub fn load_keymap(config_dir: &Path) -> anyhow::Result<keymap::Keymap> {
    let path = config_dir.join("keymap.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => keymap::Keymap::with_overrides(&text, &path.display().to_string())
            .map_err(anyhow::Error::msg),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(keymap::Keymap::defaults()),
        Err(e) => Err(anyhow::anyhow!("{}: cannot read: {e}", path.display())),
    }
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
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app);
    app.shutdown();
    ratatui::restore();
    drop(app);
    drop(redirect);
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> anyhow::Result<()> {
    let mut dirty = true;
    while !app.screen.quit {
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
