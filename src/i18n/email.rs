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
    /// The email queue's title, before its counts.
    pub queue: &'static str,
    pub submitted: &'static str,
    /// `t` with no line of words under the thread's cursor.
    pub select_a_line: &'static str,
    /// The message after `t`, before the item number and the line.
    pub quoted: &'static str,
    /// The thread pane's title, before the subject.
    pub thread_title: &'static str,
    /// Spelling: the words of the selected line no dictionary knows.
    pub misspelt: &'static str,
    /// Before the suggestions for a misspelt word.
    pub suggestions: &'static str,
    /// The dictionaries are not installed: the spelling item is left to
    /// the reviewer; `{dir}` is the file that could not be read and why.
    pub no_dictionaries: &'static str,
    pub spelling_ok: &'static str,
    pub cc: &'static str,
    pub attachments: &'static str,
    pub kilobytes: &'static str,
    /// The email under the cursor is no longer in the workspace (a
    /// re-import in another window took it away).
    pub email_gone: &'static str,
    /// `callqa plan --replace` of an email with no other one to draw.
    pub no_replacement: &'static str,
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
    queue: "Emails",
    submitted: "submitted",
    select_a_line: "Select a line of text in the thread (Tab to the thread, up/down), then t quotes it",
    quoted: "Quoted as evidence of",
    thread_title: "Thread",
    misspelt: "Misspelt",
    suggestions: "try",
    no_dictionaries: "Spelling not checked ({dir}): install hunspell-ru and hunspell-en-us; answer the item yourself",
    spelling_ok: "Spelling: no unknown words",
    cc: "cc",
    attachments: "attachments (listed, never opened)",
    kilobytes: "KB",
    email_gone: "This email is no longer in the workspace; e twice reloads the list",
    no_replacement: "no other outgoing email of this rep is left in the week: the plan is one email short",
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
    queue: "Письма",
    submitted: "сдано",
    select_a_line: "Выберите строку текста в переписке (Tab до переписки, вверх/вниз), тогда t процитирует её",
    quoted: "Процитировано как доказательство к",
    thread_title: "Переписка",
    misspelt: "Ошибки",
    suggestions: "варианты",
    no_dictionaries: "Орфография не проверена ({dir}): установите hunspell-ru и hunspell-en-us; ответьте на пункт сами",
    spelling_ok: "Орфография: незнакомых слов нет",
    cc: "копия",
    attachments: "вложения (только список, не открываются)",
    kilobytes: "КБ",
    email_gone: "Этого письма больше нет в рабочей базе; e дважды перечитает список",
    no_replacement: "других исходящих писем этого менеджера на неделе нет: в плане на одно письмо меньше",
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
