//! Phone numbers in one shape (E.164, `+79123456789`), so a call from the
//! PBX, a contact in the CRM and a note typed by a rep can be compared.
//!
//! The same Russian number reaches us as `8 (912) 345-67-89` from a rep,
//! `+7 912 3456789` from amoCRM, `79123456789` from Asterisk and `9123456789`
//! from a spreadsheet. Parsing and validation use the `phonenumber` crate
//! (Google's libphonenumber metadata), so every country's trunk prefixes and
//! lengths are right without a table of our own. On top of it we accept what
//! libphonenumber is stricter about than a QA contractor can afford to be:
//! the Russian `8 10` international prefix, and numbers written with an
//! explicit `+` in a range its metadata does not know yet. PBX extensions
//! (`101`) and service codes are not phone numbers and give `None`.

use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex, PoisonError};

/// `raw` in E.164 (`+79123456789`), or `None` when it is not a phone
/// number a client could have (empty, an extension, letters, too short).
/// `default_country` is an ISO 3166 code (`RU`, `KZ`, `US` ...) used for
/// numbers written without a country code; an unknown code means "none".
pub fn normalize(raw: &str, default_country: &str) -> Option<String> {
    // An import or a relink normalises the same few thousand numbers again
    // and again (a client calls many times), and the parser's metadata
    // lookups made this a seventh of a 100,000-call import: remember them.
    // One memo for the process, not one per thread: an import reads its
    // calls on a thread of its own and links them on the main one, which
    // would otherwise parse every number a second time.
    static SEEN: LazyLock<Mutex<Memo>> = LazyLock::new(Mutex::default);
    let memo = || SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    {
        let mut memo = memo();
        if memo.country != default_country || memo.seen.len() >= MEMO_LIMIT {
            default_country.clone_into(&mut memo.country);
            memo.seen.clear();
        }
        if let Some(known) = memo.seen.get(raw) {
            return known.clone();
        }
    }
    // Parsed without the lock, so the other thread is not held up.
    let value = normalize_uncached(raw, default_country);
    let mut memo = memo();
    if memo.country == default_country {
        memo.seen.insert(raw.to_string(), value.clone());
    }
    value
}

/// Build the phone-number metadata now rather than at the first number
/// (about a tenth of a second, once per process): an import calls this on
/// the core that would otherwise wait for the thread reading the calls.
pub fn load_metadata(default_country: &str) {
    let _ = normalize_uncached("+7 495 000-00-00", default_country);
}

/// The numbers [`normalize`] has seen, for one default country.
#[derive(Default)]
struct Memo {
    country: String,
    seen: HashMap<String, Option<String>>,
}

/// How many numbers [`normalize`] remembers before starting over.
const MEMO_LIMIT: usize = 200_000;

fn normalize_uncached(raw: &str, default_country: &str) -> Option<String> {
    let cleaned = clean(raw)?;
    let country = Id::from_str(&default_country.trim().to_ascii_uppercase()).ok();
    let explicit_plus = cleaned.starts_with('+');
    let digits: String = cleaned.chars().filter(char::is_ascii_digit).collect();
    // Internal numbers and short codes never reach a client's card.
    if digits.len() < 7 || digits.len() > 17 {
        return None;
    }
    russian_mobile(&digits, explicit_plus, country)
        .or_else(|| parsed_number(&digits, explicit_plus, country))
}

/// [`normalize`] by the parser, from the number's digits and whether it
/// was written with `+`.
fn parsed_number(digits: &str, explicit_plus: bool, country: Option<Id>) -> Option<String> {
    let text = if explicit_plus {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("810").filter(|_| {
        // `8 10 49 ...`: the Russian and Kazakh international access code.
        matches!(country, Some(Id::RU | Id::KZ)) && digits.len() > 11
    }) {
        format!("+{rest}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else {
        digits.to_string()
    };
    let parsed = phonenumber::parse(country, &text).ok();
    if let Some(number) = &parsed
        && phonenumber::is_valid(number)
    {
        return Some(e164(number));
    }
    lenient(&text, country, parsed.as_ref())
}

/// A +7 mobile number (`+7 9xx`, `8 9xx`, `9xx` with ten national digits)
/// in E.164 without the parser: every such number is valid in its
/// metadata, and parsing was most of a 100,000-call import's reading of
/// numbers. Anything else is left to the parser (`None`).
fn russian_mobile(digits: &str, explicit_plus: bool, country: Option<Id>) -> Option<String> {
    let national = match (explicit_plus, digits.len()) {
        (true, 11) => digits.strip_prefix('7')?,
        (false, 11) if matches!(country, Some(Id::RU | Id::KZ)) => digits
            .strip_prefix('8')
            .or_else(|| digits.strip_prefix('7'))?,
        (false, 10) if matches!(country, Some(Id::RU | Id::KZ)) => digits,
        _ => return None,
    };
    national.starts_with('9').then(|| format!("+7{national}"))
}

/// Whether two raw numbers are the same once normalised (and both are
/// numbers at all).
pub fn same_number(a: &str, b: &str, default_country: &str) -> bool {
    match (normalize(a, default_country), normalize(b, default_country)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Every number in a field that may hold several (`+7 912 ..., 8 495 ...`),
/// normalised and without repeats, in the order written.
pub fn normalize_all(raw: &str, default_country: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in raw.split([',', ';', '/', '\n']) {
        if let Some(n) = normalize(part, default_country)
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

fn e164(number: &PhoneNumber) -> String {
    number.format().mode(Mode::E164).to_string()
}

/// Strip what people and systems wrap numbers in: `tel:`, quotes, an
/// extension (`доб. 12`, `ext 5`, `x12`, `#12`), separators. Letters that
/// remain mean this is not a number.
fn clean(raw: &str) -> Option<String> {
    let mut s = raw.trim().trim_matches('"').trim().to_lowercase();
    if let Some(rest) = s.strip_prefix("tel:") {
        s = rest.trim().to_string();
    }
    for marker in ["доб", "вн.", "ext", "x", "#", ";"] {
        if let Some(at) = s.find(marker)
            && at > 0
        {
            s.truncate(at);
        }
    }
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let allowed = |c: char| {
        c.is_ascii_digit()
            || c.is_whitespace()
            || matches!(c, '+' | '-' | '(' | ')' | '.' | '/' | '\u{a0}' | '–')
    };
    if !s.chars().all(allowed) || s.chars().skip(1).any(|c| c == '+') {
        return None;
    }
    Some(s.to_string())
}

/// Numbers libphonenumber does not call valid that we still keep: the +7
/// plan is closed (always 10 national digits), and a number someone wrote
/// with `+` and a plausible length is taken at their word.
fn lenient(text: &str, country: Option<Id>, parsed: Option<&PhoneNumber>) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let seven_plan = |d: &str| d.len() == 11 && d.starts_with('7');
    if text.starts_with('+') {
        if digits.starts_with('7') {
            return seven_plan(&digits).then(|| format!("+{digits}"));
        }
        return (8..=15)
            .contains(&digits.len())
            .then(|| format!("+{digits}"));
    }
    if matches!(country, Some(Id::RU | Id::KZ)) {
        // Area and mobile codes of the +7 plan start with 3, 4, 7 (KZ), 8, 9.
        let national = match digits.len() {
            10 => &digits[..],
            11 if digits.starts_with('8') || digits.starts_with('7') => &digits[1..],
            _ => return None,
        };
        return national
            .starts_with(['3', '4', '7', '8', '9'])
            .then(|| format!("+7{national}"));
    }
    // Elsewhere keep what parsed with a sensible national length.
    parsed
        .filter(|n| (6..=13).contains(&n.national().to_string().len()))
        .map(e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_numbers_in_every_shape_are_one_number() {
        for raw in [
            "8 (912) 345-67-89",
            "+7 912 3456789",
            "79123456789",
            "9123456789",
            "+7 (912) 345-67-89",
            " 8-912-345-67-89 ",
            "tel:+79123456789",
            "8 912 345 67 89 доб. 123",
        ] {
            assert_eq!(
                normalize(raw, "RU").as_deref(),
                Some("+79123456789"),
                "{raw}"
            );
        }
    }

    #[test]
    fn moscow_landline_and_kazakh_numbers() {
        assert_eq!(
            normalize("8 (495) 123-45-67", "RU").as_deref(),
            Some("+74951234567")
        );
        assert_eq!(
            normalize("8 701 123 45 67", "KZ").as_deref(),
            Some("+77011234567")
        );
        assert_eq!(
            normalize("+7 701 123 45 67", "RU").as_deref(),
            Some("+77011234567")
        );
    }

    #[test]
    fn international_numbers_keep_their_country() {
        assert_eq!(
            normalize("+49 30 1234567", "RU").as_deref(),
            Some("+49301234567")
        );
        assert_eq!(
            normalize("00 44 20 7946 0958", "RU").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            normalize("8 10 49 30 1234567", "RU").as_deref(),
            Some("+49301234567")
        );
        assert_eq!(
            normalize("+375 29 123-45-67", "RU").as_deref(),
            Some("+375291234567")
        );
        assert_eq!(
            normalize("(202) 555-0143", "US").as_deref(),
            Some("+12025550143")
        );
        assert_eq!(
            normalize("020 7946 0958", "GB").as_deref(),
            Some("+442079460958")
        );
    }

    #[test]
    fn extensions_and_junk_are_not_numbers() {
        for raw in [
            "101",
            "",
            "  ",
            "anonymous",
            "s",
            "+",
            "12-34",
            "8 912 CALL ME",
        ] {
            assert_eq!(normalize(raw, "RU"), None, "{raw:?}");
        }
        // +7 has exactly ten national digits, and no 2xx or 6xx codes.
        assert_eq!(normalize("+7 912 345", "RU"), None);
        assert_eq!(normalize("(202) 555-0143", "RU"), None);
    }

    /// The shortcut for +7 mobile numbers gives what the parser gives, for
    /// every 9xx code in every shape people write, under every default
    /// country; and it is taken for those shapes.
    #[test]
    fn the_mobile_shortcut_agrees_with_the_parser() {
        let mut taken = 0;
        for code in 900..=999 {
            for subscriber in ["0000000", "1234567", "9999999", "5550143"] {
                let (a, b, c) = (&subscriber[..3], &subscriber[3..5], &subscriber[5..]);
                for raw in [
                    format!("+7{code}{subscriber}"),
                    format!("+7 ({code}) {a}-{b}-{c}"),
                    format!("8 {code} {a} {b} {c}"),
                    format!("8({code}){a}{b}{c}"),
                    format!("7{code}{subscriber}"),
                    format!("{code}{subscriber}"),
                    format!("{code}-{a}-{b}-{c}"),
                    format!("+8 {code} {subscriber}"),
                    format!("+{code}{subscriber}"),
                ] {
                    let cleaned = clean(&raw).unwrap();
                    let plus = cleaned.starts_with('+');
                    let digits: String = cleaned.chars().filter(char::is_ascii_digit).collect();
                    for country in ["RU", "KZ", "US", "DE", ""] {
                        let id = Id::from_str(country).ok();
                        let slow = parsed_number(&digits, plus, id);
                        if let Some(fast) = russian_mobile(&digits, plus, id) {
                            taken += 1;
                            assert_eq!(Some(&fast), slow.as_ref(), "{raw:?} in {country:?}");
                        }
                    }
                }
            }
        }
        // Per code and subscriber: two shapes with `+7` in each country, five
        // without in RU and KZ.
        assert_eq!(taken, 100 * 4 * (2 * 5 + 5 * 2));
    }

    #[test]
    fn several_numbers_in_one_field() {
        assert_eq!(
            normalize_all("8 912 345-67-89, +7 (495) 123-45-67; 89123456789", "RU"),
            vec!["+79123456789".to_string(), "+74951234567".to_string()]
        );
        assert!(same_number("8 (912) 345-67-89", "+7 912 3456789", "RU"));
        assert!(!same_number("101", "101", "RU"));
    }
}
