//! The report as CSV: a folder with one file per view (`overview.csv`,
//! `items.csv`, ...), numbers rounded as people read them (`56%`, `72.5`),
//! every cell made inert for spreadsheets.

use super::Report;
use super::view::views;
use crate::text::spreadsheet_cell;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Write the views into the folder `dir` (made when missing); returns the
/// files written.
pub fn write(report: &Report, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    let mut written = Vec::new();
    for view in views(report) {
        let path = dir.join(format!("{}.csv", view.key));
        let mut out = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(&path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        out.write_record(
            view.columns
                .iter()
                .map(|c| spreadsheet_cell(c).into_owned()),
        )?;
        if view.rows.is_empty()
            && let Some(note) = &view.note
        {
            out.write_record([spreadsheet_cell(note).into_owned()])?;
        }
        for row in &view.rows {
            out.write_record(
                row.iter()
                    .map(|c| spreadsheet_cell(&c.display()).into_owned()),
            )?;
        }
        out.flush()
            .with_context(|| format!("{}: cannot write", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
