//! Results a sales head acts on: per-rep scores against the expected number
//! of reviews, item failure rates for the team and each rep, weekly trends,
//! and the article's rule "reward the absence of *repeated* errors".
//!
//! The repeated-error rule lives here once, so the report, the feedback
//! sheets and the workstation cannot disagree about it: an item a rep failed
//! in `min_failures_in_week` reviews of one ISO week, or in a week and again
//! in the week right after, is a repeated error in that (later) week. Its
//! thresholds are data (`assets/results.toml`), parsed as strictly as the
//! sampling rules. Telephony reviews judge the line, not the rep's selling:
//! they never count toward a quality figure and are reported apart.
//!
//! Emails are reviewed with their own checklist: their figures are kept
//! apart from the calls' (`results_channels.rs`), through the same rule.
//! Mystery-shopper reviews judge a shopper's visit, not the rep's usual
//! work: they go into the mystery-shopping table only.
//!
//! Pure: reviews come in as [`ReviewFact`]s (the store gathers them), the
//! figures go out with the calls and comments behind them.

use super::mystery::Channel;
use super::reps::rep_key;
use super::review::AnswerValue;
use super::sampling::Period;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Which checklist a review used, as far as results go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewKind {
    Quality,
    /// The telephony checklist: never in a quality figure.
    Telephony,
    /// The email checklist: the email figures, apart from the calls'.
    Email,
    /// The mystery-shopper checklist: the mystery-shopping table only.
    Mystery,
}

/// One answered item of a review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemAnswer {
    pub item_id: String,
    pub value: AnswerValue,
    pub comment: Option<String>,
    pub evidence_ms: Option<u64>,
    /// The quoted line of an email, an email item's evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_text: Option<String>,
}

/// The call's audio figures from its analysis (stereo calls have all three).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AudioFigures {
    pub talk_share_rep: Option<f64>,
    pub longest_monologue_ms: Option<u64>,
    pub dead_air_ms: Option<u64>,
}

/// A submitted review as the results see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewFact {
    /// The reviewed call, or for an email review the email's Message-ID
    /// (`channel` tells which).
    pub call_id: String,
    pub channel: Channel,
    pub rep: String,
    pub reviewer: String,
    /// The call's (or email's sent) own local day: it decides the week.
    pub day: NaiveDate,
    /// The call's start as stored, for people.
    pub started_at: String,
    pub kind: ReviewKind,
    /// `domain::scoring` over the answers; None when nothing applicable was answered.
    pub score: Option<f64>,
    pub critical_failed: bool,
    pub time_spent_ms: u64,
    pub answers: Vec<ItemAnswer>,
    pub audio: AudioFigures,
}

impl ReviewFact {
    fn failed(&self) -> impl Iterator<Item = &ItemAnswer> {
        self.answers.iter().filter(|a| a.value == AnswerValue::No)
    }
}

/// What a report covers: days `from..=to` (whole ISO weeks for `--period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    pub fn week(period: Period) -> Span {
        Span {
            from: period.start(),
            to: period.start() + Duration::days(6),
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        (self.from..=self.to).contains(&day)
    }

    /// The ISO weeks it touches, oldest first.
    pub fn weeks(&self) -> Vec<Period> {
        weeks_back(Period::of(self.to), self.from)
    }
}

/// The week before.
pub fn previous_week(week: Period) -> Period {
    Period::of(week.start() - Duration::days(7))
}

/// Weeks from the one holding `since` up to `last`, oldest first.
fn weeks_back(last: Period, since: NaiveDate) -> Vec<Period> {
    let first = Period::of(since);
    let mut weeks = vec![last];
    while let Some(&oldest) = weeks.last()
        && oldest > first
    {
        weeks.push(previous_week(oldest));
    }
    weeks.reverse();
    weeks
}

/// The last `n` weeks ending with `last`, oldest first.
pub fn trend_weeks(last: Period, n: u32) -> Vec<Period> {
    weeks_back(
        last,
        last.start() - Duration::days(7 * i64::from(n.max(1) - 1)),
    )
}

/// Weeks as people write them (`2026-W48`) in JSON.
fn week_text<S: serde::Serializer>(week: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(week)
}

fn weeks_text<S: serde::Serializer>(weeks: &[Period], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(weeks.iter().map(Period::to_string))
}

/// Why a repeated error is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepeatedWhy {
    /// Failed in `min_failures_in_week` reviews or more of one week.
    WithinWeek,
    /// Failed in the week before too.
    ConsecutiveWeeks,
}

/// A failure behind a figure: which call, where in it, what the reviewer said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    /// The call, or the email's Message-ID for an email item.
    pub call_id: String,
    pub started_at: String,
    #[serde(serialize_with = "week_text")]
    pub week: Period,
    pub reviewer: String,
    pub comment: Option<String>,
    pub evidence_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatedError {
    /// Calls' and emails' items are different checklists: an error repeats
    /// within one channel.
    pub channel: Channel,
    pub rep: String,
    pub item_id: String,
    /// The week it counts in.
    #[serde(serialize_with = "week_text")]
    pub week: Period,
    pub why: RepeatedWhy,
    /// Its failures, oldest first (for a consecutive one, the week before too).
    pub occurrences: Vec<Occurrence>,
}

/// Failures of one item among the answered (yes or no; "not applicable"
/// is left out, as in the score).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub answered: usize,
    pub failed: usize,
}

impl Rate {
    pub fn share(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.failed as f64 / self.answered as f64)
    }

    fn add(&mut self, value: AnswerValue) {
        match value {
            AnswerValue::Yes => self.answered += 1,
            AnswerValue::No => {
                self.answered += 1;
                self.failed += 1;
            }
            AnswerValue::Na => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    pub item_id: String,
    pub team: Rate,
    /// Per rep, in the order of [`Results::reps`].
    pub per_rep: Vec<Rate>,
    /// Team failure share per trend week.
    pub trend: Vec<Option<f64>>,
    /// Every failure of the period, for drill-down.
    pub failures: Vec<(String, Occurrence)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepResult {
    pub rep: String,
    pub reviews: usize,
    /// Quality reviews the plan asked for, or the weekly default times weeks.
    pub expected: u32,
    pub average_score: Option<f64>,
    pub critical_failures: usize,
    /// Most failed items of the period, most first: (item id, failures).
    pub top_failed: Vec<(String, usize)>,
    pub repeated_errors: usize,
    /// Reviewed weeks in a row, back from the last week of the report, with
    /// no repeated error (weeks without a review neither count nor break it).
    pub weeks_without_repeated: u32,
    pub time_spent_ms: u64,
    /// Averages over the reviewed calls whose analysis has the figure.
    pub talk_share_rep: Option<f64>,
    pub longest_monologue_ms: Option<f64>,
    pub dead_air_ms: Option<f64>,
    /// Average score per trend week.
    pub trend: Vec<Option<f64>>,
}

/// Telephony reviews of a rep's calls: the line, kept apart from quality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TelephonyResult {
    pub rep: String,
    pub reviews: usize,
    /// Failed telephony items, most first: (item id, failures).
    pub failed: Vec<(String, usize)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub span: Span,
    #[serde(serialize_with = "weeks_text")]
    pub weeks: Vec<Period>,
    #[serde(serialize_with = "weeks_text")]
    pub trend_weeks: Vec<Period>,
    /// Reps with a quality review in the period, by name.
    pub reps: Vec<RepResult>,
    /// Quality items in `item_order`, then any other failed or answered ones.
    pub items: Vec<ItemResult>,
    pub repeated: Vec<RepeatedError>,
    pub telephony: Vec<TelephonyResult>,
    pub quality_reviews: usize,
    /// The email reviews' figures; absent without an email review in the span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<EmailResults>,
}

/// What else the figures need besides the reviews.
pub struct Inputs<'a> {
    pub rules: &'a ResultRules,
    pub span: Span,
    /// Trend window in weeks, ending with the span's last week.
    pub trend_weeks: u32,
    /// Quality item ids in checklist order.
    pub item_order: &'a [String],
    /// Email item ids in checklist order.
    pub email_item_order: &'a [String],
    /// Quality calls planned per rep key in the span, where a plan exists.
    pub planned: &'a HashMap<String, u32>,
}

/// Every figure of the report. `reviews` may hold history before the span
/// (the consecutive-weeks rule and the streak look back); reviews after it
/// are ignored.
pub fn results(inputs: &Inputs<'_>, reviews: &[ReviewFact]) -> Results {
    let span = inputs.span;
    let weeks = span.weeks();
    let last_week = Period::of(span.to);
    let trend = trend_weeks(last_week, inputs.trend_weeks);
    let known: Vec<&ReviewFact> = reviews.iter().filter(|r| r.day <= span.to).collect();
    let quality: Vec<&ReviewFact> = known
        .iter()
        .copied()
        .filter(|r| r.kind == ReviewKind::Quality)
        .collect();

    // Reps: those with a quality or an email review in the span, named as
    // first seen (a rep whose emails alone were reviewed still gets a row
    // and a feedback sheet; their call figures are empty).
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let rows_of = |r: &&&ReviewFact| matches!(r.kind, ReviewKind::Quality | ReviewKind::Email);
    for r in known
        .iter()
        .filter(rows_of)
        .filter(|r| span.contains(r.day))
    {
        names
            .entry(rep_key(&r.rep))
            .or_insert_with(|| r.rep.clone());
    }
    let mut keys: Vec<String> = names.keys().cloned().collect();
    keys.sort_by(|a, b| names[a].cmp(&names[b]));
    let index: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();

    let repeated = repeated_errors(inputs.rules.repeated, &quality);
    // Each rep's reviews and repeated errors, grouped once.
    let mut by_rep: HashMap<String, Vec<&ReviewFact>> = HashMap::new();
    for r in &quality {
        by_rep.entry(rep_key(&r.rep)).or_default().push(r);
    }
    let mut repeated_by_rep: HashMap<String, Vec<&RepeatedError>> = HashMap::new();
    for e in &repeated {
        repeated_by_rep.entry(rep_key(&e.rep)).or_default().push(e);
    }
    let mut reps: Vec<RepResult> = keys
        .iter()
        .map(|key| {
            let mine = by_rep.get(key).map_or(&[][..], Vec::as_slice);
            let repeated = repeated_by_rep.get(key).map_or(&[][..], Vec::as_slice);
            rep_result(inputs, (&names[key], key), mine, &weeks, &trend, repeated)
        })
        .collect();
    reps.sort_by(|a, b| a.rep.cmp(&b.rep));

    let items = item_results(inputs.item_order, &quality, &index, span, &trend);
    let emails = email_results(inputs, &known, &trend);
    let mut repeated_in_span: Vec<RepeatedError> = repeated
        .into_iter()
        .filter(|e| weeks.contains(&e.week) && names.contains_key(&rep_key(&e.rep)))
        .collect();
    if let Some(emails) = &emails {
        repeated_in_span.extend(emails.repeated.iter().cloned());
        repeated_in_span.sort_by(|a, b| (a.week, &a.rep).cmp(&(b.week, &b.rep)));
    }
    Results {
        span,
        weeks,
        trend_weeks: trend,
        reps,
        items,
        repeated: repeated_in_span,
        telephony: telephony_results(&known, span),
        quality_reviews: quality.iter().filter(|r| span.contains(r.day)).count(),
        emails,
    }
}

fn occurrence(r: &ReviewFact, a: &ItemAnswer) -> Occurrence {
    Occurrence {
        call_id: r.call_id.clone(),
        started_at: r.started_at.clone(),
        week: Period::of(r.day),
        reviewer: r.reviewer.clone(),
        comment: a.comment.clone(),
        evidence_ms: a.evidence_ms,
        evidence_text: a.evidence_text.clone(),
    }
}

/// Every repeated error in the history of reviews of one checklist (the
/// calls' quality reviews, or the emails'), for every rep, oldest week first.
pub fn repeated_errors(rule: RepeatedRule, quality: &[&ReviewFact]) -> Vec<RepeatedError> {
    // (rep key, item) -> the rep as first named and the channel, and
    // failures per week.
    type ByWeek = BTreeMap<Period, Vec<Occurrence>>;
    let mut failures: BTreeMap<(String, String), (String, Channel, ByWeek)> = BTreeMap::new();
    let mut ordered: Vec<&&ReviewFact> = quality.iter().collect();
    ordered.sort_by(|a, b| (a.day, &a.started_at).cmp(&(b.day, &b.started_at)));
    for r in ordered {
        for a in r.failed() {
            failures
                .entry((rep_key(&r.rep), a.item_id.clone()))
                .or_insert_with(|| (r.rep.clone(), r.channel, BTreeMap::new()))
                .2
                .entry(Period::of(r.day))
                .or_default()
                .push(occurrence(r, a));
        }
    }
    let mut found = Vec::new();
    for ((_, item_id), (rep, channel, by_week)) in &failures {
        for (week, this) in by_week {
            let before = by_week.get(&previous_week(*week));
            let why = if this.len() >= rule.min_failures_in_week as usize {
                RepeatedWhy::WithinWeek
            } else if rule.consecutive_weeks && before.is_some() {
                RepeatedWhy::ConsecutiveWeeks
            } else {
                continue;
            };
            let mut occurrences = match why {
                RepeatedWhy::ConsecutiveWeeks => before.cloned().unwrap_or_default(),
                RepeatedWhy::WithinWeek => Vec::new(),
            };
            occurrences.extend(this.iter().cloned());
            found.push(RepeatedError {
                channel: *channel,
                rep: rep.clone(),
                item_id: item_id.clone(),
                week: *week,
                why,
                occurrences,
            });
        }
    }
    found.sort_by(|a, b| (a.week, &a.rep, &a.item_id).cmp(&(b.week, &b.rep, &b.item_id)));
    found
}

/// Reviewed weeks in a row, back from `last`, without a repeated error.
pub fn weeks_without_repeated(
    reviewed_weeks: &[Period],
    repeated_weeks: &[Period],
    last: Period,
) -> u32 {
    let mut weeks: Vec<Period> = reviewed_weeks
        .iter()
        .copied()
        .filter(|w| *w <= last)
        .collect();
    weeks.sort();
    weeks.dedup();
    weeks
        .iter()
        .rev()
        .take_while(|w| !repeated_weeks.contains(w))
        .count() as u32
}

fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn most_failed(reviews: &[&ReviewFact], top: usize) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in reviews {
        for a in r.failed() {
            *counts.entry(a.item_id.as_str()).or_default() += 1;
        }
    }
    let mut counts: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(top);
    counts
}

fn rep_result(
    inputs: &Inputs<'_>,
    (name, key): (&str, &str),
    mine: &[&ReviewFact],
    weeks: &[Period],
    trend: &[Period],
    repeated_mine: &[&RepeatedError],
) -> RepResult {
    let span = inputs.span;
    let period: Vec<&ReviewFact> = mine
        .iter()
        .copied()
        .filter(|r| span.contains(r.day))
        .collect();
    let reviewed: Vec<Period> = mine.iter().map(|r| Period::of(r.day)).collect();
    let repeated_weeks: Vec<Period> = repeated_mine.iter().map(|e| e.week).collect();
    let expected = inputs
        .planned
        .get(key)
        .copied()
        .unwrap_or(inputs.rules.report.expected_reviews_per_week * weeks.len() as u32);
    RepResult {
        rep: name.to_string(),
        reviews: period.len(),
        expected,
        average_score: average(period.iter().filter_map(|r| r.score)),
        critical_failures: period.iter().filter(|r| r.critical_failed).count(),
        top_failed: most_failed(&period, inputs.rules.report.top_failed_items),
        repeated_errors: repeated_mine
            .iter()
            .filter(|e| weeks.contains(&e.week))
            .count(),
        weeks_without_repeated: weeks_without_repeated(
            &reviewed,
            &repeated_weeks,
            Period::of(span.to),
        ),
        time_spent_ms: period.iter().map(|r| r.time_spent_ms).sum(),
        talk_share_rep: average(period.iter().filter_map(|r| r.audio.talk_share_rep)),
        longest_monologue_ms: average(
            period
                .iter()
                .filter_map(|r| r.audio.longest_monologue_ms.map(|v| v as f64)),
        ),
        dead_air_ms: average(
            period
                .iter()
                .filter_map(|r| r.audio.dead_air_ms.map(|v| v as f64)),
        ),
        trend: trend
            .iter()
            .map(|w| {
                average(
                    mine.iter()
                        .filter(|r| Period::of(r.day) == *w)
                        .filter_map(|r| r.score),
                )
            })
            .collect(),
    }
}

fn item_results(
    order: &[String],
    quality: &[&ReviewFact],
    rep_index: &HashMap<&str, usize>,
    span: Span,
    trend: &[Period],
) -> Vec<ItemResult> {
    let mut ids: Vec<String> = order.to_vec();
    let mut others: Vec<String> = quality
        .iter()
        .flat_map(|r| r.answers.iter().map(|a| a.item_id.clone()))
        .filter(|id| !order.contains(id))
        .collect();
    others.sort();
    others.dedup();
    ids.extend(others);
    let position: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut items: Vec<ItemResult> = ids
        .iter()
        .map(|id| ItemResult {
            item_id: id.clone(),
            team: Rate::default(),
            per_rep: vec![Rate::default(); rep_index.len()],
            trend: Vec::new(),
            failures: Vec::new(),
        })
        .collect();
    let mut weekly = vec![vec![Rate::default(); trend.len()]; ids.len()];
    for r in quality {
        let week = trend.iter().position(|w| *w == Period::of(r.day));
        let rep = rep_index.get(rep_key(&r.rep).as_str()).copied();
        for a in &r.answers {
            let i = position[a.item_id.as_str()];
            if let Some(w) = week {
                weekly[i][w].add(a.value);
            }
            if !span.contains(r.day) {
                continue;
            }
            items[i].team.add(a.value);
            if let Some(rep) = rep {
                items[i].per_rep[rep].add(a.value);
            }
            if a.value == AnswerValue::No {
                items[i].failures.push((r.rep.clone(), occurrence(r, a)));
            }
        }
    }
    for (item, weeks) in items.iter_mut().zip(weekly) {
        item.trend = weeks.iter().map(Rate::share).collect();
    }
    // Items nobody answered in the span and that are not on the checklist
    // add nothing.
    items.retain(|i| order.contains(&i.item_id) || i.team.answered > 0);
    items
}

fn telephony_results(known: &[&ReviewFact], span: Span) -> Vec<TelephonyResult> {
    let mut by_rep: BTreeMap<String, (String, Vec<&ReviewFact>)> = BTreeMap::new();
    for r in known
        .iter()
        .filter(|r| r.kind == ReviewKind::Telephony && span.contains(r.day))
    {
        by_rep
            .entry(rep_key(&r.rep))
            .or_insert_with(|| (r.rep.clone(), Vec::new()))
            .1
            .push(r);
    }
    let mut rows: Vec<TelephonyResult> = by_rep
        .into_values()
        .map(|(rep, reviews)| TelephonyResult {
            rep,
            reviews: reviews.len(),
            failed: most_failed(&reviews, usize::MAX),
        })
        .collect();
    rows.sort_by(|a, b| a.rep.cmp(&b.rep));
    rows
}

#[path = "results_rules.rs"]
mod rules;
pub use rules::{Band, DEFAULT_RESULTS_TOML, RepeatedRule, ReportRule, ResultRules, ScoreBands};

#[path = "results_channels.rs"]
mod channels;
use channels::email_results;
pub use channels::{EmailRepResult, EmailResults, MysteryRow, mystery_rows};

#[cfg(test)]
#[path = "results_tests.rs"]
mod tests;
