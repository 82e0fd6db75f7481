//! Email activities of amoCRM, Bitrix24 and HubSpot exports: read as
//! emails, stored and linked as the emails/ folder's are, listed by
//! `callqa emails`, and a bad one reported with file and record.

use super::common::{callqa, text};
use super::*;
use callqa::domain::email::EmailDirection;
use callqa::store::StoredEmail;

/// One CRM's outgoing email and the client's reply in the same thread.
struct Expected {
    export: &'static str,
    /// The export of the CRM records, when the emails are a file of their own.
    records: Option<&'static str>,
    format: SourceFormat,
    emails: usize,
    outgoing: &'static str,
    reply: &'static str,
    rep: &'static str,
    contact: &'static str,
    deal: &'static str,
    body: &'static str,
}

const EXPECTED: [Expected; 3] = [
    Expected {
        export: "amocrm-json",
        records: None,
        format: SourceFormat::AmoCrmJson,
        emails: 2,
        outgoing: "amocrm-email-note-5005@crm.callqa",
        reply: "amocrm-email-note-5006@crm.callqa",
        rep: "Анна Смирнова",
        contact: "2001",
        deal: "1001",
        body: "Прошу подтвердить до пятницы, 27 ноября.",
    },
    Expected {
        export: "bitrix24",
        records: None,
        format: SourceFormat::Bitrix24Json,
        emails: 2,
        outgoing: "bx.crm.activity.7960@example.bitrix24.ru",
        reply: "bitrix24-email-activity-7961@crm.callqa",
        rep: "Анна Смирнова",
        contact: "275",
        deal: "31",
        body: "Направляю счёт и договор поставки.",
    },
    Expected {
        export: "hubspot-emails",
        records: Some("hubspot"),
        format: SourceFormat::HubSpotCsv,
        emails: 3,
        outgoing: "hubspot-email-70501@crm.callqa",
        reply: "hubspot-email-70502@crm.callqa",
        rep: "Anna Smirnova",
        contact: "51",
        deal: "9001",
        body: "Подтвердите, пожалуйста, состав поставки до пятницы, 27 ноября.",
    },
];

fn stored<'a>(emails: &'a [StoredEmail], id: &str) -> &'a StoredEmail {
    emails
        .iter()
        .find(|e| e.email.message_id == id)
        .unwrap_or_else(|| panic!("no stored email {id}"))
}

#[test]
fn crm_email_activities_are_stored_and_linked_as_emails() {
    for x in &EXPECTED {
        let p = read(x.export, x.format);
        assert!(p.problems.is_empty(), "{}: {:?}", x.export, problems(&p));
        assert_eq!(p.emails.len(), x.emails, "{}", x.export);

        let sources: Vec<PathBuf> = x
            .records
            .into_iter()
            .chain([x.export])
            .map(fixture)
            .collect();
        let sources: Vec<(&Path, ParseOptions)> = sources
            .iter()
            .map(|s| (s.as_path(), ParseOptions::default()))
            .collect();
        let (_dir, ws) = import_all(&sources);
        let emails = ws.all_emails().unwrap();
        assert_eq!(emails.len(), x.emails, "{}", x.export);
        let out = stored(&emails, x.outgoing);
        assert_eq!(
            (
                out.link.direction,
                out.link.rep.as_deref(),
                out.link.contact_id.as_deref(),
                out.link.deal_id.as_deref()
            ),
            (
                EmailDirection::Out,
                Some(x.rep),
                Some(x.contact),
                Some(x.deal)
            ),
            "{}",
            x.export
        );
        let body = &out.email.body_text;
        assert!(body.contains(x.body), "{}: {body}", x.export);
        assert!(!body.contains('<'), "{}: HTML left in {body}", x.export);
        let reply = stored(&emails, x.reply);
        assert_eq!(
            (
                reply.link.direction,
                reply.link.rep.as_deref(),
                reply.link.contact_id.as_deref()
            ),
            (EmailDirection::In, Some(x.rep), Some(x.contact)),
            "{}",
            x.export
        );
        assert_eq!(reply.link.thread_id, out.link.thread_id, "{}", x.export);
    }
}

#[test]
fn hubspot_email_without_a_thread_id_links_by_its_own_contact() {
    let (_dir, ws) = import_all(&[
        (&fixture("hubspot"), ParseOptions::default()),
        (&fixture("hubspot-emails"), ParseOptions::default()),
    ]);
    let emails = ws.all_emails().unwrap();
    let john = stored(&emails, "hubspot-email-70503@crm.callqa");
    assert_eq!(
        (
            john.link.rep.as_deref(),
            john.link.contact_id.as_deref(),
            john.link.deal_id.as_deref()
        ),
        (Some("Boris Orlov"), Some("52"), Some("9002"))
    );
    assert!(john.email.body_text.contains("renewal quote by Friday"));
}

#[test]
fn crm_emails_are_listed_by_callqa_emails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db = db.to_str().unwrap();
    for x in &EXPECTED {
        if let Some(records) = x.records {
            let records = fixture(records);
            let import = callqa(
                dir.path(),
                &["import", records.to_str().unwrap(), "--db", db],
            );
            assert!(import.status.success(), "{}", text(&import.stderr));
        }
        let export = fixture(x.export);
        let import = callqa(
            dir.path(),
            &[
                "import",
                export.to_str().unwrap(),
                "--db",
                db,
                "--lang",
                "en",
            ],
        );
        // Calls whose recording is only a link are skipped (exit 2): the
        // emails still come in.
        let said = text(&import.stdout);
        let line = format!("emails    {} new, 0 updated", x.emails);
        assert!(
            said.contains(&line),
            "{}: {said}{}",
            x.export,
            text(&import.stderr)
        );
    }
    let json = callqa(dir.path(), &["emails", "--db", db, "--format", "json"]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["email"]["message_id"].as_str())
        .collect();
    for x in &EXPECTED {
        assert!(ids.contains(&x.outgoing), "{}: {ids:?}", x.outgoing);
        assert!(ids.contains(&x.reply), "{}: {ids:?}", x.reply);
    }
    assert_eq!(ids.len(), 7, "{ids:?}");
}

#[test]
fn a_bad_crm_email_is_reported_by_file_and_record_and_the_rest_comes_in() {
    let (_dir, root) = broken(
        "bitrix24",
        "crm.activity.list.json",
        "\"DIRECTION\": \"1\",\n      \"ORIGIN_ID\": null",
        "\"DIRECTION\": \"5\",\n      \"ORIGIN_ID\": null",
    );
    let p = formats::parse(&root, SourceFormat::Bitrix24Json, &ParseOptions::default()).unwrap();
    assert_eq!(p.emails.len(), 1);
    let [problem] = &p.problems[..] else {
        panic!("{:?}", problems(&p))
    };
    assert_eq!(problem.file, "crm.activity.list.json");
    assert!(
        problem.record.as_deref().unwrap_or("").contains("7961"),
        "{problem}"
    );
    assert!(problem.reason.contains("DIRECTION"), "{problem}");

    let (_dir, root) = broken(
        "hubspot-emails",
        "hubspot-crm-exports-all-emails-2026-11-25.csv",
        "\"INCOMING_EMAIL\"",
        "\"CALL\"",
    );
    let p = formats::parse(&root, SourceFormat::HubSpotCsv, &ParseOptions::default()).unwrap();
    assert_eq!(p.emails.len(), 2);
    let [problem] = &p.problems[..] else {
        panic!("{:?}", problems(&p))
    };
    assert_eq!(
        (problem.file.as_str(), problem.line),
        ("hubspot-crm-exports-all-emails-2026-11-25.csv", Some(3))
    );
    assert!(problem.reason.contains("Email direction"), "{problem}");
}

#[test]
fn a_hubspot_emails_export_saved_in_windows_1251_reads_as_russian() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("hubspot-emails");
    copy_dir(&fixture("hubspot-emails"), &root);
    let name = "hubspot-crm-exports-all-emails-2026-11-25.csv";
    let utf8 = std::fs::read_to_string(root.join(name)).unwrap();
    let (cp1251, _, lossy) = encoding_rs::WINDOWS_1251.encode(&utf8);
    assert!(!lossy, "the fixture has only characters Windows-1251 holds");
    std::fs::write(root.join(name), &*cp1251).unwrap();
    let p = formats::parse(&root, SourceFormat::HubSpotCsv, &ParseOptions::default()).unwrap();
    assert!(p.problems.is_empty(), "{:?}", problems(&p));
    let anna = p
        .emails
        .iter()
        .find(|e| e.email.message_id == "hubspot-email-70501@crm.callqa")
        .unwrap();
    assert!(
        anna.email.body_text.contains("состав поставки до пятницы"),
        "{}",
        anna.email.body_text
    );
    assert_eq!(anna.email.subject, "Коммерческое предложение Romashka");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.file == name && w.reason.to_lowercase().contains("1251")),
        "the guessed encoding is said: {:?}",
        p.warnings
    );
}

#[test]
fn the_crms_own_links_stand_without_the_records_they_point_at() {
    // Each export alone: no contacts, deals or roster to match addresses
    // against, yet the activity says who owns it and whom it is about.
    let mut linked_by_crm = 0;
    for x in &EXPECTED {
        let (_dir, ws) = import_all(&[(&fixture(x.export), ParseOptions::default())]);
        let emails = ws.all_emails().unwrap();
        let out = stored(&emails, x.outgoing);
        let crm = out.email.crm.as_ref().expect("a CRM email keeps its links");
        assert_eq!(out.link.direction, EmailDirection::Out, "{}", x.export);
        assert_eq!(out.link.rep.as_deref(), Some(x.rep), "{}", x.export);
        if let Some(contact) = &crm.contact_id {
            assert_eq!(out.link.contact_id.as_ref(), Some(contact), "{}", x.export);
            assert_eq!(
                out.link.contact_rule,
                callqa::domain::email::ContactRule::Crm,
                "{}",
                x.export
            );
            linked_by_crm += 1;
        }
        if let Some(deal) = &crm.deal_id {
            assert_eq!(out.link.deal_id.as_ref(), Some(deal), "{}", x.export);
        }
    }
    assert!(linked_by_crm > 0, "no export named a contact");
}
