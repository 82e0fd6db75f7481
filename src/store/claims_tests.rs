//! Claimed work on both engines: one call to one reviewer, concurrent
//! claimers never share a call, a run-out lease returns the call, a lead's
//! reassignment, a submitted call leaves the pool.

use super::*;
use crate::domain::plan::{Entry, Plan, Reason};
use crate::domain::sampling::{Bucket, SamplingRules};
use crate::store::test_support::temp_workspaces;
use crate::store::tests_reviews::insert_sample_call;

const LEASE: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;

fn week() -> Period {
    Period::parse("2026-W48").unwrap()
}

/// A plan of `n` quality calls `c0..`, none drawn for anyone but `c0`,
/// which is Мария's.
fn with_plan(ws: &Workspace, n: usize) {
    let entries = (0..n)
        .map(|i| {
            let call_id = format!("c{i}");
            insert_sample_call(ws, &call_id);
            Entry {
                call_id,
                rep: "Анна".into(),
                bucket: Bucket::Quality,
                reason: Reason::Quota,
                rank: i as u64,
                replaced: None,
                reviewer: (i == 0).then(|| "Мария".to_string()),
            }
        })
        .collect();
    let rules = SamplingRules::defaults();
    ws.use_sampling_rules(&rules, crate::domain::sampling::DEFAULT_SAMPLING_TOML)
        .unwrap();
    ws.save_plan(&Plan {
        period: week(),
        seed: "seed".into(),
        rules_version: rules.version,
        algorithm: 1,
        entries,
        emails: vec![],
        shortfalls: vec![],
        unrostered: vec![],
        not_analysed: 0,
    })
    .unwrap();
}

fn claim(ws: &Workspace, reviewer: &str, now: i64) -> Option<String> {
    ws.claim_next_at(week(), reviewer, now, LEASE)
        .unwrap()
        .map(|c| c.call_id)
}

#[test]
fn each_call_goes_to_one_reviewer_and_a_lease_runs_out() {
    for (_keep, ws) in temp_workspaces() {
        with_plan(&ws, 3);
        // A reviewer's own call first, then the pool in plan order.
        assert_eq!(claim(&ws, "Мария", T0).as_deref(), Some("c0"));
        // Asking again renews the claim held, it takes no second call.
        assert_eq!(claim(&ws, "Мария", T0 + 1).as_deref(), Some("c0"));
        assert_eq!(claim(&ws, "Борис", T0).as_deref(), Some("c1"));
        assert_eq!(claim(&ws, "Олег", T0).as_deref(), Some("c2"));
        assert_eq!(claim(&ws, "Ирина", T0), None);
        // Борис's workstation crashed: after the lease his call is free.
        assert_eq!(claim(&ws, "Ирина", T0 + LEASE + 1).as_deref(), Some("c1"));
        let claims = ws.claims(week()).unwrap();
        let holder = |call: &str| {
            claims
                .iter()
                .find(|c| c.call_id == call)
                .map(|c| c.reviewer.clone())
        };
        assert_eq!(holder("c1").as_deref(), Some("Ирина"));
        assert_eq!(holder("c0").as_deref(), Some("Мария"));
        // A lead hands c2 to Мария: Олег's claim is gone.
        assert!(ws.reassign_planned_call(week(), "c2", "Мария").unwrap());
        assert_eq!(holder_of(&ws, "c2"), None);
        assert!(ws.release_claim(week(), "c0", "Мария").unwrap());
        assert!(!ws.release_claim(week(), "c0", "Мария").unwrap());
    }
}

fn holder_of(ws: &Workspace, call: &str) -> Option<String> {
    ws.claims(week())
        .unwrap()
        .into_iter()
        .find(|c| c.call_id == call)
        .map(|c| c.reviewer)
}

#[test]
fn a_submitted_call_leaves_the_pool() {
    for (_keep, mut ws) in temp_workspaces() {
        with_plan(&ws, 2);
        let checklist = crate::domain::Checklist::default_sales_call();
        ws.ensure_checklist(
            &checklist,
            crate::domain::checklist::DEFAULT_SALES_CALL_TOML,
        )
        .unwrap();
        let call = ws.call("c1").unwrap();
        let review = ws.start_review(&call, "Борис", &checklist, vec![]).unwrap();
        ws.submit_review(review.review_id, &checklist).unwrap();
        assert_eq!(claim(&ws, "Олег", T0), None);
    }
}

/// A calibration call goes to every reviewer of its set, claim or no
/// claim, until each has submitted it; to anyone else it is a pool call.
#[test]
fn each_reviewer_of_a_calibration_set_gets_its_calls() {
    for (_keep, mut ws) in temp_workspaces() {
        with_plan(&ws, 3);
        let checklist = crate::domain::Checklist::default_sales_call();
        ws.ensure_checklist(
            &checklist,
            crate::domain::checklist::DEFAULT_SALES_CALL_TOML,
        )
        .unwrap();
        let set = ["Борис".to_string(), "Олег".to_string()];
        ws.mark_calibration("w48", "Мария", &set, &["c2".to_string()])
            .unwrap();
        assert_eq!(claim(&ws, "Борис", T0).as_deref(), Some("c2"));
        assert_eq!(claim(&ws, "Олег", T0).as_deref(), Some("c2"));
        // Not a member: the pool as ever (c0 is Мария's, c2 is calibration
        // first for the members but free to claim for Ирина).
        assert_eq!(claim(&ws, "Ирина", T0).as_deref(), Some("c1"));
        let call = ws.call("c2").unwrap();
        let review = ws.start_review(&call, "Борис", &checklist, vec![]).unwrap();
        ws.submit_review(review.review_id, &checklist).unwrap();
        // Борис is done with it, Олег is not; nobody else gets it now.
        assert_eq!(claim(&ws, "Олег", T0).as_deref(), Some("c2"));
        assert_eq!(claim(&ws, "Борис", T0), None);
        assert_eq!(claim(&ws, "Вера", T0), None);
    }
}

/// Two reviewers on two connections claim at the same time, many times:
/// never the same call.
#[test]
fn concurrent_claimers_never_share_a_call() {
    for (keep, ws) in temp_workspaces() {
        with_plan(&ws, 12);
        let address = ws.address().clone();
        drop(ws);
        let claimers: Vec<_> = ["Борис", "Олег", "Ирина"]
            .into_iter()
            .map(|reviewer| {
                let address = address.clone();
                std::thread::spawn(move || {
                    let ws = Workspace::open_existing(&address).unwrap();
                    let mut mine = Vec::new();
                    while let Some(call) = ws.claim_next_at(week(), reviewer, T0, LEASE).unwrap() {
                        mine.push(call.call_id.clone());
                        // Done with it: the next claim takes another.
                        ws.reassign_planned_call(week(), &call.call_id, "done")
                            .unwrap();
                    }
                    mine
                })
            })
            .collect();
        let mut all: Vec<String> = claimers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort();
        let total = all.len();
        all.dedup();
        assert_eq!(all.len(), total, "a call was claimed twice: {all:?}");
        // c0 is Мария's: nobody else may take it.
        assert_eq!(total, 11, "{}", keep.engine());
    }
}

/// A lead's board: claimed (live or run out) and drawn calls by holder,
/// each with its rep, calibration set and whether it is submitted; the
/// pool's calls nobody holds; the plan it shows; whom a call may go to.
#[test]
fn the_board_shows_who_holds_what_and_what_the_pool_has_left() {
    for (keep, ws) in temp_workspaces() {
        with_plan(&ws, 4);
        assert_eq!(claim(&ws, "Борис", T0).as_deref(), Some("c1"));
        // Олег's lease ran out before T0.
        assert_eq!(claim(&ws, "Олег", T0 - 2 * LEASE).as_deref(), Some("c2"));
        let set = ["Вера".to_string()];
        ws.mark_calibration("w48", "Мария", &set, &["c0".to_string()])
            .unwrap();
        let (rows, unclaimed) = ws.claim_board(week(), T0).unwrap();
        let seen: Vec<(&str, &str, bool, Option<&str>)> = rows
            .iter()
            .map(|c| {
                let calibration = c.calibration.as_deref();
                (
                    c.call_id.as_str(),
                    c.reviewer.as_str(),
                    c.claimed,
                    calibration,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("c1", "Борис", true, None),
                ("c0", "Мария", false, Some("w48")),
                ("c2", "Олег", true, None),
            ],
            "{}",
            keep.engine()
        );
        assert!(rows.iter().all(|c| c.rep == "Анна" && !c.submitted));
        assert!(rows[0].expires_ms > T0 && rows[2].expires_ms <= T0);
        // c2 (run out) and c3 are nobody's.
        assert_eq!(unclaimed, 2);
        let later = Period::parse("2026-W50").unwrap();
        assert_eq!(ws.board_period(later).unwrap(), Some(week()));
        let earlier = Period::parse("2026-W40").unwrap();
        assert_eq!(ws.board_period(earlier).unwrap(), Some(week()));
        let names = ws.assignable_reviewers().unwrap();
        // A server's names are its members' once it has any (others' tests
        // may add some meanwhile); a file's are the workspace's workers.
        if keep.engine().starts_with("SQLite") {
            assert_eq!(names, ["Борис", "Вера", "Мария", "Олег"]);
        }
    }
}
