//! Key handling as the reviewer meets it: defaults, Russian layout, overrides.
use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn defaults_cover_the_issue_keys() {
    let k = Keymap::defaults();
    assert_eq!(k.action(&key(KeyCode::Char(' '))), Some(Action::PlayPause));
    assert_eq!(k.action(&key(KeyCode::Char('y'))), Some(Action::AnswerYes));
    assert_eq!(k.action(&key(KeyCode::Char('j'))), Some(Action::Down));
    assert_eq!(
        k.action(&key(KeyCode::Char('7'))),
        Some(Action::JumpItem(7))
    );
    assert_eq!(
        k.action(&key(KeyCode::Backspace)),
        Some(Action::ClearAnswer)
    );
    let shift_left = KeyEvent::new(KeyCode::Left, KeyModifiers::SHIFT);
    assert_eq!(k.action(&shift_left), Some(Action::SeekBackLong));
    assert_eq!(k.action(&key(KeyCode::Left)), Some(Action::SeekBack));
    // `?` arrives with SHIFT on most terminals.
    let question = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
    assert_eq!(k.action(&question), Some(Action::Help));
}

#[test]
fn russian_layout_letters_act_as_their_physical_keys() {
    let k = Keymap::defaults();
    assert_eq!(k.action(&key(KeyCode::Char('н'))), Some(Action::AnswerYes));
    assert_eq!(k.action(&key(KeyCode::Char('т'))), Some(Action::AnswerNo));
    assert_eq!(k.action(&key(KeyCode::Char('ф'))), Some(Action::AnswerNa));
    assert_eq!(k.action(&key(KeyCode::Char('с'))), Some(Action::Comment));
    assert_eq!(
        k.action(&key(KeyCode::Char('е'))),
        Some(Action::StampEvidence)
    );
    assert_eq!(k.action(&key(KeyCode::Char('й'))), Some(Action::Quit));
    assert_eq!(k.action(&key(KeyCode::Char('ы'))), Some(Action::Submit));
    assert_eq!(k.action(&key(KeyCode::Char('щ'))), Some(Action::Reopen));
    assert_eq!(k.action(&key(KeyCode::Char('х'))), Some(Action::SlowDown));
    assert_eq!(latin_for_cyrillic('Н'), Some('Y'));
}

#[test]
fn user_overrides_replace_the_keys_of_the_named_action() {
    let k = Keymap::with_overrides(
        "[[keys]]\non = [\"ctrl-y\", \"1\"]\nrun = \"answer-yes\"\n",
        "keymap.toml",
    )
    .unwrap();
    let ctrl_y = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert_eq!(k.action(&ctrl_y), Some(Action::AnswerYes));
    assert_eq!(k.action(&key(KeyCode::Char('y'))), None);
    assert_eq!(k.action(&key(KeyCode::Char('1'))), Some(Action::AnswerYes));
    assert_eq!(k.action(&key(KeyCode::Char('n'))), Some(Action::AnswerNo));
    let err = Keymap::with_overrides("[[keys]]\non=[\"x\"]\nrun=\"fly\"", "km.toml").unwrap_err();
    assert!(err.contains("km.toml") && err.contains("fly"), "{err}");
    let err =
        Keymap::with_overrides("[[keys]]\non=[\"hyper-x\"]\nrun=\"quit\"", "km.toml").unwrap_err();
    assert!(err.contains("hyper-x"), "{err}");
}

#[test]
fn help_lists_every_action_in_both_languages() {
    let k = Keymap::defaults();
    let en = k.describe(Lang::En, None);
    let ru = k.describe(Lang::Ru, None);
    assert_eq!(en.len(), k.bindings.len());
    assert_eq!(en.len(), 43);
    // Every default names a real action and has both descriptions.
    assert!(
        k.bindings
            .iter()
            .all(|b| !b.desc.en.is_empty() && !b.desc.ru.is_empty())
    );
    assert!(
        en.iter()
            .any(|(keys, d)| keys == "Shift+←" && d == "back 30 s")
    );
    assert!(ru.iter().any(|(keys, d)| keys == "y" && d == "да"));
}

#[test]
fn every_action_has_a_default_key() {
    let k = Keymap::defaults();
    for run in [
        "play-pause",
        "seek-back",
        "seek-forward",
        "seek-back-long",
        "seek-forward-long",
        "seek-start",
        "slow-down",
        "speed-up",
        "replay",
        "marker",
        "next-marker",
        "up",
        "down",
        "answer-yes",
        "answer-no",
        "answer-na",
        "clear-answer",
        "comment",
        "stamp",
        "next-pane",
        "prev-pane",
        "open-call",
        "submit",
        "reopen",
        "help",
        "quit",
        "audit",
        "sort",
        "skip-silence",
        "channel",
        "volume-down",
        "volume-up",
        "auto-gain",
        "link",
    ] {
        let action = Action::from_run(run).unwrap();
        assert!(k.key_for(action).is_some(), "{run} has no key");
    }
    for n in 1..=9 {
        assert!(k.key_for(Action::JumpItem(n)).is_some());
    }
    assert_eq!(Action::from_run("jump-0"), None);
    assert_eq!(Action::from_run("fly"), None);
}
