//! Results out of the workstation, before reports exist: one row per
//! answered item, as CSV (for spreadsheets) or JSON (for scripts).

use crate::domain::Lang;
use crate::store::{ResultRow, Workspace};
use std::collections::HashMap;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Rows with item texts taken from the checklist version each review used.
pub fn rows(ws: &Workspace, lang: Lang) -> anyhow::Result<Vec<ResultRow>> {
    let mut rows = ws.result_rows()?;
    let mut checklists = HashMap::new();
    for row in &mut rows {
        let key = (row.checklist.clone(), row.checklist_version);
        if !checklists.contains_key(&key) {
            let checklist = ws.checklist(&key.0, key.1)?;
            checklists.insert(key.clone(), checklist);
        }
        if let Some(Some(checklist)) = checklists.get(&key)
            && let Some(item) = checklist.items.iter().find(|i| i.id == row.item_id)
        {
            row.item_text = item.text.get(lang).to_string();
        }
    }
    Ok(rows)
}

pub fn write(rows: &[ResultRow], format: Format, out: impl Write) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let mut out = out;
            serde_json::to_writer_pretty(&mut out, rows)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            for row in rows {
                writer.serialize(row)?;
            }
            if rows.is_empty() {
                writer.write_record(CSV_HEADER)?;
            }
            writer.flush()?;
        }
    }
    Ok(())
}

/// The header `serialize` writes, for an export with no rows yet.
const CSV_HEADER: &[&str] = &[
    "call_id",
    "call_started_at",
    "rep",
    "reviewer",
    "checklist",
    "checklist_version",
    "item_id",
    "item_text",
    "answer",
    "automatic",
    "comment",
    "evidence_s",
    "review_score",
    "review_status",
    "review_revision",
    "time_spent_s",
    "reviewed_at",
];
