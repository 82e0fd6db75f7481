//! The team commands' words, in both languages (`callqa migrate`,
//! `callqa claims`, `callqa team`).

use crate::domain::Lang;
use crate::store::TeamRole;

pub struct TeamStrings {
    pub copied: &'static str,
    pub rows: &'static str,
    pub mismatch: &'static str,
    pub same_place: &'static str,
    pub no_claims: &'static str,
    pub run_out: &'static str,
    pub until: &'static str,
    pub reassigned: &'static str,
    pub not_in_plan: &'static str,
    /// `team` on a file: there is nobody to tell apart.
    pub one_user: &'static str,
    pub set_up: &'static str,
    pub added: &'static str,
    pub no_members: &'static str,
    pub login: &'static str,
    pub role: &'static str,
    /// The workstation took the next call of the plan's pool.
    pub next_from_pool: &'static str,
    /// `callqa plan` asked to draw or change by a login that only reads it.
    pub plan_is_the_leads: &'static str,
    pub no_plan_drawn: &'static str,
}

const EN: TeamStrings = TeamStrings {
    copied: "Copied",
    rows: "rows",
    mismatch: "rows differ after the copy",
    same_place: "--from and --to name the same workspace",
    no_claims: "No call of this plan is claimed",
    run_out: "run out, back in the pool",
    until: "until",
    reassigned: "now drawn for",
    not_in_plan: "is not in the plan of",
    one_user: "is a file: it has one user, who is reviewer, lead and client at once; \
               roles exist on a team's PostgreSQL workspace (--db postgres://…)",
    set_up: "Roles ready: callqa_reviewer, callqa_lead, callqa_client, with their grants and \
             row rules; add people with `callqa team add NAME --role reviewer|lead|client`",
    added: "can now log in as",
    no_members: "Nobody has a role yet: `callqa team add NAME --role reviewer|lead|client`",
    login: "Login",
    role: "Role",
    next_from_pool: "Next from the plan's pool",
    plan_is_the_leads: "a {role} login shows the plan a lead drew; drawing it, --reviewers, \
                        --rules, --seed and --replace are a lead's (callqa_lead)",
    no_plan_drawn: "no plan is drawn for this week yet; a lead draws it with `callqa plan --period WEEK`",
};

const RU: TeamStrings = TeamStrings {
    copied: "Скопировано",
    rows: "строк",
    mismatch: "после копирования число строк не совпадает",
    same_place: "--from и --to указывают на одно и то же рабочее пространство",
    no_claims: "Ни один звонок этого плана не взят",
    run_out: "срок истёк, звонок снова свободен",
    until: "до",
    reassigned: "теперь назначен",
    not_in_plan: "нет в плане недели",
    one_user: "— это файл: у него один пользователь, он же проверяющий, руководитель и клиент; \
               роли есть в командном рабочем пространстве на PostgreSQL (--db postgres://…)",
    set_up: "Роли готовы: callqa_reviewer, callqa_lead, callqa_client, с правами и правилами \
             для строк; людей добавляет `callqa team add ИМЯ --role reviewer|lead|client`",
    added: "теперь может войти как",
    no_members: "Ролей пока ни у кого нет: `callqa team add ИМЯ --role reviewer|lead|client`",
    login: "Логин",
    role: "Роль",
    next_from_pool: "Следующий из общего плана",
    plan_is_the_leads: "логин с ролью «{role}» показывает план, составленный руководителем; \
                        составлять его, --reviewers, --rules, --seed и --replace может только \
                        руководитель (callqa_lead)",
    no_plan_drawn: "план на эту неделю ещё не составлен; руководитель составляет его командой \
                    `callqa plan --period НЕДЕЛЯ`",
};

pub fn team_strings(lang: Lang) -> &'static TeamStrings {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

/// A role's name as a person reads it.
pub fn role(lang: Lang, role: TeamRole) -> &'static str {
    match (lang, role) {
        (Lang::En, TeamRole::Reviewer) => "reviewer",
        (Lang::En, TeamRole::Lead) => "lead",
        (Lang::En, TeamRole::Client) => "client viewer",
        (Lang::Ru, TeamRole::Reviewer) => "проверяющий",
        (Lang::Ru, TeamRole::Lead) => "руководитель",
        (Lang::Ru, TeamRole::Client) => "клиент (только чтение)",
    }
}
