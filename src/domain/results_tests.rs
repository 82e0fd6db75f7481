use super::*;
use crate::domain::mystery::{Channel, Visit};
use crate::domain::review::AnswerValue::{Na, No, Yes};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A quality review of `rep` on `date` with these answers.
fn review(rep: &str, date: &str, answers: &[(&str, AnswerValue)]) -> ReviewFact {
    let answers: Vec<ItemAnswer> = answers
        .iter()
        .map(|(id, value)| ItemAnswer {
            item_id: id.to_string(),
            value: *value,
            comment: (*value == No).then(|| format!("{id} missed")),
            evidence_ms: (*value == No).then_some(65_000),
            evidence_text: None,
        })
        .collect();
    let yes = answers.iter().filter(|a| a.value == Yes).count() as f64;
    let answered = answers.iter().filter(|a| a.value != Na).count() as f64;
    ReviewFact {
        call_id: format!("{rep}-{date}-{}", answers.len()),
        channel: Channel::Call,
        rep: rep.into(),
        reviewer: "olga".into(),
        day: day(date),
        started_at: format!("{date}T10:00:00+03:00"),
        kind: ReviewKind::Quality,
        score: (answered > 0.0).then(|| 100.0 * yes / answered),
        critical_failed: false,
        time_spent_ms: 60_000,
        answers,
        audio: AudioFigures::default(),
    }
}

fn week(text: &str) -> Period {
    Period::parse(text).unwrap()
}

fn repeated(history: &[ReviewFact]) -> Vec<(String, String, String, RepeatedWhy)> {
    let rule = ResultRules::defaults().repeated;
    let refs: Vec<&ReviewFact> = history.iter().collect();
    repeated_errors(rule, &refs)
        .into_iter()
        .map(|e| (e.rep, e.item_id, e.week.to_string(), e.why))
        .collect()
}

// 2026-W47: 16-22 Nov, W48: 23-29 Nov, W49: 30 Nov - 6 Dec.

#[test]
fn two_failures_in_one_week_are_a_repeated_error() {
    let history = [
        review("Анна", "2026-11-23", &[("greeting", No), ("summary", Yes)]),
        review("Анна", "2026-11-25", &[("greeting", No), ("summary", No)]),
    ];
    assert_eq!(
        repeated(&history),
        [(
            "Анна".into(),
            "greeting".into(),
            "2026-W48".into(),
            RepeatedWhy::WithinWeek
        )]
    );
}

#[test]
fn a_failure_in_consecutive_weeks_is_repeated_in_the_later_week_only() {
    let history = [
        review("Анна", "2026-11-20", &[("summary", No)]),
        review("Анна", "2026-11-24", &[("summary", No)]),
        // W50 after a week with no failure of it: not repeated.
        review("Анна", "2026-12-08", &[("summary", No)]),
    ];
    let found = repeated(&history);
    assert_eq!(
        found,
        [(
            "Анна".into(),
            "summary".into(),
            "2026-W48".into(),
            RepeatedWhy::ConsecutiveWeeks
        )]
    );
    let rule = ResultRules::defaults().repeated;
    let refs: Vec<&ReviewFact> = history.iter().collect();
    let error = &repeated_errors(rule, &refs)[0];
    let calls: Vec<&str> = error
        .occurrences
        .iter()
        .map(|o| o.call_id.as_str())
        .collect();
    assert_eq!(
        calls,
        [history[0].call_id.as_str(), history[1].call_id.as_str()]
    );
    assert_eq!(error.occurrences[1].evidence_ms, Some(65_000));
    assert_eq!(
        error.occurrences[1].comment.as_deref(),
        Some("summary missed")
    );
}

#[test]
fn other_reps_other_items_and_passes_do_not_make_a_repeat() {
    let history = [
        review("Анна", "2026-11-23", &[("greeting", No), ("summary", Yes)]),
        review("Борис", "2026-11-24", &[("greeting", No)]),
        review("Анна", "2026-11-25", &[("summary", No), ("greeting", Yes)]),
        review("Анна", "2026-11-26", &[("greeting", Na)]),
    ];
    assert!(repeated(&history).is_empty(), "{:?}", repeated(&history));
}

#[test]
fn the_same_rep_spelled_differently_is_one_rep() {
    let history = [
        review("Пётр Иванов", "2026-11-23", &[("greeting", No)]),
        review("петр  иванов", "2026-11-24", &[("greeting", No)]),
    ];
    assert_eq!(repeated(&history).len(), 1);
}

#[test]
fn thresholds_come_from_the_rules() {
    let history = [
        review("Анна", "2026-11-20", &[("summary", No)]),
        review("Анна", "2026-11-24", &[("summary", No)]),
        review("Анна", "2026-11-25", &[("summary", No)]),
    ];
    let text = DEFAULT_RESULTS_TOML
        .replace("min_failures_in_week = 2", "min_failures_in_week = 3")
        .replace("consecutive_weeks = true", "consecutive_weeks = false");
    let rules = ResultRules::from_toml(&text, "results.toml").unwrap();
    let refs: Vec<&ReviewFact> = history.iter().collect();
    assert!(repeated_errors(rules.repeated, &refs).is_empty());
    let text = text.replace("consecutive_weeks = false", "consecutive_weeks = true");
    let rules = ResultRules::from_toml(&text, "results.toml").unwrap();
    let found = repeated_errors(rules.repeated, &refs);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].why, RepeatedWhy::ConsecutiveWeeks);
    assert_eq!(found[0].occurrences.len(), 3);
}

#[test]
fn streak_counts_reviewed_weeks_back_to_the_last_repeat() {
    let w = |n: u32| Period {
        year: 2026,
        week: n,
    };
    // Reviewed in W44..W48 except W46; repeated in W45.
    let reviewed = [w(44), w(45), w(47), w(48), w(48)];
    assert_eq!(weeks_without_repeated(&reviewed, &[w(45)], w(48)), 2);
    assert_eq!(weeks_without_repeated(&reviewed, &[w(48)], w(48)), 0);
    assert_eq!(weeks_without_repeated(&reviewed, &[], w(48)), 4);
    // Weeks after the report's last week are not looked at.
    assert_eq!(weeks_without_repeated(&reviewed, &[w(45)], w(44)), 1);
    assert_eq!(weeks_without_repeated(&[], &[], w(48)), 0);
}

fn inputs<'a>(
    rules: &'a ResultRules,
    order: &'a [String],
    planned: &'a HashMap<String, u32>,
) -> Inputs<'a> {
    Inputs {
        rules,
        span: Span::week(week("2026-W48")),
        trend_weeks: 3,
        item_order: order,
        email_item_order: &[],
        planned,
    }
}

#[test]
fn the_report_figures_on_a_hand_made_history() {
    let rules = ResultRules::defaults();
    let order: Vec<String> = ["greeting", "summary", "crm_matches"]
        .map(String::from)
        .to_vec();
    let mut planned = HashMap::new();
    planned.insert(rep_key("Борис"), 5);
    let mut critical = review("Анна", "2026-11-26", &[("crm_matches", No)]);
    critical.critical_failed = true;
    critical.score = Some(0.0);
    let mut telephony = review("Анна", "2026-11-26", &[("audible", No)]);
    telephony.kind = ReviewKind::Telephony;
    telephony.score = Some(0.0);
    let mut with_audio = review(
        "Борис",
        "2026-11-24",
        &[("greeting", Yes), ("summary", Yes)],
    );
    with_audio.audio = AudioFigures {
        talk_share_rep: Some(0.6),
        longest_monologue_ms: Some(30_000),
        dead_air_ms: Some(4_000),
    };
    let history = [
        // W47: Анна fails summary once.
        review("Анна", "2026-11-18", &[("greeting", Yes), ("summary", No)]),
        // W48
        review("Анна", "2026-11-23", &[("greeting", Yes), ("summary", No)]),
        critical,
        telephony,
        with_audio,
        review("Борис", "2026-11-25", &[("greeting", No), ("summary", Yes)]),
        // After the span: ignored.
        review("Анна", "2026-12-01", &[("greeting", No)]),
    ];
    let r = results(&inputs(&rules, &order, &planned), &history);
    assert_eq!(r.weeks, [week("2026-W48")]);
    assert_eq!(
        r.trend_weeks,
        [week("2026-W46"), week("2026-W47"), week("2026-W48")]
    );
    assert_eq!(
        r.quality_reviews, 4,
        "the telephony review is not a quality review"
    );

    let names: Vec<&str> = r.reps.iter().map(|x| x.rep.as_str()).collect();
    assert_eq!(names, ["Анна", "Борис"]);
    let anna = &r.reps[0];
    assert_eq!(anna.reviews, 2);
    assert_eq!(anna.expected, 3, "no plan: the weekly default");
    assert_eq!(anna.average_score, Some(25.0), "(50 + 0) / 2");
    assert_eq!(anna.critical_failures, 1);
    assert_eq!(
        anna.top_failed,
        [("crm_matches".to_string(), 1), ("summary".to_string(), 1)]
    );
    assert_eq!(anna.repeated_errors, 1, "summary in W47 and W48");
    assert_eq!(anna.weeks_without_repeated, 0);
    assert_eq!(anna.trend, [None, Some(50.0), Some(25.0)]);
    assert_eq!(anna.time_spent_ms, 120_000);
    assert_eq!(anna.talk_share_rep, None);

    let boris = &r.reps[1];
    assert_eq!(boris.expected, 5, "the plan's number");
    assert_eq!(boris.average_score, Some(75.0));
    assert_eq!(boris.weeks_without_repeated, 1);
    assert_eq!(boris.talk_share_rep, Some(0.6));
    assert_eq!(boris.longest_monologue_ms, Some(30_000.0));

    let ids: Vec<&str> = r.items.iter().map(|i| i.item_id.as_str()).collect();
    assert_eq!(
        ids,
        ["greeting", "summary", "crm_matches"],
        "checklist order"
    );
    let greeting = &r.items[0];
    assert_eq!((greeting.team.answered, greeting.team.failed), (3, 1));
    assert_eq!(greeting.per_rep[0].share(), Some(0.0));
    assert_eq!(greeting.per_rep[1].share(), Some(0.5));
    let summary = &r.items[1];
    assert_eq!(summary.team.share(), Some(1.0 / 3.0));
    assert_eq!(summary.trend, [None, Some(1.0), Some(1.0 / 3.0)]);
    assert_eq!(summary.failures.len(), 1);

    assert_eq!(r.repeated.len(), 1);
    assert_eq!(r.repeated[0].item_id, "summary");
    assert_eq!(r.telephony.len(), 1);
    assert_eq!(r.telephony[0].reviews, 1);
    assert_eq!(r.telephony[0].failed, [("audible".to_string(), 1)]);
}

#[test]
fn an_empty_period_has_no_reps_and_no_items_answered() {
    let rules = ResultRules::defaults();
    let order = vec!["greeting".to_string()];
    let planned = HashMap::new();
    let history = [review("Анна", "2026-11-10", &[("greeting", No)])];
    let r = results(&inputs(&rules, &order, &planned), &history);
    assert!(r.reps.is_empty() && r.repeated.is_empty() && r.telephony.is_empty());
    assert_eq!(r.quality_reviews, 0);
    assert_eq!(r.items[0].team.share(), None);
}

#[test]
fn spans_and_weeks() {
    let span = Span {
        from: day("2026-11-20"),
        to: day("2026-12-01"),
    };
    assert_eq!(
        span.weeks(),
        [week("2026-W47"), week("2026-W48"), week("2026-W49")]
    );
    assert_eq!(
        trend_weeks(week("2026-W01"), 2),
        [week("2025-W52"), week("2026-W01")]
    );
    assert_eq!(previous_week(week("2027-W01")), week("2026-W53"));
}

#[test]
fn bad_rules_are_refused_with_the_key() {
    let refused = |text: &str| {
        ResultRules::from_toml(text, "results.toml")
            .unwrap_err()
            .to_string()
    };
    let typo = DEFAULT_RESULTS_TOML.replace("trend_weeks", "trend_wekes");
    assert!(refused(&typo).contains("trend_wekes"), "{}", refused(&typo));
    let one = DEFAULT_RESULTS_TOML.replace("min_failures_in_week = 2", "min_failures_in_week = 1");
    assert!(
        refused(&one).contains("min_failures_in_week"),
        "{}",
        refused(&one)
    );
    let bands = DEFAULT_RESULTS_TOML.replace("poor_below = 60", "poor_below = 90");
    assert!(
        refused(&bands).contains("poor_below"),
        "{}",
        refused(&bands)
    );
    assert!(refused("version = 1").starts_with("results.toml: "));
    let rules = ResultRules::defaults();
    assert_eq!(rules.score.band(80.0), Band::Good);
    assert_eq!(rules.score.band(59.9), Band::Poor);
    assert_eq!(rules.score.band(70.0), Band::Middling);
}

/// `review` as an email review of the email `id`, quoting `quote` for a
/// failed item.
fn email(rep: &str, date: &str, id: &str, answers: &[(&str, AnswerValue)]) -> ReviewFact {
    let mut r = review(rep, date, answers);
    r.call_id = id.into();
    r.channel = Channel::Email;
    r.kind = ReviewKind::Email;
    for a in &mut r.answers {
        a.evidence_ms = None;
        a.evidence_text = (a.value == No).then(|| format!("quoted for {}", a.item_id));
    }
    r
}

#[test]
fn emails_have_their_own_figures_and_repeat_across_emails_by_the_same_rule() {
    let rules = ResultRules::defaults();
    let order: Vec<String> = ["greeting", "summary"].map(String::from).to_vec();
    let email_order: Vec<String> = ["greeting_name", "signature"].map(String::from).to_vec();
    let planned = HashMap::new();
    let mut inputs = inputs(&rules, &order, &planned);
    inputs.email_item_order = &email_order;
    let mut shopper = review("Анна", "2026-11-24", &[("tone", No)]);
    shopper.kind = ReviewKind::Mystery;
    let history = [
        review("Анна", "2026-11-23", &[("greeting", Yes), ("summary", No)]),
        shopper,
        email(
            "Анна",
            "2026-11-24",
            "m1",
            &[("greeting_name", No), ("signature", Yes)],
        ),
        email(
            "Анна",
            "2026-11-26",
            "m2",
            &[("greeting_name", No), ("signature", No)],
        ),
        email(
            "Kate",
            "2026-11-25",
            "m3",
            &[("greeting_name", Yes), ("signature", Yes)],
        ),
    ];
    let r = results(&inputs, &history);
    assert_eq!(
        r.quality_reviews, 1,
        "emails and the shopper's review are not call reviews"
    );
    let ids: Vec<&str> = r.items.iter().map(|i| i.item_id.as_str()).collect();
    assert_eq!(
        ids,
        ["greeting", "summary"],
        "no email or shopper item among the calls'"
    );
    let reps: Vec<(&str, usize)> = r.reps.iter().map(|x| (x.rep.as_str(), x.reviews)).collect();
    assert_eq!(
        reps,
        [("Kate", 0), ("Анна", 1)],
        "a rep with email reviews only has a row, with no call reviewed"
    );
    assert_eq!(
        r.reps[1].repeated_errors, 0,
        "email errors do not count for the calls"
    );

    let emails = r.emails.expect("email reviews in the span");
    assert_eq!(emails.reviews, 3);
    let names: Vec<&str> = emails.reps.iter().map(|x| x.rep.as_str()).collect();
    assert_eq!(names, ["Kate", "Анна"]);
    let anna = &emails.reps[1];
    assert_eq!(
        (anna.reviews, anna.average_score),
        (2, Some(25.0)),
        "(50 + 0) / 2"
    );
    assert_eq!(anna.top_failed[0], ("greeting_name".to_string(), 2));
    assert_eq!(anna.repeated_errors, 1);
    let greeting = &emails.items[0];
    assert_eq!(greeting.item_id, "greeting_name");
    assert_eq!((greeting.team.answered, greeting.team.failed), (3, 2));
    assert_eq!(greeting.per_rep[0].share(), Some(0.0), "Kate");
    assert_eq!(greeting.per_rep[1].share(), Some(1.0), "Анна");
    assert_eq!(
        greeting.failures[0].1.evidence_text.as_deref(),
        Some("quoted for greeting_name")
    );

    // Two failures of one email item in a week: repeated, like a call's.
    let repeated: Vec<(Channel, &str, &str)> = r
        .repeated
        .iter()
        .map(|e| (e.channel, e.rep.as_str(), e.item_id.as_str()))
        .collect();
    assert_eq!(repeated, [(Channel::Email, "Анна", "greeting_name")]);
    let quoted: Vec<&str> = r.repeated[0]
        .occurrences
        .iter()
        .map(|o| o.call_id.as_str())
        .collect();
    assert_eq!(quoted, ["m1", "m2"]);

    let calls_only = results(&inputs, &history[..2]);
    assert_eq!(calls_only.emails, None, "no email review: no email figures");
}

#[test]
fn a_visit_has_its_speeds_and_the_score_of_its_review() {
    let ts = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    let visit = |id: &str, requested: &str| Visit {
        visit_id: id.into(),
        scenario: "КП".into(),
        channel: Channel::Email,
        shopper: "Ольга".into(),
        rep: Some("Анна".into()),
        team: None,
        requested_at: Some(ts(requested)),
        answered_at: Some(ts(requested) + Duration::minutes(30)),
        proposal_at: None,
        callback_at: None,
        call_id: None,
        message_id: Some(format!("<{id}@shop>")),
    };
    let mut shopper = review("Анна", "2026-11-24", &[("tone", No), ("speed", Yes)]);
    shopper.kind = ReviewKind::Mystery;
    shopper.call_id = "V1@shop".into();
    let other = review("Анна", "2026-11-24", &[("greeting", No)]);
    let rules = crate::domain::mystery::MysteryRules::defaults();
    let rows = mystery_rows(
        vec![
            visit("V2", "2026-11-25T10:00:00+03:00"),
            visit("V1", "2026-11-24T10:00:00+03:00"),
            visit("V0", "2026-11-20T10:00:00+03:00"),
        ],
        &rules,
        ts("2026-12-20T10:00:00+03:00"),
        Span::week(week("2026-W48")),
        &[shopper, other],
    );
    let ids: Vec<&str> = rows.iter().map(|r| r.visit.visit_id.as_str()).collect();
    assert_eq!(ids, ["V1", "V2"], "requested in the span, oldest first");
    assert_eq!(
        rows[0].score,
        Some(50.0),
        "its review, by the email's Message-ID"
    );
    assert_eq!(rows[1].score, None, "not reviewed");
    assert_eq!(
        rows[0].speeds,
        rows[0]
            .visit
            .speeds(&rules, ts("2026-12-20T10:00:00+03:00"))
    );
    assert_eq!(rows[0].speeds[0].seconds, Some(1800));
}
