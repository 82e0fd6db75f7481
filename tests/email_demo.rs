//! The demo batch's emails: decoded, threaded and linked to the demo CRM,
//! and the automatic checks' answers on each rep's email, as the demo
//! README describes them.

use callqa::domain::email::EmailDirection;
use callqa::domain::email_checks::{EmailCheck, EmailSettings, SignatureLine, review_email};
use callqa::import::import_batch;
use callqa::store::{EmailFilter, StoredEmail, Workspace};
use std::path::Path;

fn demo() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let report = import_batch(&ws, &demo).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let email_warnings: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.file.starts_with("emails/"))
        .collect();
    assert!(email_warnings.is_empty(), "{email_warnings:?}");
    assert_eq!(report.emails.new, 8);
    (dir, ws)
}

fn find<'a>(emails: &'a [StoredEmail], id: &str) -> &'a StoredEmail {
    emails.iter().find(|e| e.email.message_id == id).unwrap()
}

#[test]
fn demo_emails_are_decoded_threaded_and_linked() {
    let (_dir, ws) = demo();
    let emails = ws.emails(&EmailFilter::default()).unwrap();
    type Link<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let links: Vec<Link> = emails
        .iter()
        .map(|e| {
            (
                e.email.message_id.as_str(),
                e.link.direction.code(),
                e.link.rep.as_deref(),
                e.link.contact_id.as_deref(),
                e.link.deal_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            (
                "a1-kuznetsov@solar-dom.example",
                "out",
                Some("Анна Смирнова"),
                Some("K-101"),
                Some("D-201")
            ),
            (
                "b1-belova@solar-dom.example",
                "out",
                Some("Игорь Петров"),
                Some("K-102"),
                Some("D-202")
            ),
            (
                "c1-nyberg@solar-dom.example",
                "out",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-203")
            ),
            (
                "c2-nyberg@nordvik.example",
                "in",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-203")
            ),
            (
                "c3-nyberg@solar-dom.example",
                "out",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-203")
            ),
            (
                "c4-nyberg@nordvik.example",
                "in",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-203")
            ),
            (
                "d1-morozov@solar-dom.example",
                "out",
                Some("Анна Смирнова"),
                Some("K-105"),
                Some("D-205")
            ),
            (
                "e1-brooks@solar-dom.example",
                "out",
                Some("Kate Miller"),
                Some("K-107"),
                Some("D-207")
            ),
        ]
    );
    // The Nordvik thread, the last reply joined by its subject alone.
    let thread = ws.email_thread("c1-nyberg@solar-dom.example").unwrap();
    assert_eq!(thread.len(), 4);
    // Windows-1251 base64, KOI8-R quoted-printable, HTML only.
    let belova = find(&emails, "b1-belova@solar-dom.example");
    assert!(belova.email.body_text.starts_with("Здравствуйте!\n"));
    assert_eq!(belova.email.subject, "КП: солнечные панели для отеля");
    assert_eq!(belova.email.attachments[0].name, "KP-Volzhsky-bereg.pdf");
    let morozov = find(&emails, "d1-morozov@solar-dom.example");
    assert!(
        morozov
            .email
            .body_text
            .starts_with("Андрей Павлович, добрый день!")
    );
    let html = find(&emails, "c3-nyberg@solar-dom.example");
    assert!(
        html.email.body_text.contains("Hello Lars,"),
        "{}",
        html.email.body_text
    );
    assert!(
        !html.email.body_text.contains('<'),
        "{}",
        html.email.body_text
    );
    // The body line starting with "From " stayed in Lars's message.
    let lars = find(&emails, "c2-nyberg@nordvik.example");
    assert!(
        lars.email
            .body_text
            .contains("From our side, the CO2 report")
    );
    assert_eq!(lars.source_record, Some(2));
    // Importing again changes nothing.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let again = import_batch(&ws, &demo).unwrap();
    assert_eq!((again.emails.new, again.emails.unchanged), (0, 8));
}

#[test]
fn the_checks_answer_each_demo_email_as_the_demo_intends() {
    let (_dir, ws) = demo();
    let contacts = ws.all_contacts().unwrap();
    let settings = EmailSettings::bundled();
    let emails = ws.emails(&EmailFilter::default()).unwrap();
    let mut answers = Vec::new();
    for e in emails
        .iter()
        .filter(|e| e.link.direction == EmailDirection::Out)
    {
        let contact = contacts
            .iter()
            .find(|c| Some(&c.contact_id) == e.link.contact_id.as_ref())
            .map(|c| c.name.as_str());
        let r = review_email(
            &e.email.body_text,
            contact,
            e.link.rep.as_deref().unwrap(),
            &settings,
        );
        let yes_no = |check| match r.answer(check) {
            Some(true) => 'y',
            Some(false) => 'n',
            None => '?',
        };
        answers.push((
            e.email.message_id.split('@').next().unwrap().to_string(),
            [
                yes_no(EmailCheck::GreetingName),
                yes_no(EmailCheck::Signature),
                yes_no(EmailCheck::Concise),
                yes_no(EmailCheck::CallToAction),
            ]
            .iter()
            .collect::<String>(),
            r.signature_missing.clone(),
        ));
    }
    let expected = |id: &str, answers: &str, missing: Vec<SignatureLine>| {
        (id.to_string(), answers.to_string(), missing)
    };
    assert_eq!(
        answers,
        vec![
            // greeting, signature, concise, call to action
            expected("a1-kuznetsov", "yyyy", vec![]),
            // "Здравствуйте!" without the client's name.
            expected("b1-belova", "nyyy", vec![]),
            expected("c1-nyberg", "yyyy", vec![]),
            // "Looking forward to hearing from you": no date, no call to action.
            expected("c3-nyberg", "yyyn", vec![]),
            // No phone under the name.
            expected("d1-morozov", "ynyy", vec![SignatureLine::Phone]),
            // Three long paragraphs before the question.
            expected("e1-brooks", "yyny", vec![]),
        ]
    );
}

#[test]
fn spelling_finds_the_demo_emails_mistakes_with_the_system_dictionaries() {
    use callqa::domain::email_checks::spelling::Speller;
    use callqa::tui::dictionaries::{Dictionaries, Loaded};
    let Loaded::Ready(dictionaries) = Dictionaries::load_from(Path::new("/usr/share/hunspell"))
    else {
        panic!("the hunspell dictionaries are missing: ./dev installs hunspell-ru hunspell-en-us");
    };
    let (_dir, ws) = demo();
    let contacts = ws.all_contacts().unwrap();
    let settings = EmailSettings::bundled();
    let mut found = Vec::new();
    for e in ws.emails(&EmailFilter::default()).unwrap() {
        if e.link.direction != EmailDirection::Out {
            continue;
        }
        let contact = contacts
            .iter()
            .find(|c| Some(&c.contact_id) == e.link.contact_id.as_ref())
            .map(|c| c.name.as_str());
        let rep = e.link.rep.as_deref().unwrap();
        let mut r = review_email(&e.email.body_text, contact, rep, &settings);
        let names: Vec<&str> = std::iter::once(&e.email.from)
            .chain(&e.email.to)
            .map(|m| m.name.as_str())
            .chain(contact)
            .collect();
        r.check_spelling(&e.email.body_text, dictionaries.as_ref(), &settings, &names);
        let id = e.email.message_id.split('@').next().unwrap().to_string();
        for m in r.spelling.unwrap() {
            found.push((id.clone(), m.word));
        }
    }
    // kWp (a unit) is in the allow-list of assets/email.toml.
    let expected = [("b1-belova", "расчитали"), ("d1-morozov", "прикреплёном")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(id, word)| (id.to_string(), word.to_string()))
        .collect();
    assert_eq!(found, expected);
    let suggestions = dictionaries.suggest("расчитали");
    assert!(
        suggestions.iter().any(|s| s == "рассчитали"),
        "{suggestions:?}"
    );
}
