//! Bitrix24 REST dumps, HubSpot CSVs and a mapping profile.

use super::*;

#[test]
fn bitrix24_rest_dump_with_paged_statistics() {
    let p = read("bitrix24", SourceFormat::Bitrix24Json);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert_eq!(p.calls.len(), 3, "the robot call is left out");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.reason.contains("1 informational"))
    );
    let olga = p.contacts.iter().find(|c| c.contact_id == "275").unwrap();
    assert_eq!(
        (olga.name.as_str(), olga.phone.as_str()),
        ("Ольга Петрова", "+79123456789")
    );
    assert_eq!(
        (
            olga.company.as_str(),
            olga.industry.as_str(),
            olga.owner_rep.as_str()
        ),
        ("ООО Ромашка", "MANUFACTURING", "Анна Смирнова")
    );
    let d = p.deals.iter().find(|d| d.deal_id == "31").unwrap();
    assert_eq!(
        (d.amount, d.currency.as_str(), d.source.as_str()),
        (Some(150_000.0), "RUB", "WEB")
    );
    let mut tasks: Vec<(&str, bool)> = p
        .tasks
        .iter()
        .map(|t| (t.task_id.as_str(), t.done))
        .collect();
    tasks.sort();
    assert_eq!(tasks, vec![("7950", false), ("7951", false)]);
    let c1 = call(&p, "11018129443EB80D.1795418102.11438214");
    assert_eq!(
        (c1.rep.as_str(), c1.direction.code(), c1.duration_ms),
        ("Анна Смирнова", "out", Some(185_000))
    );
    assert!(c1.recording.as_deref().unwrap().starts_with("https://"));
    let c7 = call(
        &p,
        "externalCall.716f1cb73def9700a23842adf9c4c568.1795420800",
    );
    assert_eq!(
        (c7.rep.as_str(), c7.phone.as_str()),
        ("Борис Орлов", "+74951234567")
    );
    assert_eq!(c7.recording.as_deref(), Some("records/9080.wav"));

    let results = p.match_calls(&[], &MatchOptions::default());
    let r1 = matched(&results, &c1.call_id);
    assert_eq!(r1.rule, explicit("bitrix.activity_id"));
    assert_eq!(links(r1), (Some("275"), Some("31")));
    assert_eq!(
        r1.note_ids,
        vec!["activity-7739"],
        "the call's comment is its write-up"
    );
    let r7 = matched(&results, &c7.call_id);
    assert_eq!(
        (links(r7), r7.activity_ids.clone()),
        ((Some("797"), Some("32")), vec!["7943".to_string()])
    );
    assert_eq!(
        matched(&results, "11018129443EB80D.1795424400.11438301").rule,
        MatchRule::Unmatched
    );
}

#[test]
fn hubspot_exports_and_an_ambiguous_phone() {
    let p = read("hubspot", SourceFormat::HubSpotCsv);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert_eq!((p.contacts.len(), p.deals.len()), (4, 3));
    let jane = p.contacts.iter().find(|c| c.contact_id == "53").unwrap();
    assert_eq!(
        jane.company, "Acme Inc.\nLondon office",
        "a quoted newline stays in its field"
    );
    let deal = |id: &str| p.deals.iter().find(|d| d.deal_id == id).unwrap();
    assert_eq!(
        (deal("9001").contact_id.as_str(), deal("9001").amount),
        ("51", Some(150_000.0))
    );
    assert_eq!(
        (deal("9002").contact_id.as_str(), deal("9002").amount),
        ("52", Some(12_500.0))
    );
    assert_eq!(
        (deal("9003").contact_id.as_str(), deal("9003").amount),
        ("", None)
    );
    assert_eq!(
        p.activities.len(),
        2,
        "Last Contacted is kept for the audit"
    );

    // Two contacts have +1 202 555 0143: the rep's own one is picked.
    let mut with_calls = p.clone();
    let template = CallRecord {
        call_id: "boris".into(),
        started_at: chrono::DateTime::parse_from_rfc3339("2026-11-24T16:00:00+03:00").unwrap(),
        rep: "Boris Orlov".into(),
        direction: callqa::domain::crm::Direction::Out,
        phone: "+12025550143".into(),
        duration_ms: Some(60_000),
        recording: None,
        contact_id: None,
        deal_id: None,
        external_ids: Vec::new(),
        answered: Some(true),
        script: None,
        channel_layout: None,
        read_at: None,
    };
    let anna = CallRecord {
        call_id: "anna".into(),
        rep: "Anna Smirnova".into(),
        ..template.clone()
    };
    with_calls.calls = vec![template, anna];
    let options = MatchOptions {
        default_country: "US".into(),
        ..MatchOptions::default()
    };
    let results = with_calls.match_calls(&[], &options);
    let boris = matched(&results, "boris");
    assert_eq!(
        (boris.rule.clone(), links(boris)),
        (MatchRule::PhoneOnly, (Some("52"), Some("9002")))
    );
    assert!(boris.ambiguity.as_deref().unwrap().contains("2 contacts"));
    assert_eq!(matched(&results, "anna").contact_id.as_deref(), Some("54"));
}

#[test]
fn generic_profile_reads_a_call_sheet_and_pipedrive_json() {
    let p = read("generic", SourceFormat::Generic);
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    assert_eq!((p.calls.len(), p.contacts.len(), p.deals.len()), (3, 2, 2));
    let c1 = call(&p, "C-1");
    assert_eq!(c1.started_at.to_rfc3339(), "2026-11-23T10:15:00+03:00");
    assert_eq!(
        (c1.direction.code(), c1.phone.as_str(), c1.duration_ms),
        ("out", "+79123456789", Some(185_000))
    );
    assert_eq!(
        (c1.recording.as_deref(), c1.answered),
        (Some("rec/C-1.wav"), Some(true))
    );
    assert_eq!(
        c1.external_ids,
        vec![("client.call_id".to_string(), "C-1".to_string())]
    );
    assert_eq!(call(&p, "C-3").answered, Some(false));
    let ivan = p.contacts.iter().find(|c| c.contact_id == "2").unwrap();
    assert_eq!(
        (ivan.phone.as_str(), ivan.owner_rep.as_str()),
        ("+74951234567", "Борис Орлов")
    );
    let results = p.match_calls(&[], &MatchOptions::default());
    assert_eq!(links(matched(&results, "C-1")), (Some("1"), Some("1")));
    assert_eq!(links(matched(&results, "C-2")), (Some("2"), Some("2")));
}
