//! `callqa plan` and `callqa reps`: the weekly plan from the command line.
//!
//! `plan` is what a sales head and the contractor agree on each week, so it
//! checks everything typed (period, reviewers, rules file) before it
//! analyses, draws or stores anything, analyses the week's calls the
//! workstation has not analysed yet (their telephony flags decide the
//! telephony queue), draws with the stored plan so nothing already drawn
//! moves, and stores plan and rules together in one transaction. The email
//! bucket is drawn with it, from the week's outgoing emails.
//!
//! The seed, when none is given, is derived from the week and the ids of
//! the calls it holds when it is first drawn (see [`default_seed`]): nobody
//! can know it before the week's calls exist, and anyone holding the stored
//! seed can re-derive the draw.

use crate::{Create, WorkspaceArgs, open_workspace, terminal_safe_stdout};
use anyhow::{Context, anyhow, bail};
use callqa::analysis::ANALYSIS_VERSION;
use callqa::config::{self, Config};
use callqa::domain::Lang;
use callqa::domain::mystery::form::bare_message_id;
use callqa::domain::plan::{self, Candidate, EmailCandidate, Plan};
use callqa::domain::reps::RepProfile;
use callqa::domain::reps::{RepRow, rep_key, rep_rows};
use callqa::domain::sampling::{DEFAULT_SAMPLING_TOML, Period, SamplingRules};
use callqa::i18n::plan::plan_strings;
use callqa::i18n::team::{role as team_role_name, team_strings};
use callqa::reports::plan::{
    CallInfo, EmailInfo, PlanContext, PlanFormat, RepInfo, write, write_reps,
};
use callqa::store::{PeriodCall, ReplacedEmail, TeamRole, Workspace};
use callqa::text::{one_line, path_line};
use clap::Args;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct PlanArgs {
    /// The ISO week, e.g. 2026-W48; default: the week of the newest call
    #[arg(long)]
    period: Option<String>,
    /// Reviewers to split the plan among, e.g. anna,boris; default: those
    /// of the stored plan
    #[arg(long)]
    reviewers: Option<String>,
    /// Output format: table (for reading), csv (one row per planned call) or json
    #[arg(long, value_enum, default_value = "table")]
    format: PlanFormat,
    /// Seed of the draw; default: derived from the week and its calls at
    /// the first draw, then the stored one
    #[arg(long)]
    seed: Option<String>,
    /// Sampling rules (TOML, see assets/sampling.toml), kept in the
    /// workspace from then on; default: the workspace's, else the bundled ones
    #[arg(long)]
    rules: Option<PathBuf>,
    /// A drawn call (or email, by its Message-ID) that cannot be reviewed:
    /// replace it by the next call of the same rep and kind, or the rep's
    /// next email of the week (needs --reason)
    #[arg(long, value_name = "CALL", requires = "reason")]
    replace: Option<String>,
    /// Why the call or email is replaced (wrong language, a fax, ...)
    #[arg(long, requires = "replace")]
    reason: Option<String>,
    /// Output file; default: standard output
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    ws: WorkspaceArgs,
}

#[derive(Args)]
pub struct RepsArgs {
    /// The day to judge newcomers and plans on (YYYY-MM-DD); default: the
    /// Monday of the week of the newest call, as `callqa plan` does
    #[arg(long)]
    as_of: Option<String>,
    /// Output format: table, csv or json
    #[arg(long, value_enum, default_value = "table")]
    format: PlanFormat,
    /// Output file; default: standard output
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    ws: WorkspaceArgs,
}

/// `callqa plan`.
pub fn plan(args: PlanArgs, config: &Config) -> anyhow::Result<ExitCode> {
    // What was typed is checked before the workspace is even opened.
    let period = args
        .period
        .as_deref()
        .map(|p| Period::parse(p).map_err(|e| anyhow!("--period: {e}")))
        .transpose()?;
    let reviewers = args.reviewers.as_deref().map(parse_reviewers).transpose()?;
    let given_rules = args.rules.as_deref().map(read_rules).transpose()?;
    if args.seed.as_deref().is_some_and(|s| s.trim().is_empty()) {
        bail!("--seed is empty: give a word or number, or leave --seed out");
    }
    let (ws, lang, _) = open_workspace(&args.ws, config, config::default_workspace(), Create::No)?;
    let t = plan_strings(lang);
    let (rules, rules_text) = match given_rules {
        Some(given) => given,
        None => workspace_rules(&ws)?,
    };
    let period = match period {
        Some(p) => p,
        None => default_period(&ws)?,
    };
    let stored = ws.plan(period)?;
    if let (Some(seed), Some(stored)) = (&args.seed, &stored)
        && *seed != stored.seed
    {
        bail!(
            "--seed {:?}: the plan of {period} was drawn with seed {:?}; drawing again keeps its calls, so it keeps its seed",
            one_line(seed, 80),
            one_line(&stored.seed, 80)
        );
    }
    // A reviewer's or client viewer's login reads the plan a lead drew:
    // showing it writes nothing (their grants would refuse it anyway).
    let reader = ws
        .team_role()?
        .filter(|r| matches!(r, TeamRole::Reviewer | TeamRole::Client));
    if let Some(role) = reader
        && (args.reviewers.is_some()
            || args.rules.is_some()
            || args.seed.is_some()
            || args.replace.is_some())
    {
        let said = team_strings(lang).plan_is_the_leads;
        bail!("{}", said.replace("{role}", team_role_name(lang, role)));
    }
    let read_only = reader.is_some();
    let mut calls = ws.period_calls(period, ANALYSIS_VERSION)?;
    if !read_only && calls.iter().any(|c| c.candidate.flags.is_none()) {
        analyse(&ws, &calls, lang)?;
        calls = ws.period_calls(period, ANALYSIS_VERSION)?;
    }
    let emails = ws.period_emails(period)?;
    if calls.is_empty() && emails.is_empty() && stored.is_none() {
        eprintln!("{period}: {}", t.no_calls);
        return Ok(ExitCode::SUCCESS);
    }
    let candidates: Vec<Candidate> = calls.iter().map(|c| c.candidate.clone()).collect();
    let roster = ws.roster()?;
    let (drawn, notices) = match (read_only, stored) {
        (true, Some(stored)) => (stored, Vec::new()),
        (true, None) => bail!("{period}: {}", team_strings(lang).no_plan_drawn),
        (false, stored) => {
            let draw = Draw {
                period,
                rules: &rules,
                rules_text: &rules_text,
                roster: &roster,
                candidates: &candidates,
                emails: &emails
                    .iter()
                    .map(|e| e.candidate.clone())
                    .collect::<Vec<_>>(),
            };
            draw_and_keep(&ws, &args, draw, stored, reviewers, lang)?
        }
    };
    for notice in notices {
        eprintln!("{notice}");
    }
    let rows = rep_rows(
        &roster,
        &reps_of(&drawn),
        period.start(),
        rules.newcomer_days,
        rules.under_plan_below_pct,
    );
    let reps: HashMap<String, RepInfo> = rows
        .iter()
        .map(|r| {
            let info = RepInfo {
                team: r.team.clone(),
                standing: r.standing,
            };
            (rep_key(&r.rep), info)
        })
        .collect();
    let calls = call_infos(&calls);
    let emails: HashMap<String, EmailInfo> = emails
        .iter()
        .map(|e| {
            let info = EmailInfo {
                sent_at: own_minute(&e.sent_at),
                subject: e.subject.clone(),
            };
            (e.candidate.message_id.clone(), info)
        })
        .collect();
    let context = PlanContext {
        calls: &calls,
        emails: &emails,
        reps: &reps,
    };
    output(args.out.as_deref(), lang, |out| {
        write(&drawn, &context, args.format, lang, out)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// What a draw stands on.
struct Draw<'a> {
    period: Period,
    rules: &'a SamplingRules,
    rules_text: &'a str,
    roster: &'a [RepProfile],
    candidates: &'a [Candidate],
    emails: &'a [EmailCandidate],
}

/// Draw the week with the stored plan (nothing drawn moves), apply
/// `--replace` and the reviewers, and keep plan and rules in one
/// transaction: the plan and what to say about the replacement.
fn draw_and_keep(
    ws: &Workspace,
    args: &PlanArgs,
    draw: Draw<'_>,
    stored: Option<Plan>,
    reviewers: Option<Vec<String>>,
    lang: Lang,
) -> anyhow::Result<(Plan, Vec<String>)> {
    let Draw {
        period,
        rules,
        rules_text,
        roster,
        candidates,
        emails,
    } = draw;
    let t = plan_strings(lang);
    let seed = args
        .seed
        .clone()
        .or_else(|| stored.as_ref().map(|p| p.seed.clone()))
        .unwrap_or_else(|| default_seed(period, candidates));
    let mut drawn = plan::draw(period, &seed, rules, roster, candidates, stored.as_ref());
    // An email replaced before is never drawn again.
    let replaced = ws.replaced_plan_emails(period)?;
    let email_candidates: Vec<_> = emails
        .iter()
        .filter(|c| !replaced.iter().any(|r| r.message_id == c.message_id))
        .cloned()
        .collect();
    plan::draw_emails(&mut drawn, rules, roster, &email_candidates);
    let mut notices = Vec::new();
    let mut replaced_email = None;
    if let (Some(call), Some(reason)) = (&args.replace, &args.reason) {
        let email = bare_message_id(call);
        let refused = |e: &dyn std::fmt::Display| {
            anyhow!("--replace {}: {e}; nothing was changed", one_line(call, 80))
        };
        let next = if drawn.emails.iter().any(|e| e.message_id == email) {
            let (rep, next) = plan::replace_email(&mut drawn, &email, reason, &email_candidates)
                .map_err(|e| refused(&e))?;
            replaced_email = Some(ReplacedEmail {
                message_id: email.clone(),
                rep,
                reason: reason.trim().to_string(),
                replaced_by: next.clone(),
            });
            next
        } else {
            plan::replace(&mut drawn, call, reason, rules, candidates).map_err(|e| refused(&e))?
        };
        let (what, none) = match replaced_email {
            Some(_) => (
                &email,
                callqa::i18n::email::email_strings(lang).no_replacement,
            ),
            None => (call, t.no_replacement),
        };
        notices.push(match next {
            Some(next) => format!(
                "{}: {} {}",
                one_line(what, 80),
                t.replaced_by,
                one_line(&next, 80)
            ),
            None => format!("{}: {none}", one_line(what, 80)),
        });
    }
    let reviewers = reviewers.unwrap_or_else(|| reviewers_of(&drawn));
    let durations: HashMap<String, u64> = candidates
        .iter()
        .map(|c| (c.call_id.clone(), c.duration_ms))
        .collect();
    plan::assign(&mut drawn, &reviewers, &durations);
    ws.write_batch(|ws| {
        ws.use_sampling_rules(rules, rules_text)?;
        ws.save_plan(&drawn)?;
        match &replaced_email {
            Some(replaced) => ws.keep_replaced_email(period, replaced),
            None => Ok(()),
        }
    })
    .map_err(|e| e.in_workspace(ws.path()))?;
    Ok((drawn, notices))
}

/// `callqa reps`.
pub fn reps(args: RepsArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                anyhow!(
                    "--as-of {:?}: write a date like 2026-11-23",
                    one_line(d, 40)
                )
            })
        })
        .transpose()?;
    let (ws, lang, _) = open_workspace(&args.ws, config, config::default_workspace(), Create::No)?;
    let (rules, _) = workspace_rules(&ws)?;
    let as_of = match as_of {
        Some(day) => day,
        None => default_period(&ws)?.start(),
    };
    let rows: Vec<RepRow> = rep_rows(
        &ws.roster()?,
        &ws.call_reps()?,
        as_of,
        rules.newcomer_days,
        rules.under_plan_below_pct,
    );
    output(args.out.as_deref(), lang, |out| {
        write_reps(&rows, as_of, args.format, lang, out)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `anna, boris` → `["anna", "boris"]`; a list naming nobody is refused.
fn parse_reviewers(text: &str) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    if names.is_empty() {
        bail!(
            "--reviewers {:?}: name at least one reviewer, like --reviewers anna,boris",
            one_line(text, 80)
        );
    }
    Ok(names)
}

/// A rules file, checked; messages name the file and the key.
fn read_rules(path: &Path) -> anyhow::Result<(SamplingRules, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the sampling rules", path_line(path)))?;
    let rules = SamplingRules::from_toml(&text, &path_line(path))?;
    Ok((rules, text))
}

/// The workspace's rules, else the bundled ones.
fn workspace_rules(ws: &Workspace) -> anyhow::Result<(SamplingRules, String)> {
    Ok(ws
        .sampling_rules()?
        .unwrap_or_else(|| (SamplingRules::defaults(), DEFAULT_SAMPLING_TOML.to_string())))
}

/// The week of the newest call; this week when there are no calls.
fn default_period(ws: &Workspace) -> anyhow::Result<Period> {
    let day = ws
        .newest_call_day()?
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    Ok(Period::of(day))
}

/// The seed of a week's first draw: the first 16 hex digits of SHA-256
/// over `callqa-plan`, the week (`2026-W48`) and the ids of its calls
/// sorted, each followed by a zero byte. Stored with the plan.
pub fn default_seed(period: Period, calls: &[Candidate]) -> String {
    let mut ids: Vec<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    ids.sort_unstable();
    let mut hash = Sha256::new();
    for part in ["callqa-plan", &period.to_string()].into_iter().chain(ids) {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The reviewers a stored plan was split among, for drawing it again.
fn reviewers_of(plan: &Plan) -> Vec<String> {
    let names: BTreeSet<&str> = plan
        .entries
        .iter()
        .filter_map(|e| e.reviewer.as_deref())
        .chain(plan.emails.iter().filter_map(|e| e.reviewer.as_deref()))
        .collect();
    names.into_iter().map(String::from).collect()
}

/// The reps a plan names (drawn, short or not in the roster).
fn reps_of(plan: &Plan) -> Vec<String> {
    plan.entries
        .iter()
        .map(|e| e.rep.clone())
        .chain(plan.emails.iter().map(|e| e.rep.clone()))
        .chain(plan.shortfalls.iter().map(|s| s.rep.clone()))
        .collect()
}

fn call_infos(calls: &[PeriodCall]) -> HashMap<String, CallInfo> {
    calls
        .iter()
        .map(|c| {
            let info = CallInfo {
                started_at: own_minute(&c.started_at),
                duration_ms: c.candidate.duration_ms,
            };
            (c.candidate.call_id.clone(), info)
        })
        .collect()
}

/// `2026-11-23T10:15:00+03:00` → `2026-11-23 10:15`: the time in the
/// call's or email's own offset, to the minute.
fn own_minute(stored: &str) -> String {
    stored.get(..16).unwrap_or(stored).replace('T', " ")
}

/// Analyse the week's calls nobody has analysed yet (their telephony flags
/// decide the draw), with the progress on stderr.
fn analyse(ws: &Workspace, calls: &[PeriodCall], lang: Lang) -> anyhow::Result<()> {
    let week: std::collections::HashSet<String> =
        calls.iter().map(|c| c.candidate.call_id.clone()).collect();
    let scope = crate::analyze::Scope::Only(&week);
    let summary = crate::analyze::run_showing_progress(ws.path(), 1, scope, lang);
    if summary?.stopped {
        bail!("stopped while analysing the week's calls; nothing was drawn (run again to go on)");
    }
    Ok(())
}

/// Write to `--out FILE` (and say so on stderr), else to standard output.
fn output(
    path: Option<&Path>,
    lang: Lang,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match path {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create", path_line(path)))?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            out.flush()
                .with_context(|| format!("{}: cannot write", path_line(path)))?;
            eprintln!("{} {}", plan_strings(lang).written_to, path_line(path));
        }
        None => {
            let mut out = std::io::BufWriter::new(terminal_safe_stdout());
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
