//! The queue read in pages: order, keyset continuation, positions, the next
//! call to review, damaged rows, and the query plans (indexes, no scans).

use super::*;
use crate::store::test_support::{Keep, temp_workspace, temp_workspaces};

fn of() -> QueueOf {
    QueueOf {
        reviewer: "rev".into(),
        analysis_version: 1,
    }
}

/// `n` calls `c00`.. in the queue; `c00` is the oldest.
fn workspace_with(n: usize) -> (tempfile::TempDir, Workspace) {
    let (dir, ws) = temp_workspace();
    fill(&ws, n);
    (dir, ws)
}

/// [`workspace_with`] on each engine.
fn workspaces_with(n: usize) -> Vec<(Keep, Workspace)> {
    let all = temp_workspaces();
    for (_, ws) in &all {
        fill(ws, n);
    }
    all
}

fn fill(ws: &Workspace, n: usize) {
    for i in 0..n {
        crate::store::tests_reviews::insert_sample_call(ws, &format!("c{i:02}"));
    }
    // Same start for all but two, so the call id breaks most ties.
    ws.conn()
        .execute_batch(
            "UPDATE calls SET started_at_utc = '2026-01-01T00:00:00Z' WHERE call_id = 'c03';
             UPDATE calls SET started_at_utc = '2027-01-01T00:00:00Z' WHERE call_id = 'c00';",
        )
        .unwrap();
}

fn ids(rows: &[QueueRow]) -> Vec<&str> {
    rows.iter().map(|r| r.call_id.as_str()).collect()
}

#[test]
fn pages_follow_queue_order_and_continue_by_key() {
    for (_keep, ws) in workspaces_with(6) {
        let all = ws
            .queue_page(
                &of(),
                Page::At {
                    offset: 0,
                    limit: 10,
                },
            )
            .unwrap();
        assert_eq!(ids(&all), ["c03", "c01", "c02", "c04", "c05", "c00"]);
        assert_eq!(ws.queue_len().unwrap(), 6);
        let after = ws
            .queue_page(
                &of(),
                Page::After {
                    key: &all[1].key,
                    limit: 2,
                },
            )
            .unwrap();
        assert_eq!(ids(&after), ["c02", "c04"]);
        let before = ws
            .queue_page(
                &of(),
                Page::Before {
                    key: &all[4].key,
                    limit: 3,
                },
            )
            .unwrap();
        assert_eq!(ids(&before), ["c01", "c02", "c04"]);
        let middle = ws
            .queue_page(
                &of(),
                Page::At {
                    offset: 4,
                    limit: 5,
                },
            )
            .unwrap();
        assert_eq!(ids(&middle), ["c05", "c00"]);
        assert_eq!(ws.queue_position(&all[3].key).unwrap(), 3);
    }
}

#[test]
fn next_open_skips_submitted_calls() {
    for (_keep, ws) in workspaces_with(4) {
        ws.conn()
            .execute_batch(
                "INSERT INTO checklists VALUES ('sales-call', 1, 't', 't', '', 'x');
                 INSERT INTO reviews (call_id, reviewer, checklist_id, checklist_version, status,
                     started_at, score)
                 VALUES ('c03', 'rev', 'sales-call', 1, 'submitted', 'x', 75.0),
                        ('c01', 'rev', 'sales-call', 1, 'in_progress', 'x', NULL),
                        ('c02', 'other', 'sales-call', 1, 'submitted', 'x', 10.0);",
            )
            .unwrap();
        let first = ws.queue_next_open(&of(), None).unwrap().unwrap();
        assert_eq!(first.call_id, "c01");
        let next = ws
            .queue_next_open(&of(), Some(&first.key))
            .unwrap()
            .unwrap();
        assert_eq!(
            next.call_id, "c02",
            "another reviewer's submission is not ours"
        );
        assert_eq!(ws.queue_submitted(&of()).unwrap(), 1);
        let row = ws.queue_row(&of(), "c03").unwrap().unwrap();
        assert_eq!(
            (row.status, row.score),
            (ReviewStatus::Submitted, Some(75.0))
        );
        let last = ws
            .queue_page(
                &of(),
                Page::At {
                    offset: 3,
                    limit: 1,
                },
            )
            .unwrap();
        assert_eq!(ws.queue_next_open(&of(), Some(&last[0].key)).unwrap(), None);
    }
}

#[test]
fn a_damaged_row_is_named_and_the_others_still_read() {
    let (_dir, ws) = workspace_with(3);
    ws.conn()
        .execute_batch(
            "UPDATE calls SET started_at = 'вчера', duration_ms = 'long' WHERE call_id = 'c01';
             INSERT INTO checklists VALUES ('sales-call', 1, 't', 't', '', 'x');
             PRAGMA ignore_check_constraints = ON;
             INSERT INTO reviews (call_id, reviewer, checklist_id, checklist_version, status,
                 started_at)
             VALUES ('c02', 'rev', 'sales-call', 1, 'lost', 'x');",
        )
        .unwrap();
    let rows = ws
        .queue_page(
            &of(),
            Page::At {
                offset: 0,
                limit: 10,
            },
        )
        .unwrap();
    assert_eq!(rows.len(), 3);
    let bad = rows.iter().find(|r| r.call_id == "c01").unwrap();
    let problem = bad.problem.as_deref().unwrap();
    assert!(
        problem.contains("вчера") && problem.contains("duration"),
        "{problem}"
    );
    assert_eq!(bad.started_at, None);
    let bad_status = rows.iter().find(|r| r.call_id == "c02").unwrap();
    assert!(bad_status.problem.as_deref().unwrap().contains("lost"));
    let good = rows.iter().find(|r| r.call_id == "c00").unwrap();
    assert_eq!((good.problem.as_deref(), good.duration_ms), (None, 61_000));
}

#[test]
fn flags_come_with_the_row_from_the_stored_analysis() {
    for (_keep, ws) in workspaces_with(2) {
        ws.save_analysis("c01", 1, r#"{"flags":[{"flag":"silent"}],"other":1}"#)
            .unwrap();
        ws.save_analysis("c00", 1, "not json").unwrap();
        let row = ws.queue_row(&of(), "c01").unwrap().unwrap();
        assert_eq!(row.flags, [crate::analysis::HealthFlag::Silent]);
        let row = ws.queue_row(&of(), "c00").unwrap().unwrap();
        assert!(row.flags.is_empty());
        // Another analysis version's flags do not count.
        let other = QueueOf {
            analysis_version: 2,
            ..of()
        };
        assert!(
            ws.queue_row(&other, "c01")
                .unwrap()
                .unwrap()
                .flags
                .is_empty()
        );
    }
}

/// Every query the workstation runs per key press or per page uses an
/// index: none scans `calls`, `reviews` or `call_analysis`, and none sorts
/// (a sort means the whole queue was read first).
#[test]
fn queue_queries_use_indexes() {
    let (_dir, ws) = workspace_with(3);
    let key = QueueKey {
        started_at_utc: "x".into(),
        call_id: "y".into(),
    };
    let pages = [
        Page::At {
            offset: 0,
            limit: 1,
        },
        Page::After {
            key: &key,
            limit: 1,
        },
        Page::Before {
            key: &key,
            limit: 1,
        },
    ];
    let mut queries: Vec<String> = pages.iter().map(page_sql).collect();
    queries.push(next_open_sql());
    queries.push(format!("{SELECT} {ROW_SQL}"));
    queries.push(POSITION_SQL.into());
    queries.push(SUBMITTED_SQL.into());
    for sql in queries {
        let plan = crate::store::test_support::query_plan(&ws, &sql);
        let text = plan.join("\n");
        for step in &plan {
            let full_scan = step.starts_with("SCAN") && !step.contains("INDEX");
            assert!(!full_scan, "a full scan in\n{text}\nfor\n{sql}");
            assert!(
                !step.contains("TEMP B-TREE"),
                "a sort in\n{text}\nfor\n{sql}"
            );
        }
        let queue_order = text.contains("calls_in_queue_order")
            || text.contains("sqlite_autoindex_calls_1")
            || text.contains("reviews_by_reviewer");
        assert!(queue_order, "no queue index in\n{text}\nfor\n{sql}");
    }
}
