//! The review score: weighted share of "yes" among the answered, applicable
//! items. "Not applicable" and unanswered items are left out, so the live
//! score while listening means "so far"; a failed critical item zeroes it.

use super::checklist::Checklist;
use super::review::{Answer, AnswerValue};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// 0..=100, or None while no applicable item is answered.
    pub percent: Option<f64>,
    pub answered: usize,
    pub total: usize,
    pub critical_failed: bool,
}

impl Score {
    pub fn unanswered(&self) -> usize {
        self.total - self.answered
    }
}

pub fn score(checklist: &Checklist, answers: &HashMap<String, Answer>) -> Score {
    let mut earned = 0.0;
    let mut possible = 0.0;
    let mut answered = 0;
    let mut critical_failed = false;
    for item in &checklist.items {
        let Some(value) = answers.get(&item.id).and_then(|a| a.value) else {
            continue;
        };
        answered += 1;
        match value {
            AnswerValue::Yes => {
                earned += item.weight;
                possible += item.weight;
            }
            AnswerValue::No => {
                possible += item.weight;
                critical_failed |= item.critical;
            }
            AnswerValue::Na => {}
        }
    }
    let percent = if critical_failed {
        Some(0.0)
    } else if possible > 0.0 {
        Some(100.0 * earned / possible)
    } else {
        None
    };
    Score {
        percent,
        answered,
        total: checklist.items.len(),
        critical_failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, AnswerValue)]) -> HashMap<String, Answer> {
        pairs
            .iter()
            .map(|(id, v)| {
                (
                    id.to_string(),
                    Answer {
                        value: Some(*v),
                        ..Answer::default()
                    },
                )
            })
            .collect()
    }

    #[test]
    fn weights_count_and_na_is_left_out() {
        let c = Checklist::default_sales_call();
        // greeting (1) yes, business (2) no, script (1) na
        let s = score(
            &c,
            &answers(&[
                ("greeting", AnswerValue::Yes),
                ("business", AnswerValue::No),
                ("script", AnswerValue::Na),
            ]),
        );
        assert_eq!(s.answered, 3);
        assert_eq!(s.total, c.items.len());
        let p = s.percent.unwrap();
        assert!((p - 100.0 / 3.0).abs() < 1e-9, "{p}");
        assert!(!s.critical_failed);
    }

    #[test]
    fn nothing_answered_has_no_score_and_all_na_has_none_either() {
        let c = Checklist::default_sales_call();
        assert_eq!(score(&c, &HashMap::new()).percent, None);
        let s = score(&c, &answers(&[("script", AnswerValue::Na)]));
        assert_eq!(s.percent, None);
        assert_eq!(s.unanswered(), c.items.len() - 1);
    }

    #[test]
    fn failed_critical_item_zeroes_the_score() {
        let c = Checklist::default_sales_call();
        let s = score(
            &c,
            &answers(&[
                ("greeting", AnswerValue::Yes),
                ("summary", AnswerValue::Yes),
                ("crm_matches", AnswerValue::No),
            ]),
        );
        assert!(s.critical_failed);
        assert_eq!(s.percent, Some(0.0));
        let s = score(
            &c,
            &answers(&[
                ("greeting", AnswerValue::Yes),
                ("crm_matches", AnswerValue::Yes),
            ]),
        );
        assert_eq!(s.percent, Some(100.0));
    }

    #[test]
    fn comment_without_value_is_not_answered() {
        let c = Checklist::default_sales_call();
        let mut a = HashMap::new();
        a.insert(
            "greeting".to_string(),
            Answer {
                comment: Some("later".into()),
                ..Answer::default()
            },
        );
        assert_eq!(score(&c, &a).answered, 0);
    }
}
