//! Answers rules can give before the reviewer listens: "not applicable"
//! for script items on calls without a script, and the CRM checks the data
//! can answer (the call's write-up and next step as [`super::follow_up`]
//! defines them, contact and deal fields). They are stored marked automatic, so the reviewer sees
//! they are not their own until confirmed or overridden.

use super::checklist::{AppliesTo, AutoCheck, Checklist};
use super::crm::{Call, CrmRecord};
use super::review::{Answer, AnswerValue};

/// The first words later than this after the recording starts: the client
/// waited too long (ringing, a queue, a rep who did not pick up).
pub const ANSWER_IN_TIME_MS: u64 = 10_000;

/// What the data says about one call; `None` where it cannot tell (no CRM
/// export in the workspace, the call not analysed yet), so the item is left
/// for the reviewer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    pub has_script: bool,
    pub write_up: Option<bool>,
    pub next_step: Option<bool>,
    pub contact_complete: Option<bool>,
    pub deal_complete: Option<bool>,
    pub audio: Option<AudioFacts>,
}

/// What the audio analysis says about the line (filled from
/// `analysis::CallAnalysis::facts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AudioFacts {
    /// Both sides of a stereo call speak; someone speaks on a mono call.
    pub audible: bool,
    pub one_way: bool,
    /// Long dead air, or no speech at all.
    pub dead_line: bool,
    pub heavy_clipping: bool,
    /// When the first words start; `None` when nobody speaks.
    pub first_speech_ms: Option<u64>,
}

impl Facts {
    /// `crm` is None when the workspace holds no CRM data at all.
    pub fn gather(call: &Call, crm: Option<&CrmRecord>) -> Facts {
        let mut facts = Facts {
            has_script: call.script.is_some(),
            ..Facts::default()
        };
        let Some(crm) = crm else {
            return facts;
        };
        facts.write_up = Some(crm.is_written_up());
        facts.next_step = Some(crm.next_step(call).is_some());
        facts.contact_complete = Some(crm.contact.as_ref().is_some_and(|c| {
            [&c.phone, &c.email, &c.role]
                .iter()
                .all(|f| !f.trim().is_empty())
        }));
        facts.deal_complete = Some(crm.deal.as_ref().is_some_and(|d| {
            !d.stage.trim().is_empty()
                && d.amount.is_some_and(|a| a > 0.0)
                && !d.source.trim().is_empty()
        }));
        facts
    }
}

pub fn automatic_answers(checklist: &Checklist, facts: &Facts) -> Vec<(String, Answer)> {
    let yes_no = |ok: bool| {
        if ok {
            AnswerValue::Yes
        } else {
            AnswerValue::No
        }
    };
    checklist
        .items
        .iter()
        .filter_map(|item| {
            let value = if item.applies == AppliesTo::Script && !facts.has_script {
                Some(AnswerValue::Na)
            } else {
                match item.auto? {
                    AutoCheck::WriteUp => facts.write_up.map(yes_no),
                    AutoCheck::NextStep => facts.next_step.map(yes_no),
                    AutoCheck::ContactData => facts.contact_complete.map(yes_no),
                    AutoCheck::DealData => facts.deal_complete.map(yes_no),
                    AutoCheck::Audible => facts.audio.map(|a| yes_no(a.audible)),
                    AutoCheck::NoOneWayAudio => facts.audio.map(|a| yes_no(!a.one_way)),
                    AutoCheck::NoDeadLine => facts.audio.map(|a| yes_no(!a.dead_line)),
                    AutoCheck::NoClipping => facts.audio.map(|a| yes_no(!a.heavy_clipping)),
                    AutoCheck::AnsweredInTime => facts.audio.map(|a| {
                        yes_no(a.first_speech_ms.is_some_and(|ms| ms <= ANSWER_IN_TIME_MS))
                    }),
                }
            }?;
            Some((
                item.id.clone(),
                Answer {
                    value: Some(value),
                    automatic: true,
                    ..Answer::default()
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(answers: &[(String, Answer)], id: &str) -> Option<AnswerValue> {
        answers
            .iter()
            .find(|(i, _)| i == id)
            .and_then(|(_, a)| a.value)
    }

    #[test]
    fn script_item_is_na_only_without_a_script() {
        let c = Checklist::default_sales_call();
        let auto = automatic_answers(&c, &Facts::default());
        assert_eq!(
            auto.len(),
            1,
            "without CRM data only the script rule answers"
        );
        assert_eq!(value(&auto, "script"), Some(AnswerValue::Na));
        assert!(auto[0].1.automatic);
        let scripted = Facts {
            has_script: true,
            ..Facts::default()
        };
        assert!(automatic_answers(&c, &scripted).is_empty());
    }

    #[test]
    fn crm_facts_answer_their_items() {
        let c = Checklist::default_sales_call();
        let facts = Facts {
            has_script: true,
            write_up: Some(false),
            next_step: Some(true),
            contact_complete: Some(false),
            deal_complete: Some(true),
            audio: None,
        };
        let auto = automatic_answers(&c, &facts);
        assert_eq!(value(&auto, "crm_written"), Some(AnswerValue::No));
        assert_eq!(value(&auto, "crm_next_step"), Some(AnswerValue::Yes));
        assert_eq!(value(&auto, "crm_contact"), Some(AnswerValue::No));
        assert_eq!(value(&auto, "crm_deal"), Some(AnswerValue::Yes));
        // Judgement items stay with the reviewer.
        assert_eq!(value(&auto, "crm_matches"), None);
        assert_eq!(value(&auto, "crm_stage"), None);
    }

    #[test]
    fn audio_facts_answer_the_telephony_items() {
        let c = Checklist::default_telephony();
        assert!(
            automatic_answers(&c, &Facts::default()).is_empty(),
            "not analysed: left to the reviewer"
        );
        let facts = Facts {
            audio: Some(AudioFacts {
                audible: false,
                one_way: true,
                dead_line: false,
                heavy_clipping: false,
                first_speech_ms: Some(14_000),
            }),
            ..Facts::default()
        };
        let auto = automatic_answers(&c, &facts);
        assert_eq!(value(&auto, "audible"), Some(AnswerValue::No));
        assert_eq!(value(&auto, "no_one_way"), Some(AnswerValue::No));
        assert_eq!(value(&auto, "no_dead_line"), Some(AnswerValue::Yes));
        assert_eq!(value(&auto, "clean_sound"), Some(AnswerValue::Yes));
        assert_eq!(value(&auto, "answered_in_time"), Some(AnswerValue::No));
        assert_eq!(value(&auto, "routed_right"), None);
        assert_eq!(value(&auto, "not_dropped"), None);
    }
}
