use super::*;
use AnswerValue::{Na, No, Yes};

/// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
/// section C: four coders, twelve units, values 1-5, '.' missing.
fn krippendorff_2011() -> Vec<Vec<Option<u8>>> {
    let coders = [
        "1 2 3 3 2 1 4 1 2 . . .",
        "1 2 3 3 2 2 4 1 2 5 . 3",
        ". 3 3 3 2 3 4 2 2 5 1 .",
        "1 2 3 3 2 4 4 1 2 5 1 .",
    ];
    let rows: Vec<Vec<Option<u8>>> = coders
        .iter()
        .map(|row| row.split(' ').map(|v| v.parse().ok()).collect())
        .collect();
    (0..12)
        .map(|unit| rows.iter().map(|coder| coder[unit]).collect())
        .collect()
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[test]
fn alpha_of_the_published_four_coder_example_is_0_743() {
    let alpha = krippendorff_alpha(&krippendorff_2011());
    assert_eq!(round3(alpha.value.unwrap()), 0.743);
    // Unit 12 has one value and drops out; 40 pairable values remain.
    assert_eq!(alpha.units, 11);
    assert_eq!(alpha.values, 40);
    assert!(!alpha.small_sample);
}

#[test]
fn percent_agreement_of_the_published_example_counts_pairs() {
    // By hand: 11 pairable units give 55 pairs, 43 of them agree.
    let percent = percent_agreement(&krippendorff_2011());
    assert_eq!((percent.units, percent.pairs), (11, 55));
    assert_eq!(percent.value, Some(43.0 / 55.0));
}

#[test]
fn alpha_on_two_coders_matches_the_coincidence_matrix_by_hand() {
    // n_yes = 3, n_no = 5, n = 8, o(yes,no) + o(no,yes) = 2:
    // alpha = 1 - 7 * 2 / (64 - 9 - 25) = 1 - 14/30.
    let units = vec![
        vec![Some(Yes), Some(Yes)],
        vec![Some(Yes), Some(No)],
        vec![Some(No), Some(No)],
        vec![Some(No), Some(No)],
        vec![Some(No), None],
    ];
    let alpha = krippendorff_alpha(&units);
    assert!((alpha.value.unwrap() - (1.0 - 14.0 / 30.0)).abs() < 1e-12);
    assert_eq!(alpha.units, 4);
    assert!(alpha.small_sample);
    let percent = percent_agreement(&units);
    assert_eq!(percent.value, Some(0.75));
    assert_eq!(percent.units, 4);
}

#[test]
fn perfect_agreement_is_alpha_one() {
    let units = vec![
        vec![Some(Yes), Some(Yes), None],
        vec![Some(No), Some(No), Some(No)],
        vec![Some(Na), Some(Na), Some(Na)],
    ];
    assert_eq!(krippendorff_alpha(&units).value, Some(1.0));
    assert_eq!(percent_agreement(&units).value, Some(1.0));
}

#[test]
fn one_category_everywhere_leaves_alpha_undefined() {
    let units = vec![vec![Some(Yes), Some(Yes)], vec![Some(Yes), Some(Yes)]];
    let alpha = krippendorff_alpha(&units);
    assert_eq!(
        alpha.value, None,
        "expected disagreement is zero: undefined"
    );
    assert_eq!(alpha.units, 2);
    // Nothing to pair at all is undefined too.
    let lonely = vec![vec![Some(Yes), None], vec![None, None]];
    assert_eq!(krippendorff_alpha(&lonely).value, None);
    assert_eq!(krippendorff_alpha(&lonely).units, 0);
    assert_eq!(percent_agreement(&lonely).value, None);
}

#[test]
fn kappa_on_a_two_by_two_table_by_hand() {
    // 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 35/50 = 0.7,
    // p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.2 / 0.5 = 0.4.
    let mut pairs = Vec::new();
    pairs.extend(std::iter::repeat_n((Some(Yes), Some(Yes)), 20));
    pairs.extend(std::iter::repeat_n((Some(Yes), Some(No)), 5));
    pairs.extend(std::iter::repeat_n((Some(No), Some(Yes)), 10));
    pairs.extend(std::iter::repeat_n((Some(No), Some(No)), 15));
    // Missing on either side drops the unit.
    pairs.push((None, Some(Yes)));
    pairs.push((Some(No), None));
    let kappa = cohen_kappa(&pairs);
    assert!((kappa.value.unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(kappa.units, 50);
    assert!(!kappa.small_sample);
}

#[test]
fn kappa_is_undefined_when_both_use_one_category_only() {
    let kappa = cohen_kappa(&[(Some(Yes), Some(Yes)), (Some(Yes), Some(Yes))]);
    assert_eq!(kappa.value, None);
    assert_eq!(kappa.units, 2);
    assert!(kappa.small_sample);
    assert_eq!(cohen_kappa::<AnswerValue>(&[(None, None)]).value, None);
}

#[test]
fn score_deviation_tells_strict_from_lenient() {
    // Call 1: 60, 80 (mean 70); call 2: 50, 70, 90 (mean 70); call 3 only
    // one score: drops out.
    let scores = [
        ("c1", "anna", 60.0),
        ("c1", "boris", 80.0),
        ("c2", "anna", 50.0),
        ("c2", "boris", 90.0),
        ("c2", "lead", 70.0),
        ("c3", "anna", 10.0),
    ];
    let deviations = score_deviations(&scores);
    assert_eq!(deviations["anna"].value, Some(-15.0));
    assert_eq!(deviations["anna"].calls, 2);
    assert_eq!(deviations["boris"].value, Some(15.0));
    assert_eq!(deviations["lead"].value, Some(0.0));
    assert_eq!(deviations["lead"].calls, 1);
    assert!(deviations["anna"].small_sample);
}

fn review(call: &str, reviewer: &str, score: f64, answers: &[(&str, AnswerValue)]) -> ScoredReview {
    ScoredReview {
        call_id: call.into(),
        reviewer: reviewer.into(),
        score: Some(score),
        answers: answers.iter().map(|(i, v)| (i.to_string(), *v)).collect(),
    }
}

#[test]
fn calibration_figures_per_item_and_per_reviewer() {
    let items = vec!["greet".to_string(), "summary".to_string()];
    let reviewers = vec!["anna".to_string(), "boris".to_string()];
    let reviews = vec![
        review("c1", "lead", 100.0, &[("greet", Yes), ("summary", Yes)]),
        review("c1", "anna", 50.0, &[("greet", Yes), ("summary", No)]),
        review("c1", "boris", 100.0, &[("greet", Yes), ("summary", Yes)]),
        review("c2", "lead", 50.0, &[("greet", No), ("summary", Yes)]),
        review("c2", "anna", 50.0, &[("greet", No)]),
    ];
    let figures = calibration_figures(&items, &reviewers, "lead", &reviews);
    assert_eq!(figures.calls, 2);
    let greet = &figures.items[0];
    // c1: three yes (3 agreeing pairs); c2: two no (1 pair).
    assert_eq!(greet.percent.value, Some(1.0));
    assert_eq!(greet.percent.pairs, 4);
    assert_eq!(greet.alpha.value, Some(1.0));
    let summary = &figures.items[1];
    // c1: yes, no, yes: 1 of 3 pairs agree; c2: one value, drops out.
    assert_eq!(summary.percent.value, Some(1.0 / 3.0));
    assert_eq!(summary.percent.units, 1);
    let anna = &figures.reviewers[0];
    assert_eq!(anna.reviewer, "anna");
    // Against the lead: greet yes/yes, summary no/yes, greet no/no.
    let kappa = anna.kappa_vs_lead.as_ref().unwrap();
    assert_eq!(kappa.units, 3);
    // p_o = 2/3; anna yes 1/3 no 2/3, lead yes 2/3 no 1/3: p_e = 4/9.
    let expected = (2.0 / 3.0 - 4.0 / 9.0) / (1.0 - 4.0 / 9.0);
    assert!((kappa.value.unwrap() - expected).abs() < 1e-12);
    // c1 mean 250/3, c2 mean 50: anna -100/3 and 0 → -50/3.
    assert!((anna.deviation.value.unwrap() + 50.0 / 3.0).abs() < 1e-9);
    assert_eq!(anna.deviation.calls, 2);
    let lead = figures
        .reviewers
        .iter()
        .find(|r| r.reviewer == "lead")
        .unwrap();
    assert_eq!(lead.kappa_vs_lead, None);
}
