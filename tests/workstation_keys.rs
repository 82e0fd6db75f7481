//! The workstation's keys as the reviewer meets them on every screen: what
//! the hint bar and the help say, what a key that does nothing says, the
//! item a comment goes to, and a screen that never shows a stale player.

mod common;
mod workstation_support;

use callqa::domain::matching::{MatchResult, MatchRule};
use callqa::domain::{AnswerValue, Lang};
use callqa::tui::app::{App, Input, Mode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use std::time::{Duration, Instant};
use workstation_support::{
    chars, ctrl, draw_on, message, open_app, press, screen, setup, setup_demo, setup_demo_in,
    stored,
};

/// The last `n` lines of a screen: the status line and the hint bar.
fn bottom(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn open_queue_row(app: &mut App, downs: usize) {
    press(app, KeyCode::Tab);
    press(app, KeyCode::Tab);
    for _ in 0..downs {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
}

#[test]
fn every_player_control_redraws_while_paused() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    // call-003 is stereo, so the channel key has something to change.
    open_queue_row(&mut app, 2);
    assert_eq!(app.review.open.as_ref().unwrap().call.call_id, "call-003");
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).unwrap();
    app.tick();
    draw_on(&mut terminal, &app);
    for (key, shown) in [
        ('x', "skipping dead air"),
        ('v', "rep only"),
        ('=', "vol 110%"),
        ('g', "auto gain"),
        (']', "speed 1.25x"),
    ] {
        press(&mut app, KeyCode::Char(key));
        // The loop draws right after a key, before the player has
        // applied it; from then on only `tick` decides.
        draw_on(&mut terminal, &app);
        // Draw only when `tick` says so, as the loop does.
        let start = Instant::now();
        loop {
            if app.tick() && draw_on(&mut terminal, &app).contains(shown) {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{key}: the player changed but {shown:?} was never drawn"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!app.listening.playing(), "still paused");
    }
}

#[test]
fn comment_and_stamp_right_after_an_answer_go_to_the_answered_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.review.item(), 1, "the cursor moves on");
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        app.screen.mode,
        Mode::Input {
            purpose: Input::Comment { item: 0 },
            ..
        }
    ));
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Comment #1 Greeted the client:"), "{s}");
    chars(&mut app, "no greeting at all");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('t'));
    let r = stored(&app, "c-first");
    assert_eq!(r.answers["greeting"].value, Some(AnswerValue::No));
    assert_eq!(
        r.answers["greeting"].comment.as_deref(),
        Some("no greeting at all")
    );
    assert!(r.answers["greeting"].evidence_ms.is_some());
    assert!(message(&app).contains("#1"), "{}", message(&app));
    assert!(!r.answers.contains_key("introduced") || r.answers["introduced"].comment.is_none());
    // Once the reviewer moves, `c` means the item under the cursor.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        app.screen.mode,
        Mode::Input {
            purpose: Input::Comment { item: 2 },
            ..
        }
    ));
    press(&mut app, KeyCode::Esc);
}

#[test]
fn items_past_nine_are_reached_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    assert_eq!(app.checklist().items.len(), 13);
    // `12` can only mean item 12: no Enter needed.
    press(&mut app, KeyCode::Char('G'));
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("Go to item (1-13):"), "{s}");
    chars(&mut app, "x12");
    assert_eq!(app.screen.mode, Mode::Normal);
    assert_eq!(app.review.item(), 11);
    // `1` could be 1 or 10-13: Enter settles it.
    press(&mut app, KeyCode::Char('G'));
    chars(&mut app, "1");
    assert!(matches!(app.screen.mode, Mode::Input { .. }));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.review.item(), 0);
    press(&mut app, KeyCode::Char('G'));
    chars(&mut app, "14");
    assert_eq!(app.review.item(), 0);
    assert!(message(&app).contains("No item 14"), "{}", message(&app));
    chars(&mut app, "9");
    assert_eq!(app.review.item(), 8, "1-9 still go straight there");
}

#[test]
fn hint_bar_and_help_come_from_the_screen_in_front() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    let s = screen(&mut app, 160, 40);
    let hints = bottom(&s, 2);
    assert!(hints.contains("1…9 go to item 1…9"), "{hints}");
    assert!(hints.contains("? all keys"), "{hints}");
    // Help for the main screen, grouped by pane, with Esc in it.
    press(&mut app, KeyCode::Char('?'));
    let s = screen(&mut app, 160, 60);
    for needle in [
        "Player",
        "Everywhere",
        "Esc",
        "clear the message line",
        "close the help",
    ] {
        assert!(s.contains(needle), "missing {needle:?}\n{s}");
    }
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen.mode, Mode::Normal);
    // On the audit screen the help is the audit's.
    press(&mut app, KeyCode::Char('A'));
    let s = screen(&mut app, 160, 40);
    assert!(bottom(&s, 2).contains("back to the review"), "{s}");
    press(&mut app, KeyCode::Char('?'));
    let s = screen(&mut app, 160, 40);
    assert!(s.contains("previous column"), "{s}");
    assert!(!s.contains("play / pause"), "{s}");
    press(&mut app, KeyCode::Esc);
    assert!(
        app.screen.audit.is_some(),
        "closing the help stays on the audit"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.audit.is_none());
    // A text field shows its editing keys.
    press(&mut app, KeyCode::Char('c'));
    let s = screen(&mut app, 120, 30);
    let hints = bottom(&s, 1);
    for needle in ["Enter save", "Esc cancel", "Ctrl+U clear the line"] {
        assert!(hints.contains(needle), "missing {needle:?}: {hints}");
    }
    press(&mut app, KeyCode::Esc);
    // A narrow terminal drops whole hints, never the help key.
    for width in [60, 80, 100] {
        let s = screen(&mut app, width, 24);
        let hints = bottom(&s, 1);
        assert!(hints.trim_end().ends_with("? all keys"), "{width}: {hints}");
    }
}

#[test]
fn keys_that_do_nothing_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    press(&mut app, KeyCode::Char('o'));
    assert!(message(&app).contains("not submitted"), "{}", message(&app));
    press(&mut app, KeyCode::Char('Z'));
    assert_eq!(message(&app), "Z does nothing here; ? lists the keys");
    press(&mut app, KeyCode::Enter);
    assert!(
        message(&app).contains("Enter opens the call selected in the queue; Tab moves"),
        "{}",
        message(&app)
    );
    chars(&mut app, "]]]]]]");
    assert!(
        message(&app).contains("fastest speed: 2.50x"),
        "{}",
        message(&app)
    );
    // Esc clears the message line.
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.message.is_none());

    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::Ru);
    press(&mut app, KeyCode::Char('щ'));
    assert!(
        message(&app).contains("Оценка не сдана"),
        "{}",
        message(&app)
    );
}

#[test]
fn an_empty_workspace_says_how_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = open_app(&dir.path().join("empty.sqlite"), None, Lang::En);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("callqa import --db"), "{s}");
    assert!(s.contains("empty.sqlite FOLDER"), "{s}");
    assert!(s.contains("callqa demo"), "{s}");
    for key in ['y', 's', 'c', 'm'] {
        press(&mut app, KeyCode::Char(key));
        assert!(
            message(&app).contains("No calls in this workspace"),
            "{key}"
        );
    }
}

#[test]
fn ctrl_c_quits_from_every_screen() {
    let setups: [(&str, &[KeyCode]); 5] = [
        ("main", &[]),
        ("comment", &[KeyCode::Char('c')]),
        ("help", &[KeyCode::Char('?')]),
        ("audit", &[KeyCode::Char('A'), KeyCode::Enter]),
        ("confirm", &[KeyCode::Char('y'), KeyCode::Char('s')]),
    ];
    for (name, keys) in setups {
        let dir = tempfile::tempdir().unwrap();
        let mut app = setup_demo(dir.path());
        for key in keys {
            press(&mut app, *key);
        }
        assert!(!app.screen.quit, "{name}");
        ctrl(&mut app, 'c');
        assert!(app.screen.quit, "Ctrl+C did not quit from {name}");
    }
}

#[test]
fn the_russian_interface_speaks_russian() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::Ru);
    // As an import from a client system links it: by the ids in the call list.
    app.ws
        .save_match(&MatchResult {
            call_id: "c-first".into(),
            contact_id: Some("k1".into()),
            deal_id: Some("d1".into()),
            activity_ids: Vec::new(),
            note_ids: Vec::new(),
            rule: MatchRule::ExplicitId {
                kind: "call.crm_link".into(),
            },
            ambiguity: Vec::new(),
        })
        .unwrap();
    app.open_call(0).unwrap();
    let s = screen(&mut app, 220, 50);
    assert!(s.contains("id контакта / сделки в списке звонков"), "{s}");
    assert!(s.contains("Нет звука: звук выключен"), "{s}");
    for english in ["call.crm_link", "null output", "no sound"] {
        assert!(!s.contains(english), "{english:?} on a Russian screen\n{s}");
    }
    // The audit's headers wrap whole at 160 columns, in both languages.
    for lang in [Lang::Ru, Lang::En] {
        let dir = tempfile::tempdir().unwrap();
        let mut app = setup_demo_in(dir.path(), lang);
        press(&mut app, KeyCode::Char('A'));
        let s = screen(&mut app, 160, 40);
        for column in callqa::reports::audit::COLUMNS {
            for word in column.title(lang).split(' ') {
                assert!(
                    s.lines()
                        .take(4)
                        .any(|l| l.split_whitespace().any(|w| w == word)),
                    "{lang:?}: header word {word:?} of {:?} cut\n{s}",
                    column.title(lang)
                );
            }
        }
    }
}

/// `b` marks the call as an example to learn from, with why and the
/// moment; `b` again edits the reason; an empty reason takes the mark off.
#[test]
fn a_call_is_marked_as_an_example_with_why_and_from_when() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup(dir.path(), Lang::En);
    app.open_call(1).unwrap();
    let start = std::time::Instant::now();
    while app.listening.player.status().duration.is_none() {
        assert!(start.elapsed().as_secs() < 10, "the call never loaded");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    press(&mut app, KeyCode::Right);
    let place = |app: &App| app.ws.place("tester").unwrap().and_then(|p| p.position_ms);
    while place(&app) != Some(5_000) {
        assert!(start.elapsed().as_secs() < 10, "the seek never arrived");
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    press(&mut app, KeyCode::Char('b'));
    chars(&mut app, "asks about the bigger goal");
    press(&mut app, KeyCode::Enter);
    let best = app.ws.best_call("c-second", "tester").unwrap().unwrap();
    assert_eq!(best.reason, "asks about the bigger goal");
    assert_eq!(best.position_ms, 5_000);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("★ example @0:05"), "{s}");
    // Again: the reason is there to edit; cleared, the mark goes.
    press(&mut app, KeyCode::Char('b'));
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("asks about the bigger goal"), "{s}");
    ctrl(&mut app, 'u');
    press(&mut app, KeyCode::Enter);
    assert!(app.ws.best_call("c-second", "tester").unwrap().is_none());
    let s = screen(&mut app, 120, 30);
    assert!(!s.contains("★"), "{s}");
}

/// Switch the queue to emails and open the one whose Message-ID starts
/// with `id`; the thread pane has the focus then.
fn open_email(app: &mut App, id: &str) -> usize {
    press(app, KeyCode::Char('e'));
    assert!(app.emails.shown, "{}", message(app));
    let index = app
        .emails
        .rows
        .iter()
        .position(|r| r.message_id.starts_with(id))
        .unwrap_or_else(|| panic!("{id} is not in the email queue"));
    for _ in 0..index {
        press(app, KeyCode::Down);
    }
    press(app, KeyCode::Enter);
    assert!(app.review.email.is_some(), "{}", message(app));
    index
}

#[test]
fn an_email_is_reviewed_from_the_keyboard_beside_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    press(&mut app, KeyCode::Char('e'));
    // The reps' outgoing emails only, newest first.
    let sent: Vec<String> = app
        .emails
        .rows
        .iter()
        .filter_map(|r| r.sent.clone())
        .collect();
    assert_eq!(sent.len(), 6, "{sent:?}");
    assert!(sent.windows(2).all(|w| w[0] >= w[1]), "{sent:?}");
    press(&mut app, KeyCode::Char('e'));
    assert!(!app.emails.shown);

    let index = open_email(&mut app, "c3-nyberg");
    let text = screen(&mut app, 160, 40);
    // The thread in place of the player: the client's message as context,
    // then the rep's, each under its header; the email queue on the left.
    assert!(text.contains("Thread: "), "{text}");
    assert!(!text.contains("Volume"), "{text}");
    let headers: Vec<&str> = text.lines().filter(|l| l.contains("── 2026-")).collect();
    assert!(headers.len() >= 2, "{text}");
    assert!(text.contains("Emails 0/6 submitted"), "{text}");
    // The checks pre-filled, marked automatic: no call to action here.
    let call_to_action = app.review.answer_of(app.checklist(), 3).unwrap();
    assert_eq!(call_to_action.value, Some(AnswerValue::No));
    assert!(call_to_action.automatic);

    // Forwardable is the reviewer's, spelling confirmed: y, n, then `t`
    // quotes the selected line of the thread for the item just answered.
    assert_eq!(app.review.item(), 5);
    assert!(app.review.answer_of(app.checklist(), 4).unwrap().automatic);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('n'));
    // Back to the thread (the number key went to the checklist), past the
    // greeting, to the first line of words after it.
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.screen.focus, callqa::tui::app::Pane::Player);
    press(&mut app, KeyCode::Down);
    let selected = |app: &App| {
        let open = app.review.email.as_ref().unwrap();
        open.selected_text().map(str::to_string)
    };
    while selected(&app).is_none() {
        press(&mut app, KeyCode::Down);
    }
    let line = selected(&app).unwrap();
    press(&mut app, KeyCode::Char('t'));
    assert!(
        message(&app).contains("Quoted as evidence of #6"),
        "{}",
        message(&app)
    );
    // The automatic answer overridden, as on a call.
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('s'));
    assert!(message(&app).contains("Submitted"), "{}", message(&app));
    // As on a call, the next one down the queue not yet submitted opens.
    let open = app.review.email.as_ref().unwrap();
    assert_eq!(
        open.email.email.message_id,
        app.emails.rows[index + 1].message_id
    );
    assert_eq!(app.review.status(), callqa::domain::ReviewStatus::New);

    let id = app
        .emails
        .rows
        .iter()
        .find(|r| r.message_id.starts_with("c3-nyberg"))
        .unwrap();
    let subject = callqa::store::Subject::Email(id.message_id.clone());
    let review = app
        .ws
        .review_of(&subject, "tester", "email")
        .unwrap()
        .unwrap();
    assert_eq!(review.status, callqa::domain::ReviewStatus::Submitted);
    assert_eq!(review.quotes["forwardable"], line);
    assert!(line.starts_with("Yes: the export"), "{line}");
    assert_eq!(review.answers["spelling"].value, Some(AnswerValue::Yes));
    assert_eq!(review.answers["forwardable"].value, Some(AnswerValue::No));
    assert!(review.answers["call_to_action"].automatic);
    assert!(!review.answers["concise"].automatic);
    let text = screen(&mut app, 160, 40);
    assert!(text.contains("Emails 1/6 submitted"), "{text}");
}

#[test]
fn misspelt_words_show_in_the_thread_with_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    open_email(&mut app, "b1-belova");
    let spelling = app.review.answer_of(app.checklist(), 4).unwrap();
    assert_eq!(
        (spelling.value, spelling.automatic),
        (Some(AnswerValue::No), true)
    );
    let open = app.review.email.as_ref().unwrap();
    let misspelt = open.lines.iter().position(|l| l.text.contains("расчитали"));
    let misspelt = misspelt.expect("the misspelt line is in the thread");
    while app.review.email.as_ref().unwrap().line < misspelt {
        press(&mut app, KeyCode::Down);
    }
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).unwrap();
    let text = draw_on(&mut terminal, &app);
    assert!(
        text.contains("Misspelt: расчитали (try: рассчитали"),
        "{text}"
    );
    // Inline: the word itself is drawn in red.
    let buffer = terminal.backend().buffer();
    let row = (0..buffer.area.height)
        .find(|&y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains("расчитали")
                && !(0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .contains("Misspelt")
        })
        .unwrap();
    let reds: String = (0..buffer.area.width)
        .filter(|&x| buffer[(x, row)].fg == ratatui::style::Color::Red)
        .map(|x| buffer[(x, row)].symbol().to_string())
        .collect();
    assert_eq!(reds, "расчитали");
}

#[test]
fn without_dictionaries_the_spelling_item_is_the_reviewers_and_the_pane_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // In Russian: the strings of the email screen exist in both languages.
    let mut app = setup_demo_in(dir.path(), Lang::Ru);
    app.use_dictionaries(callqa::tui::dictionaries::Dictionaries::load_from(
        dir.path(),
    ));
    open_email(&mut app, "b1-belova");
    assert_eq!(app.review.answer_of(app.checklist(), 4), None);
    let text = screen(&mut app, 160, 40);
    assert!(text.contains("Орфография не проверена ("), "{text}");
    assert!(text.contains("ru_RU.aff"), "{text}");
    assert!(text.contains("Переписка: "), "{text}");
    assert!(text.contains("Письма 0/6 сдано"), "{text}");
}

/// Draw the demo week's email bucket for "tester" into the app's
/// workspace; the planned Message-IDs, sorted.
fn plan_the_demo_emails(app: &App) -> Vec<String> {
    use callqa::domain::plan::{assign, draw, draw_emails};
    use callqa::domain::sampling::{DEFAULT_SAMPLING_TOML, Period, SamplingRules};
    let period = Period::parse("2026-W48").unwrap();
    let rules = SamplingRules::defaults();
    let emails: Vec<_> = app.ws.period_emails(period).unwrap();
    let emails: Vec<_> = emails.into_iter().map(|e| e.candidate).collect();
    let mut plan = draw(period, "seed", &rules, &[], &[], None);
    draw_emails(&mut plan, &rules, &[], &emails);
    assign(
        &mut plan,
        &["tester".into()],
        &std::collections::HashMap::new(),
    );
    app.ws
        .use_sampling_rules(&rules, DEFAULT_SAMPLING_TOML)
        .unwrap();
    app.ws.save_plan(&plan).unwrap();
    let mut planned: Vec<String> = plan.emails.iter().map(|e| e.message_id.clone()).collect();
    planned.sort();
    planned
}

#[test]
fn the_weeks_planned_emails_lead_the_email_queue_marked_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    let planned = plan_the_demo_emails(&app);
    let n = planned.len();
    assert!((2..6).contains(&n), "{planned:?}");

    press(&mut app, KeyCode::Char('e'));
    let mut first: Vec<String> = app.emails.rows[..n]
        .iter()
        .map(|r| r.message_id.clone())
        .collect();
    first.sort();
    assert_eq!(first, planned, "the planned emails lead the queue");
    let text = screen(&mut app, 160, 40);
    assert!(
        text.contains(&format!("Plan 2026-W48 · emails 0/{n} reviewed")),
        "{text}"
    );
    // Each planned email carries the mark, the others none.
    assert_eq!(text.matches("│E · ").count(), n, "{text}");
    assert_eq!(text.matches("│  · ").count(), 6 - n, "{text}");

    // Reviewing one planned email counts in the title.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('1'));
    for _ in 0..6 {
        press(&mut app, KeyCode::Char('y'));
    }
    press(&mut app, KeyCode::Char('s'));
    assert!(message(&app).contains("Submitted"), "{}", message(&app));
    let text = screen(&mut app, 160, 40);
    assert!(
        text.contains(&format!("Plan 2026-W48 · emails 1/{n} reviewed")),
        "{text}"
    );
}

#[test]
fn the_email_queues_plan_view_speaks_russian() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo_in(dir.path(), Lang::Ru);
    let n = plan_the_demo_emails(&app).len();
    press(&mut app, KeyCode::Char('e'));
    let text = screen(&mut app, 160, 40);
    assert!(
        text.contains(&format!("План 2026-W48 · письма 0/{n} проверено")),
        "{text}"
    );
    assert_eq!(text.matches("│П · ").count(), n, "{text}");
}
