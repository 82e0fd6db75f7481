//! The weekly plan: which calls are reviewed, why, and by whom.
//!
//! The draw must be one a client can trust and re-derive: random, so reps
//! cannot game it, but reproducible from a seed, independent of any crate's
//! random number generator, and stable when more calls of the same week
//! arrive after it was drawn. So every call gets a permanent rank, the
//! first 8 bytes of SHA-256 over `seed`, a zero byte and the call id, and
//! within each stratum (rep and bucket) the calls with the smallest ranks
//! are drawn. Drawing again with the previous plan keeps every call already
//! drawn and only fills what is still missing, so a late call can never
//! push out one a reviewer may already be listening to.
//!
//! The email bucket is drawn the same way, by the same seed, over the reps'
//! outgoing emails of the week: an email's rank is the same hash over its
//! Message-ID.

use super::reps::{RepProfile, RepStanding, rep_key};
use super::sampling::{Bucket, Period, SamplingRules};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Raised when the draw itself changes; stored with every plan.
pub const ALGORITHM_VERSION: u32 = 1;

/// A call as the plan sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub call_id: String,
    pub rep: String,
    /// The call's own local date (the week it belongs to).
    pub day: chrono::NaiveDate,
    pub duration_ms: u64,
    /// The audio analysis' flag codes; `None` when not analysed yet.
    pub flags: Option<Vec<String>>,
}

/// A rep's outgoing email as the plan sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailCandidate {
    pub message_id: String,
    pub rep: String,
    /// The email's sent date in its own offset (the week it belongs to).
    pub day: chrono::NaiveDate,
}

/// Why a call or an email is in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Reason {
    /// The rep's base quota for the bucket.
    Quota,
    /// An extra quality call for a newcomer.
    Newcomer,
    /// An extra quality call for a rep under plan.
    UnderPlan,
    /// The analysis flagged the call: always a telephony check.
    Flagged { flags: Vec<String> },
    /// Drawn in place of a call a reviewer could not review.
    Replacement { replaces: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub call_id: String,
    pub rep: String,
    pub bucket: Bucket,
    pub reason: Reason,
    /// The permanent rank the draw ordered by.
    pub rank: u64,
    /// Set when a reviewer replaced this call: why. Kept in the plan.
    pub replaced: Option<String>,
    pub reviewer: Option<String>,
}

/// An email of the plan's email bucket. Emails are not replaced: a rep's
/// week rarely lacks another email, and the reviewer can take any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailEntry {
    pub message_id: String,
    pub rep: String,
    pub reason: Reason,
    pub rank: u64,
    pub reviewer: Option<String>,
}

/// A rep with fewer eligible calls (or emails) than the quota: all were drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub rep: String,
    pub bucket: Bucket,
    pub wanted: usize,
    pub drawn: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub period: Period,
    pub seed: String,
    pub rules_version: u32,
    pub algorithm: u32,
    pub entries: Vec<Entry>,
    /// The email bucket; plans drawn before it have none.
    #[serde(default)]
    pub emails: Vec<EmailEntry>,
    pub shortfalls: Vec<Shortfall>,
    /// Reps with calls in the period but not in the roster: planned with
    /// the default quota.
    pub unrostered: Vec<String>,
    /// Calls of the period not analysed yet: their flags are unknown.
    pub not_analysed: usize,
}

impl Plan {
    /// Entries still to be reviewed (not replaced).
    pub fn active(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.replaced.is_none())
    }
}

/// The permanent rank of a call under a seed.
pub fn rank(seed: &str, call_id: &str) -> u64 {
    let mut hash = Sha256::new();
    hash.update(seed.as_bytes());
    hash.update([0]);
    hash.update(call_id.as_bytes());
    let digest = hash.finalize();
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// One rep's calls by bucket, each with its rank.
type Strata<'a> = BTreeMap<Bucket, Vec<(u64, &'a Candidate)>>;

/// The call's flags that send it to the telephony queue.
fn flags_that_count(rules: &SamplingRules, call: &Candidate) -> Vec<String> {
    call.flags
        .iter()
        .flatten()
        .filter(|f| rules.always_telephony.flags.contains(f))
        .cloned()
        .collect()
}

fn flagged(rules: &SamplingRules, call: &Candidate) -> bool {
    !flags_that_count(rules, call).is_empty()
}

/// The roster by [`rep_key`].
fn roster_by_key(roster: &[RepProfile]) -> HashMap<String, &RepProfile> {
    roster.iter().map(|r| (rep_key(&r.rep), r)).collect()
}

/// A rep's standing in `period`; a rep not in the roster is added to the
/// plan's unrostered reps (once) and gets the default quota.
fn standing_of(
    plan: &mut Plan,
    roster: &HashMap<String, &RepProfile>,
    key: &str,
    name: &str,
    rules: &SamplingRules,
) -> RepStanding {
    match roster.get(key) {
        Some(profile) => profile.standing(
            plan.period.start(),
            rules.newcomer_days,
            rules.under_plan_below_pct,
        ),
        None => {
            if !plan.unrostered.iter().any(|r| rep_key(r) == key) {
                plan.unrostered.push(name.to_string());
            }
            RepStanding {
                unrostered: true,
                ..RepStanding::default()
            }
        }
    }
}

/// Why each of a rep's draws is in the plan: the base quota, then the
/// extras the rep's standing earns.
fn quota_reasons(base: u32, standing: &RepStanding, newcomer: u32, under_plan: u32) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = (0..base).map(|_| Reason::Quota).collect();
    if standing.newcomer {
        reasons.extend((0..newcomer).map(|_| Reason::Newcomer));
    }
    if standing.under_plan {
        reasons.extend((0..under_plan).map(|_| Reason::UnderPlan));
    }
    reasons
}

/// One stratum's draws still missing after `already`: the pool's smallest
/// ranks (ties by id) not taken by another stratum, each with the reason
/// of its place, until `reasons` are used up.
fn fill<'a, T>(
    mut pool: Vec<(u64, &'a T)>,
    id: impl Fn(&T) -> &String,
    reasons: &[Reason],
    already: usize,
    taken: &mut HashSet<String>,
) -> Vec<(u64, &'a T, Reason)> {
    pool.sort_by(|a, b| (a.0, id(a.1)).cmp(&(b.0, id(b.1))));
    let mut picked = Vec::new();
    for (rank, item) in pool {
        let Some(reason) = reasons.get(already + picked.len()) else {
            break;
        };
        if taken.insert(id(item).clone()) {
            picked.push((rank, item, reason.clone()));
        }
    }
    picked
}

/// Draw the plan of `period`, keeping what `previous` (the same period's
/// stored plan) already holds.
pub fn draw(
    period: Period,
    seed: &str,
    rules: &SamplingRules,
    roster: &[RepProfile],
    calls: &[Candidate],
    previous: Option<&Plan>,
) -> Plan {
    let roster = roster_by_key(roster);
    let mut plan = Plan {
        period,
        seed: seed.to_string(),
        rules_version: rules.version,
        algorithm: ALGORITHM_VERSION,
        entries: previous.map(|p| p.entries.clone()).unwrap_or_default(),
        emails: previous.map(|p| p.emails.clone()).unwrap_or_default(),
        shortfalls: Vec::new(),
        unrostered: Vec::new(),
        not_analysed: 0,
    };
    let mut taken: HashSet<String> = plan.entries.iter().map(|e| e.call_id.clone()).collect();
    // Strata: rep key -> (a name as written, bucket -> ranked calls).
    let mut strata: BTreeMap<String, (String, Strata<'_>)> = BTreeMap::new();
    for call in calls.iter().filter(|c| period.contains(c.day)) {
        if call.flags.is_none() {
            plan.not_analysed += 1;
        }
        let flagged = flags_that_count(rules, call);
        let (_, by_bucket) = strata
            .entry(rep_key(&call.rep))
            .or_insert_with(|| (call.rep.clone(), BTreeMap::new()));
        if !flagged.is_empty() {
            if taken.insert(call.call_id.clone()) {
                plan.entries.push(Entry {
                    call_id: call.call_id.clone(),
                    rep: call.rep.clone(),
                    bucket: Bucket::Telephony,
                    reason: Reason::Flagged { flags: flagged },
                    rank: rank(seed, &call.call_id),
                    replaced: None,
                    reviewer: None,
                });
            }
            continue;
        }
        let bucket = rules.bucket(call.duration_ms);
        if bucket != Bucket::None {
            by_bucket
                .entry(bucket)
                .or_default()
                .push((rank(seed, &call.call_id), call));
        }
    }
    for (key, (name, mut by_bucket)) in strata {
        let standing = standing_of(&mut plan, &roster, &key, &name, rules);
        for bucket in [Bucket::Quality, Bucket::Telephony] {
            let reasons = match bucket {
                Bucket::Quality => quota_reasons(
                    rules.quota.quality,
                    &standing,
                    rules.extra_quality.newcomer,
                    rules.extra_quality.under_plan,
                ),
                _ => quota_reasons(rules.quota.telephony, &standing, 0, 0),
            };
            let wanted = reasons.len();
            let already = plan
                .entries
                .iter()
                // A flagged call is a check of the rep's line: it counts
                // toward the telephony quota.
                .filter(|e| rep_key(&e.rep) == key && e.bucket == bucket && e.replaced.is_none())
                .count();
            let pool = by_bucket.remove(&bucket).unwrap_or_default();
            let picked = fill(pool, |c| &c.call_id, &reasons, already, &mut taken);
            let drawn = already + picked.len();
            plan.entries
                .extend(picked.into_iter().map(|(rank, call, reason)| Entry {
                    call_id: call.call_id.clone(),
                    rep: call.rep.clone(),
                    bucket,
                    reason,
                    rank,
                    replaced: None,
                    reviewer: None,
                }));
            if drawn < wanted {
                plan.shortfalls.push(Shortfall {
                    rep: name.clone(),
                    bucket,
                    wanted,
                    drawn,
                });
            }
        }
    }
    plan.entries.sort_by(|a, b| {
        (rep_key(&a.rep), a.bucket, a.rank).cmp(&(rep_key(&b.rep), b.bucket, b.rank))
    });
    plan
}

/// Fill the plan's email bucket from the reps' outgoing `emails`: per rep,
/// the emails of the period with the smallest ranks under the plan's seed,
/// up to the rep's email quota; a rep with fewer gets all (a shortfall).
/// Emails the plan already holds stay, as calls do.
pub fn draw_emails(
    plan: &mut Plan,
    rules: &SamplingRules,
    roster: &[RepProfile],
    emails: &[EmailCandidate],
) {
    let roster = roster_by_key(roster);
    let mut taken: HashSet<String> = plan.emails.iter().map(|e| e.message_id.clone()).collect();
    // Rep key -> (a name as written, ranked emails).
    type RankedEmails<'a> = (String, Vec<(u64, &'a EmailCandidate)>);
    let mut by_rep: BTreeMap<String, RankedEmails<'_>> = BTreeMap::new();
    for email in emails.iter().filter(|e| plan.period.contains(e.day)) {
        by_rep
            .entry(rep_key(&email.rep))
            .or_insert_with(|| (email.rep.clone(), Vec::new()))
            .1
            .push((rank(&plan.seed, &email.message_id), email));
    }
    for (key, (name, pool)) in by_rep {
        let standing = standing_of(plan, &roster, &key, &name, rules);
        let q = rules.email;
        let reasons = quota_reasons(q.quota, &standing, q.newcomer, q.under_plan);
        let wanted = reasons.len();
        let already = plan
            .emails
            .iter()
            .filter(|e| rep_key(&e.rep) == key)
            .count();
        let picked = fill(pool, |e| &e.message_id, &reasons, already, &mut taken);
        let drawn = already + picked.len();
        plan.emails
            .extend(picked.into_iter().map(|(rank, email, reason)| EmailEntry {
                message_id: email.message_id.clone(),
                rep: email.rep.clone(),
                reason,
                rank,
                reviewer: None,
            }));
        if drawn < wanted {
            plan.shortfalls.push(Shortfall {
                rep: name,
                bucket: Bucket::Email,
                wanted,
                drawn,
            });
        }
    }
    plan.emails.sort_by_key(|e| (rep_key(&e.rep), e.rank));
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplaceError {
    #[error("{0} is not in the plan (or was replaced already)")]
    NotInPlan(String),
    #[error("a replacement needs a reason")]
    NoReason,
}

/// Take the planned email `message_id` out of `plan` (why: `reason`) and
/// draw the rep's next outgoing email of the week in its place, at its
/// place in the plan and for its reviewer, as a replaced call is: the
/// lowest rank under the plan's seed among the rep's emails of the week
/// not in the plan (`emails` holds no email replaced before). Returns the
/// email's rep and its replacement, if the rep had one left.
pub fn replace_email(
    plan: &mut Plan,
    message_id: &str,
    reason: &str,
    emails: &[EmailCandidate],
) -> Result<(String, Option<String>), ReplaceError> {
    if reason.trim().is_empty() {
        return Err(ReplaceError::NoReason);
    }
    let Some(index) = plan.emails.iter().position(|e| e.message_id == message_id) else {
        return Err(ReplaceError::NotInPlan(message_id.to_string()));
    };
    let old = plan.emails.remove(index);
    let rep = rep_key(&old.rep);
    let next = emails
        .iter()
        .filter(|e| plan.period.contains(e.day) && rep_key(&e.rep) == rep)
        .filter(|e| e.message_id != message_id)
        .filter(|e| !plan.emails.iter().any(|p| p.message_id == e.message_id))
        .map(|e| (rank(&plan.seed, &e.message_id), e))
        .min_by(|a, b| (a.0, &a.1.message_id).cmp(&(b.0, &b.1.message_id)));
    let replaced_by = next.map(|(rank, e)| {
        plan.emails.insert(
            index,
            EmailEntry {
                message_id: e.message_id.clone(),
                rep: e.rep.clone(),
                reason: Reason::Replacement {
                    replaces: message_id.to_string(),
                },
                rank,
                reviewer: old.reviewer.clone(),
            },
        );
        e.message_id.clone()
    });
    Ok((old.rep, replaced_by))
}

/// A reviewer cannot review a drawn call (wrong language, a fax): mark it
/// replaced with the reason and draw the next call of the same stratum by
/// the same order. Returns the replacement, if the stratum had one left.
pub fn replace(
    plan: &mut Plan,
    call_id: &str,
    reason: &str,
    rules: &SamplingRules,
    calls: &[Candidate],
) -> Result<Option<String>, ReplaceError> {
    if reason.trim().is_empty() {
        return Err(ReplaceError::NoReason);
    }
    let Some(index) = plan
        .entries
        .iter()
        .position(|e| e.call_id == call_id && e.replaced.is_none())
    else {
        return Err(ReplaceError::NotInPlan(call_id.to_string()));
    };
    plan.entries[index].replaced = Some(reason.trim().to_string());
    let (rep, bucket, reviewer) = {
        let e = &plan.entries[index];
        (rep_key(&e.rep), e.bucket, e.reviewer.clone())
    };
    let taken: HashSet<&str> = plan.entries.iter().map(|e| e.call_id.as_str()).collect();
    let next = calls
        .iter()
        .filter(|c| plan.period.contains(c.day) && rep_key(&c.rep) == rep)
        .filter(|c| !taken.contains(c.call_id.as_str()))
        .filter(|c| !flagged(rules, c) && rules.bucket(c.duration_ms) == bucket)
        .map(|c| (rank(&plan.seed, &c.call_id), c))
        .min_by(|a, b| (a.0, &a.1.call_id).cmp(&(b.0, &b.1.call_id)));
    let Some((rank, call)) = next else {
        return Ok(None);
    };
    plan.entries.push(Entry {
        call_id: call.call_id.clone(),
        rep: call.rep.clone(),
        bucket,
        reason: Reason::Replacement {
            replaces: call_id.to_string(),
        },
        rank,
        replaced: None,
        reviewer,
    });
    Ok(Some(call.call_id.clone()))
}

/// Split the plan's calls among reviewers, balanced by audio minutes,
/// keeping each rep with one reviewer (the same ears judge the same rep):
/// reps from the most minutes down, each to the reviewer with the least so
/// far. Calls already assigned to a reviewer in the list keep them, and a
/// call drawn later goes to the reviewer who already has its rep.
pub fn assign(plan: &mut Plan, reviewers: &[String], duration_ms: &HashMap<String, u64>) {
    if reviewers.is_empty() {
        return;
    }
    let mut load: BTreeMap<&str, u64> = reviewers.iter().map(|r| (r.as_str(), 0)).collect();
    let minutes = |e: &Entry| duration_ms.get(&e.call_id).copied().unwrap_or(0);
    let mut rep_reviewer: HashMap<String, String> = HashMap::new();
    for e in plan.active() {
        if let Some(r) = e.reviewer.as_deref().filter(|r| load.contains_key(r)) {
            *load.get_mut(r).expect("known") += minutes(e);
            rep_reviewer.insert(rep_key(&e.rep), r.to_string());
        }
    }
    let mut by_rep: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in plan.entries.iter_mut().enumerate() {
        let kept = e.reviewer.as_deref().is_some_and(|r| load.contains_key(r));
        if e.replaced.is_some() || kept {
            continue;
        }
        match rep_reviewer.get(&rep_key(&e.rep)) {
            Some(r) => {
                *load.get_mut(r.as_str()).expect("known") +=
                    duration_ms.get(&e.call_id).copied().unwrap_or(0);
                e.reviewer = Some(r.clone());
            }
            None => by_rep.entry(rep_key(&e.rep)).or_default().push(i),
        }
    }
    let mut groups: Vec<(u64, String, Vec<usize>)> = by_rep
        .into_iter()
        .map(|(rep, idx)| {
            let minutes = idx
                .iter()
                .map(|&i| {
                    duration_ms
                        .get(&plan.entries[i].call_id)
                        .copied()
                        .unwrap_or(0)
                })
                .sum();
            (minutes, rep, idx)
        })
        .collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (minutes, _, idx) in groups {
        let (reviewer, total) = load
            .iter_mut()
            .min_by_key(|(name, total)| (**total, **name))
            .expect("at least one reviewer");
        *total += minutes;
        let reviewer = reviewer.to_string();
        for i in idx {
            plan.entries[i].reviewer = Some(reviewer.clone());
        }
    }
    assign_emails(plan, reviewers);
}

/// The email bucket's share of [`assign`]: an email goes to whoever
/// reviews its rep's calls (the same eyes judge the same rep), else to the
/// reviewer with the fewest emails so far; an email kept by a reviewer in
/// the list stays theirs.
fn assign_emails(plan: &mut Plan, reviewers: &[String]) {
    let mut rep_reviewer: HashMap<String, String> = HashMap::new();
    for e in plan.active() {
        if let Some(r) = e.reviewer.as_ref().filter(|r| reviewers.contains(r)) {
            rep_reviewer
                .entry(rep_key(&e.rep))
                .or_insert_with(|| r.clone());
        }
    }
    let mut emails: BTreeMap<&str, usize> = reviewers.iter().map(|r| (r.as_str(), 0)).collect();
    for e in &plan.emails {
        if let Some(count) = e.reviewer.as_deref().and_then(|r| emails.get_mut(r)) {
            *count += 1;
        }
    }
    for e in &mut plan.emails {
        if e.reviewer.as_ref().is_some_and(|r| reviewers.contains(r)) {
            continue;
        }
        let key = rep_key(&e.rep);
        let reviewer = match rep_reviewer.get(&key) {
            Some(r) => r.clone(),
            None => {
                let Some((fewest, _)) = emails.iter().min_by_key(|(name, n)| (**n, **name)) else {
                    return;
                };
                let fewest = fewest.to_string();
                rep_reviewer.insert(key, fewest.clone());
                fewest
            }
        };
        *emails
            .get_mut(reviewer.as_str())
            .expect("a listed reviewer") += 1;
        e.reviewer = Some(reviewer);
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
