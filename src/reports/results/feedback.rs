//! One-to-one feedback sheets (`callqa feedback`): one HTML file per rep,
//! holding only that rep (the article: feedback one-on-one, never in
//! public): the score and its trend, what went well, and each failed item
//! with the standard's text, the reviewer's comment and the `call / m:ss`
//! moment to listen to, repeated errors highlighted.

use super::html::{esc, legend, line_chart, page};
use super::view::trend_week_names;
use super::{Report, safe_file_name};
use crate::domain::reps::rep_key;
use crate::domain::results::RepResult;
use crate::i18n::report::{repeated_why, report_strings};
use crate::text::clock;
use anyhow::Context;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One sheet's HTML for `rep`.
pub fn sheet(report: &Report, rep: &RepResult) -> String {
    let t = report_strings(report.lang);
    let key = rep_key(&rep.rep);
    let mine = |name: &str| rep_key(name) == key;
    let index = report
        .results
        .reps
        .iter()
        .position(|r| mine(&r.rep))
        .unwrap_or_default();
    let title = format!("{} — {}", t.feedback_title, rep.rep);
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"meta\">{}: {}</p>\n",
        esc(&title),
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
    let weeks = trend_week_names(report);
    body.push_str(&line_chart(
        t.score_trend,
        &weeks,
        &[(rep.rep.clone(), rep.trend.clone())],
        false,
    ));

    let well: Vec<String> = report
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
    let _ = writeln!(body, "<h2>{}</h2>", esc(t.went_well));
    if !well.is_empty() {
        body.push_str("<ul>\n");
        for item in &well {
            let _ = writeln!(body, "<li>{}</li>", esc(item));
        }
        body.push_str("</ul>\n");
    }

    let repeated: HashSet<&str> = report
        .results
        .repeated
        .iter()
        .filter(|e| mine(&e.rep))
        .map(|e| e.item_id.as_str())
        .collect();
    let _ = writeln!(body, "<h2>{}</h2>", esc(t.to_work_on));
    let mut any = false;
    for item in &report.results.items {
        let failures: Vec<_> = item.failures.iter().filter(|(r, _)| mine(r)).collect();
        if failures.is_empty() {
            continue;
        }
        any = true;
        let is_repeated = repeated.contains(item.item_id.as_str());
        let text = report.item_texts.get(&item.item_id);
        let _ = write!(
            body,
            "<section>\n<h3{}>{}",
            if is_repeated {
                " class=\"repeated\""
            } else {
                ""
            },
            esc(&report.item_text(&item.item_id))
        );
        if is_repeated {
            let why = report
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
                })
                .unwrap_or_default();
            let _ = write!(body, " — {} ({})", esc(t.repeated_mark), esc(&why));
        }
        body.push_str("</h3>\n");
        if let Some(hint) = text.and_then(|t| t.hint.as_ref()) {
            let _ = writeln!(body, "<p><b>{}:</b> {}</p>", esc(t.standard), esc(hint));
        }
        let _ = writeln!(
            body,
            "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            esc(t.call),
            esc(t.reviewer),
            esc(t.comment)
        );
        for (_, o) in failures {
            let moment = o
                .evidence_ms
                .map_or_else(String::new, |ms| format!(" / {}", clock(ms)));
            let _ = writeln!(
                body,
                "<tr><td>{}{}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.call_id),
                esc(&moment),
                esc(&o.reviewer),
                esc(o.comment.as_deref().unwrap_or(""))
            );
        }
        body.push_str("</tbody>\n</table>\n</section>\n");
    }
    if !any {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", esc(t.nothing_failed));
    }
    body.push_str(&legend(report));
    page(report.lang, &title, &body)
}

/// Write one sheet per rep of the report into `dir` (made when missing);
/// returns the files written.
pub fn write(report: &Report, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    let mut written = Vec::new();
    let mut names = HashSet::new();
    for rep in &report.results.reps {
        let base = safe_file_name(&rep.rep);
        let mut name = base.clone();
        let mut n = 2;
        while !names.insert(name.to_lowercase()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let path = dir.join(format!("{name}.html"));
        std::fs::write(&path, sheet(report, rep))
            .with_context(|| format!("{}: cannot write", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
