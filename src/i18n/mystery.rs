//! The words of mystery shopping (`callqa mystery`), in both languages.

use crate::domain::Lang;
use crate::domain::mystery::form::{FieldProblem, VisitField};
use crate::domain::mystery::{Channel, Measure, Speed, Verdict};

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
    /// The workstation's visits view and the open visit.
    pub view_title: &'static str,
    pub view_empty: &'static str,
    pub details_title: &'static str,
    pub answered: &'static str,
    pub proposal_sent: &'static str,
    pub followed_up: &'static str,
    pub limit: &'static str,
    pub asked: &'static str,
    /// `t` on a visit: nothing to quote or stamp.
    pub nothing_to_stamp: &'static str,
    /// Enter on a visit whose call the queue cannot show.
    pub call_not_in_queue: &'static str,
    /// The CRM pane while a visit is open.
    pub no_crm: &'static str,
    pub form_title: &'static str,
    /// Under the form: how it is filled in.
    pub form_help: &'static str,
    pub form_saved: &'static str,
    /// "3 fields to fix", after the number.
    pub form_problems: &'static str,
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
    view_title: "Mystery visits",
    view_empty: "No mystery-shopping visits. A batch brings them in mystery/visits.csv.",
    details_title: "Mystery visit",
    answered: "answered",
    proposal_sent: "proposal sent",
    followed_up: "followed up",
    limit: "limit",
    asked: "asked for",
    nothing_to_stamp: "A visit has no recording or thread to point at: say it in a comment (c)",
    call_not_in_queue: "is not in the queue",
    no_crm: "A visit is judged by what the shopper saw: there is no CRM record to check",
    form_title: "New mystery-shopping visit",
    form_help: "Enter: next field (on the last: save) · Tab / Shift+Tab: next / previous · Esc: close, what is typed is kept",
    form_saved: "Visit saved",
    form_problems: "to fix: see the form",
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
    view_title: "Визиты тайного покупателя",
    view_empty: "Визитов тайного покупателя нет. Пакет приносит их в файле mystery/visits.csv.",
    details_title: "Визит тайного покупателя",
    answered: "ответ",
    proposal_sent: "КП отправлено",
    followed_up: "перезвон",
    limit: "норматив",
    asked: "запрос",
    nothing_to_stamp: "У визита нет записи или переписки, на которую указать: напишите в комментарии (c)",
    call_not_in_queue: "нет в очереди",
    no_crm: "Визит оценивается по тому, что увидел покупатель: записи в CRM для проверки нет",
    form_title: "Новый визит тайного покупателя",
    form_help: "Enter: следующее поле (на последнем: сохранить) · Tab / Shift+Tab: следующее / предыдущее · Esc: закрыть, набранное сохранится",
    form_saved: "Визит сохранён",
    form_problems: "исправить: см. форму",
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

/// A field of the workstation's visit form, as its label says it.
pub fn field_label(lang: Lang, field: VisitField) -> &'static str {
    use VisitField as F;
    let t = mystery_strings(lang);
    let (en, ru) = match field {
        F::Scenario => (
            "scenario (what the shopper asks for)",
            "сценарий (о чём просит покупатель)",
        ),
        F::Channel => (
            "channel: call, email, web_form, messenger",
            "канал: call, email, web_form, messenger",
        ),
        F::Shopper => (t.shopper, t.shopper),
        F::Rep => ("rep reached", "менеджер"),
        F::Team => ("team (when no rep)", "отдел (если без менеджера)"),
        F::RequestedAt => ("requested at", "обращение"),
        F::AnsweredAt => ("answered at", "ответ"),
        F::ProposalAt => ("proposal sent at", "КП отправлено"),
        F::CallbackAt => ("followed up at", "перезвон"),
        F::CallId => ("call id (optional)", "id звонка (необязательно)"),
        F::MessageId => ("Message-ID (optional)", "Message-ID (необязательно)"),
    };
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
    }
}

/// What is wrong with a field of the visit form, said next to it.
pub fn field_problem(lang: Lang, problem: &FieldProblem) -> String {
    use FieldProblem as P;
    let en = lang == Lang::En;
    match problem {
        P::UnknownChannel => match en {
            true => "not one of call, email, web_form, messenger".into(),
            false => "не один из call, email, web_form, messenger".into(),
        },
        P::Empty => match en {
            true => "required".into(),
            false => "обязательно".into(),
        },
        P::NoOneReached => match en {
            true => "a rep or a team: who did the shopper reach?".into(),
            false => "менеджер или отдел: к кому попал покупатель?".into(),
        },
        // The parser's own words, which name the format to write.
        P::BadTime(why) => match en {
            true => why.clone(),
            false => format!("время не читается, пишите как 2026-11-23T10:15:00+03:00 ({why})"),
        },
        P::Before(earlier) => match en {
            true => format!("before {}", field_label(lang, *earlier)),
            false => format!("раньше, чем «{}»", field_label(lang, *earlier)),
        },
        P::UnknownCall => match en {
            true => "no such call in the workspace".into(),
            false => "такого звонка нет в рабочем пространстве".into(),
        },
        P::UnknownEmail => match en {
            true => "no such email in the workspace".into(),
            false => "такого письма нет в рабочем пространстве".into(),
        },
    }
}

/// `35s in time`, `1d 2h SLOW`, `MISSING`: the time taken when both steps
/// happened, then the verdict.
pub fn speed_text(lang: Lang, speed: &Speed) -> String {
    let word = verdict(lang, speed.verdict);
    match speed.seconds {
        Some(seconds) => format!("{} {word}", span(lang, seconds)),
        None => word.to_string(),
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
