//! Recording a mystery shopper's visit from the visits view: a form of
//! one text line per field, typed with the `[input]` keys like a comment.
//! Saving checks the draft by the visits file's rules
//! (`domain::mystery::form`); a problem shows next to its field, the
//! cursor goes there, and nothing typed is lost. Esc closes the form and
//! keeps the draft for the next time it is opened.

use super::{App, Input, Mode};
use crate::domain::mystery::form::{FieldProblem, VisitDraft, VisitField, check_draft};
use crate::i18n::mystery::mystery_strings;
use crate::import::fields::parse_time;

/// The form while it is filled in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitForm {
    pub draft: VisitDraft,
    /// The field being typed, an index into [`VisitField::ALL`].
    pub field: usize,
    /// What the last save found, by field.
    pub problems: Vec<(VisitField, FieldProblem)>,
}

impl VisitForm {
    pub fn problem_of(&self, field: VisitField) -> Option<&FieldProblem> {
        self.problems
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, p)| p)
    }
}

impl App {
    /// Open the form (the draft left last time, if any) on the visits view.
    pub(super) fn open_visit_form(&mut self) {
        if !self.visits.shown {
            self.toggle_visits();
        }
        let form = self.visits.form.get_or_insert_with(VisitForm::default);
        let buffer = form.draft.values[form.field].clone();
        self.screen.mode = Mode::Input {
            purpose: Input::VisitForm,
            buffer,
        };
    }

    /// Keep what the field holds now in the draft.
    fn keep_typed(&mut self) {
        let (Mode::Input { buffer, .. }, Some(form)) = (&self.screen.mode, &mut self.visits.form)
        else {
            return;
        };
        form.draft.values[form.field] = buffer.clone();
    }

    /// Go to the field at `index` (kept in range), its text in the line.
    fn visit_form_field(&mut self, index: usize) {
        self.keep_typed();
        let Some(form) = self.visits.form.as_mut() else {
            return;
        };
        form.field = index.min(VisitField::ALL.len() - 1);
        self.screen.mode = Mode::Input {
            purpose: Input::VisitForm,
            buffer: form.draft.values[form.field].clone(),
        };
    }

    /// Tab or Shift+Tab in the form.
    pub(super) fn step_visit_field(&mut self, forward: bool) {
        let Some(field) = self.visits.form.as_ref().map(|f| f.field) else {
            return;
        };
        let n = VisitField::ALL.len();
        self.visit_form_field(if forward {
            (field + 1) % n
        } else {
            (field + n - 1) % n
        });
    }

    /// Enter in the form: the next field, or on the last one, save.
    pub(super) fn enter_visit_field(&mut self) {
        let Some(field) = self.visits.form.as_ref().map(|f| f.field) else {
            return;
        };
        if field + 1 < VisitField::ALL.len() {
            return self.visit_form_field(field + 1);
        }
        self.keep_typed();
        self.save_visit_form();
    }

    /// Esc in the form: closed, the draft kept.
    pub(super) fn close_visit_form(&mut self) {
        self.keep_typed();
        self.screen.mode = Mode::Normal;
    }

    /// Check the draft and store it as a visit, or show what to fix.
    fn save_visit_form(&mut self) {
        let Some(form) = self.visits.form.as_ref() else {
            return;
        };
        let id = match self.ws.next_form_visit_id() {
            Ok(id) => id,
            Err(e) => return self.error(e.to_string()),
        };
        let t = mystery_strings(self.lang());
        match check_draft(&id, &form.draft, parse_time, &self.ws) {
            Ok(visit) => {
                if let Err(e) = self.ws.record_visit(&visit) {
                    // The form stays open with everything typed.
                    return self.error(e.to_string());
                }
                self.visits.form = None;
                self.screen.mode = Mode::Normal;
                if let Err(e) = self.load_visits() {
                    self.warn(e.to_string());
                }
                if let Some(at) = self.visits.rows.iter().position(|r| r.visit.visit_id == id) {
                    self.visits.cursor = at;
                }
                self.info(format!("{}: {id}", t.form_saved));
            }
            Err(problems) => {
                let first = problems.first().map_or(0, |(f, _)| f.index());
                let count = problems.len();
                if let Some(form) = self.visits.form.as_mut() {
                    form.problems = problems;
                }
                self.visit_form_field(first);
                self.warn(format!("{count} {}", t.form_problems));
            }
        }
    }
}
