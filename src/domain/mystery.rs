//! Mystery shopping: a shopper's visit (a scenario asked for on one
//! channel, the rep or team reached, and when each step happened), the
//! speeds its timestamps give, and the verdicts against the limits the
//! client sets (`assets/mystery.toml`), so "slow" is a rule, not a feeling.
//!
//! The shopper's call or email is reviewed like any other, with the
//! mystery-shopper checklist (`assets/checklists/mystery-shopper.toml`);
//! the items the timestamps decide (`check = "…"`, [`SpeedCheck`]) are
//! pre-filled as automatic answers the reviewer confirms or overrides.
//!
//! Times are calendar time: no business-hours rule, a shopper waiting over
//! a weekend waited. A step not (yet) taken is judged against `as_of`:
//! missing once its limit has passed, waiting before.

use super::checklist::Checklist;
use super::crm::Timestamp;
use super::review::{Answer, AnswerValue};
use serde::{Deserialize, Serialize};

/// The bundled speed limits.
pub const DEFAULT_MYSTERY_TOML: &str = include_str!("../../assets/mystery.toml");

/// The bundled mystery-shopper checklist.
pub const DEFAULT_MYSTERY_CHECKLIST_TOML: &str =
    include_str!("../../assets/checklists/mystery-shopper.toml");

/// The id of the mystery-shopper checklist.
pub const MYSTERY_CHECKLIST_ID: &str = "mystery-shopper";

/// How the shopper reached the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Call,
    Email,
    WebForm,
    Messenger,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Call,
        Channel::Email,
        Channel::WebForm,
        Channel::Messenger,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Call => "call",
            Channel::Email => "email",
            Channel::WebForm => "web_form",
            Channel::Messenger => "messenger",
        }
    }

    /// `call`, `email`, `web_form` (or `web-form`), `messenger`, any case.
    pub fn parse(text: &str) -> Option<Channel> {
        let code = text.trim().to_ascii_lowercase().replace('-', "_");
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// One mystery-shopping contact. Any timestamp may be missing: that step
/// did not happen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub visit_id: String,
    /// What the shopper asks for.
    pub scenario: String,
    pub channel: Channel,
    pub shopper: String,
    pub rep: Option<String>,
    pub team: Option<String>,
    pub requested_at: Option<Timestamp>,
    /// Picked up, or first answered on a written channel.
    pub answered_at: Option<Timestamp>,
    pub proposal_at: Option<Timestamp>,
    /// The rep's follow-up after the proposal.
    pub callback_at: Option<Timestamp>,
    /// The shopper's call, reviewed like any call.
    pub call_id: Option<String>,
    /// The shopper's email thread, by a message of it.
    pub message_id: Option<String>,
}

/// The three speeds of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Request made -> answered.
    PickUp,
    /// Request made -> proposal sent.
    Proposal,
    /// Proposal sent -> follow-up.
    Callback,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::PickUp, Measure::Proposal, Measure::Callback];

    pub fn code(self) -> &'static str {
        match self {
            Measure::PickUp => "pick_up",
            Measure::Proposal => "proposal",
            Measure::Callback => "callback",
        }
    }

    /// The step the measure starts from and the one it ends at.
    fn steps(self, visit: &Visit) -> (Option<Timestamp>, Option<Timestamp>) {
        match self {
            Measure::PickUp => (visit.requested_at, visit.answered_at),
            Measure::Proposal => (visit.requested_at, visit.proposal_at),
            Measure::Callback => (visit.proposal_at, visit.callback_at),
        }
    }
}

/// What a measure says against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    InTime,
    Slow,
    /// Not done, and its limit has passed.
    Missing,
    /// Not done yet, and its limit has not passed.
    Waiting,
    /// The step it starts from did not happen (no request, no proposal).
    NotApplicable,
    /// It ends before it starts: the timestamps are wrong.
    OutOfOrder,
}

/// One measured speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Speed {
    pub measure: Measure,
    /// Seconds from the first step to the second, when both happened.
    pub seconds: Option<i64>,
    pub limit_seconds: i64,
    pub verdict: Verdict,
}

/// A limit: whole seconds, written `45s`, `15m`, `4h` or `2d` in the rules
/// file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Limit(pub i64);

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Limit, D::Error> {
        let text = String::deserialize(d)?;
        parse_limit(&text).map(Limit).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{text:?} is not a limit; write a number and a unit: 45s, 15m, 4h, 2d"
            ))
        })
    }
}

fn parse_limit(text: &str) -> Option<i64> {
    let t = text.trim();
    let unit = match t.chars().last()? {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let number: i64 = t[..t.len() - 1].trim().parse().ok()?;
    (number > 0).then(|| number.checked_mul(unit)).flatten()
}

/// The limits of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelLimits {
    pub pick_up: Limit,
    pub proposal: Limit,
    pub callback: Limit,
}

impl ChannelLimits {
    pub fn of(&self, measure: Measure) -> Limit {
        match measure {
            Measure::PickUp => self.pick_up,
            Measure::Proposal => self.proposal,
            Measure::Callback => self.callback,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub call: ChannelLimits,
    pub email: ChannelLimits,
    pub web_form: ChannelLimits,
    pub messenger: ChannelLimits,
}

/// The client's speed rules (`assets/mystery.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MysteryRules {
    /// Raised whenever a limit changes; each version is kept in the workspace.
    pub version: u32,
    pub limits: Limits,
}

impl MysteryRules {
    /// Parse; `file` names the source in every message.
    pub fn from_toml(text: &str, file: &str) -> Result<MysteryRules, String> {
        toml::from_str(text).map_err(|e| format!("{file}: not valid mystery-shopping rules: {e}"))
    }

    pub fn defaults() -> MysteryRules {
        MysteryRules::from_toml(DEFAULT_MYSTERY_TOML, "assets/mystery.toml")
            .expect("the bundled rules are checked by a unit test")
    }

    pub fn limits(&self, channel: Channel) -> &ChannelLimits {
        match channel {
            Channel::Call => &self.limits.call,
            Channel::Email => &self.limits.email,
            Channel::WebForm => &self.limits.web_form,
            Channel::Messenger => &self.limits.messenger,
        }
    }
}

impl Visit {
    /// The first pair of steps out of order (`("callback_at",
    /// "requested_at")`: the callback is before the request), if any. Each
    /// step must come at or after the request, and the callback at or
    /// after the proposal.
    pub fn out_of_order(&self) -> Option<(&'static str, &'static str)> {
        let before = |later: Option<Timestamp>, earlier: Option<Timestamp>| matches!((later, earlier), (Some(l), Some(e)) if l < e);
        [
            (
                "answered_at",
                self.answered_at,
                "requested_at",
                self.requested_at,
            ),
            (
                "proposal_at",
                self.proposal_at,
                "requested_at",
                self.requested_at,
            ),
            (
                "callback_at",
                self.callback_at,
                "requested_at",
                self.requested_at,
            ),
            (
                "callback_at",
                self.callback_at,
                "proposal_at",
                self.proposal_at,
            ),
        ]
        .into_iter()
        .find(|(_, later, _, earlier)| before(*later, *earlier))
        .map(|(later, _, earlier, _)| (later, earlier))
    }

    /// One speed against the channel's limit, judged as of `as_of`.
    pub fn speed(&self, measure: Measure, rules: &MysteryRules, as_of: Timestamp) -> Speed {
        let limit = rules.limits(self.channel).of(measure).0;
        let (from, to) = measure.steps(self);
        let seconds = from.zip(to).map(|(f, t)| (t - f).num_seconds());
        let verdict = match (from, seconds) {
            (None, _) => Verdict::NotApplicable,
            (Some(_), Some(s)) if s < 0 => Verdict::OutOfOrder,
            (Some(_), Some(s)) if s <= limit => Verdict::InTime,
            (Some(_), Some(_)) => Verdict::Slow,
            (Some(from), None) if (as_of - from).num_seconds() > limit => Verdict::Missing,
            (Some(_), None) => Verdict::Waiting,
        };
        Speed {
            measure,
            seconds,
            limit_seconds: limit,
            verdict,
        }
    }

    /// The three speeds, in [`Measure::ALL`] order.
    pub fn speeds(&self, rules: &MysteryRules, as_of: Timestamp) -> [Speed; 3] {
        Measure::ALL.map(|m| self.speed(m, rules, as_of))
    }
}

/// The timestamp rules that can answer a mystery-shopper checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpeedCheck {
    PickUp,
    ProposalSent,
    ProposalSpeed,
    Callback,
}

impl SpeedCheck {
    /// The answer the visit's speeds give; `None` where they cannot tell
    /// yet (still waiting) or the timestamps are wrong.
    pub fn answer(self, speeds: &[Speed; 3]) -> Option<AnswerValue> {
        let of = |m: Measure| speeds.iter().find(|s| s.measure == m).map(|s| s.verdict);
        match self {
            SpeedCheck::PickUp => of(Measure::PickUp).and_then(answer_of),
            SpeedCheck::ProposalSpeed => of(Measure::Proposal).and_then(answer_of),
            SpeedCheck::Callback => of(Measure::Callback).and_then(answer_of),
            // Sent, late or not, is a yes.
            SpeedCheck::ProposalSent => match of(Measure::Proposal)? {
                Verdict::InTime | Verdict::Slow => Some(AnswerValue::Yes),
                other => answer_of(other),
            },
        }
    }
}

fn answer_of(verdict: Verdict) -> Option<AnswerValue> {
    match verdict {
        Verdict::InTime => Some(AnswerValue::Yes),
        Verdict::Slow | Verdict::Missing => Some(AnswerValue::No),
        Verdict::NotApplicable => Some(AnswerValue::Na),
        Verdict::Waiting | Verdict::OutOfOrder => None,
    }
}

/// The bundled mystery-shopper checklist.
pub fn checklist() -> Checklist {
    Checklist::from_toml(
        DEFAULT_MYSTERY_CHECKLIST_TOML,
        "assets/checklists/mystery-shopper.toml",
    )
    .expect("the bundled checklist is validated by its unit test")
}

/// The checklist a call or email is reviewed with when it is the evidence
/// of `visit` (found by `call_id` or `message_id`): the mystery-shopper
/// one. `None` when it is no visit's evidence: the usual choice stands.
pub fn evidence_checklist(visit: Option<&Visit>) -> Option<Checklist> {
    visit.map(|_| checklist())
}

/// The answers the timestamps give for the items of `checklist_toml` that
/// name a `check`, as automatic answers.
pub fn automatic_answers(
    checklist: &Checklist,
    checklist_toml: &str,
    visit: &Visit,
    rules: &MysteryRules,
    as_of: Timestamp,
) -> Vec<(String, Answer)> {
    let speeds = visit.speeds(rules, as_of);
    crate::domain::checklist::item_checks::<SpeedCheck>(checklist_toml)
        .into_iter()
        .filter(|(id, _)| checklist.item_index(id).is_some())
        .filter_map(|(id, check)| {
            let answer = Answer {
                value: Some(check.answer(&speeds)?),
                automatic: true,
                ..Answer::default()
            };
            Some((id, answer))
        })
        .collect()
}

/// A visit typed into the workstation's form, checked field by field.
#[path = "mystery_form.rs"]
pub mod form;

#[cfg(test)]
#[path = "mystery_tests.rs"]
mod tests;
