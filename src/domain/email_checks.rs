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
use super::lang::Lang;
use super::review::{Answer, AnswerValue};
use serde::{Deserialize, Serialize};

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

/// Word and sentence figures of the rep's own text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextStats {
    pub lang: Lang,
    pub words: usize,
    pub sentences: usize,
    pub longest_sentence_words: usize,
    pub average_sentence_words: f64,
    /// Flesch reading ease (English) or Oborneva's version for Russian:
    /// higher reads easier, 60-70 is plain language.
    pub readability: f64,
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
}

impl EmailReview {
    /// The answer each rule gives; `None` where it cannot tell.
    pub fn answer(&self, check: EmailCheck) -> Option<bool> {
        match check {
            EmailCheck::GreetingName => self.greeting.uses_name,
            EmailCheck::Signature => Some(self.signature_missing.is_empty()),
            EmailCheck::Concise => Some(self.concise),
            EmailCheck::CallToAction => Some(self.call_to_action.is_some()),
        }
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
    }
}

/// The item answers the checks give, for the items of `checklist_toml`
/// that name a `check`, as automatic answers.
pub fn automatic_answers(
    checklist: &Checklist,
    checklist_toml: &str,
    review: &EmailReview,
) -> Vec<(String, Answer)> {
    item_checks(checklist_toml)
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

/// `(item id, check)` of every item that names a check. The checklist
/// format itself ignores the key; it is read here.
pub fn item_checks(checklist_toml: &str) -> Vec<(String, EmailCheck)> {
    #[derive(Deserialize)]
    struct File {
        items: Vec<ItemCheck>,
    }
    #[derive(Deserialize)]
    struct ItemCheck {
        id: String,
        check: Option<EmailCheck>,
    }
    toml::from_str::<File>(checklist_toml)
        .map(|f| {
            f.items
                .into_iter()
                .filter_map(|i| Some((i.id, i.check?)))
                .collect()
        })
        .unwrap_or_default()
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

/// Lower case, `ё` as `е`: how names compare.
fn fold(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// Words: runs of letters and digits (inner hyphens and apostrophes kept).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(['-', '\'', '’']))
        .filter(|w| w.chars().any(char::is_alphabetic))
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

/// Sentences of the text: a paragraph or list item ends one, and so does
/// `.`, `!`, `?` or `…` followed by a space and a capital, a digit or the
/// end (so "т.е. мы" and "26.11" do not).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in blocks(text) {
        let chars: Vec<char> = block.chars().collect();
        let mut start = 0;
        for i in 0..chars.len() {
            if !matches!(chars[i], '.' | '!' | '?' | '…') {
                continue;
            }
            let next = chars[i + 1..].iter().position(|c| !c.is_whitespace());
            let ends = match next {
                None => true,
                Some(0) => false,
                Some(k) => {
                    let c = chars[i + 1 + k];
                    c.is_uppercase() || c.is_ascii_digit() || "«\"(".contains(c)
                }
            };
            if ends {
                push_sentence(&mut out, &chars[start..=i]);
                start = i + 1;
            }
        }
        push_sentence(&mut out, &chars[start..]);
    }
    out
}

fn push_sentence(out: &mut Vec<String>, chars: &[char]) {
    let s: String = chars.iter().collect();
    let s = s.trim();
    if words(s).next().is_some() {
        out.push(s.to_string());
    }
}

/// Paragraphs, with each list item on its own.
fn blocks(text: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        let item = line.starts_with(['-', '•', '*', '—'])
            || line.split_once([')', '.']).is_some_and(|(n, _)| {
                !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())
            });
        if (line.is_empty() || item) && !current.is_empty() {
            blocks.push(std::mem::take(&mut current));
        }
        if !line.is_empty() {
            current.push(' ');
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

fn text_stats(text: &str, sentences: &[String]) -> TextStats {
    let all: Vec<&str> = words(text).collect();
    let cyrillic = all
        .iter()
        .flat_map(|w| w.chars())
        .filter(|c| ('\u{400}'..='\u{4ff}').contains(c))
        .count();
    let letters: usize = all
        .iter()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    let lang = if cyrillic * 2 > letters {
        Lang::Ru
    } else {
        Lang::En
    };
    let lengths: Vec<usize> = sentences.iter().map(|s| words(s).count()).collect();
    let n_sentences = lengths.len().max(1);
    let average = all.len() as f64 / n_sentences as f64;
    let syllables: usize = all.iter().map(|w| syllables(w, lang)).sum();
    let per_word = syllables as f64 / all.len().max(1) as f64;
    let readability = match lang {
        Lang::En => 206.835 - 1.015 * average - 84.6 * per_word,
        Lang::Ru => 206.835 - 1.3 * average - 60.1 * per_word,
    };
    TextStats {
        lang,
        words: all.len(),
        sentences: lengths.len(),
        longest_sentence_words: lengths.iter().copied().max().unwrap_or(0),
        average_sentence_words: (average * 10.0).round() / 10.0,
        readability: (readability * 10.0).round() / 10.0,
    }
}

/// Syllables of a word: its vowels in Russian; vowel groups in English,
/// a silent final `e` left out, at least one.
fn syllables(word: &str, lang: Lang) -> usize {
    let lower = word.to_lowercase();
    let count = match lang {
        Lang::Ru => lower.chars().filter(|c| "аеёиоуыэюя".contains(*c)).count(),
        Lang::En => {
            let mut groups = 0;
            let mut previous_vowel = false;
            for c in lower.chars() {
                let vowel = "aeiouy".contains(c);
                if vowel && !previous_vowel {
                    groups += 1;
                }
                previous_vowel = vowel;
            }
            if lower.ends_with('e') && !lower.ends_with("le") && groups > 1 {
                groups -= 1;
            }
            groups
        }
    };
    count.max(1)
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

const DATE_WORDS: [&str; 38] = [
    "сегодня",
    "завтра",
    "послезавтра",
    "понедельник",
    "вторник",
    "сред",
    "четверг",
    "пятниц",
    "суббот",
    "воскресень",
    "январ",
    "феврал",
    "март",
    "апрел",
    "мая",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
    "today",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "april",
    "june",
    "july",
    "september",
    "december",
];

const MORE_DATE_WORDS: [&str; 5] = ["march", "august", "october", "november", "неделе"];

/// The first date or time the text names: a weekday, a month, today or
/// tomorrow, `26.11`, `26/11/2026`, `10:00`, `3 pm`.
pub fn date_or_time(text: &str) -> Option<String> {
    let lower = fold(text);
    for word in words(&lower) {
        if DATE_WORDS
            .iter()
            .chain(&MORE_DATE_WORDS)
            .any(|d| word.starts_with(d))
        {
            return Some(word.to_string());
        }
    }
    let tokens: Vec<&str> = lower.split_whitespace().collect();
    for (i, token) in tokens.iter().enumerate() {
        let t = token.trim_matches(|c: char| !c.is_alphanumeric());
        let numeric = |sep: char| {
            let parts: Vec<&str> = t.split(sep).collect();
            parts.len() >= 2
                && parts.len() <= 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
        };
        if numeric(':') || numeric('.') || numeric('/') {
            return Some(t.to_string());
        }
        let next = tokens
            .get(i + 1)
            .map(|n| n.trim_matches(|c: char| !c.is_alphanumeric()));
        let hour = t.trim_end_matches("am").trim_end_matches("pm");
        let is_hour =
            !hour.is_empty() && hour.len() <= 2 && hour.chars().all(|c| c.is_ascii_digit());
        if is_hour
            && (t.ends_with("am")
                || t.ends_with("pm")
                || matches!(next, Some("am" | "pm"))
                || next.is_some_and(|n| n.starts_with("час")))
        {
            return Some(format!("{t} {}", next.unwrap_or("")).trim().to_string());
        }
    }
    None
}

#[cfg(test)]
#[path = "email_checks_tests.rs"]
mod tests;
