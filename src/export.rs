//! Results out of the workstation, before reports exist: one row per
//! answered item, as CSV (for spreadsheets) or JSON (for scripts).

use crate::analysis::{ANALYSIS_VERSION, CallAnalysis};
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
    let mut analyses: HashMap<String, Option<CallAnalysis>> = HashMap::new();
    for row in &mut rows {
        let analysis = analyses.entry(row.call_id.clone()).or_insert_with(|| {
            ws.analysis(&row.call_id, ANALYSIS_VERSION)
                .ok()
                .flatten()
                .and_then(|json| serde_json::from_str(&json).ok())
        });
        if let Some(a) = analysis {
            row.talk_share_rep = a.talk_share_rep;
            row.longest_rep_monologue_s = a.longest_rep_monologue_ms.map(|ms| ms as f64 / 1000.0);
            row.dead_air_s = Some(a.dead_air_total_ms as f64 / 1000.0);
            row.interruptions_by_rep = a.rep.as_ref().map(|_| a.interruptions_by_rep);
            row.interruptions_by_client = a.rep.as_ref().map(|_| a.interruptions_by_client);
            row.level_dbfs = Some(a.level_dbfs);
            row.telephony_flags = a
                .flags
                .iter()
                .filter_map(|f| serde_json::to_value(f).ok())
                .filter_map(|v| v["flag"].as_str().map(String::from))
                .collect::<Vec<_>>()
                .join(" ");
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
    "talk_share_rep",
    "longest_rep_monologue_s",
    "dead_air_s",
    "interruptions_by_rep",
    "interruptions_by_client",
    "level_dbfs",
    "telephony_flags",
];
