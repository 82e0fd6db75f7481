//! The results deliverable (`callqa report`, `callqa feedback`): the
//! figures of `domain::results` for a period, with the item texts, CRM
//! audit figures and names a sales head needs, laid out once as views
//! (tables of typed cells) that each format writes its own way. JSON is the
//! exception: it carries the figures exactly, not the views.

pub mod calibration;
pub mod csv;
pub mod disputes;
pub mod excerpts;
pub mod feedback;
pub mod html;
pub mod json;
pub mod view;
pub mod xlsx;

use crate::domain::email_checks::DEFAULT_EMAIL_CHECKLIST_TOML;
use crate::domain::mystery::{MYSTERY_CHECKLIST_ID, MysteryRules};
use crate::domain::reps::rep_key;
use crate::domain::results::{
    Inputs, ItemAnswer, MysteryRow, ResultRules, Results, ReviewFact, ReviewKind, Span,
    mystery_rows, results,
};
use crate::domain::{Checklist, Lang, scoring};
use crate::reports::audit::{AuditData, required_fields};
use crate::store::{MarkedCall, ReportReview, VisitFilter, Workspace};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Xlsx,
    Html,
    Csv,
    Json,
}

/// What to report on.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub span: Span,
    /// Trend window; default from the rules.
    pub weeks: Option<u32>,
    pub team: Option<String>,
    pub rep: Option<String>,
    pub ranking: bool,
}

/// An item of the checklist as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemText {
    pub text: String,
    pub hint: Option<String>,
    pub critical: bool,
}

/// CRM audit figures of a rep as of the end of the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CrmFigures {
    pub overdue_tasks: usize,
    pub calls_not_written_up: usize,
    pub clients_not_contacted_3m: usize,
}

/// Everything a report or feedback sheet shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub lang: Lang,
    pub rules: ResultRules,
    /// `--team` / `--rep` as given.
    pub team: Option<String>,
    pub rep: Option<String>,
    pub ranking: bool,
    pub results: Results,
    /// Item id -> its text in the workspace language (quality and telephony).
    pub item_texts: HashMap<String, ItemText>,
    /// Rep name (as in `results.reps`) -> CRM figures.
    pub crm: HashMap<String, CrmFigures>,
    /// Rep name (as in `results.reps`, the email figures or the visits) ->
    /// team, from the roster (`crm/reps.csv`); a rep not on it has none.
    pub teams: HashMap<String, String>,
    /// Calls reviewers marked as examples to learn from, with the moment.
    pub best_calls: Vec<MarkedCall>,
    /// The mystery-shopping visits requested in the period.
    pub mystery: Vec<MysteryRow>,
    /// Calibration sets with their agreement figures.
    pub calibration: Vec<calibration::SetFigures>,
    /// The reps' disputes of failed items, open and resolved.
    pub disputes: Vec<crate::store::ItemResponse>,
    /// The review behind each failed item: the feedback sheet's keys.
    #[serde(skip)]
    pub failed_reviews: crate::store::FailedItemReviews,
}

impl Report {
    pub fn item_text(&self, id: &str) -> String {
        self.item_texts
            .get(id)
            .map_or_else(|| id.to_string(), |t| t.text.clone())
    }

    /// The rep's team from the roster; empty when not on it.
    pub fn team_of(&self, rep: &str) -> &str {
        self.teams.get(rep).map_or("", String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.results.quality_reviews == 0
            && self.results.telephony.is_empty()
            && self.results.emails.is_none()
            && self.mystery.is_empty()
    }

    pub fn period_label(&self) -> String {
        let weeks = &self.results.weeks;
        let span = self.results.span;
        match weeks.as_slice() {
            [week] if Span::week(*week) == span => format!("{week} ({} – {})", span.from, span.to),
            _ => format!("{} – {}", span.from, span.to),
        }
    }
}

/// The telephony checklist's id: its reviews never count toward quality.
fn telephony_id() -> String {
    Checklist::default_telephony().id
}

/// The bundled email checklist: its id tells an email review, its items
/// order the email figures.
fn email_checklist() -> anyhow::Result<Checklist> {
    Ok(Checklist::from_toml(
        DEFAULT_EMAIL_CHECKLIST_TOML,
        "assets/checklists/email.toml",
    )?)
}

/// Gather a report from the workspace.
pub fn gather(
    ws: &Workspace,
    lang: Lang,
    rules: &ResultRules,
    options: &ReportOptions,
) -> anyhow::Result<Report> {
    let mut stored = ws.report_reviews(options.span.to)?;
    stored.extend(ws.visit_report_reviews(options.span.to)?);
    let teams = ws.rep_teams()?;
    let wanted = |rep: &str| -> bool {
        let key = rep_key(rep);
        options.rep.as_ref().is_none_or(|r| rep_key(r) == key)
            && options.team.as_ref().is_none_or(|t| {
                teams
                    .get(&key)
                    .is_some_and(|team| rep_key(team) == rep_key(t))
            })
    };
    if options.team.is_some() && teams.is_empty() {
        anyhow::bail!(
            "--team needs the rep roster (crm/reps.csv in a batch); this workspace has none"
        );
    }
    let mut checklists: HashMap<(String, u32), Option<Checklist>> = HashMap::new();
    let email = email_checklist()?;
    let kinds = Kinds {
        telephony: telephony_id(),
        email: email.id.clone(),
    };
    let mut facts = Vec::new();
    for review in stored.into_iter().filter(|r| wanted(&r.rep)) {
        let key = (review.checklist_id.clone(), review.checklist_version);
        let parts = Checklist::parts_of(&key.0, key.1).into_iter().flatten();
        for key in [key.clone()].into_iter().chain(parts) {
            if !checklists.contains_key(&key) {
                checklists.insert(key.clone(), ws.checklist(&key.0, key.1)?);
            }
        }
        facts.extend(facts_of(review, &checklists, &kinds));
    }
    let current = Checklist::default_sales_call();
    let ids = |c: &Checklist| -> Vec<String> { c.items.iter().map(|i| i.id.clone()).collect() };
    let (item_order, email_item_order) = (ids(&current), ids(&email));
    let planned = ws.planned_quality_calls(&options.span.weeks())?;
    let inputs = Inputs {
        rules,
        span: options.span,
        trend_weeks: options.weeks.unwrap_or(rules.report.trend_weeks),
        item_order: &item_order,
        email_item_order: &email_item_order,
        planned: &planned,
    };
    let results = results(&inputs, &facts);
    let visits = ws
        .visits(&VisitFilter::default())?
        .into_iter()
        .map(|s| s.visit)
        .filter(|v| {
            let team_wanted = options.team.as_ref().is_none_or(|t| {
                v.team
                    .as_ref()
                    .is_some_and(|team| rep_key(team) == rep_key(t))
            });
            match &v.rep {
                Some(rep) => wanted(rep),
                // A visit that reached a team, not a rep, is in its team's report.
                None => options.rep.is_none() && team_wanted,
            }
        })
        .collect();
    let mystery_rules = ws
        .mystery_rules()?
        .map_or_else(MysteryRules::defaults, |(rules, _)| rules);
    let mystery = mystery_rows(
        visits,
        &mystery_rules,
        chrono::Local::now().fixed_offset(),
        options.span,
        &facts,
    );
    let mut item_texts = HashMap::new();
    // Older versions first, so the newest wording wins.
    let mut known: Vec<&Checklist> = checklists.values().flatten().collect();
    known.sort_by_key(|c| c.version);
    let mystery_checklist = crate::domain::mystery::checklist();
    for checklist in known.into_iter().chain([
        &current,
        &Checklist::default_telephony(),
        &email,
        &mystery_checklist,
    ]) {
        for item in &checklist.items {
            item_texts.insert(
                item.id.clone(),
                ItemText {
                    text: item.text.get(lang).to_string(),
                    hint: item.hint.as_ref().map(|h| h.get(lang).to_string()),
                    critical: item.critical,
                },
            );
        }
    }
    let crm = crm_figures(ws, &results, options.span)?;
    let email_reps = results.emails.iter().flat_map(|e| &e.reps).map(|r| &r.rep);
    let visit_reps = mystery.iter().filter_map(|m| m.visit.rep.as_ref());
    let teams = results
        .reps
        .iter()
        .map(|r| &r.rep)
        .chain(email_reps)
        .chain(visit_reps)
        .filter_map(|rep| Some((rep.clone(), teams.get(&rep_key(rep))?.clone())))
        .collect();
    let best_calls = ws
        .best_calls(&options.span.from.to_string(), &options.span.to.to_string())?
        .into_iter()
        .filter(|marked| wanted(&marked.rep))
        .collect();
    Ok(Report {
        lang,
        rules: rules.clone(),
        team: options.team.clone(),
        rep: options.rep.clone(),
        ranking: options.ranking,
        results,
        item_texts,
        crm,
        teams,
        best_calls,
        mystery,
        calibration: calibration::gather(ws, &current, None)?,
        disputes: disputes::of_reps(ws, &wanted)?,
        failed_reviews: ws.failed_item_reviews()?,
    })
}

/// The results rules the workspace keeps, else the bundled ones.
pub fn workspace_rules(ws: &Workspace) -> anyhow::Result<ResultRules> {
    Ok(ws
        .result_rules()?
        .map_or_else(ResultRules::defaults, |(rules, _)| rules))
}

/// Make `rules` (parsed from `toml_text`) the workspace's from now on.
/// Other content under the version in use is refused, as for the sampling
/// rules: a version number keeps meaning one set of rules.
pub fn keep_rules(ws: &Workspace, rules: &ResultRules, toml_text: &str) -> anyhow::Result<()> {
    if let Some((stored, text)) = ws.result_rules()?
        && stored.version == rules.version
        && text != toml_text
    {
        anyhow::bail!(
            "results rules version {} are already in the workspace with different content; raise `version` in the TOML",
            rules.version
        );
    }
    Ok(ws.set_result_rules(toml_text)?)
}

/// The checklist ids that tell a review's kind; any other is a call's
/// quality review.
struct Kinds {
    telephony: String,
    email: String,
}

impl Kinds {
    fn of(&self, checklist_id: &str) -> ReviewKind {
        if checklist_id == self.telephony {
            ReviewKind::Telephony
        } else if checklist_id == self.email {
            ReviewKind::Email
        } else if checklist_id == MYSTERY_CHECKLIST_ID {
            ReviewKind::Mystery
        } else {
            ReviewKind::Quality
        }
    }
}

/// The facts of a stored review: one, scored against its checklist; or for
/// a checklist composed of two (a shopper's call or email: the sales-call
/// or email items with the mystery-shopper ones on top), one per part, so
/// the call's items count as a call's and the mystery items as the
/// visit's. The review time goes with the first part. None when a
/// checklist it needs is not in the workspace.
fn facts_of(
    review: ReportReview,
    checklists: &HashMap<(String, u32), Option<Checklist>>,
    kinds: &Kinds,
) -> Vec<ReviewFact> {
    let stored = |key: &(String, u32)| checklists.get(key).and_then(Option::as_ref);
    let parts = Checklist::parts_of(&review.checklist_id, review.checklist_version)
        .and_then(|[base, top]| Some((stored(&base)?, stored(&top)?)));
    let Some((base, top)) = parts else {
        let key = (review.checklist_id.clone(), review.checklist_version);
        return fact(review, stored(&key), kinds).into_iter().collect();
    };
    let answers = review
        .answers
        .iter()
        .map(|a| (a.item_id.clone(), a.clone()));
    let (in_base, in_top) = Checklist::split_by_part(base, top, answers);
    let part = |checklist: &Checklist, answers: Vec<(String, ItemAnswer)>, time_spent_ms| {
        let review = ReportReview {
            checklist_id: checklist.id.clone(),
            checklist_version: checklist.version,
            time_spent_ms,
            answers: answers
                .into_iter()
                .map(|(id, a)| ItemAnswer { item_id: id, ..a })
                .collect(),
            ..review.clone()
        };
        fact(review, Some(checklist), kinds)
    };
    [
        part(base, in_base, review.time_spent_ms),
        part(top, in_top, 0),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A stored review scored with `domain::scoring` against the checklist it
/// used; None when that checklist is not in the workspace.
fn fact(review: ReportReview, checklist: Option<&Checklist>, kinds: &Kinds) -> Option<ReviewFact> {
    let checklist = checklist?;
    let day = review.day()?;
    let answers: HashMap<String, crate::domain::Answer> = review
        .answers
        .iter()
        .map(|a| {
            (
                a.item_id.clone(),
                crate::domain::Answer {
                    value: Some(a.value),
                    ..Default::default()
                },
            )
        })
        .collect();
    let score = scoring::score(checklist, &answers);
    Some(ReviewFact {
        kind: kinds.of(&review.checklist_id),
        call_id: review.call_id,
        channel: review.channel,
        rep: review.rep,
        reviewer: review.reviewer,
        day,
        started_at: review.started_at,
        score: score.percent,
        critical_failed: score.critical_failed,
        time_spent_ms: review.time_spent_ms,
        answers: review.answers,
        audio: review.audio,
    })
}

/// The CRM audit as of the end of the span, per rep of the report.
fn crm_figures(
    ws: &Workspace,
    results: &Results,
    span: Span,
) -> anyhow::Result<HashMap<String, CrmFigures>> {
    if results.reps.is_empty() {
        return Ok(HashMap::new());
    }
    let data = AuditData::load(ws)?;
    let end = span.to.and_hms_opt(23, 59, 59).expect("a valid time");
    use chrono::TimeZone;
    let as_of = chrono::Local
        .from_local_datetime(&end)
        .earliest()
        .map(|t| t.fixed_offset());
    let Ok(audit) = data.report(&required_fields(ws)?, as_of) else {
        return Ok(HashMap::new());
    };
    let by_key: HashMap<String, &crate::domain::audit::AuditRow> =
        audit.reps.iter().map(|r| (rep_key(&r.rep), r)).collect();
    Ok(results
        .reps
        .iter()
        .filter_map(|rep| {
            let row = by_key.get(&rep_key(&rep.rep))?;
            Some((
                rep.rep.clone(),
                CrmFigures {
                    overdue_tasks: row.overdue_tasks.len(),
                    calls_not_written_up: row.calls_without_write_up.len(),
                    clients_not_contacted_3m: row.not_contacted_3m.len(),
                },
            ))
        })
        .collect())
}

/// A name made safe for a file: letters (any script), digits, `-` and `_`
/// kept, everything else `_`, at most 80 characters, never empty or
/// hidden.
pub fn safe_file_name(name: &str) -> String {
    let mut safe: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if safe.trim_matches('_').is_empty() {
        safe = "rep".into();
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("Анна Смирнова"), "Анна_Смирнова");
        assert_eq!(safe_file_name("../../etc/passwd"), "______etc_passwd");
        assert_eq!(safe_file_name("a:b*c?\"<>|"), "a_b_c_____");
        assert_eq!(safe_file_name("  "), "rep");
        assert_eq!(safe_file_name("..."), "rep");
        assert_eq!(safe_file_name(&"я".repeat(200)).chars().count(), 80);
    }
}
