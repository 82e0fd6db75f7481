//! How a command that failed says so: one line on stderr naming the
//! workspace an SQLite error hit and each cause once, and a closed pipe
//! ending the output quietly. Apart from main.rs, which is argument
//! definitions and dispatch.

use callqa::store::Address;
use callqa::text::one_line;

/// `e` as the one line the user reads after "callqa: ".
pub fn one_line_report(e: anyhow::Error) -> String {
    let text = causes_once(&name_the_workspace(e)).replace('\n', " ");
    one_line(&text, 2000)
}

/// Remember the workspace this command opened, for [`one_line_report`].
pub fn opened(address: &Address) {
    let _ = OPENED.set(address.clone());
}

/// The workspace the command opened, so an SQLite error that reaches the
/// user ("database or disk is full") says which file it hit.
static OPENED: std::sync::OnceLock<Address> = std::sync::OnceLock::new();

fn name_the_workspace(e: anyhow::Error) -> anyhow::Error {
    let bare_sqlite = e.chain().any(|cause| {
        cause.downcast_ref::<rusqlite::Error>().is_some()
            || matches!(
                cause.downcast_ref::<callqa::store::StoreError>(),
                Some(callqa::store::StoreError::Sql(_))
            )
    });
    match OPENED.get() {
        // An error that already names the file (a failed open) is not
        // prefixed with it a second time.
        Some(address) if bare_sqlite && !format!("{e:#}").contains(&address.to_string()) => {
            e.context(format!("workspace {address}"))
        }
        _ => e,
    }
}

/// The error and its causes joined with ": ", each cause left out when the
/// text so far already says it: a store error quotes its source in its own
/// message, and `{:#}` printed a failed connection three times over.
fn causes_once(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let said = cause.to_string();
        if text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

/// Rust ignores SIGPIPE, so `callqa plan | head` would panic on the first
/// line `head` no longer reads ("failed printing to stdout"); a command
/// whose output is cut short ends quietly instead, as `cat` and `ls` do.
/// Not for the workstation: it handles its own terminal.
pub fn end_quietly_on_a_closed_pipe() {
    // SAFETY: called first thing on the main thread, before any other
    // thread exists; restoring a signal's default disposition has no other
    // effect on the program.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
