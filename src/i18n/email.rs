//! The words of emails (`callqa emails`, the import's email counts), in
//! both languages.

use crate::domain::Lang;
use crate::domain::email::EmailDirection;

pub struct EmailStrings {
    /// The import's line of email counts, before the numbers.
    pub emails: &'static str,
    pub sent: &'static str,
    pub direction: &'static str,
    pub rep: &'static str,
    pub contact: &'static str,
    pub deal: &'static str,
    pub subject: &'static str,
    pub thread: &'static str,
    /// The automatic checks' column: greeting, signature, concise, call to action.
    pub checks: &'static str,
    pub checks_legend: &'static str,
    pub outgoing: &'static str,
    pub incoming: &'static str,
    pub no_emails: &'static str,
    pub undated: &'static str,
    pub unknown: &'static str,
}

pub const EN: EmailStrings = EmailStrings {
    emails: "emails",
    sent: "sent",
    direction: "dir",
    rep: "rep",
    contact: "contact",
    deal: "deal",
    subject: "subject",
    thread: "thread",
    checks: "G S C A",
    checks_legend: "Checks of a rep's email (y yes, n no, ? cannot tell): G greeting by name, S signature, C concise, A call to action with a date",
    outgoing: "out",
    incoming: "in",
    no_emails: "No emails match. A batch brings them in an emails/ folder (.eml, .mbox).",
    undated: "no date",
    unknown: "-",
};

pub const RU: EmailStrings = EmailStrings {
    emails: "письма",
    sent: "отправлено",
    direction: "напр.",
    rep: "менеджер",
    contact: "контакт",
    deal: "сделка",
    subject: "тема",
    thread: "переписка",
    checks: "П Д К Ц",
    checks_legend: "Проверки письма менеджера (y да, n нет, ? не определить): П приветствие по имени, Д подпись, К кратко, Ц призыв к действию с датой",
    outgoing: "исх.",
    incoming: "вх.",
    no_emails: "Писем нет. Пакет приносит их в папке emails/ (.eml, .mbox).",
    undated: "без даты",
    unknown: "-",
};

pub fn email_strings(lang: Lang) -> &'static EmailStrings {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

pub fn direction(lang: Lang, direction: EmailDirection) -> &'static str {
    let t = email_strings(lang);
    match direction {
        EmailDirection::Out => t.outgoing,
        EmailDirection::In => t.incoming,
    }
}
