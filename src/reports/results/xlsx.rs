//! The report as an Excel workbook (a Russian sales head lives in Excel):
//! one sheet per view, numbers stored as numbers with a format (`56%`, not
//! `0.5624836`), scores coloured by the rules' bands, frozen headers, an
//! autofilter, widths that fit, and native line charts on the trend sheets.
//!
//! Every sheet has the same shape, so readers (and tests) find things:
//! row 1 the title, row 2 the period, row 3 a note, row 4 the header, data
//! from row 5.

use super::Report;
use super::view::{Cell, View, views};
use crate::domain::results::Band;
use crate::i18n::report::report_strings;
use crate::text::{sanitize, spreadsheet_cell};
use anyhow::Context;
use rust_xlsxwriter::{Chart, ChartType, Color, Format, Url, Workbook, Worksheet};
use std::path::Path;

/// Row of the header; data follows it.
pub const HEADER_ROW: u32 = 3;

/// A sheet name Excel accepts: none of `[]:*?/\`, no leading or trailing
/// `'`, at most 31 characters, never empty, unique in `taken`.
pub fn safe_sheet_name(name: &str, taken: &[String]) -> String {
    let base: String = name
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let base = base.trim().trim_matches('\'').to_string();
    let base = if base.is_empty() {
        "Sheet".into()
    } else {
        base
    };
    let mut candidate: String = base.chars().take(31).collect();
    let mut n = 2;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == candidate.to_lowercase())
    {
        let suffix = format!(" ({n})");
        candidate = base
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    candidate
}

struct Formats {
    title: Format,
    header: Format,
    percent: Format,
    score: [Format; 3],
    decimal: Format,
    clock: Format,
    text: Format,
}

impl Formats {
    fn new() -> Formats {
        let score = |colour: u32| {
            Format::new()
                .set_num_format("0.0")
                .set_background_color(Color::RGB(colour))
        };
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xEEF1F5)),
            percent: Format::new().set_num_format("0%"),
            score: [score(0xD8F0D8), score(0xFBEFC8), score(0xF6D3D3)],
            decimal: Format::new().set_num_format("0.0"),
            clock: Format::new().set_num_format("[m]:ss"),
            text: Format::new().set_text_wrap(),
        }
    }

    fn score(&self, band: Band) -> &Format {
        match band {
            Band::Good => &self.score[0],
            Band::Middling => &self.score[1],
            Band::Poor => &self.score[2],
        }
    }
}

/// Text from data for a cell: no control characters, never a formula.
fn text(value: &str) -> String {
    spreadsheet_cell(&sanitize(value, true, 32_000)).into_owned()
}

/// The workbook in memory.
pub fn workbook(report: &Report) -> anyhow::Result<Vec<u8>> {
    workbook_of(report, report_strings(report.lang).title, views(report))
}

/// A workbook of `views`, one sheet each, under `title` (the report, or a
/// rep's feedback sheet).
pub fn workbook_of(report: &Report, title: &str, views: Vec<View>) -> anyhow::Result<Vec<u8>> {
    workbook_with(report, title, views, &|_, _| Ok(()))
}

/// [`workbook_of`], with `finish` called on each sheet once its table is
/// written (the feedback sheet's drop-down of responses).
pub fn workbook_with(
    report: &Report,
    title: &str,
    views: Vec<View>,
    finish: &dyn Fn(&mut Worksheet, &View) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<u8>> {
    let t = report_strings(report.lang);
    let formats = Formats::new();
    let mut book = Workbook::new();
    let mut taken = Vec::new();
    let meta = format!("{}: {}", t.period, report.period_label());
    for view in views {
        let name = safe_sheet_name(&view.title, &taken);
        taken.push(name.clone());
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        sheet.write_string_with_format(0, 0, text(title), &formats.title)?;
        sheet.write_string(1, 0, text(&meta))?;
        let note = match (&view.note, report.is_empty()) {
            (_, true) => Some(t.no_reviews.to_string()),
            (note, false) => note.clone(),
        };
        if let Some(note) = note {
            sheet.write_string(2, 0, text(&note))?;
        }
        write_table(sheet, report, &view, &formats)?;
        finish(sheet, &view)?;
        if view.chart.is_some() && !view.rows.is_empty() {
            insert_chart(sheet, &name, &view)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

fn write_table(
    sheet: &mut Worksheet,
    report: &Report,
    view: &View,
    formats: &Formats,
) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = view.columns.iter().map(|c| c.chars().count()).collect();
    for (col, title) in view.columns.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, text(title), &formats.header)?;
    }
    for (i, row) in view.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        for (col, cell) in row.iter().enumerate() {
            let c = col as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, text(s), &formats.text)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Percent(Some(p)) => {
                    sheet.write_number_with_format(r, c, *p, &formats.percent)?;
                }
                Cell::Score(Some(s)) => {
                    let band = report.rules.score.band(*s);
                    sheet.write_number_with_format(r, c, *s, formats.score(band))?;
                }
                Cell::Seconds(Some(s)) => {
                    sheet.write_number_with_format(r, c, *s, &formats.decimal)?;
                }
                Cell::Clock(Some(ms)) => {
                    let days = *ms as f64 / 86_400_000.0;
                    sheet.write_number_with_format(r, c, days, &formats.clock)?;
                }
                Cell::Link {
                    text: shown,
                    target,
                } => {
                    let url = Url::new(format!("file:///{target}")).set_text(text(shown));
                    sheet.write_url(r, c, url)?;
                }
                Cell::Percent(None)
                | Cell::Score(None)
                | Cell::Seconds(None)
                | Cell::Clock(None) => {}
            }
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(cell.display().chars().count());
            }
        }
    }
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*width as f64 + 2.0).clamp(8.0, 60.0))?;
    }
    let last_col = view.columns.len().saturating_sub(1) as u16;
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + view.rows.len() as u32, last_col)?;
    Ok(())
}

/// A line per row of a trend view over its week columns, below the table.
fn insert_chart(sheet: &mut Worksheet, name: &str, view: &View) -> anyhow::Result<()> {
    let Some(spec) = &view.chart else {
        return Ok(());
    };
    let last_col = view.columns.len().saturating_sub(1) as u16;
    let mut chart = Chart::new(ChartType::Line);
    chart.title().set_name(&spec.title);
    for i in 0..view.rows.len() as u32 {
        let row = HEADER_ROW + 1 + i;
        chart
            .add_series()
            .set_name((name, row, 0))
            .set_categories((name, HEADER_ROW, 1, HEADER_ROW, last_col))
            .set_values((name, row, 1, row, last_col));
    }
    let axis = chart.y_axis();
    axis.set_min(0);
    if spec.shares {
        axis.set_max(1).set_num_format("0%");
    } else {
        axis.set_max(100);
    }
    chart.set_width(720).set_height(360);
    sheet.insert_chart(HEADER_ROW + view.rows.len() as u32 + 2, 0, &chart)?;
    Ok(())
}

/// Write the workbook to `path`.
pub fn write(report: &Report, path: &Path) -> anyhow::Result<()> {
    let bytes = workbook(report)?;
    std::fs::write(path, bytes).with_context(|| format!("{}: cannot write", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_safe_and_unique() {
        let taken = vec!["Overview".to_string()];
        assert_eq!(safe_sheet_name("a/b:c*d?[e]", &[]), "a_b_c_d__e_");
        assert_eq!(safe_sheet_name("'quoted'", &[]), "quoted");
        assert_eq!(safe_sheet_name("", &[]), "Sheet");
        assert_eq!(safe_sheet_name("overview", &taken), "overview (2)");
        let long = "Средняя оценка по неделям и ещё что-то длинное";
        let name = safe_sheet_name(long, &[]);
        assert_eq!(name.chars().count(), 31);
        let again = safe_sheet_name(long, std::slice::from_ref(&name));
        assert_eq!(again.chars().count(), 31);
        assert!(again.ends_with(" (2)"), "{again}");
    }
}
