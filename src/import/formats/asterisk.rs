//! Asterisk `cdr_csv` (`Master.csv`) and FreePBX CDR exports.
//!
//! `Master.csv` has no header. Its 16 base columns are `accountcode, src,
//! dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start,
//! answer, end, duration, billsec, disposition, amaflags`; `loguniqueid`
//! and `loguserfield` append `uniqueid` and `userfield` (18 columns), and
//! `newcdrcolumns` appends `peeraccount, linkedid, sequence` (21). Times are
//! the PBX's local time without an offset. The FreePBX CDR export has a
//! header (`calldate, clid, src, dst, ..., uniqueid, userfield, did,
//! recordingfile, cnum, cnam, ..., linkedid, peeraccount, sequence`).
//!
//! One call leaves a row per dialled leg (a ring group rings three phones:
//! three rows), so rows are grouped by `linkedid` (else `uniqueid`) into one
//! call. The rep is the extension in the channel name (`SIP/101-0000001a`,
//! `PJSIP/102-00000005`) of the leg that placed or answered the call, named
//! through `reps.csv`. Internal calls (extension to extension) are not
//! client calls and are left out, with a count in the warnings.

use super::recordings::RecordingIndex;
use super::text::Row;
use super::values::{at_offset, bad_field, seconds};
use super::{CallRecord, Ctx, Parsed, SourceFormat, SourceLine, read_table};
use crate::domain::crm::{Direction, Timestamp};
use crate::import::Problem;
use chrono::NaiveDateTime;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

const DISPOSITIONS: &[&str] = &["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"];
const INBOUND_CONTEXTS: &[&str] = &[
    "from-trunk",
    "from-pstn",
    "ext-did",
    "from-did",
    "incoming",
    "inbound",
    "from-external",
];

/// One CDR row.
#[derive(Debug, Clone, Default)]
struct Leg {
    file: String,
    line: u64,
    src: String,
    dst: String,
    dcontext: String,
    clid: String,
    channel: String,
    dstchannel: String,
    start: Option<Timestamp>,
    billsec: u64,
    disposition: String,
    uniqueid: String,
    linkedid: String,
    userfield: String,
    recordingfile: String,
    cnum: String,
}

/// None when the first record of a headerless file has the cdr_csv shape;
/// else how much of it the record has (a score, for the closest layout)
/// and what it lacks.
pub fn headerless_mismatch(first: &csv::StringRecord) -> Option<(usize, String)> {
    let n = first.len();
    if !(16..=21).contains(&n) {
        // A stray quote joins fields; a record of few fields is no CDR.
        let score = usize::from(n >= 8);
        return Some((
            score,
            format!("has {n} fields; an Asterisk Master.csv record has 16 to 21 (a stray quote?)"),
        ));
    }
    let start = first.get(9).unwrap_or("").trim();
    let disposition = first.get(14).unwrap_or("").trim();
    let time_ok = NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M:%S").is_ok();
    let disposition_ok = DISPOSITIONS.contains(&disposition);
    let shown = |v: &str| crate::text::one_line(v, 40);
    match (time_ok, disposition_ok) {
        (true, true) => None,
        (false, _) => Some((
            2 + usize::from(disposition_ok),
            format!(
                "an Asterisk Master.csv record, but field 10 (start) {:?} is not a time like 2026-11-23 10:15:00",
                shown(start)
            ),
        )),
        (true, false) => Some((
            3,
            format!(
                "an Asterisk Master.csv record, but field 15 (disposition) {:?} is not one of {}",
                shown(disposition),
                DISPOSITIONS.join(", ")
            ),
        )),
    }
}

pub fn parse(files: &[PathBuf], format: SourceFormat, ctx: &Ctx<'_>, out: &mut Parsed) {
    let recordings = RecordingIndex::build(&ctx.root);
    let mut legs = Vec::new();
    for path in files {
        let has_header = format == SourceFormat::FreePbxCdr;
        let Some(table) = read_table(path, ctx, !has_header, out) else {
            continue;
        };
        for row in &table.rows {
            let leg = if has_header {
                freepbx_leg(&table, row, ctx)
            } else {
                master_leg(&table.name, row, ctx)
            };
            match leg {
                Ok(leg) => legs.push(leg),
                Err(problem) => out.problems.push(problem),
            }
        }
    }
    group_calls(legs, ctx, &recordings, out);
}

fn row_problem(file: &str, row: &Row, uniqueid: &str, reason: String) -> Problem {
    Problem::for_record(file, row.line, uniqueid, reason)
}

fn local_time(text: &str, field: &str, ctx: &Ctx<'_>) -> Result<Timestamp, String> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|n| at_offset(n, ctx.offset()))
        .ok_or_else(|| bad_field(field, text, "is not a time like 2026-11-23 10:15:00"))
}

fn master_leg(file: &str, row: &Row, ctx: &Ctx<'_>) -> Result<Leg, Problem> {
    let f = |i: usize| row.fields.get(i).unwrap_or("").trim().to_string();
    let n = row.fields.len();
    let looks_id = |i: usize| {
        f(i).split_once('.').is_some_and(|(a, b)| {
            !a.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
        })
    };
    // Which optional columns are present, from the count (see module docs).
    let (uniqueid, userfield, linkedid) = match n {
        16 => (None, None, None),
        17 if looks_id(16) => (Some(16), None, None),
        17 => (None, Some(16), None),
        18 => (Some(16), Some(17), None),
        19 => (None, None, Some(17)),
        20 if looks_id(16) => (Some(16), None, Some(18)),
        20 => (None, Some(16), Some(18)),
        21 => (Some(16), Some(17), Some(19)),
        _ => {
            return Err(Problem::line(
                file,
                row.line,
                format!("has {n} fields; Asterisk cdr_csv rows have 16 to 21"),
            ));
        }
    };
    let opt = |i: Option<usize>| i.map(f).unwrap_or_default();
    let id = opt(uniqueid);
    let mut leg = Leg {
        file: file.to_string(),
        line: row.line,
        src: f(1),
        dst: f(2),
        dcontext: f(3),
        clid: f(4),
        channel: f(5),
        dstchannel: f(6),
        disposition: f(14),
        uniqueid: id.clone(),
        linkedid: opt(linkedid),
        userfield: opt(userfield),
        ..Leg::default()
    };
    let fail = |reason: String| row_problem(file, row, &id, reason);
    leg.start = Some(local_time(&f(9), "start", ctx).map_err(fail)?);
    seconds(&f(12)).ok_or_else(|| {
        fail(bad_field(
            "duration",
            &f(12),
            "is not a call length in seconds (a month at most)",
        ))
    })?;
    leg.billsec = seconds(&f(13)).ok_or_else(|| {
        fail(bad_field(
            "billsec",
            &f(13),
            "is not a call length in seconds (a month at most)",
        ))
    })?;
    check_disposition(&leg.disposition).map_err(fail)?;
    Ok(leg)
}

fn freepbx_leg(table: &super::text::Table, row: &Row, ctx: &Ctx<'_>) -> Result<Leg, Problem> {
    let g = |h: &str| table.get(row, h).to_string();
    let id = g("uniqueid");
    let fail = |reason: String| row_problem(&table.name, row, &id, reason);
    let billsec = g("billsec");
    let leg = Leg {
        file: table.name.clone(),
        line: row.line,
        src: g("src"),
        dst: g("dst"),
        dcontext: g("dcontext"),
        clid: g("clid"),
        channel: g("channel"),
        dstchannel: g("dstchannel"),
        start: Some(local_time(&g("calldate"), "calldate", ctx).map_err(fail)?),
        billsec: seconds(&billsec).ok_or_else(|| {
            fail(bad_field(
                "billsec",
                &billsec,
                "is not a call length in seconds (a month at most)",
            ))
        })?,
        disposition: g("disposition"),
        uniqueid: id.clone(),
        linkedid: g("linkedid"),
        userfield: g("userfield"),
        recordingfile: g("recordingfile"),
        cnum: g("cnum"),
    };
    check_disposition(&leg.disposition).map_err(fail)?;
    Ok(leg)
}

fn check_disposition(value: &str) -> Result<(), String> {
    if DISPOSITIONS.contains(&value) {
        Ok(())
    } else {
        Err(bad_field(
            "disposition",
            value,
            "is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION (is this the right layout?)",
        ))
    }
}

/// `SIP/101-0000001a` → `101`; `Local/102@from-queue-00000002;1` → `102`;
/// `PJSIP/trunk-mts-00000012` → `trunk-mts`.
fn peer(channel: &str) -> Option<&str> {
    let rest = channel.split_once('/')?.1;
    let peer = match rest.split_once('@') {
        Some((p, _)) => p,
        None => rest.rsplit_once('-').map_or(rest, |(p, _)| p),
    };
    Some(peer).filter(|p| !p.is_empty())
}

fn is_extension(number: &str, ctx: &Ctx<'_>) -> bool {
    ctx.reps.contains_key(number)
        || ((2..=5).contains(&number.len()) && number.chars().all(|c| c.is_ascii_digit()))
}

fn group_calls(legs: Vec<Leg>, ctx: &Ctx<'_>, recordings: &RecordingIndex, out: &mut Parsed) {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<Leg>> = HashMap::new();
    for leg in legs {
        let key = [&leg.linkedid, &leg.uniqueid]
            .into_iter()
            .find(|k| !k.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("{}-{}", leg.file, leg.line));
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(leg);
    }
    let mut internal = 0;
    let mut unnamed: BTreeSet<String> = BTreeSet::new();
    for key in order {
        let mut legs = groups.remove(&key).unwrap_or_default();
        legs.sort_by_key(|l| (l.start, l.line));
        match build_call(&key, &legs, ctx, recordings, out) {
            Some((call, ext)) => {
                if ext.as_ref().is_some_and(|e| ctx.rep(e).is_none()) {
                    unnamed.extend(ext);
                }
                out.calls.push(call);
            }
            None => internal += 1,
        }
    }
    let file = ctx.folder();
    if internal > 0 {
        out.warnings.push(Problem::file(
            &file,
            format!("{internal} internal call(s) (extension to extension) left out"),
        ));
    }
    if !unnamed.is_empty() {
        out.warnings.push(Problem::file(
            &file,
            format!(
                "extension(s) {} have no rep in reps.csv; the extension is used as the rep's name",
                unnamed.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    out.calls
        .sort_by(|a, b| (a.started_at, &a.call_id).cmp(&(b.started_at, &b.call_id)));
}

/// The call of a group of legs and the extension of its rep; `None` for an
/// internal call.
fn build_call(
    key: &str,
    legs: &[Leg],
    ctx: &Ctx<'_>,
    recordings: &RecordingIndex,
    out: &mut Parsed,
) -> Option<(CallRecord, Option<String>)> {
    let first = legs.first()?;
    let caller_ext = peer(&first.channel)
        .filter(|p| is_extension(p, ctx))
        .or(Some(first.cnum.as_str()).filter(|c| is_extension(c, ctx)));
    let inbound_context = INBOUND_CONTEXTS
        .iter()
        .any(|c| first.dcontext.to_lowercase().starts_with(c));
    let answered_legs: Vec<&Leg> = legs
        .iter()
        .filter(|l| l.disposition == "ANSWERED" && l.billsec > 0)
        .collect();
    let (direction, phone, ext) = match caller_ext {
        Some(ext) if !inbound_context => {
            if is_extension(&first.dst, ctx) {
                return None;
            }
            (Direction::Out, first.dst.clone(), Some(ext.to_string()))
        }
        _ => {
            let answered_by = answered_legs
                .iter()
                .copied()
                .chain(legs.iter())
                .find_map(|l| peer(&l.dstchannel).filter(|p| is_extension(p, ctx)))
                .or(Some(first.dst.as_str()).filter(|d| !d.is_empty()));
            let number = clid_number(&first.clid).unwrap_or(&first.src).to_string();
            (Direction::In, number, answered_by.map(String::from))
        }
    };
    let rep = ext
        .as_deref()
        .map(|e| ctx.rep(e).unwrap_or_else(|| e.to_string()))
        .unwrap_or_default();
    let mut external_ids: Vec<(String, String)> = Vec::new();
    if !first.linkedid.is_empty() {
        external_ids.push(("asterisk.linkedid".into(), first.linkedid.clone()));
    }
    for leg in legs {
        let pair = ("asterisk.uniqueid".to_string(), leg.uniqueid.clone());
        if !leg.uniqueid.is_empty() && !external_ids.contains(&pair) {
            external_ids.push(pair);
        }
    }
    let recording = find_recording(legs, &external_ids, recordings, out);
    let call = CallRecord {
        call_id: key.to_string(),
        started_at: first.start?,
        rep,
        direction,
        phone: super::values::phone_field(&[&phone], ctx.country()),
        duration_ms: Some(answered_legs.iter().map(|l| l.billsec).max().unwrap_or(0) * 1000),
        recording,
        contact_id: None,
        deal_id: None,
        external_ids,
        answered: Some(!answered_legs.is_empty()),
        script: None,
        channel_layout: None,
        read_at: Some(SourceLine {
            file: first.file.clone(),
            line: first.line,
        }),
    };
    Some((call, ext))
}

/// `"Ольга" <89123456789>` → `89123456789`.
fn clid_number(clid: &str) -> Option<&str> {
    let (_, rest) = clid.rsplit_once('<')?;
    rest.strip_suffix('>').filter(|n| !n.is_empty())
}

fn find_recording(
    legs: &[Leg],
    ids: &[(String, String)],
    recordings: &RecordingIndex,
    out: &mut Parsed,
) -> Option<String> {
    for leg in legs {
        for named in [&leg.recordingfile, &leg.userfield] {
            if named.is_empty() || !named.contains('.') {
                continue;
            }
            if let Some(found) = recordings.by_file(named) {
                return Some(found.to_string());
            }
            if !leg.recordingfile.is_empty() && named == &leg.recordingfile {
                out.warnings.push(Problem::for_record(
                    &leg.file,
                    leg.line,
                    &leg.uniqueid,
                    format!("field `recordingfile`: {named:?} is not in the batch folder"),
                ));
            }
        }
    }
    ids.iter()
        .find_map(|(_, id)| recordings.by_uniqueid(id).map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_give_the_extension() {
        assert_eq!(peer("SIP/101-0000001a"), Some("101"));
        assert_eq!(peer("PJSIP/102-00000005"), Some("102"));
        assert_eq!(peer("Local/103@from-queue-00000002;1"), Some("103"));
        assert_eq!(peer("PJSIP/trunk-mts-00000012"), Some("trunk-mts"));
        assert_eq!(peer(""), None);
        assert_eq!(clid_number("\"Ольга\" <89123456789>"), Some("89123456789"));
    }
}
