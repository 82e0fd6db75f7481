//! The report's disputes section: each failed item a rep disputed, with
//! their reason and how the reviewer or lead resolved it (or that it is
//! still open), so a sales head sees which scores were contested.

use super::Report;
use super::view::{Cell, View};
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

/// The disputes view, open ones first; none without a dispute.
pub fn views(report: &Report) -> Vec<View> {
    if report.disputes.is_empty() {
        return Vec::new();
    }
    let t = dispute_strings(report.lang);
    let words = report_strings(report.lang);
    let mut disputes: Vec<&ItemResponse> = report.disputes.iter().collect();
    disputes.sort_by_key(|d| d.outcome.is_some());
    let rows = disputes
        .into_iter()
        .map(|d| {
            vec![
                Cell::Text(d.call_id.clone().unwrap_or_default()),
                Cell::Text(d.rep.clone().unwrap_or_default()),
                Cell::Text(d.reviewer.clone()),
                Cell::Text(report.item_text(&d.item_id)),
                Cell::Text(d.reason.clone().unwrap_or_default()),
                Cell::Text(outcome_text(t, d).to_string()),
                Cell::Text(resolution_text(d)),
            ]
        })
        .collect();
    vec![View {
        key: "disputes",
        title: t.title.to_string(),
        note: None,
        columns: [
            words.call,
            words.rep,
            words.reviewer,
            words.item,
            t.reason_header,
            t.outcome,
            t.resolution,
        ]
        .map(String::from)
        .to_vec(),
        rows,
        chart: None,
    }]
}
