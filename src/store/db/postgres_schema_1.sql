-- PostgreSQL migration 1: the whole schema of SQLite migration 12 (see
-- postgres_schema.rs), table by table in the same column order. Text
-- compares byte by byte (COLLATE "C"), as SQLite's does, so queues and
-- keyset pages come in the same order on both engines.
CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE batches (
    batch_id    BIGSERIAL PRIMARY KEY,
    path        TEXT COLLATE "C" NOT NULL UNIQUE,
    imported_at TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE checklists (
    checklist_id TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    title_en     TEXT COLLATE "C" NOT NULL,
    title_ru     TEXT COLLATE "C" NOT NULL,
    toml         TEXT COLLATE "C" NOT NULL,
    loaded_at    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (checklist_id, version)
    );
CREATE TABLE calls (
    call_id        TEXT COLLATE "C" PRIMARY KEY,
    batch_id       BIGINT NOT NULL REFERENCES batches(batch_id),
    started_at     TEXT COLLATE "C" NOT NULL,
    started_at_utc TEXT COLLATE "C" NOT NULL,
    rep            TEXT COLLATE "C" NOT NULL,
    direction      TEXT COLLATE "C" NOT NULL CHECK (direction IN ('in', 'out')),
    phone          TEXT COLLATE "C" NOT NULL,
    contact_id     TEXT COLLATE "C",
    deal_id        TEXT COLLATE "C",
    script         TEXT COLLATE "C",
    recording_path TEXT COLLATE "C" NOT NULL,
    container      TEXT COLLATE "C" NOT NULL,
    codec          TEXT COLLATE "C" NOT NULL,
    duration_ms    BIGINT NOT NULL,
    channels       BIGINT NOT NULL,
    sample_rate    BIGINT NOT NULL,
    imported_at    TEXT COLLATE "C" NOT NULL,
    channel_layout TEXT COLLATE "C" NOT NULL DEFAULT 'mono'
    CHECK (channel_layout IN ('mono', 'rep-left', 'rep-right')), talk_ms BIGINT, answered BIGINT);
CREATE TABLE contacts (
    contact_id TEXT COLLATE "C" PRIMARY KEY,
    batch_id   BIGINT NOT NULL REFERENCES batches(batch_id),
    name TEXT COLLATE "C" NOT NULL, role TEXT COLLATE "C" NOT NULL, phone TEXT COLLATE "C" NOT NULL,
    email TEXT COLLATE "C" NOT NULL, company TEXT COLLATE "C" NOT NULL, industry TEXT COLLATE "C" NOT NULL,
    segment TEXT COLLATE "C" NOT NULL, owner_rep TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE deals (
    deal_id    TEXT COLLATE "C" PRIMARY KEY,
    batch_id   BIGINT NOT NULL REFERENCES batches(batch_id),
    contact_id TEXT COLLATE "C" NOT NULL, title TEXT COLLATE "C" NOT NULL, stage TEXT COLLATE "C" NOT NULL,
    amount DOUBLE PRECISION, currency TEXT COLLATE "C" NOT NULL, spec TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL, owner_rep TEXT COLLATE "C" NOT NULL, updated_at TEXT COLLATE "C"
    );
CREATE TABLE tasks (
    task_id    TEXT COLLATE "C" PRIMARY KEY,
    batch_id   BIGINT NOT NULL REFERENCES batches(batch_id),
    deal_id TEXT COLLATE "C", contact_id TEXT COLLATE "C", owner_rep TEXT COLLATE "C" NOT NULL,
    text TEXT COLLATE "C" NOT NULL, due_at TEXT COLLATE "C", done BIGINT NOT NULL
    );
CREATE TABLE notes (
    note_id    TEXT COLLATE "C" PRIMARY KEY,
    batch_id   BIGINT NOT NULL REFERENCES batches(batch_id),
    deal_id TEXT COLLATE "C", contact_id TEXT COLLATE "C", call_id TEXT COLLATE "C",
    author_rep TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL, text TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE reviewer_state (
    reviewer    TEXT COLLATE "C" PRIMARY KEY,
    call_id     TEXT COLLATE "C",
    item_id     TEXT COLLATE "C",
    position_ms BIGINT,
    updated_at  TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE call_analysis (
    call_id        TEXT COLLATE "C" PRIMARY KEY REFERENCES calls(call_id),
    version        BIGINT NOT NULL,
    recording_path TEXT COLLATE "C" NOT NULL,
    duration_ms    BIGINT NOT NULL,
    analysed_at    TEXT COLLATE "C" NOT NULL,
    result         TEXT COLLATE "C" NOT NULL,
    flags TEXT COLLATE "C");
CREATE TABLE markers (
    marker_id   BIGSERIAL PRIMARY KEY,
    call_id     TEXT COLLATE "C" NOT NULL REFERENCES calls(call_id),
    reviewer    TEXT COLLATE "C" NOT NULL,
    position_ms BIGINT NOT NULL,
    note        TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL
    );
CREATE INDEX markers_by_call ON markers(call_id, reviewer, position_ms);
CREATE TABLE call_external_ids (
    kind    TEXT COLLATE "C" NOT NULL,
    value   TEXT COLLATE "C" NOT NULL,
    call_id TEXT COLLATE "C" NOT NULL REFERENCES calls(call_id),
    PRIMARY KEY (kind, value)
    );
CREATE TABLE activities (
    activity_id TEXT COLLATE "C" PRIMARY KEY,
    batch_id    BIGINT NOT NULL REFERENCES batches(batch_id),
    kind        TEXT COLLATE "C" NOT NULL,
    contact_id  TEXT COLLATE "C",
    deal_id     TEXT COLLATE "C",
    rep         TEXT COLLATE "C" NOT NULL,
    phone       TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    direction   TEXT COLLATE "C",
    subject     TEXT COLLATE "C" NOT NULL,
    text        TEXT COLLATE "C" NOT NULL,
    done        BIGINT,
    call_refs   TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE call_links (
    call_id      TEXT COLLATE "C" PRIMARY KEY REFERENCES calls(call_id),
    contact_id   TEXT COLLATE "C",
    deal_id      TEXT COLLATE "C",
    rule         TEXT COLLATE "C" NOT NULL,
    rule_detail  TEXT COLLATE "C",
    activity_ids TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    note_ids     TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    ambiguity    TEXT COLLATE "C",
    manual       BIGINT NOT NULL DEFAULT 0,
    updated_at   TEXT COLLATE "C" NOT NULL
    );
CREATE INDEX calls_in_queue_order ON calls(started_at_utc, call_id);
CREATE TABLE reps (
    rep_key     TEXT COLLATE "C" PRIMARY KEY,
    rep         TEXT COLLATE "C" NOT NULL,
    started_on  TEXT COLLATE "C",
    team        TEXT COLLATE "C" NOT NULL,
    plan_pct    DOUBLE PRECISION,
    batch_id    BIGINT NOT NULL REFERENCES batches(batch_id),
    imported_at TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE sampling_rules (
    version   BIGINT PRIMARY KEY,
    toml      TEXT COLLATE "C" NOT NULL,
    loaded_at TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE plans (
    period        TEXT COLLATE "C" PRIMARY KEY,
    seed          TEXT COLLATE "C" NOT NULL,
    rules_version BIGINT NOT NULL REFERENCES sampling_rules(version),
    algorithm     BIGINT NOT NULL,
    drawn_at      TEXT COLLATE "C" NOT NULL,
    shortfalls    TEXT COLLATE "C" NOT NULL,
    unrostered    TEXT COLLATE "C" NOT NULL,
    not_analysed  BIGINT NOT NULL
    );
CREATE TABLE plan_entries (
    period   TEXT COLLATE "C" NOT NULL REFERENCES plans(period),
    position BIGINT NOT NULL,
    call_id  TEXT COLLATE "C" NOT NULL REFERENCES calls(call_id),
    rep      TEXT COLLATE "C" NOT NULL,
    bucket   TEXT COLLATE "C" NOT NULL CHECK (bucket IN ('quality', 'telephony')),
    reason   TEXT COLLATE "C" NOT NULL,
    rank     BIGINT NOT NULL,
    replaced TEXT COLLATE "C",
    reviewer TEXT COLLATE "C",
    PRIMARY KEY (period, call_id)
    );
CREATE INDEX plan_entries_by_reviewer
    ON plan_entries(period, reviewer, bucket, position);
CREATE INDEX calls_by_local_day ON calls(substr(started_at, 1, 10));
CREATE TABLE best_calls (
    call_id     TEXT COLLATE "C" NOT NULL REFERENCES calls(call_id),
    reviewer    TEXT COLLATE "C" NOT NULL,
    reason      TEXT COLLATE "C" NOT NULL,
    position_ms BIGINT NOT NULL,
    marked_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (call_id, reviewer)
    );
CREATE TABLE recordings (
    path        TEXT COLLATE "C" PRIMARY KEY,
    size        BIGINT NOT NULL,
    modified_ns BIGINT NOT NULL,
    container   TEXT COLLATE "C" NOT NULL,
    codec       TEXT COLLATE "C" NOT NULL,
    duration_ms BIGINT NOT NULL,
    channels    BIGINT NOT NULL,
    sample_rate BIGINT NOT NULL
    );
CREATE TABLE emails (
    message_id    TEXT COLLATE "C" PRIMARY KEY,
    batch_id      BIGINT NOT NULL REFERENCES batches(batch_id),
    in_reply_to   TEXT COLLATE "C",
    refs          TEXT COLLATE "C" NOT NULL,
    from_name     TEXT COLLATE "C" NOT NULL,
    from_address  TEXT COLLATE "C" NOT NULL,
    to_list       TEXT COLLATE "C" NOT NULL,
    cc_list       TEXT COLLATE "C" NOT NULL,
    sent_at       TEXT COLLATE "C",
    sent_at_utc   TEXT COLLATE "C",
    subject       TEXT COLLATE "C" NOT NULL,
    body          TEXT COLLATE "C" NOT NULL,
    attachments   TEXT COLLATE "C" NOT NULL,
    source_file   TEXT COLLATE "C" NOT NULL,
    source_record BIGINT,
    thread_id     TEXT COLLATE "C" NOT NULL,
    direction     TEXT COLLATE "C" NOT NULL CHECK (direction IN ('in', 'out')),
    rep           TEXT COLLATE "C",
    contact_id    TEXT COLLATE "C",
    deal_id       TEXT COLLATE "C",
    contact_rule  TEXT COLLATE "C" NOT NULL DEFAULT 'unmatched',
    imported_at   TEXT COLLATE "C" NOT NULL,
    crm_links TEXT COLLATE "C");
CREATE INDEX emails_by_thread ON emails(thread_id, sent_at_utc);
CREATE INDEX emails_by_time ON emails(sent_at_utc, message_id);
CREATE TABLE reviews (
    review_id         BIGSERIAL PRIMARY KEY,
    call_id           TEXT COLLATE "C" REFERENCES calls(call_id),
    message_id        TEXT COLLATE "C" REFERENCES emails(message_id),
    visit_id          TEXT COLLATE "C",
    reviewer          TEXT COLLATE "C" NOT NULL,
    checklist_id      TEXT COLLATE "C" NOT NULL,
    checklist_version BIGINT NOT NULL,
    status            TEXT COLLATE "C" NOT NULL CHECK (status IN ('in_progress', 'submitted')),
    started_at        TEXT COLLATE "C" NOT NULL,
    submitted_at      TEXT COLLATE "C",
    time_spent_ms     BIGINT NOT NULL DEFAULT 0,
    score             DOUBLE PRECISION,
    revision          BIGINT NOT NULL DEFAULT 1,
    CHECK ((call_id IS NOT NULL)::INT + (message_id IS NOT NULL)::INT
           + (visit_id IS NOT NULL)::INT = 1),
    UNIQUE (call_id, reviewer, checklist_id),
    UNIQUE (message_id, reviewer, checklist_id),
    UNIQUE (visit_id, reviewer, checklist_id),
    FOREIGN KEY (checklist_id, checklist_version)
        REFERENCES checklists(checklist_id, version)
    );
CREATE TABLE answers (
    review_id     BIGINT NOT NULL REFERENCES reviews(review_id),
    item_id       TEXT COLLATE "C" NOT NULL,
    value         TEXT COLLATE "C" CHECK (value IN ('yes', 'no', 'na')),
    comment       TEXT COLLATE "C",
    evidence_ms   BIGINT,
    automatic     BIGINT NOT NULL DEFAULT 0,
    updated_at    TEXT COLLATE "C" NOT NULL,
    evidence_text TEXT COLLATE "C",
    PRIMARY KEY (review_id, item_id)
    );
CREATE TABLE review_events (
    event_id  BIGSERIAL PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(review_id),
    revision  BIGINT NOT NULL,
    at        TEXT COLLATE "C" NOT NULL,
    kind      TEXT COLLATE "C" NOT NULL,
    item_id   TEXT COLLATE "C",
    old_value TEXT COLLATE "C",
    new_value TEXT COLLATE "C"
    );
CREATE INDEX review_events_by_review ON review_events(review_id, event_id);
CREATE INDEX reviews_by_reviewer ON reviews(reviewer, checklist_id, status);
CREATE TABLE mystery_visits (
    visit_id     TEXT COLLATE "C" PRIMARY KEY,
    batch_id     BIGINT NOT NULL REFERENCES batches(batch_id),
    scenario     TEXT COLLATE "C" NOT NULL,
    channel      TEXT COLLATE "C" NOT NULL
        CHECK (channel IN ('call', 'email', 'web_form', 'messenger')),
    shopper      TEXT COLLATE "C" NOT NULL,
    rep          TEXT COLLATE "C",
    team         TEXT COLLATE "C",
    requested_at TEXT COLLATE "C",
    answered_at  TEXT COLLATE "C",
    proposal_at  TEXT COLLATE "C",
    callback_at  TEXT COLLATE "C",
    call_id      TEXT COLLATE "C",
    message_id   TEXT COLLATE "C",
    source_file  TEXT COLLATE "C" NOT NULL,
    source_line  BIGINT NOT NULL,
    imported_at  TEXT COLLATE "C" NOT NULL
    );
CREATE INDEX mystery_visits_by_call ON mystery_visits(call_id);
CREATE INDEX mystery_visits_by_message ON mystery_visits(message_id);
CREATE TABLE mystery_rules (
    version   BIGINT PRIMARY KEY,
    toml      TEXT COLLATE "C" NOT NULL,
    loaded_at TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE plan_emails (
    period     TEXT COLLATE "C" NOT NULL REFERENCES plans(period),
    position   BIGINT NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL REFERENCES emails(message_id),
    rep        TEXT COLLATE "C" NOT NULL,
    reason     TEXT COLLATE "C" NOT NULL,
    rank       BIGINT NOT NULL,
    reviewer   TEXT COLLATE "C",
    PRIMARY KEY (period, message_id)
    );
CREATE INDEX plan_emails_by_reviewer ON plan_emails(reviewer, period, position);
CREATE INDEX emails_by_local_day ON emails(substr(sent_at, 1, 10));
-- SQLite's 13: reviews of a visit itself (reviews.visit_id above, its
-- reference here, after mystery_visits), replaced planned emails.
ALTER TABLE reviews ADD FOREIGN KEY (visit_id) REFERENCES mystery_visits(visit_id);
CREATE TABLE plan_email_replacements (
    period      TEXT COLLATE "C" NOT NULL REFERENCES plans(period),
    message_id  TEXT COLLATE "C" NOT NULL,
    rep         TEXT COLLATE "C" NOT NULL,
    reason      TEXT COLLATE "C" NOT NULL,
    replaced_by TEXT COLLATE "C",
    replaced_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (period, message_id)
    );
-- SQLite's 14: calibration.
CREATE TABLE calibration_sets (
    name      TEXT COLLATE "C" PRIMARY KEY,
    lead      TEXT COLLATE "C" NOT NULL,
    marked_at TEXT COLLATE "C" NOT NULL
    );
CREATE TABLE calibration_reviewers (
    set_name TEXT COLLATE "C" NOT NULL REFERENCES calibration_sets(name),
    reviewer TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (set_name, reviewer)
    );
CREATE TABLE calibration_calls (
    call_id          TEXT COLLATE "C" PRIMARY KEY REFERENCES calls(call_id),
    set_name         TEXT COLLATE "C" NOT NULL REFERENCES calibration_sets(name),
    marked_at        TEXT COLLATE "C" NOT NULL,
    agreed_review_id BIGINT REFERENCES reviews(review_id),
    agreed_at        TEXT COLLATE "C"
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
-- SQLite's 15: the reps' responses to failed items, and their resolution.
CREATE TABLE item_responses (
    review_id   BIGINT NOT NULL REFERENCES reviews(review_id),
    item_id     TEXT COLLATE "C" NOT NULL,
    response    TEXT COLLATE "C" NOT NULL CHECK (response IN ('agree', 'dispute')),
    reason      TEXT COLLATE "C",
    source      TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    outcome     TEXT COLLATE "C" CHECK (outcome IN ('upheld', 'changed')),
    resolution  TEXT COLLATE "C",
    resolved_by TEXT COLLATE "C",
    resolved_at TEXT COLLATE "C",
    PRIMARY KEY (review_id, item_id)
    );
