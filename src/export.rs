//! Results out of the workstation, before reports exist: one row per
//! answered item, as CSV (for spreadsheets) or JSON (for scripts).

use crate::analysis::{ANALYSIS_VERSION, CallAnalysis};
use crate::domain::Lang;
use crate::store::{ResultRow, Workspace};
use crate::text::{json_safe, spreadsheet_cell};
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
            let json = serde_json::to_string_pretty(rows)?;
            writeln!(out, "{}", json_safe(&json))?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(CSV_HEADER)?;
            for row in rows {
                let cells = csv_cells(row)?;
                writer.write_record(cells.iter().map(|c| spreadsheet_cell(c).into_owned()))?;
            }
            writer.flush()?;
        }
    }
    Ok(())
}

/// A row's cells as serde writes them, so every column, present and
/// future, goes through [`spreadsheet_cell`].
fn csv_cells(row: &ResultRow) -> anyhow::Result<csv::StringRecord> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.serialize(row)?;
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    Ok(reader.records().next().transpose()?.unwrap_or_default())
}

/// The header, in the order serde writes [`ResultRow`]'s fields.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_columns_serde_writes_and_cells_are_inert() {
        let row = ResultRow {
            call_id: "=1+1".into(),
            call_started_at: "2026-11-23T10:00:00+03:00".into(),
            rep: "+cmd|'/c calc'!A1".into(),
            reviewer: "@SUM(1)".into(),
            checklist: "sales-call".into(),
            checklist_version: 2,
            item_id: "greeting".into(),
            item_text: "Greeted the client".into(),
            answer: Some("yes".into()),
            automatic: false,
            comment: Some("=HYPERLINK(\"http://x\",\"click\")".into()),
            evidence_s: Some(1.5),
            review_score: Some(50.0),
            review_status: "submitted".into(),
            review_revision: 1,
            time_spent_s: 12.0,
            reviewed_at: "2026-11-24T11:00:00+03:00".into(),
            talk_share_rep: Some(0.5),
            longest_rep_monologue_s: Some(3.0),
            dead_air_s: Some(1.0),
            interruptions_by_rep: Some(1),
            interruptions_by_client: Some(0),
            level_dbfs: Some(-23.5),
            telephony_flags: String::new(),
        };
        let mut serde_csv = csv::Writer::from_writer(Vec::new());
        serde_csv.serialize(&row).unwrap();
        let serde_text = String::from_utf8(serde_csv.into_inner().unwrap()).unwrap();
        assert_eq!(serde_text.lines().next().unwrap(), CSV_HEADER.join(","));

        let mut out = Vec::new();
        write(std::slice::from_ref(&row), Format::Csv, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let cells = reader.records().next().unwrap().unwrap();
        let cell = |name: &str| &cells[CSV_HEADER.iter().position(|h| *h == name).unwrap()];
        assert_eq!(cell("call_id"), "'=1+1");
        assert_eq!(cell("rep"), "'+cmd|'/c calc'!A1");
        assert_eq!(cell("reviewer"), "'@SUM(1)");
        assert_eq!(cell("comment"), "'=HYPERLINK(\"http://x\",\"click\")");
        assert_eq!(cell("level_dbfs"), "-23.5", "numbers stay numbers");
    }
}
