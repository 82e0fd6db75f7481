//! The results of the other channels the article reviews, next to the
//! calls': the emails (a rep's average email score, the email items'
//! failure rates, the repeated errors across emails through the one rule
//! of `results.rs`) and the mystery-shopping table (each visit's speeds,
//! measured by `domain::mystery`, and its review's score).

use super::{
    Inputs, ItemResult, RepeatedError, ReviewFact, ReviewKind, Span, average, item_results,
    most_failed, repeated_errors,
};
use crate::domain::crm::Timestamp;
use crate::domain::mystery::form::bare_message_id;
use crate::domain::mystery::{MysteryRules, Speed, Visit};
use crate::domain::reps::rep_key;
use crate::domain::sampling::Period;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A rep's email reviews of the span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailRepResult {
    pub rep: String,
    pub reviews: usize,
    pub average_score: Option<f64>,
    pub critical_failures: usize,
    /// Most failed email items, most first: (item id, failures).
    pub top_failed: Vec<(String, usize)>,
    pub repeated_errors: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailResults {
    pub reviews: usize,
    /// Reps with an email review in the span, by name.
    pub reps: Vec<EmailRepResult>,
    /// Email items in checklist order, per rep in the order of `reps`.
    pub items: Vec<ItemResult>,
    /// Repeated errors across emails counting in the span.
    pub repeated: Vec<RepeatedError>,
}

/// The email figures, or `None` without an email review in the span.
pub(super) fn email_results(
    inputs: &Inputs<'_>,
    known: &[&ReviewFact],
    trend: &[Period],
) -> Option<EmailResults> {
    let span = inputs.span;
    let emails: Vec<&ReviewFact> = known
        .iter()
        .copied()
        .filter(|r| r.kind == ReviewKind::Email)
        .collect();
    let mut by_rep: BTreeMap<String, (String, Vec<&ReviewFact>)> = BTreeMap::new();
    for r in emails.iter().filter(|r| span.contains(r.day)) {
        by_rep
            .entry(rep_key(&r.rep))
            .or_insert_with(|| (r.rep.clone(), Vec::new()))
            .1
            .push(r);
    }
    if by_rep.is_empty() {
        return None;
    }
    let weeks = span.weeks();
    let repeated: Vec<RepeatedError> = repeated_errors(inputs.rules.repeated, &emails)
        .into_iter()
        .filter(|e| weeks.contains(&e.week) && by_rep.contains_key(&rep_key(&e.rep)))
        .collect();
    let mut reps: Vec<EmailRepResult> = by_rep
        .iter()
        .map(|(key, (rep, period))| EmailRepResult {
            rep: rep.clone(),
            reviews: period.len(),
            average_score: average(period.iter().filter_map(|r| r.score)),
            critical_failures: period.iter().filter(|r| r.critical_failed).count(),
            top_failed: most_failed(period, inputs.rules.report.top_failed_items),
            repeated_errors: repeated.iter().filter(|e| rep_key(&e.rep) == *key).count(),
        })
        .collect();
    reps.sort_by(|a, b| a.rep.cmp(&b.rep));
    let keys: Vec<String> = reps.iter().map(|r| rep_key(&r.rep)).collect();
    let index: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    Some(EmailResults {
        reviews: reps.iter().map(|r| r.reviews).sum(),
        items: item_results(inputs.email_item_order, &emails, &index, span, trend),
        reps,
        repeated,
    })
}

/// One mystery-shopping visit of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MysteryRow {
    pub visit: Visit,
    /// In [`crate::domain::mystery::Measure::ALL`] order.
    pub speeds: [Speed; 3],
    /// The average score of the mystery-shopper reviews of the visit's
    /// call or email, or of the visit itself; none before one is submitted.
    pub score: Option<f64>,
}

/// Message-IDs as stored or as written in a visits file (`<…>`).
fn same_message(a: &str, b: &str) -> bool {
    bare_message_id(a) == bare_message_id(b)
}

/// The visits requested in `span`, with their speeds as of `as_of` and
/// the score of the mystery-shopper reviews among `reviews`; oldest first.
pub fn mystery_rows(
    visits: Vec<Visit>,
    rules: &MysteryRules,
    as_of: Timestamp,
    span: Span,
    reviews: &[ReviewFact],
) -> Vec<MysteryRow> {
    let mystery: Vec<&ReviewFact> = reviews
        .iter()
        .filter(|r| r.kind == ReviewKind::Mystery)
        .collect();
    let mut rows: Vec<MysteryRow> = visits
        .into_iter()
        .filter(|v| {
            v.requested_at
                .is_some_and(|t| span.contains(t.date_naive()))
        })
        .map(|visit| {
            // Its call's or email's review, or the review of the visit itself.
            let evidence = |r: &&&ReviewFact| {
                r.call_id == visit.visit_id
                    || visit.call_id.as_deref() == Some(r.call_id.as_str())
                    || visit
                        .message_id
                        .as_deref()
                        .is_some_and(|m| same_message(m, &r.call_id))
            };
            let score = average(mystery.iter().filter(evidence).filter_map(|r| r.score));
            MysteryRow {
                speeds: visit.speeds(rules, as_of),
                score,
                visit,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.visit.requested_at, &a.visit.visit_id).cmp(&(b.visit.requested_at, &b.visit.visit_id))
    });
    rows
}
