//! Results out of the workstation, before reports exist: one row per
//! answered item, as CSV (for spreadsheets) or JSON (for scripts). Written
//! row by row from the query: a year of reviews is millions of rows.

use crate::analysis::{ANALYSIS_VERSION, CallAnalysis};
use crate::domain::{Checklist, Lang};
use crate::store::{ResultRow, Workspace};
use crate::text::{json_safe, spreadsheet_cell};
use std::collections::HashMap;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Write every answered item of the workspace, item texts taken from the
/// checklist version each review used, straight from the query to `out`:
/// memory stays flat however large the workspace is. Returns the number of
/// rows written.
pub fn export(
    ws: &Workspace,
    lang: Lang,
    format: Format,
    out: impl Write,
) -> anyhow::Result<usize> {
    let mut writer = RowWriter::start(format, out)?;
    let mut fill = Filler::new(ws, lang);
    let count = ws.each_result_row(|mut row| {
        fill.fill(&mut row)?;
        writer.row(&row)
    })?;
    writer.finish()?;
    Ok(count)
}

/// What a row needs besides the query: item texts and the call's audio
/// metrics. Checklist versions are few, so they are all kept; rows come
/// call by call, so only the current call's analysis is.
struct Filler<'a> {
    ws: &'a Workspace,
    lang: Lang,
    checklists: HashMap<(String, u32), Option<Checklist>>,
    analysis: Option<(String, Option<CallAnalysis>)>,
}

impl<'a> Filler<'a> {
    fn new(ws: &'a Workspace, lang: Lang) -> Self {
        Filler {
            ws,
            lang,
            checklists: HashMap::new(),
            analysis: None,
        }
    }

    fn fill(&mut self, row: &mut ResultRow) -> anyhow::Result<()> {
        let key = (row.checklist.clone(), row.checklist_version);
        if !self.checklists.contains_key(&key) {
            let checklist = self.ws.checklist(&key.0, key.1)?;
            self.checklists.insert(key.clone(), checklist);
        }
        if let Some(Some(checklist)) = self.checklists.get(&key)
            && let Some(item) = checklist.items.iter().find(|i| i.id == row.item_id)
        {
            row.item_text = item.text.get(self.lang).to_string();
        }
        if self
            .analysis
            .as_ref()
            .is_none_or(|(id, _)| *id != row.call_id)
        {
            let analysis = self
                .ws
                .analysis(&row.call_id, ANALYSIS_VERSION)
                .ok()
                .flatten()
                .and_then(|json| serde_json::from_str(&json).ok());
            self.analysis = Some((row.call_id.clone(), analysis));
        }
        if let Some((_, Some(a))) = &self.analysis {
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
        Ok(())
    }
}

/// Rows already filled, written as one document.
pub fn write(rows: &[ResultRow], format: Format, out: impl Write) -> anyhow::Result<()> {
    let mut writer = RowWriter::start(format, out)?;
    for row in rows {
        writer.row(row)?;
    }
    writer.finish()
}

/// One output document written a row at a time. The JSON is the same text
/// `serde_json::to_string_pretty` makes of the whole list.
enum RowWriter<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json { out: W, rows: usize, buffer: String },
}

impl<W: Write> RowWriter<W> {
    fn start(format: Format, mut out: W) -> anyhow::Result<Self> {
        Ok(match format {
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(CSV_HEADER)?;
                RowWriter::Csv(Box::new(writer))
            }
            Format::Json => {
                write!(out, "[")?;
                RowWriter::Json {
                    out,
                    rows: 0,
                    buffer: String::new(),
                }
            }
        })
    }

    fn row(&mut self, row: &ResultRow) -> anyhow::Result<()> {
        match self {
            RowWriter::Csv(writer) => {
                let cells = csv_cells(row)?;
                writer.write_record(cells.iter().map(|c| spreadsheet_cell(c).into_owned()))?;
            }
            RowWriter::Json { out, rows, buffer } => {
                buffer.clear();
                buffer.push_str(if *rows == 0 { "\n" } else { ",\n" });
                // An element of a pretty list is indented one level; a
                // newline inside a string is escaped, so lines are lines.
                for (i, line) in serde_json::to_string_pretty(row)?.lines().enumerate() {
                    if i > 0 {
                        buffer.push('\n');
                    }
                    buffer.push_str("  ");
                    buffer.push_str(line);
                }
                out.write_all(json_safe(buffer).as_bytes())?;
                *rows += 1;
            }
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            RowWriter::Csv(mut writer) => writer.flush()?,
            RowWriter::Json { mut out, rows, .. } => {
                writeln!(out, "{}]", if rows == 0 { "" } else { "\n" })?;
                out.flush()?;
            }
        }
        Ok(())
    }
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
    fn json_written_row_by_row_is_the_pretty_list() {
        let row = |id: &str, comment: &str| ResultRow {
            call_id: id.into(),
            call_started_at: "2026-11-23T10:00:00+03:00".into(),
            rep: "Иван".into(),
            reviewer: "me".into(),
            checklist: "sales-call".into(),
            checklist_version: 1,
            item_id: "greeting".into(),
            item_text: "Greeted".into(),
            answer: Some("yes".into()),
            automatic: false,
            comment: Some(comment.into()),
            evidence_s: None,
            review_score: Some(50.0),
            review_status: "submitted".into(),
            review_revision: 1,
            time_spent_s: 12.0,
            reviewed_at: "2026-11-24T11:00:00+03:00".into(),
            talk_share_rep: None,
            longest_rep_monologue_s: None,
            dead_air_s: None,
            interruptions_by_rep: None,
            interruptions_by_client: None,
            level_dbfs: Some(-20.0),
            telephony_flags: String::new(),
        };
        let rows = [row("a", "two\nlines"), row("b", "\u{202e}bidi")];
        for n in 0..=rows.len() {
            let mut out = Vec::new();
            write(&rows[..n], Format::Json, &mut out).unwrap();
            let whole = serde_json::to_string_pretty(&rows[..n]).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("{}\n", json_safe(&whole)),
                "{n} rows"
            );
        }
    }

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
