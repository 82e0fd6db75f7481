//! The team's commands.
//!
//! `callqa migrate --from A --to B`: a solo SQLite workspace moved into a
//! team's PostgreSQL database, or a team's workspace back into a file. The
//! target must be empty; every table's rows are counted on both sides
//! after the copy, and a difference fails the command.
//!
//! `callqa claims`: who holds which call of a week's plan and until when
//! (see `store::claims`), and a lead's `--reassign CALL --to REVIEWER`.

use callqa::domain::Lang;
use callqa::domain::sampling::Period;
use callqa::store::{Address, Workspace};
use callqa::text::one_line;
use std::process::ExitCode;

/// The commands' words, in both languages.
struct Words {
    copied: &'static str,
    rows: &'static str,
    mismatch: &'static str,
    same_place: &'static str,
    no_claims: &'static str,
    run_out: &'static str,
    until: &'static str,
    reassigned: &'static str,
    not_in_plan: &'static str,
}

const EN: Words = Words {
    copied: "Copied",
    rows: "rows",
    mismatch: "rows differ after the copy",
    same_place: "--from and --to name the same workspace",
    no_claims: "No call of this plan is claimed",
    run_out: "run out, back in the pool",
    until: "until",
    reassigned: "now drawn for",
    not_in_plan: "is not in the plan of",
};

const RU: Words = Words {
    copied: "Скопировано",
    rows: "строк",
    mismatch: "после копирования число строк не совпадает",
    same_place: "--from и --to указывают на одно и то же рабочее пространство",
    no_claims: "Ни один звонок этого плана не взят",
    run_out: "срок истёк, звонок снова свободен",
    until: "до",
    reassigned: "теперь назначен",
    not_in_plan: "нет в плане недели",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

pub fn migrate(from: &Address, to: &Address, lang: Lang) -> anyhow::Result<ExitCode> {
    let w = words(lang);
    anyhow::ensure!(from != to, "{}", w.same_place);
    let source = Workspace::open_existing(from)?;
    let target = Workspace::open(to)?;
    let counts = source.copy_into(&target)?;
    let mut differ = Vec::new();
    for count in &counts {
        println!(
            "{:<18} {:>9} → {:>9}",
            count.table, count.source, count.target
        );
        if count.source != count.target {
            differ.push(count.table);
        }
    }
    anyhow::ensure!(differ.is_empty(), "{}: {}", w.mismatch, differ.join(", "));
    let total: u64 = counts.iter().map(|c| c.target).sum();
    println!("{} {total} {}: {from} → {to}", w.copied, w.rows);
    Ok(ExitCode::SUCCESS)
}

/// `callqa claims`: the claims on `period`'s plan, or a lead's reassignment.
pub fn claims(
    ws: &Workspace,
    lang: Lang,
    period: Period,
    reassign: Option<(&str, &str)>,
) -> anyhow::Result<ExitCode> {
    let w = words(lang);
    if let Some((call, reviewer)) = reassign {
        anyhow::ensure!(
            ws.reassign_planned_call(period, call, reviewer)?,
            "{} {} {period}",
            one_line(call, 200),
            w.not_in_plan
        );
        println!(
            "{}: {} {}",
            one_line(call, 200),
            w.reassigned,
            one_line(reviewer, 200)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let claims = ws.claims(period)?;
    if claims.is_empty() {
        println!("{} ({period})", w.no_claims);
    }
    let now = chrono::Utc::now().timestamp_millis();
    for claim in claims {
        let state = match chrono::DateTime::from_timestamp_millis(claim.expires_ms) {
            Some(at) if claim.expires_ms > now => format!(
                "{} {}",
                w.until,
                at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
            ),
            _ => w.run_out.to_string(),
        };
        println!(
            "{:<16} {:<20} {state}",
            one_line(&claim.call_id, 200),
            one_line(&claim.reviewer, 200)
        );
    }
    Ok(ExitCode::SUCCESS)
}
