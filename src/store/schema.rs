//! Numbered migrations. `PRAGMA user_version` holds the last one applied;
//! each runs in its own transaction. Never edit a released migration: add
//! the next one. The README's "Workspace schema" section describes tables.

use super::{Result, StoreError};
use rusqlite::Connection;
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    // 1: calls, CRM records, checklists, reviews with answer history.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE batches (
        batch_id    INTEGER PRIMARY KEY,
        path        TEXT NOT NULL UNIQUE,
        imported_at TEXT NOT NULL
    );
    CREATE TABLE checklists (
        checklist_id TEXT NOT NULL,
        version      INTEGER NOT NULL,
        title_en     TEXT NOT NULL,
        title_ru     TEXT NOT NULL,
        toml         TEXT NOT NULL,
        loaded_at    TEXT NOT NULL,
        PRIMARY KEY (checklist_id, version)
    );
    CREATE TABLE calls (
        call_id        TEXT PRIMARY KEY,
        batch_id       INTEGER NOT NULL REFERENCES batches(batch_id),
        started_at     TEXT NOT NULL,
        started_at_utc TEXT NOT NULL,
        rep            TEXT NOT NULL,
        direction      TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        phone          TEXT NOT NULL,
        contact_id     TEXT,
        deal_id        TEXT,
        script         TEXT,
        recording_path TEXT NOT NULL,
        container      TEXT NOT NULL,
        codec          TEXT NOT NULL,
        duration_ms    INTEGER NOT NULL,
        channels       INTEGER NOT NULL,
        sample_rate    INTEGER NOT NULL,
        imported_at    TEXT NOT NULL
    );
    CREATE INDEX calls_by_time ON calls(started_at_utc);
    CREATE TABLE contacts (
        contact_id TEXT PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        name TEXT NOT NULL, role TEXT NOT NULL, phone TEXT NOT NULL,
        email TEXT NOT NULL, company TEXT NOT NULL, industry TEXT NOT NULL,
        segment TEXT NOT NULL, owner_rep TEXT NOT NULL
    );
    CREATE TABLE deals (
        deal_id    TEXT PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        contact_id TEXT NOT NULL, title TEXT NOT NULL, stage TEXT NOT NULL,
        amount REAL, currency TEXT NOT NULL, spec TEXT NOT NULL,
        source TEXT NOT NULL, owner_rep TEXT NOT NULL, updated_at TEXT
    );
    CREATE TABLE tasks (
        task_id    TEXT PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        deal_id TEXT, contact_id TEXT, owner_rep TEXT NOT NULL,
        text TEXT NOT NULL, due_at TEXT, done INTEGER NOT NULL
    );
    CREATE TABLE notes (
        note_id    TEXT PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        deal_id TEXT, contact_id TEXT, call_id TEXT,
        author_rep TEXT NOT NULL, created_at TEXT NOT NULL, text TEXT NOT NULL
    );
    CREATE TABLE reviews (
        review_id         INTEGER PRIMARY KEY,
        call_id           TEXT NOT NULL REFERENCES calls(call_id),
        reviewer          TEXT NOT NULL,
        checklist_id      TEXT NOT NULL,
        checklist_version INTEGER NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
        started_at        TEXT NOT NULL,
        submitted_at      TEXT,
        time_spent_ms     INTEGER NOT NULL DEFAULT 0,
        score             REAL,
        revision          INTEGER NOT NULL DEFAULT 1,
        UNIQUE (call_id, reviewer, checklist_id),
        FOREIGN KEY (checklist_id, checklist_version)
            REFERENCES checklists(checklist_id, version)
    );
    CREATE TABLE answers (
        review_id   INTEGER NOT NULL REFERENCES reviews(review_id),
        item_id     TEXT NOT NULL,
        value       TEXT CHECK (value IN ('yes', 'no', 'na')),
        comment     TEXT,
        evidence_ms INTEGER,
        automatic   INTEGER NOT NULL DEFAULT 0,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (review_id, item_id)
    );
    CREATE TABLE review_events (
        event_id  INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews(review_id),
        revision  INTEGER NOT NULL,
        at        TEXT NOT NULL,
        kind      TEXT NOT NULL,
        item_id   TEXT,
        old_value TEXT,
        new_value TEXT
    );
    CREATE INDEX review_events_by_review ON review_events(review_id, event_id);
    CREATE TABLE reviewer_state (
        reviewer    TEXT PRIMARY KEY,
        call_id     TEXT,
        item_id     TEXT,
        position_ms INTEGER,
        updated_at  TEXT NOT NULL
    );
    "#,
    // 2: stereo layout per call, cached audio analysis, markers.
    r#"
    ALTER TABLE calls ADD COLUMN channel_layout TEXT NOT NULL DEFAULT 'mono'
        CHECK (channel_layout IN ('mono', 'rep-left', 'rep-right'));
    CREATE TABLE call_analysis (
        call_id        TEXT PRIMARY KEY REFERENCES calls(call_id),
        version        INTEGER NOT NULL,
        recording_path TEXT NOT NULL,
        duration_ms    INTEGER NOT NULL,
        analysed_at    TEXT NOT NULL,
        result         TEXT NOT NULL
    );
    CREATE TABLE markers (
        marker_id   INTEGER PRIMARY KEY,
        call_id     TEXT NOT NULL REFERENCES calls(call_id),
        reviewer    TEXT NOT NULL,
        position_ms INTEGER NOT NULL,
        note        TEXT,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX markers_by_call ON markers(call_id, reviewer, position_ms);
    "#,
    // 3: PBX and CRM exports: call ids of other systems, CRM activities, and
    // how each call was linked to its CRM records (manual links survive
    // re-imports).
    r#"
    ALTER TABLE calls ADD COLUMN talk_ms INTEGER;
    ALTER TABLE calls ADD COLUMN answered INTEGER;
    CREATE TABLE call_external_ids (
        kind    TEXT NOT NULL,
        value   TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(call_id),
        PRIMARY KEY (kind, value)
    );
    CREATE TABLE activities (
        activity_id TEXT PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(batch_id),
        kind        TEXT NOT NULL,
        contact_id  TEXT,
        deal_id     TEXT,
        rep         TEXT NOT NULL,
        phone       TEXT NOT NULL,
        at          TEXT NOT NULL,
        direction   TEXT,
        subject     TEXT NOT NULL,
        text        TEXT NOT NULL,
        done        INTEGER,
        call_refs   TEXT NOT NULL
    );
    CREATE TABLE call_links (
        call_id      TEXT PRIMARY KEY REFERENCES calls(call_id),
        contact_id   TEXT,
        deal_id      TEXT,
        rule         TEXT NOT NULL,
        rule_detail  TEXT,
        activity_ids TEXT NOT NULL DEFAULT '[]',
        note_ids     TEXT NOT NULL DEFAULT '[]',
        ambiguity    TEXT,
        manual       INTEGER NOT NULL DEFAULT 0,
        updated_at   TEXT NOT NULL
    );
    "#,
    // 4: the queue read a page at a time: an index in queue order, one for
    // counting a reviewer's submitted calls, and each analysis's telephony
    // flags kept beside it so the queue never parses an analysis.
    r#"
    DROP INDEX calls_by_time;
    CREATE INDEX calls_in_queue_order ON calls(started_at_utc, call_id);
    CREATE INDEX reviews_by_reviewer ON reviews(reviewer, checklist_id, status);
    ALTER TABLE call_analysis ADD COLUMN flags TEXT;
    UPDATE call_analysis SET flags = json_extract(result, '$.flags')
        WHERE json_valid(result);
    "#,
    // 5: the weekly plan: the rep roster of the batches, the sampling rules
    // by version, plans and their drawn calls (replaced ones kept), and the
    // calls of a period found by their own local day.
    r#"
    CREATE TABLE reps (
        rep_key     TEXT PRIMARY KEY,
        rep         TEXT NOT NULL,
        started_on  TEXT,
        team        TEXT NOT NULL,
        plan_pct    REAL,
        batch_id    INTEGER NOT NULL REFERENCES batches(batch_id),
        imported_at TEXT NOT NULL
    );
    CREATE TABLE sampling_rules (
        version   INTEGER PRIMARY KEY,
        toml      TEXT NOT NULL,
        loaded_at TEXT NOT NULL
    );
    CREATE TABLE plans (
        period        TEXT PRIMARY KEY,
        seed          TEXT NOT NULL,
        rules_version INTEGER NOT NULL REFERENCES sampling_rules(version),
        algorithm     INTEGER NOT NULL,
        drawn_at      TEXT NOT NULL,
        shortfalls    TEXT NOT NULL,
        unrostered    TEXT NOT NULL,
        not_analysed  INTEGER NOT NULL
    );
    CREATE TABLE plan_entries (
        period   TEXT NOT NULL REFERENCES plans(period),
        position INTEGER NOT NULL,
        call_id  TEXT NOT NULL REFERENCES calls(call_id),
        rep      TEXT NOT NULL,
        bucket   TEXT NOT NULL CHECK (bucket IN ('quality', 'telephony')),
        reason   TEXT NOT NULL,
        rank     INTEGER NOT NULL,
        replaced TEXT,
        reviewer TEXT,
        PRIMARY KEY (period, call_id)
    );
    CREATE INDEX plan_entries_by_reviewer
        ON plan_entries(period, reviewer, bucket, position);
    CREATE INDEX calls_by_local_day ON calls(substr(started_at, 1, 10));
    "#,
    // 6: calls a reviewer marks as examples to learn from (the article: play
    // the best talkers' calls to the others), with why and the moment.
    r#"
    CREATE TABLE best_calls (
        call_id     TEXT NOT NULL REFERENCES calls(call_id),
        reviewer    TEXT NOT NULL,
        reason      TEXT NOT NULL,
        position_ms INTEGER NOT NULL,
        marked_at   TEXT NOT NULL,
        PRIMARY KEY (call_id, reviewer)
    );
    "#,
    // 7: each recording file as it was when probed (size, modification
    // time) with what the probe found, so a re-import probes only the files
    // that changed since.
    r#"
    CREATE TABLE recordings (
        path        TEXT PRIMARY KEY,
        size        INTEGER NOT NULL,
        modified_ns INTEGER NOT NULL,
        container   TEXT NOT NULL,
        codec       TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        channels    INTEGER NOT NULL,
        sample_rate INTEGER NOT NULL
    );
    "#,
    // 8: emails of the batches' emails/ folders: the message as read, where
    // it was read, and how it was linked (thread, rep, direction, contact,
    // deal), decided again at every import.
    r#"
    CREATE TABLE emails (
        message_id    TEXT PRIMARY KEY,
        batch_id      INTEGER NOT NULL REFERENCES batches(batch_id),
        in_reply_to   TEXT,
        refs          TEXT NOT NULL,
        from_name     TEXT NOT NULL,
        from_address  TEXT NOT NULL,
        to_list       TEXT NOT NULL,
        cc_list       TEXT NOT NULL,
        sent_at       TEXT,
        sent_at_utc   TEXT,
        subject       TEXT NOT NULL,
        body          TEXT NOT NULL,
        attachments   TEXT NOT NULL,
        source_file   TEXT NOT NULL,
        source_record INTEGER,
        thread_id     TEXT NOT NULL,
        direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        rep           TEXT,
        contact_id    TEXT,
        deal_id       TEXT,
        contact_rule  TEXT NOT NULL DEFAULT 'unmatched',
        imported_at   TEXT NOT NULL
    );
    CREATE INDEX emails_by_thread ON emails(thread_id, sent_at_utc);
    CREATE INDEX emails_by_time ON emails(sent_at_utc, message_id);
    "#,
    // 9: a review is of a call or of an email (exactly one), and an answer
    // may quote a line of the email as its evidence. SQLite cannot change a
    // column's constraints in place: the documented rebuild (new table,
    // copy, drop, rename), done for `answers` and `review_events` too,
    // because a migration runs inside a transaction where foreign keys
    // cannot be switched off: the children are copied into tables that
    // point at the new `reviews` before the old one goes, so no row is ever
    // without its parent, and the rename carries their references over.
    // Every row keeps its review_id.
    r#"
    CREATE TABLE reviews_rebuilt (
        review_id         INTEGER PRIMARY KEY,
        call_id           TEXT REFERENCES calls(call_id),
        message_id        TEXT REFERENCES emails(message_id),
        reviewer          TEXT NOT NULL,
        checklist_id      TEXT NOT NULL,
        checklist_version INTEGER NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
        started_at        TEXT NOT NULL,
        submitted_at      TEXT,
        time_spent_ms     INTEGER NOT NULL DEFAULT 0,
        score             REAL,
        revision          INTEGER NOT NULL DEFAULT 1,
        CHECK ((call_id IS NULL) <> (message_id IS NULL)),
        UNIQUE (call_id, reviewer, checklist_id),
        UNIQUE (message_id, reviewer, checklist_id),
        FOREIGN KEY (checklist_id, checklist_version)
            REFERENCES checklists(checklist_id, version)
    );
    INSERT INTO reviews_rebuilt (review_id, call_id, reviewer, checklist_id, checklist_version,
            status, started_at, submitted_at, time_spent_ms, score, revision)
        SELECT review_id, call_id, reviewer, checklist_id, checklist_version,
            status, started_at, submitted_at, time_spent_ms, score, revision
        FROM reviews;
    CREATE TABLE answers_rebuilt (
        review_id     INTEGER NOT NULL REFERENCES reviews_rebuilt(review_id),
        item_id       TEXT NOT NULL,
        value         TEXT CHECK (value IN ('yes', 'no', 'na')),
        comment       TEXT,
        evidence_ms   INTEGER,
        automatic     INTEGER NOT NULL DEFAULT 0,
        updated_at    TEXT NOT NULL,
        evidence_text TEXT,
        PRIMARY KEY (review_id, item_id)
    );
    INSERT INTO answers_rebuilt (review_id, item_id, value, comment, evidence_ms, automatic,
            updated_at)
        SELECT review_id, item_id, value, comment, evidence_ms, automatic, updated_at
        FROM answers;
    CREATE TABLE review_events_rebuilt (
        event_id  INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews_rebuilt(review_id),
        revision  INTEGER NOT NULL,
        at        TEXT NOT NULL,
        kind      TEXT NOT NULL,
        item_id   TEXT,
        old_value TEXT,
        new_value TEXT
    );
    INSERT INTO review_events_rebuilt SELECT event_id, review_id, revision, at, kind, item_id,
        old_value, new_value FROM review_events;
    DROP TABLE answers;
    DROP TABLE review_events;
    DROP TABLE reviews;
    ALTER TABLE reviews_rebuilt RENAME TO reviews;
    ALTER TABLE answers_rebuilt RENAME TO answers;
    ALTER TABLE review_events_rebuilt RENAME TO review_events;
    CREATE INDEX review_events_by_review ON review_events(review_id, event_id);
    CREATE INDEX reviews_by_reviewer ON reviews(reviewer, checklist_id, status);
    "#,
    // 10 (mystery shopping): the visits of the batches' mystery/visits.csv,
    // each with its timestamps as written (local time and offset) and the
    // call or email that is its evidence; and each version of the client's
    // speed limits (assets/mystery.toml), kept as the sampling rules are.
    r#"
    CREATE TABLE mystery_visits (
        visit_id     TEXT PRIMARY KEY,
        batch_id     INTEGER NOT NULL REFERENCES batches(batch_id),
        scenario     TEXT NOT NULL,
        channel      TEXT NOT NULL
            CHECK (channel IN ('call', 'email', 'web_form', 'messenger')),
        shopper      TEXT NOT NULL,
        rep          TEXT,
        team         TEXT,
        requested_at TEXT,
        answered_at  TEXT,
        proposal_at  TEXT,
        callback_at  TEXT,
        call_id      TEXT,
        message_id   TEXT,
        source_file  TEXT NOT NULL,
        source_line  INTEGER NOT NULL,
        imported_at  TEXT NOT NULL
    );
    CREATE INDEX mystery_visits_by_call ON mystery_visits(call_id);
    CREATE INDEX mystery_visits_by_message ON mystery_visits(message_id);
    CREATE TABLE mystery_rules (
        version   INTEGER PRIMARY KEY,
        toml      TEXT NOT NULL,
        loaded_at TEXT NOT NULL
    );
    "#,
    // 11 (the plan's email bucket): the reps' outgoing emails each plan
    // drew, beside its calls, and the emails of a period found by their own
    // local day as calls are.
    r#"
    CREATE TABLE plan_emails (
        period     TEXT NOT NULL REFERENCES plans(period),
        position   INTEGER NOT NULL,
        message_id TEXT NOT NULL REFERENCES emails(message_id),
        rep        TEXT NOT NULL,
        reason     TEXT NOT NULL,
        rank       INTEGER NOT NULL,
        reviewer   TEXT,
        PRIMARY KEY (period, message_id)
    );
    CREATE INDEX plan_emails_by_reviewer ON plan_emails(reviewer, period, position);
    CREATE INDEX emails_by_local_day ON emails(substr(sent_at, 1, 10));
    "#,
    // 12: what a CRM export says about an email activity (owner, contact,
    // deal, direction), kept with the email as JSON so every relink
    // prefers it over the addresses (NULL for a mail file's message).
    r#"
    ALTER TABLE emails ADD COLUMN crm_links TEXT;
    "#,
    // 13: a review may be of a mystery shopper's visit itself (a web form,
    // a messenger chat, a call never recorded): exactly one of call_id,
    // message_id, visit_id. The same rebuild as migration 9, for the same
    // reasons; every row keeps its review_id. And the planned emails a
    // reviewer replaced, with why, kept beside the plan as replaced calls are.
    r#"
    CREATE TABLE plan_email_replacements (
        period      TEXT NOT NULL REFERENCES plans(period),
        message_id  TEXT NOT NULL,
        rep         TEXT NOT NULL,
        reason      TEXT NOT NULL,
        replaced_by TEXT,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (period, message_id)
    );
    CREATE TABLE reviews_rebuilt (
        review_id         INTEGER PRIMARY KEY,
        call_id           TEXT REFERENCES calls(call_id),
        message_id        TEXT REFERENCES emails(message_id),
        visit_id          TEXT REFERENCES mystery_visits(visit_id),
        reviewer          TEXT NOT NULL,
        checklist_id      TEXT NOT NULL,
        checklist_version INTEGER NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted')),
        started_at        TEXT NOT NULL,
        submitted_at      TEXT,
        time_spent_ms     INTEGER NOT NULL DEFAULT 0,
        score             REAL,
        revision          INTEGER NOT NULL DEFAULT 1,
        CHECK ((call_id IS NOT NULL) + (message_id IS NOT NULL) + (visit_id IS NOT NULL) = 1),
        UNIQUE (call_id, reviewer, checklist_id),
        UNIQUE (message_id, reviewer, checklist_id),
        UNIQUE (visit_id, reviewer, checklist_id),
        FOREIGN KEY (checklist_id, checklist_version)
            REFERENCES checklists(checklist_id, version)
    );
    INSERT INTO reviews_rebuilt (review_id, call_id, message_id, reviewer, checklist_id,
            checklist_version, status, started_at, submitted_at, time_spent_ms, score, revision)
        SELECT review_id, call_id, message_id, reviewer, checklist_id, checklist_version,
            status, started_at, submitted_at, time_spent_ms, score, revision
        FROM reviews;
    CREATE TABLE answers_rebuilt (
        review_id     INTEGER NOT NULL REFERENCES reviews_rebuilt(review_id),
        item_id       TEXT NOT NULL,
        value         TEXT CHECK (value IN ('yes', 'no', 'na')),
        comment       TEXT,
        evidence_ms   INTEGER,
        automatic     INTEGER NOT NULL DEFAULT 0,
        updated_at    TEXT NOT NULL,
        evidence_text TEXT,
        PRIMARY KEY (review_id, item_id)
    );
    INSERT INTO answers_rebuilt (review_id, item_id, value, comment, evidence_ms, automatic,
            updated_at, evidence_text)
        SELECT review_id, item_id, value, comment, evidence_ms, automatic, updated_at,
            evidence_text
        FROM answers;
    CREATE TABLE review_events_rebuilt (
        event_id  INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews_rebuilt(review_id),
        revision  INTEGER NOT NULL,
        at        TEXT NOT NULL,
        kind      TEXT NOT NULL,
        item_id   TEXT,
        old_value TEXT,
        new_value TEXT
    );
    INSERT INTO review_events_rebuilt SELECT event_id, review_id, revision, at, kind, item_id,
        old_value, new_value FROM review_events;
    DROP TABLE answers;
    DROP TABLE review_events;
    DROP TABLE reviews;
    ALTER TABLE reviews_rebuilt RENAME TO reviews;
    ALTER TABLE answers_rebuilt RENAME TO answers;
    ALTER TABLE review_events_rebuilt RENAME TO review_events;
    CREATE INDEX review_events_by_review ON review_events(review_id, event_id);
    CREATE INDEX reviews_by_reviewer ON reviews(reviewer, checklist_id, status);
    "#,
    // 14 (calibration): calls a lead has a set of reviewers score blind,
    // and the review the lead chose as each call's agreed version. A set
    // member's review of a set's call is a calibration review; the results
    // read `counted_reviews`, which leaves those out except the agreed one.
    r#"
    CREATE TABLE calibration_sets (
        name      TEXT PRIMARY KEY,
        lead      TEXT NOT NULL,
        marked_at TEXT NOT NULL
    );
    CREATE TABLE calibration_reviewers (
        set_name TEXT NOT NULL REFERENCES calibration_sets(name),
        reviewer TEXT NOT NULL,
        PRIMARY KEY (set_name, reviewer)
    );
    CREATE TABLE calibration_calls (
        call_id          TEXT PRIMARY KEY REFERENCES calls(call_id),
        set_name         TEXT NOT NULL REFERENCES calibration_sets(name),
        marked_at        TEXT NOT NULL,
        agreed_review_id INTEGER REFERENCES reviews(review_id),
        agreed_at        TEXT
    );
    CREATE INDEX calibration_calls_by_set ON calibration_calls(set_name);
    CREATE VIEW calibration_reviews AS
        SELECT r.review_id, r.call_id, r.reviewer, k.set_name, k.agreed_review_id
        FROM reviews r
        JOIN calibration_calls k ON k.call_id = r.call_id
        JOIN calibration_sets s ON s.name = k.set_name
        WHERE r.reviewer = s.lead
           OR EXISTS (SELECT 1 FROM calibration_reviewers m
                      WHERE m.set_name = k.set_name AND m.reviewer = r.reviewer);
    CREATE VIEW counted_reviews AS
        SELECT * FROM reviews r
        WHERE NOT EXISTS (SELECT 1 FROM calibration_reviews x
                          WHERE x.review_id = r.review_id
                            AND (x.agreed_review_id IS NULL
                                 OR x.agreed_review_id <> r.review_id));
    "#,
    // 15 (disputes): a rep's response to each failed item of a review, as
    // read back from the feedback sheet (agree, or dispute with a reason),
    // and how the reviewer or lead resolved a dispute. Each step is also a
    // `review_events` row.
    r#"
    CREATE TABLE item_responses (
        review_id   INTEGER NOT NULL REFERENCES reviews(review_id),
        item_id     TEXT NOT NULL,
        response    TEXT NOT NULL CHECK (response IN ('agree', 'dispute')),
        reason      TEXT,
        source      TEXT NOT NULL,
        received_at TEXT NOT NULL,
        outcome     TEXT CHECK (outcome IN ('upheld', 'changed')),
        resolution  TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        PRIMARY KEY (review_id, item_id)
    );
    "#,
    // 16 (claimed work): a reviewer's claim on a plan's call, with a lease
    // (milliseconds since the epoch, UTC) after which the call is back in
    // the pool; one claim per call.
    r#"
    CREATE TABLE plan_claims (
        period     TEXT NOT NULL,
        call_id    TEXT NOT NULL REFERENCES calls(call_id),
        reviewer   TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        PRIMARY KEY (period, call_id)
    );
    CREATE INDEX plan_claims_by_reviewer ON plan_claims(reviewer, period);
    "#,
    // 17 (a call's own links): the contact and deal the export gave the
    // call itself, kept apart from `contact_id` / `deal_id`, which also
    // hold what the matcher filled in; linking reads only these, so a
    // re-import does not take a filled-in id for the call's own. A
    // workspace from before: ids under a link made by phone (or none) were
    // filled in; a manual link's overwrote whatever the call had (an import
    // of its batch writes them again). Other calls' ids count as their own:
    // where the old code had already turned a link by phone into one by the
    // call's ids, nothing left tells the two apart.
    r#"
    ALTER TABLE calls ADD COLUMN own_contact_id TEXT;
    ALTER TABLE calls ADD COLUMN own_deal_id TEXT;
    UPDATE calls SET own_contact_id = contact_id, own_deal_id = deal_id
     WHERE call_id NOT IN (SELECT call_id FROM call_links
                           WHERE manual <> 0
                              OR rule IN ('phone_rep_time', 'phone_only', 'unmatched', 'manual'));
    "#,
];

pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    migrate_to(conn, path, MIGRATIONS.len())
}

/// Apply the migrations up to number `target`; the upgrade tests build
/// each earlier version with it.
fn migrate_to(conn: &mut Connection, path: &Path, target: usize) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            path: path.display().to_string(),
            found: current,
            known: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target)
        .skip(current as usize)
    {
        // Immediate: another process may be upgrading the same file; the
        // second one finds the migration done once it gets the lock.
        let tx = conn.transaction()?;
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > index as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "migration_tests.rs"]
mod tests;

/// Migration 17 on a workspace the old linking wrote: ids it filled in
/// under a link by phone are not taken for the call's own.
#[cfg(test)]
mod own_links_tests {
    use super::*;

    #[test]
    fn ids_filled_in_by_phone_are_not_the_calls_own_after_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, &path, 16).unwrap();
        conn.execute_batch(
            "INSERT INTO batches (batch_id, path, imported_at) VALUES (1, '/b', 'now');",
        )
        .unwrap();
        for (call, rule, detail) in [
            ("by-phone", "phone_only", None),
            ("by-time", "phone_rep_time", None),
            ("own", "explicit_id", Some("call.crm_link")),
        ] {
            conn.execute(
                "INSERT INTO calls (call_id, batch_id, started_at, started_at_utc, rep, direction,
                     phone, contact_id, deal_id, recording_path, container, codec, duration_ms,
                     channels, sample_rate, imported_at)
                 VALUES (?1, 1, 't', 't', 'Анна', 'in', '+7', 'K1', 'D1', ?1, 'wav', 'pcm', 1,
                     1, 8000, 'now')",
                rusqlite::params![call],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO call_links (call_id, contact_id, deal_id, rule, rule_detail, updated_at)
                 VALUES (?1, 'K1', 'D1', ?2, ?3, 'now')",
                rusqlite::params![call, rule, detail],
            )
            .unwrap();
        }
        migrate(&mut conn, &path).unwrap();
        let own = |call: &str| -> (Option<String>, Option<String>) {
            conn.query_row(
                "SELECT own_contact_id, own_deal_id FROM calls WHERE call_id = ?1",
                [call],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        assert_eq!(own("by-phone"), (None, None));
        assert_eq!(own("by-time"), (None, None));
        assert_eq!(own("own"), (Some("K1".into()), Some("D1".into())));
    }
}
