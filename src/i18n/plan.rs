//! The weekly plan's words, in both languages (`callqa plan`, `callqa reps`).

use crate::domain::Lang;
use crate::domain::plan::Reason;
use crate::domain::sampling::Bucket;

pub struct PlanStrings {
    pub title: &'static str,
    pub seed: &'static str,
    pub rules: &'static str,
    pub rep: &'static str,
    pub team: &'static str,
    pub standing: &'static str,
    pub quality: &'static str,
    pub telephony: &'static str,
    pub reviewer: &'static str,
    pub call: &'static str,
    pub started: &'static str,
    pub length: &'static str,
    pub why: &'static str,
    pub newcomer: &'static str,
    pub under_plan: &'static str,
    pub on_plan: &'static str,
    pub unrostered: &'static str,
    pub shortfall: &'static str,
    pub shortfall_line: &'static str,
    pub unrostered_line: &'static str,
    pub not_analysed_line: &'static str,
    pub replaced: &'static str,
    pub calls_title: &'static str,
    pub nobody: &'static str,
    pub started_on: &'static str,
    pub plan_pct: &'static str,
    pub reps_title: &'static str,
    pub newcomer_until: &'static str,
    pub replaced_by: &'static str,
    pub no_replacement: &'static str,
    pub written_to: &'static str,
    pub no_calls: &'static str,
    /// The email bucket: its column, its section and its shortfall.
    pub email: &'static str,
    pub emails_title: &'static str,
    pub subject: &'static str,
    pub sent: &'static str,
    pub email_shortfall_line: &'static str,
    /// The workstation's email queue: the word in its plan title
    /// (`Plan 2026-W48 · emails 1/6 reviewed`) and the mark of a planned email.
    pub emails_in_queue: &'static str,
    pub tag_email: &'static str,
}

pub const EN: PlanStrings = PlanStrings {
    title: "Review plan for",
    seed: "seed",
    rules: "rules",
    rep: "rep",
    team: "team",
    standing: "standing",
    quality: "quality",
    telephony: "telephony",
    reviewer: "reviewer",
    call: "call",
    started: "started",
    length: "length",
    why: "why",
    newcomer: "newcomer",
    under_plan: "under plan",
    on_plan: "on plan",
    unrostered: "not in the roster",
    shortfall: "short",
    shortfall_line: "fewer eligible calls than the quota; all of them are in the plan",
    unrostered_line: "not in the roster, planned with the default quota",
    not_analysed_line: "call(s) of the week not analysed yet: their telephony flags are unknown (run callqa analyze)",
    replaced: "replaced",
    calls_title: "Calls",
    nobody: "unassigned",
    started_on: "started on",
    plan_pct: "plan, %",
    reps_title: "Reps as of",
    newcomer_until: "until",
    replaced_by: "replaced by",
    no_replacement: "no other call of this rep and kind is left in the week: the plan is one call short",
    written_to: "written to",
    no_calls: "no calls of this week in the workspace",
    email: "emails",
    emails_title: "Emails",
    subject: "subject",
    sent: "sent",
    email_shortfall_line: "fewer outgoing emails than the quota; all of them are in the plan",
    emails_in_queue: "emails",
    tag_email: "E",
};

pub const RU: PlanStrings = PlanStrings {
    title: "План проверки на",
    seed: "зерно",
    rules: "правила",
    rep: "менеджер",
    team: "команда",
    standing: "статус",
    quality: "качество",
    telephony: "телефония",
    reviewer: "проверяющий",
    call: "звонок",
    started: "начало",
    length: "длина",
    why: "почему",
    newcomer: "новичок",
    under_plan: "не выполняет план",
    on_plan: "в плане",
    unrostered: "нет в списке менеджеров",
    shortfall: "недобор",
    shortfall_line: "подходящих звонков меньше квоты; в план вошли все",
    unrostered_line: "нет в списке менеджеров, квота по умолчанию",
    not_analysed_line: "звонк(а/ов) недели ещё не проанализированы: флаги телефонии неизвестны (запустите callqa analyze)",
    replaced: "заменён",
    calls_title: "Звонки",
    nobody: "не назначен",
    started_on: "начал работу",
    plan_pct: "план, %",
    reps_title: "Менеджеры на",
    newcomer_until: "до",
    replaced_by: "заменён на",
    no_replacement: "других звонков этого менеджера и вида на неделе нет: в плане на один звонок меньше",
    written_to: "записано в",
    no_calls: "звонков этой недели в рабочей базе нет",
    email: "письма",
    emails_title: "Письма",
    subject: "тема",
    sent: "отправлено",
    email_shortfall_line: "исходящих писем меньше квоты; в план вошли все",
    emails_in_queue: "письма",
    tag_email: "П",
};

pub fn plan_strings(lang: Lang) -> &'static PlanStrings {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

pub fn bucket(lang: Lang, bucket: Bucket) -> &'static str {
    let t = plan_strings(lang);
    match bucket {
        Bucket::Quality => t.quality,
        Bucket::Telephony => t.telephony,
        Bucket::None => "-",
        Bucket::Email => t.email,
    }
}

/// Why a call or an email is in the plan, as a sales head reads it.
pub fn reason(lang: Lang, reason: &Reason) -> String {
    match (reason, lang) {
        (Reason::Quota, Lang::En) => "weekly quota".into(),
        (Reason::Quota, Lang::Ru) => "недельная квота".into(),
        (Reason::Newcomer, Lang::En) => "extra: newcomer".into(),
        (Reason::Newcomer, Lang::Ru) => "дополнительно: новичок".into(),
        (Reason::UnderPlan, Lang::En) => "extra: under plan".into(),
        (Reason::UnderPlan, Lang::Ru) => "дополнительно: не выполняет план".into(),
        (Reason::Flagged { flags }, Lang::En) => {
            format!("flagged by the audio: {}", flags.join(", "))
        }
        (Reason::Flagged { flags }, Lang::Ru) => {
            format!("флаг анализа звука: {}", flags.join(", "))
        }
        (Reason::Replacement { replaces }, Lang::En) => format!("replaces {replaces}"),
        (Reason::Replacement { replaces }, Lang::Ru) => format!("вместо {replaces}"),
    }
}
