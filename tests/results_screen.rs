//! The results screen in the workstation (TestBackend): three calls of one
//! rep reviewed, the greeting failed on two of them in the same week, so a
//! repeated error; `R` computes the figures off the UI thread, the table
//! shows the rep's row, Enter shows the calls and moments behind it, Esc
//! goes back.

mod common;
mod workstation_support;

use callqa::domain::Lang;
use common::{CALLS_HEADER, write, write_wav};
use ratatui::crossterm::event::KeyCode;
use std::time::{Duration, Instant};
use workstation_support::{open_app, press, screen, setup_demo};

#[test]
fn the_results_screen_shows_a_reps_figures_and_what_is_behind_them() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("batch");
    write_wav(&b.join("long.wav"), 70.0, 8000);
    let mut csv = CALLS_HEADER.to_string();
    for n in 1..=3 {
        csv.push_str(&format!(
            "r-{n},2026-11-2{}T10:00:00+03:00,Анна Смирнова,out,+7912000000{n},long.wav,,\n",
            3 + n
        ));
    }
    write(&b.join("calls.csv"), &csv);
    let mut app = open_app(&dir.path().join("ws.sqlite"), Some(&b), Lang::En);

    // Nothing reviewed yet: the screen says so instead of opening.
    press(&mut app, KeyCode::Char('R'));
    let start = Instant::now();
    while app.screen.results_loading.is_some() {
        assert!(start.elapsed() < Duration::from_secs(20), "never computed");
        app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("No reviews yet"), "{s}");

    for call in 0..3 {
        app.open_call(call).unwrap();
        // The greeting failed on the first two calls, with a moment.
        press(&mut app, KeyCode::Char(if call < 2 { 'n' } else { 'y' }));
        for _ in 0..15 {
            press(&mut app, KeyCode::Char('y'));
        }
        press(&mut app, KeyCode::Char('s'));
        if app.screen.current() == callqa::tui::keymap::Screen::Confirm {
            press(&mut app, KeyCode::Enter);
        }
    }
    press(&mut app, KeyCode::Char('R'));
    let start = Instant::now();
    while app.screen.results.is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{}",
            screen(&mut app, 120, 40)
        );
        app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
    let s = screen(&mut app, 140, 40);
    assert!(s.contains("Results · 2026-W48"), "{s}");
    let row = s
        .lines()
        .find(|l| l.contains("Анна Смирнова"))
        .unwrap_or_else(|| panic!("no row for the rep: {s}"));
    assert!(row.contains("3/3"), "{row}");
    let view = app.screen.results.as_ref().unwrap();
    assert_eq!(view.report.results.reps[0].repeated_errors, 1);

    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 140, 40);
    assert!(s.contains("r-1 / —") && s.contains("r-2 / —"), "{s}");
    assert!(s.contains("Greeted the client"), "{s}");
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.results.as_ref().unwrap().drill.is_none());
    press(&mut app, KeyCode::Esc);
    assert!(app.screen.results.is_none());
}

/// `R` and wait for the figures.
fn open_results(app: &mut callqa::tui::app::App) {
    press(app, KeyCode::Char('R'));
    let start = Instant::now();
    while app.screen.results.is_none() {
        assert!(start.elapsed() < Duration::from_secs(20), "never computed");
        app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn on_the_reviewed_demo_each_rep_has_a_team_a_trend_and_the_weeks_without_a_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = setup_demo(dir.path());
    let reviews = include_str!("../assets/demo/reviews.toml");
    callqa::reports::demo_reviews::apply(&mut app.ws, reviews).unwrap();
    open_results(&mut app);
    let s = screen(&mut app, 160, 40);
    assert!(
        s.contains("Results · 2026-W47"),
        "the colleague's last week: {s}"
    );
    let row = |rep: &str| {
        s.lines()
            .find(|l| l.contains(rep))
            .unwrap_or_else(|| panic!("no row for {rep}: {s}"))
            .to_string()
    };
    let igor = row("Игорь Петров");
    assert!(igor.contains("Юг") && igor.contains("1/3"), "{igor}");
    let kate = row("Kate Miller");
    assert!(kate.contains("International"), "{kate}");
    // Scores of W40..W47: nothing before W45, then a bar a week.
    assert!(kate.contains("·····▆▇█"), "{kate}");
}
