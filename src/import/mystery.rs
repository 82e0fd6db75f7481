//! A batch's mystery-shopping visits, `mystery/visits.csv` (format in the
//! README, "Mystery shopping"): one row per visit, its timestamps, and its
//! evidence by reference: a call of the same batch's `calls.csv` and/or an
//! email of its `emails/` folder.
//!
//! Read before the import's transaction, like the roster, and checked
//! against what the batch itself holds; stored inside the transaction, so
//! a crash never leaves visits without the calls they point at. A row with
//! a bad timestamp, an unknown channel, steps out of order (a callback
//! before the request) or evidence the batch does not have is reported
//! with its line and left out; the other rows still come in.

use super::formats::Parsed;
use super::formats::text::{CsvOptions, Row, Table};
use super::{Counts, Problem};
use crate::domain::mystery::{self, Channel, DEFAULT_MYSTERY_CHECKLIST_TOML, Visit};
use crate::import::fields::parse_time;
use crate::store::{StoreError, Workspace};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Where a batch keeps its visits.
pub const VISITS_FILE: &str = "mystery/visits.csv";

/// The columns a visits file must have; `rep`, `team`, the later
/// timestamps and the evidence columns may be left out.
const REQUIRED: &[&str] = &["visit_id", "scenario", "channel", "shopper", "requested_at"];

/// One visit and the line it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRecord {
    pub visit: Visit,
    pub line: u64,
}

/// The visits of the batch at `root` (none when it has no visits file),
/// their evidence checked against the calls and emails `parsed` read from
/// the same batch. Bad rows go to `problems`.
pub fn read(
    root: &Path,
    options: CsvOptions<'_>,
    parsed: &Parsed,
    problems: &mut Vec<Problem>,
) -> Vec<VisitRecord> {
    // Present in any form (a link, a pipe) it is read, or said why not.
    if root.join(VISITS_FILE).symlink_metadata().is_err() {
        return Vec::new();
    }
    let table = Table::read(root, Path::new(VISITS_FILE), VISITS_FILE, options, problems)
        .and_then(|table| table.require(REQUIRED).map(|()| table));
    let table = match table {
        Ok(table) => table,
        Err(problem) => {
            problems.push(problem);
            return Vec::new();
        }
    };
    let batch = Evidence {
        calls: parsed.calls.iter().map(|c| c.call_id.as_str()).collect(),
        emails: parsed
            .emails
            .iter()
            .map(|e| e.email.message_id.as_str())
            .collect(),
    };
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let mut visits = Vec::new();
    for row in &table.rows {
        let id = table.get(row, "visit_id");
        let checked = match first_line.get(id) {
            _ if id.is_empty() => Err("visit_id is empty".to_string()),
            Some(first) => Err(format!(
                "visit_id named again (first on line {first}); this row is left out"
            )),
            None => visit(&table, row, &batch),
        };
        match checked {
            Ok(visit) => {
                first_line.insert(id, row.line);
                visits.push(VisitRecord {
                    visit,
                    line: row.line,
                });
            }
            Err(reason) => problems.push(Problem::for_record(VISITS_FILE, row.line, id, reason)),
        }
    }
    visits
}

/// What the batch holds that a visit may point at.
struct Evidence<'a> {
    calls: HashSet<&'a str>,
    emails: HashSet<&'a str>,
}

fn visit(t: &Table, r: &Row, batch: &Evidence<'_>) -> Result<Visit, String> {
    let quoted = |text: &str| format!("{:?}", crate::text::one_line(text, 60));
    let channel = t.get(r, "channel");
    let channel = Channel::parse(channel).ok_or_else(|| {
        format!(
            "channel {} is not one of call, email, web_form, messenger",
            quoted(channel)
        )
    })?;
    let shopper = t.get(r, "shopper");
    if shopper.is_empty() {
        return Err("shopper is empty".into());
    }
    let (rep, team) = (t.opt(r, "rep"), t.opt(r, "team"));
    if rep.is_none() && team.is_none() {
        return Err("neither rep nor team: say who the shopper reached".into());
    }
    let time = |column: &str| {
        let text = t.get(r, column);
        (!text.is_empty())
            .then(|| parse_time(text).map_err(|e| format!("{column}: {e}")))
            .transpose()
    };
    let call_id = t.opt(r, "call_id");
    if let Some(id) = &call_id
        && !batch.calls.contains(id.as_str())
    {
        return Err(format!(
            "call_id {} is not in this batch's calls.csv",
            quoted(id)
        ));
    }
    // Written with or without the angle brackets of the header.
    let message_id = t.opt(r, "message_id").map(|m| {
        m.trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string()
    });
    if let Some(id) = &message_id
        && !batch.emails.contains(id.as_str())
    {
        return Err(format!(
            "message_id {} is not a Message-ID of this batch's emails/",
            quoted(id)
        ));
    }
    let visit = Visit {
        visit_id: t.get(r, "visit_id").into(),
        scenario: t.get(r, "scenario").into(),
        channel,
        shopper: shopper.into(),
        rep,
        team,
        requested_at: time("requested_at")?,
        answered_at: time("answered_at")?,
        proposal_at: time("proposal_at")?,
        callback_at: time("callback_at")?,
        call_id,
        message_id,
    };
    if let Some((later, earlier)) = visit.out_of_order() {
        return Err(format!(
            "{later} {} is before {earlier} {}: check the timestamps",
            t.get(r, later),
            t.get(r, earlier)
        ));
    }
    Ok(visit)
}

/// Store the visits of batch `batch_id`, with the mystery-shopper
/// checklist their evidence is reviewed with, inside the import's
/// transaction.
pub fn store_visits(
    ws: &Workspace,
    batch_id: i64,
    visits: &[VisitRecord],
) -> Result<Counts, StoreError> {
    let mut counts = Counts::default();
    if visits.is_empty() {
        return Ok(counts);
    }
    ws.ensure_checklist(&mystery::checklist(), DEFAULT_MYSTERY_CHECKLIST_TOML)?;
    for record in visits {
        counts.add(ws.upsert_visit(batch_id, &record.visit, VISITS_FILE, record.line)?);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::formats::CallRecord;

    fn batch_with(visits: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("mystery")).unwrap();
        std::fs::write(dir.path().join(VISITS_FILE), visits).unwrap();
        dir
    }

    fn parsed_with_call(call_id: &str) -> Parsed {
        let mut parsed = Parsed::default();
        parsed.calls.push(CallRecord {
            call_id: call_id.into(),
            started_at: parse_time("2026-11-23T10:00:00+03:00").unwrap(),
            rep: "Анна Смирнова".into(),
            direction: crate::domain::crm::Direction::In,
            phone: String::new(),
            duration_ms: None,
            recording: None,
            contact_id: None,
            deal_id: None,
            external_ids: Vec::new(),
            answered: None,
            script: None,
            channel_layout: None,
            read_at: None,
        });
        parsed
    }

    #[test]
    fn each_bad_row_is_named_with_its_line_and_the_rest_is_read() {
        let dir = batch_with(
            "visit_id;scenario;channel;shopper;rep;team;requested_at;answered_at;proposal_at;callback_at;call_id;message_id\n\
             V-1;Панели для дома;call;Ольга;Анна Смирнова;;2026-11-23T10:00:00+03:00;2026-11-23T10:00:25+03:00;;;call-001;\n\
             V-2;Панели;call;Ольга;Анна Смирнова;;2026-11-23T10:00:00+03:00;;;2026-11-22T09:00:00+03:00;;\n\
             V-3;Панели;fax;Ольга;;Юг;2026-11-23T10:00:00+03:00;;;;;\n\
             V-4;Панели;email;Ольга;;Юг;вчера;;;;;\n\
             V-5;Панели;call;Ольга;;Юг;2026-11-23T10:00:00+03:00;;;;call-999;\n\
             V-6;Panels;web-form;Olga;;South;2026-11-23T10:00:00+03:00;;;;;<nope@x>\n\
             V-1;Панели;call;Ольга;Анна;;2026-11-23T10:00:00+03:00;;;;;\n\
             V-7;Panels;Messenger;Olga;;South;2026-11-23 10:00:00;;;;;\n\
             V-8;Panels;messenger;Olga;;;2026-11-23T10:00:00+03:00;;;;;\n",
        );
        let mut problems = Vec::new();
        let visits = read(
            dir.path(),
            CsvOptions::default(),
            &parsed_with_call("call-001"),
            &mut problems,
        );
        assert_eq!(visits.len(), 1, "{problems:?}");
        assert_eq!(visits[0].line, 2);
        assert_eq!(visits[0].visit.call_id.as_deref(), Some("call-001"));
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let expected = [
            "mystery/visits.csv:3: V-2: callback_at 2026-11-22T09:00:00+03:00 is before requested_at",
            "mystery/visits.csv:4: V-3: channel \"fax\" is not one of",
            "mystery/visits.csv:5: V-4: requested_at: time \"вчера\" does not parse",
            "mystery/visits.csv:6: V-5: call_id \"call-999\" is not in this batch's calls.csv",
            "mystery/visits.csv:7: V-6: message_id \"nope@x\" is not a Message-ID",
            "mystery/visits.csv:8: V-1: visit_id named again (first on line 2)",
            "mystery/visits.csv:9: V-7: requested_at: time \"2026-11-23 10:00:00\" has no UTC offset",
            "mystery/visits.csv:10: V-8: neither rep nor team",
        ];
        assert_eq!(texts.len(), expected.len(), "{texts:#?}");
        for (text, start) in texts.iter().zip(expected) {
            assert!(text.starts_with(start), "{text}\nexpected: {start}");
        }
    }

    #[test]
    fn a_file_without_its_columns_is_one_problem_and_no_file_is_none() {
        let dir = batch_with("visit_id,channel\nV-1,call\n");
        let mut problems = Vec::new();
        let visits = read(
            dir.path(),
            CsvOptions::default(),
            &Parsed::default(),
            &mut problems,
        );
        assert!(visits.is_empty());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].to_string().starts_with(
                "mystery/visits.csv: missing column(s): scenario, shopper, requested_at"
            ),
            "{}",
            problems[0]
        );
        let empty = tempfile::tempdir().unwrap();
        let mut none = Vec::new();
        assert!(
            read(
                empty.path(),
                CsvOptions::default(),
                &Parsed::default(),
                &mut none
            )
            .is_empty()
        );
        assert!(none.is_empty());
    }
}
