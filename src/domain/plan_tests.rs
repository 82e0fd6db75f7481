//! The draw: reproducible, quotas per standing, shortfalls said, stable
//! under late calls, replacements kept, work split by rep.

use super::*;
use chrono::NaiveDate;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn week() -> Period {
    Period::parse("2026-W48").unwrap()
}

/// `n` calls of a rep in week 48 lasting `secs`, ids `rep-tag-i`.
fn calls(rep: &str, tag: &str, n: usize, secs: u64) -> Vec<Candidate> {
    (0..n)
        .map(|i| Candidate {
            call_id: format!("{rep}-{tag}-{i}"),
            rep: rep.into(),
            day: day(23 + (i % 7) as u32),
            duration_ms: secs * 1000,
            flags: Some(Vec::new()),
        })
        .collect()
}

fn roster() -> Vec<RepProfile> {
    let on = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    vec![
        RepProfile {
            rep: "Анна".into(),
            started_on: on("2020-01-01"),
            team: "A".into(),
            plan_pct: Some(110.0),
        },
        RepProfile {
            rep: "Борис".into(),
            started_on: on("2026-11-01"),
            team: "A".into(),
            plan_pct: Some(100.0),
        },
        RepProfile {
            rep: "Вера".into(),
            started_on: on("2019-01-01"),
            team: "B".into(),
            plan_pct: Some(70.0),
        },
    ]
}

fn count(plan: &Plan, rep: &str, bucket: Bucket) -> usize {
    plan.active()
        .filter(|e| e.rep == rep && e.bucket == bucket)
        .count()
}

fn all_calls() -> Vec<Candidate> {
    let mut all = Vec::new();
    for rep in ["Анна", "Борис", "Вера", "Гость"] {
        all.extend(calls(rep, "long", 20, 180));
        all.extend(calls(rep, "tel", 4, 30));
        all.extend(calls(rep, "blip", 3, 8));
    }
    all
}

#[test]
fn quotas_follow_the_standing_of_each_rep() {
    let rules = SamplingRules::defaults();
    let plan = draw(week(), "seed", &rules, &roster(), &all_calls(), None);
    assert_eq!(count(&plan, "Анна", Bucket::Quality), 3);
    assert_eq!(count(&plan, "Борис", Bucket::Quality), 3 + 3, "newcomer");
    assert_eq!(count(&plan, "Вера", Bucket::Quality), 3 + 2, "under plan");
    assert_eq!(count(&plan, "Гость", Bucket::Quality), 3, "default quota");
    for rep in ["Анна", "Борис", "Вера", "Гость"] {
        assert_eq!(count(&plan, rep, Bucket::Telephony), 1);
    }
    assert_eq!(plan.unrostered, vec!["Гость"]);
    assert!(plan.shortfalls.is_empty());
    assert!(
        plan.entries.iter().all(|e| !e.call_id.contains("blip")),
        "calls under 20 s are not drawn"
    );
    assert!(
        plan.entries
            .iter()
            .filter(|e| e.bucket == Bucket::Telephony)
            .all(|e| e.call_id.contains("tel")),
        "20-40 s calls are the telephony check"
    );
    let why: Vec<&Reason> = plan
        .active()
        .filter(|e| e.rep == "Борис")
        .map(|e| &e.reason)
        .collect();
    assert_eq!(why.iter().filter(|r| ***r == Reason::Newcomer).count(), 3);
}

#[test]
fn the_same_seed_draws_the_same_calls_and_another_seed_others() {
    let rules = SamplingRules::defaults();
    let a = draw(week(), "s1", &rules, &roster(), &all_calls(), None);
    let mut shuffled = all_calls();
    shuffled.reverse();
    let b = draw(week(), "s1", &rules, &roster(), &shuffled, None);
    assert_eq!(a, b, "input order does not matter");
    let c = draw(week(), "s2", &rules, &roster(), &all_calls(), None);
    let ids = |p: &Plan| {
        p.entries
            .iter()
            .map(|e| e.call_id.clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(ids(&a), ids(&c));
    // The rank is SHA-256 and nothing else: anyone holding the seed gets it.
    assert_eq!(rank("s1", "x"), rank("s1", "x"));
    assert_ne!(rank("s1", "x"), rank("s1", "y"));
}

#[test]
fn late_calls_never_push_out_drawn_ones() {
    let rules = SamplingRules::defaults();
    let early = all_calls();
    let first = draw(week(), "seed", &rules, &roster(), &early, None);
    let mut later = early.clone();
    later.extend(calls("Анна", "late", 50, 300));
    let again = draw(week(), "seed", &rules, &roster(), &later, Some(&first));
    assert_eq!(
        again.entries, first.entries,
        "quotas were full: nothing moves"
    );
    // Without the stored plan some late call would have ranked first.
    let fresh = draw(week(), "seed", &rules, &roster(), &later, None);
    assert!(fresh.entries.iter().any(|e| e.call_id.contains("late")));
}

#[test]
fn a_short_week_draws_all_and_says_so() {
    let rules = SamplingRules::defaults();
    let few = calls("Вера", "long", 2, 120);
    let plan = draw(week(), "seed", &rules, &roster(), &few, None);
    assert_eq!(count(&plan, "Вера", Bucket::Quality), 2);
    assert!(plan.shortfalls.contains(&Shortfall {
        rep: "Вера".into(),
        bucket: Bucket::Quality,
        wanted: 5,
        drawn: 2
    }));
    assert!(
        plan.shortfalls
            .iter()
            .any(|s| s.bucket == Bucket::Telephony && s.drawn == 0)
    );
    // Calls of another week are not this week's.
    let mut other = calls("Вера", "next", 5, 120);
    for c in &mut other {
        c.day = day(30);
    }
    let plan = draw(week(), "seed", &rules, &roster(), &other, None);
    assert!(plan.entries.is_empty());
}

#[test]
fn flagged_calls_always_go_to_the_telephony_check() {
    let rules = SamplingRules::defaults();
    let mut all = calls("Анна", "long", 10, 600);
    all[7].flags = Some(vec!["one-way-audio".into()]);
    all[8].flags = Some(vec!["long-dead-air".into()]);
    all[9].flags = None;
    let plan = draw(week(), "seed", &rules, &roster(), &all, None);
    let flagged = plan
        .entries
        .iter()
        .find(|e| e.call_id == all[7].call_id)
        .unwrap();
    assert_eq!(flagged.bucket, Bucket::Telephony);
    assert!(matches!(&flagged.reason, Reason::Flagged { flags } if flags == &["one-way-audio"]));
    assert_eq!(plan.not_analysed, 1);
    assert_eq!(count(&plan, "Анна", Bucket::Quality), 3);
    // It is her telephony check of the week: no shortfall there.
    assert_eq!(count(&plan, "Анна", Bucket::Telephony), 1);
    assert!(plan.shortfalls.is_empty(), "{:?}", plan.shortfalls);
}

#[test]
fn a_replaced_call_stays_in_the_plan_and_the_next_by_rank_comes_in() {
    let rules = SamplingRules::defaults();
    let all = all_calls();
    let mut plan = draw(week(), "seed", &rules, &roster(), &all, None);
    let victim = plan
        .active()
        .find(|e| e.rep == "Анна" && e.bucket == Bucket::Quality)
        .unwrap()
        .call_id
        .clone();
    let ranks_before: Vec<u64> = plan
        .active()
        .filter(|e| e.rep == "Анна" && e.bucket == Bucket::Quality)
        .map(|e| e.rank)
        .collect();
    let new = replace(
        &mut plan,
        &victim,
        "fax tones, no conversation",
        &rules,
        &all,
    )
    .unwrap()
    .unwrap();
    assert_eq!(count(&plan, "Анна", Bucket::Quality), 3);
    let old = plan.entries.iter().find(|e| e.call_id == victim).unwrap();
    assert_eq!(old.replaced.as_deref(), Some("fax tones, no conversation"));
    let added = plan.entries.iter().find(|e| e.call_id == new).unwrap();
    assert_eq!(
        added.reason,
        Reason::Replacement {
            replaces: victim.clone()
        }
    );
    assert!(
        ranks_before.iter().all(|r| *r < added.rank),
        "the next call by the same order"
    );
    assert_eq!(
        replace(&mut plan, &victim, "again", &rules, &all),
        Err(ReplaceError::NotInPlan(victim.clone()))
    );
    assert_eq!(
        replace(&mut plan, &new, " ", &rules, &all),
        Err(ReplaceError::NoReason)
    );
}

#[test]
fn work_is_split_by_rep_and_balanced_by_minutes() {
    let rules = SamplingRules::defaults();
    let all = all_calls();
    let mut plan = draw(week(), "seed", &rules, &roster(), &all, None);
    let minutes: HashMap<String, u64> = all
        .iter()
        .map(|c| (c.call_id.clone(), c.duration_ms))
        .collect();
    let reviewers = vec!["anna".to_string(), "boris".to_string()];
    assign(&mut plan, &reviewers, &minutes);
    for rep in ["Анна", "Борис", "Вера", "Гость"] {
        let who: HashSet<&str> = plan
            .active()
            .filter(|e| e.rep == rep)
            .filter_map(|e| e.reviewer.as_deref())
            .collect();
        assert_eq!(who.len(), 1, "{rep} has one reviewer: {who:?}");
    }
    let load = |r: &str| -> u64 {
        plan.active()
            .filter(|e| e.reviewer.as_deref() == Some(r))
            .map(|e| minutes[&e.call_id])
            .sum()
    };
    let (a, b) = (load("anna"), load("boris"));
    assert!(a > 0 && b > 0);
    assert!(a.abs_diff(b) <= 7 * 180_000, "balanced: {a} vs {b}");
}

#[test]
fn a_call_drawn_later_goes_to_the_reviewer_who_has_its_rep() {
    let rules = SamplingRules::defaults();
    // Анна has two long calls at first: one short of her quota.
    let early: Vec<Candidate> = calls("Анна", "long", 2, 180)
        .into_iter()
        .chain(calls("Вера", "long", 1, 180))
        .collect();
    let minutes: HashMap<String, u64> = all_calls()
        .iter()
        .chain(&early)
        .map(|c| (c.call_id.clone(), c.duration_ms))
        .collect();
    let reviewers = vec!["anna".to_string(), "boris".to_string()];
    let mut first = draw(week(), "seed", &rules, &roster(), &early, None);
    assign(&mut first, &reviewers, &minutes);
    let owner = |plan: &Plan, rep: &str| -> HashSet<String> {
        plan.active()
            .filter(|e| e.rep == rep)
            .filter_map(|e| e.reviewer.clone())
            .collect()
    };
    let anna_reviewer = owner(&first, "Анна");
    assert_eq!(anna_reviewer.len(), 1);
    assert_ne!(anna_reviewer, owner(&first, "Вера"));
    // More calls arrive; Анна's new one would otherwise go to the lighter
    // reviewer, Вера's.
    let mut later = draw(
        week(),
        "seed",
        &rules,
        &roster(),
        &all_calls(),
        Some(&first),
    );
    assert_eq!(count(&later, "Анна", Bucket::Quality), 3);
    assign(&mut later, &reviewers, &minutes);
    assert_eq!(owner(&later, "Анна"), anna_reviewer);
    assert_eq!(owner(&later, "Вера"), owner(&first, "Вера"));
}

/// `n` outgoing emails of a rep in week 48, ids `rep-mail-i`, plus one of
/// the week before that must never be drawn.
fn emails(rep: &str, n: usize) -> Vec<EmailCandidate> {
    let mut all: Vec<EmailCandidate> = (0..n)
        .map(|i| EmailCandidate {
            message_id: format!("<{rep}-mail-{i}@example.com>"),
            rep: rep.into(),
            day: day(23 + (i % 7) as u32),
        })
        .collect();
    all.push(EmailCandidate {
        message_id: format!("<{rep}-old@example.com>"),
        rep: rep.into(),
        day: day(22),
    });
    all
}

fn with_emails(seed: &str, mail: &[EmailCandidate], previous: Option<&Plan>) -> Plan {
    let rules = SamplingRules::defaults();
    let mut plan = draw(week(), seed, &rules, &roster(), &all_calls(), previous);
    draw_emails(&mut plan, &rules, &roster(), mail);
    plan
}

fn drawn_emails(plan: &Plan, rep: &str) -> Vec<String> {
    plan.emails
        .iter()
        .filter(|e| e.rep == rep)
        .map(|e| e.message_id.clone())
        .collect()
}

#[test]
fn the_email_bucket_draws_per_rep_by_the_same_ranks_and_standing() {
    let mut mail = Vec::new();
    for rep in ["Анна", "Борис", "Вера", "Гость"] {
        mail.extend(emails(rep, 10));
    }
    let plan = with_emails("seed", &mail, None);
    assert_eq!(drawn_emails(&plan, "Анна").len(), 2);
    assert_eq!(drawn_emails(&plan, "Борис").len(), 3, "newcomer");
    assert_eq!(drawn_emails(&plan, "Вера").len(), 3, "under plan");
    assert_eq!(drawn_emails(&plan, "Гость").len(), 2, "default quota");
    assert_eq!(plan.unrostered, vec!["Гость"], "named once");
    assert!(plan.emails.iter().all(|e| !e.message_id.contains("old")));
    // The smallest ranks of the rep's week, ranked as calls are.
    let mut anna: Vec<(u64, String)> = mail
        .iter()
        .filter(|e| e.rep == "Анна" && week().contains(e.day))
        .map(|e| (rank("seed", &e.message_id), e.message_id.clone()))
        .collect();
    anna.sort();
    let expected: Vec<String> = anna.into_iter().take(2).map(|(_, id)| id).collect();
    assert_eq!(drawn_emails(&plan, "Анна"), expected);
    assert_eq!(with_emails("seed", &mail, None), plan, "reproducible");
    assert_ne!(
        drawn_emails(&with_emails("other", &mail, None), "Анна"),
        expected
    );
    assert!(plan.shortfalls.iter().all(|s| s.bucket != Bucket::Email));
}

#[test]
fn a_rep_with_fewer_emails_gets_all_and_late_emails_push_out_none() {
    let one = emails("Анна", 1);
    let plan = with_emails("seed", &one, None);
    assert_eq!(
        drawn_emails(&plan, "Анна"),
        vec!["<Анна-mail-0@example.com>"]
    );
    assert!(plan.shortfalls.contains(&Shortfall {
        rep: "Анна".into(),
        bucket: Bucket::Email,
        wanted: 2,
        drawn: 1,
    }));
    let more = emails("Анна", 10);
    let again = with_emails("seed", &more, Some(&plan));
    let drawn = drawn_emails(&again, "Анна");
    assert_eq!(drawn.len(), 2);
    assert!(drawn.contains(&"<Анна-mail-0@example.com>".to_string()));
    assert!(again.shortfalls.iter().all(|s| s.bucket != Bucket::Email));
}

#[test]
fn an_email_goes_to_the_reviewer_of_its_reps_calls() {
    let mut mail = emails("Анна", 4);
    mail.extend(emails("Дина", 4));
    let mut plan = with_emails("seed", &mail, None);
    let reviewers = vec!["ira".to_string(), "oleg".to_string()];
    assign(&mut plan, &reviewers, &HashMap::new());
    let calls_of_anna = plan.active().find(|e| e.rep == "Анна").unwrap();
    let anna_reviewer = calls_of_anna.reviewer.clone();
    assert!(
        plan.emails
            .iter()
            .filter(|e| e.rep == "Анна")
            .all(|e| e.reviewer == anna_reviewer)
    );
    // Дина has no calls: her emails go together to one reviewer.
    let dina: Vec<_> = plan.emails.iter().filter(|e| e.rep == "Дина").collect();
    assert_eq!(dina.len(), 2);
    assert!(dina[0].reviewer.is_some());
    assert_eq!(dina[0].reviewer, dina[1].reviewer);
}

#[test]
fn a_replaced_email_leaves_the_plan_and_the_reps_next_by_rank_takes_its_place() {
    let mail = emails("Анна", 4);
    let mut plan = with_emails("seed", &mail, None);
    let drawn = drawn_emails(&plan, "Анна");
    assert_eq!(drawn.len(), 2);
    let first = drawn[0].clone();
    assert_eq!(
        replace_email(&mut plan, &first, "  ", &mail),
        Err(ReplaceError::NoReason)
    );
    assert_eq!(drawn_emails(&plan, "Анна"), drawn, "nothing changed");
    let (rep, next) = replace_email(&mut plan, &first, "not in Russian", &mail).unwrap();
    assert_eq!(rep, "Анна");
    // The lowest rank of the rep's week not in the plan, at the same place.
    let expected = mail
        .iter()
        .filter(|e| week().contains(e.day) && !drawn.contains(&e.message_id))
        .map(|e| (rank("seed", &e.message_id), e.message_id.clone()))
        .min()
        .map(|(_, id)| id);
    assert_eq!(next, expected);
    let now = drawn_emails(&plan, "Анна");
    assert_eq!(now, vec![expected.unwrap(), drawn[1].clone()]);
    let entry = plan.emails.iter().find(|e| e.message_id == now[0]).unwrap();
    assert_eq!(
        entry.reason,
        Reason::Replacement {
            replaces: first.clone()
        }
    );
    assert_eq!(
        replace_email(&mut plan, &first, "again", &mail),
        Err(ReplaceError::NotInPlan(first))
    );
}
