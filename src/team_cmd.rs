//! The team's commands.
//!
//! `callqa migrate --from A --to B`: a solo SQLite workspace moved into a
//! team's PostgreSQL database, or a team's workspace back into a file. The
//! target must be empty; every table's rows are counted on both sides
//! after the copy, and a difference fails the command.
//!
//! `callqa claims`: who holds which call of a week's plan and until when
//! (see `store::claims`), and a lead's `--reassign CALL --to REVIEWER`.
//!
//! `callqa team setup|add|list`: the roles a PostgreSQL server enforces
//! (see `store::roles`); a file has one user, and says so.

use callqa::domain::Lang;
use callqa::domain::sampling::Period;
use callqa::i18n::team::{role as role_name, team_strings as words};
use callqa::store::{Address, TeamRole, Workspace};
use callqa::text::one_line;
use std::process::ExitCode;

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
        if let Some(why) = ws.reassign_refusal(reviewer)? {
            anyhow::bail!(callqa::i18n::team::reassign_refusal(lang, &why));
        }
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

/// What `callqa team` does.
#[derive(clap::Subcommand)]
pub enum TeamCommand {
    /// Make the group roles callqa_reviewer, callqa_lead and callqa_client
    /// with their grants and row rules (again after an upgrade); needs a
    /// login that may create roles and owns the tables
    Setup,
    /// Give a person a login in a role (password from CALLQA_NEW_PASSWORD,
    /// none for a server that trusts its socket)
    Add {
        /// The login, which is also the reviewer name on their reviews
        #[arg(value_name = "NAME")]
        login: String,
        /// reviewer, lead or client
        #[arg(long)]
        role: TeamRole,
    },
    /// Who has which role
    List,
}

/// `callqa team`: set up the roles, give a person one, or list who has
/// which. A new login's password comes from `CALLQA_NEW_PASSWORD` (none
/// for a server that trusts its socket).
pub fn team(ws: &Workspace, lang: Lang, action: TeamCommand) -> anyhow::Result<ExitCode> {
    let w = words(lang);
    let done = match action {
        TeamCommand::Setup => ws.set_up_roles()?.map(|()| println!("{}", w.set_up)),
        TeamCommand::Add { login, role } => {
            let password = std::env::var("CALLQA_NEW_PASSWORD").ok();
            ws.add_member(&login, role, password.as_deref())?.map(|()| {
                println!(
                    "{} {} {}",
                    role_name(lang, role),
                    w.added,
                    one_line(&login, 200)
                )
            })
        }
        TeamCommand::List => ws.members()?.map(|members| {
            if members.is_empty() {
                println!("{}", w.no_members);
            } else {
                println!("{:<24} {}", w.login, w.role);
            }
            for member in members {
                println!(
                    "{:<24} {}",
                    one_line(&member.login, 200),
                    role_name(lang, member.role)
                );
            }
        }),
    };
    if done.is_none() {
        println!("{} {}", ws.address(), w.one_user);
    }
    Ok(ExitCode::SUCCESS)
}
