//! The report's disputes section: each failed item a rep disputed, with
//! their reason and how the reviewer or lead resolved it (or that it is
//! still open), so a sales head sees which scores were contested.

use super::Report;
use super::view::{Cell, View};
use crate::domain::reps::rep_key;
use crate::domain::{Checklist, Lang};
use crate::i18n::calibration::{DisputeStrings, dispute_strings};
use crate::i18n::report::report_strings;
use crate::store::{ItemResponse, Outcome, Response, Workspace};

/// The disputes of the reps `wanted` keeps, oldest first.
pub fn of_reps(ws: &Workspace, wanted: &dyn Fn(&str) -> bool) -> anyhow::Result<Vec<ItemResponse>> {
    Ok(ws
        .responses(false, false)?
        .into_iter()
        .filter(|d| d.rep.as_deref().is_some_and(wanted))
        .collect())
}

/// The state of a response in words: acknowledged, open, upheld, changed.
pub fn outcome_text(t: &DisputeStrings, response: &ItemResponse) -> &'static str {
    match (response.response, response.outcome) {
        (Response::Agree, _) => t.acknowledged,
        (Response::Dispute, None) => t.open,
        (Response::Dispute, Some(Outcome::Upheld)) => t.upheld,
        (Response::Dispute, Some(Outcome::Changed)) => t.changed,
    }
}

/// "reviewer: why", or nothing while open.
pub fn resolution_text(response: &ItemResponse) -> String {
    match (&response.resolved_by, &response.resolution) {
        (Some(by), Some(why)) => format!("{by}: {why}"),
        _ => String::new(),
    }
}

/// Open disputes first, then the resolved ones, each group in its order.
fn open_first(disputes: &[ItemResponse]) -> Vec<&ItemResponse> {
    let mut sorted: Vec<&ItemResponse> = disputes.iter().collect();
    sorted.sort_by_key(|d| d.outcome.is_some());
    sorted
}

/// Where the scores before and after the resolution stand in [`rows`].
const SCORE_COLUMNS: [usize; 2] = [8, 9];

/// The disputes as text, header first, open ones first: outcome, review
/// id, call, rep, reviewer, item (`item_text` names it), the rep's
/// reason, the resolution, the review's score before and after it.
/// `callqa disputes`, the workstation and the report all show this table.
pub fn rows(
    lang: Lang,
    disputes: &[ItemResponse],
    item_text: &dyn Fn(&str) -> String,
) -> Vec<Vec<String>> {
    let t = dispute_strings(lang);
    let words = report_strings(lang);
    let sorted = open_first(disputes);
    let header = [
        t.outcome,
        "review_id",
        words.call,
        words.rep,
        words.reviewer,
        words.item,
        t.reason_header,
        t.resolution,
        t.score_before,
        t.score_after,
    ]
    .map(String::from)
    .to_vec();
    let body = sorted.into_iter().map(|d| {
        vec![
            outcome_text(t, d).to_string(),
            d.review_id.to_string(),
            d.call_id.clone().unwrap_or_default(),
            d.rep.clone().unwrap_or_default(),
            d.reviewer.clone(),
            item_text(&d.item_id),
            d.reason.clone().unwrap_or_default(),
            resolution_text(d),
            Cell::Score(d.score_before).display(),
            Cell::Score(d.score_after).display(),
        ]
    });
    std::iter::once(header).chain(body).collect()
}

/// An item's text in `lang` from the checklist, else its id.
pub fn item_text_in(checklist: &Checklist, lang: Lang, item_id: &str) -> String {
    checklist
        .items
        .iter()
        .find(|i| i.id == item_id)
        .map_or_else(|| item_id.to_string(), |i| i.text.get(lang).to_string())
}

/// The disputes view; none without a dispute.
pub fn views(report: &Report) -> Vec<View> {
    if report.disputes.is_empty() {
        return Vec::new();
    }
    let mut table = rows(report.lang, &report.disputes, &|id| report.item_text(id));
    let columns = table.remove(0);
    let cells = table
        .into_iter()
        .zip(open_first(&report.disputes))
        .map(|(row, dispute)| {
            let mut cells: Vec<Cell> = row.into_iter().map(Cell::Text).collect();
            let [before, after] = SCORE_COLUMNS;
            cells[before] = Cell::Score(dispute.score_before);
            cells[after] = Cell::Score(dispute.score_after);
            cells
        })
        .collect();
    vec![View {
        key: "disputes",
        title: dispute_strings(report.lang).title.to_string(),
        note: open_per_rep(report),
        columns,
        rows: cells,
        chart: None,
    }]
}

/// Open disputes per rep, for the note over the reps' results ("Анна
/// Смирнова: 2, Игорь Петров: 1"); `None` when none is open.
pub fn open_per_rep(report: &Report) -> Option<String> {
    let mut open: std::collections::BTreeMap<&str, usize> = Default::default();
    for dispute in report.disputes.iter().filter(|d| is_open(d)) {
        *open
            .entry(dispute.rep.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let reps: Vec<String> = open.iter().map(|(rep, n)| format!("{rep}: {n}")).collect();
    (!reps.is_empty()).then(|| {
        dispute_strings(report.lang)
            .open_per_rep
            .replace("{reps}", &reps.join(", "))
    })
}

fn is_open(dispute: &ItemResponse) -> bool {
    dispute.response == Response::Dispute && dispute.outcome.is_none()
}

/// How many of `rep`'s disputes are open (their feedback sheet says so).
pub fn open_of_rep(report: &Report, rep: &str) -> usize {
    let key = rep_key(rep);
    report
        .disputes
        .iter()
        .filter(|d| is_open(d) && d.rep.as_deref().is_some_and(|r| rep_key(r) == key))
        .count()
}
