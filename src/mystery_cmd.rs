//! `callqa mystery`: the workspace's mystery-shopping visits with the
//! speeds their timestamps give (time to pick up, to the proposal, to the
//! callback after it) and the verdicts against the client's limits, as a
//! table or JSON, in the workspace language.

use anyhow::{Context, anyhow};
use callqa::domain::Lang;
use callqa::domain::crm::Timestamp;
use callqa::domain::mystery::{Channel, DEFAULT_MYSTERY_TOML, Measure, MysteryRules, Speed};
use callqa::domain::sampling::Period;
use callqa::i18n::mystery::{channel, measure, mystery_strings, span, speed_text};
use callqa::store::{StoredVisit, VisitFilter, Workspace};
use callqa::text::{one_line, path_line};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MysteryFormat {
    Table,
    Json,
}

#[derive(clap::Args)]
pub struct MysteryArgs {
    /// Only visits requested in this ISO week, e.g. 2026-W48
    #[arg(long)]
    period: Option<String>,
    /// Only the visits that reached this rep
    #[arg(long)]
    rep: Option<String>,
    /// Output format: table (for reading) or json (every field, speed and verdict)
    #[arg(long, value_enum, default_value = "table")]
    format: MysteryFormat,
    /// Judge steps not taken as of this time (YYYY-MM-DD: the end of that
    /// day; or RFC 3339): missing once their limit has passed, else waiting;
    /// default: now
    #[arg(long)]
    as_of: Option<String>,
    /// Speed limits (TOML, see assets/mystery.toml), kept in the workspace
    /// from then on; default: the workspace's, else the bundled ones
    #[arg(long)]
    rules: Option<PathBuf>,
}

pub fn list(
    ws: &Workspace,
    lang: Lang,
    args: &MysteryArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let period = args
        .period
        .as_deref()
        .map(Period::parse)
        .transpose()
        .map_err(|e| anyhow!("--period {e}"))?;
    let as_of = match &args.as_of {
        Some(text) => super::parse_as_of(text)?,
        None => chrono::Local::now().fixed_offset(),
    };
    let rules = rules(ws, lang, args.rules.as_ref())?;
    let visits = ws.visits(&VisitFilter {
        rep: args.rep.as_deref(),
        period,
    })?;
    let measured: Vec<(&StoredVisit, [Speed; 3])> = visits
        .iter()
        .map(|v| (v, v.visit.speeds(&rules, as_of)))
        .collect();
    match args.format {
        MysteryFormat::Json => {
            let rows: Vec<serde_json::Value> = measured
                .iter()
                .map(|(v, speeds)| {
                    serde_json::json!({
                        "visit": v.visit,
                        "speeds": speeds,
                        "rules_version": rules.version,
                        "source_file": v.source_file,
                        "source_line": v.source_line,
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&rows)?;
            writeln!(out, "{}", callqa::text::json_safe(&text))?;
        }
        MysteryFormat::Table => table(&measured, &rules, as_of, lang, out)?,
    }
    Ok(())
}

/// The limits given with `--rules` (stored in the workspace), else the
/// workspace's, else the bundled ones.
fn rules(ws: &Workspace, lang: Lang, file: Option<&PathBuf>) -> anyhow::Result<MysteryRules> {
    if let Some(path) = file {
        let text = callqa::config::read_settings_file(path)?
            .with_context(|| format!("{}: no such file", path_line(path)))?;
        let rules = MysteryRules::from_toml(&text, &path_line(path)).map_err(|e| anyhow!(e))?;
        if !ws.use_mystery_rules(&rules, &text)? {
            let t = mystery_strings(lang);
            anyhow::bail!(
                "{}: {} v{} {}",
                path_line(path),
                t.rules,
                rules.version,
                t.rules_changed
            );
        }
        return Ok(rules);
    }
    Ok(match ws.mystery_rules()? {
        Some((rules, _)) => rules,
        None => MysteryRules::from_toml(DEFAULT_MYSTERY_TOML, "assets/mystery.toml")
            .map_err(|e| anyhow!(e))?,
    })
}

fn table(
    measured: &[(&StoredVisit, [Speed; 3])],
    rules: &MysteryRules,
    as_of: Timestamp,
    lang: Lang,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let t = mystery_strings(lang);
    if measured.is_empty() {
        return writeln!(out, "{}", t.no_visits);
    }
    let mut rows = vec![
        [
            t.visit,
            t.requested,
            t.channel,
            t.shopper,
            t.reached,
            t.pick_up,
            t.proposal,
            t.callback,
            t.evidence,
            t.scenario,
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (stored, speeds) in measured {
        let v = &stored.visit;
        let reached = v.rep.as_deref().or(v.team.as_deref()).unwrap_or(t.unknown);
        let evidence: Vec<&str> = [v.call_id.as_deref(), v.message_id.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let mut row = vec![
            one_line(&v.visit_id, 20),
            v.requested_at.map_or(t.no_request.to_string(), |d| {
                d.format("%Y-%m-%d %H:%M").to_string()
            }),
            channel(lang, v.channel).to_string(),
            one_line(&v.shopper, 40),
            one_line(reached, 30),
        ];
        row.extend(speeds.iter().map(|s| speed_text(lang, s)));
        row.push(match evidence.is_empty() {
            true => t.unknown.to_string(),
            false => one_line(&evidence.join(" "), 50),
        });
        row.push(one_line(&v.scenario, 50));
        rows.push(row);
    }
    callqa::text::aligned_columns(out, &rows)?;
    writeln!(out)?;
    let channels: Vec<Channel> = Channel::ALL
        .into_iter()
        .filter(|c| measured.iter().any(|(v, _)| v.visit.channel == *c))
        .collect();
    let limits: Vec<String> = channels
        .iter()
        .map(|&c| {
            let each: Vec<String> = Measure::ALL
                .iter()
                .map(|&m| {
                    let limit = rules.limits(c).of(m).0;
                    format!("{} {}", measure(lang, m), span(lang, limit))
                })
                .collect();
            format!("{}: {}", channel(lang, c), each.join(", "))
        })
        .collect();
    writeln!(
        out,
        "{} ({} v{}, {} {}): {}",
        t.limits,
        t.rules,
        rules.version,
        t.as_of,
        as_of.format("%Y-%m-%d %H:%M"),
        limits.join("; ")
    )
}
