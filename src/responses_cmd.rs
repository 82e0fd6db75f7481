//! `callqa responses import FILE`: a rep's filled-in feedback sheet (the
//! XLSX `callqa feedback` wrote, or a CSV with the same columns) read back:
//! each failed item's response (agree, or dispute with a reason) recorded
//! against its review item by the sheet's `review_id` and `item_id`
//! columns. A bad row is named (file, sheet, row, what is wrong) and the
//! rest still recorded; importing the same sheet again records nothing new.
//!
//! `callqa disputes [--open]`: the disputes and how they were resolved.

use anyhow::Context;
use callqa::domain::{Checklist, Lang};
use callqa::i18n::calibration::{DisputeStrings, dispute_strings, is_header, parse_response};
use callqa::reports::results::disputes::{item_text_in, rows};
use callqa::store::{Recorded, Response, Workspace};
use callqa::text::{aligned_columns, one_line, path_line};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ResponsesCommand {
    /// Read a filled-in feedback sheet (XLSX, or CSV with the same columns)
    /// and record each response against its review item
    Import {
        /// The sheet: .xlsx as `callqa feedback --format xlsx` wrote it, or .csv
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DisputesFormat {
    Table,
    Json,
}

use callqa::reports::results::feedback::{
    ITEM_ID_COLUMN as ITEM_ID, REVIEW_ID_COLUMN as REVIEW_ID,
};

/// One sheet (or the CSV) as text cells, with each row's number as a
/// spreadsheet shows it (1-based).
struct Table {
    sheet: Option<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn read_tables(path: &Path) -> anyhow::Result<Vec<Table>> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .with_context(|| format!("{}: cannot read", path_line(path)))?;
        let mut rows = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let record =
                record.with_context(|| format!("{}: row {}", path_line(path), index + 1))?;
            rows.push((index + 1, record.iter().map(str::to_string).collect()));
        }
        return Ok(vec![Table { sheet: None, rows }]);
    }
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path)
        .with_context(|| format!("{}: cannot read as a spreadsheet", path_line(path)))?;
    let mut tables = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .with_context(|| format!("{}: sheet {name:?}", path_line(path)))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                // Cells left of the range are empty: keep column numbers.
                let mut row = vec![String::new(); first_col as usize];
                row.extend(cells.iter().map(|c| c.to_string()));
                (first_row as usize + i + 1, row)
            })
            .collect();
        tables.push(Table {
            sheet: Some(name),
            rows,
        });
    }
    Ok(tables)
}

/// Where the table's columns are.
struct Columns {
    header_at: usize,
    review: usize,
    item: usize,
    response: Option<usize>,
    reason: Option<usize>,
}

fn find_columns(table: &Table) -> Option<Columns> {
    table.rows.iter().enumerate().find_map(|(at, (_, cells))| {
        let find = |want: &dyn Fn(&str) -> bool| cells.iter().position(|c| want(c));
        Some(Columns {
            header_at: at,
            review: find(&|c| c.trim().eq_ignore_ascii_case(REVIEW_ID))?,
            item: find(&|c| c.trim().eq_ignore_ascii_case(ITEM_ID))?,
            response: find(&|c| is_header(c, |t| t.response_header)),
            reason: find(&|c| is_header(c, |t| t.reason_header)),
        })
    })
}

fn review_id(cell: &str) -> Option<i64> {
    let cell = cell.trim();
    cell.parse().ok().or_else(|| {
        let f: f64 = cell.parse().ok()?;
        (f.fract() == 0.0 && (0.0..9e15).contains(&f)).then_some(f as i64)
    })
}

/// One row's response to one review item.
struct RowResponse<'a> {
    review: i64,
    item: &'a str,
    response: Response,
    reason: Option<&'a str>,
}

/// What one row asks to record, or what is wrong with it; `None` for a
/// row the rep left alone.
fn row_response<'a>(
    cells: &'a [String],
    columns: &Columns,
    t: &DisputeStrings,
) -> Option<Result<RowResponse<'a>, String>> {
    let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map_or("", |c| c.trim());
    let (response, reason) = (cell(columns.response), cell(columns.reason));
    let (review, item) = (cell(Some(columns.review)), cell(Some(columns.item)));
    if response.is_empty() && reason.is_empty() {
        return None;
    }
    let reason = (!reason.is_empty()).then_some(reason);
    Some((|| {
        let review = review_id(review).ok_or_else(|| format!("{}: {review:?}", t.bad_review_id))?;
        if response.is_empty() {
            return Err(t.reason_without_response.to_string());
        }
        let parsed =
            parse_response(response).ok_or_else(|| format!("{}: {response:?}", t.bad_response))?;
        if parsed == Response::Dispute && reason.is_none() {
            return Err(t.reason_needed.to_string());
        }
        Ok(RowResponse {
            review,
            item,
            response: parsed,
            reason,
        })
    })())
}

pub fn import(
    ws: &Workspace,
    lang: Lang,
    command: &ResponsesCommand,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let ResponsesCommand::Import { file } = command;
    let t = dispute_strings(lang);
    let tables = read_tables(file)?;
    let file_name = path_line(file);
    let mut counts = [0usize; 4];
    let mut found = false;
    for table in &tables {
        let Some(columns) = find_columns(table) else {
            continue;
        };
        found = true;
        for (row, cells) in &table.rows[columns.header_at + 1..] {
            let place = match &table.sheet {
                Some(sheet) => format!("{file_name}, sheet {sheet:?}, row {row}"),
                None => format!("{file_name}, row {row}"),
            };
            let result = match row_response(cells, &columns, t) {
                None => continue,
                Some(Err(why)) => Err(why),
                Some(Ok(row)) => ws
                    .record_response(row.review, row.item, row.response, row.reason, &place)
                    .map_err(|e| e.to_string()),
            };
            match result {
                Ok(Recorded::New) => counts[0] += 1,
                Ok(Recorded::Updated) => counts[1] += 1,
                Ok(Recorded::Unchanged) => counts[2] += 1,
                Err(why) => {
                    counts[3] += 1;
                    writeln!(out, "{}: {place}: {}", t.bad_row, one_line(&why, 500))?;
                }
            }
        }
    }
    if !found {
        anyhow::bail!("{file_name}: {}", t.no_keys);
    }
    let summary = t
        .imported
        .replace("{new}", &counts[0].to_string())
        .replace("{updated}", &counts[1].to_string())
        .replace("{unchanged}", &counts[2].to_string())
        .replace("{bad}", &counts[3].to_string());
    writeln!(out, "{summary}")?;
    Ok(if counts[3] > 0 {
        ExitCode::from(super::EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn list(
    ws: &Workspace,
    lang: Lang,
    checklist: &Checklist,
    open_only: bool,
    format: DisputesFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let disputes = ws.responses(open_only, false)?;
    if format == DisputesFormat::Json {
        let text = serde_json::to_string_pretty(&disputes)?;
        writeln!(out, "{}", callqa::text::json_safe(&text))?;
        return Ok(());
    }
    let t = dispute_strings(lang);
    if disputes.is_empty() {
        writeln!(out, "{}", t.no_disputes)?;
        return Ok(());
    }
    let item_text = |id: &str| item_text_in(checklist, lang, id);
    let rows: Vec<Vec<String>> = rows(lang, &disputes, &item_text)
        .into_iter()
        .map(|row| row.iter().map(|cell| one_line(cell, 120)).collect())
        .collect();
    aligned_columns(out, &rows)?;
    Ok(())
}
