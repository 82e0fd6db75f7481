//! Key bindings, declared once per screen: each entry is `{ on, run, desc }`
//! as in yazi, in a section named after the screen (`[[main]]`, `[[audit]]`,
//! `[[records]]`, `[[input]]`, `[[confirm]]`, `[[help]]`). The same table
//! drives key handling, the hint bar and the `?` overlay of that screen, as
//! gitui's per-component command lists do; a user's `keymap.toml` replaces
//! the keys of the actions it names. Letters typed on a Russian (ЙЦУКЕН)
//! layout are read as the Latin letter on the same physical key, so `н` is
//! `y` after typing a Russian comment (never in a text field, where they
//! are text).
//!
//! A user's keymap that leaves any action of a screen without a key (an
//! empty `on`, or keys taken by other actions) is refused with the file and
//! the line of the entry that did it: a workstation without a way to quit,
//! submit or answer must not start. Ctrl+C quits whatever the keymap says.

mod keys;

pub use keys::{KeySpec, keys_text, latin_for_cyrillic};

use crate::domain::Lang;
use crate::domain::lang::Bilingual;
use ratatui::crossterm::event::KeyEvent;
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

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
    /// Mark the call as an example to learn from, with why.
    BestCall,
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
    /// Item `n` (1-based): the n-th key of the `jump` binding.
    JumpItem(u8),
    /// Type an item number (for items 10 and on).
    GoToItem,
    Comment,
    StampEvidence,
    NextPane,
    PrevPane,
    OpenCall,
    /// The reviewer's plan or every call, in the queue.
    PlanView,
    /// The queue shows the calls or the reps' outgoing emails.
    EmailsView,
    /// The queue shows the mystery-shopping visits of the period.
    VisitsView,
    /// Record a mystery shopper's visit in the form.
    NewVisit,
    Submit,
    Reopen,
    Link,
    Audit,
    /// The results screen: per-rep figures of the latest reviewed week.
    Results,
    /// The calibration and disputes screen.
    Calibration,
    /// Who holds which call of the week's plan (a lead's board).
    Claims,
    /// Hand the selected call to another reviewer.
    Reassign,
    /// Read the screen's data again.
    Refresh,
    PauseAnalysis,
    Dismiss,
    Help,
    Quit,
    ColumnLeft,
    ColumnRight,
    Sort,
    Records,
    Back,
    Save,
    Cancel,
    DeleteChar,
    ClearLine,
    /// The visit form's next and previous field.
    NextField,
    PrevField,
    Confirm,
    Close,
}

/// The `run` names of the actions, as keymaps write them.
const RUNS: &[(&str, Action)] = &[
    ("play-pause", Action::PlayPause),
    ("seek-back", Action::SeekBack),
    ("seek-forward", Action::SeekForward),
    ("seek-back-long", Action::SeekBackLong),
    ("seek-forward-long", Action::SeekForwardLong),
    ("seek-start", Action::SeekStart),
    ("slow-down", Action::SlowDown),
    ("speed-up", Action::SpeedUp),
    ("replay", Action::Replay),
    ("marker", Action::AddMarker),
    ("best-call", Action::BestCall),
    ("next-marker", Action::NextMarker),
    ("skip-silence", Action::SkipSilence),
    ("channel", Action::Channel),
    ("volume-down", Action::VolumeDown),
    ("volume-up", Action::VolumeUp),
    ("auto-gain", Action::AutoGain),
    ("up", Action::Up),
    ("down", Action::Down),
    ("answer-yes", Action::AnswerYes),
    ("answer-no", Action::AnswerNo),
    ("answer-na", Action::AnswerNa),
    ("clear-answer", Action::ClearAnswer),
    ("jump", Action::JumpItem(1)),
    ("go-to-item", Action::GoToItem),
    ("comment", Action::Comment),
    ("stamp", Action::StampEvidence),
    ("next-pane", Action::NextPane),
    ("prev-pane", Action::PrevPane),
    ("open-call", Action::OpenCall),
    ("plan-view", Action::PlanView),
    ("emails", Action::EmailsView),
    ("visits", Action::VisitsView),
    ("new-visit", Action::NewVisit),
    ("submit", Action::Submit),
    ("reopen", Action::Reopen),
    ("link", Action::Link),
    ("audit", Action::Audit),
    ("results", Action::Results),
    ("calibration", Action::Calibration),
    ("claims", Action::Claims),
    ("reassign", Action::Reassign),
    ("refresh", Action::Refresh),
    ("pause-analysis", Action::PauseAnalysis),
    ("dismiss", Action::Dismiss),
    ("help", Action::Help),
    ("quit", Action::Quit),
    ("column-left", Action::ColumnLeft),
    ("column-right", Action::ColumnRight),
    ("sort", Action::Sort),
    ("records", Action::Records),
    ("back", Action::Back),
    ("save", Action::Save),
    ("cancel", Action::Cancel),
    ("delete-char", Action::DeleteChar),
    ("clear-line", Action::ClearLine),
    ("next-field", Action::NextField),
    ("prev-field", Action::PrevField),
    ("confirm", Action::Confirm),
    ("close", Action::Close),
];

/// The binding whose n-th key means item n.
const JUMP: &str = "jump";

impl Action {
    /// The action a keymap's `run` names.
    pub fn from_run(run: &str) -> Option<Action> {
        RUNS.iter().find(|(r, _)| *r == run).map(|(_, a)| *a)
    }
}

/// A screen (or mode) with its own keys: a section of the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    /// The workstation: player, queue, checklist, CRM.
    Main,
    /// The CRM audit table.
    Audit,
    /// The results screen.
    Results,
    /// The records behind an audit or results number.
    Records,
    /// Typing a line: comment, marker note, link, item number.
    Input,
    /// Submit with items unanswered?
    Confirm,
    /// The `?` overlay.
    Help,
    /// Calibration agreement and the reps' disputes.
    Calibration,
    /// Who holds which call of the week's plan.
    Claims,
}

impl Screen {
    pub const ALL: [Screen; 9] = [
        Screen::Main,
        Screen::Audit,
        Screen::Results,
        Screen::Records,
        Screen::Input,
        Screen::Confirm,
        Screen::Help,
        Screen::Calibration,
        Screen::Claims,
    ];

    pub fn section(self) -> &'static str {
        match self {
            Screen::Main => "main",
            Screen::Audit => "audit",
            Screen::Results => "results",
            Screen::Records => "records",
            Screen::Input => "input",
            Screen::Confirm => "confirm",
            Screen::Help => "help",
            Screen::Calibration => "calibration",
            Screen::Claims => "claims",
        }
    }
}

/// On the main screen, the pane an action belongs to: the hint bar shows
/// the focused pane's actions first, the help groups by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Player,
    Checklist,
    Queue,
    Global,
}

impl Scope {
    pub const ORDER: [Scope; 4] = [Scope::Player, Scope::Checklist, Scope::Queue, Scope::Global];
}

/// The defaults, embedded; see `assets/keymap.toml`.
pub const DEFAULT_KEYMAP_TOML: &str = include_str!("../../../assets/keymap.toml");

#[derive(Debug, Clone)]
pub struct Binding {
    pub run: String,
    pub action: Action,
    pub scope: Scope,
    pub on: Vec<KeySpec>,
    pub desc: Bilingual,
}

impl Binding {
    /// The action of the key at `index` in `on`.
    fn action_at(&self, index: usize) -> Action {
        match self.action {
            Action::JumpItem(_) => Action::JumpItem(u8::try_from(index + 1).unwrap_or(u8::MAX)),
            other => other,
        }
    }

    pub fn keys_text(&self) -> String {
        keys_text(&self.on)
    }

    fn has_no_key(&self) -> bool {
        self.on.iter().all(|k| *k == KeySpec::NONE)
    }
}

/// The 1-based line of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// A binding as the help shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub action: Action,
    pub keys: String,
    pub desc: String,
}

/// One screen's bindings and the lookup built from them.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub bindings: Vec<Binding>,
    lookup: HashMap<KeySpec, Action>,
}

impl Section {
    fn from_bindings(bindings: Vec<Binding>) -> Section {
        let mut lookup = HashMap::new();
        for b in &bindings {
            for (index, key) in b.on.iter().enumerate() {
                if *key != KeySpec::NONE {
                    lookup.insert(*key, b.action_at(index));
                }
            }
        }
        Section { bindings, lookup }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    sections: HashMap<Screen, Section>,
}

/// A keymap file: the defaults, or a user's overrides. `[[keys]]` is the
/// first format, for the main screen only, and still read as `[[main]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    #[serde(default)]
    keys: Vec<Spanned<Entry>>,
    #[serde(default)]
    main: Vec<Spanned<Entry>>,
    #[serde(default)]
    audit: Vec<Spanned<Entry>>,
    #[serde(default)]
    results: Vec<Spanned<Entry>>,
    #[serde(default)]
    records: Vec<Spanned<Entry>>,
    #[serde(default)]
    input: Vec<Spanned<Entry>>,
    #[serde(default)]
    confirm: Vec<Spanned<Entry>>,
    #[serde(default)]
    help: Vec<Spanned<Entry>>,
    #[serde(default)]
    calibration: Vec<Spanned<Entry>>,
    #[serde(default)]
    claims: Vec<Spanned<Entry>>,
}

impl KeymapFile {
    fn take(&mut self, screen: Screen) -> Vec<Spanned<Entry>> {
        match screen {
            Screen::Main => {
                let mut entries = std::mem::take(&mut self.keys);
                entries.append(&mut self.main);
                entries
            }
            Screen::Audit => std::mem::take(&mut self.audit),
            Screen::Results => std::mem::take(&mut self.results),
            Screen::Records => std::mem::take(&mut self.records),
            Screen::Input => std::mem::take(&mut self.input),
            Screen::Confirm => std::mem::take(&mut self.confirm),
            Screen::Help => std::mem::take(&mut self.help),
            Screen::Calibration => std::mem::take(&mut self.calibration),
            Screen::Claims => std::mem::take(&mut self.claims),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    on: Vec<String>,
    run: String,
    #[serde(default)]
    scope: Option<Scope>,
    #[serde(default)]
    desc: Option<Bilingual>,
}

fn parse_keys(entry: &Entry, screen: Screen, file: &str) -> Result<Vec<KeySpec>, String> {
    let keys = entry
        .on
        .iter()
        .map(|k| KeySpec::parse(k).map_err(|e| format!("{file}: {}: {e}", entry.run)))
        .collect::<Result<Vec<_>, _>>()?;
    // A text field must take every character typed; its keys edit.
    if screen == Screen::Input
        && let Some(key) = keys.iter().find(|k| k.is_printable())
    {
        return Err(format!(
            "{file}: [input] {}: {key} types text there; use Ctrl, Alt or a named key",
            entry.run
        ));
    }
    Ok(keys)
}

impl Keymap {
    pub fn defaults() -> Keymap {
        Keymap::parse_defaults().expect("assets/keymap.toml is checked by a test")
    }

    fn parse_defaults() -> Result<Keymap, String> {
        let file = "assets/keymap.toml";
        let mut defaults: KeymapFile =
            toml::from_str(DEFAULT_KEYMAP_TOML).map_err(|e| format!("{file}: {e}"))?;
        let mut sections = HashMap::new();
        for screen in Screen::ALL {
            let bindings = defaults
                .take(screen)
                .into_iter()
                .map(Spanned::into_inner)
                .map(|e| {
                    Ok(Binding {
                        action: Action::from_run(&e.run)
                            .ok_or_else(|| format!("{file}: unknown action {}", e.run))?,
                        scope: e.scope.unwrap_or(Scope::Global),
                        on: parse_keys(&e, screen, file)?,
                        desc: e
                            .desc
                            .ok_or_else(|| format!("{file}: {} has no desc", e.run))?,
                        run: e.run,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            sections.insert(screen, Section::from_bindings(bindings));
        }
        Ok(Keymap { sections })
    }

    /// Defaults with a user's TOML merged over them; `file` names the
    /// source in error messages.
    pub fn with_overrides(toml_text: &str, file: &str) -> Result<Keymap, String> {
        let mut user: KeymapFile =
            toml::from_str(toml_text).map_err(|e| format!("{file}: not a valid keymap: {e}"))?;
        let mut keymap = Keymap::defaults();
        for screen in Screen::ALL {
            let mut bindings = keymap.section(screen).bindings.clone();
            // The line of the entry that last left each action keyless.
            let mut emptied_at: HashMap<String, usize> = HashMap::new();
            for entry in user.take(screen) {
                let line = line_of(toml_text, entry.span().start);
                let entry = entry.into_inner();
                let at = |e: String| match e.strip_prefix(&format!("{file}: ")) {
                    Some(rest) => format!("{file}:{line}: {rest}"),
                    None => e,
                };
                let keyless: Vec<bool> = bindings.iter().map(Binding::has_no_key).collect();
                override_binding(&mut bindings, &entry, screen, file).map_err(at)?;
                for (b, was) in bindings.iter().zip(keyless) {
                    if b.has_no_key() && !was {
                        emptied_at.insert(b.run.clone(), line);
                    }
                }
            }
            if let Some(b) = bindings.iter().find(|b| b.has_no_key()) {
                let line = emptied_at.get(&b.run).copied().unwrap_or(1);
                return Err(format!(
                    "{file}:{line}: [{}] leaves `{}` without a key; give it one in the same section",
                    screen.section(),
                    b.run
                ));
            }
            keymap
                .sections
                .insert(screen, Section::from_bindings(bindings));
        }
        Ok(keymap)
    }

    pub fn section(&self, screen: Screen) -> &Section {
        static EMPTY: std::sync::OnceLock<Section> = std::sync::OnceLock::new();
        self.sections
            .get(&screen)
            .unwrap_or_else(|| EMPTY.get_or_init(Section::default))
    }

    /// What a key does on a screen. Outside text fields a Russian letter
    /// counts as the Latin one on its key.
    pub fn action(&self, screen: Screen, key: &KeyEvent) -> Option<Action> {
        let lookup = &self.section(screen).lookup;
        let spec = KeySpec::from_event(key);
        if let Some(action) = lookup.get(&spec) {
            return Some(*action);
        }
        if screen == Screen::Input {
            return None;
        }
        lookup.get(&spec.latin()?).copied()
    }

    /// The first key of an action on a screen, for hints ("press o to
    /// reopen").
    pub fn key_for(&self, screen: Screen, action: Action) -> Option<KeySpec> {
        self.section(screen)
            .bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.on.iter().find(|k| **k != KeySpec::NONE).copied())
    }

    /// The bound actions of a screen, in keymap order, for the help
    /// overlay and the hint bar; `scope` keeps one pane's actions.
    pub fn describe(&self, screen: Screen, lang: Lang, scope: Option<Scope>) -> Vec<Described> {
        self.section(screen)
            .bindings
            .iter()
            .filter(|b| scope.is_none_or(|s| b.scope == s))
            .map(|b| Described {
                action: b.action,
                keys: b.keys_text(),
                desc: b.desc.get(lang).to_string(),
            })
            .filter(|d| !d.keys.is_empty())
            .collect()
    }
}

/// Give an action the user's keys; they leave every other action of the
/// screen, so the help never shows a key that does something else.
/// `jump-N` (the first keymap format) sets the key of item N alone.
fn override_binding(
    bindings: &mut [Binding],
    entry: &Entry,
    screen: Screen,
    file: &str,
) -> Result<(), String> {
    let keys = parse_keys(entry, screen, file)?;
    let slot = entry
        .run
        .strip_prefix("jump-")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=99).contains(n) && screen == Screen::Main);
    let run = if slot.is_some() { JUMP } else { &entry.run };
    let Some(target) = bindings.iter().position(|b| b.run == run) else {
        let known: Vec<&str> = bindings.iter().map(|b| b.run.as_str()).collect();
        return Err(format!(
            "{file}: [{}]: unknown action {:?}; known actions: {}",
            screen.section(),
            entry.run,
            known.join(", ")
        ));
    };
    for (i, other) in bindings.iter_mut().enumerate() {
        if i == target {
            continue;
        }
        if matches!(other.action, Action::JumpItem(_)) {
            // Positions mean item numbers: a taken key leaves a hole.
            for k in other.on.iter_mut().filter(|k| keys.contains(k)) {
                *k = KeySpec::NONE;
            }
        } else {
            other.on.retain(|k| !keys.contains(k));
        }
    }
    let binding = &mut bindings[target];
    match slot {
        Some(n) => {
            let [key] = keys[..] else {
                return Err(format!("{file}: {}: give exactly one key", entry.run));
            };
            for k in binding.on.iter_mut().filter(|k| **k == key) {
                *k = KeySpec::NONE;
            }
            if binding.on.len() < n {
                binding.on.resize(n, KeySpec::NONE);
            }
            binding.on[n - 1] = key;
        }
        None => binding.on = keys,
    }
    Ok(())
}

#[cfg(test)]
mod tests;
