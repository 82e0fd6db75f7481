//! What the text of a rep's email can answer before the reviewer reads it:
//! the article's email items (named greeting, the signature standard,
//! conciseness, a call to action with a date), pre-filled as automatic
//! answers the reviewer confirms or overrides, as the CRM items of a call
//! are.
//!
//! Each rule is deliberately simple and says what it saw (the greeting
//! line, the missing signature lines, the phrase and the date it took for a
//! call to action), so the reviewer can check it at a glance. The standard
//! (required signature lines, word limits, phrases) is the client's, read
//! from TOML ([`EmailSettings`], bundled as `assets/email.toml`).
//!
//! The email checklist (`assets/checklists/email.toml`) names the rule that
//! answers an item with `check = "…"` ([`EmailCheck`]); [`automatic_answers`]
//! turns the facts into answers for those items.

use super::checklist::Checklist;
pub use super::email_text::{TextStats, date_or_time};
use super::email_text::{fold, sentences, text_stats, words};
use super::review::{Answer, AnswerValue};
use serde::{Deserialize, Serialize};

#[path = "email_spelling.rs"]
pub mod spelling;
use spelling::{Misspelling, Speller, SpellingSettings, misspellings};

/// The bundled email settings: signature standard, thresholds, linking.
pub const DEFAULT_EMAIL_SETTINGS_TOML: &str = include_str!("../../assets/email.toml");

/// The bundled email checklist.
pub const DEFAULT_EMAIL_CHECKLIST_TOML: &str = include_str!("../../assets/checklists/email.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub version: u32,
    pub signature: SignatureStandard,
    pub concise: ConciseLimits,
    pub call_to_action: CallToAction,
    pub linking: LinkSettings,
    #[serde(default)]
    pub spelling: SpellingSettings,
}

/// Lines a signature must have, and how each is recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureStandard {
    pub required: Vec<SignatureLine>,
    /// Names of the company as a signature may write them.
    pub company: Vec<String>,
    /// Words a role line holds (manager, инженер ...).
    pub roles: Vec<String>,
    /// Lines that close the text and open the signature.
    pub closings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureLine {
    Name,
    Role,
    Phone,
    Company,
}

impl SignatureLine {
    pub fn code(self) -> &'static str {
        match self {
            SignatureLine::Name => "name",
            SignatureLine::Role => "role",
            SignatureLine::Phone => "phone",
            SignatureLine::Company => "company",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConciseLimits {
    /// Words of the rep's own text (greeting to closing) at most.
    pub max_words: usize,
    /// No sentence longer than this.
    pub max_sentence_words: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallToAction {
    /// How many sentences at the end of the text are searched.
    pub last_sentences: usize,
    /// Phrases asking the addressee to act, lower case, matched as
    /// word starts (`подтверд` finds "подтвердите").
    pub phrases: Vec<String>,
}

/// What email linking needs from the client's setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSettings {
    pub own_domains: Vec<String>,
    pub public_domains: Vec<String>,
    pub closed_stages: Vec<String>,
}

impl EmailSettings {
    pub fn from_toml(text: &str, file: &str) -> Result<EmailSettings, String> {
        toml::from_str(text).map_err(|e| format!("{file}: not valid email settings: {e}"))
    }

    pub fn bundled() -> EmailSettings {
        EmailSettings::from_toml(DEFAULT_EMAIL_SETTINGS_TOML, "assets/email.toml")
            .expect("the bundled settings are checked by a unit test")
    }
}

/// The rules that can answer an email checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmailCheck {
    GreetingName,
    Signature,
    Concise,
    CallToAction,
    /// Every word of the rep's own text known to the dictionaries.
    Spelling,
}

/// The greeting line and whether it names the client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Greeting {
    /// The first line of the text, if it reads as a greeting.
    pub line: Option<String>,
    /// The contact's first name, when the contact is known.
    pub first_name: Option<String>,
    /// `None` when there is no contact to compare with.
    pub uses_name: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallToActionFound {
    pub phrase: String,
    pub when: String,
}

/// Everything the checks saw in one email.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailReview {
    pub greeting: Greeting,
    pub signature_missing: Vec<SignatureLine>,
    pub stats: TextStats,
    pub concise: bool,
    pub call_to_action: Option<CallToActionFound>,
    /// The unknown words, once dictionaries checked the text
    /// ([`EmailReview::check_spelling`]); `None`: not checked.
    pub spelling: Option<Vec<Misspelling>>,
}

impl EmailReview {
    /// The answer each rule gives; `None` where it cannot tell.
    pub fn answer(&self, check: EmailCheck) -> Option<bool> {
        match check {
            EmailCheck::GreetingName => self.greeting.uses_name,
            EmailCheck::Signature => Some(self.signature_missing.is_empty()),
            EmailCheck::Concise => Some(self.concise),
            EmailCheck::CallToAction => Some(self.call_to_action.is_some()),
            EmailCheck::Spelling => self.spelling.as_ref().map(Vec::is_empty),
        }
    }

    /// Spell the rep's own words of `body`. Right whatever the dictionary
    /// says: the allow-list, the company's names and `names` (the people
    /// on the thread).
    pub fn check_spelling(
        &mut self,
        body: &str,
        speller: &dyn Speller,
        settings: &EmailSettings,
        names: &[&str],
    ) {
        let allow: Vec<String> = (settings.spelling.allow.iter())
            .chain(&settings.signature.company)
            .cloned()
            .chain(names.iter().map(|n| n.to_string()))
            .collect();
        self.spelling = Some(misspellings(body, speller, &allow));
    }
}

/// Check one outgoing email. `contact_name` is the client's name as the
/// CRM has it; `rep` the sender's name.
pub fn review_email(
    body: &str,
    contact_name: Option<&str>,
    rep: &str,
    settings: &EmailSettings,
) -> EmailReview {
    let parts = EmailParts::split(&own_text(body), &settings.signature.closings);
    let greeting = greeting(parts.greeting.as_deref(), contact_name);
    let sentences = sentences(&parts.text);
    let stats = text_stats(&parts.text, &sentences);
    let concise = stats.words <= settings.concise.max_words
        && stats.longest_sentence_words <= settings.concise.max_sentence_words;
    let tail = &sentences[sentences
        .len()
        .saturating_sub(settings.call_to_action.last_sentences)..];
    EmailReview {
        greeting,
        signature_missing: signature_missing(&parts.signature, rep, &settings.signature),
        stats,
        concise,
        call_to_action: call_to_action(tail, &settings.call_to_action.phrases),
        spelling: None,
    }
}

/// The item answers the checks give, for the items of `checklist_toml`
/// that name a `check`, as automatic answers.
pub fn automatic_answers(
    checklist: &Checklist,
    checklist_toml: &str,
    review: &EmailReview,
) -> Vec<(String, Answer)> {
    crate::domain::checklist::item_checks::<EmailCheck>(checklist_toml)
        .into_iter()
        .filter(|(id, _)| checklist.item_index(id).is_some())
        .filter_map(|(id, check)| {
            let value = if review.answer(check)? {
                AnswerValue::Yes
            } else {
                AnswerValue::No
            };
            Some((
                id,
                Answer {
                    value: Some(value),
                    automatic: true,
                    ..Answer::default()
                },
            ))
        })
        .collect()
}

/// The rep's own words: the quoted message below a reply is left out
/// (`> ` lines, and everything from "On … wrote:" / "… пишет:" or an
/// "Original Message" rule on).
pub fn own_text(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let quote_header = lower.starts_with("-----original message")
            || lower.starts_with("-------- пересылаемое")
            || lower.starts_with("-------- исходное")
            || lower.starts_with("-------- original")
            || ((lower.ends_with("wrote:")
                || lower.ends_with("пишет:")
                || lower.ends_with("написал(а):"))
                && t.chars().count() > 8);
        if quote_header || t.starts_with('>') {
            break;
        }
        kept.push(line);
    }
    kept.join("\n")
}

/// Greeting line, body text and signature of an email's own text.
struct EmailParts {
    greeting: Option<String>,
    text: String,
    signature: Vec<String>,
}

impl EmailParts {
    fn split(own: &str, closings: &[String]) -> EmailParts {
        let lines: Vec<&str> = own.lines().map(str::trim).collect();
        let first = lines.iter().position(|l| !l.is_empty());
        let greeting = first
            .map(|i| lines[i])
            .filter(|l| is_greeting(l))
            .map(String::from);
        let start = first.map_or(0, |i| i + usize::from(greeting.is_some()));
        let closing = lines.iter().rposition(|l| {
            let l = l.to_lowercase();
            closings.iter().any(|c| l.starts_with(c.as_str()))
        });
        let (text_end, signature_start) = match closing {
            Some(i) => (i, i + 1),
            // No closing line: the last paragraph, if short, is the signature.
            None => {
                let last_blank = lines.iter().rposition(|l| l.is_empty()).unwrap_or(0);
                let block = lines.len() - last_blank;
                if last_blank > start && block <= 7 {
                    (last_blank, last_blank)
                } else {
                    (lines.len(), lines.len())
                }
            }
        };
        let text_end = text_end.max(start);
        EmailParts {
            greeting,
            text: lines[start..text_end].join("\n"),
            signature: lines[signature_start.min(lines.len())..]
                .iter()
                .filter(|l| !l.is_empty())
                .map(|l| l.to_string())
                .collect(),
        }
    }
}

const GREETINGS: [&str; 14] = [
    "здравствуй",
    "добрый день",
    "доброе утро",
    "добрый вечер",
    "приветствую",
    "привет",
    "уважаем",
    "hello",
    "hi ",
    "hi,",
    "dear",
    "good morning",
    "good afternoon",
    "good evening",
];

/// A short line with a greeting in it ("Андрей Павлович, добрый день!").
fn is_greeting(line: &str) -> bool {
    let lower = format!(" {} ", fold(line));
    line.chars().count() <= 80
        && GREETINGS
            .iter()
            .any(|g| lower.contains(&format!(" {g}")) || lower.contains(&format!(",{g}")))
}

/// The contact's first name: the word before a patronymic (`Сергей` of
/// "Сергей Викторович Кузнецов" and of "Кузнецов Сергей Викторович"),
/// else the first word.
pub fn first_name(full_name: &str) -> Option<String> {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let patronymic = words.iter().position(|w| {
        let w = w.to_lowercase();
        ["вич", "вна", "чна", "ична", "оглы", "кызы"]
            .iter()
            .any(|end| w.ends_with(end))
    });
    match patronymic {
        Some(i) if i > 0 => Some(words[i - 1].to_string()),
        _ => words.first().map(|w| w.to_string()),
    }
}

fn greeting(line: Option<&str>, contact_name: Option<&str>) -> Greeting {
    let first = contact_name.and_then(first_name);
    let uses_name = first.as_ref().map(|name| {
        let name = fold(name);
        line.is_some_and(|l| words(&fold(l)).any(|w| w == name))
    });
    Greeting {
        line: line.map(String::from),
        first_name: first,
        uses_name,
    }
}

fn signature_missing(
    signature: &[String],
    rep: &str,
    standard: &SignatureStandard,
) -> Vec<SignatureLine> {
    let rep_words: Vec<String> = words(&fold(rep)).map(String::from).collect();
    let present = |line: SignatureLine| {
        signature.iter().any(|l| {
            let lower = fold(l);
            match line {
                SignatureLine::Name => {
                    !rep_words.is_empty() && rep_words.iter().all(|w| words(&lower).any(|x| x == w))
                }
                SignatureLine::Phone => l.chars().filter(char::is_ascii_digit).count() >= 10,
                SignatureLine::Company => standard.company.iter().any(|c| lower.contains(&fold(c))),
                SignatureLine::Role => standard
                    .roles
                    .iter()
                    .any(|r| words(&lower).any(|w| w.starts_with(&fold(r)))),
            }
        })
    };
    standard
        .required
        .iter()
        .copied()
        .filter(|&line| !present(line))
        .collect()
}

/// A phrase asking for action in one of the last sentences, with a date or
/// time in that sentence or the next.
fn call_to_action(tail: &[String], phrases: &[String]) -> Option<CallToActionFound> {
    tail.iter().enumerate().find_map(|(i, sentence)| {
        let phrase = asking_phrase(sentence, phrases)?;
        let when = date_or_time(sentence)
            .or_else(|| tail.get(i + 1).and_then(|next| date_or_time(next)))?;
        Some(CallToActionFound {
            phrase: phrase.clone(),
            when,
        })
    })
}

/// The first of `phrases` that starts a word of `sentence`.
fn asking_phrase<'a>(sentence: &str, phrases: &'a [String]) -> Option<&'a String> {
    let lower = fold(sentence);
    phrases.iter().find(|p| {
        let p = fold(p);
        lower.match_indices(p.as_str()).any(|(i, _)| {
            !lower[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        })
    })
}

#[cfg(test)]
#[path = "email_checks_tests.rs"]
mod tests;
