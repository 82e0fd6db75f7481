//! How calls are tied to CRM records: other systems' ids for a call, CRM
//! activities, and the link each call got (which rule matched, or a
//! reviewer's manual fix, which no re-import undoes).

use super::db::{OptionalExtension, params};
use super::{Result, Workspace, now_text};
use crate::domain::matching::{Activity, Ambiguity, ManualLink, MatchResult, MatchRule};

/// The link shown to the reviewer: which rule tied the call to its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLink {
    pub rule: String,
    pub detail: Option<String>,
    pub ambiguity: Vec<Ambiguity>,
    pub manual: bool,
}

/// Ambiguities as stored: a JSON list, or NULL for none. Text that is not
/// such a list was written by an earlier version and is shown as it is.
fn ambiguity_to_sql(list: &[Ambiguity]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::to_string(list).unwrap_or_default())
}

fn ambiguity_from_sql(text: Option<String>) -> Vec<Ambiguity> {
    match text {
        None => Vec::new(),
        Some(text) => serde_json::from_str(&text).unwrap_or(vec![Ambiguity::Text { text }]),
    }
}

fn rule_code(rule: &MatchRule) -> (&'static str, Option<String>) {
    match rule {
        MatchRule::ExplicitId { kind } => ("explicit_id", Some(kind.clone())),
        MatchRule::PhoneRepTime => ("phone_rep_time", None),
        MatchRule::PhoneOnly => ("phone_only", None),
        MatchRule::Manual => ("manual", None),
        MatchRule::Unmatched => ("unmatched", None),
    }
}

/// A stored id list; damaged JSON is an error naming the call.
fn ids_from_json(call_id: &str, json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json).map_err(|e| {
        super::StoreError::Corrupt(format!("call_links of {call_id}: unreadable id list: {e}"))
    })
}

/// A `call_links` row as linking writes it.
#[derive(Debug, PartialEq)]
struct StoredLink {
    contact_id: Option<String>,
    deal_id: Option<String>,
    rule: String,
    rule_detail: Option<String>,
    activity_ids: String,
    note_ids: String,
    ambiguity: Option<String>,
    manual: bool,
}

impl StoredLink {
    fn of(m: &MatchResult) -> StoredLink {
        let (rule, rule_detail) = rule_code(&m.rule);
        StoredLink {
            contact_id: m.contact_id.clone(),
            deal_id: m.deal_id.clone(),
            rule: rule.to_string(),
            rule_detail,
            activity_ids: serde_json::to_string(&m.activity_ids).unwrap_or_default(),
            note_ids: serde_json::to_string(&m.note_ids).unwrap_or_default(),
            ambiguity: ambiguity_to_sql(&m.ambiguity),
            manual: false,
        }
    }

    /// Whether [`Workspace::save_match`] would write `found` over this row:
    /// the write-up and activities always count, the rest only where the
    /// reviewer did not link by hand.
    fn differs_from(&self, found: &StoredLink) -> bool {
        (&self.activity_ids, &self.note_ids) != (&found.activity_ids, &found.note_ids)
            || (!self.manual && self.matched() != found.matched())
    }

    /// What a manual link keeps.
    fn matched(
        &self,
    ) -> (
        &Option<String>,
        &Option<String>,
        &str,
        &Option<String>,
        &Option<String>,
    ) {
        (
            &self.contact_id,
            &self.deal_id,
            &self.rule,
            &self.rule_detail,
            &self.ambiguity,
        )
    }
}

impl Workspace {
    pub fn upsert_external_id(&self, call_id: &str, kind: &str, value: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO call_external_ids (kind, value, call_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT(kind, value) DO UPDATE SET call_id = excluded.call_id",
            )?
            .execute(params![kind, value, call_id])?;
        Ok(())
    }

    pub fn upsert_activity(&self, batch_id: i64, a: &Activity) -> Result<()> {
        let refs = serde_json::to_string(&a.call_refs).unwrap_or_else(|_| "[]".into());
        let kind = serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        // Cached: an import of a CRM's activities runs it once per row.
        self.conn().prepare_cached(
            "INSERT INTO activities (activity_id, batch_id, kind, contact_id, deal_id, rep, phone,
                 at, direction, subject, text, done, call_refs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(activity_id) DO UPDATE SET kind = excluded.kind,
               contact_id = excluded.contact_id, deal_id = excluded.deal_id, rep = excluded.rep,
               phone = excluded.phone, at = excluded.at, direction = excluded.direction,
               subject = excluded.subject, text = excluded.text, done = excluded.done,
               call_refs = excluded.call_refs",
        )?
        .execute(params![
                a.activity_id,
                batch_id,
                kind,
                a.contact_id,
                a.deal_id,
                a.rep,
                a.phone,
                a.at.to_rfc3339(),
                a.direction.map(|d| d.code()),
                a.subject,
                a.text,
                a.done,
                refs
            ])?;
        Ok(())
    }

    /// [`Workspace::save_match`] for every result of one linking: the stored
    /// links are read once, as a stream, and compared here; a new link is a
    /// plain insert and an unchanged one is not touched. Per result, the
    /// upsert's own comparison and statement journal were a third of
    /// linking a fresh 100,000-call import.
    pub fn save_matches(&self, results: &[MatchResult]) -> Result<()> {
        let by_call: std::collections::HashMap<&str, usize> = results
            .iter()
            .enumerate()
            .map(|(i, m)| (m.call_id.as_str(), i))
            .collect();
        let mut stored = vec![false; results.len()];
        let mut changed = Vec::new();
        self.conn()
            .prepare(
                "SELECT call_id, contact_id, deal_id, rule, rule_detail, activity_ids, note_ids,
                        ambiguity, manual FROM call_links",
            )?
            .query_each(params![], |r| {
                let call_id: String = r.get(0)?;
                let Some(&i) = by_call.get(call_id.as_str()) else {
                    return Ok::<_, super::StoreError>(());
                };
                stored[i] = true;
                let old = StoredLink {
                    contact_id: r.get(1)?,
                    deal_id: r.get(2)?,
                    rule: r.get(3)?,
                    rule_detail: r.get(4)?,
                    activity_ids: r.get(5)?,
                    note_ids: r.get(6)?,
                    ambiguity: r.get(7)?,
                    manual: r.get::<_, i64>(8)? != 0,
                };
                if old.differs_from(&StoredLink::of(&results[i])) {
                    changed.push(i);
                }
                Ok(())
            })?;
        for i in changed {
            self.save_match(&results[i])?;
        }
        let now = now_text();
        let mut insert = self.conn().prepare_cached(
            "INSERT INTO call_links (call_id, contact_id, deal_id, rule, rule_detail, activity_ids,
                 note_ids, ambiguity, manual, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
        )?;
        for (m, _) in results.iter().zip(&stored).filter(|(_, stored)| !**stored) {
            let link = StoredLink::of(m);
            insert.execute(params![
                m.call_id,
                link.contact_id,
                link.deal_id,
                link.rule,
                link.rule_detail,
                link.activity_ids,
                link.note_ids,
                link.ambiguity,
                now
            ])?;
        }
        Ok(())
    }

    /// Keep what the matcher found. A link the reviewer fixed by hand keeps
    /// its contact and deal, but its write-up notes and activities are the
    /// matcher's (it matched them against the manual link). A link the same
    /// as stored is not written: `updated_at` says when it last changed,
    /// and an import of a large workspace rewrites nothing it need not.
    pub fn save_match(&self, m: &MatchResult) -> Result<()> {
        let (rule, detail) = rule_code(&m.rule);
        self.conn().prepare_cached(
            "INSERT INTO call_links (call_id, contact_id, deal_id, rule, rule_detail, activity_ids,
                 note_ids, ambiguity, manual, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)
             ON CONFLICT(call_id) DO UPDATE SET
               contact_id = CASE WHEN call_links.manual <> 0 THEN call_links.contact_id ELSE excluded.contact_id END,
               deal_id = CASE WHEN call_links.manual <> 0 THEN call_links.deal_id ELSE excluded.deal_id END,
               rule = CASE WHEN call_links.manual <> 0 THEN call_links.rule ELSE excluded.rule END,
               rule_detail = CASE WHEN call_links.manual <> 0 THEN call_links.rule_detail ELSE excluded.rule_detail END,
               ambiguity = CASE WHEN call_links.manual <> 0 THEN call_links.ambiguity ELSE excluded.ambiguity END,
               activity_ids = excluded.activity_ids, note_ids = excluded.note_ids,
               updated_at = excluded.updated_at
             WHERE (call_links.activity_ids, call_links.note_ids)
                   IS DISTINCT FROM (excluded.activity_ids, excluded.note_ids)
                OR (call_links.manual = 0
                    AND (call_links.contact_id, call_links.deal_id, call_links.rule,
                         call_links.rule_detail, call_links.ambiguity)
                        IS DISTINCT FROM (excluded.contact_id, excluded.deal_id, excluded.rule,
                                excluded.rule_detail, excluded.ambiguity))",
        )?.execute(
            params![
                m.call_id,
                m.contact_id,
                m.deal_id,
                rule,
                detail,
                serde_json::to_string(&m.activity_ids).unwrap_or_default(),
                serde_json::to_string(&m.note_ids).unwrap_or_default(),
                ambiguity_to_sql(&m.ambiguity),
                now_text()
            ],
        )?;
        Ok(())
    }

    /// A reviewer's fix: this call belongs to this contact and deal. Kept,
    /// and applied again after every import.
    pub fn link_by_hand(
        &self,
        call_id: &str,
        contact_id: Option<&str>,
        deal_id: Option<&str>,
    ) -> Result<()> {
        self.call(call_id)?;
        if contact_id.is_none() && deal_id.is_none() {
            return Err(super::StoreError::EmptyLink);
        }
        let mut unknown = Vec::new();
        for (kind, table, id) in [
            ("contact", "contacts", contact_id),
            ("deal", "deals", deal_id),
        ] {
            let Some(id) = id else { continue };
            let known = self
                .conn()
                .query_row(
                    &format!("SELECT 1 FROM {table} WHERE {kind}_id = ?1"),
                    params![id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !known {
                unknown.push(format!("{kind} {id:?}"));
            }
        }
        if !unknown.is_empty() {
            return Err(super::StoreError::UnknownRecords(unknown));
        }
        self.conn().execute(
            "INSERT INTO call_links (call_id, contact_id, deal_id, rule, manual, updated_at)
             VALUES (?1, ?2, ?3, 'manual', 1, ?4)
             ON CONFLICT(call_id) DO UPDATE SET contact_id = excluded.contact_id,
               deal_id = excluded.deal_id, rule = 'manual', rule_detail = NULL,
               ambiguity = NULL, manual = 1, updated_at = excluded.updated_at",
            params![call_id, contact_id, deal_id, now_text()],
        )?;
        self.apply_manual_links()
    }

    /// Show on the call row the contact and deal it is linked to (`linked`:
    /// its own ids, else the matcher's), where the row shows something else
    /// (`shown`); the call's own ids, which linking reads, are not touched.
    pub fn show_call_link(
        &self,
        call_id: &str,
        shown: (Option<&str>, Option<&str>),
        linked: (Option<&str>, Option<&str>),
    ) -> Result<()> {
        if shown == linked {
            return Ok(());
        }
        self.conn()
            .prepare_cached("UPDATE calls SET contact_id = ?2, deal_id = ?3 WHERE call_id = ?1")?
            .execute(params![call_id, linked.0, linked.1])?;
        Ok(())
    }

    /// Other systems' ids per call, for the matcher.
    pub fn all_external_ids(
        &self,
    ) -> Result<std::collections::HashMap<String, Vec<(String, String)>>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT call_id, kind, value FROM call_external_ids ORDER BY call_id")?;
        let rows = stmt.query_map(params![], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
        for (call, kind, value) in rows {
            out.entry(call).or_default().push((kind, value));
        }
        Ok(out)
    }

    pub fn all_activities(&self) -> Result<Vec<Activity>> {
        let mut stmt = self.conn().prepare(
            "SELECT activity_id, kind, contact_id, deal_id, rep, phone, at, direction, subject,
                    text, done, call_refs FROM activities ORDER BY activity_id",
        )?;
        let rows = stmt.query_map(params![], |r| {
            let kind: String = r.get(1)?;
            let at: String = r.get(6)?;
            let direction: Option<String> = r.get(7)?;
            let refs: String = r.get(11)?;
            Ok((
                Activity {
                    activity_id: r.get(0)?,
                    kind: serde_json::from_value(serde_json::Value::String(kind))
                        .unwrap_or(crate::domain::matching::ActivityKind::Other),
                    call_refs: serde_json::from_str(&refs).unwrap_or_default(),
                    contact_id: r.get(2)?,
                    deal_id: r.get(3)?,
                    rep: r.get(4)?,
                    phone: r.get(5)?,
                    at: chrono::DateTime::default(),
                    direction: direction
                        .as_deref()
                        .and_then(crate::domain::crm::Direction::parse),
                    subject: r.get(8)?,
                    text: r.get(9)?,
                    done: r.get(10)?,
                },
                at,
            ))
        })?;
        let mut out = Vec::new();
        for (mut a, at) in rows {
            a.at = chrono::DateTime::parse_from_rfc3339(&at).map_err(|e| {
                super::StoreError::Corrupt(format!("activity {}: {e}", a.activity_id))
            })?;
            out.push(a);
        }
        Ok(out)
    }

    /// The call another system's id names (the same conversation seen from
    /// the PBX and from the CRM carries the same id under different kinds).
    pub fn call_with_external_value(&self, value: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT call_id FROM call_external_ids WHERE value = ?1
                 UNION SELECT call_id FROM calls WHERE call_id = ?1 LIMIT 1",
                params![value],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn manual_links(&self) -> Result<Vec<ManualLink>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT call_id, contact_id, deal_id FROM call_links WHERE manual = 1")?;
        let rows = stmt.query_map(params![], |r| {
            Ok(ManualLink {
                call_id: r.get(0)?,
                contact_id: r.get(1)?,
                deal_id: r.get(2)?,
            })
        })?;
        Ok(rows)
    }

    /// Put manual links back on the calls (an import may have rewritten
    /// the call rows from the export).
    pub fn apply_manual_links(&self) -> Result<()> {
        self.conn().execute(
            "UPDATE calls SET
               contact_id = (SELECT l.contact_id FROM call_links l WHERE l.call_id = calls.call_id),
               deal_id = (SELECT l.deal_id FROM call_links l WHERE l.call_id = calls.call_id)
             WHERE call_id IN (SELECT call_id FROM call_links WHERE manual = 1)",
            params![],
        )?;
        Ok(())
    }

    /// The notes that are this call's write-up, as the last linking decided.
    pub fn write_up_note_ids(&self, call_id: &str) -> Result<Vec<String>> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT note_ids FROM call_links WHERE call_id = ?1",
                params![call_id],
                |r| r.get(0),
            )
            .optional()?;
        json.map_or_else(|| Ok(Vec::new()), |j| ids_from_json(call_id, &j))
    }

    /// Every call that has a write-up.
    pub fn written_up_calls(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT call_id FROM call_links WHERE note_ids NOT IN ('', '[]')")?;
        let rows = stmt.query_map(params![], |r| r.get(0))?;
        Ok(rows.into_iter().collect())
    }

    /// The stored link of a call as the matcher's result (manual links
    /// under [`MatchRule::Manual`]).
    pub fn match_result(&self, call_id: &str) -> Result<Option<MatchResult>> {
        let row = self
            .conn()
            .query_row(
                "SELECT contact_id, deal_id, rule, rule_detail, activity_ids, note_ids,
                        ambiguity, manual
                 FROM call_links WHERE call_id = ?1",
                params![call_id],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, bool>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((contact_id, deal_id, rule, detail, activities, notes, ambiguity, manual)) = row
        else {
            return Ok(None);
        };
        let rule = match (manual, rule.as_str()) {
            (true, _) | (_, "manual") => MatchRule::Manual,
            (_, "explicit_id") => MatchRule::ExplicitId {
                kind: detail.unwrap_or_default(),
            },
            (_, "phone_rep_time") => MatchRule::PhoneRepTime,
            (_, "phone_only") => MatchRule::PhoneOnly,
            _ => MatchRule::Unmatched,
        };
        Ok(Some(MatchResult {
            call_id: call_id.to_string(),
            contact_id,
            deal_id,
            activity_ids: ids_from_json(call_id, &activities)?,
            note_ids: ids_from_json(call_id, &notes)?,
            rule,
            ambiguity: ambiguity_from_sql(ambiguity),
        }))
    }

    pub fn call_link(&self, call_id: &str) -> Result<Option<CallLink>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT rule, rule_detail, ambiguity, manual FROM call_links WHERE call_id = ?1",
                params![call_id],
                |r| {
                    Ok(CallLink {
                        rule: r.get(0)?,
                        detail: r.get(1)?,
                        ambiguity: ambiguity_from_sql(r.get(2)?),
                        manual: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}
