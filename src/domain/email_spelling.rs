//! Spelling of a rep's own words in an email: which words no dictionary
//! knows. Only the rep's text is checked (a quoted reply is the client's),
//! and never what is not a word to spell: addresses, links, numbers, short
//! all-capital abbreviations (КП, ООО, CSV), single letters, the names of
//! the people on the thread and the client's allow-list (company and
//! product names, `[spelling] allow` in `assets/email.toml`).
//!
//! The dictionaries themselves are read elsewhere (I/O); they come in as a
//! [`Speller`], so the rule is tested with any word list.

use super::own_text;
use serde::{Deserialize, Serialize};

/// Words a dictionary knows, and what it suggests for one it does not.
pub trait Speller {
    fn knows(&self, word: &str) -> bool;
    fn suggest(&self, word: &str) -> Vec<String>;
}

/// The client's words that are spelt right although no dictionary has them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpellingSettings {
    pub allow: Vec<String>,
}

/// A word no dictionary knows, where it is in the email's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misspelling {
    /// The body line (0-based, as `str::lines` counts).
    pub line: usize,
    pub word: String,
}

/// Abbreviations in capitals up to this long are not spelt.
const ABBREVIATION_CHARS: usize = 5;

/// The misspelt words of the rep's own text in `body`, in reading order.
/// `allow` holds words (or phrases, split into words) that are right
/// whatever the dictionary says, compared ignoring case.
pub fn misspellings(body: &str, speller: &dyn Speller, allow: &[String]) -> Vec<Misspelling> {
    let allowed: Vec<String> = allow
        .iter()
        .flat_map(|a| a.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut found = Vec::new();
    for (line, text) in own_text(body).lines().enumerate() {
        for token in text.split_whitespace() {
            for word in words_to_spell(token) {
                let known = allowed.contains(&word.to_lowercase())
                    || speller.knows(word)
                    || (word.contains('-') && word.split('-').all(|w| speller.knows(w)));
                if !known {
                    found.push(Misspelling {
                        line,
                        word: word.to_string(),
                    });
                }
            }
        }
    }
    found
}

/// The words of a whitespace-separated token that spelling applies to:
/// none for an address, a link, a number or an abbreviation.
fn words_to_spell(token: &str) -> Vec<&str> {
    let not_a_word = token.contains('@')
        || token.contains("://")
        || token.to_lowercase().starts_with("www.")
        || token.chars().any(|c| c.is_ascii_digit())
        || token.contains('/')
        || token.contains('\\')
        || token.contains('_');
    if not_a_word {
        return vec![];
    }
    let trimmed = token.trim_matches(|c: char| !c.is_alphabetic());
    // A domain or a file name (solar-dom.example, offer.pdf): a dot inside.
    if trimmed.contains('.') {
        return vec![];
    }
    trimmed
        .split(|c: char| !(c.is_alphabetic() || c == '-' || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .filter(|w| w.chars().count() > 1)
        .filter(|w| {
            let abbreviation =
                w.chars().count() <= ABBREVIATION_CHARS && w.chars().all(|c| !c.is_lowercase());
            !abbreviation
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Words(&'static [&'static str]);

    impl Speller for Words {
        fn knows(&self, word: &str) -> bool {
            self.0.iter().any(|w| *w == word.to_lowercase())
        }
        fn suggest(&self, _: &str) -> Vec<String> {
            vec![]
        }
    }

    #[test]
    fn only_the_reps_own_words_are_spelt() {
        let speller = Words(&["добрый", "день", "цена", "рублей", "см"]);
        let body = "Добрый день, Иван!\n\
                    Цена 10 000 рублей, см. https://solar-dom.example/kp и КП во вложении.\n\
                    Пишите на anna@solar-dom.example, Солар Дом.\n\
                    Извените.\n\
                    > Ошибко в цитате не в счёт\n";
        let allow = ["Солар Дом".to_string(), "Иван".to_string()];
        let found = misspellings(body, &speller, &allow);
        let words: Vec<(usize, &str)> = found.iter().map(|m| (m.line, m.word.as_str())).collect();
        assert_eq!(
            words,
            [
                (1, "во"),
                (1, "вложении"),
                (2, "Пишите"),
                (2, "на"),
                (3, "Извените")
            ]
        );
    }

    #[test]
    fn hyphenated_words_are_known_when_their_parts_are() {
        let speller = Words(&["follow", "up", "what"]);
        let found = misspellings("Follow-up: what-ever", &speller, &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].word, "what-ever");
    }
}
