//! The sampling rules: which calls of a period are worth a review, and how
//! many per rep.
//!
//! The article: at least 3 recordings per rep per week, more for newcomers
//! and reps who miss their plan; calls of a minute and longer show how a rep
//! talks, calls of 20-40 s show how the telephony works. A client's
//! contractor tunes these numbers, so they are data (`assets/sampling.toml`,
//! overridable per workspace), checked strictly: an unknown key, a negative
//! quota or buckets that overlap or leave a gap are refused with the key or
//! line, because a typo here silently changes what gets reviewed.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The defaults, embedded.
pub const DEFAULT_SAMPLING_TOML: &str = include_str!("../../assets/sampling.toml");

/// What kind of review a call of some length gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// A sales conversation: the sales checklist.
    Quality,
    /// A check of the line: the telephony checklist, never in the quality score.
    Telephony,
    /// Too short to be a conversation: not drawn.
    None,
    /// A rep's outgoing email: the email checklist. Never a call's bucket.
    Email,
}

impl Bucket {
    pub fn code(self) -> &'static str {
        match self {
            Bucket::Quality => "quality",
            Bucket::Telephony => "telephony",
            Bucket::None => "none",
            Bucket::Email => "email",
        }
    }

    /// The bucket a `code()` names.
    pub fn from_code(code: &str) -> Option<Bucket> {
        [
            Bucket::Quality,
            Bucket::Telephony,
            Bucket::None,
            Bucket::Email,
        ]
        .into_iter()
        .find(|b| b.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingRules {
    /// Raised whenever the rules change; a stored plan names the version it
    /// was drawn with.
    pub version: u32,
    #[serde(default)]
    pub period: PeriodKind,
    /// A rep is a newcomer for this many days after `started_on`.
    pub newcomer_days: u32,
    /// A rep whose `plan_pct` is below this is under plan.
    pub under_plan_below_pct: f64,
    #[serde(rename = "bucket")]
    pub buckets: Vec<BucketRule>,
    pub quota: Quota,
    pub extra_quality: ExtraQuality,
    #[serde(default)]
    pub always_telephony: AlwaysTelephony,
    /// Rules files older than the email bucket leave it out: the defaults.
    #[serde(default)]
    pub email: EmailQuota,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodKind {
    #[default]
    IsoWeek,
}

/// Calls from `from_s` (inclusive) to `below_s` (exclusive, open-ended when
/// absent) get `kind`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BucketRule {
    pub kind: Bucket,
    #[serde(default)]
    pub from_s: u32,
    pub below_s: Option<u32>,
}

/// Calls per rep per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub quality: u32,
    pub telephony: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraQuality {
    pub newcomer: u32,
    pub under_plan: u32,
}

/// Outgoing emails per rep per period, with extras as for quality calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailQuota {
    pub quota: u32,
    pub newcomer: u32,
    pub under_plan: u32,
}

impl Default for EmailQuota {
    fn default() -> Self {
        EmailQuota {
            quota: 2,
            newcomer: 1,
            under_plan: 1,
        }
    }
}

/// Calls the audio analysis flagged go to the telephony queue whatever
/// their length; the flags are the analysis' codes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlwaysTelephony {
    pub flags: Vec<String>,
}

impl Default for AlwaysTelephony {
    fn default() -> Self {
        AlwaysTelephony {
            flags: ["one-way-audio", "silent", "heavy-clipping"]
                .map(String::from)
                .to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct RulesError {
    pub file: String,
    pub reason: String,
}

/// The flag codes the analysis can raise (`analysis::HealthFlag`).
pub const KNOWN_FLAGS: &[&str] = &[
    "one-way-audio",
    "silent",
    "heavy-clipping",
    "short-answered",
    "long-dead-air",
];

impl SamplingRules {
    pub fn defaults() -> SamplingRules {
        SamplingRules::from_toml(DEFAULT_SAMPLING_TOML, "assets/sampling.toml")
            .expect("the bundled sampling rules are valid")
    }

    /// Parse and check; `file` names the source in messages.
    pub fn from_toml(text: &str, file: &str) -> Result<SamplingRules, RulesError> {
        let error = |reason: String| RulesError {
            file: file.to_string(),
            reason,
        };
        let rules: SamplingRules =
            toml::from_str(text).map_err(|e| error(e.to_string().trim().to_string()))?;
        let mut buckets = rules.buckets.clone();
        buckets.sort_by_key(|b| b.from_s);
        if buckets.first().is_none_or(|b| b.from_s != 0) {
            return Err(error(
                "[[bucket]]: the first bucket must start at from_s = 0".into(),
            ));
        }
        for (i, b) in buckets.iter().enumerate() {
            if b.below_s.is_some_and(|below| below <= b.from_s) {
                return Err(error(format!(
                    "[[bucket]] from_s = {}: below_s must be greater than from_s",
                    b.from_s
                )));
            }
            match (b.below_s, buckets.get(i + 1)) {
                (Some(below), Some(next)) if next.from_s < below => {
                    return Err(error(format!(
                        "[[bucket]] from_s = {} overlaps the bucket from {} to {below} s",
                        next.from_s, b.from_s
                    )));
                }
                (Some(below), Some(next)) if next.from_s > below => {
                    return Err(error(format!(
                        "[[bucket]]: calls from {below} to {} s fall in no bucket",
                        next.from_s
                    )));
                }
                (None, Some(next)) => {
                    return Err(error(format!(
                        "[[bucket]] from_s = {} overlaps the open-ended bucket from {} s",
                        next.from_s, b.from_s
                    )));
                }
                (Some(below), None) => {
                    return Err(error(format!(
                        "[[bucket]]: calls of {below} s and longer fall in no bucket (leave below_s out of the last one)"
                    )));
                }
                _ => {}
            }
        }
        if !(0.0..=1000.0).contains(&rules.under_plan_below_pct) {
            return Err(error(format!(
                "under_plan_below_pct = {}: a percentage from 0 to 1000",
                rules.under_plan_below_pct
            )));
        }
        if let Some(flag) = rules
            .always_telephony
            .flags
            .iter()
            .find(|f| !KNOWN_FLAGS.contains(&f.as_str()))
        {
            return Err(error(format!(
                "[always_telephony] flags: unknown flag {flag:?}; known: {}",
                KNOWN_FLAGS.join(", ")
            )));
        }
        Ok(SamplingRules { buckets, ..rules })
    }

    /// The bucket of a call lasting `duration_ms`.
    pub fn bucket(&self, duration_ms: u64) -> Bucket {
        let secs = duration_ms / 1000;
        self.buckets
            .iter()
            .rev()
            .find(|b| u64::from(b.from_s) <= secs)
            .map_or(Bucket::None, |b| b.kind)
    }

    /// Which checklist a call is reviewed with: telephony when the plan drew
    /// it for the telephony check (a flagged call of any length), or, for a
    /// call in no plan, when its length is in a telephony bucket; the sales
    /// checklist otherwise. A reviewer may open any call, so a call too
    /// short to be drawn still gets one: the sales checklist.
    pub fn checklist_bucket(&self, planned: Option<Bucket>, duration_ms: u64) -> Bucket {
        match planned.unwrap_or_else(|| self.bucket(duration_ms)) {
            Bucket::Telephony => Bucket::Telephony,
            Bucket::Quality | Bucket::None | Bucket::Email => Bucket::Quality,
        }
    }
}

/// A review period: an ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    pub week: u32,
}

impl Period {
    /// `2026-W48` (also `2026-w48`, `2026W48`).
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = text.trim().to_ascii_uppercase();
        let bad = || format!("{text:?} is not an ISO week; write it as 2026-W48");
        let (year, week) = t.split_once('W').ok_or_else(bad)?;
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(Period { year, week })
    }

    /// The week a day falls in.
    pub fn of(day: NaiveDate) -> Period {
        let w = day.iso_week();
        Period {
            year: w.year(),
            week: w.week(),
        }
    }

    /// Its Monday.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).expect("a checked week")
    }

    /// The week after.
    pub fn next(self) -> Period {
        Period::of(self.start() + chrono::Duration::days(7))
    }

    /// Its Sunday.
    pub fn end(self) -> NaiveDate {
        self.start() + chrono::Duration::days(6)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Period::of(day) == self
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_article() {
        let r = SamplingRules::defaults();
        assert_eq!(r.bucket(15_000), Bucket::None);
        assert_eq!(r.bucket(20_000), Bucket::Telephony);
        assert_eq!(r.bucket(39_999), Bucket::Telephony);
        assert_eq!(r.bucket(45_000), Bucket::Quality);
        assert_eq!(r.bucket(3_600_000), Bucket::Quality);
        assert_eq!(
            (
                r.quota.quality,
                r.quota.telephony,
                r.extra_quality.newcomer,
                r.extra_quality.under_plan
            ),
            (3, 1, 3, 2)
        );
    }

    #[test]
    fn the_email_bucket_is_read_and_an_older_file_without_it_gets_the_default() {
        let bundled = SamplingRules::defaults();
        assert_eq!(bundled.email, EmailQuota::default());
        assert_eq!(bundled.email.quota, 2);
        let start = DEFAULT_SAMPLING_TOML.find("[email]").unwrap();
        let end = start + DEFAULT_SAMPLING_TOML[start..].find("\n\n").unwrap();
        let without = format!(
            "{}{}",
            &DEFAULT_SAMPLING_TOML[..start],
            &DEFAULT_SAMPLING_TOML[end..]
        );
        assert!(!without.contains("[email]"));
        let old = SamplingRules::from_toml(&without, "old.toml").unwrap();
        assert_eq!(old.email, EmailQuota::default());
        let five = DEFAULT_SAMPLING_TOML.replace("quota = 2", "quota = 5");
        let five = SamplingRules::from_toml(&five, "five.toml").unwrap();
        assert_eq!(five.email.quota, 5);
        let typo = DEFAULT_SAMPLING_TOML.replace("under_plan = 1", "under_plan = 1\nquotta = 3");
        assert!(refused(&typo).contains("quotta"), "{}", refused(&typo));
    }

    fn refused(text: &str) -> String {
        SamplingRules::from_toml(text, "sampling.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_rules_are_refused_with_the_key() {
        let good = DEFAULT_SAMPLING_TOML;
        let typo = good.replace("newcomer_days", "newcomer_dayz");
        assert!(
            refused(&typo).contains("newcomer_dayz"),
            "{}",
            refused(&typo)
        );
        let negative = good.replace("quality = 3", "quality = -3");
        assert!(
            refused(&negative).contains("quality"),
            "{}",
            refused(&negative)
        );
        let overlap = good.replace("from_s = 40", "from_s = 30");
        assert!(
            refused(&overlap).contains("overlaps"),
            "{}",
            refused(&overlap)
        );
        let gap = good.replace("from_s = 40", "from_s = 45");
        assert!(refused(&gap).contains("no bucket"), "{}", refused(&gap));
        let flag = good.replace("\"silent\"", "\"sillent\"");
        assert!(refused(&flag).contains("sillent"), "{}", refused(&flag));
        assert!(refused("version = 1").starts_with("sampling.toml: "));
    }

    #[test]
    fn iso_weeks() {
        let p = Period::parse("2026-W48").unwrap();
        assert_eq!(p.start().to_string(), "2026-11-23");
        assert_eq!(p.to_string(), "2026-W48");
        assert_eq!(Period::parse("2026w48").unwrap(), p);
        assert!(Period::parse("2026-W54").is_err());
        assert!(Period::parse("48").is_err());
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert!(p.contains(sunday));
        assert!(!p.contains(sunday.succ_opt().unwrap()));
    }

    #[test]
    fn the_plan_decides_the_checklist_and_else_the_length_does() {
        let rules = SamplingRules::defaults();
        assert_eq!(rules.checklist_bucket(None, 25_000), Bucket::Telephony);
        assert_eq!(rules.checklist_bucket(None, 90_000), Bucket::Quality);
        assert_eq!(rules.checklist_bucket(None, 5_000), Bucket::Quality);
        // A flagged five-minute call drawn for the telephony check.
        assert_eq!(
            rules.checklist_bucket(Some(Bucket::Telephony), 300_000),
            Bucket::Telephony
        );
        assert_eq!(
            rules.checklist_bucket(Some(Bucket::Quality), 25_000),
            Bucket::Quality
        );
    }
}
