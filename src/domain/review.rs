//! One reviewer's scoring of one call: answers per checklist item and the
//! review's life cycle (new, in progress, submitted, reopened).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerValue {
    Yes,
    No,
    /// Not applicable: left out of the score.
    Na,
}

impl AnswerValue {
    pub fn code(self) -> &'static str {
        match self {
            AnswerValue::Yes => "yes",
            AnswerValue::No => "no",
            AnswerValue::Na => "na",
        }
    }
}

impl fmt::Display for AnswerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for AnswerValue {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "yes" => Ok(AnswerValue::Yes),
            "no" => Ok(AnswerValue::No),
            "na" => Ok(AnswerValue::Na),
            other => Err(format!("unknown answer {other:?}")),
        }
    }
}

/// What the reviewer recorded for one item. An item can carry a comment or
/// an evidence position before it has a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub value: Option<AnswerValue>,
    pub comment: Option<String>,
    /// Where in the call (milliseconds) the evidence for this answer is.
    pub evidence_ms: Option<u64>,
    /// Pre-filled by a rule (e.g. "not applicable: no script"), not yet
    /// touched by the reviewer.
    pub automatic: bool,
}

impl Answer {
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.comment.is_none() && self.evidence_ms.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    New,
    InProgress,
    Submitted,
}

impl ReviewStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReviewStatus::New => "new",
            ReviewStatus::InProgress => "in_progress",
            ReviewStatus::Submitted => "submitted",
        }
    }
}

impl FromStr for ReviewStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "new" => Ok(ReviewStatus::New),
            "in_progress" => Ok(ReviewStatus::InProgress),
            "submitted" => Ok(ReviewStatus::Submitted),
            other => Err(format!("unknown review status {other:?}")),
        }
    }
}
