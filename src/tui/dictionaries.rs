//! The hunspell dictionaries the email spelling check reads (Debian's
//! `hunspell-ru` and `hunspell-en-us`), through `spellbook`. Reading them
//! is I/O and takes a moment, so the workstation does it once, the first
//! time an email is opened. Missing or unreadable dictionaries are a
//! reason to tell the reviewer, never a panic: the spelling item is then
//! theirs to answer.

use crate::domain::email_checks::spelling::Speller;
use spellbook::Dictionary;
use std::path::{Path, PathBuf};

/// Where Debian puts hunspell dictionaries; `CALLQA_HUNSPELL_DIR` points
/// elsewhere.
const SYSTEM_DIR: &str = "/usr/share/hunspell";

/// Suggestions shown per misspelt word at most.
const SUGGESTIONS: usize = 4;

pub struct Dictionaries {
    ru: Dictionary,
    en: Dictionary,
}

/// What reading the dictionaries gave.
pub enum Loaded {
    Ready(Box<Dictionaries>),
    /// Why there is no spelling check: the files and what went wrong.
    Missing(String),
}

impl Dictionaries {
    /// The dictionaries of `CALLQA_HUNSPELL_DIR`, else the system's.
    pub fn load() -> Loaded {
        let dir = std::env::var_os("CALLQA_HUNSPELL_DIR")
            .map_or_else(|| PathBuf::from(SYSTEM_DIR), PathBuf::from);
        Dictionaries::load_from(&dir)
    }

    pub fn load_from(dir: &Path) -> Loaded {
        let read = |name: &str| -> Result<Dictionary, String> {
            let aff = dir.join(format!("{name}.aff"));
            let dic = dir.join(format!("{name}.dic"));
            let text = |path: &Path| {
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
            };
            Dictionary::new(&text(&aff)?, &text(&dic)?)
                .map_err(|e| format!("{}: {e}", dic.display()))
        };
        match (read("ru_RU"), read("en_US")) {
            (Ok(ru), Ok(en)) => Loaded::Ready(Box::new(Dictionaries { ru, en })),
            (Err(e), _) | (_, Err(e)) => Loaded::Missing(e),
        }
    }

    /// Russian words by the Russian dictionary, the rest by the English.
    fn for_word(&self, word: &str) -> &Dictionary {
        let cyrillic = word.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}'));
        if cyrillic { &self.ru } else { &self.en }
    }
}

impl Speller for Dictionaries {
    fn knows(&self, word: &str) -> bool {
        // Hunspell's Russian dictionary spells "ё" words with "е" too.
        let dictionary = self.for_word(word);
        dictionary.check(word) || dictionary.check(&word.replace(['ё', 'Ё'], "е"))
    }

    fn suggest(&self, word: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_word(word).suggest(word, &mut out);
        out.truncate(SUGGESTIONS);
        out
    }
}
