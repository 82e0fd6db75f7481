//! Reps: how a name is matched, and the roster that tells the plan who is
//! a newcomer and who is under plan.
//!
//! A rep's name arrives from the PBX, the CRM, the batch and the roster,
//! written by different people ("Анна Смирнова", "анна  смирнова "); every
//! place that asks "is this the same rep?" asks [`rep_key`], so the matcher,
//! the plan and the reports cannot disagree.

use chrono::NaiveDate;
use serde::Serialize;

/// A rep's name reduced to what identifies them: trimmed, inner spaces
/// collapsed, lower case, `ё` read as `е`.
pub fn rep_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

/// Whether two names are the same rep; an empty name is nobody.
pub fn same_rep(a: &str, b: &str) -> bool {
    let (a, b) = (rep_key(a), rep_key(b));
    !a.is_empty() && a == b
}

/// One row of the roster (`crm/reps.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepProfile {
    pub rep: String,
    /// First working day; a rep is a newcomer for a while after it.
    pub started_on: Option<NaiveDate>,
    pub team: String,
    /// Plan attainment for the period, in percent (100 = on plan).
    pub plan_pct: Option<f64>,
}

/// What the plan makes of a rep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RepStanding {
    pub newcomer: bool,
    pub under_plan: bool,
    /// Not in the roster: planned with the default quota, and said so.
    pub unrostered: bool,
}

impl RepProfile {
    /// The rep's standing for a period starting on `period_start`.
    pub fn standing(
        &self,
        period_start: NaiveDate,
        newcomer_days: u32,
        under_plan_below_pct: f64,
    ) -> RepStanding {
        RepStanding {
            newcomer: self.started_on.is_some_and(|start| {
                period_start < start + chrono::Duration::days(i64::from(newcomer_days))
            }),
            under_plan: self.plan_pct.is_some_and(|p| p < under_plan_below_pct),
            unrostered: false,
        }
    }
}

/// A rep as `callqa reps` lists them: the roster row (or only the name, for
/// a rep seen in calls but not in the roster) and what the plan makes of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepRow {
    pub rep: String,
    pub team: String,
    pub started_on: Option<NaiveDate>,
    pub plan_pct: Option<f64>,
    /// The last day the rep counts as a newcomer.
    pub newcomer_until: Option<NaiveDate>,
    pub standing: RepStanding,
}

/// Every rep of the roster and every rep the calls name, by name, with
/// their standing on `as_of`.
pub fn rep_rows(
    roster: &[RepProfile],
    call_reps: &[String],
    as_of: NaiveDate,
    newcomer_days: u32,
    under_plan_below_pct: f64,
) -> Vec<RepRow> {
    let mut rows: Vec<RepRow> = roster
        .iter()
        .map(|r| RepRow {
            rep: r.rep.clone(),
            team: r.team.clone(),
            started_on: r.started_on,
            plan_pct: r.plan_pct,
            newcomer_until: r.started_on.map(|start| {
                start + chrono::Duration::days(i64::from(newcomer_days)) - chrono::Duration::days(1)
            }),
            standing: r.standing(as_of, newcomer_days, under_plan_below_pct),
        })
        .collect();
    for name in call_reps {
        if !rows.iter().any(|row| same_rep(&row.rep, name)) && !rep_key(name).is_empty() {
            rows.push(RepRow {
                rep: name.clone(),
                team: String::new(),
                started_on: None,
                plan_pct: None,
                newcomer_until: None,
                standing: RepStanding {
                    unrostered: true,
                    ..RepStanding::default()
                },
            });
        }
    }
    rows.sort_by_key(|row| rep_key(&row.rep));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_the_spelling_of_spaces_case_and_yo() {
        assert!(same_rep("Пётр  Иванов ", "пётр иванов"));
        assert!(same_rep("Петр Иванов", "Пётр Иванов"));
        assert!(!same_rep("", " "));
        assert!(!same_rep("Анна", "Анна Смирнова"));
    }

    #[test]
    fn newcomers_and_reps_under_plan() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let rep = RepProfile {
            rep: "Анна".into(),
            started_on: Some(day("2026-10-01")),
            team: "A".into(),
            plan_pct: Some(85.0),
        };
        let s = rep.standing(day("2026-11-23"), 90, 90.0);
        assert!(s.newcomer && s.under_plan && !s.unrostered);
        let s = rep.standing(day("2026-12-30"), 90, 80.0);
        assert!(!s.newcomer && !s.under_plan);
    }

    #[test]
    fn the_list_names_reps_seen_only_in_calls() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let roster = [RepProfile {
            rep: "Пётр Иванов".into(),
            started_on: Some(day("2026-11-01")),
            team: "A".into(),
            plan_pct: Some(95.0),
        }];
        let seen = [
            "петр  иванов".to_string(),
            "Анна".to_string(),
            " ".to_string(),
        ];
        let rows = rep_rows(&roster, &seen, day("2026-11-23"), 30, 90.0);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].rep.as_str(), rows[0].standing.unrostered),
            ("Анна", true)
        );
        assert_eq!(rows[1].newcomer_until, Some(day("2026-11-30")));
        assert!(rows[1].standing.newcomer && !rows[1].standing.under_plan);
        let later = rep_rows(&roster, &seen, day("2026-12-01"), 30, 90.0);
        assert!(!later[1].standing.newcomer, "the day after newcomer_until");
    }
}
