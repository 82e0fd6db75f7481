use super::*;
use chrono::DateTime;

fn ts(s: &str) -> Option<Timestamp> {
    Some(DateTime::parse_from_rfc3339(s).unwrap())
}

fn email(id: &str, from: (&str, &str), to: (&str, &str), date: &str, subject: &str) -> Email {
    Email {
        message_id: id.into(),
        in_reply_to: None,
        references: Vec::new(),
        from: Mailbox::new(from.0, from.1),
        to: vec![Mailbox::new(to.0, to.1)],
        cc: Vec::new(),
        date: ts(date),
        subject: subject.into(),
        body_text: String::new(),
        attachments: Vec::new(),
        crm: None,
    }
}

const KATE: (&str, &str) = ("Kate Miller", "kate.miller@solar-dom.example");
const LARS: (&str, &str) = ("Lars Nyberg", "lars.nyberg@nordvik.example");

fn contact(id: &str, name: &str, email: &str, owner: &str) -> Contact {
    Contact {
        contact_id: id.into(),
        name: name.into(),
        email: email.into(),
        owner_rep: owner.into(),
        ..Contact::default()
    }
}

fn deal(id: &str, contact: &str, stage: &str, owner: &str, updated: &str) -> Deal {
    Deal {
        deal_id: id.into(),
        contact_id: contact.into(),
        stage: stage.into(),
        owner_rep: owner.into(),
        updated_at: ts(updated),
        ..Deal::default()
    }
}

#[test]
fn threads_follow_the_headers_whatever_the_order_and_a_missing_parent() {
    let mut first = email("c1@x", KATE, LARS, "2026-11-24T15:10:00+03:00", "Options");
    first.subject = "Rooftop PV".into();
    let mut second = email(
        "c2@y",
        LARS,
        KATE,
        "2026-11-25T09:12:00+02:00",
        "Re: Rooftop PV",
    );
    second.in_reply_to = Some("c1@x".into());
    second.references = vec!["c1@x".into()];
    // Its parent (c9) is not in the batch: it still joins through References.
    let mut third = email(
        "c3@x",
        KATE,
        LARS,
        "2026-11-25T11:40:00+03:00",
        "Re: Rooftop PV",
    );
    third.in_reply_to = Some("c9@y".into());
    third.references = vec!["c1@x".into(), "c9@y".into()];
    let other = email(
        "z1@x",
        KATE,
        LARS,
        "2026-11-20T10:00:00+03:00",
        "Another subject",
    );
    let emails = vec![third.clone(), other.clone(), second.clone(), first.clone()];
    let ids = thread_ids(&emails);
    assert_eq!(ids, vec!["c1@x", "z1@x", "c1@x", "c1@x"]);
    let reversed: Vec<Email> = emails.iter().rev().cloned().collect();
    assert_eq!(thread_ids(&reversed), vec!["c1@x", "c1@x", "z1@x", "c1@x"]);
}

#[test]
fn a_reply_without_thread_headers_falls_back_to_its_subject_and_a_shared_address() {
    let first = email(
        "c1@x",
        KATE,
        LARS,
        "2026-11-24T15:10:00+03:00",
        "Rooftop PV: two options",
    );
    let orphan = email(
        "c4@y",
        LARS,
        KATE,
        "2026-11-26T10:05:00+02:00",
        "RE: Rooftop PV:  two options",
    );
    // Same subject, but nobody in common: not the same conversation.
    let stranger = email(
        "s1@z",
        ("Ann", "ann@elsewhere.example"),
        ("Bob", "bob@elsewhere.example"),
        "2026-11-27T10:00:00+03:00",
        "Re: Rooftop PV: two options",
    );
    // Not a reply: its own thread even with the same subject.
    let fresh = email(
        "f1@y",
        LARS,
        KATE,
        "2026-11-28T10:00:00+03:00",
        "Rooftop PV: two options",
    );
    let ids = thread_ids(&[first, orphan, stranger, fresh]);
    assert_eq!(ids, vec!["c1@x", "c1@x", "s1@z", "f1@y"]);
    assert_eq!(bare_subject("Re: Fwd: Ответ: Счёт"), "счёт");
    assert_eq!(bare_subject("Re[2]: price"), "price");
}

#[test]
fn direction_rep_contact_and_the_open_deal() {
    let reps = vec!["Kate Miller".to_string(), "Анна Смирнова".to_string()];
    let contacts = vec![
        contact(
            "K-103",
            "Lars Nyberg",
            "lars.nyberg@nordvik.example",
            "Kate Miller",
        ),
        contact(
            "K-110",
            "Mia Berg",
            "mia.berg@nordvik.example",
            "Анна Смирнова",
        ),
        contact(
            "K-106",
            "Павел Лебедев",
            "p.lebedev@mail.ru",
            "Анна Смирнова",
        ),
    ];
    let deals = vec![
        deal(
            "D-1",
            "K-103",
            "Closed won",
            "Kate Miller",
            "2026-11-25T10:00:00+03:00",
        ),
        deal(
            "D-2",
            "K-103",
            "Needs analysis",
            "Kate Miller",
            "2026-11-20T10:00:00+03:00",
        ),
        deal(
            "D-3",
            "K-103",
            "Needs analysis",
            "Someone Else",
            "2026-11-26T10:00:00+03:00",
        ),
    ];
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (own, public, closed) = (
        strings(&["solar-dom.example"]),
        strings(&["mail.ru"]),
        strings(&["Closed won"]),
    );
    let ctx = LinkContext {
        reps: &reps,
        contacts: &contacts,
        deals: &deals,
        own_domains: &own,
        public_domains: &public,
        closed_stages: &closed,
    };
    let out = email("o1@x", KATE, LARS, "2026-11-24T15:10:00+03:00", "Offer");
    let mut reply = email(
        "i1@y",
        LARS,
        ("", "kate.miller@solar-dom.example"),
        "2026-11-25T09:00:00+02:00",
        "Re: Offer",
    );
    reply.in_reply_to = Some("o1@x".into());
    // A colleague of Lars at the same company, not in the CRM by address.
    let colleague = email(
        "i2@y",
        ("Erik", "erik@nordvik.example"),
        ("Kate Miller", "kate.miller@solar-dom.example"),
        "2026-11-26T09:00:00+02:00",
        "Question",
    );
    // A rep not in the roster, writing from the company's domain, to an
    // unknown person at a free mail domain shared with a contact.
    let newcomer = email(
        "n1@x",
        ("Олег Новиков", "oleg@solar-dom.example"),
        ("Пётр", "petr@mail.ru"),
        "2026-11-26T12:00:00+03:00",
        "Предложение",
    );
    let links = link_emails(&[out, reply, colleague, newcomer], &ctx);
    type Summary<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        ContactRule,
    );
    let summary: Vec<Summary> = links
        .iter()
        .map(|l| {
            (
                l.direction.code(),
                l.rep.as_deref(),
                l.contact_id.as_deref(),
                l.deal_id.as_deref(),
                l.contact_rule,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            // The rep's own open deal, not the closed one or someone else's newer one.
            (
                "out",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-2"),
                ContactRule::Address
            ),
            // The bare address was seen with Kate's name: Kate's, and incoming.
            (
                "in",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-2"),
                ContactRule::Address
            ),
            // Two contacts at nordvik.example: the rep's own first.
            (
                "in",
                Some("Kate Miller"),
                Some("K-103"),
                Some("D-2"),
                ContactRule::CompanyDomain
            ),
            (
                "out",
                Some("Олег Новиков"),
                None,
                None,
                ContactRule::Unmatched
            ),
        ]
    );
    assert_eq!(links[1].thread_id, "o1@x");
}

#[test]
fn a_message_without_a_matching_address_takes_its_threads_contact() {
    let contacts = vec![contact(
        "K-1",
        "Lars Nyberg",
        "lars.nyberg@nordvik.example",
        "Kate Miller",
    )];
    let reps = vec!["Kate Miller".to_string()];
    let ctx = LinkContext {
        reps: &reps,
        contacts: &contacts,
        deals: &[],
        own_domains: &[],
        public_domains: &[],
        closed_stages: &[],
    };
    let first = email("a@x", KATE, LARS, "2026-11-24T15:10:00+03:00", "Offer");
    let mut forwarded = email(
        "b@x",
        KATE,
        ("Boss", "boss@other.example"),
        "2026-11-24T16:00:00+03:00",
        "Fwd: Offer",
    );
    forwarded.references = vec!["a@x".into()];
    let links = link_emails(&[first, forwarded], &ctx);
    assert_eq!(links[1].contact_id.as_deref(), Some("K-1"));
    assert_eq!(links[1].contact_rule, ContactRule::Thread);
    assert_eq!(links[1].direction, EmailDirection::Out);
}
