//! `callqa calibration`: a lead marks calls for a set of reviewers to
//! score blind, reads their agreement (per item and per reviewer, each
//! figure with its n), and chooses each call's agreed version, the only
//! calibration review that counts toward the rep's results.

use callqa::domain::{Checklist, Lang};
use callqa::i18n::calibration::calibration_strings;
use callqa::reports::results::calibration::{gather, item_rows, notes, reviewer_rows, set_line};
use callqa::store::{CalibrationSet, Workspace};
use callqa::text::{aligned_columns, one_line};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
}

/// The set a command means when none is named.
const DEFAULT_SET: &str = "calibration";

#[derive(clap::Subcommand)]
pub enum CalibrationCommand {
    /// Make calls calibration calls, scored blind by the reviewers given
    Mark {
        /// Call ids
        #[arg(required = true)]
        calls: Vec<String>,
        /// Reviewers who score these calls, comma-separated: anna,boris
        #[arg(long, value_delimiter = ',', required = true)]
        reviewers: Vec<String>,
        /// The lead: kappa is each reviewer's against the lead's answers
        #[arg(long)]
        lead: String,
        /// The set's name
        #[arg(long, default_value = DEFAULT_SET)]
        set: String,
    },
    /// Agreement per item (n, percent agreement, Krippendorff's alpha) and
    /// per reviewer (Cohen's kappa vs the lead, score deviation, n); refused
    /// to a member who still scores the set blind
    Show {
        /// Only this set; default: every set
        #[arg(long)]
        set: Option<String>,
        /// Who asks; default: the reviewer of the config file
        #[arg(long, conflicts_with = "lead")]
        reviewer: Option<String>,
        /// Ask as the set's lead, who always sees the figures
        #[arg(long, value_name = "NAME")]
        lead: Option<String>,
        /// table (for reading) or json (every figure exactly, with its n)
        #[arg(long, value_enum, default_value = "table")]
        format: ShowFormat,
    },
    /// Choose the review that is the call's agreed version (counted once
    /// toward the rep's results), or take the choice back with --none
    Agree {
        /// The call id
        call: String,
        /// The review id (`callqa calibration show --format json` lists them)
        #[arg(long, required_unless_present = "none", conflicts_with = "none")]
        review: Option<i64>,
        /// No agreed version yet: no calibration review of the call counts
        #[arg(long)]
        none: bool,
    },
}

pub fn run(
    ws: &Workspace,
    lang: Lang,
    checklist: &Checklist,
    command: &CalibrationCommand,
    config_reviewer: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let t = calibration_strings(lang);
    match command {
        CalibrationCommand::Mark {
            calls,
            reviewers,
            lead,
            set,
        } => {
            ws.mark_calibration(set, lead, reviewers, calls)?;
            writeln!(out, "{} {}: {}", t.marked, one_line(set, 80), calls.len())?;
        }
        CalibrationCommand::Show {
            set,
            format,
            reviewer,
            lead,
        } => {
            let sets = gather(ws, checklist, set.as_deref())?;
            if let Some(name) = set
                && sets.is_empty()
            {
                anyhow::bail!("{} {:?}", t.no_such_set, one_line(name, 80));
            }
            let asker = lead
                .as_deref()
                .or(reviewer.as_deref())
                .unwrap_or(config_reviewer);
            for shown in &sets {
                refuse_while_blind(ws, lang, asker, lead.is_some(), &shown.set)?;
            }
            match format {
                ShowFormat::Json => {
                    let text = serde_json::to_string_pretty(&sets)?;
                    writeln!(out, "{}", callqa::text::json_safe(&text))?;
                }
                ShowFormat::Table if sets.is_empty() => writeln!(out, "{}", t.no_sets)?,
                ShowFormat::Table => {
                    for set in &sets {
                        writeln!(out, "{}", one_line(&set_line(lang, set), 500))?;
                        writeln!(out)?;
                        aligned_columns(out, &item_rows(lang, checklist, &set.figures))?;
                        writeln!(out)?;
                        aligned_columns(out, &reviewer_rows(lang, &set.figures))?;
                        writeln!(out)?;
                    }
                    for note in notes(lang) {
                        writeln!(out, "{note}")?;
                    }
                }
            }
        }
        CalibrationCommand::Agree { call, review, .. } => {
            ws.agree_calibration(call, *review)?;
            let chosen = review.map_or_else(|| t.none_yet.to_string(), |id| id.to_string());
            writeln!(out, "{} {}: {chosen}", t.agreed, one_line(call, 200))?;
        }
    }
    Ok(())
}

/// Stop `show` when `asker` may not see `set`'s figures yet: a member still
/// scoring it blind, or someone asking as its lead who is not.
fn refuse_while_blind(
    ws: &Workspace,
    lang: Lang,
    asker: &str,
    as_lead: bool,
    set: &CalibrationSet,
) -> anyhow::Result<()> {
    let t = calibration_strings(lang);
    let name = one_line(&set.name, 80);
    if as_lead && asker != set.lead {
        anyhow::bail!("{} {} {name:?}", one_line(asker, 80), t.not_the_lead);
    }
    let hidden = ws.figures_hidden_from(asker, set)?;
    if !hidden.is_empty() {
        anyhow::bail!(
            "{}",
            t.show_refused
                .replace("{who}", &one_line(asker, 80))
                .replace("{set}", &format!("{name:?}"))
                .replace("{calls}", &one_line(&hidden.join(", "), 300))
        );
    }
    Ok(())
}
