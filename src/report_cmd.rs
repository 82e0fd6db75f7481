//! `callqa report` and `callqa feedback`: the period and scope from the
//! command line, the figures from `reports::results`, one file (or folder)
//! out.

use anyhow::Context;
use callqa::domain::Lang;
use callqa::domain::results::{ResultRules, Span};
use callqa::domain::sampling::Period;
use callqa::i18n::report::report_strings;
use callqa::reports::results::feedback::{ExcerptOptions, FeedbackFormat, FeedbackOptions};
use callqa::reports::results::{self, Report, ReportFormat, ReportOptions};
use callqa::store::Workspace;
use callqa::text::{one_line, path_line};
use chrono::NaiveDate;
use clap::Args;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Clone)]
pub struct ScopeArgs {
    /// ISO week to report on, e.g. 2026-W48; default: the weeks of the newest reviewed call and email
    #[arg(long, conflicts_with_all = ["from", "to"])]
    period: Option<String>,
    /// First day of the period (YYYY-MM-DD); with --to
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// Last day of the period (YYYY-MM-DD); with --from
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Weeks of history in the trends, ending with the period's last week
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=104))]
    weeks: Option<u32>,
    /// Only the reps of this team (needs the roster, crm/reps.csv)
    #[arg(long)]
    team: Option<String>,
    /// Only this rep
    #[arg(long)]
    rep: Option<String>,
    /// Results rules (TOML, see assets/results.toml: repeated-error
    /// thresholds, score colours), kept in the workspace from then on;
    /// default: the workspace's, else the bundled ones
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct ReportArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// Add a ranked table of reps (off by default: the article makes a public ranking optional)
    #[arg(long)]
    ranking: bool,
    /// xlsx (one sheet per view, charts), html (one self-contained page),
    /// csv (a folder with one file per view) or json (every figure exact)
    #[arg(long, value_enum)]
    format: ReportFormat,
    /// The file to write (for csv: the folder)
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args, Clone)]
pub struct FeedbackArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// The folder to write one sheet per rep into
    #[arg(long)]
    out: PathBuf,
    /// html (one page per rep), xlsx (one workbook per rep) or both
    #[arg(long, value_enum, default_value = "html")]
    format: FeedbackFormat,
    /// Cut a WAV excerpt of SECONDS either side of each evidence stamp from
    /// the recording, next to the sheets and linked from them (default 5)
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "5",
          value_parser = clap::value_parser!(u32).range(1..=60))]
    excerpts: Option<u32>,
}

fn day(text: &str, flag: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("{flag} {text:?}: write a date like 2026-11-23"))
}

fn span(ws: &Workspace, scope: &ScopeArgs) -> anyhow::Result<Span> {
    if let Some(text) = &scope.period {
        let period = Period::parse(text).map_err(|e| anyhow::anyhow!("--period: {e}"))?;
        return Ok(Span::week(period));
    }
    if let (Some(from), Some(to)) = (&scope.from, &scope.to) {
        let span = Span {
            from: day(from, "--from")?,
            to: day(to, "--to")?,
        };
        if span.from > span.to {
            anyhow::bail!("--from {from} is after --to {to}");
        }
        return Ok(span);
    }
    // The week of each channel's newest reviews, and the weeks between: a
    // reviewer who has moved on to this week's emails still gets last
    // week's calls, instead of a report with no call in it.
    let newest = [ws.newest_reviewed_day()?, ws.newest_reviewed_email_day()?];
    let weeks: Vec<Span> = newest
        .into_iter()
        .flatten()
        .map(|day| Span::week(Period::of(day)))
        .collect();
    let from = weeks.iter().map(|w| w.from).min();
    let to = weeks.iter().map(|w| w.to).max();
    Ok(match (from, to) {
        (Some(from), Some(to)) => Span { from, to },
        _ => Span::week(Period::of(chrono::Local::now().date_naive())),
    })
}

fn gather(ws: &Workspace, lang: Lang, scope: &ScopeArgs, ranking: bool) -> anyhow::Result<Report> {
    let rules = match &scope.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read", path_line(path)))?;
            let rules = ResultRules::from_toml(&text, &path_line(path))?;
            results::keep_rules(ws, &rules, &text)?;
            rules
        }
        None => results::workspace_rules(ws)?,
    };
    let options = ReportOptions {
        span: span(ws, scope)?,
        weeks: scope.weeks,
        team: scope.team.clone(),
        rep: scope.rep.clone(),
        ranking,
    };
    results::gather(ws, lang, &rules, &options)
}

/// A file writer for `path` whose error names it.
fn create(path: &Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    Ok(std::io::BufWriter::new(file))
}

pub fn report(ws: &Workspace, lang: Lang, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let report = gather(ws, lang, &args.scope, args.ranking)?;
    let out = &args.out;
    let named = |e: anyhow::Error| e.context(format!("{}: cannot write", out.display()));
    match args.format {
        ReportFormat::Xlsx => results::xlsx::write(&report, out)?,
        ReportFormat::Html => results::html::write(&report, create(out)?).map_err(named)?,
        ReportFormat::Json => results::json::write(&report, create(out)?).map_err(named)?,
        ReportFormat::Csv => {
            results::csv::write(&report, out)?;
        }
    }
    let t = report_strings(lang);
    if report.is_empty() {
        eprintln!("{}", t.no_reviews);
    }
    eprintln!("{} {}", path_line(out), t.written);
    Ok(ExitCode::SUCCESS)
}

pub fn feedback(ws: &Workspace, lang: Lang, args: &FeedbackArgs) -> anyhow::Result<ExitCode> {
    let report = gather(ws, lang, &args.scope, false)?;
    let excerpts = match args.excerpts {
        Some(seconds) => Some(ExcerptOptions {
            seconds,
            recordings: recordings(ws, &report)?,
        }),
        None => None,
    };
    let options = FeedbackOptions {
        format: args.format,
        excerpts,
    };
    let mut problems = Vec::new();
    let written = results::feedback::write(&report, &args.out, &options, &mut problems)?;
    let t = report_strings(lang);
    for problem in &problems {
        eprintln!("{}", one_line(problem, 400));
    }
    if report.is_empty() {
        eprintln!("{}", t.no_reviews);
    }
    eprintln!(
        "{}",
        t.files_written
            .replace("{n}", &written.sheets.len().to_string())
            .replace("{dir}", &path_line(&args.out))
    );
    if options.excerpts.is_some() {
        eprintln!(
            "{}",
            t.excerpts_written
                .replace("{n}", &written.excerpts.len().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The recording of every call with a failure in the report.
fn recordings(ws: &Workspace, report: &Report) -> anyhow::Result<HashMap<String, PathBuf>> {
    let mut paths = HashMap::new();
    for item in &report.results.items {
        for (_, occurrence) in &item.failures {
            let id = &occurrence.call_id;
            if !paths.contains_key(id) {
                let call = ws.call(id)?;
                paths.insert(id.clone(), PathBuf::from(call.recording.path));
            }
        }
    }
    Ok(paths)
}
