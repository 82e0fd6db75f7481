//! The demo's reviewed history (`assets/demo/reviews.toml`): without it a
//! fresh `callqa demo` has no reviews, so every results view is empty. The
//! file is written by hand; it goes in through the store's own review
//! functions (start, answer, comment, evidence, time spent, submit), so the
//! demo's reviews are exactly what a reviewer at the workstation would have
//! left, history events included.

use crate::domain::email_checks::DEFAULT_EMAIL_CHECKLIST_TOML;
use crate::domain::{AnswerValue, Checklist};
use crate::store::{AnswerChange, ReviewerPlace, Subject, Workspace};
use anyhow::Context;
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoReviews {
    reviewer: String,
    checklist: String,
    #[serde(default)]
    reviews: Vec<DemoReview>,
    #[serde(default)]
    best_calls: Vec<DemoBestCall>,
    /// Reviews of the reps' emails, with the bundled email checklist.
    #[serde(default)]
    email_reviews: Vec<DemoEmailReview>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoEmailReview {
    message: String,
    minutes: u32,
    #[serde(default)]
    yes: Vec<String>,
    #[serde(default)]
    na: Vec<String>,
    #[serde(default)]
    no: Vec<Failed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoReview {
    call: String,
    minutes: u32,
    #[serde(default)]
    yes: Vec<String>,
    #[serde(default)]
    na: Vec<String>,
    #[serde(default)]
    no: Vec<Failed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Failed {
    item: String,
    /// A call's moment.
    at: Option<String>,
    /// An email's line, quoted as the evidence.
    quote: Option<String>,
    comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoBestCall {
    call: String,
    at: String,
    reason: String,
}

/// `m:ss` (or `h:mm:ss`) to milliseconds.
fn moment_ms(text: &str) -> anyhow::Result<u64> {
    let seconds = text.split(':').try_fold(0u64, |total, part| {
        let part: u64 = part.trim().parse().ok().filter(|_| part.len() <= 2)?;
        Some(total * 60 + part)
    });
    seconds
        .filter(|_| text.contains(':'))
        .map(|s| s * 1000)
        .with_context(|| format!("moment {text:?}: write it like 1:08"))
}

/// One item of a review: its answer, and for a failure its evidence
/// (a call's moment, an email's quoted line) and the comment.
type ItemAnswer = (String, AnswerValue, Option<(AnswerChange, String)>);

/// What a review says (`yes`, `na`, `no` of its entry), item by item,
/// after checking every item of the checklist is answered once.
fn answers(
    yes: &[String],
    na: &[String],
    no: &[Failed],
    checklist: &Checklist,
) -> anyhow::Result<Vec<ItemAnswer>> {
    let mut out = Vec::new();
    for item in yes {
        out.push((item.clone(), AnswerValue::Yes, None));
    }
    for item in na {
        out.push((item.clone(), AnswerValue::Na, None));
    }
    for failed in no {
        let evidence = match &failed.quote {
            Some(quote) => AnswerChange::Quote(Some(quote.clone())),
            None => AnswerChange::Evidence(failed.at.as_deref().map(moment_ms).transpose()?),
        };
        out.push((
            failed.item.clone(),
            AnswerValue::No,
            Some((evidence, failed.comment.clone())),
        ));
    }
    let known: HashSet<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
    let mut seen = HashSet::new();
    for (item, _, _) in &out {
        anyhow::ensure!(known.contains(item.as_str()), "unknown item {item:?}");
        anyhow::ensure!(seen.insert(item.as_str()), "item {item:?} answered twice");
    }
    let missing: Vec<&str> = known.difference(&seen).copied().collect();
    anyhow::ensure!(missing.is_empty(), "items not answered: {missing:?}");
    Ok(out)
}

/// The first call of the demo's current week (2026-W48): the weeks before
/// it are the colleague's history, so the demo opens here.
pub const FIRST_CALL_OF_THE_WEEK: &str = "call-001";

/// Make `reviewer` start at [`FIRST_CALL_OF_THE_WEEK`], as if they had
/// left off there.
pub fn open_on_the_current_week(ws: &Workspace, reviewer: &str) -> anyhow::Result<()> {
    let place = ReviewerPlace {
        call_id: Some(FIRST_CALL_OF_THE_WEEK.to_string()),
        ..Default::default()
    };
    Ok(ws.save_place(reviewer, &place)?)
}

/// Apply the demo's reviews to `ws`, which must hold the demo calls and no
/// review yet (so a second run, or a workspace someone already works in,
/// is refused rather than doubled). Returns how many reviews were submitted.
pub fn apply(ws: &mut Workspace, toml_text: &str) -> anyhow::Result<usize> {
    let demo: DemoReviews =
        toml::from_str(toml_text).context("assets/demo/reviews.toml cannot be read")?;
    let checklist = Checklist::default_sales_call();
    anyhow::ensure!(
        demo.checklist == checklist.id,
        "assets/demo/reviews.toml: checklist {:?}, the bundled one is {:?}",
        demo.checklist,
        checklist.id
    );
    anyhow::ensure!(
        !ws.has_reviews()?,
        "the demo reviews go into a fresh demo workspace only; this one already has reviews"
    );
    for review in &demo.reviews {
        let context = || format!("assets/demo/reviews.toml: review of {}", review.call);
        let answers =
            answers(&review.yes, &review.na, &review.no, &checklist).with_context(context)?;
        ws.call(&review.call).with_context(context)?;
        let subject = Subject::Call(review.call.clone());
        submit(
            ws,
            &subject,
            &demo.reviewer,
            &checklist,
            answers,
            review.minutes,
        )?;
    }
    let email = Checklist::from_toml(DEFAULT_EMAIL_CHECKLIST_TOML, "assets/checklists/email.toml")?;
    if !demo.email_reviews.is_empty() {
        ws.ensure_checklist(&email, DEFAULT_EMAIL_CHECKLIST_TOML)?;
    }
    for review in &demo.email_reviews {
        let context = || format!("assets/demo/reviews.toml: review of {}", review.message);
        let answers = answers(&review.yes, &review.na, &review.no, &email).with_context(context)?;
        anyhow::ensure!(
            ws.email(&review.message)?.is_some(),
            "{}: no such email in the demo",
            context()
        );
        let subject = Subject::Email(review.message.clone());
        submit(
            ws,
            &subject,
            &demo.reviewer,
            &email,
            answers,
            review.minutes,
        )?;
    }
    for best in &demo.best_calls {
        let at = moment_ms(&best.at)
            .with_context(|| format!("assets/demo/reviews.toml: best call {}", best.call))?;
        ws.mark_best_call(&best.call, &demo.reviewer, &best.reason, at)?;
    }
    Ok(demo.reviews.len() + demo.email_reviews.len())
}

/// Enter one review as a reviewer would, and submit it.
fn submit(
    ws: &mut Workspace,
    subject: &Subject,
    reviewer: &str,
    checklist: &Checklist,
    answers: Vec<ItemAnswer>,
    minutes: u32,
) -> anyhow::Result<()> {
    let id = ws
        .start_review_of(subject, reviewer, checklist, Vec::new())?
        .review_id;
    for (item, value, failed) in answers {
        ws.change_answer(id, checklist, &item, AnswerChange::Value(Some(value)))?;
        if let Some((evidence, comment)) = failed {
            ws.change_answer(id, checklist, &item, AnswerChange::Comment(Some(comment)))?;
            ws.change_answer(id, checklist, &item, evidence)?;
        }
    }
    ws.add_time_spent(id, u64::from(minutes) * 60_000)?;
    ws.submit_review(id, checklist)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::moment_ms;

    #[test]
    fn moments_read_as_minutes_and_seconds() {
        assert_eq!(moment_ms("0:04").unwrap(), 4_000);
        assert_eq!(moment_ms("1:08").unwrap(), 68_000);
        assert_eq!(moment_ms("1:00:01").unwrap(), 3_601_000);
        for bad in ["68", "1:x", "", "1:080", ":"] {
            assert!(moment_ms(bad).is_err(), "{bad}");
        }
    }
}
