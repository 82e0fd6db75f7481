//! The thresholds of the results a client may change (`assets/results.toml`,
//! kept per workspace): when an error counts as repeated, how many weeks a
//! trend shows, what a week's review count is measured against, and the
//! score bands. Parsed as strictly as the sampling rules, every message
//! naming the file.

use crate::domain::sampling::RulesError;
use serde::{Deserialize, Serialize};

/// The defaults, embedded.
pub const DEFAULT_RESULTS_TOML: &str = include_str!("../../assets/results.toml");

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRules {
    pub version: u32,
    pub repeated: RepeatedRule,
    pub report: ReportRule,
    pub score: ScoreBands,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatedRule {
    pub min_failures_in_week: u32,
    pub consecutive_weeks: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRule {
    pub trend_weeks: u32,
    pub top_failed_items: usize,
    pub expected_reviews_per_week: u32,
}

/// Score colours, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBands {
    pub good_from: f64,
    pub poor_below: f64,
}

/// How a score reads against [`ScoreBands`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Good,
    Middling,
    Poor,
}

impl ScoreBands {
    pub fn band(&self, percent: f64) -> Band {
        if percent >= self.good_from {
            Band::Good
        } else if percent < self.poor_below {
            Band::Poor
        } else {
            Band::Middling
        }
    }
}

impl ResultRules {
    pub fn defaults() -> ResultRules {
        ResultRules::from_toml(DEFAULT_RESULTS_TOML, "assets/results.toml")
            .expect("the bundled results rules are valid")
    }

    /// Parse and check; `file` names the source in every message.
    pub fn from_toml(text: &str, file: &str) -> Result<ResultRules, RulesError> {
        let error = |reason: String| RulesError {
            file: file.to_string(),
            reason,
        };
        let rules: ResultRules =
            toml::from_str(text).map_err(|e| error(e.to_string().trim().to_string()))?;
        if rules.repeated.min_failures_in_week < 2 {
            return Err(error(format!(
                "[repeated] min_failures_in_week = {}: an error is repeated from 2 failures on",
                rules.repeated.min_failures_in_week
            )));
        }
        if !(1..=104).contains(&rules.report.trend_weeks) {
            return Err(error(format!(
                "[report] trend_weeks = {}: from 1 to 104 weeks",
                rules.report.trend_weeks
            )));
        }
        let ScoreBands {
            good_from,
            poor_below,
        } = rules.score;
        let percent = 0.0..=100.0;
        if !(percent.contains(&good_from) && percent.contains(&poor_below))
            || poor_below > good_from
        {
            return Err(error(format!(
                "[score] good_from = {good_from}, poor_below = {poor_below}: percentages from 0 to 100, poor_below not above good_from"
            )));
        }
        Ok(rules)
    }
}
