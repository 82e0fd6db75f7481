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
    /// On the screen, for another reviewer's review while one scores blind.
    pub hidden_blind: &'static str,
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
    hidden_blind: "hidden until your own review is submitted",
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
    hidden_blind: "скрыто, пока вы не сдадите свою проверку",
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
