//! Calibration as the lead reads it: each set's agreement figures per
//! checklist item and per reviewer (`domain::agreement`), laid out once as
//! rows that `callqa calibration show`, the workstation's calibration
//! screen and the report's section all print.

use super::Report;
use super::disputes::item_text_in;
use super::view::{Cell, View};
use crate::domain::agreement::{CalibrationFigures, SMALL_SAMPLE, calibration_figures};
use crate::domain::{Checklist, Lang};
use crate::i18n::calibration::{calibration_strings, coefficient_text, percent_text, small_mark};
use crate::store::{CalibrationSet, Workspace};
use serde::Serialize;

/// A set with its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetFigures {
    #[serde(flatten)]
    pub set: CalibrationSet,
    pub figures: CalibrationFigures,
}

/// Every set's figures on the checklist's items (in its order), or only
/// the set named.
pub fn gather(
    ws: &Workspace,
    checklist: &Checklist,
    only: Option<&str>,
) -> anyhow::Result<Vec<SetFigures>> {
    let items: Vec<String> = checklist.items.iter().map(|i| i.id.clone()).collect();
    let mut all = Vec::new();
    for set in ws.calibration_sets()? {
        if only.is_some_and(|name| name != set.name) {
            continue;
        }
        let reviews = ws.calibration_scores(&set.name, &checklist.id)?;
        let figures = calibration_figures(&items, &set.reviewers, &set.lead, &reviews);
        all.push(SetFigures { set, figures });
    }
    Ok(all)
}

/// `n` with the small-sample mark when it is one.
fn n_text(lang: Lang, n: usize, small: bool) -> String {
    format!("{n} {}", small_mark(lang, small))
        .trim_end()
        .to_string()
}

/// Per item: text, n units, pairs, percent agreement, alpha (header first).
pub fn item_rows(
    lang: Lang,
    checklist: &Checklist,
    figures: &CalibrationFigures,
) -> Vec<Vec<String>> {
    let t = calibration_strings(lang);
    let mut rows = vec![
        [t.item, t.units, t.pairs, t.percent, t.alpha]
            .map(String::from)
            .to_vec(),
    ];
    for item in &figures.items {
        rows.push(vec![
            item_text_in(checklist, lang, &item.item_id),
            n_text(lang, item.alpha.units, item.alpha.small_sample),
            item.percent.pairs.to_string(),
            percent_text(lang, item.percent.value),
            coefficient_text(lang, item.alpha.value),
        ]);
    }
    rows
}

/// Per reviewer: name, kappa vs the lead with its n, score deviation with
/// its n (header first).
pub fn reviewer_rows(lang: Lang, figures: &CalibrationFigures) -> Vec<Vec<String>> {
    let t = calibration_strings(lang);
    let mut rows = vec![
        [t.reviewer, t.kappa, "n", t.deviation, t.calls]
            .map(String::from)
            .to_vec(),
    ];
    for r in &figures.reviewers {
        let (kappa, kappa_n) = match &r.kappa_vs_lead {
            Some(k) => (
                coefficient_text(lang, k.value),
                n_text(lang, k.units, k.small_sample),
            ),
            None => (t.lead.to_string(), String::new()),
        };
        rows.push(vec![
            r.reviewer.clone(),
            kappa,
            kappa_n,
            r.deviation
                .value
                .map_or_else(|| t.undefined.to_string(), |d| format!("{d:+.1}")),
            n_text(lang, r.deviation.calls, r.deviation.small_sample),
        ]);
    }
    rows
}

/// The line that explains the marks under the tables.
pub fn notes(lang: Lang) -> [String; 2] {
    let t = calibration_strings(lang);
    [
        t.small_sample_note
            .replace("{n}", &SMALL_SAMPLE.to_string()),
        t.undefined_note.to_string(),
    ]
}

/// The set's title line: name, lead, reviewers, calls.
pub fn set_line(lang: Lang, set: &SetFigures) -> String {
    let t = calibration_strings(lang);
    format!(
        "{} {}: {} {}; {} {}; {} {}",
        t.set,
        set.set.name,
        t.lead,
        set.set.lead,
        t.reviewers,
        set.set.reviewers.join(", "),
        t.calls,
        set.set.calls.len()
    )
}
/// The report's calibration views (items and reviewers of every set); none
/// without a set.
pub fn views(report: &Report) -> Vec<View> {
    if report.calibration.is_empty() {
        return Vec::new();
    }
    let t = calibration_strings(report.lang);
    let checklist = Checklist::default_sales_call();
    let (mut items, mut reviewers) = (Vec::new(), Vec::new());
    let text = |s: &String| Cell::Text(s.clone());
    let (mut item_columns, mut reviewer_columns) = (Vec::new(), Vec::new());
    for set in &report.calibration {
        let mut item_table = item_rows(report.lang, &checklist, &set.figures);
        let mut reviewer_table = reviewer_rows(report.lang, &set.figures);
        item_columns = item_table.remove(0);
        reviewer_columns = reviewer_table.remove(0);
        for row in item_table {
            let mut cells = vec![Cell::Text(set.set.name.clone())];
            cells.extend(row.iter().map(text));
            items.push(cells);
        }
        for row in reviewer_table {
            let mut cells = vec![Cell::Text(set.set.name.clone())];
            cells.extend(row.iter().map(text));
            reviewers.push(cells);
        }
    }
    let with_set = |columns: Vec<String>| {
        let mut all = vec![t.set.to_string()];
        all.extend(columns);
        all
    };
    let note = Some(notes(report.lang).join(" "));
    vec![
        View {
            key: "calibration",
            title: format!("{}: {}", t.title, t.item),
            note: note.clone(),
            columns: with_set(item_columns),
            rows: items,
            chart: None,
        },
        View {
            key: "calibration-reviewers",
            title: format!("{}: {}", t.title, t.reviewers),
            note,
            columns: with_set(reviewer_columns),
            rows: reviewers,
            chart: None,
        },
    ]
}
