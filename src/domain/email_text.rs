//! The text measures the email checks use: words, sentences, a
//! readability figure, and the dates and times a call to action names, in
//! Russian and English. Plain rules, no dictionaries, so a reviewer can
//! tell why a figure is what it is.

use super::lang::Lang;
use serde::Serialize;

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

/// Lower case, `ё` as `е`: how names compare.
pub(super) fn fold(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// Words: runs of letters and digits (inner hyphens and apostrophes kept).
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(['-', '\'', '’']))
        .filter(|w| w.chars().any(char::is_alphabetic))
}

/// Sentences of the text: a paragraph or list item ends one, and so does
/// `.`, `!`, `?` or `…` followed by a space and a capital, a digit or the
/// end (so "т.е. мы" and "26.11" do not).
pub(super) fn sentences(text: &str) -> Vec<String> {
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

pub(super) fn text_stats(text: &str, sentences: &[String]) -> TextStats {
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
