//! Key bindings, declared once: each entry is `{ on, run, desc }` as in
//! yazi. The same table drives key handling, the help bar and the `?`
//! overlay; a user's `keymap.toml` replaces the keys of the actions it names.
//! Letters typed on a Russian (ЙЦУКЕН) layout are read as the Latin letter
//! on the same physical key, so `н` is `y` after typing a Russian comment.

use crate::domain::Lang;
use crate::domain::lang::Bilingual;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    PlayPause,
    SeekBack,
    SeekForward,
    SeekBackLong,
    SeekForwardLong,
    SeekStart,
    SlowDown,
    SpeedUp,
    Replay,
    AddMarker,
    NextMarker,
    SkipSilence,
    Channel,
    VolumeDown,
    VolumeUp,
    AutoGain,
    Up,
    Down,
    AnswerYes,
    AnswerNo,
    AnswerNa,
    ClearAnswer,
    JumpItem(u8),
    Comment,
    StampEvidence,
    NextPane,
    PrevPane,
    OpenCall,
    Submit,
    Reopen,
    Help,
    Quit,
    Audit,
    Sort,
    Link,
}

/// Where an action matters; the help bar shows the focused pane's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Global,
    Player,
    Checklist,
    Queue,
    Audit,
}

/// The defaults, embedded; see `assets/keymap.toml`.
pub const DEFAULT_KEYMAP_TOML: &str = include_str!("../../assets/keymap.toml");

impl Action {
    /// The action a keymap's `run` names.
    pub fn from_run(run: &str) -> Option<Action> {
        use Action::*;
        Some(match run {
            "play-pause" => PlayPause,
            "seek-back" => SeekBack,
            "seek-forward" => SeekForward,
            "seek-back-long" => SeekBackLong,
            "seek-forward-long" => SeekForwardLong,
            "seek-start" => SeekStart,
            "slow-down" => SlowDown,
            "speed-up" => SpeedUp,
            "replay" => Replay,
            "marker" => AddMarker,
            "next-marker" => NextMarker,
            "skip-silence" => SkipSilence,
            "channel" => Channel,
            "volume-down" => VolumeDown,
            "volume-up" => VolumeUp,
            "auto-gain" => AutoGain,
            "up" => Up,
            "down" => Down,
            "answer-yes" => AnswerYes,
            "answer-no" => AnswerNo,
            "answer-na" => AnswerNa,
            "clear-answer" => ClearAnswer,
            "comment" => Comment,
            "stamp" => StampEvidence,
            "next-pane" => NextPane,
            "prev-pane" => PrevPane,
            "open-call" => OpenCall,
            "submit" => Submit,
            "reopen" => Reopen,
            "help" => Help,
            "quit" => Quit,
            "audit" => Audit,
            "sort" => Sort,
            "link" => Link,
            other => {
                let n: u8 = other.strip_prefix("jump-")?.parse().ok()?;
                if !(1..=9).contains(&n) {
                    return None;
                }
                JumpItem(n)
            }
        })
    }
}

/// A key as written in a keymap: `y`, `space`, `shift-left`, `ctrl-s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeySpec {
    pub fn parse(spec: &str) -> Result<KeySpec, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("shift-")
                .or_else(|| lower.strip_prefix("s-"))
            {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("a-"))
            {
                if r.is_empty() {
                    break;
                }
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key {spec:?}")),
                }
            }
        };
        Ok(KeySpec { code, mods })
    }

    fn from_event(key: &KeyEvent) -> KeySpec {
        let mut mods =
            key.modifiers & (KeyModifiers::SHIFT | KeyModifiers::CONTROL | KeyModifiers::ALT);
        // A typed character already carries its shift (`?`, `Y`).
        if matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        KeySpec {
            code: key.code,
            mods,
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            other => write!(f, "{other}"),
        }
    }
}

/// The Latin letter on the same physical key as a Russian ЙЦУКЕН letter.
pub fn latin_for_cyrillic(c: char) -> Option<char> {
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    let lower = c.to_lowercase().next()?;
    let index = RU.chars().position(|r| r == lower)?;
    let latin = EN.chars().nth(index)?;
    Some(if c.is_uppercase() {
        latin.to_ascii_uppercase()
    } else {
        latin
    })
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub run: String,
    pub action: Action,
    pub scope: Scope,
    pub on: Vec<KeySpec>,
    pub desc: Bilingual,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
    lookup: HashMap<KeySpec, Action>,
}

/// A keymap file: the defaults, or a user's overrides
/// (`[[keys]] on = ["ctrl-y"] run = "answer-yes"`).
#[derive(Debug, Deserialize)]
struct KeymapFile {
    #[serde(default)]
    keys: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    on: Vec<String>,
    run: String,
    #[serde(default)]
    scope: Option<Scope>,
    #[serde(default)]
    desc: Option<Bilingual>,
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let file: KeymapFile =
            toml::from_str(DEFAULT_KEYMAP_TOML).expect("assets/keymap.toml is checked by a test");
        let bindings = file
            .keys
            .into_iter()
            .map(|e| Binding {
                action: Action::from_run(&e.run).expect("default actions exist"),
                scope: e.scope.unwrap_or(Scope::Global),
                on: e
                    .on
                    .iter()
                    .map(|k| KeySpec::parse(k).expect("default keys parse"))
                    .collect(),
                desc: e.desc.expect("default keys have a description"),
                run: e.run,
            })
            .collect();
        Keymap::from_bindings(bindings)
    }

    /// Defaults with a user's TOML merged over them; `file` names the
    /// source in error messages.
    pub fn with_overrides(toml_text: &str, file: &str) -> Result<Keymap, String> {
        let user: KeymapFile =
            toml::from_str(toml_text).map_err(|e| format!("{file}: not a valid keymap: {e}"))?;
        let mut keymap = Keymap::defaults();
        for entry in user.keys {
            let Some(binding) = keymap.bindings.iter_mut().find(|b| b.run == entry.run) else {
                let known: Vec<&str> = keymap.bindings.iter().map(|b| b.run.as_str()).collect();
                return Err(format!(
                    "{file}: unknown action {:?}; known actions: {}",
                    entry.run,
                    known.join(", ")
                ));
            };
            let keys: Vec<KeySpec> = entry
                .on
                .iter()
                .map(|k| KeySpec::parse(k).map_err(|e| format!("{file}: {}: {e}", entry.run)))
                .collect::<Result<_, _>>()?;
            binding.on = keys.clone();
            // A key the user gives to one action leaves every other one, so
            // the help never shows a key that does something else.
            for other in keymap.bindings.iter_mut().filter(|b| b.run != entry.run) {
                other.on.retain(|k| !keys.contains(k));
            }
        }
        Ok(Keymap::from_bindings(keymap.bindings))
    }

    fn from_bindings(bindings: Vec<Binding>) -> Keymap {
        let mut lookup = HashMap::new();
        for b in &bindings {
            for key in &b.on {
                lookup.insert(*key, b.action);
            }
        }
        Keymap { bindings, lookup }
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        let spec = KeySpec::from_event(key);
        if let Some(action) = self.lookup.get(&spec) {
            return Some(*action);
        }
        if let KeyCode::Char(c) = spec.code {
            let latin = latin_for_cyrillic(c)?;
            return self
                .lookup
                .get(&KeySpec {
                    code: KeyCode::Char(latin),
                    ..spec
                })
                .copied();
        }
        None
    }

    /// The first key of an action, for hints ("press o to reopen").
    pub fn key_for(&self, action: Action) -> Option<KeySpec> {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.on.first().copied())
    }

    /// `(keys, description)` for the help overlay and the help bar.
    pub fn describe(&self, lang: Lang, scope: Option<Scope>) -> Vec<(String, String)> {
        self.bindings
            .iter()
            .filter(|b| scope.is_none_or(|s| b.scope == s))
            .filter(|b| !b.on.is_empty())
            .map(|b| {
                let keys: Vec<String> = b.on.iter().map(|k| k.to_string()).collect();
                (keys.join("/"), b.desc.get(lang).to_string())
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
