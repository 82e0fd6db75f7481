//! The report's disputes section: each failed item a rep disputed, with
//! their reason and how the reviewer or lead resolved it (or that it is
//! still open), so a sales head sees which scores were contested.

use super::Report;
use super::view::{Cell, View};
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

/// The disputes as text, header first, open ones first: outcome, review
/// id, call, rep, reviewer, item (`item_text` names it), the rep's
/// reason, the resolution. `callqa disputes`, the workstation and the
/// report all show this table.
pub fn rows(
    lang: Lang,
    disputes: &[ItemResponse],
    item_text: &dyn Fn(&str) -> String,
) -> Vec<Vec<String>> {
    let t = dispute_strings(lang);
    let words = report_strings(lang);
    let mut sorted: Vec<&ItemResponse> = disputes.iter().collect();
    sorted.sort_by_key(|d| d.outcome.is_some());
    let header = [
        t.outcome,
        "review_id",
        words.call,
        words.rep,
        words.reviewer,
        words.item,
        t.reason_header,
        t.resolution,
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
    vec![View {
        key: "disputes",
        title: dispute_strings(report.lang).title.to_string(),
        note: None,
        columns,
        rows: table
            .into_iter()
            .map(|row| row.into_iter().map(Cell::Text).collect())
            .collect(),
        chart: None,
    }]
}
