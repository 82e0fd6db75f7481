//! Raw rows out of the workstation for other tools: one row per answered
//! item (items in checklist order), or with `--per call` one row per review
//! of a call, of an email or of a mystery shopper's visit (the Message-ID
//! or visit id in the call's column, no duration or audio), and per
//! analysed call nobody reviewed yet. CSV rounds scores,
//! shares and seconds as people read them (`42.9`, `56%`, `12.5`) and makes
//! every cell inert for spreadsheets; JSON keeps every figure exact.
//! Written row by row from the query: a year of reviews is millions of rows.

use crate::domain::{Checklist, Lang};
use crate::store::{CallAudio, CallRow, ResultRow, Workspace, row_time};
use crate::text::{json_safe, spreadsheet_cell};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// What a row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Per {
    // One answered item of a review.
    #[default]
    Item,
    // One review of a call, or an analysed call without one.
    Call,
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
    export_per(ws, lang, format, Per::Item, out)
}

/// [`export`] with the choice of rows.
pub fn export_per(
    ws: &Workspace,
    lang: Lang,
    format: Format,
    per: Per,
    out: impl Write,
) -> anyhow::Result<usize> {
    let mut fill = Filler::new(ws, lang);
    match per {
        Per::Item => {
            let mut writer = RowWriter::start::<ResultRow>(format, out)?;
            // A review's rows arrive together; they are put in checklist
            // order before they are written (a dozen rows at a time).
            let mut review: Vec<(usize, ResultRow)> = Vec::new();
            let count = ws.each_result_row(|mut row| {
                if review
                    .first()
                    .is_some_and(|(_, first)| !same_review(first, &row))
                {
                    write_review(&mut review, &mut writer)?;
                }
                let position = fill.fill(&mut row)?;
                review.push((position, row));
                Ok::<_, anyhow::Error>(())
            })?;
            write_review(&mut review, &mut writer)?;
            writer.finish()?;
            Ok(count)
        }
        Per::Call => {
            let mut writer = RowWriter::start::<CallExport>(format, out)?;
            // The reviews of emails and visits (a few hundred at most) go
            // among the calls' rows by their time.
            let mut others = ws.other_review_rows()?.into_iter().peekable();
            let mut written = 0;
            let calls = ws.each_call_row(|row| {
                let at = row_time(&row);
                while let Some(other) = others.next_if(|o| row_time(o) <= at) {
                    writer.row(&fill.call(other)?)?;
                    written += 1;
                }
                let row = fill.call(row)?;
                writer.row(&row)
            })?;
            for other in others {
                writer.row(&fill.call(other)?)?;
                written += 1;
            }
            let count = calls + written;
            writer.finish()?;
            Ok(count)
        }
    }
}

fn same_review(a: &ResultRow, b: &ResultRow) -> bool {
    a.call_id == b.call_id && a.reviewer == b.reviewer && a.checklist == b.checklist
}

fn write_review<W: Write>(
    review: &mut Vec<(usize, ResultRow)>,
    writer: &mut RowWriter<W>,
) -> anyhow::Result<()> {
    review.sort_by(|a, b| (a.0, &a.1.item_id).cmp(&(b.0, &b.1.item_id)));
    for (_, row) in review.drain(..) {
        writer.row(&row)?;
    }
    Ok(())
}

/// One row of `--per call`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallExport {
    pub call_id: String,
    pub call_started_at: String,
    pub rep: String,
    pub duration_s: f64,
    pub reviewer: Option<String>,
    pub checklist: Option<String>,
    pub checklist_version: Option<u32>,
    pub review_status: Option<String>,
    pub review_score: Option<f64>,
    pub critical_failed: Option<bool>,
    /// Item ids answered "no", in checklist order, space-separated.
    pub failed_items: String,
    pub time_spent_s: Option<f64>,
    pub talk_share_rep: Option<f64>,
    pub longest_rep_monologue_s: Option<f64>,
    pub dead_air_s: Option<f64>,
    pub interruptions_by_rep: Option<u32>,
    pub interruptions_by_client: Option<u32>,
    pub level_dbfs: Option<f64>,
    pub telephony_flags: String,
}

/// What a row needs besides the query: item texts and the call's audio
/// metrics. Checklist versions are few, so they are all kept; rows come
/// call by call, so only the current call's audio is.
struct Filler<'a> {
    ws: &'a Workspace,
    lang: Lang,
    checklists: HashMap<(String, u32), Option<Checklist>>,
    audio: Option<(String, Option<CallAudio>)>,
}

fn ms_to_s(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

impl<'a> Filler<'a> {
    fn new(ws: &'a Workspace, lang: Lang) -> Self {
        Filler {
            ws,
            lang,
            checklists: HashMap::new(),
            audio: None,
        }
    }

    fn checklist(&mut self, id: &str, version: u32) -> anyhow::Result<Option<&Checklist>> {
        let key = (id.to_string(), version);
        if !self.checklists.contains_key(&key) {
            let checklist = self.ws.checklist(id, version)?;
            self.checklists.insert(key.clone(), checklist);
        }
        Ok(self.checklists.get(&key).and_then(Option::as_ref))
    }

    /// Fill the item text and the audio metrics; returns the item's place
    /// in its checklist (unknown items last).
    fn fill(&mut self, row: &mut ResultRow) -> anyhow::Result<usize> {
        let lang = self.lang;
        let mut position = usize::MAX;
        if let Some(checklist) = self.checklist(&row.checklist, row.checklist_version)?
            && let Some(index) = checklist.item_index(&row.item_id)
        {
            position = index;
            row.item_text = checklist.items[index].text.get(lang).to_string();
        }
        if let Some(a) = self.audio(&row.call_id)? {
            row.talk_share_rep = a.talk_share_rep.map(|v| v as f32);
            row.longest_rep_monologue_s = a.longest_rep_monologue_ms.map(ms_to_s);
            row.dead_air_s = a.dead_air_ms.map(ms_to_s);
            row.interruptions_by_rep = a.interruptions_by_rep;
            row.interruptions_by_client = a.interruptions_by_client;
            row.level_dbfs = a.level_dbfs.map(|v| v as f32);
            row.telephony_flags = a.flags.clone();
        }
        Ok(position)
    }

    fn audio(&mut self, call_id: &str) -> anyhow::Result<Option<&CallAudio>> {
        if self.audio.as_ref().is_none_or(|(id, _)| id != call_id) {
            let audio = self.ws.call_audio(call_id)?;
            self.audio = Some((call_id.to_string(), audio));
        }
        Ok(self.audio.as_ref().and_then(|(_, a)| a.as_ref()))
    }

    fn call(&mut self, row: CallRow) -> anyhow::Result<CallExport> {
        let checklist = match (&row.checklist_id, row.checklist_version) {
            (Some(id), Some(version)) => self.checklist(id, version)?,
            _ => None,
        };
        let mut failed: Vec<(usize, &str)> = row
            .failed_items
            .iter()
            .map(|id| {
                let place = checklist.and_then(|c| c.item_index(id));
                (place.unwrap_or(usize::MAX), id.as_str())
            })
            .collect();
        failed.sort();
        let critical_failed = checklist.map(|c| {
            c.items
                .iter()
                .any(|i| i.critical && row.failed_items.contains(&i.id))
        });
        let audio = row.audio.clone().unwrap_or_default();
        Ok(CallExport {
            failed_items: failed
                .iter()
                .map(|(_, id)| *id)
                .collect::<Vec<_>>()
                .join(" "),
            critical_failed: row.reviewer.as_ref().and(critical_failed),
            call_id: row.call_id,
            call_started_at: row.started_at,
            rep: row.rep,
            duration_s: ms_to_s(row.duration_ms),
            reviewer: row.reviewer,
            checklist: row.checklist_id,
            checklist_version: row.checklist_version,
            review_status: row.status,
            review_score: row.score,
            time_spent_s: row.time_spent_ms.map(ms_to_s),
            talk_share_rep: audio.talk_share_rep,
            longest_rep_monologue_s: audio.longest_rep_monologue_ms.map(ms_to_s),
            dead_air_s: audio.dead_air_ms.map(ms_to_s),
            interruptions_by_rep: audio.interruptions_by_rep,
            interruptions_by_client: audio.interruptions_by_client,
            level_dbfs: audio.level_dbfs,
            telephony_flags: audio.flags,
        })
    }
}

/// A row as CSV cells, rounded for people; the header names the fields
/// serde writes to JSON, in the same order.
trait ExportRow: Serialize {
    /// The columns before the audio metrics, which every row ends with.
    const OWN_HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;

    fn header() -> Vec<&'static str> {
        [Self::OWN_HEADER, AUDIO_HEADER].concat()
    }
}

/// The call's audio metrics, the last columns of every row.
const AUDIO_HEADER: &[&str] = &[
    "talk_share_rep",
    "longest_rep_monologue_s",
    "dead_air_s",
    "interruptions_by_rep",
    "interruptions_by_client",
    "level_dbfs",
    "telephony_flags",
];

/// The cells of [`AUDIO_HEADER`], rounded for people.
fn audio_cells(
    talk_share: Option<f64>,
    longest_monologue_s: Option<f64>,
    dead_air_s: Option<f64>,
    interruptions: [Option<u32>; 2],
    level_dbfs: Option<f64>,
    flags: &str,
) -> [String; 7] {
    [
        percent(talk_share),
        one_decimal(longest_monologue_s),
        one_decimal(dead_air_s),
        number(interruptions[0]),
        number(interruptions[1]),
        one_decimal(level_dbfs),
        text(flags),
    ]
}

fn text(value: &str) -> String {
    spreadsheet_cell(value).into_owned()
}

fn opt_text(value: Option<&str>) -> String {
    value.map(text).unwrap_or_default()
}

/// Seconds, a score or a level to one decimal.
fn one_decimal(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// A share (0..1) as a whole percent: `56%`.
fn percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_default()
}

fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl ExportRow for ResultRow {
    const OWN_HEADER: &'static [&'static str] = &[
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

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            text(&self.call_id),
            text(&self.call_started_at),
            text(&self.rep),
            text(&self.reviewer),
            text(&self.checklist),
            self.checklist_version.to_string(),
            text(&self.item_id),
            text(&self.item_text),
            opt_text(self.answer.as_deref()),
            self.automatic.to_string(),
            opt_text(self.comment.as_deref()),
            one_decimal(self.evidence_s),
            one_decimal(self.review_score),
            text(&self.review_status),
            self.review_revision.to_string(),
            one_decimal(Some(self.time_spent_s)),
            text(&self.reviewed_at),
        ];
        cells.extend(audio_cells(
            self.talk_share_rep.map(f64::from),
            self.longest_rep_monologue_s,
            self.dead_air_s,
            [self.interruptions_by_rep, self.interruptions_by_client],
            self.level_dbfs.map(f64::from),
            &self.telephony_flags,
        ));
        cells
    }
}

impl ExportRow for CallExport {
    const OWN_HEADER: &'static [&'static str] = &[
        "call_id",
        "call_started_at",
        "rep",
        "duration_s",
        "reviewer",
        "checklist",
        "checklist_version",
        "review_status",
        "review_score",
        "critical_failed",
        "failed_items",
        "time_spent_s",
    ];

    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            text(&self.call_id),
            text(&self.call_started_at),
            text(&self.rep),
            one_decimal(Some(self.duration_s)),
            opt_text(self.reviewer.as_deref()),
            opt_text(self.checklist.as_deref()),
            number(self.checklist_version),
            opt_text(self.review_status.as_deref()),
            one_decimal(self.review_score),
            number(self.critical_failed),
            text(&self.failed_items),
            one_decimal(self.time_spent_s),
        ];
        cells.extend(audio_cells(
            self.talk_share_rep,
            self.longest_rep_monologue_s,
            self.dead_air_s,
            [self.interruptions_by_rep, self.interruptions_by_client],
            self.level_dbfs,
            &self.telephony_flags,
        ));
        cells
    }
}

/// Rows already filled, written as one document.
pub fn write(rows: &[ResultRow], format: Format, out: impl Write) -> anyhow::Result<()> {
    let mut writer = RowWriter::start::<ResultRow>(format, out)?;
    for row in rows {
        writer.row(row)?;
    }
    writer.finish()
}

/// One output document written a row at a time. The JSON is the same text
/// `serde_json::to_string_pretty` makes of the whole list.
enum RowWriter<W: Write> {
    // Boxed: the CSV writer's buffer makes it ten times the JSON variant.
    Csv(Box<csv::Writer<W>>),
    Json { out: W, rows: usize, buffer: String },
}

impl<W: Write> RowWriter<W> {
    /// A document of `R` rows (the CSV header comes first).
    fn start<R: ExportRow>(format: Format, mut out: W) -> anyhow::Result<Self> {
        Ok(match format {
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(R::header())?;
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

    fn row<R: ExportRow>(&mut self, row: &R) -> anyhow::Result<()> {
        match self {
            RowWriter::Csv(writer) => writer.write_record(row.cells())?,
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
        assert_eq!(
            serde_text.lines().next().unwrap(),
            ResultRow::header().join(",")
        );

        let mut out = Vec::new();
        write(std::slice::from_ref(&row), Format::Csv, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let cells = reader.records().next().unwrap().unwrap();
        let cell =
            |name: &str| &cells[ResultRow::header().iter().position(|h| *h == name).unwrap()];
        assert_eq!(cell("call_id"), "'=1+1");
        assert_eq!(cell("rep"), "'+cmd|'/c calc'!A1");
        assert_eq!(cell("reviewer"), "'@SUM(1)");
        assert_eq!(cell("comment"), "'=HYPERLINK(\"http://x\",\"click\")");
        assert_eq!(cell("level_dbfs"), "-23.5", "numbers stay numbers");
        assert_eq!(cell("review_score"), "50.0");
        assert_eq!(cell("talk_share_rep"), "50%", "a share as people read it");
        assert_eq!(cell("evidence_s"), "1.5");
    }
}

#[cfg(test)]
mod call_tests {
    use super::*;

    #[test]
    fn per_call_header_names_the_fields_serde_writes_and_numbers_are_rounded() {
        let row = CallExport {
            call_id: "c1".into(),
            call_started_at: "2026-11-23T10:00:00+03:00".into(),
            rep: "-Анна".into(),
            duration_s: 61.234,
            reviewer: Some("Мария".into()),
            checklist: Some("sales-call".into()),
            checklist_version: Some(2),
            review_status: Some("submitted".into()),
            review_score: Some(200.0 / 3.0),
            critical_failed: Some(false),
            failed_items: "greeting summary".into(),
            time_spent_s: Some(95.5),
            talk_share_rep: Some(0.5624836),
            longest_rep_monologue_s: Some(12.345),
            dead_air_s: None,
            interruptions_by_rep: Some(2),
            interruptions_by_client: None,
            level_dbfs: Some(-20.04),
            telephony_flags: String::new(),
        };
        let json = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut header = CallExport::header();
        header.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, header);
        let mut serde_csv = csv::Writer::from_writer(Vec::new());
        serde_csv.serialize(&row).unwrap();
        let serde_text = String::from_utf8(serde_csv.into_inner().unwrap()).unwrap();
        assert_eq!(
            serde_text.lines().next().unwrap(),
            CallExport::header().join(",")
        );

        let cells = row.cells();
        let cell = |name: &str| {
            cells[CallExport::header()
                .iter()
                .position(|h| *h == name)
                .unwrap()]
            .as_str()
        };
        assert_eq!(cell("review_score"), "66.7");
        assert_eq!(cell("talk_share_rep"), "56%");
        assert_eq!(cell("duration_s"), "61.2");
        assert_eq!(cell("rep"), "'-Анна");
        assert_eq!(cell("level_dbfs"), "-20.0");
        assert_eq!(cell("dead_air_s"), "");
        assert_eq!(json["talk_share_rep"], 0.5624836, "JSON keeps it exact");
    }
}
