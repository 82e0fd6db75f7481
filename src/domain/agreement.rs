//! How far reviewers agree when they score the same calls (calibration):
//! percent agreement and Krippendorff's alpha per checklist item, Cohen's
//! kappa of each reviewer against the lead, and each reviewer's score
//! deviation (who is strict, who is lenient).
//!
//! Answers are nominal categories (yes / no / n-a); an unanswered item is a
//! missing value, which alpha tolerates and the pairwise figures skip.
//! Every figure carries the sample it stands on and says when that sample is
//! too small to lean on: a lead must not retrain a reviewer over two calls.

use crate::domain::AnswerValue;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// Below this many units (pairable units, paired answers, calls) a figure
/// is marked a small sample. With fewer than ten, one changed answer moves
/// percent agreement by ten points or more and alpha/kappa swing wider
/// still; Krippendorff advises against drawing conclusions from so few.
pub const SMALL_SAMPLE: usize = 10;

fn small(n: usize) -> bool {
    n < SMALL_SAMPLE
}

/// Pairwise percent agreement over the values that can be paired: each
/// unit with two or more values gives every pair of its coders' values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentAgreement {
    /// Share of agreeing pairs, 0..=1; `None` without a single pair.
    pub value: Option<f64>,
    /// Units with at least two values.
    pub units: usize,
    pub pairs: usize,
    pub small_sample: bool,
}

/// Krippendorff's alpha for nominal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alpha {
    /// `None` when undefined: no pairable values, or every value is one
    /// category (no disagreement is even possible, so expected
    /// disagreement is zero).
    pub value: Option<f64>,
    /// Units with at least two values (the others drop out).
    pub units: usize,
    /// Pairable values (the coincidence matrix's total).
    pub values: usize,
    pub small_sample: bool,
}

/// Cohen's kappa of one coder against another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kappa {
    /// `None` when undefined: no units both answered, or chance agreement
    /// is already perfect (both used one and the same category only).
    pub value: Option<f64>,
    /// Units both coders answered.
    pub units: usize,
    pub small_sample: bool,
}

/// A reviewer's mean review score minus the mean of all reviewers' scores
/// on the same calls, in score points: negative is strict, positive lenient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreDeviation {
    pub value: Option<f64>,
    /// Calls the reviewer scored that someone else scored too.
    pub calls: usize,
    pub small_sample: bool,
}

/// `units[u][c]`: coder `c`'s value on unit `u`, `None` when missing.
pub fn percent_agreement<C: Eq>(units: &[Vec<Option<C>>]) -> PercentAgreement {
    let (mut pairable, mut pairs, mut agreeing) = (0, 0, 0);
    for unit in units {
        let values: Vec<&C> = unit.iter().flatten().collect();
        if values.len() < 2 {
            continue;
        }
        pairable += 1;
        for (i, a) in values.iter().enumerate() {
            for b in &values[i + 1..] {
                pairs += 1;
                agreeing += usize::from(a == b);
            }
        }
    }
    PercentAgreement {
        value: (pairs > 0).then(|| agreeing as f64 / pairs as f64),
        units: pairable,
        pairs,
        small_sample: small(pairable),
    }
}

/// Krippendorff's alpha, nominal metric, from the coincidence matrix:
/// `alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k`.
pub fn krippendorff_alpha<C: Eq + Hash + Clone>(units: &[Vec<Option<C>>]) -> Alpha {
    // Off-diagonal coincidences only: the nominal metric weighs every
    // disagreement 1 and every agreement 0.
    let mut disagreement = 0.0;
    let mut per_category: HashMap<C, f64> = HashMap::new();
    let mut pairable_units = 0;
    for unit in units {
        let values: Vec<&C> = unit.iter().flatten().collect();
        let m = values.len();
        if m < 2 {
            continue;
        }
        pairable_units += 1;
        let weight = 1.0 / (m as f64 - 1.0);
        for (i, a) in values.iter().enumerate() {
            // Each value's row of the matrix sums to 1 (m-1 partners, each
            // weighted 1/(m-1)).
            *per_category.entry((*a).clone()).or_default() += 1.0;
            for (j, b) in values.iter().enumerate() {
                if i != j && a != b {
                    disagreement += weight;
                }
            }
        }
    }
    let n: f64 = per_category.values().sum();
    let total_sq: f64 = per_category.values().map(|n_c| n_c * n_c).sum();
    // sum over c != k of n_c * n_k.
    let expected = n * n - total_sq;
    let value = (n > 1.0 && expected > 0.0).then(|| 1.0 - (n - 1.0) * disagreement / expected);
    Alpha {
        value,
        units: pairable_units,
        values: n as usize,
        small_sample: small(pairable_units),
    }
}

/// Cohen's kappa of `coder` against `reference` over the units both
/// answered: `(p_o - p_e) / (1 - p_e)`.
pub fn cohen_kappa<C: Eq + Hash>(pairs: &[(Option<C>, Option<C>)]) -> Kappa {
    let both: Vec<(&C, &C)> = pairs
        .iter()
        .filter_map(|(a, b)| Some((a.as_ref()?, b.as_ref()?)))
        .collect();
    let n = both.len();
    let mut first: HashMap<&C, usize> = HashMap::new();
    let mut second: HashMap<&C, usize> = HashMap::new();
    let mut agreeing = 0;
    for (a, b) in &both {
        *first.entry(*a).or_default() += 1;
        *second.entry(*b).or_default() += 1;
        agreeing += usize::from(a == b);
    }
    let value = (n > 0).then_some(()).and_then(|()| {
        let n = n as f64;
        let observed = agreeing as f64 / n;
        let chance: f64 = first
            .iter()
            .map(|(c, count)| *count as f64 / n * second.get(c).copied().unwrap_or(0) as f64 / n)
            .sum();
        // Chance agreement 1 means both used one and the same category:
        // kappa is 0/0 there, not 1.
        (chance < 1.0 - 1e-12).then(|| (observed - chance) / (1.0 - chance))
    });
    Kappa {
        value,
        units: n,
        small_sample: small(n),
    }
}

/// Each reviewer's [`ScoreDeviation`] from `(call, reviewer, score)`
/// triples; calls scored by one reviewer only tell nothing and drop out.
pub fn score_deviations(scores: &[(&str, &str, f64)]) -> BTreeMap<String, ScoreDeviation> {
    let mut by_call: BTreeMap<&str, Vec<(&str, f64)>> = BTreeMap::new();
    for (call, reviewer, score) in scores {
        by_call.entry(call).or_default().push((reviewer, *score));
    }
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for scored in by_call.values() {
        for (reviewer, _) in scored {
            sums.entry(reviewer.to_string()).or_insert((0.0, 0));
        }
        if scored.len() < 2 {
            continue;
        }
        let mean = scored.iter().map(|(_, s)| s).sum::<f64>() / scored.len() as f64;
        for (reviewer, score) in scored {
            let entry = sums.entry(reviewer.to_string()).or_insert((0.0, 0));
            entry.0 += score - mean;
            entry.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(reviewer, (sum, calls))| {
            let deviation = ScoreDeviation {
                value: (calls > 0).then(|| sum / calls as f64),
                calls,
                small_sample: small(calls),
            };
            (reviewer, deviation)
        })
        .collect()
}

/// One reviewer's submitted calibration review, as the figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredReview {
    pub call_id: String,
    pub reviewer: String,
    pub score: Option<f64>,
    /// Answered items; an item not here was left unanswered (missing).
    pub answers: HashMap<String, AnswerValue>,
}

/// Agreement on one checklist item across the calibration calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemAgreement {
    pub item_id: String,
    pub percent: PercentAgreement,
    pub alpha: Alpha,
}

/// One reviewer against the lead and against the others' scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerAgreement {
    pub reviewer: String,
    /// Against the lead over every (call, item) both answered; `None` for
    /// the lead.
    pub kappa_vs_lead: Option<Kappa>,
    pub deviation: ScoreDeviation,
}

/// The figures of one calibration set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationFigures {
    pub lead: String,
    pub calls: usize,
    pub small_sample_below: usize,
    pub items: Vec<ItemAgreement>,
    pub reviewers: Vec<ReviewerAgreement>,
}

/// The figures of a calibration set: `items` in checklist order,
/// `reviewers` the set's (the lead among them or not), `reviews` the
/// submitted ones of its calls. A reviewer who has not submitted a call
/// is missing on it.
pub fn calibration_figures(
    items: &[String],
    reviewers: &[String],
    lead: &str,
    reviews: &[ScoredReview],
) -> CalibrationFigures {
    let mut calls: Vec<&str> = reviews.iter().map(|r| r.call_id.as_str()).collect();
    calls.sort_unstable();
    calls.dedup();
    let mut coders: Vec<&str> = reviewers.iter().map(String::as_str).collect();
    if !coders.contains(&lead) {
        coders.push(lead);
    }
    let find = |call: &str, reviewer: &str| {
        reviews
            .iter()
            .find(|r| r.call_id == call && r.reviewer == reviewer)
    };
    let value = |call: &str, reviewer: &str, item: &str| {
        find(call, reviewer).and_then(|r| r.answers.get(item).copied())
    };
    let item_agreements = items
        .iter()
        .map(|item| {
            let units: Vec<Vec<Option<AnswerValue>>> = calls
                .iter()
                .map(|call| coders.iter().map(|c| value(call, c, item)).collect())
                .collect();
            ItemAgreement {
                item_id: item.clone(),
                percent: percent_agreement(&units),
                alpha: krippendorff_alpha(&units),
            }
        })
        .collect();
    let scores: Vec<(&str, &str, f64)> = reviews
        .iter()
        .filter(|r| coders.contains(&r.reviewer.as_str()))
        .filter_map(|r| Some((r.call_id.as_str(), r.reviewer.as_str(), r.score?)))
        .collect();
    let deviations = score_deviations(&scores);
    let reviewers = coders
        .iter()
        .map(|reviewer| {
            let kappa_vs_lead = (*reviewer != lead).then(|| {
                let pairs: Vec<(Option<AnswerValue>, Option<AnswerValue>)> = calls
                    .iter()
                    .flat_map(|call| {
                        items
                            .iter()
                            .map(move |item| (value(call, reviewer, item), value(call, lead, item)))
                    })
                    .collect();
                cohen_kappa(&pairs)
            });
            ReviewerAgreement {
                reviewer: reviewer.to_string(),
                kappa_vs_lead,
                deviation: deviations
                    .get(*reviewer)
                    .cloned()
                    .unwrap_or(ScoreDeviation {
                        value: None,
                        calls: 0,
                        small_sample: true,
                    }),
            }
        })
        .collect();
    CalibrationFigures {
        lead: lead.to_string(),
        calls: calls.len(),
        small_sample_below: SMALL_SAMPLE,
        items: item_agreements,
        reviewers,
    }
}

#[cfg(test)]
#[path = "agreement_tests.rs"]
mod tests;
