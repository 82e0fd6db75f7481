//! The team commands' words, in both languages (`callqa migrate`,
//! `callqa claims`, `callqa team`), and the workstation's board of who
//! holds which call (`H`).

use crate::domain::Lang;
use crate::store::{ReassignRefusal, TeamRole};

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

/// Why a lead's reassignment was refused, as a person reads it.
pub fn reassign_refusal(lang: Lang, refusal: &ReassignRefusal) -> String {
    let words = board_strings(lang);
    match refusal {
        ReassignRefusal::NotALead(part) => words.not_a_lead.replace("{role}", role(lang, *part)),
        ReassignRefusal::UnknownReviewer { name, known } => words
            .unknown_reviewer
            .replace("{name}", &crate::text::one_line(name, 80))
            .replace("{known}", &crate::text::one_line(&known.join(", "), 300)),
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

/// The workstation's board of who holds which call of the plan (`H`).
pub struct BoardStrings {
    pub title: &'static str,
    pub call: &'static str,
    pub rep: &'static str,
    pub holder: &'static str,
    pub lease: &'static str,
    pub calibration: &'static str,
    pub submitted: &'static str,
    /// `{n}` minutes of a live claim's lease are left.
    pub minutes_left: &'static str,
    pub run_out: &'static str,
    /// Drawn for the reviewer by the plan or a lead: theirs, no lease.
    pub drawn: &'static str,
    /// `{n}` calls of the pool are held by nobody.
    pub unclaimed: &'static str,
    pub nobody_holds: &'static str,
    pub no_plan: &'static str,
    /// The reassign prompt, for call `{call}`.
    pub hand_to: &'static str,
    pub name_missing: &'static str,
    /// `{role}`: the login's part on the team's server.
    pub not_a_lead: &'static str,
    /// `{name}` and `{known}` (a list of names).
    pub unknown_reviewer: &'static str,
    pub refreshed: &'static str,
}

const BOARD_EN: BoardStrings = BoardStrings {
    title: "Who holds what",
    call: "Call",
    rep: "Rep",
    holder: "Holder",
    lease: "Lease",
    calibration: "Calibration",
    submitted: "Submitted",
    minutes_left: "{n} min left",
    run_out: "run out",
    drawn: "drawn for them",
    unclaimed: "Calls of the pool nobody holds: {n}",
    nobody_holds: "Nobody holds a call of this plan yet",
    no_plan: "No plan is drawn yet; a lead draws it with `callqa plan --period WEEK`",
    hand_to: "Hand {call} to reviewer",
    name_missing: "type the reviewer's name",
    not_a_lead: "only a lead (callqa_lead) hands a call to another reviewer; this login is a {role}",
    unknown_reviewer: "{name} is not a reviewer of this workspace; the reviewers are: {known}",
    refreshed: "Claims read again",
};

const BOARD_RU: BoardStrings = BoardStrings {
    title: "У кого какие звонки",
    call: "Звонок",
    rep: "Менеджер",
    holder: "У кого",
    lease: "Срок",
    calibration: "Калибровка",
    submitted: "Отправлен",
    minutes_left: "ещё {n} мин",
    run_out: "истёк",
    drawn: "назначен",
    unclaimed: "Свободных звонков в общем плане: {n}",
    nobody_holds: "Ни один звонок этого плана пока ни у кого",
    no_plan: "План ещё не составлен; руководитель составляет его командой `callqa plan --period НЕДЕЛЯ`",
    hand_to: "Передать {call} проверяющему",
    name_missing: "введите имя проверяющего",
    not_a_lead: "передать звонок другому может только руководитель (callqa_lead); этот логин — {role}",
    unknown_reviewer: "{name} не проверяющий этого рабочего пространства; проверяющие: {known}",
    refreshed: "Список перечитан",
};

pub fn board_strings(lang: Lang) -> &'static BoardStrings {
    match lang {
        Lang::En => &BOARD_EN,
        Lang::Ru => &BOARD_RU,
    }
}
