//! The results screen: the figures of `callqa report` for the latest
//! reviewed week, per rep, on screen (quality reviewed against the plan,
//! average score and its trend, critical failures, repeated errors, weeks
//! without one), and the reviews and moments behind a rep's figures, the
//! failures of the rep's emails with their quoted lines among them.
//!
//! The figures read every review of the workspace, so they are computed
//! on a thread with its own connection, like the audit; the keys stay live.

use super::App;
use super::audit::Drill;
use super::background::Background;
use crate::domain::results::{Occurrence, Span};
use crate::domain::sampling::Period;
use crate::reports::results::{Report, ReportOptions, gather, workspace_rules};
use crate::store::Workspace;
use crate::text::{clock, one_line};
use crate::tui::keymap::Action;

pub struct ResultsView {
    pub report: Report,
    pub row: usize,
    pub drill: Option<Drill>,
}

impl ResultsView {
    /// The week of the newest reviewed call; `None` when nothing is reviewed.
    fn load(ws: &Workspace, lang: crate::domain::Lang) -> anyhow::Result<Option<ResultsView>> {
        let Some(newest) = ws.newest_reviewed_day()? else {
            return Ok(None);
        };
        let options = ReportOptions {
            span: Span::week(Period::of(newest)),
            weeks: None,
            team: None,
            rep: None,
            ranking: false,
        };
        let report = gather(ws, lang, &workspace_rules(ws)?, &options)?;
        Ok(Some(ResultsView {
            report,
            row: 0,
            drill: None,
        }))
    }

    /// What stands behind the selected rep's figures: each repeated error
    /// with its calls and moments, then the failed items of the week.
    fn drill_down(&mut self) {
        let Some(rep) = self.report.results.reps.get(self.row) else {
            return;
        };
        let t = crate::i18n::report::report_strings(self.report.lang);
        let mut lines = Vec::new();
        for repeated in self
            .report
            .results
            .repeated
            .iter()
            .filter(|r| r.rep == rep.rep)
        {
            lines.push(format!(
                "{} {}: {}",
                t.repeated_mark,
                repeated.week,
                one_line(&self.report.item_text(&repeated.item_id), 120)
            ));
            for o in &repeated.occurrences {
                let at = evidence(o);
                let comment = o.comment.as_deref().unwrap_or("");
                lines.push(format!(
                    "    {} / {at} · {} · {}",
                    one_line(&o.call_id, 40),
                    one_line(&o.reviewer, 30),
                    one_line(comment, 200)
                ));
            }
        }
        let email_items = self.report.results.emails.iter().flat_map(|e| &e.items);
        for item in self.report.results.items.iter().chain(email_items) {
            for (_, o) in item.failures.iter().filter(|(who, _)| *who == rep.rep) {
                let at = evidence(o);
                lines.push(format!(
                    "✘ {} · {} / {at} · {}",
                    one_line(&self.report.item_text(&item.item_id), 80),
                    one_line(&o.call_id, 40),
                    one_line(o.comment.as_deref().unwrap_or(""), 200)
                ));
            }
        }
        self.drill = Some(Drill {
            title: format!(
                "{} · {}",
                one_line(&rep.rep, 60),
                self.report.period_label()
            ),
            lines,
            scroll: 0,
        });
    }
}

/// Where a failure shows: a call's moment, or an email's quoted line.
fn evidence(o: &Occurrence) -> String {
    match (o.evidence_ms, &o.evidence_text) {
        (Some(ms), _) => clock(ms),
        (None, Some(quote)) => format!("«{}»", one_line(quote, 120)),
        (None, None) => "—".into(),
    }
}

impl App {
    /// Start computing the results; the screen opens when they are ready.
    pub(super) fn open_results(&mut self) {
        let loading = self.t().results_loading.to_string();
        if self.screen.results_loading.is_some() {
            return self.info(loading);
        }
        let (path, lang) = (self.ws.path().to_path_buf(), self.lang());
        let work = move |ws: &Workspace| ResultsView::load(ws, lang);
        match Background::start("callqa-results", path, work) {
            Ok(pending) => {
                self.screen.results_loading = Some(pending);
                self.info(loading);
            }
            Err(e) => self.warn(e.to_string()),
        }
    }

    /// Open the results screen once computed; true if the screen changed.
    pub(super) fn poll_results(&mut self) -> bool {
        let Some(view) = self
            .screen
            .results_loading
            .as_ref()
            .and_then(Background::poll)
        else {
            return false;
        };
        self.screen.results_loading = None;
        self.screen.message = None;
        match view {
            Ok(Some(view)) => self.screen.results = Some(view),
            Ok(None) => {
                // Calibration reviews count only as the lead's agreed
                // version: "no reviews" would be untrue while they wait.
                let waiting = self.ws.calibration_sets().is_ok_and(|sets| {
                    sets.iter()
                        .flat_map(|set| &set.calls)
                        .any(|call| call.agreed_review_id.is_none())
                });
                let text = match waiting {
                    true => self.t().results_none_calibration,
                    false => self.t().results_none,
                };
                self.info(text.to_string());
            }
            Err(e) => self.warn(format!("{}: {e:#}", self.t().results_failed)),
        }
        true
    }

    pub(super) fn results_action(&mut self, action: Action) {
        let Some(view) = self.screen.results.as_mut() else {
            return;
        };
        if let Some(drill) = view.drill.as_mut() {
            if drill.key(action) {
                view.drill = None;
            }
            return;
        }
        let rows = view.report.results.reps.len();
        match action {
            Action::Up => view.row = view.row.saturating_sub(1),
            Action::Down => view.row = (view.row + 1).min(rows.saturating_sub(1)),
            Action::Records => view.drill_down(),
            Action::Back => self.screen.results = None,
            _ => {}
        }
    }
}
