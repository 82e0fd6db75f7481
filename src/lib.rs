//! callqa: a terminal workstation for reviewing recorded sales calls.
//!
//! The crate is split along the seams a reviewer's work crosses:
//! `domain` (checklists, scoring, reviews: no terminal, audio or SQL),
//! `store` (the SQLite workspace), `import` (batch folders in),
//! `export` (results out), `audio` (decode and the playback thread),
//! `tui` (the workstation) and `i18n` (every user-visible string).

pub mod analysis;
pub mod audio;
pub mod config;
pub mod domain;
pub mod export;
pub mod files;
pub mod i18n;
pub mod import;
pub mod reports;
pub mod scale;
pub mod store;
pub mod text;
pub mod tui;
