//! The CRM audit screen: the per-rep table, a column to sort by, and the
//! records behind a number (drill-down), built from the same audit the
//! `callqa audit` command prints.
//!
//! The audit reads the whole workspace (every call and CRM record), which
//! at a large client's size takes seconds: it is computed on a thread of
//! its own with its own connection, the message line says so, and the
//! keys stay live until the screen opens.

use super::App;
use super::background::Background;
use crate::domain::Lang;
use crate::domain::audit::{AuditReport, AuditRow};
use crate::reports::audit::{AuditData, COLUMNS, required_fields};
use crate::store::Workspace;
use crate::text::one_line;
use crate::tui::keymap::Action;

pub struct AuditView {
    pub report: AuditReport,
    data: AuditData,
    /// Rows in display order: indexes into `report.reps`, and
    /// `report.reps.len()` for the overall row, which stays last.
    pub order: Vec<usize>,
    pub row: usize,
    pub column: usize,
    pub sorted_by: Option<usize>,
    pub drill: Option<Drill>,
}

/// The records behind one number.
pub struct Drill {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: u16,
}

impl Drill {
    /// A key of the `[records]` section; true when it closes the box.
    pub(super) fn key(&mut self, action: Action) -> bool {
        match action {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Back => return true,
            _ => {}
        }
        false
    }
}

/// A column's number as a sort key (dates sort as text, which is ISO).
fn sort_key(row: &AuditRow, column: usize) -> (usize, String) {
    let ids = (COLUMNS[column].ids)(row).len();
    (ids, (COLUMNS[column].value)(row))
}

impl AuditView {
    fn load(ws: &Workspace) -> anyhow::Result<AuditView> {
        let data = AuditData::load(ws)?;
        let report = data.report(&required_fields(ws)?, None)?;
        let order = (0..=report.reps.len()).collect();
        Ok(AuditView {
            report,
            data,
            order,
            row: 0,
            column: 0,
            sorted_by: None,
            drill: None,
        })
    }

    pub fn row_at(&self, index: usize) -> &AuditRow {
        self.report
            .reps
            .get(self.order[index])
            .unwrap_or(&self.report.overall)
    }

    fn sort(&mut self) {
        let column = self.column;
        let reps = &self.report.reps;
        let mut order: Vec<usize> = (0..reps.len()).collect();
        order.sort_by(|a, b| sort_key(&reps[*b], column).cmp(&sort_key(&reps[*a], column)));
        order.push(reps.len());
        self.order = order;
        self.sorted_by = Some(column);
        self.row = 0;
    }

    fn drill_down(&mut self, lang: Lang) {
        let column = &COLUMNS[self.column];
        let row = self.row_at(self.row);
        // The oldest-overdue date stands for the overdue tasks.
        let ids_of = if column.key == "oldest_overdue" {
            COLUMNS
                .iter()
                .find(|c| c.key == "overdue_tasks")
                .unwrap_or(column)
        } else {
            column
        };
        let lines = (ids_of.ids)(row)
            .iter()
            .map(|id| self.describe(ids_of.key, id))
            .collect();
        self.drill = Some(Drill {
            title: format!(
                "{} · {}",
                crate::reports::audit::rep_label(row, lang),
                ids_of.title(lang)
            ),
            lines,
            scroll: 0,
        });
    }

    /// One line about a record, from its id as the audit lists it.
    fn describe(&self, key: &str, id: &str) -> String {
        let d = &self.data;
        // Missing-field entries read `K-104(role+email)`.
        let (id, missing) = match id.split_once('(') {
            Some((id, rest)) => (id, rest.trim_end_matches(')').replace('+', ", ")),
            None => (id, String::new()),
        };
        let text = match key {
            "contacts_missing_fields"
            | "not_contacted_1m"
            | "not_contacted_3m"
            | "not_contacted_12m" => d.contacts.iter().find(|c| c.contact_id == id).map(|c| {
                let mut s = format!("{id}  {} · {} · {}", c.name, c.company, c.phone);
                if !missing.is_empty() {
                    s.push_str(&format!(" · ✘ {missing}"));
                }
                s
            }),
            "deals_missing_fields" | "deals_without_next_task" => {
                d.deals.iter().find(|x| x.deal_id == id).map(|x| {
                    let mut s = format!("{id}  {} · {}", x.title, x.stage);
                    if !missing.is_empty() {
                        s.push_str(&format!(" · ✘ {missing}"));
                    }
                    s
                })
            }
            "overdue_tasks" => d.tasks.iter().find(|t| t.task_id == id).map(|t| {
                let due = t
                    .due_at
                    .map(|due| due.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                format!("{id}  {due} · {} · {}", t.text, t.owner_rep)
            }),
            "calls_without_write_up" => d.calls.iter().find(|c| c.call_id == id).map(|c| {
                format!(
                    "{id}  {} · {} · {}",
                    c.started_at.format("%Y-%m-%d %H:%M"),
                    c.rep,
                    c.phone
                )
            }),
            _ => None,
        };
        one_line(&text.unwrap_or_else(|| id.to_string()), 300)
    }
}

impl App {
    /// Start computing the audit; the screen opens when it is ready (see
    /// [`App::poll_audit`]).
    pub fn open_audit(&mut self) {
        let loading = self.t().audit_loading.to_string();
        if self.screen.audit_loading.is_some() {
            return self.info(loading);
        }
        let path = self.ws.path().to_path_buf();
        match Background::start("callqa-audit", path, AuditView::load) {
            Ok(pending) => {
                self.screen.audit_loading = Some(pending);
                self.info(loading);
            }
            Err(e) => self.say_unreadable(e.to_string()),
        }
    }

    /// Open the audit screen once it is computed; true if the screen
    /// changed.
    pub(super) fn poll_audit(&mut self) -> bool {
        let Some(view) = self
            .screen
            .audit_loading
            .as_ref()
            .and_then(Background::poll)
        else {
            return false;
        };
        self.screen.audit_loading = None;
        let still_loading = self
            .screen
            .message
            .as_ref()
            .is_some_and(|m| m.text == self.t().audit_loading);
        if still_loading {
            self.screen.message = None;
        }
        match view {
            Ok(view) => self.screen.audit = Some(view),
            Err(e) => self.say_unreadable(format!("{}: {e:#}", self.t().audit_title)),
        }
        true
    }

    /// Whether an audit is being computed (it opens on a later tick).
    pub fn audit_loading(&self) -> bool {
        self.screen.audit_loading.is_some()
    }

    /// The keys of the audit table and of the records behind a number
    /// (the `[audit]` and `[records]` keymap sections).
    pub(super) fn audit_action(&mut self, action: Action) {
        let lang = self.lang();
        let Some(view) = self.screen.audit.as_mut() else {
            return;
        };
        if let Some(drill) = view.drill.as_mut() {
            if drill.key(action) {
                view.drill = None;
            }
            return;
        }
        let rows = view.order.len();
        match action {
            Action::Up => view.row = view.row.saturating_sub(1),
            Action::Down => view.row = (view.row + 1).min(rows - 1),
            Action::ColumnLeft => view.column = view.column.saturating_sub(1),
            Action::ColumnRight => view.column = (view.column + 1).min(COLUMNS.len() - 1),
            Action::Sort => view.sort(),
            Action::Records => view.drill_down(lang),
            Action::Back => self.screen.audit = None,
            _ => {}
        }
    }
}
