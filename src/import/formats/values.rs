//! Values every reader needs: times in the shapes exporters write them,
//! with the batch's UTC offset where the source has none; counts; the reps
//! table; JSON fields that may be strings or numbers; and messages that
//! name the field and show the value.

use super::super::Problem;
use super::text::{CsvOptions, Table};
use crate::domain::crm::Timestamp;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// "field `start`: "2026-13-01 10:00" is not a date like 2026-11-23 10:15:00"
pub fn bad_field(field: &str, value: &str, expected: &str) -> String {
    format!(
        "field `{field}`: {:?} {expected}",
        crate::text::one_line(value, 60)
    )
}

/// A time with its own offset (RFC 3339 and kin), else a local time in one
/// of `formats` taken at `offset`. Dates alone mean midnight.
pub fn parse_local(text: &str, formats: &[&str], offset: FixedOffset) -> Option<Timestamp> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(ts) = DateTime::parse_from_rfc3339(t) {
        return Some(ts);
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(ts) = DateTime::parse_from_str(t, f) {
            return Some(ts);
        }
    }
    for f in formats {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, f) {
            return at_offset(naive, offset);
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, f) {
            return at_offset(date.and_hms_opt(0, 0, 0)?, offset);
        }
    }
    None
}

pub fn at_offset(naive: NaiveDateTime, offset: FixedOffset) -> Option<Timestamp> {
    offset.from_local_datetime(&naive).single()
}

/// Unix seconds (amoCRM) shown at the batch's offset.
pub fn unix_time(secs: i64, offset: FixedOffset) -> Option<Timestamp> {
    DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&offset))
}

/// The longest call any source can mean: a month. A larger length is a
/// damaged field (and would overflow as milliseconds), so it is refused.
pub const MAX_CALL_SECONDS: u64 = 31 * 24 * 3600;

/// A call's length in seconds: `"95"`, `95`, `"95.0"`; `None` for text
/// that is no count or a count past [`MAX_CALL_SECONDS`].
pub fn seconds(text: &str) -> Option<u64> {
    count(text).filter(|s| *s <= MAX_CALL_SECONDS)
}

/// A call's length in milliseconds, with the limit of [`seconds`].
pub fn millis(text: &str) -> Option<u64> {
    count(text).filter(|ms| *ms <= MAX_CALL_SECONDS * 1000)
}

/// Milliseconds of a length in seconds that may have a fraction
/// (`1.5` minutes as 90 s), with the limit of [`seconds`].
pub fn millis_of(seconds: f64) -> Option<u64> {
    (seconds.is_finite() && (0.0..=MAX_CALL_SECONDS as f64).contains(&seconds))
        .then_some((seconds * 1000.0) as u64)
}

fn count(text: &str) -> Option<u64> {
    let t = text.trim();
    t.parse::<u64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|v| *v >= 0.0 && v.is_finite())
            .map(|v| v as u64)
    })
}

/// A JSON field as text: strings trimmed, numbers and booleans written out,
/// null and absent as "".
pub fn jstr(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

pub fn jopt(value: &Value, key: &str) -> Option<String> {
    Some(jstr(value, key)).filter(|s| !s.is_empty() && s != "0")
}

/// The reps table of a batch: `reps.csv` with an extension or CRM user id
/// and the rep's name (`101,Анна Смирнова`); a header row is optional.
pub fn read_reps(root: &Path, name: &str) -> Result<HashMap<String, String>, Problem> {
    let mut problems = Vec::new();
    let options = CsvOptions {
        headerless: true,
        ..Default::default()
    };
    let table = Table::read(root, Path::new(name), name, options, &mut problems)?;
    if let Some(p) = problems.into_iter().next() {
        return Err(p);
    }
    let mut reps = HashMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        let key = row.fields.get(0).unwrap_or("").trim();
        let rep = row.fields.get(1).unwrap_or("").trim();
        let header = ["rep", "name", "имя", "менеджер", "сотрудник"];
        if i == 0 && header.contains(&rep.to_lowercase().as_str()) {
            continue;
        }
        if key.is_empty() || rep.is_empty() {
            return Err(Problem::line(
                name,
                row.line,
                "needs two fields: the extension or user id, then the rep's name".into(),
            ));
        }
        reps.insert(key.to_string(), rep.to_string());
    }
    Ok(reps)
}

/// `Имя Фамилия` from parts, skipping empty ones.
pub fn full_name(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Phones as the CRM pane and the matcher want them: each number in
/// E.164 when it is one, as written otherwise; several joined by ", ".
pub fn phone_field(raw: &[&str], country: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for part in raw.iter().flat_map(|r| r.split([',', ';', '\n'])) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let value = crate::domain::phone::normalize(part, country).unwrap_or(part.to_string());
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_take_the_batch_offset() {
        let msk = FixedOffset::east_opt(3 * 3600).unwrap();
        let t = parse_local("23.11.2026 10:15:00", &["%d.%m.%Y %H:%M:%S"], msk).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T10:15:00+03:00");
        let t = parse_local("2026-11-23T07:15:00Z", &[], msk).unwrap();
        assert_eq!(t.timestamp(), 1_795_418_100);
        let d = parse_local("2026-11-30", &["%Y-%m-%d"], msk).unwrap();
        assert_eq!(d.to_rfc3339(), "2026-11-30T00:00:00+03:00");
        assert!(parse_local("30.11.2026", &["%Y-%m-%d"], msk).is_none());
        assert_eq!(unix_time(1_795_418_100, msk).unwrap(), t);
    }

    #[test]
    fn phones_are_normalised_where_possible() {
        assert_eq!(
            phone_field(&["8 (912) 345-67-89; ext 101", "+7 912 3456789"], "RU"),
            "+79123456789, ext 101"
        );
        assert_eq!(seconds("95"), Some(95));
        assert_eq!(seconds("x"), None);
        // Past a month it is a damaged field, not a call (and no overflow).
        assert_eq!(seconds("18446744073709551615"), None);
        assert_eq!(seconds("1e308"), None);
        assert_eq!(millis("2678400000"), Some(2_678_400_000));
        assert_eq!(millis("2678400001"), None);
        assert_eq!(millis_of(90.0), Some(90_000));
        assert_eq!(millis_of(f64::INFINITY), None);
    }
}
