//! The plan in the workspace: saved whole or not at all, read back as it
//! was drawn, the rules pinned by version, the period's calls by their own
//! local day, a reviewer's part through an index.

use super::*;
use crate::domain::crm::{Call, Direction, Recording};
use crate::domain::plan::{assign, draw, replace};
use crate::store::test_support::{Keep, temp_workspace, temp_workspaces};
use std::collections::HashMap;

fn call(id: &str, rep: &str, started_at: &str, secs: u64) -> Call {
    Call {
        call_id: id.into(),
        started_at: chrono::DateTime::parse_from_rfc3339(started_at).unwrap(),
        rep: rep.into(),
        direction: Direction::Out,
        phone: "+79123456789".into(),
        contact_id: None,
        deal_id: None,
        script: None,
        recording: Recording {
            path: format!("/x/{id}.wav"),
            container: "wav".into(),
            codec: "pcm_s16le".into(),
            duration_ms: secs * 1000,
            channels: 1,
            sample_rate: 8000,
            channel_layout: Default::default(),
        },
    }
}

fn week() -> Period {
    Period::parse("2026-W48").unwrap()
}

/// Анна: 5 long calls and a short one in week 48; Борис: one long call.
fn workspace() -> (tempfile::TempDir, Workspace) {
    let (dir, ws) = temp_workspace();
    fill(&ws);
    (dir, ws)
}

/// [`workspace`] on each engine.
fn workspaces() -> Vec<(Keep, Workspace)> {
    let all = temp_workspaces();
    for (_, ws) in &all {
        fill(ws);
    }
    all
}

fn fill(ws: &Workspace) {
    let batch = ws.batch_id("/x").unwrap();
    for i in 0..5 {
        let at = format!("2026-11-2{}T10:00:00+03:00", 3 + i);
        ws.upsert_call(batch, &call(&format!("a{i}"), "Анна", &at, 90))
            .unwrap();
    }
    let calls = [
        call("a-short", "Анна", "2026-11-24T12:00:00+03:00", 30),
        call("b0", "Борис", "2026-11-25T12:00:00+03:00", 120),
        // Monday 01:00 in Moscow is Sunday in UTC: week 49 by its own day.
        call("next", "Анна", "2026-11-30T01:00:00+03:00", 120),
        // Sunday 23:30 in Moscow is Monday 30.11 nowhere it matters: week 48.
        call("late", "Анна", "2026-11-29T23:30:00+03:00", 120),
    ];
    for c in &calls {
        ws.upsert_call(batch, c).unwrap();
    }
    let rules = SamplingRules::defaults();
    ws.use_sampling_rules(&rules, crate::domain::sampling::DEFAULT_SAMPLING_TOML)
        .unwrap();
}

fn candidates(ws: &Workspace) -> Vec<Candidate> {
    ws.period_calls(week(), 1)
        .unwrap()
        .into_iter()
        .map(|c| c.candidate)
        .collect()
}

fn drawn(ws: &Workspace) -> Plan {
    let calls = candidates(ws);
    draw(
        week(),
        "seed",
        &SamplingRules::defaults(),
        &[],
        &calls,
        None,
    )
}

#[test]
fn the_period_holds_the_calls_of_its_own_local_days_with_their_flags() {
    for (_keep, ws) in workspaces() {
        ws.save_analysis(
            "a0",
            1,
            r#"{"flags":[{"flag":"one-way-audio","silent_side":"client"}]}"#,
        )
        .unwrap();
        ws.save_analysis("a1", 1, r#"{"flags":[]}"#).unwrap();
        let calls = ws.period_calls(week(), 1).unwrap();
        let mut ids: Vec<&str> = calls.iter().map(|c| c.candidate.call_id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a-short", "a0", "a1", "a2", "a3", "a4", "b0", "late"]);
        let flags = |id: &str| {
            calls
                .iter()
                .find(|c| c.candidate.call_id == id)
                .unwrap()
                .candidate
                .flags
                .clone()
        };
        assert_eq!(flags("a0"), Some(vec!["one-way-audio".to_string()]));
        assert_eq!(flags("a1"), Some(vec![]));
        assert_eq!(flags("a2"), None, "not analysed");
        // Another analysis version's flags do not count.
        assert_eq!(ws.period_calls(week(), 2).unwrap()[0].candidate.flags, None);
        let next = ws.period_calls(week().next(), 1).unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].started_at, "2026-11-30T01:00:00+03:00");
    }
}

#[test]
fn a_plan_reads_back_as_it_was_drawn_replacements_and_reviewers_included() {
    for (_keep, ws) in workspaces() {
        let mut plan = drawn(&ws);
        let calls = candidates(&ws);
        let first = plan.entries[0].call_id.clone();
        replace(
            &mut plan,
            &first,
            "a fax",
            &SamplingRules::defaults(),
            &calls,
        )
        .unwrap();
        let reviewers = ["anna".to_string(), "boris".to_string()];
        assign(&mut plan, &reviewers, &HashMap::new());
        ws.save_plan(&plan).unwrap();
        assert_eq!(ws.plan(week()).unwrap(), Some(plan.clone()));
        assert_eq!(ws.plan(week().next()).unwrap(), None);

        // A reviewer's part: their calls not replaced, quality first.
        let mine = ws.plan_queue(week(), "anna").unwrap();
        let theirs = ws.plan_queue(week(), "boris").unwrap();
        let active = plan.active().count();
        assert_eq!(mine.len() + theirs.len(), active);
        assert!(mine.iter().chain(&theirs).all(|c| c.call_id != first));
        for part in [&mine, &theirs] {
            let buckets: Vec<Bucket> = part.iter().map(|c| c.bucket).collect();
            let mut sorted = buckets.clone();
            sorted.sort();
            assert_eq!(buckets, sorted);
        }

        // Saving again replaces the period's plan.
        plan.entries.truncate(1);
        ws.save_plan(&plan).unwrap();
        assert_eq!(ws.plan(week()).unwrap().unwrap().entries.len(), 1);
    }
}

#[test]
fn a_plan_that_cannot_be_stored_whole_leaves_the_stored_one_as_it_was() {
    for (_keep, ws) in workspaces() {
        let plan = drawn(&ws);
        ws.save_plan(&plan).unwrap();
        let mut broken = plan.clone();
        broken.seed = "other".into();
        let mut ghost = broken.entries[0].clone();
        ghost.call_id = "no-such-call".into();
        broken.entries.push(ghost);
        assert!(ws.save_plan(&broken).is_err());
        assert_eq!(ws.plan(week()).unwrap(), Some(plan));
        // Nor is a plan stored under rules the workspace does not hold.
        let mut unknown_rules = drawn(&ws);
        unknown_rules.period = week().next();
        unknown_rules.rules_version = 99;
        assert!(ws.save_plan(&unknown_rules).is_err());
        assert_eq!(ws.plan(week().next()).unwrap(), None);
    }
}

#[test]
fn rules_are_kept_by_version_and_cannot_change_silently() {
    for (_keep, ws) in temp_workspaces() {
        assert_eq!(ws.sampling_rules().unwrap(), None);
        let text = crate::domain::sampling::DEFAULT_SAMPLING_TOML;
        let rules = SamplingRules::defaults();
        ws.use_sampling_rules(&rules, text).unwrap();
        ws.use_sampling_rules(&rules, text).unwrap();
        assert_eq!(
            ws.sampling_rules().unwrap(),
            Some((rules.clone(), text.into()))
        );
        let changed = text.replace("quality = 3", "quality = 4");
        let err = ws.use_sampling_rules(&rules, &changed).unwrap_err();
        assert!(err.to_string().contains("raise `version`"), "{err}");
        let v2 = changed.replace("version = 2", "version = 3");
        let rules2 = SamplingRules::from_toml(&v2, "v2").unwrap();
        ws.use_sampling_rules(&rules2, &v2).unwrap();
        assert_eq!(ws.sampling_rules().unwrap().unwrap().0.quota.quality, 4);
    }
}

#[test]
fn the_roster_is_kept_by_rep_and_a_later_batch_wins() {
    for (_keep, ws) in temp_workspaces() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let first = ws.batch_id("/one").unwrap();
        let second = ws.batch_id("/two").unwrap();
        let anna = RepProfile {
            rep: "Анна Смирнова".into(),
            started_on: day("2024-02-01"),
            team: "Юг".into(),
            plan_pct: Some(112.0),
        };
        let boris = RepProfile {
            rep: "Борис".into(),
            started_on: None,
            team: String::new(),
            plan_pct: None,
        };
        ws.save_roster(first, &[anna.clone(), boris.clone()])
            .unwrap();
        let anna_later = RepProfile {
            rep: "анна  смирнова".into(),
            plan_pct: Some(80.0),
            ..anna
        };
        ws.save_roster(second, std::slice::from_ref(&anna_later))
            .unwrap();
        assert_eq!(ws.roster().unwrap(), [anna_later, boris]);
    }
}

#[test]
fn a_reviewers_part_and_the_periods_calls_are_read_through_indexes() {
    let (_dir, ws) = workspace();
    let queries = [
        (PLAN_QUEUE_SQL, "plan_entries_by_reviewer"),
        (&PERIOD_CALLS_SQL[0], "calls_by_local_day"),
        (PERIOD_EMAILS_SQL, "emails_by_local_day"),
        (EMAIL_PLAN_QUEUE_SQL, "plan_emails_by_reviewer"),
    ];
    for (sql, index) in queries {
        let plan = crate::store::test_support::query_plan(&ws, sql);
        let text = plan.join("\n");
        assert!(text.contains(index), "no {index} in\n{text}\nfor\n{sql}");
        for step in &plan {
            assert!(
                !step.starts_with("SCAN") || step.contains("INDEX"),
                "a full scan in\n{text}\nfor\n{sql}"
            );
            assert!(
                !step.contains("TEMP B-TREE"),
                "a sort in\n{text}\nfor\n{sql}"
            );
        }
    }
}

/// An outgoing email of `rep` sent at `sent` (RFC 3339), linked.
fn store_email(ws: &Workspace, id: &str, rep: Option<&str>, sent: &str, out: bool) {
    use crate::domain::email::{ContactRule, Email, EmailDirection, EmailLink, Mailbox};
    let batch = ws.batch_id("/x").unwrap();
    let email = Email {
        message_id: id.into(),
        in_reply_to: None,
        references: vec![],
        from: Mailbox {
            name: rep.unwrap_or("Client").into(),
            address: "someone@example.com".into(),
        },
        to: vec![],
        cc: vec![],
        date: Some(chrono::DateTime::parse_from_rfc3339(sent).unwrap()),
        subject: "Offer".into(),
        body_text: "Hello".into(),
        attachments: vec![],
        crm: None,
    };
    ws.upsert_email(batch, &email, "mail.eml", None).unwrap();
    ws.save_email_link(&EmailLink {
        message_id: id.into(),
        thread_id: id.into(),
        direction: if out {
            EmailDirection::Out
        } else {
            EmailDirection::In
        },
        rep: rep.map(String::from),
        contact_id: None,
        deal_id: None,
        contact_rule: ContactRule::Unmatched,
    })
    .unwrap();
}

#[test]
fn the_email_bucket_is_drawn_from_the_weeks_outgoing_emails_and_stored_with_the_plan() {
    for (_keep, ws) in workspaces() {
        for i in 0..3 {
            let at = format!("2026-11-2{}T10:00:00+03:00", 4 + i);
            store_email(&ws, &format!("m{i}"), Some("Анна"), &at, true);
        }
        // Monday 01:00 in Moscow: week 49 by its own day, though Sunday in UTC.
        store_email(&ws, "next", Some("Анна"), "2026-11-30T01:00:00+03:00", true);
        store_email(
            &ws,
            "client",
            Some("Анна"),
            "2026-11-24T11:00:00+03:00",
            false,
        );
        store_email(&ws, "nobody", None, "2026-11-24T11:00:00+03:00", true);
        store_email(
            &ws,
            "b-mail",
            Some("Борис"),
            "2026-11-25T09:00:00+03:00",
            true,
        );
        let mut found: Vec<String> = ws
            .period_emails(week())
            .unwrap()
            .into_iter()
            .map(|e| e.candidate.message_id)
            .collect();
        found.sort();
        assert_eq!(found, ["b-mail", "m0", "m1", "m2"]);

        let mut plan = drawn(&ws);
        let rules = SamplingRules::defaults();
        let emails: Vec<_> = ws
            .period_emails(week())
            .unwrap()
            .into_iter()
            .map(|e| e.candidate)
            .collect();
        crate::domain::plan::draw_emails(&mut plan, &rules, &[], &emails);
        assign(&mut plan, &["ira".into(), "oleg".into()], &HashMap::new());
        assert_eq!(plan.emails.len(), 3, "2 of Анна's 3, Борис' only one");
        ws.save_plan(&plan).unwrap();
        assert_eq!(ws.plan(week()).unwrap().unwrap(), plan);

        let anna_reviewer = plan.emails[0].reviewer.clone().unwrap();
        let (period, ids) = ws
            .reviewer_plan_emails(&anna_reviewer, week())
            .unwrap()
            .unwrap();
        assert_eq!(period, week());
        let expected: Vec<String> = plan
            .emails
            .iter()
            .filter(|e| e.reviewer.as_deref() == Some(anna_reviewer.as_str()))
            .map(|e| e.message_id.clone())
            .collect();
        assert_eq!(ids, expected);
        assert!(ws.reviewer_plan_emails("nobody", week()).unwrap().is_none());
    }
}

#[test]
fn a_mystery_shoppers_call_is_not_drawn_for_the_plan() {
    for (_keep, ws) in workspaces() {
        // b0 is the evidence of a visit: reviewed with the shopper's checklist,
        // not sampled as one of Борис's sales calls.
        ws.conn()
            .execute(
                "INSERT INTO mystery_visits (visit_id, batch_id, scenario, channel, shopper, rep,
                     call_id, source_file, source_line, imported_at)
                 VALUES ('MS-1', 1, 'price', 'call', 'shopper', 'Борис', 'b0', 'v.csv', 2, 'now')",
                params![],
            )
            .unwrap();
        let ids: Vec<String> = candidates(&ws).into_iter().map(|c| c.call_id).collect();
        assert!(!ids.contains(&"b0".to_string()), "{ids:?}");
        assert!(ids.contains(&"a0".to_string()), "{ids:?}");
    }
}
