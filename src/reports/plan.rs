//! The weekly plan as a sales head reads it (a table), for a spreadsheet
//! (CSV: one row per planned call or email) or for scripts (JSON, the whole
//! plan).

use crate::domain::Lang;
use crate::domain::plan::{EmailEntry, Entry, Plan};
use crate::domain::reps::{RepRow, RepStanding, rep_key};
use crate::domain::sampling::Bucket;
use crate::i18n::plan::{bucket, plan_strings, reason};
use crate::text::{duration, json_safe, one_line, spreadsheet_cell};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Table,
    Csv,
    Json,
}

/// What the plan does not hold itself: each call's start and length, each
/// email's sending time and subject, and each rep's team and standing.
pub struct PlanContext<'a> {
    pub calls: &'a HashMap<String, CallInfo>,
    /// By Message-ID.
    pub emails: &'a HashMap<String, EmailInfo>,
    pub reps: &'a HashMap<String, RepInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailInfo {
    /// In the email's own offset, to the minute.
    pub sent_at: String,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallInfo {
    pub started_at: String,
    pub duration_ms: u64,
}

/// By [`rep_key`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepInfo {
    pub team: String,
    pub standing: RepStanding,
}

pub fn write(
    plan: &Plan,
    context: &PlanContext<'_>,
    format: PlanFormat,
    lang: Lang,
    mut out: impl Write,
) -> anyhow::Result<()> {
    match format {
        PlanFormat::Json => {
            #[derive(Serialize)]
            struct Full<'a> {
                #[serde(flatten)]
                plan: &'a Plan,
                calls: &'a HashMap<String, CallInfo>,
                email_details: &'a HashMap<String, EmailInfo>,
            }
            let json = serde_json::to_string_pretty(&Full {
                plan,
                calls: context.calls,
                email_details: context.emails,
            })?;
            writeln!(out, "{}", json_safe(&json))?;
        }
        PlanFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "period",
                "rep",
                "team",
                "bucket",
                "call_id",
                "started_at",
                "duration_s",
                "reason",
                "reviewer",
                "replaced",
                "message_id",
            ])?;
            let team = |rep: &str| {
                context
                    .reps
                    .get(&rep_key(rep))
                    .map_or(String::new(), |r| r.team.clone())
            };
            for e in &plan.entries {
                let info = context.calls.get(&e.call_id);
                let record = [
                    plan.period.to_string(),
                    e.rep.clone(),
                    team(&e.rep),
                    e.bucket.code().to_string(),
                    e.call_id.clone(),
                    info.map_or(String::new(), |i| i.started_at.clone()),
                    info.map_or(String::new(), |i| (i.duration_ms / 1000).to_string()),
                    reason(lang, &e.reason),
                    e.reviewer.clone().unwrap_or_default(),
                    e.replaced.clone().unwrap_or_default(),
                    String::new(),
                ];
                w.write_record(record.iter().map(|c| spreadsheet_cell(c).into_owned()))?;
            }
            for e in &plan.emails {
                let info = context.emails.get(&e.message_id);
                let record = [
                    plan.period.to_string(),
                    e.rep.clone(),
                    team(&e.rep),
                    Bucket::Email.code().to_string(),
                    String::new(),
                    info.map_or(String::new(), |i| i.sent_at.clone()),
                    String::new(),
                    reason(lang, &e.reason),
                    e.reviewer.clone().unwrap_or_default(),
                    String::new(),
                    e.message_id.clone(),
                ];
                w.write_record(record.iter().map(|c| spreadsheet_cell(c).into_owned()))?;
            }
            w.flush()?;
        }
        PlanFormat::Table => table(plan, context, lang, &mut out)?,
    }
    Ok(())
}

fn standing_text(lang: Lang, info: Option<&RepInfo>) -> String {
    let t = plan_strings(lang);
    let Some(info) = info else {
        return t.unrostered.into();
    };
    let s = info.standing;
    let mut parts = Vec::new();
    if s.unrostered {
        parts.push(t.unrostered);
    }
    if s.newcomer {
        parts.push(t.newcomer);
    }
    if s.under_plan {
        parts.push(t.under_plan);
    }
    if parts.is_empty() {
        parts.push(t.on_plan);
    }
    parts.join(", ")
}

fn table(
    plan: &Plan,
    context: &PlanContext<'_>,
    lang: Lang,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let t = plan_strings(lang);
    writeln!(
        out,
        "{} {} ({} {}, {} v{})",
        t.title,
        plan.period,
        t.seed,
        one_line(&plan.seed, 40),
        t.rules,
        plan.rules_version
    )?;
    // Per rep: drawn per bucket (quality, telephony, email), shortfalls,
    // reviewers.
    type RepSummary = (String, [usize; 3], BTreeSet<String>);
    let mut reps: BTreeMap<String, RepSummary> = BTreeMap::new();
    let drawn_items = plan
        .active()
        .map(|e| {
            (
                &e.rep,
                usize::from(e.bucket != Bucket::Quality),
                &e.reviewer,
            )
        })
        .chain(plan.emails.iter().map(|e| (&e.rep, 2, &e.reviewer)));
    for (rep, column, reviewer) in drawn_items {
        let row = reps
            .entry(rep_key(rep))
            .or_insert_with(|| (rep.clone(), [0; 3], BTreeSet::new()));
        row.1[column] += 1;
        row.2
            .insert(reviewer.clone().unwrap_or_else(|| t.nobody.to_string()));
    }
    for s in &plan.shortfalls {
        reps.entry(rep_key(&s.rep))
            .or_insert_with(|| (s.rep.clone(), [0; 3], BTreeSet::new()));
    }
    let drawn = |key: &str, bucket: Bucket, n: usize| -> String {
        match plan
            .shortfalls
            .iter()
            .find(|s| rep_key(&s.rep) == key && s.bucket == bucket)
        {
            Some(s) => format!("{n}/{} {}", s.wanted, t.shortfall),
            None => n.to_string(),
        }
    };
    let mut rows = vec![vec![
        t.rep.to_string(),
        t.team.to_string(),
        t.standing.to_string(),
        t.quality.to_string(),
        t.telephony.to_string(),
        t.email.to_string(),
        t.reviewer.to_string(),
    ]];
    for (key, (name, counts, reviewers)) in &reps {
        let info = context.reps.get(key);
        rows.push(vec![
            one_line(name, 40),
            info.map_or(String::new(), |i| one_line(&i.team, 30)),
            standing_text(lang, info),
            drawn(key, Bucket::Quality, counts[0]),
            drawn(key, Bucket::Telephony, counts[1]),
            drawn(key, Bucket::Email, counts[2]),
            reviewers
                .iter()
                .map(|r| one_line(r, 30))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    crate::text::aligned_columns(out, &rows)?;
    writeln!(out)?;
    writeln!(out, "{}", t.calls_title)?;
    let mut rows = vec![vec![
        t.rep.to_string(),
        String::new(),
        t.call.to_string(),
        t.started.to_string(),
        t.length.to_string(),
        t.why.to_string(),
        t.reviewer.to_string(),
    ]];
    for e in &plan.entries {
        rows.push(call_row(e, context, lang));
    }
    crate::text::aligned_columns(out, &rows)?;
    if !plan.emails.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", t.emails_title)?;
        let mut rows = vec![vec![
            t.rep.to_string(),
            t.sent.to_string(),
            t.subject.to_string(),
            t.why.to_string(),
            t.reviewer.to_string(),
        ]];
        rows.extend(plan.emails.iter().map(|e| email_row(e, context, lang)));
        crate::text::aligned_columns(out, &rows)?;
    }
    for s in &plan.shortfalls {
        let line = match s.bucket {
            Bucket::Email => t.email_shortfall_line,
            _ => t.shortfall_line,
        };
        writeln!(
            out,
            "! {} ({}): {}/{} — {line}",
            one_line(&s.rep, 40),
            bucket(lang, s.bucket),
            s.drawn,
            s.wanted,
        )?;
    }
    for rep in &plan.unrostered {
        writeln!(out, "! {}: {}", one_line(rep, 40), t.unrostered_line)?;
    }
    if plan.not_analysed > 0 {
        writeln!(out, "! {} {}", plan.not_analysed, t.not_analysed_line)?;
    }
    Ok(())
}

/// `callqa reps`: the roster and what the plan makes of each rep on `as_of`.
pub fn write_reps(
    rows: &[RepRow],
    as_of: chrono::NaiveDate,
    format: PlanFormat,
    lang: Lang,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let t = plan_strings(lang);
    let text = |v: Option<String>| v.unwrap_or_default();
    match format {
        PlanFormat::Json => {
            #[derive(Serialize)]
            struct Reps<'a> {
                as_of: chrono::NaiveDate,
                reps: &'a [RepRow],
            }
            let json = serde_json::to_string_pretty(&Reps { as_of, reps: rows })?;
            writeln!(out, "{}", json_safe(&json))?;
        }
        PlanFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "rep",
                "team",
                "started_on",
                "plan_pct",
                "newcomer_until",
                "newcomer",
                "under_plan",
                "in_roster",
            ])?;
            let flag = |b: bool| if b { "1" } else { "0" }.to_string();
            for r in rows {
                let record = [
                    r.rep.clone(),
                    r.team.clone(),
                    text(r.started_on.map(|d| d.to_string())),
                    text(r.plan_pct.map(|p| p.to_string())),
                    text(r.newcomer_until.map(|d| d.to_string())),
                    flag(r.standing.newcomer),
                    flag(r.standing.under_plan),
                    flag(!r.standing.unrostered),
                ];
                w.write_record(record.iter().map(|c| spreadsheet_cell(c).into_owned()))?;
            }
            w.flush()?;
        }
        PlanFormat::Table => {
            writeln!(out, "{} {as_of}", t.reps_title)?;
            let mut table = vec![vec![
                t.rep.to_string(),
                t.team.to_string(),
                t.started_on.to_string(),
                t.plan_pct.to_string(),
                t.standing.to_string(),
            ]];
            for r in rows {
                let info = RepInfo {
                    team: r.team.clone(),
                    standing: r.standing,
                };
                let mut standing = standing_text(lang, Some(&info));
                if let (true, Some(until)) = (r.standing.newcomer, r.newcomer_until) {
                    standing = format!("{standing} ({} {until})", t.newcomer_until);
                }
                table.push(vec![
                    one_line(&r.rep, 40),
                    one_line(&r.team, 30),
                    text(r.started_on.map(|d| d.to_string())),
                    text(r.plan_pct.map(|p| p.to_string())),
                    standing,
                ]);
            }
            crate::text::aligned_columns(&mut out, &table)?;
        }
    }
    Ok(())
}

fn call_row(e: &Entry, context: &PlanContext<'_>, lang: Lang) -> Vec<String> {
    let t = plan_strings(lang);
    let info = context.calls.get(&e.call_id);
    let mut why = reason(lang, &e.reason);
    if let Some(replaced) = &e.replaced {
        why = format!("{} ({}: {})", why, t.replaced, one_line(replaced, 60));
    }
    vec![
        one_line(&e.rep, 40),
        bucket(lang, e.bucket).to_string(),
        one_line(&e.call_id, 40),
        info.map_or(String::new(), |i| one_line(&i.started_at, 30)),
        info.map_or(String::new(), |i| duration(i.duration_ms)),
        why,
        e.reviewer
            .as_deref()
            .map_or(t.nobody.to_string(), |r| one_line(r, 30)),
    ]
}

/// An email of the plan: its subject names it for a reader (the
/// Message-ID is in the CSV and JSON).
fn email_row(e: &EmailEntry, context: &PlanContext<'_>, lang: Lang) -> Vec<String> {
    let t = plan_strings(lang);
    let info = context.emails.get(&e.message_id);
    vec![
        one_line(&e.rep, 40),
        info.map_or(String::new(), |i| one_line(&i.sent_at, 30)),
        info.map_or_else(|| one_line(&e.message_id, 60), |i| one_line(&i.subject, 60)),
        reason(lang, &e.reason),
        e.reviewer
            .as_deref()
            .map_or(t.nobody.to_string(), |r| one_line(r, 30)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::{Candidate, EmailCandidate, draw, draw_emails};
    use crate::domain::reps::RepProfile;
    use crate::domain::sampling::{Period, SamplingRules};

    type Fixture = (
        Plan,
        HashMap<String, CallInfo>,
        HashMap<String, EmailInfo>,
        HashMap<String, RepInfo>,
    );

    /// Анна under plan with six calls and four emails, Борис unrostered
    /// with one of each.
    fn plan() -> Fixture {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let mut calls = Vec::new();
        let mut emails = Vec::new();
        let mut email_infos = HashMap::new();
        for (rep, n) in [("Анна", 4), ("Борис", 1)] {
            for i in 0..n {
                let message_id = format!("{rep}-mail-{i}@example.com");
                emails.push(EmailCandidate {
                    message_id: message_id.clone(),
                    rep: rep.into(),
                    day,
                });
                let info = EmailInfo {
                    sent_at: "2026-11-24T09:00:00+03:00".into(),
                    subject: format!("Offer {rep} {i}"),
                };
                email_infos.insert(message_id, info);
            }
        }
        for (rep, n) in [("Анна", 6), ("Борис", 1)] {
            for i in 0..n {
                calls.push(Candidate {
                    call_id: format!("{rep}-{i}"),
                    rep: rep.into(),
                    day,
                    duration_ms: 95_000,
                    flags: Some(Vec::new()),
                });
            }
        }
        let roster = [RepProfile {
            rep: "Анна".into(),
            started_on: None,
            team: "Юг".into(),
            plan_pct: Some(80.0),
        }];
        let rules = SamplingRules::defaults();
        let period = Period::parse("2026-W48").unwrap();
        let mut plan = draw(period, "s", &rules, &roster, &calls, None);
        draw_emails(&mut plan, &rules, &roster, &emails);
        let infos = calls
            .iter()
            .map(|c| {
                let info = CallInfo {
                    started_at: "2026-11-24 10:00".into(),
                    duration_ms: c.duration_ms,
                };
                (c.call_id.clone(), info)
            })
            .collect();
        let mut reps = HashMap::new();
        reps.insert(
            rep_key("Анна"),
            RepInfo {
                team: "Юг".into(),
                standing: roster[0].standing(period.start(), 90, 90.0),
            },
        );
        (plan, infos, email_infos, reps)
    }

    fn render(format: PlanFormat, lang: Lang) -> String {
        let (plan, calls, emails, reps) = plan();
        let mut out = Vec::new();
        let context = PlanContext {
            calls: &calls,
            emails: &emails,
            reps: &reps,
        };
        write(&plan, &context, format, lang, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_table_says_who_is_short_and_who_is_not_in_the_roster() {
        let en = render(PlanFormat::Table, Lang::En);
        assert!(en.starts_with("Review plan for 2026-W48"), "{en}");
        assert!(en.contains("under plan"), "{en}");
        assert!(en.contains("5  "), "Анна: 3 + 2 quality calls\n{en}");
        assert!(en.contains("1/3 short"), "Борис has one call\n{en}");
        assert!(en.contains("Борис: not in the roster"), "{en}");
        assert!(en.contains("extra: under plan"), "{en}");
        assert!(en.contains("1:35"), "lengths as people read them\n{en}");
        let ru = render(PlanFormat::Table, Lang::Ru);
        assert!(
            ru.contains("План проверки на 2026-W48") && ru.contains("недобор"),
            "{ru}"
        );
    }

    #[test]
    fn the_email_bucket_is_in_the_table_and_the_json() {
        let en = render(PlanFormat::Table, Lang::En);
        assert!(en.contains("emails"), "the summary's column\n{en}");
        assert!(en.contains("\nEmails\n"), "{en}");
        assert_eq!(
            en.matches("Offer Анна").count(),
            3,
            "2 + 1 under plan\n{en}"
        );
        assert!(en.contains("1/2 short"), "Борис has one email\n{en}");
        assert!(
            en.contains("Борис (emails): 1/2 — fewer outgoing emails"),
            "{en}"
        );
        let ru = render(PlanFormat::Table, Lang::Ru);
        assert!(
            ru.contains("\nПисьма\n") && ru.contains("исходящих писем"),
            "{ru}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(PlanFormat::Json, Lang::En)).unwrap();
        let emails = json["emails"].as_array().unwrap();
        assert_eq!(emails.len(), 4);
        let id = emails[0]["message_id"].as_str().unwrap();
        assert!(json["email_details"][id]["subject"].is_string(), "{json}");
        assert!(
            json["shortfalls"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["bucket"] == "email" && s["drawn"] == 1)
        );
    }

    #[test]
    fn csv_has_a_row_per_planned_call() {
        let csv = render(PlanFormat::Csv, Lang::En);
        let rows: Vec<&str> = csv.lines().collect();
        assert!(rows[0].starts_with("period,rep,team,bucket,call_id"));
        assert!(rows[0].ends_with(",message_id"), "{csv}");
        assert_eq!(rows.len(), 1 + 5 + 1 + 3 + 1, "{csv}");
        let emails: Vec<&&str> = rows.iter().filter(|r| r.contains(",email,")).collect();
        assert_eq!(emails.len(), 4, "{csv}");
        assert!(emails.iter().all(|r| r.contains("-mail-")), "{csv}");
        assert!(
            rows.iter()
                .any(|r| r.contains("Юг") && r.contains("quality"))
        );
    }
}
