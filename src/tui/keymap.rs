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
}

/// Where an action matters; the help bar shows the focused pane's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Player,
    Checklist,
    Queue,
}

struct Default {
    run: &'static str,
    action: Action,
    scope: Scope,
    on: &'static [&'static str],
    en: &'static str,
    ru: &'static str,
}

const DEFAULTS: &[Default] = &[
    Default {
        run: "play-pause",
        action: Action::PlayPause,
        scope: Scope::Player,
        on: &["space"],
        en: "play / pause",
        ru: "пуск / пауза",
    },
    Default {
        run: "seek-back",
        action: Action::SeekBack,
        scope: Scope::Player,
        on: &["left"],
        en: "back 5 s",
        ru: "назад 5 с",
    },
    Default {
        run: "seek-forward",
        action: Action::SeekForward,
        scope: Scope::Player,
        on: &["right"],
        en: "forward 5 s",
        ru: "вперёд 5 с",
    },
    Default {
        run: "seek-back-long",
        action: Action::SeekBackLong,
        scope: Scope::Player,
        on: &["shift-left"],
        en: "back 30 s",
        ru: "назад 30 с",
    },
    Default {
        run: "seek-forward-long",
        action: Action::SeekForwardLong,
        scope: Scope::Player,
        on: &["shift-right"],
        en: "forward 30 s",
        ru: "вперёд 30 с",
    },
    Default {
        run: "seek-start",
        action: Action::SeekStart,
        scope: Scope::Player,
        on: &["home"],
        en: "to the start",
        ru: "в начало",
    },
    Default {
        run: "slow-down",
        action: Action::SlowDown,
        scope: Scope::Player,
        on: &["["],
        en: "slower",
        ru: "медленнее",
    },
    Default {
        run: "speed-up",
        action: Action::SpeedUp,
        scope: Scope::Player,
        on: &["]"],
        en: "faster",
        ru: "быстрее",
    },
    Default {
        run: "up",
        action: Action::Up,
        scope: Scope::Global,
        on: &["up", "k"],
        en: "previous line",
        ru: "строка выше",
    },
    Default {
        run: "down",
        action: Action::Down,
        scope: Scope::Global,
        on: &["down", "j"],
        en: "next line",
        ru: "строка ниже",
    },
    Default {
        run: "answer-yes",
        action: Action::AnswerYes,
        scope: Scope::Checklist,
        on: &["y"],
        en: "yes",
        ru: "да",
    },
    Default {
        run: "answer-no",
        action: Action::AnswerNo,
        scope: Scope::Checklist,
        on: &["n"],
        en: "no",
        ru: "нет",
    },
    Default {
        run: "answer-na",
        action: Action::AnswerNa,
        scope: Scope::Checklist,
        on: &["a"],
        en: "not applicable",
        ru: "не применимо",
    },
    Default {
        run: "clear-answer",
        action: Action::ClearAnswer,
        scope: Scope::Checklist,
        on: &["backspace"],
        en: "clear the answer",
        ru: "стереть ответ",
    },
    Default {
        run: "jump-1",
        action: Action::JumpItem(1),
        scope: Scope::Checklist,
        on: &["1"],
        en: "go to item 1",
        ru: "к пункту 1",
    },
    Default {
        run: "jump-2",
        action: Action::JumpItem(2),
        scope: Scope::Checklist,
        on: &["2"],
        en: "go to item 2",
        ru: "к пункту 2",
    },
    Default {
        run: "jump-3",
        action: Action::JumpItem(3),
        scope: Scope::Checklist,
        on: &["3"],
        en: "go to item 3",
        ru: "к пункту 3",
    },
    Default {
        run: "jump-4",
        action: Action::JumpItem(4),
        scope: Scope::Checklist,
        on: &["4"],
        en: "go to item 4",
        ru: "к пункту 4",
    },
    Default {
        run: "jump-5",
        action: Action::JumpItem(5),
        scope: Scope::Checklist,
        on: &["5"],
        en: "go to item 5",
        ru: "к пункту 5",
    },
    Default {
        run: "jump-6",
        action: Action::JumpItem(6),
        scope: Scope::Checklist,
        on: &["6"],
        en: "go to item 6",
        ru: "к пункту 6",
    },
    Default {
        run: "jump-7",
        action: Action::JumpItem(7),
        scope: Scope::Checklist,
        on: &["7"],
        en: "go to item 7",
        ru: "к пункту 7",
    },
    Default {
        run: "jump-8",
        action: Action::JumpItem(8),
        scope: Scope::Checklist,
        on: &["8"],
        en: "go to item 8",
        ru: "к пункту 8",
    },
    Default {
        run: "jump-9",
        action: Action::JumpItem(9),
        scope: Scope::Checklist,
        on: &["9"],
        en: "go to item 9",
        ru: "к пункту 9",
    },
    Default {
        run: "comment",
        action: Action::Comment,
        scope: Scope::Checklist,
        on: &["c"],
        en: "comment on the item",
        ru: "комментарий к пункту",
    },
    Default {
        run: "stamp",
        action: Action::StampEvidence,
        scope: Scope::Checklist,
        on: &["t"],
        en: "stamp the playback time as evidence",
        ru: "отметить время записи как доказательство",
    },
    Default {
        run: "next-pane",
        action: Action::NextPane,
        scope: Scope::Global,
        on: &["tab"],
        en: "next pane",
        ru: "следующая панель",
    },
    Default {
        run: "prev-pane",
        action: Action::PrevPane,
        scope: Scope::Global,
        on: &["backtab"],
        en: "previous pane",
        ru: "предыдущая панель",
    },
    Default {
        run: "open-call",
        action: Action::OpenCall,
        scope: Scope::Queue,
        on: &["enter"],
        en: "open the call",
        ru: "открыть звонок",
    },
    Default {
        run: "submit",
        action: Action::Submit,
        scope: Scope::Checklist,
        on: &["s"],
        en: "submit and open the next call",
        ru: "сдать и открыть следующий",
    },
    Default {
        run: "reopen",
        action: Action::Reopen,
        scope: Scope::Checklist,
        on: &["o"],
        en: "reopen a submitted review",
        ru: "открыть сданную оценку",
    },
    Default {
        run: "help",
        action: Action::Help,
        scope: Scope::Global,
        on: &["?"],
        en: "all keys",
        ru: "все клавиши",
    },
    Default {
        run: "quit",
        action: Action::Quit,
        scope: Scope::Global,
        on: &["q"],
        en: "quit",
        ru: "выход",
    },
];

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
    pub run: &'static str,
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

/// A user's override file: `[[keys]] on = ["ctrl-y"] run = "answer-yes"`.
#[derive(Debug, Deserialize)]
struct UserKeymap {
    #[serde(default)]
    keys: Vec<UserBinding>,
}

#[derive(Debug, Deserialize)]
struct UserBinding {
    on: Vec<String>,
    run: String,
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let bindings = DEFAULTS
            .iter()
            .map(|d| Binding {
                run: d.run,
                action: d.action,
                scope: d.scope,
                on: d
                    .on
                    .iter()
                    .map(|k| KeySpec::parse(k).expect("default keys parse"))
                    .collect(),
                desc: Bilingual {
                    en: d.en.to_string(),
                    ru: d.ru.to_string(),
                },
            })
            .collect();
        Keymap::from_bindings(bindings)
    }

    /// Defaults with a user's TOML merged over them; `file` names the
    /// source in error messages.
    pub fn with_overrides(toml_text: &str, file: &str) -> Result<Keymap, String> {
        let user: UserKeymap =
            toml::from_str(toml_text).map_err(|e| format!("{file}: not a valid keymap: {e}"))?;
        let mut keymap = Keymap::defaults();
        for entry in user.keys {
            let Some(binding) = keymap.bindings.iter_mut().find(|b| b.run == entry.run) else {
                let known: Vec<&str> = DEFAULTS.iter().map(|d| d.run).collect();
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
