//! The words of calibration (`callqa calibration`, its screen and its
//! report section), in both languages.

use crate::domain::Lang;

pub struct CalibrationStrings {
    pub title: &'static str,
    pub set: &'static str,
    pub lead: &'static str,
    pub reviewers: &'static str,
    pub calls: &'static str,
    pub item: &'static str,
    pub reviewer: &'static str,
    /// Units with two or more answers (percent agreement, alpha).
    pub units: &'static str,
    pub pairs: &'static str,
    pub percent: &'static str,
    pub alpha: &'static str,
    pub kappa: &'static str,
    pub deviation: &'static str,
    /// After a figure whose sample is under the threshold.
    pub small_sample: &'static str,
    /// Explains the small-sample mark: "{n}" is the threshold.
    pub small_sample_note: &'static str,
    /// A figure that cannot be computed (no pairs, or one category only).
    pub undefined: &'static str,
    pub undefined_note: &'static str,
    pub no_sets: &'static str,
    pub no_such_set: &'static str,
    pub marked: &'static str,
    pub agreed: &'static str,
    pub none_yet: &'static str,
    pub agreed_version: &'static str,
    pub submitted: &'static str,
    pub not_submitted: &'static str,
    /// Instead of the figures while one scores the set blind; the calls to
    /// submit follow.
    pub hidden_blind: &'static str,
    /// On the checklist's title while the open call is a calibration
    /// call; "{set}" is filled in.
    pub on_review: &'static str,
    /// `calibration show` refused to a member scoring blind: "{who}",
    /// "{set}" and "{calls}" are filled in.
    pub show_refused: &'static str,
    /// `calibration show --lead NAME` when NAME does not lead the set.
    pub not_the_lead: &'static str,
    pub screen_help: &'static str,
    pub rep: &'static str,
    pub review: &'static str,
    pub score: &'static str,
}

pub const EN: CalibrationStrings = CalibrationStrings {
    title: "Calibration",
    set: "set",
    lead: "lead",
    reviewers: "reviewers",
    calls: "calls",
    item: "item",
    reviewer: "reviewer",
    units: "n units",
    pairs: "pairs",
    percent: "agreement",
    alpha: "alpha",
    kappa: "kappa vs lead",
    deviation: "score deviation",
    small_sample: "(small sample)",
    small_sample_note: "(small sample): fewer than {n} units, calls or answer pairs; do not act on it yet",
    undefined: "undefined",
    undefined_note: "undefined: nothing to pair, or every answer the same (no disagreement possible)",
    no_sets: "No calibration sets. `callqa calibration mark CALL... --reviewers a,b --lead L` makes one.",
    no_such_set: "no calibration set named",
    marked: "calibration calls marked in set",
    agreed: "agreed version of",
    none_yet: "none yet",
    agreed_version: "agreed",
    submitted: "submitted",
    not_submitted: "not submitted",
    hidden_blind: "The agreement figures stay hidden while you score this set blind. Submit your review of:",
    on_review: "calibration: {set}",
    show_refused: "{who} still scores calibration set {set} blind: its figures stay hidden until {who} submits a review of {calls}. The set's lead sees them: --lead NAME",
    not_the_lead: "is not the lead of calibration set",
    screen_help: "Esc: back",
    rep: "rep",
    review: "review",
    score: "score",
};

pub const RU: CalibrationStrings = CalibrationStrings {
    title: "Калибровка",
    set: "набор",
    lead: "ведущий",
    reviewers: "проверяющие",
    calls: "звонки",
    item: "пункт",
    reviewer: "проверяющий",
    units: "n единиц",
    pairs: "пары",
    percent: "согласие",
    alpha: "альфа",
    kappa: "каппа с ведущим",
    deviation: "отклонение оценки",
    small_sample: "(мало данных)",
    small_sample_note: "(мало данных): меньше {n} единиц, звонков или пар ответов; выводы делать рано",
    undefined: "не определено",
    undefined_note: "не определено: нечего сравнивать или все ответы одинаковы (расхождение невозможно)",
    no_sets: "Наборов калибровки нет. `callqa calibration mark ЗВОНОК... --reviewers a,b --lead L` создаёт набор.",
    no_such_set: "нет набора калибровки с именем",
    marked: "звонки калибровки отмечены в наборе",
    agreed: "согласованная версия звонка",
    none_yet: "пока нет",
    agreed_version: "согласовано",
    submitted: "сдана",
    not_submitted: "не сдана",
    hidden_blind: "Цифры согласия скрыты, пока вы проверяете этот набор вслепую. Сдайте свою проверку звонков:",
    on_review: "калибровка: {set}",
    show_refused: "{who} ещё проверяет набор калибровки {set} вслепую: его цифры скрыты, пока {who} не сдаст проверку звонков {calls}. Ведущий набора видит их: --lead ИМЯ",
    not_the_lead: "не ведущий набора калибровки",
    screen_help: "Esc: назад",
    rep: "менеджер",
    review: "проверка",
    score: "оценка",
};

pub fn calibration_strings(lang: Lang) -> &'static CalibrationStrings {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

/// A share as a percentage with one decimal, or the undefined word.
pub fn percent_text(lang: Lang, value: Option<f64>) -> String {
    value.map_or_else(
        || calibration_strings(lang).undefined.to_string(),
        |v| format!("{:.1}%", v * 100.0),
    )
}

/// An agreement coefficient to three decimals, or the undefined word.
pub fn coefficient_text(lang: Lang, value: Option<f64>) -> String {
    value.map_or_else(
        || calibration_strings(lang).undefined.to_string(),
        |v| format!("{v:.3}"),
    )
}

/// The small-sample mark after a figure's n, or nothing.
pub fn small_mark(lang: Lang, small: bool) -> &'static str {
    if small {
        calibration_strings(lang).small_sample
    } else {
        ""
    }
}

/// The words of the rep's responses and their disputes (`callqa responses
/// import`, `callqa disputes`, the feedback sheet's response columns, the
/// report's disputes section, the workstation's dispute list).
pub struct DisputeStrings {
    /// The feedback sheet's response column; its header is read back in
    /// either language.
    pub response_header: &'static str,
    pub reason_header: &'static str,
    /// The drop-down's prompt on a response cell of the XLSX sheet.
    pub response_hint: &'static str,
    /// What the rep writes in the response column.
    pub agree: &'static str,
    pub dispute: &'static str,
    pub title: &'static str,
    pub open: &'static str,
    pub upheld: &'static str,
    pub changed: &'static str,
    pub acknowledged: &'static str,
    pub outcome: &'static str,
    pub resolution: &'static str,
    pub received: &'static str,
    pub score_before: &'static str,
    pub score_after: &'static str,
    /// On a rep's feedback sheet, when some are open.
    pub open_disputes: &'static str,
    /// The overview's note: "{reps}" is "rep: n, rep: n".
    pub open_per_rep: &'static str,
    pub no_disputes: &'static str,
    pub bad_row: &'static str,
    pub no_keys: &'static str,
    pub bad_review_id: &'static str,
    pub bad_response: &'static str,
    pub reason_needed: &'static str,
    pub reason_without_response: &'static str,
    /// `{new}`, `{updated}`, `{unchanged}`, `{bad}`.
    pub imported: &'static str,
    pub resolve_prompt: &'static str,
    pub resolved: &'static str,
    pub keys_hint: &'static str,
}

pub const DISPUTES_EN: DisputeStrings = DisputeStrings {
    response_header: "Response (agree / dispute)",
    reason_header: "Reason",
    response_hint: "Choose agree, or dispute and write why under Reason",
    agree: "agree",
    dispute: "dispute",
    title: "Disputes",
    open: "open",
    upheld: "upheld",
    changed: "score changed",
    acknowledged: "acknowledged",
    outcome: "outcome",
    resolution: "resolution",
    score_before: "score before",
    score_after: "score after",
    open_disputes: "Open disputes",
    open_per_rep: "Open disputes (rep: n): {reps}",
    received: "received",
    no_disputes: "No disputes. A rep's filled-in feedback sheet comes in with `callqa responses import FILE`.",
    bad_row: "row not recorded",
    no_keys: "no sheet with the columns review_id and item_id (a feedback sheet written by `callqa feedback --format xlsx`)",
    bad_review_id: "review_id is not a number",
    bad_response: "the response is neither \"agree\" nor \"dispute\"",
    reason_needed: "a dispute needs a reason",
    reason_without_response: "a reason without a response (agree / dispute)",
    imported: "responses: {new} new, {updated} updated, {unchanged} unchanged, {bad} not recorded",
    resolve_prompt: "Why (the rep reads this)",
    resolved: "dispute resolved",
    keys_hint: "n: uphold (stays no) · y: change to yes · a: change to n/a · Tab: calibration / disputes",
};

pub const DISPUTES_RU: DisputeStrings = DisputeStrings {
    response_header: "Ответ (согласен / оспариваю)",
    reason_header: "Причина",
    response_hint: "Выберите «согласен», или «оспариваю» и напишите почему в столбце «Причина»",
    agree: "согласен",
    dispute: "оспариваю",
    title: "Споры",
    open: "открыт",
    upheld: "оценка оставлена",
    changed: "оценка изменена",
    acknowledged: "принято",
    outcome: "итог",
    resolution: "решение",
    score_before: "оценка до",
    score_after: "оценка после",
    open_disputes: "Открытые споры",
    open_per_rep: "Открытые споры (менеджер: n): {reps}",
    received: "получено",
    no_disputes: "Споров нет. Заполненный менеджером лист обратной связи загружается командой `callqa responses import ФАЙЛ`.",
    bad_row: "строка не записана",
    no_keys: "нет листа со столбцами review_id и item_id (лист обратной связи из `callqa feedback --format xlsx`)",
    bad_review_id: "review_id — не число",
    bad_response: "ответ не «согласен» и не «оспариваю»",
    reason_needed: "для спора нужна причина",
    reason_without_response: "причина без ответа (согласен / оспариваю)",
    imported: "ответы: новых {new}, изменено {updated}, без изменений {unchanged}, не записано {bad}",
    resolve_prompt: "Почему (это прочтёт менеджер)",
    resolved: "спор решён",
    keys_hint: "n: оставить (нет) · y: изменить на да · a: изменить на н/п · Tab: калибровка / споры",
};

pub fn dispute_strings(lang: Lang) -> &'static DisputeStrings {
    match lang {
        Lang::En => &DISPUTES_EN,
        Lang::Ru => &DISPUTES_RU,
    }
}

/// The response a cell holds, in either language; `None` for anything else.
pub fn parse_response(cell: &str) -> Option<crate::store::Response> {
    let cell = cell.trim().to_lowercase();
    [&DISPUTES_EN, &DISPUTES_RU].iter().find_map(|t| {
        if cell == t.agree {
            Some(crate::store::Response::Agree)
        } else if cell == t.dispute {
            Some(crate::store::Response::Dispute)
        } else {
            None
        }
    })
}

/// Whether a header cell is the response (or reason) column, in either
/// language.
pub fn is_header(cell: &str, pick: fn(&DisputeStrings) -> &'static str) -> bool {
    let cell = cell.trim();
    [&DISPUTES_EN, &DISPUTES_RU].iter().any(|t| {
        cell.eq_ignore_ascii_case(pick(t)) || cell.to_lowercase() == pick(t).to_lowercase()
    })
}
