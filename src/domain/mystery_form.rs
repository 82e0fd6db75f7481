//! A visit as a reviewer types it in the workstation's form: the fields
//! as text, checked by the rules a row of `mystery/visits.csv` is checked
//! by (a known channel, a shopper, someone reached, timestamps that parse
//! and come in order, evidence the workspace holds), each problem tied to
//! its field so the form shows it there and keeps everything typed.
//!
//! The time format is the import's (`import::fields::parse_time`), passed
//! in, so the domain does not depend on the importers.

use super::{Channel, Visit};
use crate::domain::crm::Timestamp;

/// The fields of the form, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisitField {
    Scenario,
    Channel,
    Shopper,
    Rep,
    Team,
    RequestedAt,
    AnsweredAt,
    ProposalAt,
    CallbackAt,
    CallId,
    MessageId,
}

impl VisitField {
    pub const ALL: [VisitField; 11] = [
        VisitField::Scenario,
        VisitField::Channel,
        VisitField::Shopper,
        VisitField::Rep,
        VisitField::Team,
        VisitField::RequestedAt,
        VisitField::AnsweredAt,
        VisitField::ProposalAt,
        VisitField::CallbackAt,
        VisitField::CallId,
        VisitField::MessageId,
    ];

    /// The column of `mystery/visits.csv` the field is.
    pub fn column(self) -> &'static str {
        match self {
            VisitField::Scenario => "scenario",
            VisitField::Channel => "channel",
            VisitField::Shopper => "shopper",
            VisitField::Rep => "rep",
            VisitField::Team => "team",
            VisitField::RequestedAt => "requested_at",
            VisitField::AnsweredAt => "answered_at",
            VisitField::ProposalAt => "proposal_at",
            VisitField::CallbackAt => "callback_at",
            VisitField::CallId => "call_id",
            VisitField::MessageId => "message_id",
        }
    }

    fn of_column(column: &str) -> Option<VisitField> {
        VisitField::ALL.into_iter().find(|f| f.column() == column)
    }

    pub fn index(self) -> usize {
        VisitField::ALL
            .iter()
            .position(|f| *f == self)
            .unwrap_or_default()
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// Not one of call, email, web_form, messenger.
    UnknownChannel,
    /// Required and left empty.
    Empty,
    /// Neither a rep nor a team: say who the shopper reached.
    NoOneReached,
    /// The time does not parse; the parser's own words.
    BadTime(String),
    /// This step comes before `earlier`, which must come first.
    Before(VisitField),
    /// No such call in the workspace.
    UnknownCall,
    /// No such Message-ID among the workspace's emails.
    UnknownEmail,
}

/// The form's text, one entry per [`VisitField::ALL`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitDraft {
    pub values: [String; 11],
}

impl VisitDraft {
    pub fn get(&self, field: VisitField) -> &str {
        self.values[field.index()].trim()
    }

    fn opt(&self, field: VisitField) -> Option<String> {
        Some(self.get(field).to_string()).filter(|v| !v.is_empty())
    }
}

/// What the workspace holds that a visit may point at.
pub trait KnownEvidence {
    fn has_call(&self, call_id: &str) -> bool;
    fn has_email(&self, message_id: &str) -> bool;
}

/// A Message-ID written with or without the angle brackets of a header.
pub fn bare_message_id(text: &str) -> String {
    text.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// The visit the draft describes, or every problem with the field it is
/// in (in form order).
pub fn check_draft(
    visit_id: &str,
    draft: &VisitDraft,
    parse_time: impl Fn(&str) -> Result<Timestamp, String>,
    known: &impl KnownEvidence,
) -> Result<Visit, Vec<(VisitField, FieldProblem)>> {
    use VisitField as F;
    let mut problems = Vec::new();
    let channel = Channel::parse(draft.get(F::Channel));
    if channel.is_none() {
        problems.push((F::Channel, FieldProblem::UnknownChannel));
    }
    if draft.get(F::Shopper).is_empty() {
        problems.push((F::Shopper, FieldProblem::Empty));
    }
    let (rep, team) = (draft.opt(F::Rep), draft.opt(F::Team));
    if rep.is_none() && team.is_none() {
        problems.push((F::Rep, FieldProblem::NoOneReached));
    }
    let mut time = |field: VisitField| match draft.opt(field).map(|t| parse_time(&t)) {
        Some(Ok(ts)) => Some(ts),
        Some(Err(e)) => {
            problems.push((field, FieldProblem::BadTime(e)));
            None
        }
        None => None,
    };
    let times = [
        time(F::RequestedAt),
        time(F::AnsweredAt),
        time(F::ProposalAt),
        time(F::CallbackAt),
    ];
    let call_id = draft.opt(F::CallId);
    if let Some(id) = &call_id
        && !known.has_call(id)
    {
        problems.push((F::CallId, FieldProblem::UnknownCall));
    }
    let message_id = draft.opt(F::MessageId).map(|m| bare_message_id(&m));
    if let Some(id) = &message_id
        && !known.has_email(id)
    {
        problems.push((F::MessageId, FieldProblem::UnknownEmail));
    }
    let visit = Visit {
        visit_id: visit_id.to_string(),
        scenario: draft.get(F::Scenario).to_string(),
        channel: channel.unwrap_or(Channel::Call),
        shopper: draft.get(F::Shopper).to_string(),
        rep,
        team,
        requested_at: times[0],
        answered_at: times[1],
        proposal_at: times[2],
        callback_at: times[3],
        call_id,
        message_id,
    };
    if let Some((later, earlier)) = visit.out_of_order()
        && let (Some(later), Some(earlier)) =
            (VisitField::of_column(later), VisitField::of_column(earlier))
    {
        problems.push((later, FieldProblem::Before(earlier)));
    }
    if problems.is_empty() {
        return Ok(visit);
    }
    problems.sort_by_key(|(field, _)| field.index());
    Err(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Known;

    impl KnownEvidence for Known {
        fn has_call(&self, call_id: &str) -> bool {
            call_id == "call-012"
        }
        fn has_email(&self, message_id: &str) -> bool {
            message_id == "m1@x"
        }
    }

    fn parse(text: &str) -> Result<Timestamp, String> {
        chrono::DateTime::parse_from_rfc3339(text).map_err(|_| format!("time {text:?} bad"))
    }

    fn draft(values: &[(VisitField, &str)]) -> VisitDraft {
        let mut draft = VisitDraft::default();
        for (field, value) in values {
            draft.values[field.index()] = value.to_string();
        }
        draft
    }

    #[test]
    fn a_good_draft_is_a_visit_with_the_message_id_bare() {
        use VisitField as F;
        let visit = check_draft(
            "WS-1",
            &draft(&[
                (F::Scenario, " Панели для дачи "),
                (F::Channel, "Web-Form"),
                (F::Shopper, "Ольга"),
                (F::Team, "Юг"),
                (F::RequestedAt, "2026-11-25T10:00:00+03:00"),
                (F::AnsweredAt, "2026-11-25T10:20:00+03:00"),
                (F::CallId, "call-012"),
                (F::MessageId, "<m1@x>"),
            ]),
            parse,
            &Known,
        )
        .unwrap();
        assert_eq!(visit.visit_id, "WS-1");
        assert_eq!(visit.scenario, "Панели для дачи");
        assert_eq!(visit.channel, Channel::WebForm);
        assert_eq!((visit.rep, visit.team.as_deref()), (None, Some("Юг")));
        assert_eq!(visit.message_id.as_deref(), Some("m1@x"));
        assert!(visit.answered_at > visit.requested_at);
    }

    #[test]
    fn each_problem_is_tied_to_its_field_in_form_order() {
        use VisitField as F;
        let problems = check_draft(
            "WS-1",
            &draft(&[
                (F::Channel, "fax"),
                (F::RequestedAt, "2026-11-25T10:00:00+03:00"),
                (F::AnsweredAt, "вчера"),
                (F::CallbackAt, "2026-11-24T10:00:00+03:00"),
                (F::CallId, "call-999"),
                (F::MessageId, "nope@x"),
            ]),
            parse,
            &Known,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                (F::Channel, FieldProblem::UnknownChannel),
                (F::Shopper, FieldProblem::Empty),
                (F::Rep, FieldProblem::NoOneReached),
                (
                    F::AnsweredAt,
                    FieldProblem::BadTime("time \"вчера\" bad".into())
                ),
                (F::CallbackAt, FieldProblem::Before(F::RequestedAt)),
                (F::CallId, FieldProblem::UnknownCall),
                (F::MessageId, FieldProblem::UnknownEmail),
            ]
        );
    }
}
