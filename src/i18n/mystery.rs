//! The words of mystery shopping (`callqa mystery`), in both languages.

use crate::domain::Lang;
use crate::domain::mystery::{Channel, Measure, Verdict};

pub struct MysteryStrings {
    pub visit: &'static str,
    /// The import's line of visit counts.
    pub visits: &'static str,
    pub requested: &'static str,
    pub channel: &'static str,
    pub shopper: &'static str,
    /// The rep reached, else the team.
    pub reached: &'static str,
    pub evidence: &'static str,
    pub scenario: &'static str,
    pub pick_up: &'static str,
    pub proposal: &'static str,
    pub callback: &'static str,
    pub call: &'static str,
    pub email: &'static str,
    pub web_form: &'static str,
    pub messenger: &'static str,
    pub in_time: &'static str,
    pub slow: &'static str,
    pub missing: &'static str,
    pub waiting: &'static str,
    pub not_applicable: &'static str,
    pub out_of_order: &'static str,
    /// Before the limits of each channel: "Limits (rules v1, as of …)".
    pub limits: &'static str,
    pub rules: &'static str,
    pub as_of: &'static str,
    pub no_request: &'static str,
    pub no_visits: &'static str,
    pub unknown: &'static str,
    pub rules_changed: &'static str,
    /// Seconds, minutes, hours, days, as a length is written: `2d 4h`.
    pub units: [&'static str; 4],
}

pub const EN: MysteryStrings = MysteryStrings {
    visit: "visit",
    visits: "visits",
    requested: "requested",
    channel: "channel",
    shopper: "shopper",
    reached: "rep / team",
    evidence: "evidence",
    scenario: "scenario",
    pick_up: "pick-up",
    proposal: "proposal",
    callback: "callback",
    call: "call",
    email: "email",
    web_form: "web form",
    messenger: "messenger",
    in_time: "in time",
    slow: "SLOW",
    missing: "MISSING",
    waiting: "waiting",
    not_applicable: "n/a",
    out_of_order: "out of order",
    limits: "Limits",
    rules: "rules",
    as_of: "as of",
    no_request: "no request time",
    no_visits: "No mystery-shopping visits match. A batch brings them in mystery/visits.csv.",
    unknown: "-",
    rules_changed: "are already in the workspace with different content; raise `version` in the TOML",
    units: ["s", "m", "h", "d"],
};

pub const RU: MysteryStrings = MysteryStrings {
    visit: "визит",
    visits: "визиты",
    requested: "обращение",
    channel: "канал",
    shopper: "покупатель",
    reached: "менеджер / отдел",
    evidence: "запись",
    scenario: "сценарий",
    pick_up: "ответ",
    proposal: "КП",
    callback: "перезвон",
    call: "звонок",
    email: "письмо",
    web_form: "форма на сайте",
    messenger: "мессенджер",
    in_time: "в срок",
    slow: "МЕДЛЕННО",
    missing: "НЕТ",
    waiting: "ждём",
    not_applicable: "н/п",
    out_of_order: "не по порядку",
    limits: "Нормативы",
    rules: "правила",
    as_of: "на",
    no_request: "нет времени обращения",
    no_visits: "Визитов тайного покупателя нет. Пакет приносит их в файле mystery/visits.csv.",
    unknown: "-",
    rules_changed: "уже есть в рабочем пространстве с другим содержимым; увеличьте `version` в TOML",
    units: ["с", "мин", "ч", "д"],
};

pub fn mystery_strings(lang: Lang) -> &'static MysteryStrings {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

pub fn channel(lang: Lang, channel: Channel) -> &'static str {
    let t = mystery_strings(lang);
    match channel {
        Channel::Call => t.call,
        Channel::Email => t.email,
        Channel::WebForm => t.web_form,
        Channel::Messenger => t.messenger,
    }
}

pub fn measure(lang: Lang, measure: Measure) -> &'static str {
    let t = mystery_strings(lang);
    match measure {
        Measure::PickUp => t.pick_up,
        Measure::Proposal => t.proposal,
        Measure::Callback => t.callback,
    }
}

pub fn verdict(lang: Lang, verdict: Verdict) -> &'static str {
    let t = mystery_strings(lang);
    match verdict {
        Verdict::InTime => t.in_time,
        Verdict::Slow => t.slow,
        Verdict::Missing => t.missing,
        Verdict::Waiting => t.waiting,
        Verdict::NotApplicable => t.not_applicable,
        Verdict::OutOfOrder => t.out_of_order,
    }
}

/// A length in seconds as people read it, to its two largest units:
/// `35s`, `2m 5s`, `3h 10m`, `1d 2h`.
pub fn span(lang: Lang, seconds: i64) -> String {
    let [s_unit, m_unit, h_unit, d_unit] = mystery_strings(lang).units;
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (big, big_unit, rest, rest_unit) = match s {
        0..60 => (s, s_unit, 0, ""),
        60..3600 => (s / 60, m_unit, s % 60, s_unit),
        3600..86_400 => (s / 3600, h_unit, s / 60 % 60, m_unit),
        _ => (s / 86_400, d_unit, s / 3600 % 24, h_unit),
    };
    match rest {
        0 => format!("{sign}{big}{big_unit}"),
        _ => format!("{sign}{big}{big_unit} {rest}{rest_unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_like_people_write_them_in_both_languages() {
        for (seconds, en, ru) in [
            (0, "0s", "0с"),
            (35, "35s", "35с"),
            (125, "2m 5s", "2мин 5с"),
            (3600, "1h", "1ч"),
            (11_400, "3h 10m", "3ч 10мин"),
            (26 * 3600, "1d 2h", "1д 2ч"),
            (-90, "-1m 30s", "-1мин 30с"),
        ] {
            assert_eq!(span(Lang::En, seconds), en);
            assert_eq!(span(Lang::Ru, seconds), ru);
        }
    }
}
