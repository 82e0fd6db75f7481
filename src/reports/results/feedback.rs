//! One-to-one feedback sheets (`callqa feedback`): one file per rep, HTML
//! and/or XLSX, holding only that rep (the article: feedback one-on-one,
//! never in public): the score and its trend, what went well, and each
//! failed item with the standard's text, the reviewer's comment and the
//! `call / m:ss` moment to listen to, repeated errors highlighted; with
//! `--excerpts`, a WAV snippet of each moment next to the sheet, linked;
//! and the rep's failed email items with the quoted line as evidence.
//! Each failed item's row has room for the rep's response (agree, or
//! dispute with a reason) and its keys (review id, item id), so a filled-in
//! XLSX comes back with `callqa responses import`.
//!
//! What a sheet holds is worked out once ([`RepSheet`]); the HTML and the
//! XLSX only lay it out.

use super::disputes::open_of_rep;
use super::excerpts::{self, Cut};
use super::html::{esc, legend, line_chart, link, page, table};
use super::view::{Cell, Chart, View, email_failures, trend_week_names};
use super::{Report, safe_file_name};
use crate::domain::Lang;
use crate::domain::reps::rep_key;
use crate::domain::results::{Occurrence, RepResult};
use crate::i18n::calibration::dispute_strings;
use crate::i18n::report::{ReportStrings, repeated_why, report_strings};
use crate::text::clock;
use anyhow::Context;
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Worksheet};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The key columns of a failed item's row, the same in every language:
/// `callqa responses import` finds the rep's responses by them.
pub const REVIEW_ID_COLUMN: &str = "review_id";
pub const ITEM_ID_COLUMN: &str = "item_id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FeedbackFormat {
    Html,
    Xlsx,
    Both,
}

/// Audio excerpts to cut: seconds either side of a stamp, and each call's
/// recording.
#[derive(Debug, Clone)]
pub struct ExcerptOptions {
    pub seconds: u32,
    pub recordings: HashMap<String, PathBuf>,
}

#[derive(Debug, Clone)]
pub struct FeedbackOptions {
    pub format: FeedbackFormat,
    pub excerpts: Option<ExcerptOptions>,
}

/// What `write` wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub sheets: Vec<PathBuf>,
    pub excerpts: Vec<PathBuf>,
}

/// A failed item of the rep, with its failures in the period.
struct WorkOn<'a> {
    item_id: &'a str,
    /// Why it is a repeated error, when it is one.
    repeated: Option<String>,
    failures: Vec<&'a Occurrence>,
}

/// Everything one rep's sheet shows.
struct RepSheet<'a> {
    rep: &'a RepResult,
    title: String,
    well: Vec<String>,
    work_on: Vec<WorkOn<'a>>,
}

/// Excerpt file names by (call, stamp).
type ExcerptFiles = HashMap<(String, u64), String>;

fn rep_sheet<'a>(report: &'a Report, rep: &'a RepResult) -> RepSheet<'a> {
    let t = report_strings(report.lang);
    let key = rep_key(&rep.rep);
    let mine = |name: &str| rep_key(name) == key;
    let index = report
        .results
        .reps
        .iter()
        .position(|r| mine(&r.rep))
        .unwrap_or_default();
    let well = report
        .results
        .items
        .iter()
        .filter(|i| {
            i.per_rep
                .get(index)
                .is_some_and(|r| r.answered > 0 && r.failed == 0)
        })
        .map(|i| report.item_text(&i.item_id))
        .collect();
    let work_on = report
        .results
        .items
        .iter()
        .filter_map(|item| {
            let failures: Vec<&Occurrence> = item
                .failures
                .iter()
                .filter(|(r, _)| mine(r))
                .map(|(_, o)| o)
                .collect();
            if failures.is_empty() {
                return None;
            }
            let repeated = report
                .results
                .repeated
                .iter()
                .find(|e| mine(&e.rep) && e.item_id == item.item_id)
                .map(|e| {
                    repeated_why(
                        report.lang,
                        e.why,
                        report.rules.repeated.min_failures_in_week,
                    )
                });
            Some(WorkOn {
                item_id: &item.item_id,
                repeated,
                failures,
            })
        })
        .collect();
    RepSheet {
        rep,
        title: format!("{} — {}", t.feedback_title, rep.rep),
        well,
        work_on,
    }
}

/// The review a failed item's row is about: the row's key for the rep's
/// response.
fn review_of(report: &Report, item_id: &str, o: &Occurrence) -> Option<i64> {
    let key = (o.call_id.clone(), o.reviewer.clone(), item_id.to_string());
    report.failed_reviews.get(&key).copied()
}

fn standard<'a>(report: &'a Report, item_id: &str) -> Option<&'a str> {
    report
        .item_texts
        .get(item_id)
        .and_then(|t| t.hint.as_deref())
}

fn excerpt_of<'a>(files: &'a ExcerptFiles, o: &Occurrence) -> Option<&'a str> {
    let at = o.evidence_ms?;
    files.get(&(o.call_id.clone(), at)).map(String::as_str)
}

/// One sheet's HTML for `rep` (no excerpts).
pub fn sheet(report: &Report, rep: &RepResult) -> String {
    html_sheet(report, &rep_sheet(report, rep), &ExcerptFiles::new())
}

fn html_sheet(report: &Report, sheet: &RepSheet, files: &ExcerptFiles) -> String {
    let t = report_strings(report.lang);
    let rep = sheet.rep;
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"meta\">{}: {}</p>\n",
        esc(&sheet.title),
        esc(t.period),
        esc(&report.period_label())
    );
    let band = rep
        .average_score
        .map(|s| report.rules.score.band(s))
        .map(|b| format!("{b:?}").to_lowercase())
        .unwrap_or_default();
    let score = rep
        .average_score
        .map_or_else(String::new, |s| format!("{s:.1}"));
    let _ = writeln!(
        body,
        "<table>\n<tr><th>{}</th><td class=\"n {band}\">{}</td></tr>\n<tr><th>{}</th><td class=\"n\">{} / {}</td></tr>\n<tr><th>{}</th><td class=\"n\">{}</td></tr>\n<tr><th>{}</th><td class=\"n\">{}</td></tr>\n<tr><th>{}</th><td class=\"n\">{}</td></tr>\n</table>",
        esc(t.your_score),
        esc(&score),
        esc(t.reviews),
        rep.reviews,
        rep.expected,
        esc(t.critical_failures),
        rep.critical_failures,
        esc(t.repeated_errors),
        rep.repeated_errors,
        esc(t.weeks_without_repeated),
        rep.weeks_without_repeated,
    );
    let open = open_of_rep(report, &rep.rep);
    if open > 0 {
        let words = dispute_strings(report.lang);
        let _ = writeln!(
            body,
            "<p class=\"meta\">{}: {open}</p>",
            esc(words.open_disputes)
        );
    }
    let weeks = trend_week_names(report);
    body.push_str(&line_chart(
        t.score_trend,
        &weeks,
        &[(rep.rep.clone(), rep.trend.clone())],
        false,
    ));

    let _ = writeln!(body, "<h2>{}</h2>", esc(t.went_well));
    if !sheet.well.is_empty() {
        body.push_str("<ul>\n");
        for item in &sheet.well {
            let _ = writeln!(body, "<li>{}</li>", esc(item));
        }
        body.push_str("</ul>\n");
    }

    let _ = writeln!(body, "<h2>{}</h2>", esc(t.to_work_on));
    let answer = dispute_strings(report.lang);
    for item in &sheet.work_on {
        let _ = write!(
            body,
            "<section>\n<h3{}>{}",
            if item.repeated.is_some() {
                " class=\"repeated\""
            } else {
                ""
            },
            esc(&report.item_text(item.item_id))
        );
        if let Some(why) = &item.repeated {
            let _ = write!(body, " — {} ({})", esc(t.repeated_mark), esc(why));
        }
        body.push_str("</h3>\n");
        if let Some(hint) = standard(report, item.item_id) {
            let _ = writeln!(body, "<p><b>{}:</b> {}</p>", esc(t.standard), esc(hint));
        }
        let _ = writeln!(
            body,
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{REVIEW_ID_COLUMN} / {ITEM_ID_COLUMN}</th></tr></thead>\n<tbody>",
            esc(t.call),
            esc(t.reviewer),
            esc(t.comment),
            esc(answer.response_header),
            esc(answer.reason_header)
        );
        for o in &item.failures {
            let moment = o
                .evidence_ms
                .map_or_else(String::new, |ms| format!(" / {}", clock(ms)));
            let listen = excerpt_of(files, o)
                .map_or_else(String::new, |file| format!(" {}", link(file, t.listen)));
            let key = review_of(report, item.item_id, o)
                .map_or_else(String::new, |id| format!("{id} / {}", item.item_id));
            let _ = writeln!(
                body,
                "<tr><td>{}{}{listen}</td><td>{}</td><td>{}</td><td class=\"response\"></td><td class=\"response\"></td><td class=\"key\">{}</td></tr>",
                esc(&o.call_id),
                esc(&moment),
                esc(&o.reviewer),
                esc(o.comment.as_deref().unwrap_or("")),
                esc(&key)
            );
        }
        body.push_str("</tbody>\n</table>\n</section>\n");
    }
    if sheet.work_on.is_empty() {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", esc(t.nothing_failed));
    }
    if let Some(emails) = email_failures(report, &rep.rep) {
        let _ = writeln!(body, "<h2>{}</h2>", esc(&emails.title));
        body.push_str(&table(report, &emails));
    }
    body.push_str(&legend(report));
    page(report.lang, &sheet.title, &body)
}

/// The sheet as views for the workbook: the rep's figures, the score by
/// week (charted), what to work on, what went well.
fn xlsx_views(report: &Report, sheet: &RepSheet, files: &ExcerptFiles) -> Vec<View> {
    let t: &ReportStrings = report_strings(report.lang);
    let answer = dispute_strings(report.lang);
    let rep = sheet.rep;
    let figure = |name: &str, value: Cell| vec![Cell::Text(name.into()), value];
    let open = open_of_rep(report, &rep.rep);
    let summary = View {
        key: "summary",
        title: t.summary.into(),
        note: None,
        columns: vec![t.figure.into(), t.value.into()],
        rows: vec![
            figure(t.your_score, Cell::Score(rep.average_score)),
            figure(t.reviews, Cell::Int(rep.reviews as i64)),
            figure(t.expected, Cell::Int(i64::from(rep.expected))),
            figure(t.critical_failures, Cell::Int(rep.critical_failures as i64)),
            figure(t.repeated_errors, Cell::Int(rep.repeated_errors as i64)),
            figure(
                t.weeks_without_repeated,
                Cell::Int(i64::from(rep.weeks_without_repeated)),
            ),
        ]
        .into_iter()
        .chain((open > 0).then(|| figure(answer.open_disputes, Cell::Int(open as i64))))
        .collect(),
        chart: None,
    };
    let mut trend_columns = vec![t.rep.to_string()];
    trend_columns.extend(trend_week_names(report));
    let mut trend_row = vec![Cell::Text(rep.rep.clone())];
    trend_row.extend(rep.trend.iter().map(|s| Cell::Score(*s)));
    let trend = View {
        key: "trend",
        title: t.score_trend.into(),
        note: None,
        columns: trend_columns,
        rows: vec![trend_row],
        chart: Some(Chart {
            title: t.score_trend.into(),
            shares: false,
        }),
    };
    let rows = sheet
        .work_on
        .iter()
        .flat_map(|item| {
            item.failures.iter().map(move |o| {
                vec![
                    Cell::Text(report.item_text(item.item_id)),
                    Cell::Text(standard(report, item.item_id).unwrap_or("").into()),
                    Cell::Text(
                        item.repeated
                            .as_ref()
                            .map_or_else(String::new, |why| format!("{} ({why})", t.repeated_mark)),
                    ),
                    Cell::Text(o.call_id.clone()),
                    Cell::Clock(o.evidence_ms),
                    Cell::Text(o.reviewer.clone()),
                    Cell::Text(o.comment.clone().unwrap_or_default()),
                    excerpt_of(files, o).map_or(Cell::Text(String::new()), |file| Cell::Link {
                        text: t.listen.into(),
                        target: file.into(),
                    }),
                    // The rep fills in these two.
                    Cell::Text(String::new()),
                    Cell::Text(String::new()),
                    review_of(report, item.item_id, o).map_or(Cell::Text(String::new()), Cell::Int),
                    Cell::Text(item.item_id.to_string()),
                ]
            })
        })
        .collect();
    let work_on = View {
        key: "work_on",
        title: t.to_work_on.into(),
        note: sheet.work_on.is_empty().then(|| t.nothing_failed.into()),
        columns: [
            t.item,
            t.standard,
            t.repeated_mark,
            t.call,
            t.moment,
            t.reviewer,
            t.comment,
            t.excerpt,
            answer.response_header,
            answer.reason_header,
            REVIEW_ID_COLUMN,
            ITEM_ID_COLUMN,
        ]
        .map(String::from)
        .to_vec(),
        rows,
        chart: None,
    };
    let well = View {
        key: "went_well",
        title: t.went_well.into(),
        note: None,
        columns: vec![t.item.into()],
        rows: sheet
            .well
            .iter()
            .map(|w| vec![Cell::Text(w.clone())])
            .collect(),
        chart: None,
    };
    let mut views = vec![summary, trend, work_on, well];
    views.extend(email_failures(report, &sheet.rep.rep));
    views
}

/// A drop-down on the Response column of a table the rep fills in: agree
/// or dispute in the sheet's language. Something else typed gets a
/// warning, not a refusal: the import reads both languages, and names
/// anything else row by row.
fn response_choices(lang: Lang, sheet: &mut Worksheet, view: &View) -> anyhow::Result<()> {
    let answer = dispute_strings(lang);
    let column = view
        .columns
        .iter()
        .position(|c| c == answer.response_header);
    let (Some(column), false) = (column, view.rows.is_empty()) else {
        return Ok(());
    };
    let list = DataValidation::new()
        .allow_list_strings(&[answer.agree, answer.dispute])?
        .set_input_title(answer.response_header)?
        .set_input_message(answer.response_hint)?
        .set_error_style(DataValidationErrorStyle::Warning);
    let first = super::xlsx::HEADER_ROW + 1;
    let last = super::xlsx::HEADER_ROW + view.rows.len() as u32;
    sheet.add_data_validation(first, column as u16, last, column as u16, &list)?;
    Ok(())
}

/// Cut the excerpts of the sheet's stamps into `dir`, one decoding pass
/// per recording; a call without a recording path, or whose recording
/// cannot be read, gets no excerpt rather than stopping the sheets.
fn cut_excerpts(
    sheet: &RepSheet,
    dir: &Path,
    options: &ExcerptOptions,
    written: &mut Vec<PathBuf>,
    problems: &mut Vec<String>,
) -> ExcerptFiles {
    let mut stamps: BTreeMap<&str, HashSet<u64>> = BTreeMap::new();
    for o in sheet.work_on.iter().flat_map(|i| &i.failures) {
        if let Some(at) = o.evidence_ms {
            stamps.entry(&o.call_id).or_default().insert(at);
        }
    }
    for (call, ats) in stamps {
        let Some(recording) = options.recordings.get(call) else {
            continue;
        };
        let mut ats: Vec<u64> = ats.into_iter().collect();
        ats.sort_unstable();
        // Two stamps in the same second share a file name: cut it once.
        ats.dedup_by_key(|at| *at / 1000);
        let cuts: Vec<Cut> = ats
            .iter()
            .map(|&at_ms| Cut {
                at_ms,
                file: dir.join(excerpts::file_name(call, at_ms)),
            })
            .collect();
        match excerpts::cut(recording, options.seconds, &cuts) {
            Ok(done) => written.extend(done),
            Err(e) => problems.push(format!("{call}: {e:#}")),
        }
    }
    // Every stamp of a second points at that second's file, if cut.
    let mut files = ExcerptFiles::new();
    for o in sheet.work_on.iter().flat_map(|i| &i.failures) {
        if let Some(at) = o.evidence_ms {
            let name = excerpts::file_name(&o.call_id, at);
            if dir.join(&name).exists() {
                files.insert((o.call_id.clone(), at), name);
            }
        }
    }
    files
}

/// Write one sheet per rep of the report into `dir` (made when missing),
/// in the formats asked for, with the excerpts when asked for. Excerpts
/// that cannot be cut are named in `problems`; the sheets are still written.
pub fn write(
    report: &Report,
    dir: &Path,
    options: &FeedbackOptions,
    problems: &mut Vec<String>,
) -> anyhow::Result<Written> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    let mut written = Written::default();
    let mut names = HashSet::new();
    for rep in &report.results.reps {
        let base = safe_file_name(&rep.rep);
        let mut name = base.clone();
        let mut n = 2;
        while !names.insert(name.to_lowercase()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let sheet = rep_sheet(report, rep);
        let files = match &options.excerpts {
            Some(excerpts) => cut_excerpts(&sheet, dir, excerpts, &mut written.excerpts, problems),
            None => ExcerptFiles::new(),
        };
        if matches!(options.format, FeedbackFormat::Html | FeedbackFormat::Both) {
            let path = dir.join(format!("{name}.html"));
            std::fs::write(&path, html_sheet(report, &sheet, &files))
                .with_context(|| format!("{}: cannot write", path.display()))?;
            written.sheets.push(path);
        }
        if matches!(options.format, FeedbackFormat::Xlsx | FeedbackFormat::Both) {
            let path = dir.join(format!("{name}.xlsx"));
            let views = xlsx_views(report, &sheet, &files);
            let choices = |ws: &mut Worksheet, view: &View| response_choices(report.lang, ws, view);
            let bytes = super::xlsx::workbook_with(report, &sheet.title, views, &choices)?;
            std::fs::write(&path, bytes)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            written.sheets.push(path);
        }
    }
    Ok(written)
}
