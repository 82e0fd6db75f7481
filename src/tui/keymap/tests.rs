//! Key handling as the reviewer meets it: defaults per screen, Russian
//! layout, overrides in both keymap formats.
use super::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn main_action(k: &Keymap, code: KeyCode) -> Option<Action> {
    k.action(Screen::Main, &key(code))
}

#[test]
fn defaults_cover_the_issue_keys() {
    let k = Keymap::defaults();
    assert_eq!(main_action(&k, KeyCode::Char(' ')), Some(Action::PlayPause));
    assert_eq!(main_action(&k, KeyCode::Char('y')), Some(Action::AnswerYes));
    assert_eq!(main_action(&k, KeyCode::Char('j')), Some(Action::Down));
    assert_eq!(
        main_action(&k, KeyCode::Char('7')),
        Some(Action::JumpItem(7))
    );
    assert_eq!(main_action(&k, KeyCode::Char('G')), Some(Action::GoToItem));
    assert_eq!(
        main_action(&k, KeyCode::Backspace),
        Some(Action::ClearAnswer)
    );
    assert_eq!(main_action(&k, KeyCode::Esc), Some(Action::Dismiss));
    let shift_left = KeyEvent::new(KeyCode::Left, KeyModifiers::SHIFT);
    assert_eq!(
        k.action(Screen::Main, &shift_left),
        Some(Action::SeekBackLong)
    );
    assert_eq!(main_action(&k, KeyCode::Left), Some(Action::SeekBack));
    // `?` arrives with SHIFT on most terminals.
    let question = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
    assert_eq!(k.action(Screen::Main, &question), Some(Action::Help));
}

#[test]
fn each_screen_reads_keys_from_its_own_section() {
    let k = Keymap::defaults();
    // The arrows seek on the main screen and move between columns on the audit.
    assert_eq!(
        k.action(Screen::Audit, &key(KeyCode::Left)),
        Some(Action::ColumnLeft)
    );
    assert_eq!(
        k.action(Screen::Audit, &key(KeyCode::Esc)),
        Some(Action::Back)
    );
    assert_eq!(
        k.action(Screen::Records, &key(KeyCode::Enter)),
        Some(Action::Back)
    );
    assert_eq!(
        k.action(Screen::Confirm, &key(KeyCode::Char('y'))),
        Some(Action::Confirm)
    );
    assert_eq!(
        k.action(Screen::Confirm, &key(KeyCode::Char('н'))),
        Some(Action::Confirm)
    );
    assert_eq!(
        k.action(Screen::Help, &key(KeyCode::Esc)),
        Some(Action::Close)
    );
    assert_eq!(
        k.action(Screen::Input, &key(KeyCode::Enter)),
        Some(Action::Save)
    );
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(k.action(Screen::Input, &ctrl_u), Some(Action::ClearLine));
    // Letters are text in a text field, on either layout.
    assert_eq!(k.action(Screen::Input, &key(KeyCode::Char('y'))), None);
    assert_eq!(k.action(Screen::Input, &key(KeyCode::Char('г'))), None);
    // Sorting is the audit's, not the main screen's.
    assert_eq!(main_action(&k, KeyCode::Char('S')), None);
}

#[test]
fn russian_layout_letters_act_as_their_physical_keys() {
    let k = Keymap::defaults();
    for (ru, action) in [
        ('н', Action::AnswerYes),
        ('т', Action::AnswerNo),
        ('ф', Action::AnswerNa),
        ('с', Action::Comment),
        ('е', Action::StampEvidence),
        ('й', Action::Quit),
        ('ы', Action::Submit),
        ('щ', Action::Reopen),
        ('х', Action::SlowDown),
        ('П', Action::GoToItem),
    ] {
        assert_eq!(main_action(&k, KeyCode::Char(ru)), Some(action), "{ru}");
    }
    assert_eq!(latin_for_cyrillic('Н'), Some('Y'));
}

#[test]
fn user_overrides_replace_the_keys_of_the_named_action() {
    // The first format, `[[keys]]`, still means the main screen.
    let k = Keymap::with_overrides(
        "[[keys]]\non = [\"ctrl-y\", \"1\"]\nrun = \"answer-yes\"\n",
        "keymap.toml",
    )
    .unwrap();
    let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert_eq!(k.action(Screen::Main, &ctrl_y), Some(Action::AnswerYes));
    assert_eq!(main_action(&k, KeyCode::Char('y')), None);
    assert_eq!(main_action(&k, KeyCode::Char('1')), Some(Action::AnswerYes));
    // Taking `1` from the jump keys leaves `2` meaning item 2.
    assert_eq!(
        main_action(&k, KeyCode::Char('2')),
        Some(Action::JumpItem(2))
    );
    assert_eq!(main_action(&k, KeyCode::Char('n')), Some(Action::AnswerNo));
    let err = Keymap::with_overrides("[[keys]]\non=[\"x\"]\nrun=\"fly\"", "km.toml").unwrap_err();
    assert!(err.contains("km.toml") && err.contains("fly"), "{err}");
    let err =
        Keymap::with_overrides("[[keys]]\non=[\"hyper-x\"]\nrun=\"quit\"", "km.toml").unwrap_err();
    assert!(err.contains("hyper-x"), "{err}");
}

#[test]
fn overrides_per_screen_and_for_single_items() {
    let err = Keymap::with_overrides("[[main]]\non = [\"F30\"]\nrun = \"jump-3\"\n", "km.toml");
    assert!(err.unwrap_err().contains("F30"));
    let k = Keymap::with_overrides(
        "[[audit]]\non = [\"s\"]\nrun = \"sort\"\n\n[[main]]\non = [\"alt-3\"]\nrun = \"jump-3\"\n\n[[main]]\non = [\"f9\"]\nrun = \"help\"\n",
        "keymap.toml",
    )
    .unwrap();
    assert_eq!(
        k.action(Screen::Audit, &key(KeyCode::Char('s'))),
        Some(Action::Sort)
    );
    assert_eq!(main_action(&k, KeyCode::Char('s')), Some(Action::Submit));
    let alt_3 = KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT);
    assert_eq!(k.action(Screen::Main, &alt_3), Some(Action::JumpItem(3)));
    assert_eq!(main_action(&k, KeyCode::Char('3')), None);
    assert_eq!(
        main_action(&k, KeyCode::Char('4')),
        Some(Action::JumpItem(4))
    );
    assert_eq!(main_action(&k, KeyCode::F(9)), Some(Action::Help));
    // A text field takes every character: a letter cannot be bound there.
    let err =
        Keymap::with_overrides("[[input]]\non=[\"q\"]\nrun=\"cancel\"", "km.toml").unwrap_err();
    assert!(
        err.contains("[input]") && err.contains("types text"),
        "{err}"
    );
    // An action of another screen is unknown in this one.
    let err =
        Keymap::with_overrides("[[confirm]]\non=[\"x\"]\nrun=\"sort\"", "km.toml").unwrap_err();
    assert!(err.contains("[confirm]") && err.contains("sort"), "{err}");
}

#[test]
fn help_lists_every_binding_of_a_screen_in_both_languages() {
    let k = Keymap::defaults();
    for screen in Screen::ALL {
        let section = k.section(screen);
        assert!(!section.bindings.is_empty(), "{screen:?} has no keys");
        let en = k.describe(screen, Lang::En, None);
        let ru = k.describe(screen, Lang::Ru, None);
        assert_eq!(en.len(), section.bindings.len(), "{screen:?}");
        assert_eq!(ru.len(), en.len());
        assert!(
            section
                .bindings
                .iter()
                .all(|b| !b.desc.en.is_empty() && !b.desc.ru.is_empty())
        );
    }
    let main = k.describe(Screen::Main, Lang::En, None);
    let find = |keys: &str| {
        main.iter()
            .find(|d| d.keys == keys)
            .map(|d| d.desc.as_str())
    };
    assert_eq!(find("Shift+←"), Some("back 30 s"));
    assert_eq!(find("1…9"), Some("go to item 1…9"));
    assert_eq!(find("Esc"), Some("clear the message line"));
    let ru = k.describe(Screen::Main, Lang::Ru, None);
    assert!(ru.iter().any(|d| d.keys == "y" && d.desc == "да"));
}

#[test]
fn every_main_action_has_a_default_key() {
    let k = Keymap::defaults();
    for (run, action) in RUNS {
        let screens: Vec<Screen> = Screen::ALL
            .into_iter()
            .filter(|s| k.section(*s).bindings.iter().any(|b| b.run == *run))
            .collect();
        assert!(!screens.is_empty(), "{run} is bound on no screen");
        for screen in screens {
            assert!(k.key_for(screen, *action).is_some(), "{run} has no key");
        }
    }
    for n in 1..=9 {
        assert_eq!(
            main_action(&k, KeyCode::Char(char::from_digit(n, 10).unwrap())),
            Some(Action::JumpItem(n as u8))
        );
    }
    assert_eq!(Action::from_run("jump-0"), None);
    assert_eq!(Action::from_run("fly"), None);
}

#[test]
fn keys_read_as_the_help_shows_them() {
    let parse = |s: &str| KeySpec::parse(s).unwrap();
    assert_eq!(parse("ctrl-u").to_string(), "Ctrl+U");
    assert_eq!(parse("shift-left").to_string(), "Shift+←");
    assert_eq!(parse("space").to_string(), "Space");
    assert_eq!(keys_text(&["1", "2", "3"].map(parse)), "1…3");
    assert_eq!(keys_text(&["1", "3"].map(parse)), "1/3");
    assert_eq!(keys_text(&[parse("esc"), parse("A")]), "Esc/A");
}

#[test]
fn a_keymap_that_leaves_an_action_without_a_key_is_refused_with_its_line() {
    // `quit` bound to nothing.
    let text = "# mine\n\n[[main]]\non = []\nrun = \"quit\"\n";
    let err = Keymap::with_overrides(text, "km.toml").unwrap_err();
    assert!(
        err.starts_with("km.toml:3:") && err.contains("`quit` without a key"),
        "{err}"
    );
    // `q` taken by another action leaves `quit` with none; the line is the
    // entry that took it.
    let text =
        "[[main]]\non = [\"f9\"]\nrun = \"help\"\n\n[[main]]\non = [\"q\"]\nrun = \"submit\"\n";
    let err = Keymap::with_overrides(text, "km.toml").unwrap_err();
    assert!(
        err.starts_with("km.toml:5:") && err.contains("[main]") && err.contains("`quit`"),
        "{err}"
    );
    // On other screens too.
    let err = Keymap::with_overrides(
        "[[confirm]]\non = [\"y\", \"n\", \"esc\"]\nrun = \"confirm\"\n",
        "km.toml",
    )
    .unwrap_err();
    assert!(
        err.starts_with("km.toml:1:") && err.contains("`cancel`"),
        "{err}"
    );
    // Moving `quit` to another key at the same time is fine.
    let text =
        "[[main]]\non = [\"q\"]\nrun = \"submit\"\n\n[[main]]\non = [\"ctrl-q\"]\nrun = \"quit\"\n";
    let k = Keymap::with_overrides(text, "km.toml").unwrap();
    let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(k.action(Screen::Main, &ctrl_q), Some(Action::Quit));
    // Errors in an entry name its line too.
    let err = Keymap::with_overrides(
        "\n[[main]]\non = [\"hyper-x\"]\nrun = \"quit\"\n",
        "km.toml",
    )
    .unwrap_err();
    assert!(err.starts_with("km.toml:2:"), "{err}");
}
