//! The `callqa` command line: import, review, export, demo.
//! Errors end as one line on stderr and a non-zero exit code.

use anyhow::Context;
use callqa::audio::{OutputChoice, PlayerHandle};
use callqa::config::{self, Config};
use callqa::domain::checklist::DEFAULT_SALES_CALL_TOML;
use callqa::domain::{Checklist, Lang};
use callqa::store::{Address, Workspace};
use callqa::text::{one_line, path_line};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod analyze;
mod calibration_cmd;
mod demo;
mod emails_cmd;
mod failure;
mod import_cmd;
mod mystery_cmd;
mod plan_cmd;
mod progress;
mod report_cmd;
mod responses_cmd;
mod team_cmd;

#[derive(Parser)]
#[command(
    name = "callqa",
    version,
    about = "Review recorded sales calls: listen, score, check the CRM"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct WorkspaceArgs {
    /// Workspace: an SQLite file, or a team's PostgreSQL database as a
    /// postgres:// URL. Default: $XDG_DATA_HOME/callqa/workspace.sqlite
    #[arg(long, env = "CALLQA_DB", global = true)]
    db: Option<Address>,
    /// Language (en or ru): kept by a new workspace (default from the config,
    /// else the locale); for an existing one, this run only
    #[arg(long, global = true)]
    lang: Option<Lang>,
}

#[derive(Args, Clone)]
struct ReviewArgs {
    /// Reviewer name stored on each review; default from the config, else the OS user
    #[arg(long)]
    reviewer: Option<String>,
    /// Do not open a sound device (position still runs in real time)
    #[arg(long, env = "CALLQA_NO_SOUND")]
    no_sound: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Import a batch: a v1 batch folder (calls.csv, recordings, crm/*.csv), or
    /// a PBX log / CRM export (Asterisk, FreePBX, amoCRM, Bitrix24, HubSpot,
    /// generic with mapping.toml), detected or named with --format
    Import {
        /// The batch folder or export file
        batch: PathBuf,
        /// batch-v1, asterisk-cdr, freepbx-cdr, amocrm-json, amocrm-csv,
        /// bitrix24-json, hubspot-csv, generic; default: detected
        #[arg(long)]
        format: Option<callqa::import::formats::SourceFormat>,
        /// Text encoding of CSV exports (utf-8, windows-1251, koi8-r); default: detected
        #[arg(long)]
        encoding: Option<String>,
        /// UTC offset for times written without one (Asterisk, amoCRM CSV), e.g. +03:00
        #[arg(long, default_value = "+03:00")]
        utc_offset: String,
        /// Country for phone numbers written without a country code
        #[arg(long, default_value = "RU")]
        country: String,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Fix a call's link to its CRM records by hand; kept across re-imports
    Link {
        /// The call id
        call: String,
        /// Contact id (as in the CRM export) the call belongs to; give it, --deal or both
        #[arg(long)]
        contact: Option<String>,
        /// Deal id (as in the CRM export) the call belongs to; give it, --contact or both
        #[arg(long)]
        deal: Option<String>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Analyse the audio of every call whose analysis is missing or out of
    /// date (as the workstation does in the background); stop with Ctrl-C
    /// and run again to go on
    Analyze {
        /// Recordings analysed side by side (each already uses every core
        /// for a long recording; more helps with many short calls)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: u16,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// The weekly review plan: draw (or show, once drawn) which calls of a
    /// week are reviewed, why, and by whom; analyses the week's calls first
    Plan(plan_cmd::PlanArgs),
    /// The rep roster (crm/reps.csv of the batches) and what the plan makes
    /// of each rep: newcomer, under plan, not in the roster
    Reps(plan_cmd::RepsArgs),
    /// Open the workstation on the first call not yet submitted
    Review {
        #[command(flatten)]
        review: ReviewArgs,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Write every answered item (or, with --per call, every reviewed or
    /// analysed call) as CSV or JSON: raw rows for other tools
    Export {
        /// Output format: csv (numbers rounded for people) or json (exact)
        #[arg(long, value_enum, default_value = "csv")]
        format: callqa::export::Format,
        /// item: one row per answered item, in checklist order; call: one row
        /// per review of a call, and per analysed call nobody reviewed yet
        #[arg(long, value_enum, default_value = "item")]
        per: callqa::export::Per,
        /// Output file; default: standard output
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Results a sales head acts on: team overview, items, trends, repeated
    /// errors, telephony (and a ranking with --ranking) for a period
    Report {
        #[command(flatten)]
        args: report_cmd::ReportArgs,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// One-to-one feedback: one HTML sheet per rep, holding only that rep
    Feedback {
        #[command(flatten)]
        args: report_cmd::FeedbackArgs,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// CRM hygiene audit per rep: missing fields, overdue tasks, deals
    /// without a next task, calls not written up, clients not contacted
    Audit {
        /// The date to audit as of (YYYY-MM-DD or RFC 3339); default: the newest record
        #[arg(long)]
        as_of: Option<String>,
        /// Output format: table (for reading), csv (counts and record ids per
        /// rep) or json (every number with its record ids)
        #[arg(long, value_enum, default_value = "table")]
        format: callqa::reports::audit::AuditFormat,
        /// Output file; default: standard output
        #[arg(long)]
        out: Option<PathBuf>,
        /// Required fields, saved in the workspace: contact.email,deal.amount,...
        #[arg(long)]
        required: Option<String>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// List the emails of the workspace (a batch's emails/ folder, CRM email
    /// activities): thread,
    /// rep, contact, deal and the automatic checks of each rep's email
    Emails {
        /// Only this rep's emails (sent by or written to them)
        #[arg(long)]
        rep: Option<String>,
        /// Only this ISO week, e.g. 2026-W48
        #[arg(long)]
        period: Option<String>,
        /// Output format: table (for reading) or json (every field and check)
        #[arg(long, value_enum, default_value = "table")]
        format: emails_cmd::EmailsFormat,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Mystery-shopping visits (a batch's mystery/visits.csv) with the
    /// measured speeds (pick-up, proposal, callback) and their verdicts
    /// against the client's limits
    Mystery {
        #[command(flatten)]
        args: mystery_cmd::MysteryArgs,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Calibration: calls a set of reviewers scores blind, their agreement
    /// (percent, Krippendorff's alpha, Cohen's kappa vs the lead, score
    /// deviation) and the agreed version of each call
    Calibration {
        #[command(subcommand)]
        command: calibration_cmd::CalibrationCommand,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// A rep's responses to the failed items of their feedback sheet
    Responses {
        #[command(subcommand)]
        command: responses_cmd::ResponsesCommand,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// The reps' disputes of failed items and how each was resolved
    Disputes {
        /// Only the disputes nobody has resolved yet
        #[arg(long)]
        open: bool,
        /// table (for reading) or json (every field)
        #[arg(long, value_enum, default_value = "table")]
        format: responses_cmd::DisputesFormat,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Benchmark: opening, seeking and analysing 60-minute calls it generates,
    /// against ffmpeg where installed (figures, not a pass/fail test)
    Bench {
        /// Instead: generate a workspace of this many calls (and as many CRM
        /// records) and measure import, startup, key presses, playback CPU,
        /// memory, audit and export, against sqlite3 where installed
        #[arg(long, value_name = "CALLS")]
        scale: Option<usize>,
        /// With --scale: skip reviewing every call and the audit and export
        /// over them (at a million calls that alone takes an hour)
        #[arg(long, requires = "scale")]
        without_reviews: bool,
    },
    /// Copy a whole workspace into an empty one on the other engine: a
    /// solo SQLite file into a team's PostgreSQL database (postgres://…) or
    /// back; the rows of every table are counted on both sides
    Migrate {
        /// The workspace to copy (a file or a postgres:// URL)
        #[arg(long)]
        from: Address,
        /// The empty workspace to copy into (made when missing)
        #[arg(long)]
        to: Address,
        /// Language of the messages (en or ru); default from the config
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Claimed work: who holds which call of a week's plan and until when;
    /// a lead hands a call to a reviewer with --reassign CALL --to REVIEWER
    Claims {
        /// The ISO week of the plan, e.g. 2026-W48; default: this week
        #[arg(long)]
        period: Option<String>,
        /// A call of the plan to hand to another reviewer (with --to)
        #[arg(long, value_name = "CALL", requires = "to")]
        reassign: Option<String>,
        /// The reviewer who gets the call
        #[arg(long, value_name = "REVIEWER", requires = "reassign")]
        to: Option<String>,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Roles on a team's PostgreSQL workspace: reviewer, lead and read-only
    /// client viewer, enforced by the server (a file has one user)
    Team {
        #[command(subcommand)]
        action: team_cmd::TeamCommand,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Import the bundled demo batch into its own workspace and open it
    Demo {
        #[command(flatten)]
        review: ReviewArgs,
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

/// Standard output for what data fills (CSV, reports): never a raw escape
/// on the terminal; `--out FILE` keeps the data exactly.
fn terminal_safe_stdout() -> callqa::text::TerminalSafe<std::io::StdoutLock<'static>> {
    callqa::text::TerminalSafe::new(std::io::stdout().lock())
}

/// Exit code when an import finished but skipped rows or files.
const EXIT_PARTIAL: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Review { .. } | Command::Demo { .. }) {
        failure::end_quietly_on_a_closed_pipe();
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("callqa: {}", failure::one_line_report(e));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load()?;
    match cli.command {
        Command::Import {
            batch,
            format,
            encoding,
            utc_offset,
            country,
            ws,
        } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::Yes)?;
            let offset: chrono::FixedOffset = utc_offset.parse().map_err(|_| {
                anyhow::anyhow!("--utc-offset {utc_offset:?}: write it like +03:00")
            })?;
            let options = callqa::import::formats::ParseOptions {
                encoding,
                default_utc_offset: offset,
                default_country: country,
                ..Default::default()
            };
            import_cmd::run(&workspace, lang, &batch, format, &options)
        }
        Command::Link {
            call,
            contact,
            deal,
            ws,
        } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            callqa::import::link_by_hand(&workspace, &call, contact.as_deref(), deal.as_deref())?;
            let t = callqa::i18n::strings(lang);
            println!("{}: {}", one_line(&call, 200), t.cli_linked);
            Ok(ExitCode::SUCCESS)
        }
        Command::Review { review, ws } => {
            let (workspace, lang, checklist) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            open_workstation(workspace, lang, checklist, &review, &config)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { args, ws } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            report_cmd::report(&workspace, lang, &args)
        }
        Command::Feedback { args, ws } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            report_cmd::feedback(&workspace, lang, &args)
        }
        Command::Export {
            format,
            per,
            out,
            ws,
        } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            use callqa::export::export_per;
            match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("{}: cannot create", path.display()))?;
                    let rows =
                        export_per(&workspace, lang, format, per, std::io::BufWriter::new(file))?;
                    let t = callqa::i18n::strings(lang);
                    eprintln!("{rows} {} {}", t.cli_rows_written, path_line(&path));
                }
                None => {
                    let out = std::io::BufWriter::new(terminal_safe_stdout());
                    export_per(&workspace, lang, format, per, out)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Analyze { jobs, ws } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            analyze(&workspace, lang, usize::from(jobs))
        }
        Command::Plan(args) => plan_cmd::plan(args, &config),
        Command::Reps(args) => plan_cmd::reps(args, &config),
        Command::Audit {
            as_of,
            format,
            out,
            required,
            ws,
        } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let report = audit(&workspace, as_of.as_deref(), required.as_deref())?;
            match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("{}: cannot create", path.display()))?;
                    callqa::reports::audit::write(
                        &report,
                        format,
                        lang,
                        std::io::BufWriter::new(file),
                    )?;
                }
                None => {
                    callqa::reports::audit::write(&report, format, lang, terminal_safe_stdout())?
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Emails {
            rep,
            period,
            format,
            ws,
        } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let mut out = std::io::BufWriter::new(terminal_safe_stdout());
            emails_cmd::list(
                &workspace,
                lang,
                rep.as_deref(),
                period.as_deref(),
                format,
                &mut out,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Mystery { args, ws } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let mut out = std::io::BufWriter::new(terminal_safe_stdout());
            mystery_cmd::list(&workspace, lang, &args, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibration { command, ws } => {
            let (workspace, lang, checklist) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let mut out = std::io::BufWriter::new(terminal_safe_stdout());
            calibration_cmd::run(
                &workspace,
                lang,
                &checklist,
                &command,
                &config.reviewer(),
                &mut out,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Responses { command, ws } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let mut out = std::io::BufWriter::new(terminal_safe_stdout());
            responses_cmd::import(&workspace, lang, &command, &mut out)
        }
        Command::Disputes { open, format, ws } => {
            let (workspace, lang, checklist) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let mut out = std::io::BufWriter::new(terminal_safe_stdout());
            responses_cmd::list(&workspace, lang, &checklist, open, format, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            scale: Some(calls),
            without_reviews,
        } => {
            callqa::scale::run(&mut std::io::stdout().lock(), calls, !without_reviews)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { scale: None, .. } => {
            let analyze = |path: &Path| -> anyhow::Result<()> {
                callqa::analysis::analyze_file(
                    path,
                    callqa::analysis::ChannelLayout::RepLeft,
                    &|_| {},
                )?;
                Ok(())
            };
            callqa::audio::bench::bench(&mut std::io::stdout().lock(), Some(&analyze))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { from, to, lang } => {
            team_cmd::migrate(&from, &to, lang.unwrap_or_else(|| config.language()))
        }
        Command::Claims {
            period,
            reassign,
            to,
            ws,
        } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            let period = match period {
                Some(text) => callqa::domain::sampling::Period::parse(&text)
                    .map_err(|e| anyhow::anyhow!("--period {text:?}: {e}"))?,
                None => callqa::domain::sampling::Period::of(chrono::Local::now().date_naive()),
            };
            let reassign = reassign.as_deref().zip(to.as_deref());
            team_cmd::claims(&workspace, lang, period, reassign)
        }
        Command::Team { action, ws } => {
            let (workspace, lang, _) =
                open_workspace(&ws, &config, config::default_workspace(), Create::No)?;
            team_cmd::team(&workspace, lang, action)
        }
        Command::Demo { review, ws } => {
            let batch = demo::extract(&config::data_dir().join("demo-batch"))?;
            let (workspace, lang, checklist) = open_workspace(
                &ws,
                &config,
                config::data_dir().join("demo.sqlite"),
                Create::Yes,
            )?;
            // Only a workspace this command has just filled gets the
            // colleague's reviews: never a second time, never a user's own.
            let fresh = workspace.call_count()? == 0;
            let report = callqa::import::import_batch(&workspace, &batch)?;
            if !report.problems.is_empty() {
                anyhow::bail!(
                    "the bundled demo did not import cleanly: {}",
                    report.problems[0]
                );
            }
            let mut workspace = workspace;
            if fresh {
                use callqa::reports::demo_reviews;
                demo_reviews::apply(&mut workspace, demo::reviews())?;
                let reviewer = review.reviewer.clone().unwrap_or_else(|| config.reviewer());
                demo_reviews::open_on_the_current_week(&workspace, &reviewer)?;
            }
            open_workstation(workspace, lang, checklist, &review, &config)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Whether a command may make a workspace: only the ones that import do, so
/// a mistyped `--db` elsewhere creates nothing.
#[derive(PartialEq)]
enum Create {
    Yes,
    No,
}

/// Open (or, for `Create::Yes`, make) the workspace, fix its language on
/// first use and load the default checklist into it.
fn open_workspace(
    args: &WorkspaceArgs,
    config: &Config,
    default: PathBuf,
    create: Create,
) -> anyhow::Result<(Workspace, Lang, Checklist)> {
    let address = args.db.clone().unwrap_or(Address::File(default));
    failure::opened(&address);
    let ws = if create == Create::Yes {
        Workspace::open(&address)?
    } else {
        Workspace::open_existing(&address)?
    };
    let lang = match (args.lang, ws.language()?) {
        // A workspace keeps the language it was made in; `--lang` on an
        // existing one speaks that language for this run only.
        (Some(lang), stored) => {
            if stored.is_none() {
                ws.set_setting("language", lang.code())?;
            }
            lang
        }
        (None, Some(lang)) => lang,
        (None, None) => {
            let lang = config.language();
            ws.set_setting("language", lang.code())?;
            lang
        }
    };
    let checklist = Checklist::default_sales_call();
    ws.ensure_checklist(&checklist, DEFAULT_SALES_CALL_TOML)?;
    Ok((ws, lang, checklist))
}

fn audit(
    ws: &Workspace,
    as_of: Option<&str>,
    required: Option<&str>,
) -> anyhow::Result<callqa::domain::audit::AuditReport> {
    use callqa::reports::audit::{AuditData, required_fields, set_required_fields};
    if let Some(text) = required {
        set_required_fields(ws, text)?;
    }
    let as_of = as_of.map(parse_as_of).transpose()?;
    AuditData::load(ws)?.report(&required_fields(ws)?, as_of)
}

/// `YYYY-MM-DD` means the end of that day, local time; RFC 3339 as given.
fn parse_as_of(text: &str) -> anyhow::Result<callqa::domain::crm::Timestamp> {
    if let Ok(ts) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(ts);
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        anyhow::anyhow!(
            "--as-of {text:?}: write a date like 2026-11-27 or 2026-11-27T18:00:00+03:00"
        )
    })?;
    let end = date.and_hms_opt(23, 59, 59).expect("a valid time of day");
    use chrono::TimeZone;
    chrono::Local
        .from_local_datetime(&end)
        .earliest()
        .map(|t| t.fixed_offset())
        .ok_or_else(|| anyhow::anyhow!("--as-of {text:?}: no such local time"))
}

/// `callqa analyze`: see `analyze.rs`. Failures are listed as they come;
/// the summary goes to standard output.
fn analyze(ws: &Workspace, lang: Lang, jobs: usize) -> anyhow::Result<ExitCode> {
    let words = progress::strings(lang);
    let summary = analyze::run_showing_progress(ws.path(), jobs, analyze::Scope::All, lang);
    let summary = summary?;
    println!(
        "{}",
        words
            .analysed
            .replace("{done}", &summary.done.to_string())
            .replace("{failed}", &summary.failed.to_string())
    );
    if summary.stopped {
        let left = summary.calls - summary.done - summary.failed;
        println!("{}", words.stopped.replace("{left}", &left.to_string()));
        return Ok(ExitCode::from(EXIT_PARTIAL));
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

fn open_workstation(
    ws: Workspace,
    lang: Lang,
    checklist: Checklist,
    args: &ReviewArgs,
    config: &Config,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    // A bad keymap is named before anything else, terminal or not.
    let keymap = callqa::tui::load_keymap(&config::config_dir())?;
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the workstation needs a terminal (stdout is not a TTY)");
    }
    // On a team's workspace the login is the name the row rules compare.
    let reviewer = match args.reviewer.clone() {
        Some(name) => name,
        None => ws.team_login()?.unwrap_or_else(|| config.reviewer()),
    };
    let log_path = config::data_dir().join("callqa.log");
    // The player thread may print while opening the device: redirect first.
    let choice = if args.no_sound {
        OutputChoice::Null
    } else {
        OutputChoice::Device
    };
    callqa::tui::run_with(log_path.as_path(), move || {
        let player = PlayerHandle::spawn(choice);
        let mut app = callqa::tui::app::App::new(ws, reviewer, lang, checklist, keymap, player)?;
        app.start_analysis();
        Ok(app)
    })
}
