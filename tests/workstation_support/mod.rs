//! What the workstation tests share: a small batch or the demo in a
//! workspace, keys pressed one by one, and the screen as text.
#![allow(dead_code)]

use crate::common::{CALLS_HEADER, write, write_wav};
use callqa::audio::{OutputChoice, PlayerHandle};
use callqa::domain::checklist::DEFAULT_SALES_CALL_TOML;
use callqa::domain::{Checklist, Lang};
use callqa::store::Workspace;
use callqa::tui::app::App;
use callqa::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

pub fn setup(dir: &Path, lang: Lang) -> App {
    let b = dir.join("batch");
    write_wav(&b.join("a.wav"), 4.0, 8000);
    write_wav(&b.join("b.wav"), 25.0, 8000);
    write(
        &b.join("calls.csv"),
        &format!(
            "{CALLS_HEADER}\
             c-first,2026-11-23T10:15:00+03:00,Анна Смирнова,in,+79120000001,a.wav,k1,d1\n\
             c-second,2026-11-23T11:00:00+03:00,Kate Miller,out,+442000000,b.wav,k2,\n"
        ),
    );
    write(
        &b.join("crm/contacts.csv"),
        "contact_id,name,role,phone,email,company,industry,segment,owner_rep\n\
         k1,Ольга Ивановна,,+79120000001,,ООО Ромашка,retail,SMB,Анна\n\
         k2,John Smith,CTO,+442000000,john@example.com,Acme,IT,Enterprise,Kate\n",
    );
    write(
        &b.join("crm/deals.csv"),
        "deal_id,contact_id,title,stage,amount,currency,spec,source,owner_rep,updated_at\n\
         d1,k1,Солнечные панели,Квалификация,150000,RUB,,сайт,Анна,\n",
    );
    write(
        &b.join("crm/tasks.csv"),
        "task_id,deal_id,contact_id,owner_rep,text,due_at,done\n\
         t1,d1,k1,Анна,Перезвонить клиенту,2026-11-25T10:00:00+03:00,0\n",
    );
    let long = "очень длинный комментарий ".repeat(4_000);
    write(
        &b.join("crm/notes.csv"),
        &format!(
            "note_id,deal_id,contact_id,call_id,author_rep,created_at,text\n\
             n1,d1,k1,c-first,Анна,2026-11-23T10:40:00+03:00,\"Evil \x1b[2J\x1b]0;pwned\x07 note\"\n\
             n2,d1,k1,,Анна,2026-11-01T10:00:00+03:00,{long}\n"
        ),
    );
    open_app(&dir.join("ws.sqlite"), Some(&b), lang)
}

/// A workspace at `db` with the default checklist and `batch` (if any)
/// imported, opened by reviewer "tester" without sound.
pub fn open_app(db: &Path, batch: Option<&Path>, lang: Lang) -> App {
    let ws = Workspace::open(db).unwrap();
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)
        .unwrap();
    if let Some(batch) = batch {
        let report = callqa::import::import_batch(&ws, batch).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
    App::new(
        ws,
        "tester".into(),
        lang,
        checklist,
        Keymap::defaults(),
        PlayerHandle::spawn(OutputChoice::Null),
    )
    .unwrap()
}

pub fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    // The audit screen is computed on a thread of its own: a key that
    // opens it is done when the screen is up (or its error shown).
    let start = std::time::Instant::now();
    while app.audit_loading() {
        assert!(start.elapsed().as_secs() < 60, "the audit never finished");
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.tick();
    }
}

pub fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub fn screen(app: &mut App, width: u16, height: u16) -> String {
    app.tick();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    draw_on(&mut terminal, app)
}

pub fn stored(app: &App, call: &str) -> callqa::store::ReviewRecord {
    app.ws
        .review(call, "tester", "sales-call")
        .unwrap()
        .unwrap()
}

pub fn setup_demo(dir: &Path) -> App {
    setup_demo_in(dir, Lang::En)
}

pub fn setup_demo_in(dir: &Path, lang: Lang) -> App {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let db = dir.join("demo.sqlite");
    // As `callqa demo` does: open on the current week (call-001), not on
    // the history weeks before it.
    let ws = Workspace::open(&db).unwrap();
    callqa::reports::demo_reviews::open_on_the_current_week(&ws, "tester").unwrap();
    drop(ws);
    open_app(&db, Some(&demo), lang)
}

/// Draw on a terminal kept between draws, as the event loop does.
pub fn draw_on(terminal: &mut Terminal<TestBackend>, app: &App) -> String {
    terminal
        .draw(|frame| callqa::tui::ui::draw(frame, app))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The message line's text, or nothing.
pub fn message(app: &App) -> String {
    app.screen
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

pub fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}
