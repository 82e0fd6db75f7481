//! Keys as a keymap writes them (`y`, `space`, `shift-left`, `ctrl-s`), as
//! the help shows them (`Shift+←`), and as a Russian layout types them.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A key as written in a keymap: `y`, `space`, `shift-left`, `ctrl-s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeySpec {
    /// A slot of a positional binding whose key went to another action.
    pub(super) const NONE: KeySpec = KeySpec {
        code: KeyCode::Null,
        mods: KeyModifiers::NONE,
    };

    pub fn parse(spec: &str) -> Result<KeySpec, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            let (modifier, r) = if let Some(r) = strip_any(&lower, &["shift-", "s-"]) {
                (KeyModifiers::SHIFT, r)
            } else if let Some(r) = strip_any(&lower, &["ctrl-", "c-"]) {
                (KeyModifiers::CONTROL, r)
            } else if let Some(r) = strip_any(&lower, &["alt-", "a-"]) {
                (KeyModifiers::ALT, r)
            } else {
                break;
            };
            // `a-` alone is the key `a` followed by `-`, not Alt.
            if r.is_empty() {
                break;
            }
            mods |= modifier;
            rest = &rest[rest.len() - r.len()..];
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
            lower if lower.len() > 1 && lower.starts_with('f') => match lower[1..].parse::<u8>() {
                Ok(n @ 1..=24) => KeyCode::F(n),
                _ => return Err(format!("unknown key {spec:?}")),
            },
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

    pub fn from_event(key: &KeyEvent) -> KeySpec {
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

    /// A key that types a character in a text field (no Ctrl, no Alt).
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    /// The same key on the other layout: a Russian letter read as the
    /// Latin letter on its physical key.
    pub fn latin(&self) -> Option<KeySpec> {
        match self.code {
            KeyCode::Char(c) => Some(KeySpec {
                code: KeyCode::Char(latin_for_cyrillic(c)?),
                mods: self.mods,
            }),
            _ => None,
        }
    }
}

fn strip_any<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| text.strip_prefix(p))
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
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
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

/// How a list of keys reads in the help: `1…9` for a run of digits,
/// else the keys joined with `/`.
pub fn keys_text(keys: &[KeySpec]) -> String {
    let shown: Vec<&KeySpec> = keys.iter().filter(|k| **k != KeySpec::NONE).collect();
    let digits: Option<Vec<u32>> = shown
        .iter()
        .map(|k| match (k.code, k.mods.is_empty()) {
            (KeyCode::Char(c), true) => c.to_digit(10),
            _ => None,
        })
        .collect();
    if let Some(d) = digits.filter(|d| d.len() > 2)
        && d.windows(2).all(|w| w[1] == w[0] + 1)
    {
        return format!("{}…{}", d[0], d[d.len() - 1]);
    }
    shown
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join("/")
}
