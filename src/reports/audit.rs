//! The CRM hygiene audit as a table for the terminal, CSV for a
//! spreadsheet, or JSON listing the records behind every number.

use crate::domain::Lang;
use crate::domain::audit::{AuditInput, AuditReport, AuditRow, RequiredFields, audit};
use crate::domain::crm::{Call, Contact, CrmData, Deal, Note, Task, Timestamp};
use crate::i18n::strings;
use crate::store::Workspace;
use crate::text::{json_safe, one_line, spreadsheet_cell};
use std::collections::HashSet;
use std::io::Write;

const REQUIRED_SETTING: &str = "audit.required";

/// The workspace's required-field list, or the article's default.
pub fn required_fields(ws: &Workspace) -> anyhow::Result<RequiredFields> {
    match ws.setting(REQUIRED_SETTING)? {
        Some(text) => RequiredFields::parse(&text)
            .map_err(|e| anyhow::anyhow!("workspace setting {REQUIRED_SETTING}: {e}")),
        None => Ok(RequiredFields::default()),
    }
}

/// Check and keep a new required-field list (`contact.email,deal.amount`).
pub fn set_required_fields(ws: &Workspace, text: &str) -> anyhow::Result<()> {
    let fields = RequiredFields::parse(text).map_err(|e| anyhow::anyhow!("--required: {e}"))?;
    ws.set_setting(REQUIRED_SETTING, &fields.to_text())?;
    Ok(())
}

/// Every record the audit looks at, loaded once; kept by the TUI screen to
/// show the records behind a number.
pub struct AuditData {
    pub calls: Vec<Call>,
    pub activities: Vec<crate::domain::matching::Activity>,
    pub contacts: Vec<Contact>,
    pub deals: Vec<Deal>,
    pub tasks: Vec<Task>,
    pub notes: Vec<Note>,
    /// Calls with a write-up, as linking decided.
    pub written_up: HashSet<String>,
}

impl AuditData {
    pub fn load(ws: &Workspace) -> anyhow::Result<AuditData> {
        Ok(AuditData {
            calls: ws.all_calls()?,
            activities: ws.all_activities()?,
            contacts: ws.all_contacts()?,
            deals: ws.all_deals()?,
            tasks: ws.all_tasks()?,
            notes: ws.all_notes()?,
            written_up: ws.written_up_calls()?,
        })
    }

    pub fn view(&self) -> AuditInput<'_> {
        AuditInput {
            calls: &self.calls,
            crm: CrmData {
                activities: &self.activities,
                contacts: &self.contacts,
                deals: &self.deals,
                tasks: &self.tasks,
                notes: &self.notes,
            },
            written_up: &self.written_up,
        }
    }

    /// The audit as of a time, default: the newest record.
    pub fn report(
        &self,
        required: &RequiredFields,
        as_of: Option<Timestamp>,
    ) -> anyhow::Result<AuditReport> {
        let data = self.view();
        let as_of = match as_of.or_else(|| data.newest()) {
            Some(t) => t,
            None => anyhow::bail!("the workspace has no records to audit; import a batch first"),
        };
        Ok(audit(&data, required, as_of))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Table,
    Csv,
    Json,
}

/// One number of the audit: how it is named, shown, and which records
/// stand behind it. Shared by the CLI formats and the TUI screen.
pub struct Column {
    pub key: &'static str,
    pub value: fn(&AuditRow) -> String,
    pub ids: fn(&AuditRow) -> Vec<String>,
}

impl Column {
    pub fn title(&self, lang: Lang) -> &'static str {
        crate::i18n::audit_column_title(lang, self.key)
    }
}

fn count(v: &[String]) -> String {
    v.len().to_string()
}

pub const COLUMNS: &[Column] = &[
    Column {
        key: "contacts_missing_fields",
        value: |r| r.contacts_missing_fields.len().to_string(),
        ids: |r| {
            r.contacts_missing_fields
                .iter()
                .map(|m| format!("{}({})", m.id, m.fields.join("+")))
                .collect()
        },
    },
    Column {
        key: "deals_missing_fields",
        value: |r| r.deals_missing_fields.len().to_string(),
        ids: |r| {
            r.deals_missing_fields
                .iter()
                .map(|m| format!("{}({})", m.id, m.fields.join("+")))
                .collect()
        },
    },
    Column {
        key: "overdue_tasks",
        value: |r| count(&r.overdue_tasks),
        ids: |r| r.overdue_tasks.clone(),
    },
    Column {
        key: "oldest_overdue",
        value: |r| {
            r.oldest_overdue
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        },
        ids: |_| Vec::new(),
    },
    Column {
        key: "deals_without_next_task",
        value: |r| count(&r.deals_without_next_task),
        ids: |r| r.deals_without_next_task.clone(),
    },
    Column {
        key: "calls_without_write_up",
        value: |r| count(&r.calls_without_write_up),
        ids: |r| r.calls_without_write_up.clone(),
    },
    Column {
        key: "not_contacted_1m",
        value: |r| count(&r.not_contacted_1m),
        ids: |r| r.not_contacted_1m.clone(),
    },
    Column {
        key: "not_contacted_3m",
        value: |r| count(&r.not_contacted_3m),
        ids: |r| r.not_contacted_3m.clone(),
    },
    Column {
        key: "not_contacted_12m",
        value: |r| count(&r.not_contacted_12m),
        ids: |r| r.not_contacted_12m.clone(),
    },
];

pub fn rep_label(row: &AuditRow, lang: Lang) -> String {
    if row.rep.is_empty() {
        strings(lang).audit_all.into()
    } else {
        one_line(&row.rep, 40)
    }
}

pub fn write(
    report: &AuditReport,
    format: AuditFormat,
    lang: Lang,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let rows: Vec<&AuditRow> = report.reps.iter().chain([&report.overall]).collect();
    match format {
        AuditFormat::Json => {
            let json = serde_json::to_string_pretty(report)?;
            writeln!(out, "{}", json_safe(&json))?;
        }
        AuditFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut header = vec!["rep".to_string()];
            for c in COLUMNS {
                header.push(c.key.to_string());
            }
            for c in COLUMNS.iter().filter(|c| c.key != "oldest_overdue") {
                header.push(format!("{}_ids", c.key));
            }
            w.write_record(&header)?;
            for row in rows {
                let mut record = vec![if row.rep.is_empty() {
                    "*".to_string()
                } else {
                    row.rep.clone()
                }];
                record.extend(COLUMNS.iter().map(|c| (c.value)(row)));
                record.extend(
                    COLUMNS
                        .iter()
                        .filter(|c| c.key != "oldest_overdue")
                        .map(|c| (c.ids)(row).join(" ")),
                );
                w.write_record(record.iter().map(|c| spreadsheet_cell(c).into_owned()))?;
            }
            w.flush()?;
        }
        AuditFormat::Table => {
            let t = strings(lang);
            writeln!(
                out,
                "{} {}",
                t.audit_as_of,
                report.as_of.format("%Y-%m-%d %H:%M %:z")
            )?;
            let mut header = vec![t.audit_rep.to_string()];
            header.extend(COLUMNS.iter().map(|c| c.title(lang).to_string()));
            let table: Vec<Vec<String>> = std::iter::once(header)
                .chain(rows.iter().map(|row| {
                    let mut cells = vec![rep_label(row, lang)];
                    cells.extend(COLUMNS.iter().map(|c| (c.value)(row)));
                    cells
                }))
                .collect();
            let widths: Vec<usize> = (0..table[0].len())
                .map(|i| {
                    table
                        .iter()
                        .map(|r| r[i].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in &table {
                let cells: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .enumerate()
                    .map(|(i, (cell, w))| {
                        let pad = w - cell.chars().count();
                        if i == 0 {
                            format!("{cell}{}", " ".repeat(pad))
                        } else {
                            format!("{}{cell}", " ".repeat(pad))
                        }
                    })
                    .collect();
                writeln!(out, "{}", cells.join("  "))?;
            }
        }
    }
    Ok(())
}
