//! The report's views: one table per thing a sales head looks at (team
//! overview, items, trends, repeated errors, telephony, ranking, emails,
//! mystery shopping), each cell
//! typed, so the XLSX writes numbers as numbers with a format, the CSV
//! rounds them for people and the HTML colours scores the same way.

use super::Report;
use crate::domain::mystery::Measure;
use crate::domain::results::Band;
use crate::domain::results::{EmailResults, ItemResult, RepeatedError};
use crate::i18n::mystery;
use crate::i18n::report::{repeated_why, report_strings};
use crate::text::clock;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A share, 0..=1.
    Percent(Option<f64>),
    /// A review score, 0..=100, coloured by the rules' bands.
    Score(Option<f64>),
    /// Seconds, shown to one decimal.
    Seconds(Option<f64>),
    /// A position or duration in milliseconds, shown `m:ss`.
    Clock(Option<u64>),
    /// Text linking to a file next to the report (an audio excerpt).
    Link {
        text: String,
        target: String,
    },
}

impl Cell {
    /// The cell as a person reads it: shares and scores rounded.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) | Cell::Link { text: t, .. } => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Percent(Some(p)) => format!("{:.0}%", p * 100.0),
            Cell::Score(Some(s)) => format!("{s:.1}"),
            Cell::Seconds(Some(s)) => format!("{s:.1}"),
            Cell::Clock(Some(ms)) => clock(*ms),
            Cell::Percent(None) | Cell::Score(None) | Cell::Seconds(None) | Cell::Clock(None) => {
                String::new()
            }
        }
    }
}

/// A line chart over weeks, drawn from a view's rows: each row a series
/// (its first cell the name, the rest one value per week).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// Values are shares (0..1) rather than scores (0..100).
    pub shares: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Stable, file- and sheet-safe: `overview`, `items`, ...
    pub key: &'static str,
    pub title: String,
    /// Shown above the table (and instead of it when there are no rows).
    pub note: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<Chart>,
}

impl View {
    /// Per row, the band of its score cells, for colours.
    pub fn band(report: &Report, cell: &Cell) -> Option<Band> {
        match cell {
            Cell::Score(Some(s)) => Some(report.rules.score.band(*s)),
            _ => None,
        }
    }
}

/// Every view of the report, in reading order.
pub fn views(report: &Report) -> Vec<View> {
    let mut views = vec![overview(report), items(report)];
    views.extend(trends(report));
    views.push(repeated(report));
    views.push(best_calls(report));
    views.push(telephony(report));
    // A channel without reviews in the period is simply absent.
    if let Some(emails) = &report.results.emails {
        views.push(email_overview(report, emails));
        views.push(email_items(report, emails));
    }
    if !report.mystery.is_empty() {
        views.push(mystery_shopping(report));
    }
    if report.ranking {
        views.push(ranking(report));
    }
    views.extend(super::calibration::views(report));
    views.extend(super::disputes::views(report));
    views
}

fn strings(report: &Report) -> &'static crate::i18n::report::ReportStrings {
    report_strings(report.lang)
}

fn ms_to_s(ms: Option<f64>) -> Cell {
    Cell::Seconds(ms.map(|v| v / 1000.0))
}

fn overview(report: &Report) -> View {
    let t = strings(report);
    let rows = report
        .results
        .reps
        .iter()
        .map(|r| {
            let crm = report.crm.get(&r.rep).copied();
            let crm_cell = |f: fn(&super::CrmFigures) -> usize| {
                crm.map_or(Cell::Text(String::new()), |c| Cell::Int(f(&c) as i64))
            };
            vec![
                Cell::Text(r.rep.clone()),
                Cell::Text(report.team_of(&r.rep).to_string()),
                Cell::Int(r.reviews as i64),
                Cell::Int(i64::from(r.expected)),
                Cell::Score(r.average_score),
                Cell::Int(r.critical_failures as i64),
                failed_list(report, &r.top_failed),
                Cell::Int(r.repeated_errors as i64),
                Cell::Int(i64::from(r.weeks_without_repeated)),
                Cell::Clock(Some(r.time_spent_ms)),
                Cell::Percent(r.talk_share_rep),
                ms_to_s(r.longest_monologue_ms),
                ms_to_s(r.dead_air_ms),
                crm_cell(|c| c.overdue_tasks),
                crm_cell(|c| c.calls_not_written_up),
                crm_cell(|c| c.clients_not_contacted_3m),
            ]
        })
        .collect();
    View {
        key: "overview",
        title: t.overview.into(),
        note: report
            .is_empty()
            .then(|| t.no_reviews.into())
            .or_else(|| super::disputes::open_per_rep(report)),
        columns: [
            t.rep,
            t.team,
            t.reviews,
            t.expected,
            t.average_score,
            t.critical_failures,
            t.top_failed,
            t.repeated_errors,
            t.weeks_without_repeated,
            t.time_spent,
            t.talk_share,
            t.longest_monologue,
            t.dead_air,
            t.overdue_tasks,
            t.not_written_up,
            t.stale_clients,
        ]
        .map(String::from)
        .to_vec(),
        rows,
        chart: None,
    }
}

fn items(report: &Report) -> View {
    let t = strings(report);
    let reps: Vec<&str> = report.results.reps.iter().map(|r| r.rep.as_str()).collect();
    item_rates(report, ("items", t.items), &reps, &report.results.items)
}

/// Failure rates of a checklist's items, for the team and per rep.
fn item_rates(
    report: &Report,
    (key, title): (&'static str, &str),
    reps: &[&str],
    items: &[ItemResult],
) -> View {
    let t = strings(report);
    let mut columns: Vec<String> = [t.item, t.critical, t.answered, t.failed, t.failure_rate]
        .map(String::from)
        .to_vec();
    columns.extend(reps.iter().map(|r| r.to_string()));
    let rows = items
        .iter()
        .map(|item| {
            let critical = report
                .item_texts
                .get(&item.item_id)
                .is_some_and(|i| i.critical);
            let mut row = vec![
                Cell::Text(report.item_text(&item.item_id)),
                Cell::Text(if critical {
                    t.critical.into()
                } else {
                    String::new()
                }),
                Cell::Int(item.team.answered as i64),
                Cell::Int(item.team.failed as i64),
                Cell::Percent(item.team.share()),
            ];
            row.extend(item.per_rep.iter().map(|r| Cell::Percent(r.share())));
            row
        })
        .collect();
    View {
        key,
        title: title.into(),
        note: None,
        columns,
        rows,
        chart: None,
    }
}

/// Item ids with their failures, as the overviews list them.
fn failed_list(report: &Report, failed: &[(String, usize)]) -> Cell {
    Cell::Text(
        failed
            .iter()
            .map(|(id, n)| format!("{} ×{n}", report.item_text(id)))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// A stored local time as people read it: `2026-11-23 10:00`.
fn when(stored: &str) -> Cell {
    Cell::Text(stored.get(..16).unwrap_or(stored).replace('T', " "))
}

fn email_overview(report: &Report, emails: &EmailResults) -> View {
    let t = strings(report);
    View {
        key: "emails",
        title: t.emails.into(),
        note: None,
        columns: [
            t.rep,
            t.team,
            t.reviews,
            t.average_score,
            t.critical_failures,
            t.top_failed,
            t.repeated_errors,
        ]
        .map(String::from)
        .to_vec(),
        rows: emails
            .reps
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.rep.clone()),
                    Cell::Text(report.team_of(&r.rep).to_string()),
                    Cell::Int(r.reviews as i64),
                    Cell::Score(r.average_score),
                    Cell::Int(r.critical_failures as i64),
                    failed_list(report, &r.top_failed),
                    Cell::Int(r.repeated_errors as i64),
                ]
            })
            .collect(),
        chart: None,
    }
}

fn email_items(report: &Report, emails: &EmailResults) -> View {
    let t = strings(report);
    let reps: Vec<&str> = emails.reps.iter().map(|r| r.rep.as_str()).collect();
    item_rates(report, ("email-items", t.email_items), &reps, &emails.items)
}

/// Each visit with its speeds against the client's limits and the score
/// of its review.
fn mystery_shopping(report: &Report) -> View {
    let t = strings(report);
    let lang = report.lang;
    let mut columns: Vec<String> = [t.visit, t.scenario, t.channel, t.shopper, t.rep, t.team]
        .map(String::from)
        .to_vec();
    columns.push(t.requested.into());
    for m in Measure::ALL {
        columns.push(mystery::measure(lang, m).into());
        columns.push(format!("{} — {}", mystery::measure(lang, m), t.verdict));
    }
    columns.push(t.review_score.into());
    let rows = report
        .mystery
        .iter()
        .map(|row| {
            let v = &row.visit;
            let rep = v.rep.clone().unwrap_or_default();
            let team = v
                .team
                .clone()
                .unwrap_or_else(|| report.team_of(&rep).to_string());
            let requested = v.requested_at.map(|t| t.to_rfc3339()).unwrap_or_default();
            let mut cells = vec![
                Cell::Text(v.visit_id.clone()),
                Cell::Text(v.scenario.clone()),
                Cell::Text(mystery::channel(lang, v.channel).into()),
                Cell::Text(v.shopper.clone()),
                Cell::Text(rep),
                Cell::Text(team),
                when(&requested),
            ];
            for speed in &row.speeds {
                cells.push(Cell::Text(
                    speed
                        .seconds
                        .map_or_else(String::new, |s| mystery::span(lang, s)),
                ));
                cells.push(Cell::Text(mystery::verdict(lang, speed.verdict).into()));
            }
            cells.push(Cell::Score(row.score));
            cells
        })
        .collect();
    View {
        key: "mystery",
        title: t.mystery.into(),
        note: None,
        columns,
        rows,
        chart: None,
    }
}

/// One rep's failed email items of the period, with the quoted line as
/// evidence, for the rep's feedback sheet; `None` without one.
pub fn email_failures(report: &Report, rep: &str) -> Option<View> {
    let t = strings(report);
    let emails = report.results.emails.as_ref()?;
    let key = crate::domain::reps::rep_key(rep);
    let mine = |name: &str| crate::domain::reps::rep_key(name) == key;
    let repeated = |item_id: &str| {
        emails
            .repeated
            .iter()
            .find(|e: &&RepeatedError| mine(&e.rep) && e.item_id == item_id)
            .map(|e| {
                repeated_why(
                    report.lang,
                    e.why,
                    report.rules.repeated.min_failures_in_week,
                )
            })
    };
    let rows: Vec<Vec<Cell>> = emails
        .items
        .iter()
        .flat_map(|item| {
            item.failures
                .iter()
                .filter(|(r, _)| mine(r))
                .map(|(_, o)| {
                    vec![
                        Cell::Text(report.item_text(&item.item_id)),
                        Cell::Text(repeated(&item.item_id).unwrap_or_default()),
                        Cell::Text(o.call_id.clone()),
                        when(&o.started_at),
                        Cell::Text(o.evidence_text.clone().unwrap_or_default()),
                        Cell::Text(o.reviewer.clone()),
                        Cell::Text(o.comment.clone().unwrap_or_default()),
                    ]
                })
                .collect::<Vec<_>>()
        })
        .collect();
    (!rows.is_empty()).then(|| View {
        key: "email-failures",
        title: t.email_failures.into(),
        note: None,
        columns: [
            t.item,
            t.repeated_mark,
            t.email,
            t.when,
            t.quote,
            t.reviewer,
            t.comment,
        ]
        .map(String::from)
        .to_vec(),
        rows,
        chart: None,
    })
}

/// The trend weeks as column titles (`2026-W48`).
pub fn trend_week_names(report: &Report) -> Vec<String> {
    report
        .results
        .trend_weeks
        .iter()
        .map(|w| w.to_string())
        .collect()
}

fn trends(report: &Report) -> [View; 2] {
    let t = strings(report);
    let weeks = trend_week_names(report);
    let with_weeks = |first: &str| {
        let mut columns = vec![first.to_string()];
        columns.extend(weeks.iter().cloned());
        columns
    };
    let scores = report
        .results
        .reps
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Text(r.rep.clone())];
            row.extend(r.trend.iter().map(|s| Cell::Score(*s)));
            row
        })
        .collect();
    let failures = report
        .results
        .items
        .iter()
        .filter(|i| i.trend.iter().any(Option::is_some))
        .map(|i| {
            let mut row = vec![Cell::Text(report.item_text(&i.item_id))];
            row.extend(i.trend.iter().map(|s| Cell::Percent(*s)));
            row
        })
        .collect();
    [
        View {
            key: "score-trend",
            title: t.score_trend.into(),
            note: None,
            columns: with_weeks(t.rep),
            rows: scores,
            chart: Some(Chart {
                title: t.score_trend.into(),
                shares: false,
            }),
        },
        View {
            key: "item-trend",
            title: t.item_trend.into(),
            note: None,
            columns: with_weeks(t.item),
            rows: failures,
            chart: Some(Chart {
                title: t.item_trend.into(),
                shares: true,
            }),
        },
    ]
}

fn repeated(report: &Report) -> View {
    let t = strings(report);
    let min = report.rules.repeated.min_failures_in_week;
    let mut rows = Vec::new();
    for e in &report.results.repeated {
        for o in &e.occurrences {
            rows.push(vec![
                Cell::Text(e.rep.clone()),
                Cell::Text(report.item_text(&e.item_id)),
                Cell::Text(e.week.to_string()),
                Cell::Text(repeated_why(report.lang, e.why, min)),
                Cell::Text(o.call_id.clone()),
                when(&o.started_at),
                Cell::Clock(o.evidence_ms),
                Cell::Text(o.reviewer.clone()),
                Cell::Text(o.comment.clone().unwrap_or_default()),
                Cell::Text(mystery::channel(report.lang, e.channel).into()),
                Cell::Text(o.evidence_text.clone().unwrap_or_default()),
            ]);
        }
    }
    View {
        key: "repeated",
        title: t.repeated.into(),
        note: rows.is_empty().then(|| t.nothing_repeated.into()),
        columns: [
            t.rep, t.item, t.week, t.why, t.call, t.when, t.moment, t.reviewer, t.comment,
            t.channel, t.quote,
        ]
        .map(String::from)
        .to_vec(),
        rows,
        chart: None,
    }
}

/// The article: play the best talkers' calls to the others. Each call a
/// reviewer marked, with the moment to start listening and why.
fn best_calls(report: &Report) -> View {
    let t = strings(report);
    let rows: Vec<Vec<Cell>> = report
        .best_calls
        .iter()
        .map(|m| {
            vec![
                Cell::Text(m.rep.clone()),
                Cell::Text(m.best.call_id.clone()),
                when(&m.started_at),
                Cell::Clock(Some(m.best.position_ms)),
                Cell::Text(m.best.reviewer.clone()),
                Cell::Text(m.best.reason.clone()),
            ]
        })
        .collect();
    View {
        key: "best-calls",
        title: t.best_calls.into(),
        note: rows.is_empty().then(|| t.no_best_calls.into()),
        columns: [t.rep, t.call, t.when, t.moment, t.reviewer, t.why]
            .map(String::from)
            .to_vec(),
        rows,
        chart: None,
    }
}

fn telephony(report: &Report) -> View {
    let t = strings(report);
    let rows: Vec<Vec<Cell>> = report
        .results
        .telephony
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.rep.clone()),
                Cell::Int(r.reviews as i64),
                failed_list(report, &r.failed),
            ]
        })
        .collect();
    View {
        key: "telephony",
        title: t.telephony.into(),
        note: Some(if rows.is_empty() {
            t.no_telephony.into()
        } else {
            t.telephony_note.into()
        }),
        columns: [t.rep, t.reviews, t.failed_items]
            .map(String::from)
            .to_vec(),
        rows,
        chart: None,
    }
}

fn ranking(report: &Report) -> View {
    let t = strings(report);
    let mut reps: Vec<_> = report.results.reps.iter().collect();
    reps.sort_by(|a, b| {
        b.average_score
            .unwrap_or(-1.0)
            .total_cmp(&a.average_score.unwrap_or(-1.0))
            .then_with(|| b.weeks_without_repeated.cmp(&a.weeks_without_repeated))
            .then_with(|| a.rep.cmp(&b.rep))
    });
    View {
        key: "ranking",
        title: t.ranking.into(),
        note: None,
        columns: [
            t.rank,
            t.rep,
            t.average_score,
            t.reviews,
            t.weeks_without_repeated,
        ]
        .map(String::from)
        .to_vec(),
        rows: reps
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    Cell::Int(i as i64 + 1),
                    Cell::Text(r.rep.clone()),
                    Cell::Score(r.average_score),
                    Cell::Int(r.reviews as i64),
                    Cell::Int(i64::from(r.weeks_without_repeated)),
                ]
            })
            .collect(),
        chart: None,
    }
}
